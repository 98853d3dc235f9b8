"""The leaderboard: regenerated only from the run records in results/runs/, as one dict (what
results/leaderboard.json holds; publish.py writes it and every rendering of it). Byte-identical on every
regeneration from the same records (fixed order, fixed rounding, no timestamps). It reads no task,
rubric, source or candidate file: what it says of a task (title, dimensions, human rows) travels in
the records, so an edited task file reaches the board only through a run.

Columns follow the AlpacaEval evaluator leaderboard, adapted to rubric ratings (see
`columns.py`, where they are defined once). Every row, human and trivial ones included, comes
from a record the same code wrote.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import InputError
from empathy_bench.leaderboard.bias_table import bias_dimension_rows, bias_rows, length_dimension_rows
from empathy_bench.leaderboard.coach_table import coach_dimension_rows, coach_rows
from empathy_bench.leaderboard.columns import (
    BIAS_COLUMNS,
    COACH_COLUMNS,
    COMPARE_COLUMNS,
    columns_data,
)
from empathy_bench.leaderboard.compare_table import gap_rows, preference_rows
from empathy_bench.leaderboard.comparisons import comparison_rows, read_comparisons
from empathy_bench.leaderboard.fields import task_facts
from empathy_bench.leaderboard.provenance import LABELS, RECORDS, RUN, Provenance, bundle_provenance, submission_folders
from empathy_bench.leaderboard.rate_table import dimension_rows, overall_rows, overall_score_rows, trivial_win_rows
from empathy_bench.leaderboard.recipient import read_recipient
from empathy_bench.leaderboard.record import RunRecord, read_records
from empathy_bench.leaderboard.stat_table import kind_tables as stat_tables

# 3: compare tasks (preference table, agreement by gap), task kinds; 4: coach tasks; 5: ranks and paired
# differences (comparisons), like-for-like sort, tie-half accuracy, spread, length magnitude and direction,
# human rows and trivial-rater notes; 6: every row's provenance (verified or reported), submissions;
# 7: a row's rater type (run, baseline, recorded, human) under `rater_type` and a column's cell
# format under `cell` (both were `kind`, the word now kept for task kinds)
BOARD_SCHEMA_VERSION = 7


DRILLDOWN = "drilldown/index.html"


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


def tasks_data(records: list[RunRecord]) -> dict[str, dict[str, object]]:
    """Each task's title and description, as its records carry them (the page's tabs and headings)."""
    out = {}
    shown = {(r.agreement.task, r.agreement.rater) for r in records}
    for task_id, facts in sorted(task_facts(records).items()):
        out[task_id] = {
            "title": facts.title,
            "description": facts.description,
            "kind": facts.kind,
            # compare tasks whose reference choices this project derived from ratings
            "derived_preferences": facts.derived_preferences,
            # what each human row of the task is, as its source card says (the legend's entries)
            "human_rows": [h.model_dump() for h in facts.human_rows if (task_id, h.label) in shown],
            # what the task's kind adds (a coach task's grader and profile)
            **facts.board_fields,
        }
    return out


Found = list[tuple[Path, RunRecord, Provenance]]


def gather(results_dir: Path) -> Found:
    """Every record the board shows, with where its figures come from: results/runs/ (measured
    here, or from the labels alone), then each submission under results/submissions/<bundle>/ —
    only its candidate's rows (records made from a run): the label rows are the board's own. A
    submitted row whose (task, rater) the board already has is refused, naming both files."""
    found: Found = [(p, r, RUN if r.run is not None else LABELS) for p, r in read_records(results_dir / "runs")]
    seen = {(r.agreement.task, r.agreement.rater, r.agreement.rater_type): p for p, r, _ in found}
    for bundle in submission_folders(results_dir):
        provenance = bundle_provenance(bundle)
        for path, rec in read_records(bundle / RECORDS):
            if rec.run is None:
                continue
            key = (rec.agreement.task, rec.agreement.rater, rec.agreement.rater_type)
            if key in seen and seen[key].parent != path.parent:
                raise InputError(
                    path,
                    f"gives a row for {key[1]!r} on {key[0]}, which {seen[key]} already gives",
                    "rename the submitted candidate (its `id`), or remove one of the two",
                )
            seen[key] = path
            found.append((path, rec, provenance))
    for path, rec, _ in found:
        _check_declared(path, rec)
    return found


def with_provenance(board: dict[str, Any], found: Found) -> dict[str, Any]:
    """Every row of every table says whether its figures are verified or reported; the board
    lists each row's provenance once with how it was obtained."""
    status = {(r.agreement.task, r.agreement.rater): p for _, r, p in found}
    # the built-in kinds' tables are lists of rows; a registered kind's table keeps its rows in `rows`
    tables = [*board.values(), *(t["rows"] for t in board.get("kind_tables", {}).values())]
    for rows in tables:
        if isinstance(rows, list):
            for row in rows:
                if isinstance(row, dict) and (p := status.get((str(row.get("task")), str(row.get("rater"))))):
                    row["provenance"] = p.status
    board["provenance"] = [
        {"task": task, "rater": rater, "status": p.status, "via": p.via, "bundle": p.bundle}
        for (task, rater), p in sorted(status.items())
    ]
    return board


def build(results_dir: Path, verified_only: bool = False) -> dict[str, Any]:
    """The leaderboard as one dict (what leaderboard.json holds), from the run records and the
    submissions; `verified_only` leaves out every row whose figures are only reported."""
    found = [f for f in gather(results_dir) if not verified_only or f[2].status == "verified"]
    records = [rec for _, rec, _ in found]
    paired = read_comparisons(results_dir / "runs")
    comparisons = [c for _, c in paired]
    # tasks whose reference is the person supported (results/recipient/<task>.json); the key only where any
    recipient = {"recipient": [t.model_dump() for t in tables]} if (tables := read_recipient(results_dir)) else {}
    # the tables of registered kinds that declare columns over statistics; the key only where any
    kind_tables = {"kind_tables": found_tables} if (found_tables := stat_tables(records)) else {}
    board = (
        recipient
        | kind_tables
        | {
            "schema_version": BOARD_SCHEMA_VERSION,
            "verified_only": verified_only,
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
                for p in [p for p, _, _ in found] + sorted({p for p, _ in paired})
            ],
        }
    )
    return with_provenance(board, found)
