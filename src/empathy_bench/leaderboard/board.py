"""The leaderboard: regenerated only from the run records in results/runs/, into
results/leaderboard.csv, .json, .md and the static page index.html. Byte-identical on every
regeneration from the same records (fixed order, fixed rounding, no timestamps).

Columns follow the AlpacaEval evaluator leaderboard, adapted to rubric ratings: agreement
with the expert reference (kappa, alpha with the rater added, Spearman) with 95% CIs, the
fraction of the expert ceiling, the alternative annotator test, parse failures, and dollars
and seconds per 1,000 items.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from empathy_bench.agreement.alt_test import verdict
from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import InputError
from empathy_bench.leaderboard.record import RunRecord, read_records

HUMAN_CEILING = "human: expert (leave-one-out)"
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
    if rec.summary.ran and not isinstance(rec.candidate.get("fitted_on"), list):
        raise InputError(
            path,
            "candidate.fitted_on is missing",
            "re-run the judge with this version of empathy-bench (its judge file declares `fitted_on`), or delete the record",
        )


def overall_rows(records: list[RunRecord]) -> list[dict[str, object]]:
    ceilings = {
        r.summary.task: r.summary.overall.qwk for r in records if r.summary.rater == HUMAN_CEILING and r.summary.overall
    }
    rows = []
    for rec in records:
        s, o = rec.summary, rec.summary.overall
        ceiling = ceilings.get(s.task)
        rows.append(
            {
                "task": s.task,
                "rater": s.rater,
                "kind": s.kind,
                "model": s.model,
                "n_items": s.n_items,
                "qwk": _r(o.qwk if o else None),
                "qwk_low": _r(o.qwk_low if o else None),
                "qwk_high": _r(o.qwk_high if o else None),
                "alpha": _r(o.alpha if o else None),
                "alpha_low": _r(o.alpha_low if o else None),
                "alpha_high": _r(o.alpha_high if o else None),
                "alpha_shuffled": _r(o.alpha_shuffled if o else None),
                "spearman": _r(o.spearman if o else None),
                "spearman_low": _r(o.spearman_low if o else None),
                "spearman_high": _r(o.spearman_high if o else None),
                # against the same leave-one-expert-out references the ceiling's experts face
                "ceiling_fraction": _r(o.qwk_loo / ceiling if o and ceiling else None),
                # the authors' reference procedure decides; the clustered variant only warns
                "alt_test_passed": s.alt_test.passed if s.alt_test else None,
                "alt_test_winning_rate": _r(s.alt_test.winning_rate if s.alt_test else None),
                "alt_test_verdict": verdict(s.alt_test, s.alt_test_clustered),
                "alt_test_clustered_passed": s.alt_test_clustered.passed if s.alt_test_clustered else None,
                "alt_test_clustered_winning_rate": _r(
                    s.alt_test_clustered.winning_rate if s.alt_test_clustered else None
                ),
                "fitted_on_task": s.fitted_on_task,
                "parse_failure_rate": _r(s.n_unscored / s.n_ratings if s.n_ratings else None),
                "usd_per_1k": _r(s.per_1000(s.usage.cost_usd)) if s.ran else None,
                "seconds_per_1k": _r(s.per_1000(s.usage.wall_seconds)) if s.ran else None,
            }
        )
    return sorted(
        rows,
        key=lambda r: (r["task"], -(r["qwk"] if r["qwk"] is not None else -9), KIND_ORDER[str(r["kind"])], r["rater"]),
    )


def dimension_rows(records: list[RunRecord]) -> list[dict[str, object]]:
    rows = [
        {
            "task": r.summary.task,
            "rater": r.summary.rater,
            "kind": r.summary.kind,
            "dimension": d.dimension,
            "n": d.n,
            **{
                k: _r(getattr(d, k))
                for k in (
                    "qwk",
                    "qwk_low",
                    "qwk_high",
                    "spearman",
                    "spearman_low",
                    "spearman_high",
                    "alpha",
                    "alpha_shuffled",
                )
            },
            "alt_test_passed": a.passed if (a := r.summary.alt_test_by_dimension.get(d.dimension)) else None,
            "alt_test_winning_rate": _r(a.winning_rate) if a else None,
        }
        for r in records
        for d in r.summary.dimensions
    ]
    return sorted(rows, key=lambda r: (r["task"], r["rater"], r["dimension"]))


def overall_score_rows(records: list[RunRecord]) -> list[dict[str, object]]:
    rows = [
        {
            "task": r.summary.task,
            "rater": r.summary.rater,
            "kind": r.summary.kind,
            "n": d.n,
            **{
                k: _r(getattr(d, k))
                for k in ("qwk", "qwk_low", "qwk_high", "spearman", "spearman_low", "spearman_high")
            },
        }
        for r in records
        if (d := r.summary.overall_score) is not None
    ]
    return sorted(rows, key=lambda r: (r["task"], -(r["qwk"] if r["qwk"] is not None else -9), r["rater"]))


def build(results_dir: Path) -> dict[str, object]:
    """The leaderboard as one dict (what leaderboard.json holds), from the run records."""
    found = read_records(results_dir / "runs")
    for path, rec in found:
        _check_declared(path, rec)
    records = [rec for _, rec in found]
    return {
        "schema_version": 1,
        "overall": overall_rows(records),
        "per_dimension": dimension_rows(records),
        "overall_score": overall_score_rows(records),
        "drilldown": DRILLDOWN,
        "sources": [
            {"file": p.relative_to(results_dir).as_posix(), "sha256": sha256_file(p)}
            for p, _ in found
        ],
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


def with_readme_block(readme: str, board: dict[str, object]) -> str:
    """The README with its leaderboard excerpt (the Lend an Ear table) replaced."""
    section = markdown(board).split("## lend_an_ear\n\n", 1)[1].split("\n\n", 1)[0]
    head, rest = readme.split(README_START, 1)
    return f"{head}{README_START}\n{section}\n{README_END}{rest.split(README_END, 1)[1]}"


def _cell(value: object, low: object = None, high: object = None) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "pass" if value else "fail"
    if isinstance(value, float):
        return f"{value:.2f}" + (f" [{low:.2f}, {high:.2f}]" if low is not None and high is not None else "")
    return str(value)


def rater_label(row: dict) -> str:
    """The rater's name, marked when its candidate was fitted on this task's items."""
    return f"{row['rater']} (fitted on these items)" if row.get("fitted_on_task") else str(row["rater"])


def alt_test_cell(row: dict) -> str:
    """'pass (0.67)'; the verdict says when the clustered variant disagrees."""
    if row.get("alt_test_passed") is None:
        return "–"
    shown = row.get("alt_test_verdict") or _cell(row["alt_test_passed"])
    return f"{shown} ({row['alt_test_winning_rate']:.2f})"


def _alpha_cell(row: dict) -> str:
    shuffled = row.get("alpha_shuffled")
    return _cell(row["alpha"], row["alpha_low"], row["alpha_high"]) + (
        f" ({shuffled:.2f})" if shuffled is not None else ""
    )


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def markdown(board: dict[str, object]) -> str:
    overall = board["overall"]
    parts = [
        "# empathy-bench leaderboard",
        "",
        "Generated by `empathy-bench leaderboard` from `results/runs/`; do not edit by hand.",
        "",
    ]
    for task in dict.fromkeys(r["task"] for r in overall):  # type: ignore[index]
        rows = [r for r in overall if r["task"] == task]  # type: ignore[index]
        parts += [f"## {task}", ""]
        header = [
            "rater",
            "kind",
            "QWK [95% CI]",
            "alpha + rater [95% CI] (shuffled)",
            "Spearman [95% CI]",
            "of ceiling",
            "alt-test (win rate)",
            "unscored",
            "$ / 1k",
            "s / 1k",
        ]
        body = [
            [
                rater_label(r),
                r["kind"],
                _cell(r["qwk"], r["qwk_low"], r["qwk_high"]),
                _alpha_cell(r),
                _cell(r["spearman"], r["spearman_low"], r["spearman_high"]),
                _cell(r["ceiling_fraction"]),
                alt_test_cell(r),
                _cell(r["parse_failure_rate"]),
                _cell(r["usd_per_1k"]),
                _cell(r["seconds_per_1k"]),
            ]
            for r in rows
        ]
        parts += [_table(header, body), ""]
        dims = [d for d in board["per_dimension"] if d["task"] == task]  # type: ignore[index,union-attr]
        names = list(dict.fromkeys(d["dimension"] for d in dims))
        grid = {(d["rater"], d["dimension"]): d["qwk"] for d in dims}
        parts += [
            "Per dimension (QWK with the task's reference):",
            "",
            _table(["rater", *names], [[r["rater"], *(_cell(grid.get((r["rater"], n))) for n in names)] for r in rows]),
            "",
        ]
        tested = {(d["rater"], d["dimension"]): d for d in dims if d["alt_test_passed"] is not None}
        if tested:
            parts += [
                "Alt-test per dimension (context for the pooled verdict above: each dimension its own test, "
                "Benjamini-Yekutieli over all of a rater's dimensions and experts; verdict and winning rate):",
                "",
                _table(
                    ["rater", *names],
                    [
                        [
                            r["rater"],
                            *(
                                alt_test_cell(tested[(r["rater"], n)]) if (r["rater"], n) in tested else "–"
                                for n in names
                            ),
                        ]
                        for r in rows
                        if any((r["rater"], n) in tested for n in names)
                    ],
                ),
                "",
            ]
    scores = board["overall_score"]
    if scores:
        parts += ["## Lend an Ear overall score (prescriptive minus proscriptive, -12..12)", ""]
        parts += [
            _table(
                ["task", "rater", "kind", "n", "QWK [95% CI]", "Spearman [95% CI]"],
                [
                    [
                        s["task"],
                        s["rater"],
                        s["kind"],
                        str(s["n"]),
                        _cell(s["qwk"], s["qwk_low"], s["qwk_high"]),
                        _cell(s["spearman"], s["spearman_low"], s["spearman_high"]),
                    ]
                    for s in scores
                ],
            ),
            "",
        ]  # type: ignore[index]
    return "\n".join(parts)
