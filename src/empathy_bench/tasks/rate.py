"""The inspect task of kind `rate`: a judge rates items of a label source on rubric dimensions.

    inspect eval empathy_bench/rate -T task=lend_an_ear -T judge=builtin-lexicon
    inspect eval empathy_bench/rate -T task=epitome --model litellm/openai/gpt-4o-mini

A judge file binds its own model; without one, --model rates with the default prompt.
Samples are built from the task file (tasks/<id>.yaml) and the judge file (evals/judges/*.yaml):
one per (item, dimension) by default, or one per item rating every dimension. Each sample
carries the item, the reference rating and every human rating in its metadata, so the logs
alone are enough to compute agreement later.
"""

from __future__ import annotations

import json

import pandas as pd
from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import (
    CachePolicy,
    ChatCompletionChoice,
    ChatMessageAssistant,
    GenerateConfig,
    ModelOutput,
    get_model,
)
from inspect_ai.solver import Generate, Solver, TaskState, solver

from empathy_bench.candidates import builtin
from empathy_bench.candidates.judge import Judge, load_judge, prompt_path
from empathy_bench.candidates.litellm_api import UnusableReply
from empathy_bench.candidates.prompt import load_template, render
from empathy_bench.core.digest import sha256_bytes
from empathy_bench.core.project import find_file
from empathy_bench.sources.card import HUMAN_GROUPS, load_source_card
from empathy_bench.sources.labels import LabelSet, load_source, rater_values
from empathy_bench.tasks.scorer import median_rating, rubric_rating
from empathy_bench.tasks.spec import Mode, TaskSpec, load_task


@task
def rate(task: str = "lend_an_ear", judge: str | None = None, mode: str | None = None, epochs: int = 1) -> Task:
    """Judge `judge` (a file in evals/judges, or a model string) rates task `task`. Without
    a judge, the eval's --model rates with the default prompt."""
    spec = load_task(task)
    candidate = load_judge(judge) if judge else Judge(id="default", model="")
    layout: Mode = mode or candidate.mode or spec.mode  # type: ignore[assignment]
    labels = load_source(spec.source, [spec.framework])
    samples, unrated = build_samples(spec, candidate, labels, layout)
    meta = provenance(spec, candidate, layout) | {"unrated_by_reference": unrated}
    # What the replies depend on beyond inspect's own cache key (messages, model, generation
    # settings): the judge file (model args included), prompt, rubric and, for the built-in
    # judges, their code. It scopes the cache and versions the task, so changing any of them
    # is never served a stale reply, nor taken by eval_set as already done.
    code = builtin.code_fingerprint() if candidate.model.startswith("litellm/builtin/") else ""
    parts = [
        meta["judge_config_sha256"],
        meta["prompt_sha256"],
        meta["rubric_sha256"],
        meta["label_files_sha256"],
        code,
    ]
    fingerprint = sha256_bytes(json.dumps(parts), short=True)
    return Task(
        model=get_model(candidate.model, base_url=candidate.base_url, **candidate.model_args) if judge else None,
        name=spec.id,
        version=f"{spec.version}+{fingerprint}",
        dataset=MemoryDataset(samples, name=f"{spec.source}/{spec.framework}"),
        # Cached replies never expire: a re-run with the same fingerprint calls no provider.
        solver=judge_generate(CachePolicy(expiry=None, scopes={"fingerprint": fingerprint})),
        scorer=rubric_rating(spec.rubric),
        epochs=Epochs(epochs, median_rating()),
        config=GenerateConfig(**candidate.generation.model_dump(exclude_none=True)),
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


def build_samples(spec: TaskSpec, judge: Judge, labels: LabelSet, mode: Mode) -> tuple[list[Sample], int]:
    """The samples, and how many (item, dimension) pairs were left out because the reference
    has no rating for them (e.g. conflicting repeated labels dropped by the loader)."""
    rubric = spec.rubric_model
    template = load_template(judge.prompt)
    dims = spec.dimension_ids
    reference = {d: rater_values(labels.ratings, spec.reference, d) for d in dims}
    human = _human_ratings(labels.ratings, dims)
    samples, unrated = [], 0
    for item in labels.items.itertuples():
        rated = [d for d in dims if item.item_id in reference[d].index]
        unrated += len(dims) - len(rated)
        groups = [[d] for d in rated] if mode == "per_dimension" else ([rated] if rated else [])
        for group in groups:
            samples.append(
                Sample(
                    id=item.item_id if mode == "all_dimensions" else f"{item.item_id}:{group[0]}",
                    input=render(template, rubric, group, item.turns, item.target),
                    metadata={
                        "item_id": item.item_id,
                        "framework": spec.framework,
                        "dimensions": group,
                        "reference": {d: float(reference[d][item.item_id]) for d in group},
                        "human": {d: human.get((item.item_id, d), {}) for d in group},
                        "supporter_words": sum(
                            len(t["text"].split()) for t in item.turns if t["speaker"] == item.target
                        ),
                    },
                )
            )
    return samples, unrated


def _human_ratings(ratings: pd.DataFrame, dims: list[str]) -> dict[tuple[str, str], dict[str, float]]:
    """(item, dimension) -> {rater_id: value} for every human rating, individual or aggregate."""
    rows = ratings[ratings.rater_group.isin(HUMAN_GROUPS) & ratings.dimension.isin(dims)]
    out: dict[tuple[str, str], dict[str, float]] = {}
    for row in rows.itertuples():
        out.setdefault((row.item_id, row.dimension), {})[row.rater_id] = float(row.value)
    return out


def provenance(spec: TaskSpec, judge: Judge, mode: Mode) -> dict[str, object]:
    """What the run depends on, hashed, so a summary can show what produced each number."""
    return {
        "task": spec.id,
        "task_version": spec.version,
        "source": spec.source,
        "framework": spec.framework,
        "reference": spec.reference,
        "mode": mode,
        "judge": judge.id if judge.model else None,
        "judge_config_sha256": judge.config_hash,
        "baseline": judge.baseline,
        "fitted_on": list(judge.fitted_on),
        "rubric_sha256": sha256_bytes(find_file("rubrics", spec.rubric).read_bytes(), short=True),
        "prompt_sha256": sha256_bytes(prompt_path(judge).read_bytes(), short=True),
        "label_files_sha256": sha256_bytes(
            json.dumps(sorted(f.sha256 for f in load_source_card(spec.source).files)), short=True
        ),
    }
