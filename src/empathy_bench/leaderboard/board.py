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
from empathy_bench.agreement.preference import PreferenceAgreement
from empathy_bench.agreement.probe import OVERALL_SCORE, Effect, ProbeResult
from empathy_bench.agreement.rater import RaterAgreement
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
    number,
    table,
)
from empathy_bench.leaderboard.record import RunRecord, read_records
from empathy_bench.tasks.spec import load_task

SCHEMA_VERSION = 4  # 3: compare tasks (preference table, agreement by gap), task kinds; 4: coach tasks
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


def overall_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    pairs = rated(records)
    ceilings = {a.task: a.mean.qwk for _, a in pairs if a.role == "ceiling" and a.mean}
    rows = [overall_row(rec, ceilings.get(a.task)) for rec, a in pairs]
    return sorted(rows, key=_rank)


def preference_row(rec: RunRecord, a: PreferenceAgreement) -> dict[str, Any]:
    """Every field of a compare task's row (CSV and JSON), what COMPARE_COLUMNS draw from."""
    run, pos = rec.run, a.position
    stats = ["accuracy", "accuracy_low", "accuracy_high", "kappa", "kappa_low", "kappa_high"]
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
        **{k: _r(getattr(a, k)) for k in stats},
        "position_consistency": _r(pos.consistency) if pos else None,
        "preference_fairness": _r(pos.fairness) if pos else None,
        "flip_rate": _r(pos.flip_rate) if pos else None,
        "fitted_on_task": _fitted_on_items(rec),
        "parse_failure_rate": _r(_unscored_share(rec)),
        "usd_per_1k": _r(run.per_1000(run.usage.cost_usd)) if run else None,
        "seconds_per_1k": _r(run.per_1000(run.usage.live_seconds())) if run else None,
    }


def _fitted_on_items(rec: RunRecord) -> bool:
    """Whether the candidate was fitted on this compare task's items: the task itself, or any
    task on the same source and framework (a rate judge fitted on Lend an Ear's conversations
    is fitted on the pairs made of them too)."""
    fitted = rec.candidate.get("fitted_on")
    if not isinstance(fitted, list):
        return False
    here = (rec.task.get("source"), rec.task.get("framework"))
    return any(t == rec.task.get("id") or (load_task(t).source_name, load_task(t).framework) == here for t in fitted)


def preference_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    rows = [preference_row(rec, a) for rec, a in compared(records)]
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
        "grader": grader,
        "grader_qwk": graders.get(here) if grader else None,
        "fitted_on_task": _fitted_on_items(rec),
        "parse_failure_rate": _r(_unscored_share(rec)),
        "usd_per_1k": _r(run.per_1000(run.usage.cost_usd)) if run else None,
        "grader_usd_per_1k": _r(run.per_1000(grading.cost_usd)) if run and grading else None,
        "seconds_per_1k": _r(run.per_1000(run.usage.live_seconds())) if run else None,
    }


def coach_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """Every coach task's rows, best first by the kappa on the ceiling's references (like for
    like with the ceiling; the plain kappa where there is none)."""
    graders = {
        (a.rater, *(str(rec.task.get(k)) for k in ("source", "framework")))
        + (str(rec.candidate.get("config_sha256")), str(rec.task.get("mode"))): _r(a.mean.qwk if a.mean else None)
        for rec, a in rated(records)
        if a.kind in ("run", "baseline")
    }
    rows = [coach_row(rec, a, graders) for rec, a in coached(records)]
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
        a = next((a for a in p.associations if a.dimension == "mean"), None)
        return {} if a is None else _ci("length_rho", a.partial_spearman, a.low, a.high) | {"length_n": a.n}
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
    for task_id in sorted({r.agreement.task for r in records}):
        spec = load_task(task_id)
        out[task_id] = {
            "title": spec.title,
            "description": spec.description,
            "kind": spec.kind,
            # compare tasks whose reference choices this project derived from ratings
            "derived_preferences": spec.kind == "compare" and spec.pairs_within is not None,
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
    return {
        "schema_version": SCHEMA_VERSION,
        "columns": columns_data(),
        "compare_columns": columns_data(COMPARE_COLUMNS),
        "tasks": tasks_data(records),
        "overall": overall_rows(records),
        "per_dimension": dimension_rows(records),
        "overall_score": overall_score_rows(records),
        "preference": preference_rows(records),
        "coach_columns": columns_data(COACH_COLUMNS),
        "coach": coach_rows(records),
        "coach_by_dimension": coach_dimension_rows(records),
        "preference_by_gap": gap_rows(records),
        "bias_columns": columns_data(BIAS_COLUMNS),
        "bias": bias_rows(records),
        "bias_by_dimension": bias_dimension_rows(records),
        "length_by_dimension": length_dimension_rows(records),
        "drilldown": DRILLDOWN,
        "sources": [{"file": p.relative_to(results_dir).as_posix(), "sha256": sha256_file(p)} for p, _ in found],
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
    "per-dimension tables below give each dimension). The length correlation (reference held fixed; proscriptive "
    "dimensions negated) is read against the human rows: the experts' row is each expert given the median of the "
    "other experts, i.e. how much one human rater leans on length beyond the panel."
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
    title = "length, partial Spearman with word count given the reference, per dimension (mean: proscriptive negated):"
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
    for task in dict.fromkeys(r["task"] for r in board["preference"]):
        parts += compare_markdown(board, task)
    for task in dict.fromkeys(r["task"] for r in board["coach"]):
        parts += coach_markdown(board, task)
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
