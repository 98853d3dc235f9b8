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
from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import InputError
from empathy_bench.leaderboard.columns import OVERALL_COLUMNS, cell, columns_data, number, table
from empathy_bench.leaderboard.record import RunRecord, read_records
from empathy_bench.tasks.spec import load_task

SCHEMA_VERSION = 2
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


def overall_row(rec: RunRecord, ceiling_qwk: float | None) -> dict[str, Any]:
    """Every field of a row: what the CSV and JSON hold, and what the columns draw from."""
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
        # a run served entirely from the cache measured the cache, not the model: no figure
        "seconds_per_1k": _r(run.per_1000(run.usage.wall_seconds)) if run and run.usage.provider_calls else None,
    }


def _unscored_share(rec: RunRecord) -> float | None:
    if rec.run is None:
        return 0.0  # recorded and human ratings are published numbers: none is unscored
    return rec.run.n_unscored / rec.run.n_ratings if rec.run.n_ratings else None


def overall_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    ceilings = {
        r.agreement.task: r.agreement.mean.qwk for r in records if r.agreement.role == "ceiling" and r.agreement.mean
    }
    rows = [overall_row(rec, ceilings.get(rec.agreement.task)) for rec in records]
    return sorted(rows, key=_rank)


def _rank(row: dict[str, Any]) -> tuple[str, float, int, str]:
    qwk = row["qwk"] if isinstance(row["qwk"], float) else -9.0
    return (row["task"], -qwk, KIND_ORDER[str(row["kind"])], row["rater"])


def dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    stats = ("qwk", "qwk_low", "qwk_high", "spearman", "spearman_low", "spearman_high", "alpha", "alpha_shuffled")
    rows = [
        {
            "task": r.agreement.task,
            "rater": r.agreement.rater,
            "kind": r.agreement.kind,
            "dimension": d.dimension,
            "n": d.n,
            **{k: _r(getattr(d, k)) for k in stats},
            "alt_test_passed": a.passed if (a := r.agreement.alt_test_by_dimension.get(d.dimension)) else None,
            "alt_test_winning_rate": _r(a.winning_rate) if a else None,
            "alt_test_verdict": verdict(a, None),
        }
        for r in records
        for d in r.agreement.dimensions
    ]
    return sorted(rows, key=lambda r: (r["task"], r["rater"], r["dimension"]))


def overall_score_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    stats = ("qwk", "qwk_low", "qwk_high", "spearman", "spearman_low", "spearman_high")
    rows = [
        {"task": r.agreement.task, "rater": r.agreement.rater, "kind": r.agreement.kind, "n": d.n}
        | {k: _r(getattr(d, k)) for k in stats}
        for r in records
        if (d := r.agreement.overall_score) is not None
    ]
    return sorted(rows, key=lambda r: (r["task"], -(r["qwk"] if r["qwk"] is not None else -9), r["rater"]))


def tasks_data(records: list[RunRecord]) -> dict[str, dict[str, str]]:
    """Each task's title and description, from its task file (the page's tabs and headings)."""
    out = {}
    for task_id in sorted({r.agreement.task for r in records}):
        spec = load_task(task_id)
        out[task_id] = {"title": spec.title, "description": spec.description}
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
        "tasks": tasks_data(records),
        "overall": overall_rows(records),
        "per_dimension": dimension_rows(records),
        "overall_score": overall_score_rows(records),
        "drilldown": DRILLDOWN,
        "sources": [{"file": p.relative_to(results_dir).as_posix(), "sha256": sha256_file(p)} for p, _ in found],
    }


def write(results_dir: Path) -> list[Path]:
    """Regenerate leaderboard.csv/.json/.md and index.html under `results_dir`."""
    from empathy_bench.leaderboard.page import render_page

    board = build(results_dir)
    if not board["overall"]:
        raise InputError(
            results_dir / "runs",
            "no run records",
            "run `empathy-bench run` first (it writes results/runs/<task>/<rater>.json)",
        )
    files = {
        "leaderboard.csv": pd.DataFrame(board["overall"]).to_csv(index=False, lineterminator="\n"),
        "leaderboard.json": json.dumps(board, indent=1, sort_keys=True) + "\n",
        "leaderboard.md": markdown(board),
        "index.html": render_page(board),
    }
    for name, text in files.items():
        (results_dir / name).write_text(text, encoding="utf-8")
    written = [results_dir / name for name in files]
    readme = results_dir.parent / "README.md"
    if readme.is_file() and README_START in readme.read_text(encoding="utf-8"):
        readme.write_text(with_readme_block(readme.read_text(encoding="utf-8"), board), encoding="utf-8")
        written.append(readme)
    return written


README_START, README_END = "<!-- leaderboard:start -->", "<!-- leaderboard:end -->"


def with_readme_block(readme: str, board: dict[str, Any]) -> str:
    """The README with its leaderboard excerpt (the Lend an Ear table) replaced."""
    section = markdown(board).split("## lend_an_ear\n\n", 1)[1].split("\n\n", 1)[0]
    head, rest = readme.split(README_START, 1)
    return f"{head}{README_START}\n{section}\n{README_END}{rest.split(README_END, 1)[1]}"


def overall_table(rows: list[dict]) -> str:
    """One task's rows under the defined columns (Markdown; the terminal prints the same)."""
    return table([c.label for c in OVERALL_COLUMNS], [[cell(c, r) for c in OVERALL_COLUMNS] for r in rows])


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
