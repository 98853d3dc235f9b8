"""`verify`'s check of a bundled log against the task: its provenance (task, candidate fingerprint,
template hash, probe file), its samples (exactly the task's items and conditions, once per epoch)
and every prompt in it, rebuilt from the task, the labels, the bundle's candidate file and template
by the task modules' own sample builders: `build_samples` (rate), `build_pair_samples` (compare),
`build_coach_samples` (coach), under each condition of the log's probe (`conditions`). A coach
log's grader prompts are rebuilt too, from the coach's reply in the log (`graded_rewrite`) and the
project's grader file, by the rate task's own builder (`conversation_samples`, as the grader itself
builds them): the conversation as it was and with the first rewrite.
"""

from __future__ import annotations

from collections import Counter
from string import Template

from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog, EvalSample, resolve_sample_attachments

from empathy_bench.candidates.judge import GRADER, Judge, load_grader
from empathy_bench.candidates.prompt import Mode, load_template
from empathy_bench.core.digest import sha256_bytes
from empathy_bench.core.errors import InputError
from empathy_bench.pipeline.bundle.manifest import Difference, one_line
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.binding import interleaved, probe_metadata
from empathy_bench.tasks.coach import build_coach_samples, graded_rewrite
from empathy_bench.tasks.compare import build_pair_samples
from empathy_bench.tasks.metadata import (
    CoachSampleMetadata,
    CoachTaskMetadata,
    JudgeTaskMetadata,
    RateTaskMetadata,
    TaskMetadata,
    task_metadata,
)
from empathy_bench.tasks.probe import ProbeSpec, conditions, load_probe
from empathy_bench.tasks.rate import Conversation, build_samples, conversation_samples
from empathy_bench.tasks.spec import CoachTask, CompareTask, RateTask, TaskSpec

LAYOUTS = ("per_dimension", "all_dimensions")
SHOWN_IDS = 3  # sample ids named in one difference


def check_log(
    rel: str, log: EvalLog, spec: TaskSpec, judge: Judge, template: bytes, labels: LabelSet, diffs: list[Difference]
) -> int:
    """Add every difference of the log at bundle path `rel` to `diffs`; the prompts checked (a log
    whose metadata does not validate stops with an InputError naming it)."""
    meta = task_metadata(log)
    if meta.task != spec.id:
        diffs.append(Difference(f"{rel} task", spec.id, meta.task))
        return 0
    if not isinstance(meta, JudgeTaskMetadata):  # a registered kind's: no judge provenance to check
        diffs.append(Difference(f"{rel} kind", "a rate, compare or coach task", meta.kind))
        return 0
    if meta.judge_config_sha256 != judge.config_hash:
        diffs.append(Difference(f"{rel} candidate fingerprint", judge.config_hash, meta.judge_config_sha256))
    if (prompt := sha256_bytes(template, short=True)) != meta.prompt_sha256:
        diffs.append(Difference(f"{rel} prompt template sha256", prompt, meta.prompt_sha256))
    known, probe = _probe(rel, meta, diffs)
    if not known:
        return 0  # the samples of a probe file other than this project's cannot be rebuilt
    try:
        expected = _expected(rel, log, meta, spec, judge, Template(template.decode("utf-8")), labels, probe, diffs)
    except (KeyError, ValueError, InputError) as err:  # a template the task kind cannot fill
        diffs.append(Difference(f"{rel} samples", "the samples the candidate's template gives", one_line(err)))
        return 0
    if expected is None:
        return 0
    checked = _check_samples(rel, log, {str(s.id): s for s in expected}, diffs)
    if isinstance(spec, CoachTask):
        checked += _check_grader(rel, log, spec, {str(s.id): s for s in expected}, diffs)
    return checked


def _probe(rel: str, meta: TaskMetadata, diffs: list[Difference]) -> tuple[bool, ProbeSpec | None]:
    """The project's probe file the log ran (None for a plain run), checked against the log's
    sha256 of it; (False, None) when the log ran another (a difference is added)."""
    name = meta.probe
    if not name:
        return True, None
    try:
        probe = load_probe(name)
    except InputError:
        diffs.append(Difference(f"{rel} probe", "a probe of this project (evals/probes/)", name))
        return False, None
    if (ours := probe_metadata(probe)["probe_sha256"]) != meta.probe_sha256:
        diffs.append(Difference(f"{rel} probe file {name} sha256", ours, str(meta.probe_sha256)))
        return False, None
    return True, probe


def _expected(
    rel: str,
    log: EvalLog,
    meta: TaskMetadata,
    spec: TaskSpec,
    judge: Judge,
    template: Template,
    labels: LabelSet,
    probe: ProbeSpec | None,
    diffs: list[Difference],
) -> list[Sample] | None:
    """The samples the task's own builder gives for this candidate, template and probe (in the
    layout the run used: the `mode` it was given, else the candidate's, else the task's)."""
    shown = conditions(probe, spec) if probe else [None]
    if isinstance(spec, CompareTask):
        return interleaved([build_pair_samples(spec, judge, labels, c, template)[0] for c in shown])
    if isinstance(spec, CoachTask):
        return build_coach_samples(spec, judge, template)
    if not isinstance(spec, RateTask):  # a registered kind of its own: its samples are not rebuilt here
        diffs.append(Difference(f"{rel} kind", "a rate, compare or coach task", spec.kind))
        return None
    layout = (log.eval.task_args or {}).get("mode") or judge.mode or spec.mode
    logged = meta.mode if isinstance(meta, RateTaskMetadata) else None
    if layout not in LAYOUTS or logged != layout:
        diffs.append(Difference(f"{rel} mode", str(layout), str(logged)))
        return None
    return interleaved([build_samples(spec, judge, labels, layout, c, probe, template)[0] for c in shown])


def _check_samples(rel: str, log: EvalLog, expected: dict[str, Sample], diffs: list[Difference]) -> int:
    """The log's samples are exactly the expected ids, each once per epoch, with the expected
    prompt; returns the prompts compared."""
    samples = log.samples or []
    epochs = log.eval.config.epochs or 1
    seen = Counter((str(s.id), s.epoch) for s in samples)
    ids = Counter(str(s.id) for s in samples)
    missing = sorted(set(expected) - set(ids)) + sorted(i for i, n in ids.items() if i in expected and n < epochs)
    added = sorted(set(ids) - set(expected))
    twice = sorted(f"{i} (epoch {e})" for (i, e), n in seen.items() if n > 1)
    # an epoch the run did not have would hide a sample counted twice under another number
    outside = sorted(f"{i} (epoch {e})" for i, e in seen if not 1 <= e <= epochs)
    if missing:
        diffs.append(
            Difference(f"{rel} samples", f"{len(expected)} x {epochs} epoch(s)", f"missing {missing[:SHOWN_IDS]}")
        )
    if added:
        diffs.append(Difference(f"{rel} samples", "only the task's items and conditions", f"added {added[:SHOWN_IDS]}"))
    if twice:
        diffs.append(Difference(f"{rel} samples", "each once per epoch", f"counted twice {twice[:SHOWN_IDS]}"))
    if outside:
        diffs.append(Difference(f"{rel} samples", f"epochs 1 to {epochs}", f"{outside[:SHOWN_IDS]}"))
    wrong = [s for s in samples if str(s.id) in expected and _text(s.input) != expected[str(s.id)].input]
    if wrong:
        diffs.append(
            Difference(
                f"{rel} prompt of sample {wrong[0].id}",
                "the candidate's template for that item",
                f"another prompt ({len(wrong)} of {len(samples)} samples differ)",
            )
        )
    return sum(str(s.id) in expected for s in samples)


def _check_grader(rel: str, log: EvalLog, spec: CoachTask, expected: dict[str, Sample], diffs: list[Difference]) -> int:
    """A coach log's grader: the project's grader file the log names (its fingerprints and
    layout as the log has them), and in every sample the grader's prompts, rebuilt from the
    coach's reply there; returns the grader prompts compared."""
    meta = task_metadata(log)
    if not isinstance(meta, CoachTaskMetadata):
        diffs.append(Difference(f"{rel} kind", "coach", meta.kind))
        return 0
    try:
        grader = load_grader(meta.grader)
    except InputError:
        diffs.append(Difference(f"{rel} grader", "a judge file of this project", meta.grader))
        return 0
    layout = grader.mode or spec.mode
    # its file and layout; its template is checked by the prompts below (the log's grader_sha256
    # also holds the built-in models' code version, which verify does not re-run)
    logged = {"grader_config_sha256": meta.grader_config_sha256, "grader_mode": meta.grader_mode}
    want = {"grader_config_sha256": grader.config_hash, "grader_mode": layout}
    wrong = [
        Difference(f"{rel} {key} ({grader.id})", value, logged[key])
        for key, value in want.items()
        if logged[key] != value
    ]
    if wrong:
        diffs += wrong
        return 0
    template = load_template(grader.prompt_name)  # the project's: the logged prompts must be what it gives
    checked, differ = 0, []
    for sample in log.samples or []:
        item = expected.get(str(sample.id))
        if item is None:
            continue  # an added sample is a difference already
        found = _grader_inputs(sample)
        want_prompts = _grader_expected(sample, item, template, spec, layout)
        checked += sum(want_prompts.values())
        if found != want_prompts:
            differ.append(str(sample.id))
    if differ:
        diffs.append(
            Difference(
                f"{rel} grader prompts of sample {differ[0]}",
                "the grader's template on the conversation and on the coach's first rewrite",
                f"other prompts ({len(differ)} samples differ)",
            )
        )
    return checked


def _grader_inputs(sample: EvalSample) -> Counter[str]:
    """The prompts the grader was sent in a sample (its model calls of role `grader`)."""
    events = resolve_sample_attachments(sample).events
    return Counter(_text(e.input) for e in events if e.event == "model" and e.role == GRADER)


def _grader_expected(
    sample: EvalSample, item: Sample, template: Template, spec: TaskSpec, layout: Mode
) -> Counter[str]:
    """The grader's prompts the coach's reply in `sample` calls for: none without a rewrite, else
    the conversation as it was and with the rewrite, in the grader's layout."""
    meta = item.metadata_as(CoachSampleMetadata)  # built here by build_coach_samples
    dims, turns, target = meta.dimensions, meta.turns, meta.target
    rewrite = graded_rewrite(sample.output, dims, turns, target)
    if rewrite is None:
        return Counter()
    asked = [
        conversation_samples(
            spec.rubric_model,
            meta.framework,
            template,
            layout,
            Conversation(meta.item_id, t, target),
            dims,
            meta.reference,
        )
        for t in (turns, rewrite["turns"])
    ]
    return Counter(_text(s.input) for samples in asked for s in samples)


def _text(value: object) -> str:
    """A prompt as text: a string, or the user messages of a list of chat messages (a system
    message the model's settings add is not the template's)."""
    if isinstance(value, str):
        return value
    return "\n".join(m.text for m in value if getattr(m, "role", "user") == "user")  # type: ignore[attr-defined]
