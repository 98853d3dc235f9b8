"""Where a quote sits in a conversation: which of the supporter's messages it comes from, if any.

Careful writers rarely quote verbatim: they fix a typo, drop an ellipsis, change a curly quote.
So a quote and each message are normalised (case, whitespace, quote marks and dashes), and a
quote is *found* in a message when it is a substring of it or when some window of the message
of the quote's length is at least `MIN_SIMILARITY` similar to it (rapidfuzz's partial_ratio:
2 x matching characters / total characters, over the best-aligned window). Only the judged speaker's messages count: a
quote of the seeker's words is not grounded, and says so (`speaker` = the seeker)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz

from empathy_bench.sources.profile import ProfileThresholds, profile
from empathy_bench.sources.rubric import Rubric

MIN_SIMILARITY = 0.85
# A quote this short ("yes", "I see") matches almost any message: it grounds nothing.
MIN_QUOTE_CHARS = 8
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def normalise(text: str) -> str:
    """Lower case, straight quote marks, one space between words, no surrounding quote marks."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return " ".join(text.split()).strip(" \"'")


def similarity(quote: str, message: str) -> float:
    """The best match of a (normalised) quote against the windows of a (normalised) message of
    the quote's length: rapidfuzz's partial_ratio (Indel similarity, 2 x matching characters /
    total characters) scaled to 0..1. A quote longer than the message is compared whole, so a
    long quote is never "found" in a short message it merely contains."""
    if not quote or not message:
        return 0.0
    if len(quote) > len(message):
        return float(fuzz.ratio(quote, message)) / 100
    return float(fuzz.partial_ratio(quote, message)) / 100


@dataclass(frozen=True)
class Located:
    turn: int | None  # index of the best-matching turn of the judged speaker (None: not found there)
    similarity: float  # its similarity (1.0: verbatim after normalising)
    speaker: str | None  # who said it: the judged speaker, another speaker, or None (found nowhere)

    @property
    def grounded(self) -> bool:
        return self.turn is not None


def locate(quote: str, turns: list[dict[str, str]], target: str) -> Located:
    """The judged speaker's message the quote comes from; otherwise whether someone else said it."""
    wanted = normalise(quote)
    if len(wanted) < MIN_QUOTE_CHARS:
        return Located(None, 0.0, None)
    scores = [(similarity(wanted, normalise(t["text"])), i, t["speaker"]) for i, t in enumerate(turns)]
    own = [s for s in scores if s[2] == target]
    best = max(own, default=(0.0, None, None))
    if best[0] >= MIN_SIMILARITY:
        return Located(best[1], best[0], target)
    other = max((s for s in scores if s[2] != target), default=(0.0, None, None))
    return Located(None, best[0], other[2] if other[0] >= MIN_SIMILARITY else None)


def evidence_turns(
    ratings: pd.DataFrame,
    items: pd.DataFrame,
    rubric: Rubric,
    thresholds: ProfileThresholds,
    group: str = "crowd",
) -> dict[tuple[str, str, str], set[int]]:
    """(item, dimension, side) -> the judged speaker's messages that a group's quoted evidence
    comes from, `side` being `improvement` where the quoting rater's own rating makes the
    dimension a problem and `strength` where it makes it a strength (Lend an Ear's crowd raters
    quote one example per dimension, whichever way they rated). Evidence for a rating that is
    neither, and quotes found nowhere in those messages, are left out."""
    turns = items.set_index("item_id")
    quoted = ratings[(ratings.rater_group == group) & ratings.evidence.notna() & (ratings.evidence != "")]
    found: dict[tuple[str, str, str], set[int]] = {}
    for row in quoted.itertuples():
        if row.item_id not in turns.index or row.dimension not in rubric.dimension_ids:
            continue
        side = profile({row.dimension: float(row.value)}, rubric, thresholds)
        kind = "improvement" if side.problems else "strength" if side.strengths else None
        item = turns.loc[row.item_id]
        where = locate(str(row.evidence), item.turns, item.target) if kind else None
        if kind and where and where.turn is not None:
            found.setdefault((row.item_id, row.dimension, kind), set()).add(where.turn)
    return found
