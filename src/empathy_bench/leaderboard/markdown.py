"""leaderboard.md (and the README's excerpt): every table of the board in Markdown, with its notes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from empathy_bench.core.errors import InputError
from empathy_bench.leaderboard.columns import (
    BIAS_COLUMNS,
    COACH_COLUMNS,
    COMPARE_COLUMNS,
    OVERALL_COLUMNS,
    REPORTED_MARK,
    cell,
    markdown_cell,
    number,
    table,
    visible,
)
from empathy_bench.leaderboard.comparisons import matrix_markdown
from empathy_bench.leaderboard.fields import used_columns
from empathy_bench.leaderboard.rate_table import ALT_TEST_COLUMN, TRIVIAL_WINS_HEAD, trivial_win_lines
from empathy_bench.leaderboard.recipient import recipient_lines
from empathy_bench.leaderboard.stat_table import kind_markdown

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


def human_row_lines(board: dict, task: str) -> list[str]:
    """What each human row of the task is, as its source card says (the legend's entries)."""
    return [f"\u201c{h['label']}\u201d is {h['about']}" for h in board["tasks"].get(task, {}).get("human_rows", [])]


def human_rows_markdown(board: dict, task: str) -> list[str]:
    lines = human_row_lines(board, task)
    return ["Human rows: " + "; ".join(map(markdown_cell, lines)) + ".", ""] if lines else []


VERIFIED_NOTE = (
    "Every row is verified unless marked: measured here from its run's logs, recomputed from the pinned labels "
    "(human rows, recorded judges), or recomputed from a submitted bundle by `empathy-bench verify`."
)
REPORTED_NOTE = (
    "Rows marked{mark} were submitted without logs, or in a bundle `empathy-bench verify` has not passed: their "
    "figures are the submitter's and were not recomputed here (`empathy-bench leaderboard --verified-only` "
    "leaves them out)."
)


def provenance_lines(board: dict) -> tuple[list[str], list[str]]:
    """What verified and reported mean (the harness's own text), and each submitted row with how
    its figures were obtained (untrusted text: the caller escapes it for its surface)."""
    rows = board.get("provenance", [])
    only = " Only verified rows are shown (`--verified-only`)." if board.get("verified_only") else ""
    notes = [VERIFIED_NOTE + only]
    if any(r["status"] == "reported" for r in rows):
        notes.append(REPORTED_NOTE.format(mark=REPORTED_MARK))
    submitted = [r for r in rows if r.get("bundle")]
    return notes, [f"{r['task']} / {r['rater']}: {r['status']}, {r['via']}" for r in submitted]


def provenance_summary(board: dict) -> str:
    """The terminal's account of the board's rows: how many are verified and reported, and each
    submitted row (control characters shown as escapes)."""
    rows = board.get("provenance", [])
    verified = sum(r["status"] == "verified" for r in rows)
    notes, submitted = provenance_lines(board)
    head = f"rows: {verified} verified, {len(rows) - verified} reported"
    return "\n".join([head, *notes, *(f"  - {visible(line)}" for line in submitted)])


def markdown(board: dict) -> str:
    overall = board["overall"]
    parts = [
        "# empathy-bench leaderboard",
        "",
        "Generated by `empathy-bench leaderboard` from `results/runs/` and `results/submissions/`; do not edit.",
        "",
    ]
    notes, submitted = provenance_lines(board)
    parts += [*notes, *(f"- {markdown_cell(line)}" for line in submitted), ""]
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
            alt_rows = [
                [r["rater"], *(cell(ALT_TEST_COLUMN, grid.get((r["rater"], n)) or {}) for n in names)] for r in tested
            ]
            parts += [
                "Alt-test per dimension (context for the pooled verdict above: each dimension its own test, "
                "Benjamini-Yekutieli over all of a rater's dimensions and experts; verdict and winning rate):",
                "",
                table(["rater", *names], alt_rows),
                "",
            ]
        if wins := trivial_win_lines(board, task):
            parts += [f"**{TRIVIAL_WINS_HEAD}** " + " ".join(map(markdown_cell, wins)), ""]
        parts += human_rows_markdown(board, task)
    for task in dict.fromkeys(r["task"] for r in board["preference"]):
        parts += compare_markdown(board, task) + human_rows_markdown(board, task)
    for task in dict.fromkeys(r["task"] for r in board["coach"]):
        parts += coach_markdown(board, task) + human_rows_markdown(board, task)
    parts += kind_markdown(board)
    parts += recipient_lines(board.get("recipient", []))
    parts += bias_markdown(board)
    scores = board["overall_score"]
    if scores:
        parts += ["## Lend an Ear overall score (prescriptive minus proscriptive, -12..12)", ""]
        header = ["task", "rater", "type", "n", "QWK [95% CI]", "Spearman [95% CI]"]
        body = [
            [
                s["task"],
                s["rater"],
                s["rater_type"],
                str(s["n"]),
                number(s["qwk"], s["qwk_low"], s["qwk_high"]),
                number(s["spearman"], s["spearman_low"], s["spearman_high"]),
            ]
            for s in scores
        ]
        parts += [table(header, body), ""]
    return "\n".join(parts)
