"""The leaderboard's columns, defined once. The CSV and JSON carry every field of a row; the
Markdown tables, the terminal report and the page show these columns, in this order, with these
labels and explanations (the page reads them from the embedded leaderboard data).

Cell formats say how a cell is drawn: `ci` is a value with its 95% interval from the fields
`<key>_low` and `<key>_high`; `alpha` is a `ci` followed by the shuffled-rater value in
parentheses; `verdict` is the alt-test's verdict with its winning rate; `rater` is the name,
marked when the candidate was fitted on the task's items; `count` a whole number; `rank` the
rater's rank with its 95% interval (`rank_low`, `rank_high`: whole ranks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

CellFormat = Literal["rater", "text", "ci", "alpha", "number", "verdict", "money", "count", "rank"]
DASH = "–"  # a number that does not exist (no ceiling, a constant rater's correlation): never "nan"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    title: str
    cell: CellFormat  # how a cell is drawn (`cell` in the board's column definitions)


# Every main table ranks its raters on its headline: the rank, and the 2.5th-97.5th percentiles
# of the rank over the bootstrap draws every rater of the task shares (agreement/paired.py).
RANK = Column(
    "rank",
    "rank [95% CI]",
    "rank by the table's headline (1 = best; ties share the better rank) and the 2.5th to 97.5th percentile of "
    "the rank over the bootstrap draws all the task's raters share; \u2013: not compared (no headline, or not "
    "measured in the same run as the others)",
    "rank",
)

# Every main table: the spread of its headline over a rater's repeats (agreement/spread.py), as
# text "min–max" (the row's `spread`; `spread_low`, `spread_high` and `spread_n` in the CSV/JSON).
SPREAD = Column(
    "spread",
    "spread (min\u2013max)",
    "the headline (the figure this table sorts by) of each epoch on its own (a run with --epochs K) or of each "
    "published run (a recorded judge whose source card lists runs: per run), least to greatest; \u2013 with one "
    "epoch or run. The row's own headline is of the epochs' median rating (compare: majority choice; coach: the "
    "first epoch's feedback) or the runs' aggregate, so it need not lie inside",
    "text",
)

OVERALL_COLUMNS = (
    Column("rater", "rater", "the judge, recorded judge or human row", "rater"),
    Column(
        "rater_type", "type", "run: a judge run here; recorded: published ratings; baseline: trivial; human", "text"
    ),
    Column("n_items", "items", "items the rater rated", "count"),
    RANK,
    Column(
        "qwk_loo",
        "QWK, ceiling's references [95% CI]",
        "the headline and sort key: quadratic-weighted kappa with the median of the other experts, averaged over "
        "which expert is left out, mean over dimensions: the references the human ceiling is scored on, so every "
        "row compares like for like with it (the full median of all experts is an easier reference than the "
        "ceiling's); \u2013 without an expert panel, where rows sort by QWK",
        "ci",
    ),
    SPREAD,
    Column(
        "qwk",
        "QWK [95% CI]",
        "quadratic-weighted kappa with the reference (the median of all the experts), mean over dimensions; the "
        "ceiling row is each expert against the median of the others",
        "ci",
    ),
    Column(
        "alpha",
        "alpha + rater [95% CI] (shuffled)",
        "Krippendorff's alpha of the experts with this rater added; in parentheses with its ratings shuffled "
        "across items (what an uninformative rater scores); the ceiling row is the experts' own alpha, no rater added",
        "alpha",
    ),
    Column("spearman", "Spearman [95% CI]", "rank correlation with the reference, mean over dimensions", "ci"),
    Column(
        "ceiling_fraction",
        "of ceiling",
        "kappa with the median of the other experts / an expert's kappa with the median of the other experts",
        "number",
    ),
    Column(
        "alt_test",
        "alt-test (win rate)",
        "alternative annotator test by the authors' procedure (epsilon 0.2, BY at 0.05): verdict and winning rate; "
        "flagged when conversations as units would flip it",
        "verdict",
    ),
    Column("parse_failure_rate", "unscored", "share of requested ratings that could not be parsed", "number"),
    Column("usd_per_1k", "$ / 1k", "dollars per 1,000 items at list price", "money"),
    Column("seconds_per_1k", "s / 1k", "wall seconds per 1,000 items", "number"),
)


def columns_data(columns: tuple[Column, ...] = OVERALL_COLUMNS) -> list[dict[str, str]]:
    """The column definitions as the page reads them."""
    return [{"key": c.key, "label": c.label, "title": c.title, "cell": c.cell} for c in columns]


def cell(column: Column, row: dict) -> str:
    """One cell as text (Markdown and the terminal)."""
    value = row.get(column.key)
    if column.cell == "rater":
        fitted = " (fitted on these items)" if row.get("fitted_on_task") else ""
        return f"{value}{fitted}{REPORTED_MARK if row.get('provenance') == 'reported' else ''}"
    if column.cell == "verdict":
        if row.get("alt_test_passed") is None:
            return DASH
        return f"{row['alt_test_verdict']} ({row['alt_test_winning_rate']:.2f})"
    if column.cell == "text":
        return DASH if value is None else str(value)
    if column.cell == "count":
        return DASH if value is None else f"{value:,}"
    if column.cell == "rank":
        return rank_text(value, row.get("rank_low"), row.get("rank_high"))
    if column.cell in ("ci", "alpha"):
        text = number(value, row.get(f"{column.key}_low"), row.get(f"{column.key}_high"))
        if column.cell == "alpha" and row.get("role") == "ceiling" and value is not None:
            return text + f" ({CEILING_ALPHA})"  # no rater added: the experts alone
        shuffled = row.get(f"{column.key}_shuffled")
        return text + (f" ({shuffled:.2f})" if column.cell == "alpha" and shuffled is not None else "")
    return number(value)


CEILING_ALPHA = "experts' own alpha"
# a row whose figures were added without logs (leaderboard/provenance.py): never mistaken for a measured one
REPORTED_MARK = " (reported, not verified)"


def rank_text(rank: object, low: object, high: object) -> str:
    """'2 [1, 4]', or '–' for a rater that was not compared."""
    if not isinstance(rank, int) or isinstance(rank, bool):
        return DASH
    return f"{rank} [{low}, {high}]" if isinstance(low, int) and isinstance(high, int) else str(rank)


def number(value: object, low: object = None, high: object = None) -> str:
    """'0.55 [0.47, 0.61]', '0.55', or '–' for a number that does not exist."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return DASH
    text = f"{value:.2f}"
    if isinstance(low, int | float) and isinstance(high, int | float):
        text += f" [{low:.2f}, {high:.2f}]"
    return text


# C0 controls (ESC among them), DEL, C1 controls, the line and paragraph separators, and the
# bidirectional marks and overrides that reorder what a terminal or an editor shows (the
# characters core/ids.py refuses in an id read from a file; here escaped on the way out)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    """The text with every control character written as a visible escape (a newline as \\n,
    ESC as \\x1b, a right-to-left override as \\u202e): a rater id cannot move the cursor, colour
    the terminal, start a line of its own or reorder what is shown."""
    return CONTROL.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    code = ord(char)
    return SHORT_ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def markdown_cell(text: str, header: bool = False) -> str:
    """One Markdown table cell as literal text: backslashes doubled, control characters visible
    (a newline cannot end the row), `|` escaped (cannot shift the columns), `&` and `<` as
    entities (no raw HTML, no autolink), `](` escaped (no link or image). Body cells also write
    `>` as an entity; the header labels are the harness's own (column labels, rubric dimension
    ids, gap bins such as ">13") and keep `>`, which opens nothing without a `<`."""
    text = visible(text.replace("\\", "\\\\"))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace("|", "\\|").replace("](", "\\](")
    return text if header else text.replace(">", "&gt;")


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; every cell escaped (`markdown_cell`), so a cell is always one cell."""
    head = [markdown_cell(h, header=True) for h in header]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(markdown_cell(c) for c in r) + " |" for r in rows])


# The preference table of a compare task. Rows whose choices come from the rater's own ratings
# have no position statistics by construction: "–", not a perfect score.
COMPARE_COLUMNS = (
    Column("rater", "rater", "the judge, a judge's ratings turned into choices, recorded judge or human row", "rater"),
    Column(
        "rater_type", "type", "run: a judge run here; recorded: published ratings; baseline: trivial; human", "text"
    ),
    Column(
        "n_pairs", "pairs", "pairs with a reference choice (a tie included) that the rater judged: kappa's n", "count"
    ),
    Column(
        "n_decisive",
        "decisive pairs",
        "pairs whose reference is a side, not a tie, that the rater judged: the pairs every accuracy is computed on",
        "count",
    ),
    Column(
        "n_decisive_verdicts",
        "verdicts",
        "the choices on the decisive pairs that the accuracies count: two per pair from a judge of both orders, one "
        "from ratings; the ceiling's, one per expert and pair where the other experts agree",
        "count",
    ),
    RANK,
    Column(
        "accuracy",
        "accuracy (tie = 0.5) [95% CI]",
        "the headline: on the decisive pairs (both orders count), a choice equal to the reference scores 1, a tie "
        "0.5 (AlpacaEval's convention), the other side 0, so a rater that always says tie scores 0.50 like one that "
        "always picks the first; cluster bootstrap over conversations",
        "ci",
    ),
    Column(
        "accuracy_strict",
        "strict (tie = 0) [95% CI]",
        "the same with a tie counted wrong: the share of choices equal to the reference",
        "ci",
    ),
    SPREAD,
    Column(
        "kappa",
        "kappa [95% CI]",
        "Cohen's kappa with the reference over a / b / tie, every choice counted in both pair orientations",
        "ci",
    ),
    Column(
        "accuracy_loo",
        "accuracy, ceiling's references",
        "mean over experts of the accuracy (tie = 0.5) against the majority of the other experts: the references "
        "(and pairs) the human ceiling is scored on, so this compares with the ceiling like for like",
        "number",
    ),
    Column(
        "accuracy_conservative",
        "both orders",
        "accuracy (tie = 0.5) when a side wins only if it wins in both orders (otherwise a tie)",
        "number",
    ),
    Column("position_consistency", "consistency", "share of pairs with the same verdict in both orders", "number"),
    Column(
        "preference_fairness",
        "fairness",
        "preference fairness in [-1, 1] (Shi et al. 2024): negative leans to the first conversation shown",
        "number",
    ),
    Column("flip_rate", "flips", "share of pairs where the two orders chose opposite conversations", "number"),
    Column("parse_failure_rate", "unscored", "share of requested choices that could not be parsed", "number"),
    Column("usd_per_1k", "$ / 1k", "dollars per 1,000 pairs (both orders) at list price", "money"),
    Column("seconds_per_1k", "s / 1k", "wall seconds per 1,000 pairs (both orders)", "number"),
)


# The bias table: one row per judge (and the human rows where a statistic exists for them), every
# probe of a task in one place. What an unbiased judge scores is in each title.
BIAS_COLUMNS = (
    Column("rater", "rater", "the judge, recorded judge or human row", "rater"),
    Column("rater_type", "type", "run, recorded, baseline or human", "text"),
    Column(
        "attribution_change",
        "AI - person [95% CI]",
        "mean change of the overall score (prescriptive minus proscriptive; rubrics without one: see the "
        "per-dimension table) when the supporter is labelled an AI assistant instead of a person; unbiased: 0. "
        "A judge that moves every dimension the same way scores 0 here: see the flips",
        "ci",
    ),
    Column(
        "attribution_flips",
        "label flips",
        "share of (item, dimension) ratings that change with the label, in either direction; unbiased: 0",
        "number",
    ),
    Column(
        "length_magnitude",
        "length |rho| given reference [95% CI]",
        "magnitude of the length association: the partial Spearman correlation of the rating with the supporter's "
        "word count, the reference rating held fixed, per dimension, and its absolute value averaged over the "
        "dimensions (interval: the same mean per bootstrap draw), so it cannot cancel; 0 = ratings ignore length, "
        "1 = they follow it. Read it against the experts' row (each expert given the median of the others): how "
        "much one human rater leans on length beyond the panel; noise alone makes it a little above 0",
        "ci",
    ),
    Column(
        "length_direction",
        "length direction, overall [95% CI]",
        "direction of the length association: the same partial correlation on the overall score (prescriptive "
        "dimensions minus proscriptive ones) given the reference's overall score; positive: longer support comes "
        "out better overall, negative: worse; \u2013 where the rater's overall score does not vary (a rater that "
        "moves every dimension with length alike). The experts' row is the yardstick",
        "ci",
    ),
    Column(
        "lengthened_change",
        "filler change [95% CI]",
        "mean change of the overall score when every supporter message is padded with content-free filler to "
        "twice its length; unbiased: 0",
        "ci",
    ),
    Column(
        "lengthened_flips",
        "filler flips",
        "share of (item, dimension) ratings that change with the filler, in either direction; unbiased: 0",
        "number",
    ),
    Column("retest_qwk", "retest QWK", "mean pairwise kappa between epochs (or recorded runs); stable: 1", "number"),
    Column("retest_identical", "retest same", "share of items rated the same in every epoch", "number"),
    Column(
        "retest_identical_replies",
        "replies identical",
        "share of samples whose replies were byte-identical in every epoch (the cache is per epoch, so these are "
        "the model's own repeats; recorded runs: share of run pairs with byte-identical files, not independent)",
        "number",
    ),
    Column("position_consistency", "consistency", "compare: same verdict in both orders; unbiased: 1", "number"),
    Column("preference_fairness", "fairness", "compare: preference fairness; unbiased: 0, primacy < 0", "number"),
    Column(
        "compare_shift",
        "label shift [95% CI]",
        "compare: share of verdicts that change when one side is labelled AI and the other a person; unbiased: 0",
        "ci",
    ),
    Column(
        "ai_penalty",
        "against AI [95% CI]",
        "compare: how much less often the AI-labelled side is chosen than unlabelled; unbiased: 0",
        "ci",
    ),
)


# The coach table: a coach's feedback against the experts' profile of the same conversations (the
# problems and strengths are this project's construction from the experts' ratings). Rows made
# from ratings (the ceiling, the crowd, judges used as coaches) have no quotes or rewrites: "–".
COACH_COLUMNS = (
    Column(
        "rater", "rater", "the coach, a judge or human whose ratings give a profile, or the expert ceiling", "rater"
    ),
    Column(
        "rater_type", "type", "run: a coach run here; recorded: published ratings; baseline: trivial; human", "text"
    ),
    Column("n_items", "conversations", "conversations with scored feedback", "count"),
    RANK,
    Column(
        "mean_kappa",
        "targeting kappa [95% CI]",
        "Cohen's kappa of the improvements named with the expert-flagged problems, mean over dimensions: "
        "chance-corrected (a coach naming every dimension scores 0)",
        "ci",
    ),
    Column(
        "mean_kappa_loo",
        "kappa, ceiling's references",
        "mean over experts of the targeting kappa against the median of the other experts: the references the human "
        "ceiling is scored on (a half point where two experts disagree), so it compares with the ceiling like for like",
        "number",
    ),
    SPREAD,
    Column(
        "macro_f1",
        "macro-F1 [95% CI]",
        "F1 of the improvements against the flagged problems, mean over dimensions",
        "ci",
    ),
    Column(
        "f1_at_reference_count",
        "F1, experts' count",
        "macro-F1 with each conversation's improvements cut to as many as the experts flagged: the number of "
        "dimensions named held fixed, so naming more cannot raise it (words are shown in their own column)",
        "ci",
    ),
    Column(
        "f1_word_budget",
        "F1, word budget [95% CI]",
        "macro-F1 of the improvements that fit, most important first, in the task's word budget of improvements "
        "(quote, rewrite and why; 100 words on Lend an Ear): length held fixed, every coach gets the same words",
        "ci",
    ),
    Column("praise_accuracy", "praise right", "share of praised dimensions that the experts rate as strengths", "ci"),
    Column("false_praise_rate", "false praise", "share of praised dimensions that are expert-flagged problems", "ci"),
    Column(
        "prioritisation",
        "first = worst",
        "share of conversations whose first improvement is a dimension the experts rate worst (ties allowed)",
        "ci",
    ),
    Column(
        "grounding",
        "grounded [95% CI]",
        "share of quotes found in the supporter's own messages (fuzzy, similarity >= 0.85; the seeker's words do "
        "not count)",
        "ci",
    ),
    Column(
        "evidence_agreement",
        "crowd's message",
        "share of quotes on a dimension that point at a message a crowd rater quoted as evidence for it",
        "ci",
    ),
    Column(
        "uplift_target",
        "uplift [95% CI]",
        "the grader's change on the targeted dimension when the first rewrite replaces the quoted message "
        "(positive = better; proscriptive dimensions counted down)",
        "ci",
    ),
    Column("uplift_other", "other dims", "the grader's mean change on the other dimensions (negative = harm)", "ci"),
    Column("harm_rate", "harm", "share of rewrites that make some other dimension worse", "ci"),
    Column(
        "grader_qwk",
        "grader QWK",
        "the grader's own agreement with the experts (its QWK on the rate task of the same conversations): an "
        "uplift is only as trustworthy as its grader",
        "number",
    ),
    Column(
        "words",
        "words",
        "mean words per feedback (shown beside every score: longer feedback tends to be rated higher)",
        "ci",
    ),
    Column("parse_failure_rate", "unscored", "share of feedback replies that could not be parsed", "number"),
    Column("usd_per_1k", "$ / 1k", "dollars per 1,000 conversations at list price (the coach's calls)", "money"),
    Column("grader_usd_per_1k", "grader $ / 1k", "the grader's dollars per 1,000 conversations at list price", "money"),
    Column("seconds_per_1k", "s / 1k", "wall seconds per 1,000 conversations (grading included)", "number"),
)
