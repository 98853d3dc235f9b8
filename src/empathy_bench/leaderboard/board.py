"""The leaderboard: regenerated only from the run records in results/runs/, into
results/leaderboard.csv, .json, .md and the static page index.html. Byte-identical on every
regeneration from the same records (fixed order, fixed rounding, no timestamps).

Columns follow the AlpacaEval evaluator leaderboard, adapted to rubric ratings (see
`columns.py`, where they are defined once). Every row, human and trivial ones included, comes
from a record the same code wrote.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from empathy_bench.agreement.alt_test import verdict
from empathy_bench.agreement.coach import CoachAgreement
from empathy_bench.agreement.paired import Comparison
from empathy_bench.agreement.preference import PreferenceAgreement
from empathy_bench.agreement.probe import DIRECTION, MAGNITUDE, OVERALL_SCORE, Effect, ProbeResult
from empathy_bench.agreement.rater import RaterAgreement
from empathy_bench.agreement.spread import Spread
from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import InputError
from empathy_bench.core.files import refuse_link, write_text_atomic
from empathy_bench.leaderboard.columns import (
    BIAS_COLUMNS,
    COACH_COLUMNS,
    COMPARE_COLUMNS,
    OVERALL_COLUMNS,
    Column,
    cell,
    columns_data,
    markdown_cell,
    number,
    table,
)
from empathy_bench.leaderboard.comparisons import comparison_rows, matrix_markdown, read_comparisons, with_ranks
from empathy_bench.leaderboard.recipient import read_recipient, recipient_lines
from empathy_bench.leaderboard.record import RunRecord, read_records
from empathy_bench.tasks.labels import human_rows
from empathy_bench.tasks.spec import load_task

# 3: compare tasks (preference table, agreement by gap), task kinds; 4: coach tasks; 5: ranks and paired
# differences (comparisons), like-for-like sort, tie-half accuracy, spread, length magnitude and direction,
# human rows and trivial-rater notes
BOARD_SCHEMA_VERSION = 5
ALT_TEST = next(c for c in OVERALL_COLUMNS if c.kind == "verdict")  # drawn the same per dimension
KIND_ORDER = {"human": 0, "recorded": 1, "run": 2, "baseline": 3}
DIGITS = 4
DRILLDOWN = "drilldown/index.html"


def _r(value: float | None) -> float | None:
    """Fixed rounding, NaN as null: the files must not change with float noise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), DIGITS)


def _check_declared(path: Path, rec: RunRecord) -> None:
    """A run's record must say which tasks' items its candidate was fitted on (the judge
    file's `fitted_on`, possibly empty): a row is never published without that declaration."""
    if rec.run is not None and not isinstance(rec.candidate.get("fitted_on"), list):
        raise InputError(
            path,
            "candidate.fitted_on is missing",
            "re-run the judge with this version of empathy-bench (its judge file declares `fitted_on`), "
            "or delete the record",
        )


def rated(records: list[RunRecord]) -> list[tuple[RunRecord, RaterAgreement]]:
    return [(r, r.agreement) for r in records if isinstance(r.agreement, RaterAgreement)]


def compared(records: list[RunRecord]) -> list[tuple[RunRecord, PreferenceAgreement]]:
    return [(r, r.agreement) for r in records if isinstance(r.agreement, PreferenceAgreement)]


def overall_row(rec: RunRecord, ceiling_qwk: float | None) -> dict[str, Any]:
    """Every field of a row: what the CSV and JSON hold, and what the columns draw from."""
    assert isinstance(rec.agreement, RaterAgreement)
    a, run, m = rec.agreement, rec.run, rec.agreement.mean
    alt, clustered = a.alt_test, a.alt_test_clustered
    mean = {k: _r(getattr(m, k) if m else None) for k in ("qwk", "qwk_low", "qwk_high", "alpha", "alpha_low")}
    mean |= {k: _r(getattr(m, k) if m else None) for k in ("alpha_high", "alpha_shuffled")}
    mean |= {k: _r(getattr(m, k) if m else None) for k in ("spearman", "spearman_low", "spearman_high")}
    # the headline: against the leave-one-expert-out references the ceiling faces (like for like)
    mean |= {k: _r(getattr(m, k) if m else None) for k in ("qwk_loo", "qwk_loo_low", "qwk_loo_high")}
    return {
        "task": a.task,
        "rater": a.rater,
        "kind": a.kind,
        "role": a.role,
        "model": run.model if run else "",
        "n_items": a.n_items,
        **mean,
        # against the same leave-one-expert-out references the ceiling's experts face
        "ceiling_fraction": _r(m.qwk_loo / ceiling_qwk if m and ceiling_qwk else None),
        # the authors' reference procedure decides; the clustered variant only warns
        "alt_test_passed": alt.passed if alt else None,
        "alt_test_winning_rate": _r(alt.winning_rate if alt else None),
        "alt_test_verdict": verdict(alt, clustered),
        "alt_test_clustered_passed": clustered.passed if clustered else None,
        "alt_test_clustered_winning_rate": _r(clustered.winning_rate if clustered else None),
        **spread_fields(a.spread),
        "fitted_on_task": bool(run and run.fitted_on_task),
        "parse_failure_rate": _r(_unscored_share(rec)),
        "usd_per_1k": _r(run.per_1000(run.usage.cost_usd)) if run else None,
        # a run served entirely from the cache measured the cache, not the model: the last live run's
        "seconds_per_1k": _r(run.per_1000(run.usage.live_seconds())) if run else None,
    }


def _unscored_share(rec: RunRecord) -> float | None:
    if rec.run is None:
        return 0.0  # recorded and human ratings are published numbers: none is unscored
    return rec.run.n_unscored / rec.run.n_ratings if rec.run.n_ratings else None


def overall_rows(records: list[RunRecord], comparisons: list[Comparison] | None = None) -> list[dict[str, Any]]:
    """Every rate task's rows, best first by the kappa on the ceiling's references (like for like
    with the ceiling; the plain kappa where the task has no expert panel), with their ranks."""
    pairs = rated(records)
    ceilings = {a.task: a.mean.qwk for _, a in pairs if a.role == "ceiling" and a.mean}
    rows = with_ranks([overall_row(rec, ceilings.get(a.task)) for rec, a in pairs], comparisons or [])
    return sorted(rows, key=lambda r: _rank(r | {"qwk": r["qwk_loo"] if r["qwk_loo"] is not None else r["qwk"]}))


def preference_row(rec: RunRecord, a: PreferenceAgreement) -> dict[str, Any]:
    """Every field of a compare task's row (CSV and JSON), what COMPARE_COLUMNS draw from."""
    run, pos = rec.run, a.position
    stats = ["accuracy", "accuracy_low", "accuracy_high", "kappa", "kappa_low", "kappa_high"]
    stats += ["accuracy_strict", "accuracy_strict_low", "accuracy_strict_high"]
    stats += ["accuracy_conservative", "accuracy_loo", "kappa_loo"]
    spec = load_task(a.task)
    return {
        "task": a.task,
        "criterion": a.criterion,
        "reference_derived": spec.pairs_within is not None,
        "rater": a.rater,
        "kind": a.kind,
        "role": a.role,
        "from_ratings": a.from_ratings,
        "model": run.model if run else "",
        "n_pairs": a.n_pairs,
        "n_verdicts": a.n_verdicts,
        # the accuracies' n: the pairs whose reference is a side, and the choices on them
        "n_decisive": a.n_decisive,
        "n_decisive_verdicts": a.n_decisive_verdicts,
        **{k: _r(getattr(a, k)) for k in stats},
        **spread_fields(a.spread),
        "position_consistency": _r(pos.consistency) if pos else None,
        "preference_fairness": _r(pos.fairness) if pos else None,
        "flip_rate": _r(pos.flip_rate) if pos else None,
        "fitted_on_task": _fitted_on_items(rec),
        "parse_failure_rate": _r(_unscored_share(rec)),
        "usd_per_1k": _r(run.per_1000(run.usage.cost_usd)) if run else None,
        "seconds_per_1k": _r(run.per_1000(run.usage.live_seconds())) if run else None,
    }


def spread_fields(spread: Spread | None) -> dict[str, Any]:
    """A row's spread of its headline over epochs or recorded runs: the text the SPREAD column
    shows ("0.48\u20130.61"; None without repeats) and its numbers."""
    if spread is None:
        return {"spread": None, "spread_low": None, "spread_high": None, "spread_n": None, "spread_unit": None}
    low, high = _r(spread.low), _r(spread.high)
    text = f"{number(low)}\u2013{number(high)}" if low is not None and high is not None else None
    return {"spread": text, "spread_low": low, "spread_high": high, "spread_n": spread.n, "spread_unit": spread.unit}


def _fitted_on_items(rec: RunRecord) -> bool:
    """Whether the candidate was fitted on this compare task's items: the task itself, or any
    task on the same source and framework (a rate judge fitted on Lend an Ear's conversations
    is fitted on the pairs made of them too)."""
    fitted = rec.candidate.get("fitted_on")
    if not isinstance(fitted, list):
        return False
    here = (rec.task.get("source"), rec.task.get("framework"))
    return any(t == rec.task.get("id") or (load_task(t).source_name, load_task(t).framework) == here for t in fitted)


def preference_rows(records: list[RunRecord], comparisons: list[Comparison] | None = None) -> list[dict[str, Any]]:
    rows = with_ranks([preference_row(rec, a) for rec, a in compared(records)], comparisons or [])
    return sorted(rows, key=lambda r: (r["task"], r["criterion"], *_rank(r | {"qwk": r["accuracy"]})[1:]))


def coached(records: list[RunRecord]) -> list[tuple[RunRecord, CoachAgreement]]:
    return [(r, r.agreement) for r in records if isinstance(r.agreement, CoachAgreement)]


COACH_FIGURES = (
    "mean_kappa",
    "macro_f1",
    "f1_at_reference_count",
    "f1_word_budget",
    "praise_accuracy",
    "false_praise_rate",
    "prioritisation",
    "grounding",
    "evidence_agreement",
    "uplift_target",
    "uplift_other",
    "harm_rate",
    "words",
)


def coach_row(rec: RunRecord, a: CoachAgreement, graders: dict[tuple[str, ...], float | None]) -> dict[str, Any]:
    """Every field of a coach task's row (CSV and JSON), what COACH_COLUMNS draw from. The
    grader's QWK is its own row on a rate task of the same conversations, by the same judge file
    rating the same way (config hash and mode); none that matches: no figure."""
    run, c = rec.run, rec.candidate
    grader = c.get("grader")
    here = tuple(str(x) for x in (grader, rec.task.get("source"), rec.task.get("framework")))
    here += (str(c.get("grader_config_sha256")), str(c.get("grader_mode")))
    figures = {k: _r(getattr(a, k)) for k in COACH_FIGURES}
    figures |= {f"{k}_{end}": _r(getattr(a, f"{k}_{end}")) for k in COACH_FIGURES for end in ("low", "high")}
    grading = run.grader_usage if run else None
    return {
        "task": a.task,
        "rater": a.rater,
        "kind": a.kind,
        "role": a.role,
        "from_ratings": a.from_ratings,
        "model": run.model if run else "",
        "n_items": a.n_items,
        **figures,
        **{k: getattr(a, k) for k in ("n_praised", "n_prioritised", "n_quotes", "n_evidence", "n_uplift")},
        "mean_kappa_loo": _r(a.mean_kappa_loo),
        **spread_fields(a.spread),
        "grader": grader,
        "grader_qwk": graders.get(here) if grader else None,
        "fitted_on_task": _fitted_on_items(rec),
        "parse_failure_rate": _r(_unscored_share(rec)),
        "usd_per_1k": _r(run.per_1000(run.usage.cost_usd)) if run else None,
        "grader_usd_per_1k": _r(run.per_1000(grading.cost_usd)) if run and grading else None,
        "seconds_per_1k": _r(run.per_1000(run.usage.live_seconds())) if run else None,
    }


def coach_rows(records: list[RunRecord], comparisons: list[Comparison] | None = None) -> list[dict[str, Any]]:
    """Every coach task's rows, best first by the kappa on the ceiling's references (like for
    like with the ceiling; the plain kappa where there is none), with their ranks."""
    graders = {
        (a.rater, *(str(rec.task.get(k)) for k in ("source", "framework")))
        + (str(rec.candidate.get("config_sha256")), str(rec.task.get("mode"))): _r(a.mean.qwk if a.mean else None)
        for rec, a in rated(records)
        if a.kind in ("run", "baseline")
    }
    rows = with_ranks([coach_row(rec, a, graders) for rec, a in coached(records)], comparisons or [])
    key = "mean_kappa_loo"
    return sorted(rows, key=lambda r: _rank(r | {"qwk": r[key] if r[key] is not None else r["mean_kappa"]}))


def coach_dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """Targeting per dimension, and the grader's change per dimension (the JSON and Markdown)."""
    rows = []
    for _, a in coached(records):
        uplift = {u.dimension: u for u in a.uplift_by_dimension}
        for d in a.per_dimension:
            u = uplift.get(d.dimension)
            rows.append(
                {"task": a.task, "rater": a.rater, "kind": a.kind, "dimension": d.dimension, "n": d.n}
                | {k: _r(getattr(d, k)) for k in ("base_rate", "flag_rate", "precision", "recall", "f1", "kappa")}
                | {
                    "targeted_change": _r(u.targeted_change) if u else None,
                    "other_change": _r(u.other_change) if u else None,
                }
            )
    return sorted(rows, key=lambda r: (r["task"], r["rater"], _dimension_order(r["task"], r["dimension"])))


def probed(records: list[RunRecord]) -> list[tuple[RunRecord, ProbeResult]]:
    return [(r, r.agreement) for r in records if isinstance(r.agreement, ProbeResult)]


def bias_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """One row per (task, rater) with every probe's headline figure, and position from the
    compare task's own rows (judges that saw both orders)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(task: str, rater: str, kind: str, role: str) -> dict[str, Any]:
        return rows.setdefault((task, rater), {"task": task, "rater": rater, "kind": kind, "role": role})

    for _, p in probed(records):
        row(p.task, p.rater, p.kind, p.role).update(_probe_fields(p))
    for _, a in compared(records):
        if a.position is not None:
            fields = {
                "position_consistency": _r(a.position.consistency),
                "preference_fairness": _r(a.position.fairness),
            }
            row(a.task, a.rater, a.kind, a.role).update(fields | {"position_n": a.position.n})
    return sorted(rows.values(), key=lambda r: (r["task"], KIND_ORDER[str(r["kind"])], r["rater"]))


def _probe_fields(p: ProbeResult) -> dict[str, Any]:
    """The headline figures of one probe result, under the bias table's keys."""
    if p.probe in ("attribution", "length"):
        e = _headline(p.effects)
        key = "attribution" if p.probe == "attribution" else "lengthened"
        # any movement, whatever its direction: the share of (item, dimension) ratings that change
        flips = [x.flip_rate for x in p.effects if x.dimension != OVERALL_SCORE]
        if e is None:
            return {}
        found = _ci(f"{key}_change", e.mean_change, e.low, e.high)
        return found | {f"{key}_flips": _mean_of(flips), f"{key}_n": e.n, f"{key}_measure": e.dimension}
    if p.probe == "length_observed":
        # a magnitude and a direction, never a signed mean over dimensions (it cancels)
        length: dict[str, Any] = {}
        for key, name in (("length_magnitude", MAGNITUDE), ("length_direction", DIRECTION)):
            a = next((a for a in p.associations if a.dimension == name), None)
            length |= {} if a is None else _ci(key, a.partial_spearman, a.low, a.high) | {f"{key}_n": a.n}
        return length
    if p.probe == "retest":
        return {
            "retest_qwk": _mean_of([r.mean_pairwise_qwk for r in p.retest]),
            "retest_identical": _mean_of([r.identical_share for r in p.retest]),
            "retest_epochs": max((r.epochs for r in p.retest), default=None),
            "retest_identical_replies": _r(p.identical_replies),
        }
    s = p.compare_shift
    if s is None:
        return {}
    shift = _ci("compare_shift", s.shift_rate, s.shift_low, s.shift_high)
    return shift | _ci("ai_penalty", s.ai_penalty, s.ai_penalty_low, s.ai_penalty_high) | {"compare_shift_n": s.n}


def _ci(key: str, value: float, low: float, high: float) -> dict[str, float | None]:
    """A figure with its interval under the keys a `ci` column reads."""
    return {key: _r(value), f"{key}_low": _r(low), f"{key}_high": _r(high)}


def _mean_of(values: list[float]) -> float | None:
    defined = [v for v in values if not math.isnan(v)]
    return _r(sum(defined) / len(defined)) if defined else None


def _headline(effects: list[Effect]) -> Effect | None:
    """The overall score's effect; None where the rubric has none (the per-dimension table has
    every dimension's)."""
    return next((e for e in effects if e.dimension == OVERALL_SCORE), None)


def bias_dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """Every probe effect per dimension (the JSON and the page's detail)."""
    rows = [
        {"task": p.task, "rater": p.rater, "kind": p.kind, "probe": p.probe, "dimension": e.dimension, "n": e.n}
        | {k: _r(getattr(e, k)) for k in ("mean_change", "low", "high", "flip_rate")}
        for _, p in probed(records)
        for e in p.effects
    ]
    return sorted(rows, key=lambda r: (r["task"], r["probe"], r["rater"], _dimension_order(r["task"], r["dimension"])))


def _dimension_order(task: str, dimension: str) -> int:
    """A dimension's place in its task's rubric; the overall score (or anything else) last."""
    dims = load_task(task).dimension_ids
    return dims.index(dimension) if dimension in dims else len(dims)


def gap_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """Accuracy by the reference's overall-score gap, one row per (rater, bin)."""
    rows: list[dict[str, Any]] = [
        {"task": a.task, "criterion": a.criterion, "rater": a.rater, "kind": a.kind, "role": a.role}
        | {"bin": b.label, "low": b.low, "high": b.high, "n": b.n, "accuracy": _r(b.accuracy)}
        for _, a in compared(records)
        for b in a.by_gap
    ]
    return sorted(rows, key=lambda r: (r["task"], r["criterion"], r["rater"], r["low"]))


def _rank(row: dict[str, Any]) -> tuple[str, float, int, str]:
    qwk = row["qwk"] if isinstance(row["qwk"], float) else -9.0
    return (row["task"], -qwk, KIND_ORDER[str(row["kind"])], row["rater"])


def dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    stats = ("qwk", "qwk_low", "qwk_high", "spearman", "spearman_low", "spearman_high", "alpha", "alpha_shuffled")
    rows = [
        {
            "task": r.task,
            "rater": r.rater,
            "kind": r.kind,
            "dimension": d.dimension,
            "n": d.n,
            **{k: _r(getattr(d, k)) for k in stats},
            "alt_test_passed": a.passed if (a := r.alt_test_by_dimension.get(d.dimension)) else None,
            "alt_test_winning_rate": _r(a.winning_rate) if a else None,
            "alt_test_verdict": verdict(a, None),
        }
        for _, r in rated(records)
        for d in r.dimensions
    ]
    return sorted(rows, key=lambda r: (r["task"], r["rater"], r["dimension"]))


POOLED = "all dimensions (pooled)"  # the pooled alt-test, where a trivial rater's win is named


def trivial_win_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """Where a trivial baseline (a run of a judge file with `baseline: true`) wins an alt-test
    comparison on a rate task. The criterion: on a dimension (its per-dimension test, BY over all
    of the baseline's dimensions and experts; or the pooled test) the baseline beats at least one
    expert, i.e. that expert's null hypothesis (the baseline is worse than the expert by more than
    epsilon) is rejected, so the dimension's winning rate is above 0; a pass (>= 0.5) is the
    extreme case. There the test cannot tell a rater that ignores the conversation from an
    expert, and any judge's result on that dimension says little. One row per (task, baseline,
    dimension), with the sentence every surface shows (`note`)."""
    rows = []
    for _, a in rated(records):
        if a.kind != "baseline":
            continue
        tests = [*a.alt_test_by_dimension.items(), *([(POOLED, a.alt_test)] if a.alt_test else [])]
        for dimension, test in tests:
            beaten = [t.annotator for t in test.per_annotator if t.rejected]
            if not beaten:
                continue
            note = (
                f"{a.task}: the trivial baseline {a.rater} beats {len(beaten)} of {test.n_annotators} experts "
                f"({', '.join(beaten)}) in the alt-test on {dimension} (winning rate {test.winning_rate:.2f}"
                f"{', a pass' if test.passed else ''}): there the test cannot tell it from an expert."
            )
            rows.append(
                {"task": a.task, "rater": a.rater, "kind": a.kind, "dimension": dimension, "experts": beaten}
                | {"n_experts": test.n_annotators, "winning_rate": _r(test.winning_rate), "passed": test.passed}
                | {"note": note}
            )
    return sorted(rows, key=lambda r: (r["task"], r["rater"], _dimension_order(r["task"], r["dimension"])))


TRIVIAL_WINS_HEAD = (
    "A trivial rater wins an alt-test comparison: where a rater that ignores the conversation beats an expert, "
    "no judge's alt-test result shows that it could replace one."
)


def trivial_win_lines(board: dict, task: str) -> list[str]:
    """The notes of a task's trivial-rater wins (Markdown and the terminal)."""
    return [r["note"] for r in board.get("trivial_wins", []) if r["task"] == task]


def human_row_lines(board: dict, task: str) -> list[str]:
    """What each human row of the task is, as its source card says (the legend's entries)."""
    return [f"\u201c{h['label']}\u201d is {h['about']}" for h in board["tasks"].get(task, {}).get("human_rows", [])]


def overall_score_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    stats = ("qwk", "qwk_low", "qwk_high", "spearman", "spearman_low", "spearman_high")
    rows = [
        {"task": r.task, "rater": r.rater, "kind": r.kind, "n": d.n} | {k: _r(getattr(d, k)) for k in stats}
        for _, r in rated(records)
        if (d := r.overall_score) is not None
    ]
    return sorted(rows, key=lambda r: (r["task"], -(r["qwk"] if r["qwk"] is not None else -9), r["rater"]))


def tasks_data(records: list[RunRecord]) -> dict[str, dict[str, object]]:
    """Each task's title and description, from its task file (the page's tabs and headings)."""
    out = {}
    shown = {(r.agreement.task, r.agreement.rater) for r in records}
    for task_id in sorted({r.agreement.task for r in records}):
        spec = load_task(task_id)
        out[task_id] = {
            "title": spec.title,
            "description": spec.description,
            "kind": spec.kind,
            # compare tasks whose reference choices this project derived from ratings
            "derived_preferences": spec.kind == "compare" and spec.pairs_within is not None,
            # what each human row of the task is, as its source card says (the legend's entries)
            "human_rows": [
                {"label": h.label, "role": h.role, "about": h.about}
                for h in human_rows(spec)
                if (task_id, h.label) in shown
            ],
        }
        if spec.kind == "coach":
            out[task_id] |= {"grader": spec.grader, "profile": spec.profile.model_dump()}
    return out


def build(results_dir: Path) -> dict[str, Any]:
    """The leaderboard as one dict (what leaderboard.json holds), from the run records."""
    found = read_records(results_dir / "runs")
    for path, rec in found:
        _check_declared(path, rec)
    records = [rec for _, rec in found]
    paired = read_comparisons(results_dir / "runs")
    comparisons = [c for _, c in paired]
    # tasks whose reference is the person supported (results/recipient/<task>.json); the key only where any
    recipient = {"recipient": [t.model_dump() for t in tables]} if (tables := read_recipient(results_dir)) else {}
    return recipient | {
        "schema_version": BOARD_SCHEMA_VERSION,
        "columns": columns_data(),
        "compare_columns": columns_data(COMPARE_COLUMNS),
        "tasks": tasks_data(records),
        "overall": overall_rows(records, comparisons),
        "per_dimension": dimension_rows(records),
        "overall_score": overall_score_rows(records),
        "preference": preference_rows(records, comparisons),
        "coach_columns": columns_data(COACH_COLUMNS),
        "coach": coach_rows(records, comparisons),
        "coach_by_dimension": coach_dimension_rows(records),
        "preference_by_gap": gap_rows(records),
        "bias_columns": columns_data(BIAS_COLUMNS),
        "bias": bias_rows(records),
        "bias_by_dimension": bias_dimension_rows(records),
        "length_by_dimension": length_dimension_rows(records),
        "trivial_wins": trivial_win_rows(records),
        # paired differences and rank intervals per task (and criterion): leaderboard/comparisons.py
        "comparisons": comparison_rows(comparisons),
        "drilldown": DRILLDOWN,
        "sources": [
            {"file": p.relative_to(results_dir).as_posix(), "sha256": sha256_file(p)}
            for p in [p for p, _ in found] + sorted({p for p, _ in paired})
        ],
    }


def write(results_dir: Path) -> list[Path]:
    """Regenerate leaderboard.csv/.json/.md and index.html under `results_dir`, and the README's
    excerpt. Each file is written atomically, never through a link, and only when its text
    changed (an unchanged file keeps its bytes and mtime); README.md is listed only when its
    excerpt changed."""
    from empathy_bench.leaderboard.page import render_page

    board = build(results_dir)
    if not board["overall"] and not board["preference"] and not board["coach"]:
        raise InputError(
            results_dir / "runs",
            "no run records",
            "run `empathy-bench run` first (it writes results/runs/<task>/<rater>.json)",
        )
    files = {
        "leaderboard.csv": csv_text(board["overall"]),
        "preferences.csv": csv_text(board["preference"]),
        "coaches.csv": csv_text(board["coach"]),
        "leaderboard.json": json.dumps(board, indent=1, sort_keys=True) + "\n",
        "leaderboard.md": markdown(board),
        "index.html": render_page(board),
    }
    readme = results_dir.parent / "README.md"
    readme_text = None
    if readme.is_file() and README_START in (current := readme.read_text(encoding="utf-8")):
        readme_text = with_readme_block(current, board, readme)
        if readme_text == current:
            readme_text = None  # its excerpt is unchanged: README.md is not touched
    # every target is checked before any is written: a link stops the lot
    for target in [results_dir / name for name in files] + ([readme] if readme_text is not None else []):
        refuse_link(target)
    for name, text in files.items():
        write_text_atomic(results_dir / name, text)
    written = [results_dir / name for name in files]
    if readme_text is not None and write_text_atomic(readme, readme_text):
        written.append(readme)
    return written


# A cell a spreadsheet would read as a formula (OWASP, CSV injection): =, +, -, @, tab, CR, LF
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> object:
    """A text value a spreadsheet would evaluate gets a leading single quote ('=HYPERLINK(...)
    stays text); numbers, -0.12 included, and every other value stay as they are. A carriage
    return in a text is written as a line feed: the CSV writer quotes a cell holding a line feed
    (its line terminator) but not one holding a bare CR, which a reader would take for a new row."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_text(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV, every text cell neutralised (`csv_cell`)."""
    safe = [{key: csv_cell(value) for key, value in row.items()} for row in rows]
    return pd.DataFrame(safe).to_csv(index=False, lineterminator="\n")


README_START, README_END = "<!-- leaderboard:start -->", "<!-- leaderboard:end -->"


def with_readme_block(readme: str, board: dict[str, Any], source: str | Path = "README.md") -> str:
    """The README with its leaderboard excerpt (the Lend an Ear table) replaced; as it is when
    the board has no Lend an Ear table."""
    parts = markdown(board).split("## lend_an_ear\n\n", 1)
    if len(parts) < 2:
        return readme
    section = parts[1].split("\n\n", 1)[0]
    head, rest = readme.split(README_START, 1)
    if README_END not in rest:
        raise InputError(
            source,
            f"has {README_START} but no {README_END} after it",
            f"add a line {README_END} where the leaderboard excerpt ends",
        )
    return f"{head}{README_START}\n{section}\n{README_END}{rest.split(README_END, 1)[1]}"


RATE_NOTE = (
    "Sorted by QWK on the ceiling's references: every row, the ceiling's included, against the median of the "
    "other experts, averaged over which expert is left out (like for like; the full median of all the experts, in "
    "the QWK column, is an easier reference than any expert faces). The ceiling's alpha is the experts' own, with "
    "no rater added."
)


def overall_table(rows: list[dict]) -> str:
    """One task's rows under the defined columns (Markdown; the terminal prints the same)."""
    return table([c.label for c in OVERALL_COLUMNS], [[cell(c, r) for c in OVERALL_COLUMNS] for r in rows])


DERIVED_NOTE = (
    "Reference choices derived by this project from the experts' own ratings (each expert prefers the "
    "conversation their ratings score higher; the reference is the strict majority of the experts), not "
    "choices anyone made; rows marked (from ratings) turn a rater's ratings into choices the same way and "
    "have no position statistics by construction."
)


def compare_markdown(board: dict, task: str) -> list[str]:
    """A compare task's preference table per criterion and its agreement by gap."""
    parts = []
    rows = [r for r in board["preference"] if r["task"] == task]
    for criterion in dict.fromkeys(r["criterion"] for r in rows):
        mine = [r for r in rows if r["criterion"] == criterion]
        body = [[cell(c, r) for c in COMPARE_COLUMNS] for r in mine]
        parts += [f"## {task} ({criterion})", "", table([c.label for c in COMPARE_COLUMNS], body), ""]
        parts += matrix_markdown(board, task, criterion)
        if board["tasks"][task]["derived_preferences"]:
            parts += [DERIVED_NOTE, ""]
        elif any(r["role"] == "ceiling" for r in mine):
            parts += ["Reference choices were made by people (collected, not derived from ratings).", ""]
        else:
            parts += ["One reference label per pair: no human ceiling.", ""]
        gaps = [g for g in board["preference_by_gap"] if g["task"] == task and g["criterion"] == criterion]
        bins = list(dict.fromkeys(g["bin"] for g in gaps))
        if bins:
            grid = {(g["rater"], g["bin"]): g for g in gaps}
            gap_body = [[r["rater"], *(_gap_cell(grid.get((r["rater"], b)) or {}) for b in bins)] for r in mine]
            parts += [
                "Accuracy by the reference's overall-score gap between the two conversations (n choices):",
                "",
                table(["rater", *bins], gap_body),
                "",
            ]
    return parts


COACH_NOTE = (
    "The expert-flagged problems and strengths are this project's construction from the median of the experts' "
    "ratings (thresholds: {profile}); no public dataset rates coach feedback itself. Rows marked (as coach), the "
    "crowd and the ceiling turn a rater's own ratings into a profile (problems worst first, strengths praised): "
    "they have no quotes or rewrites, so grounding, evidence and uplift are \u2013. Uplift is graded by {grader}; "
    "its own QWK with the experts is in the grader column. The offline grader reads the same cue lexicon the "
    "built-in lexicon coach's stock sentences were written against, so that pair's uplift checks the plumbing, "
    "not the coach; a grader other than the coach's own model is the test."
)


def coach_markdown(board: dict, task: str) -> list[str]:
    """A coach task's table, its note, and targeting and grader change per dimension."""
    rows = [r for r in board["coach"] if r["task"] == task]
    info = board["tasks"][task]
    profile = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in info.get("profile", {}).items())
    parts = [
        f"## {task}",
        "",
        table([c.label for c in COACH_COLUMNS], [[cell(c, r) for c in COACH_COLUMNS] for r in rows]),
    ]
    parts += ["", COACH_NOTE.format(profile=profile, grader=info.get("grader")), ""]
    parts += matrix_markdown(board, task)
    dims = [d for d in board["coach_by_dimension"] if d["task"] == task]
    names = list(dict.fromkeys(d["dimension"] for d in dims))
    grid = {(d["rater"], d["dimension"]): d for d in dims}
    raters = [r["rater"] for r in rows]

    def grid_table(key: str) -> str:
        return table(
            ["rater", *names], [[r, *(number((grid.get((r, n)) or {}).get(key)) for n in names)] for r in raters]
        )

    base = {n: next((d["base_rate"] for d in dims if d["dimension"] == n), None) for n in names}
    rates = ", ".join(f"{n} {number(v)}" for n, v in base.items())
    parts += [
        f"Targeting F1 per dimension (share of conversations the experts flag: {rates}):",
        "",
        grid_table("f1"),
        "",
    ]
    parts += ["Targeting kappa per dimension:", "", grid_table("kappa"), ""]
    graded = [r for r in raters if any((grid.get((r, n)) or {}).get("other_change") is not None for n in names)]
    if graded:
        body = [[r, *(number((grid.get((r, n)) or {}).get("other_change")) for n in names)] for r in graded]
        parts += [
            "Grader's change per dimension when it was not the one targeted (negative = the rewrite made it worse):",
            "",
            table(["rater", *names], body),
            "",
        ]
    return parts


BIAS_NOTE = (
    "What an unbiased judge scores: 0 for AI - person, label flips, filler change, filler flips, label shift and "
    "against AI; 1 for consistency and retest; 0 for fairness. The overall-score changes are prescriptive minus "
    "proscriptive, so a judge that moves every dimension the same way shows 0 there and its flips show it (the "
    "per-dimension tables below give each dimension). The length association (partial Spearman with the supporter's "
    "word count, the reference held fixed) has two figures, never a signed mean over dimensions, which cancels: its "
    "magnitude (mean of |rho| over dimensions: how much the ratings follow length, in any direction) and its "
    "direction (the same on the overall score: whether longer support comes out better or worse overall). Both are "
    "read against the experts' row, each expert given the median of the other experts, i.e. how much one human "
    "rater leans on length beyond the panel."
)


def bias_markdown(board: dict) -> list[str]:
    """The bias table of every probed task (the columns with a figure for that task), and each
    probe's change per dimension."""
    rows = board["bias"]
    if not rows:
        return []
    parts = ["## Bias probes", "", BIAS_NOTE, ""]
    for task in dict.fromkeys(r["task"] for r in rows):
        mine = [r for r in rows if r["task"] == task]
        columns = used_columns(BIAS_COLUMNS, mine)
        parts += [
            f"### {task}",
            "",
            table([c.label for c in columns], [[cell(c, r) for c in columns] for r in mine]),
            "",
        ]
        dims = [d for d in board["bias_by_dimension"] if d["task"] == task]
        for probe in dict.fromkeys(d["probe"] for d in dims):
            parts += _effects_table(probe, [d for d in dims if d["probe"] == probe])
        parts += _association_table([a for a in board["length_by_dimension"] if a["task"] == task])
    return parts


def _association_table(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    names = list(dict.fromkeys(a["dimension"] for a in rows))
    grid = {(a["rater"], a["dimension"]): a for a in rows}
    raters = list(dict.fromkeys(a["rater"] for a in rows))
    body = [[r, *(number(grid.get((r, n), {}).get("partial_spearman")) for n in names)] for r in raters]
    title = (
        "length, partial Spearman with word count given the reference, per dimension; magnitude: mean of |rho| over "
        "the dimensions; overall_score: the direction (prescriptive minus proscriptive, given the reference's):"
    )
    return [title, "", table(["rater", *names], body), ""]


def length_dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """The observed length association per dimension, in the rubric's order (the mean last)."""
    rows = [
        {"task": p.task, "rater": p.rater, "kind": p.kind, "dimension": a.dimension, "n": a.n}
        | {k: _r(getattr(a, k)) for k in ("partial_spearman", "low", "high")}
        for _, p in probed(records)
        if p.probe == "length_observed"
        for a in p.associations
    ]
    return sorted(rows, key=lambda r: (r["task"], r["rater"], _dimension_order(r["task"], r["dimension"])))


def used_columns(columns: tuple[Column, ...], rows: list[dict[str, Any]]) -> list[Column]:
    """The rater and kind, and every column with a figure in at least one of the rows."""
    return [c for c in columns if c.kind in ("rater", "text") or any(r.get(c.key) is not None for r in rows)]


PROBE_CHANGES = {"attribution": "AI-labelled minus person-labelled", "length": "lengthened minus original"}


def _effects_table(probe: str, dims: list[dict[str, Any]]) -> list[str]:
    names = list(dict.fromkeys(d["dimension"] for d in dims))
    grid = {(d["rater"], d["dimension"]): d for d in dims}
    raters = list(dict.fromkeys(d["rater"] for d in dims))
    body = [[r, *(number(grid.get((r, n), {}).get("mean_change")) for n in names)] for r in raters]
    title = f"{probe} probe, mean change per dimension ({PROBE_CHANGES.get(probe, probe)}):"
    return [title, "", table(["rater", *names], body), ""]


def _gap_cell(g: dict) -> str:
    return f"{number(g.get('accuracy'))} ({g.get('n', 0)})"


def _human_rows_markdown(board: dict, task: str) -> list[str]:
    lines = human_row_lines(board, task)
    return ["Human rows: " + "; ".join(map(markdown_cell, lines)) + ".", ""] if lines else []


def markdown(board: dict) -> str:
    overall = board["overall"]
    parts = [
        "# empathy-bench leaderboard",
        "",
        "Generated by `empathy-bench leaderboard` from `results/runs/`; do not edit by hand.",
        "",
    ]
    for task in dict.fromkeys(r["task"] for r in overall):
        rows = [r for r in overall if r["task"] == task]
        parts += [f"## {task}", "", overall_table(rows), ""]
        if any(r["role"] == "ceiling" for r in rows):
            parts += [RATE_NOTE, ""]
        parts += matrix_markdown(board, task)
        dims = [d for d in board["per_dimension"] if d["task"] == task]
        names = list(dict.fromkeys(d["dimension"] for d in dims))
        grid = {(d["rater"], d["dimension"]): d for d in dims}
        qwk_rows = [[r["rater"], *(number((grid.get((r["rater"], n)) or {}).get("qwk")) for n in names)] for r in rows]
        parts += ["Per dimension (QWK with the task's reference):", "", table(["rater", *names], qwk_rows), ""]
        tested = [
            r for r in rows if any((grid.get((r["rater"], n)) or {}).get("alt_test_passed") is not None for n in names)
        ]
        if tested:
            alt_rows = [[r["rater"], *(cell(ALT_TEST, grid.get((r["rater"], n)) or {}) for n in names)] for r in tested]
            parts += [
                "Alt-test per dimension (context for the pooled verdict above: each dimension its own test, "
                "Benjamini-Yekutieli over all of a rater's dimensions and experts; verdict and winning rate):",
                "",
                table(["rater", *names], alt_rows),
                "",
            ]
        if wins := trivial_win_lines(board, task):
            parts += [f"**{TRIVIAL_WINS_HEAD}** " + " ".join(map(markdown_cell, wins)), ""]
        parts += _human_rows_markdown(board, task)
    for task in dict.fromkeys(r["task"] for r in board["preference"]):
        parts += compare_markdown(board, task) + _human_rows_markdown(board, task)
    for task in dict.fromkeys(r["task"] for r in board["coach"]):
        parts += coach_markdown(board, task) + _human_rows_markdown(board, task)
    parts += recipient_lines(board.get("recipient", []))
    parts += bias_markdown(board)
    scores = board["overall_score"]
    if scores:
        parts += ["## Lend an Ear overall score (prescriptive minus proscriptive, -12..12)", ""]
        header = ["task", "rater", "kind", "n", "QWK [95% CI]", "Spearman [95% CI]"]
        body = [
            [
                s["task"],
                s["rater"],
                s["kind"],
                str(s["n"]),
                number(s["qwk"], s["qwk_low"], s["qwk_high"]),
                number(s["spearman"], s["spearman_low"], s["spearman_high"]),
            ]
            for s in scores
        ]
        parts += [table(header, body), ""]
    return "\n".join(parts)
