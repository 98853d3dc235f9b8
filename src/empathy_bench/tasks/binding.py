"""Binding a judge to a task, the same for every task kind: the judge's model, the cache scope and
task version that make a changed judge, prompt, rubric, label file or built-in model's code never
served a stale reply, the provenance written into the log, and the solver that turns a provider
answer with nothing to read into an unscored sample."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from inspect_ai import Epochs, Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import (
    CachePolicy,
    ChatCompletionChoice,
    ChatMessageAssistant,
    GenerateConfig,
    Model,
    ModelOutput,
    get_model,
)
from inspect_ai.scorer import Scorer
from inspect_ai.solver import Generate, Solver, TaskState, solver

from empathy_bench.candidates import builtin
from empathy_bench.candidates.judge import CandidateKind, Judge, prompt_path
from empathy_bench.candidates.litellm_api import UnusableReply
from empathy_bench.candidates.reply import Unscored
from empathy_bench.core.digest import sha256_bytes
from empathy_bench.core.errors import InputError
from empathy_bench.core.project import find_file
from empathy_bench.tasks.labels import items_identity, label_files
from empathy_bench.tasks.metadata import JudgeTaskMetadata
from empathy_bench.tasks.probe import ProbeSpec
from empathy_bench.tasks.spec import TaskSpec

V = TypeVar("V")


def judge_task(
    spec: TaskSpec,
    judge: Judge,
    bound: bool,
    samples: Sequence[Sample],
    scorer: Scorer,
    epochs: Epochs,
    metadata: JudgeTaskMetadata,
    then: Solver | None = None,
    model_roles: dict[str, Model] | None = None,
) -> Task:
    """The inspect task of `judge` on `spec` (`bound`: the judge file's model; otherwise the
    eval's --model). `metadata`: its kind's model, made of `provenance` and the kind's own keys;
    `then` runs after the judge's reply (a coach task's grader, the model of role `grader` in
    `model_roles`)."""
    meta = metadata.written()
    fingerprint = reply_fingerprint(meta, judge)
    # A probe task is its own task (name and version: a changed probe file is never taken as done),
    # but shares the cache scope, so its unchanged condition (unlabelled, original) costs nothing
    # after the plain run: the messages themselves are in inspect's cache key. A coach task's
    # grader and scoring code version it the same way, so a new grader re-grades without asking
    # the coach again.
    probe = metadata.probe
    extras = "".join(f"+{meta[key]}" for key in VERSION_EXTRAS if key in meta)
    return Task(
        model=get_model(judge.model, **judge.connection_args) if bound else None,
        name=spec.id if probe is None else f"{spec.id}_probe_{probe}",
        version=f"{spec.version}+{fingerprint}{extras}",
        dataset=MemoryDataset(list(samples), name=f"{spec.source_name}/{spec.framework}"),
        # Cached replies never expire: a re-run with the same fingerprint calls no provider.
        solver=[judge_generate(CachePolicy(expiry=None, scopes={"fingerprint": fingerprint}))]
        + ([then] if then else []),
        model_roles=model_roles,
        scorer=scorer,
        epochs=epochs,
        config=GenerateConfig(**judge.generation.model_dump(exclude_none=True)),
        metadata=meta,
    )


@solver
def judge_generate(cache: CachePolicy) -> Solver:
    """inspect's generate with the cache, except that a reply the provider sent with nothing to
    read (no choices, no content, not JSON) ends the sample as an unscored reply with the reason
    instead of failing the task; since generate raised, nothing was cached, so a later run in a
    fresh log dir asks the provider again."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        try:
            return await generate(state, cache=cache)
        except UnusableReply as err:
            empty = ChatCompletionChoice(
                message=ChatMessageAssistant(content="", source="generate"), stop_reason="unknown"
            )
            state.output = ModelOutput(model=str(state.model), choices=[empty], error=str(err))
            return state

    return solve


def task_judge(spec: TaskSpec, judge: str | None, kind: CandidateKind) -> Judge:
    """The judge (or coach) of a task of `kind` (without a name, the eval's --model with the
    default prompt of the kind); a task or candidate of another kind is refused."""
    if judge:
        candidate = spec.load_candidate(judge)
    else:
        candidate = Judge(id="default", model="", kind=kind)
    if spec.kind != kind or candidate.kind != kind:
        raise InputError(
            f"tasks/{spec.id}.yaml",
            f"the {kind} task runs {kind} tasks with {kind} judges "
            f"(task kind {spec.kind}, judge kind {candidate.kind})",
            f"run it as `{spec.kind}`, or pick a judge of kind {spec.kind}",
        )
    return candidate


def interleaved(per_condition: list[list[Sample]]) -> list[Sample]:
    """One list of a probe task's samples with each item's (pair's) conditions side by side, so a
    --limit keeps whole contrasts; a plain task's single list unchanged."""
    return [sample for same in zip(*per_condition, strict=True) for sample in same]


def reply_outcome(
    output: ModelOutput, asked: list[str], values: dict[str, V], why: dict[str, Unscored]
) -> tuple[dict[str, V], dict[str, Unscored]]:
    """A parsed reply as the scorer keeps it: a provider answer with nothing to read (see
    `judge_generate`) leaves every asked key unscored as `bad_reply`; a reply cut at max_tokens
    says so (a cut reply is not a format error)."""
    if output.error:
        return {}, {key: Unscored("bad_reply", output.error) for key in asked}
    if output.stop_reason == "max_tokens":
        why = {key: Unscored("truncated", f"{u.message} (reply truncated at max_tokens)") for key, u in why.items()}
    return values, why


# What versions a task beyond its candidate's replies: a probe file, a coach task's grader and
# the code that scores feedback (where quotes are found, what the contract accepts).
VERSION_EXTRAS = ("probe_sha256", "grader_sha256", "scoring_sha256")


def reply_fingerprint(meta: dict[str, Any], judge: Judge) -> str:
    """What a candidate's replies depend on beyond inspect's own cache key (messages, model,
    generation settings): its file (model args included), prompt, the rubric, the label files
    and, for a built-in model, its code. It scopes the cache and versions the task, so changing
    any of them is never served a stale reply, nor taken by eval_set as already done."""
    code = builtin.code_fingerprint() if judge.model.startswith("litellm/builtin/") else ""
    keys = ("judge_config_sha256", "prompt_sha256", "rubric_sha256", "label_files_sha256")
    return sha256_bytes(json.dumps([meta[k] for k in keys] + [code]), short=True)


def candidate_fingerprint(spec: TaskSpec, judge: Judge) -> str:
    """`reply_fingerprint` of a candidate on a task (a coach task's grader is scoped by it)."""
    return reply_fingerprint(provenance(spec, judge), judge)


def provenance(spec: TaskSpec, judge: Judge) -> dict[str, Any]:
    """What the run depends on, hashed, so a summary can show what produced each number: the
    fields of `JudgeTaskMetadata` every kind's model is built with."""
    return {
        "task": spec.id,
        "task_version": spec.version,
        "kind": spec.kind,
        "source": spec.source_name,
        "framework": spec.framework,
        "reference": spec.reference,
        "judge": judge.id if judge.model else None,
        "judge_config_sha256": judge.config_hash,
        "baseline": judge.baseline,
        "fitted_on": list(judge.fitted_on),
        # what the log's tokens are priced at (runs/log.py): the judge file's own price, `unknown`
        # for a server at base_url without one, else `list` (litellm's price table)
        "price": judge.pricing,
        "rubric_sha256": sha256_bytes(find_file("rubrics", spec.rubric).read_bytes(), short=True),
        "prompt_sha256": sha256_bytes(prompt_path(judge).read_bytes(), short=True),
        "label_files_sha256": sha256_bytes(json.dumps(sorted(label_files(spec).values())), short=True),
        "items_sha256": sha256_bytes(items_identity(spec), short=True),
    }


def probe_metadata(probe: ProbeSpec | None) -> dict[str, Any]:
    """What a probe task adds to the provenance: the probe and the sha256 of its file (none of
    the three for a plain run: they stay unset in its metadata model)."""
    if probe is None:
        return {}
    return {
        "probe": probe.id,
        "probe_change": probe.change,
        "probe_sha256": sha256_bytes(probe.model_dump_json(), short=True),
    }


def supporter_words(turns: list[dict[str, str]], target: str) -> int:
    """Words the judged speaker wrote: what length baselines and probes look at."""
    return sum(len(t["text"].split()) for t in turns if t["speaker"] == target)
