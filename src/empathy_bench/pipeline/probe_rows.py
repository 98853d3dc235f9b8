"""The bias probes' rows of a task: for each judge, the effect of each probe it ran (attribution,
length intervention) and, with the length probe, the association of its ratings with length with
the reference held fixed (from its plain run; the recorded judges, the crowd and the experts get
the same statistic); and test-retest when its plain run had several epochs (or a recorded judge
several runs), of a coach the same on which dimensions it names as improvements. Position bias
needs no probe: it is in every compare task's own rows."""

from __future__ import annotations

import math
from collections import defaultdict

import pandas as pd
from inspect_ai.log import EvalLog

from empathy_bench.agreement.length_bias import human_length_association, length_association
from empathy_bench.agreement.probe import (
    Association,
    ProbeResult,
    Retest,
    compare_attribution,
    paired_effects,
    retest,
)
from empathy_bench.agreement.rater import CEILING_LABEL, MIN_EXPERTS, RaterType
from empathy_bench.agreement.references import reference_raters
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.core.errors import InputError
from empathy_bench.core.kinds import kind as task_kind
from empathy_bench.pipeline.row import Row, rater_type_of
from empathy_bench.pipeline.spread import epoch_feedback
from empathy_bench.runs.log import condition_tables, judge_ratings, read_log
from empathy_bench.sources.label_columns import RUN_COLUMNS
from empathy_bench.sources.label_ratings import identical_run_files
from empathy_bench.sources.labels import LabelSet, group_table, rater_runs, rater_wide
from empathy_bench.sources.profile import profiles
from empathy_bench.tasks.binding import supporter_words
from empathy_bench.tasks.metadata import task_metadata
from empathy_bench.tasks.preferences import task_preferences
from empathy_bench.tasks.spec import CoachTask, CompareTask, TaskSpec, as_kind

# Which two conditions a probe compares: (control, treated); the effect is treated - control.
CONTRASTS = {"attribution": ("person", "ai"), "length": ("original", "lengthened")}
RETEST_NOTE = (
    "the cache is kept per epoch, so every epoch asked the model anew; replies byte-identical across "
    "all epochs on {share:.0%} of samples"
)


def probe_rows(spec: TaskSpec, labels: LabelSet, probed: list[EvalLog], n_resamples: int = N_RESAMPLES) -> list[Row]:
    """The row of each probe log of one task (see the module docstring)."""
    return [_probe_row(spec, labels, log, n_resamples) for log in probed]


def rate_extra_rows(
    spec: TaskSpec, labels: LabelSet, probed: list[EvalLog], plain: list[EvalLog], recorded: bool, n_resamples: int
) -> list[Row]:
    """The rate kind's rows after its probe rows: length against the words and test-retest;
    `recorded`: with the source's recorded judges."""
    rows = []
    # the length probe is both: the filler (its own task) and the association in the plain run
    if any(task_metadata(log).probe_change == "length" for log in probed):
        rows += observed_length_rows(spec, labels, plain, recorded, n_resamples)
    return rows + retest_rows(spec, labels, plain, recorded)


def coach_extra_rows(
    spec: TaskSpec, labels: LabelSet, probed: list[EvalLog], plain: list[EvalLog], recorded: bool, n_resamples: int
) -> list[Row]:
    """The coach kind's rows after its probe rows: the coaches' test-retest."""
    return coach_retest_rows(as_kind(spec, CoachTask), labels, plain)


def _probe_row(spec: TaskSpec, labels: LabelSet, log: EvalLog, n_resamples: int) -> Row:
    meta = task_metadata(log)
    table, summary = read_log(log)
    found = ProbeResult(
        task=spec.id,
        rater=summary.judge,
        rater_type=rater_type_of(summary),
        probe=meta.probe_change,
        probe_id=meta.probe,
    )
    measured = task_kind(spec.kind).probe_result
    if measured is None:
        raise InputError(log.location, f"a probe log of a {spec.kind} task, which no probe measures", "delete the log")
    return Row(measured(spec, labels, log, table, found, n_resamples), summary, log, summary.complete)


def rating_effects(
    spec: TaskSpec, labels: LabelSet, log: EvalLog, table: pd.DataFrame, found: ProbeResult, n_resamples: int
) -> ProbeResult:
    """The rate kind's `probe_result` hook: the paired effects of the probe's contrast on the ratings."""
    # `found.probe`: the log's probe_change (`_probe_row`)
    control, treated = (condition_tables(log).get(c, pd.DataFrame()) for c in CONTRASTS[found.probe])
    overall = spec.rubric_model if spec.rubric_model.overall else None
    return found.model_copy(update={"effects": paired_effects(control, treated, overall, n_resamples)})


def choice_shift(
    spec: TaskSpec, labels: LabelSet, log: EvalLog, table: pd.DataFrame, found: ProbeResult, n_resamples: int
) -> ProbeResult:
    """The compare kind's `probe_result` hook: how often labelling a side changes the verdict on
    the first criterion."""
    pairs = as_kind(spec, CompareTask)
    verdicts = table[table.criterion == pairs.criteria[0]]
    shift = compare_attribution(verdicts, task_preferences(pairs, labels).pairs, n_resamples)
    return found.model_copy(update={"probe": "compare_attribution", "compare_shift": shift})


def observed_length_rows(
    spec: TaskSpec, labels: LabelSet, plain: list[EvalLog], recorded: bool, n_resamples: int
) -> list[Row]:
    """Each judge's ratings against the supporter's word count with the reference held fixed, and
    the reference rows' (`reference_raters`: the recorded judges when `recorded`, the human rows,
    and the experts' own, each against the median of the others)."""
    words = pd.Series({i.item_id: supporter_words(i.turns, i.target) for i in labels.items.itertuples()}, dtype=float)
    reference = rater_wide(labels.ratings, spec.reference, spec.dimension_ids)
    signs = polarity_signs(spec)
    rows = []
    for log in plain:
        wide, summary = read_log(log)
        found = length_association(wide, words, reference, n_resamples, signs=signs)
        # measured on the plain run's ratings: no run of its own (its log is the provenance)
        rows.append(
            Row(_observed(spec, summary.judge, rater_type_of(summary), found), log=log, complete=summary.complete)
        )
    for ref in reference_raters(spec, labels, recorded=recorded):
        if ref.role == "ceiling":
            rows += _ceiling_length_rows(spec, labels, words, n_resamples)
            continue
        found = length_association(ref.ratings, words, reference, n_resamples, signs=signs)
        rows.append(Row(_observed(spec, ref.label, ref.rater_type, found).model_copy(update={"role": ref.role})))
    return rows


def _ceiling_length_rows(spec: TaskSpec, labels: LabelSet, words: pd.Series, n_resamples: int) -> list[Row]:
    """The experts' own association with the words (each against the median of the others), on
    the dimensions with an expert panel; none without one."""
    panels = {d: group_table(labels.ratings, "expert", d) for d in spec.dimension_ids}
    kept = {d: p for d, p in panels.items() if p.shape[1] >= MIN_EXPERTS}
    humans = human_length_association(kept, words, n_resamples, signs=polarity_signs(spec))
    if not humans:
        return []
    return [Row(_observed(spec, CEILING_LABEL, "human", humans).model_copy(update={"role": "ceiling"}))]


def polarity_signs(spec: TaskSpec) -> dict[str, int]:
    """+1 for a prescriptive dimension, -1 for a proscriptive one (a higher rating is worse)."""
    return {d.id: 1 if d.polarity == "prescriptive" else -1 for d in spec.rubric_model.dimensions}


def _observed(spec: TaskSpec, rater: str, rater_type: RaterType, found: list[Association]) -> ProbeResult:
    return ProbeResult(task=spec.id, rater=rater, rater_type=rater_type, probe="length_observed", associations=found)


def retest_rows(spec: TaskSpec, labels: LabelSet, plain: list[EvalLog], recorded: bool) -> list[Row]:
    """Test-retest of every judge run with several epochs, and of every recorded judge whose
    source card lists several runs."""
    reference = rater_wide(labels.ratings, spec.reference, spec.dimension_ids)
    levels = {d: spec.rubric_model.scale_of(d).level for d in spec.dimension_ids}
    rows = []
    for log in plain:
        ratings, _ = judge_ratings(log)
        if ratings["epoch"].nunique() >= 2:
            rows.append(_run_retest(spec, log, retest(ratings, reference, levels)))
    # the recorded judges among the reference rows (`reference_raters`)
    for rater in [r.rater for r in reference_raters(spec, labels, recorded=recorded) if r.rater_type == "recorded"]:
        runs = rater_runs(labels.ratings, rater)
        if runs.empty or runs["epoch"].nunique() < 2:
            continue
        same = identical_run_files(spec.source, spec.framework, rater) if spec.source else []
        notes = [f"runs {a} and {b} are byte-identical files: not independent" for a, b in same]
        rows.append(
            Row(
                ProbeResult(
                    task=spec.id,
                    rater=rater,
                    rater_type="recorded",
                    probe="retest",
                    retest=retest(runs, reference, levels),
                    identical_replies=len(same) / math.comb(int(runs["epoch"].nunique()), 2),
                    notes=notes,
                )
            )
        )
    return rows


def coach_retest_rows(spec: CoachTask, labels: LabelSet, plain: list[EvalLog]) -> list[Row]:
    """Test-retest of every coach run with several epochs, on what the coach targets: per
    dimension, whether it names the dimension as an improvement (1) or not (0) in each epoch, so
    the kappa between epochs is Cohen's kappa of two epochs' choices, alpha is at the nominal
    level, and each epoch's kappa with the reference is its targeting kappa on that dimension
    (against the experts' flagged problems)."""
    dims = spec.dimension_ids
    reference = rater_wide(labels.ratings, spec.reference, dims).dropna()
    problems = profiles(reference.set_axis(reference.index.map(str)), spec.rubric_model, spec.profile)
    flagged = pd.DataFrame({d: {i: float(d in p.problems) for i, p in problems.items()} for d in dims})
    rows = []
    for log in plain:
        named = [
            pd.DataFrame(
                [
                    {"item_id": str(item), "dimension": d, "epoch": epoch, "value": float(d in row["improvements"])}
                    for item, row in feedback.iterrows()
                    for d in dims
                ],
                columns=RUN_COLUMNS,
            )
            for epoch, feedback in epoch_feedback(log).items()
        ]
        ratings = pd.concat(named, ignore_index=True) if named else pd.DataFrame(columns=RUN_COLUMNS)
        if ratings["epoch"].nunique() >= 2:
            found = retest(ratings, flagged, dict.fromkeys(dims, "nominal"))
            rows.append(_run_retest(spec, log, found, COACH_RETEST_NOTE))
    return rows


def _run_retest(spec: TaskSpec, log: EvalLog, found: list[Retest], *notes: str) -> Row:
    """The test-retest row of a run judged in several epochs, with the share of byte-identical
    replies (a deterministic candidate's epochs are not independent)."""
    summary = read_log(log)[1]
    share = identical_replies(log)
    result = ProbeResult(
        task=spec.id,
        rater=summary.judge,
        rater_type=rater_type_of(summary),
        probe="retest",
        retest=found,
        identical_replies=share,
        notes=[RETEST_NOTE.format(share=share), *notes],
    )
    return Row(result, log=log, complete=summary.complete)


COACH_RETEST_NOTE = (
    "per dimension: whether the coach names it as an improvement in each epoch; the kappas are Cohen's "
    "(two categories), each epoch's against the experts' flagged problems"
)


def identical_replies(log: EvalLog) -> float:
    """Share of samples whose replies are byte-identical in every epoch."""
    replies: dict[object, set[str]] = defaultdict(set)
    for sample in log.samples or []:
        replies[sample.id].add(sample.output.completion if sample.output else "")
    return sum(len(r) == 1 for r in replies.values()) / len(replies) if replies else float("nan")
