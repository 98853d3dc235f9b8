"""What `empathy-bench run` prints: one compact table per task under the leaderboard's own
columns (best first; the expert ceiling and the crowd marked), then where the full results are.
`--detail` adds each task's per-dimension kappa, the unscored replies by reason and the notes.

Every text that comes from data (rater ids, models, notes) is printed through `visible`: a
control character in it (ESC, a newline, a C1 code) shows as an escape such as \x1b, never raw."""

from __future__ import annotations

from empathy_bench.agreement.paired import Comparison
from empathy_bench.leaderboard.bias_table import bias_rows
from empathy_bench.leaderboard.coach_table import coach_rows
from empathy_bench.leaderboard.columns import (
    BIAS_COLUMNS,
    COACH_COLUMNS,
    COMPARE_COLUMNS,
    DASH,
    OVERALL_COLUMNS,
    REPORTED_MARK,
    Column,
    cell,
    number,
    visible,
)
from empathy_bench.leaderboard.compare_table import preference_rows
from empathy_bench.leaderboard.fields import used_columns
from empathy_bench.leaderboard.markdown import BIAS_NOTE, REPORTED_NOTE
from empathy_bench.leaderboard.rate_table import TRIVIAL_WINS_HEAD, dimension_rows, overall_rows, trivial_win_rows
from empathy_bench.leaderboard.record import RunRecord
from empathy_bench.leaderboard.stat_table import kind_sections, kind_tables

MARKS = {
    "ceiling": "  <- human ceiling",
    "crowd": "  <- crowd",
    "self_report": "  <- participants' self-report",
    "original_label": "  <- the dataset's own label",
}
# The coach table's headline checks (leaderboard.md and the page have every column)
COACH_TERMINAL = tuple(
    c
    for c in COACH_COLUMNS
    if c.key
    in (
        "rater",
        "rater_type",
        "n_items",
        "rank",
        "mean_kappa",
        "mean_kappa_loo",
        "macro_f1",
        "praise_accuracy",
        "prioritisation",
        "grounding",
        "uplift_target",
        "harm_rate",
        "grader_qwk",
        "words",
        "parse_failure_rate",
    )
)


def text_table(header: list[str], rows: list[list[str]]) -> str:
    """Columns padded to their widest cell; numbers are right-aligned by padding on the left.
    Control characters in a cell are shown as escapes (`visible`)."""
    header = [visible(h) for h in header]
    rows = [[visible(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r).rstrip() for r in rows)])


Provenances = dict[tuple[str, str], str]  # (task, rater) -> "verified" or "reported"
Titled = tuple[str, dict, tuple[Column, ...]]  # a table's title, one of its rows, its columns


def task_tables(
    records: list[RunRecord], comparisons: list[Comparison] | None = None, provenance: Provenances | None = None
) -> list[str]:
    """Rate tasks under the leaderboard's columns, then compare tasks under the preference ones,
    coach tasks under the coach ones (ranks from the run's comparisons), each registered kind's
    table (stat_table.py) and the bias probes; a reported row is marked as the leaderboard marks
    it (`provenance`; a run's own rows are all verified)."""
    tables: list[Titled] = [(r["task"], r, OVERALL_COLUMNS) for r in overall_rows(records, comparisons)]
    tables += [(_compare_title(r), r, COMPARE_COLUMNS) for r in preference_rows(records, comparisons)]
    tables += [
        (f"{r['task']} (feedback against the experts' profile, our construction)", r, COACH_TERMINAL)
        for r in coach_rows(records, comparisons)
    ]
    bias: list[Titled] = [(f"{r['task']}: bias probes", r, BIAS_COLUMNS) for r in bias_rows(records)]
    for _, row, _ in tables + bias:
        row["provenance"] = (provenance or {}).get((row["task"], row["rater"]), "verified")
    reported = [key for key, status in (provenance or {}).items() if status == "reported"]
    kinds = [
        f"{visible(title)}\n" + _marked(text_table(head, body), rows)
        for title, head, body, rows in kind_sections(kind_tables(records), reported)
    ]
    return _grouped(tables, trivial_win_rows(records)) + kinds + _grouped(bias, [])


def _grouped(tables: list[Titled], wins: list[dict]) -> list[str]:
    """One table per title, its rows in order; under a rate task's, where a trivial baseline wins."""
    out = []
    for title in dict.fromkeys(t for t, _, _ in tables):
        mine = [(r, columns) for t, r, columns in tables if t == title]
        rows = [r for r, _ in mine]
        columns = mine[0][1]
        # the bias table shows the probes that ran; the agreement tables always every column
        shown = tuple(used_columns(columns, rows)) if columns is BIAS_COLUMNS else columns
        out.append(f"{visible(title)}\n" + _marked_table(rows, shown))
        if columns is OVERALL_COLUMNS:  # a rate task: where a trivial baseline wins an alt-test comparison
            notes = [f"\n  - {visible(w['note'])}" for w in wins if w["task"] == title]
            out[-1] += f"\nNOTE: {TRIVIAL_WINS_HEAD}" + "".join(notes) if notes else ""
    return out


def _compare_title(row: dict) -> str:
    where = "reference DERIVED from the experts' ratings" if row["reference_derived"] else "reference chosen by people"
    return f"{row['task']} (choices on {row['criterion']}; {where})"


def _marked_table(rows: list[dict], columns: tuple[Column, ...]) -> str:
    return _marked(text_table([c.label for c in columns], [[cell(c, r) for c in columns] for r in rows]), rows)


def _marked(text: str, rows: list[dict]) -> str:
    """A text table with the ceiling's and the other human rows' lines marked by their role."""
    lines = text.split("\n")
    return "\n".join(
        lines[:2] + [line + MARKS.get(str(r["role"]), "") for line, r in zip(lines[2:], rows, strict=True)]
    )


def details(records: list[RunRecord]) -> list[str]:
    """Per task and rater the kappa on each dimension; unscored replies by reason; notes."""
    dims = dimension_rows(records)
    out = []
    for task in dict.fromkeys(d["task"] for d in dims):
        mine = [d for d in dims if d["task"] == task]
        names = list(dict.fromkeys(d["dimension"] for d in mine))
        grid = {(d["rater"], d["dimension"]): d for d in mine}
        raters = list(dict.fromkeys(d["rater"] for d in mine))
        body = [[str(r), "", *(number((grid.get((r, n)) or {}).get("qwk")) for n in names)] for r in raters]
        out.append(f"{visible(task)}: QWK per dimension\n" + text_table(["rater", "", *names], body))
    unscored = [
        visible(f"  {r.agreement.task} / {r.agreement.rater}: ")
        + ", ".join(visible(f"{k} {v}") for k, v in r.run.unscored_reasons.items())
        for r in records
        if r.run and r.run.unscored_reasons
    ]
    notes = [
        "  " + visible(f"{r.agreement.task} / {r.agreement.rater}: {n}")
        for r in records
        for n in (r.run.notes if r.run else []) + r.agreement.notes
        if r.agreement.rater_type != "human"
    ]
    if unscored:
        out.append("Unscored ratings by reason code (never counted as a score)\n" + "\n".join(unscored))
    if notes:
        out.append("Notes\n" + "\n".join(notes))
    return out


def render(
    records: list[RunRecord],
    detail: bool = False,
    comparisons: list[Comparison] | None = None,
    provenance: Provenances | None = None,
) -> str:
    if not records:
        return f"nothing was run {DASH} no task or judge matched"
    head = (
        "Agreement with each task's reference (mean over dimensions, bootstrap 95% intervals; rate tasks sorted by "
        "QWK on the ceiling's references, like for like with the ceiling; rank [95% CI]: the rank over the bootstrap "
        "draws all of a task's raters share; alpha + rater in parentheses: the same with the rater's ratings "
        "shuffled; alt-test by the authors' procedure)"
    )
    tables = task_tables(records, comparisons, provenance)
    note = [BIAS_NOTE] if any(t.split("\n", 1)[0].endswith("bias probes") for t in tables) else []
    legend = [REPORTED_NOTE.format(mark=REPORTED_MARK)] if "reported" in (provenance or {}).values() else []
    return "\n\n".join([head, *tables, *note, *legend, *(details(records) if detail else [])])
