"""A coach's feedback read conversation by conversation (see agreement/coach.py): per
conversation, which dimensions it names as improvements (all, the first k, those within the word
budget) against the reference profile's problems, and the counts every headline figure is a
ratio of (praise, prioritisation, quotes and their evidence, the rewrite's uplift)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from empathy_bench.core.models import NAN
from empathy_bench.sources.profile import Profile
from empathy_bench.sources.rubric import Rubric

# (item_id, dimension, quote kind) -> the supporter messages the crowd quoted as evidence of that
# side: a problem (for an improvement's quote) or a strength (for a strength's quote)
Evidence = Mapping[tuple[str, str, str], set[int]]
# Headline figures that are one ratio of per-conversation sums: name -> (numerator, denominator).
RATIOS = {
    "praise_accuracy": ("praised_strength", "praised"),
    "false_praise_rate": ("praised_problem", "praised"),
    "prioritisation": ("first_in_worst", "prioritised"),
    "grounding": ("grounded", "quotes"),
    "evidence_agreement": ("evidence_hit", "evidence"),
    "uplift_target": ("target_change", "uplift"),
    "uplift_other": ("other_change", "has_other"),
    "harm_rate": ("harmed", "uplift"),
    "words": ("words", "has_words"),
}
# The words of improvements a coach may spend in `f1_word_budget` (a task file's `word_budget`)
WORD_BUDGET = 100


@dataclass(frozen=True)
class Conversations:
    """Per-conversation counts (row i = items[i]); every figure is a ratio of weighted sums of
    them. Matrices are conversations x dimensions."""

    items: list[str]
    dimensions: list[str]
    predicted: np.ndarray  # the dimension is among the improvements
    actual: np.ndarray  # the dimension is among the reference's problems
    truncated: np.ndarray  # the dimension is among the first k improvements, k = number of problems
    budgeted: np.ndarray  # the dimension is among the improvements within the word budget
    worded: bool  # the rows say how many words each improvement took (not so for rows from ratings)
    sums: dict[str, np.ndarray]  # the numerators and denominators of RATIOS, one value per conversation
    change: np.ndarray  # oriented change after the rewrite (NaN: no uplift, or not rated before and after)
    targeted: np.ndarray  # the rewrite targeted the dimension


def as_list(value: object) -> list[Any]:
    """A list cell; None or NaN (a missing cell) is an empty list."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return list(cast(Iterable[Any], value))


def oriented_changes(uplift: Mapping[str, Any], rubric: Rubric, dims: list[str]) -> dict[str, float]:
    """c_d = sign_d (after_d - before_d) for the dimensions of `dims` rated before and after,
    sign +1 prescriptive and -1 proscriptive, so that a positive change is an improvement."""
    before, after = uplift.get("before") or {}, uplift.get("after") or {}
    changes = {}
    for dim in dims:
        b, a = before.get(dim), after.get(dim)
        if b is None or a is None or pd.isna(b) or pd.isna(a):
            continue
        sign = 1.0 if rubric.dimension(dim).polarity == "prescriptive" else -1.0
        changes[dim] = sign * (float(a) - float(b))
    return changes


def _quote_counts(item: str, quotes: list[dict[str, Any]], evidence: Evidence) -> dict[str, float]:
    """Quotes, grounded quotes, quotes with crowd evidence and those found in an evidence turn."""
    with_evidence = [q for q in quotes if evidence.get((item, q["dimension"], q["kind"]))]
    hits = sum(q.get("turn") in evidence[(item, q["dimension"], q["kind"])] for q in with_evidence)
    return {
        "quotes": len(quotes),
        "grounded": sum(bool(q.get("grounded")) for q in quotes),
        "evidence": len(with_evidence),
        "evidence_hit": hits,
    }


def _uplift_counts(changes: dict[str, float], targeted: str | None) -> dict[str, float]:
    """The uplift sums of one conversation; zero when it has no usable uplift (no rewrite, or the
    targeted dimension not rated before and after)."""
    if targeted is None or targeted not in changes:
        return {"uplift": 0, "target_change": 0, "has_other": 0, "other_change": 0, "harmed": 0}
    others = [c for d, c in changes.items() if d != targeted]
    return {
        "uplift": 1,
        "target_change": changes[targeted],
        "has_other": int(bool(others)),
        "other_change": float(np.mean(others)) if others else 0.0,
        "harmed": int(any(c < 0 for c in others)),
    }


def within_budget(improvements: list[str], words: list[int], budget: int) -> list[str]:
    """The improvements (first occurrences) whose words, counted from the first improvement on,
    fit within `budget`; `words` is each listed improvement's own count, in order."""
    kept, spent = [], 0
    for dim, used in zip(improvements, words, strict=True):
        spent += used
        if spent > budget:
            break
        kept.append(dim)
    return list(dict.fromkeys(kept))


def _conversation(
    item: str, row: pd.Series, reference: Profile, dims: list[str], rubric: Rubric, evidence: Evidence, budget: int
) -> tuple[dict[str, float], list[str], list[str], list[str], dict[str, float], str | None]:
    """One conversation's sums, its improvements (first occurrences, in order), the first k of
    them, those within the word budget, its oriented changes and the dimension its rewrite
    targeted (None without an uplift)."""
    listed = as_list(row["improvements"])
    improvements = list(dict.fromkeys(listed))
    spent = as_list(row.get("improvement_words"))
    budgeted = within_budget(listed, spent, budget) if len(spent) == len(listed) else []
    praised = set(as_list(row["praised"]))
    first = improvements[: len(reference.problems)]
    prioritised = bool(improvements) and bool(reference.worst)
    words = NAN if pd.isna(row["words"]) else float(row["words"])
    uplift = row["uplift"] if isinstance(row["uplift"], Mapping) else None
    changes = oriented_changes(uplift, rubric, dims) if uplift else {}
    targeted = str(uplift["targeted"]) if uplift and str(uplift["targeted"]) in changes else None
    sums = {
        "praised": len(praised),
        "praised_strength": len(praised & reference.strengths),
        "praised_problem": len(praised & reference.problems),
        "prioritised": int(prioritised),
        "first_in_worst": int(prioritised and improvements[0] in reference.worst),
        "words": 0.0 if np.isnan(words) else words,
        "has_words": int(not np.isnan(words)),
        **_quote_counts(item, as_list(row["quotes"]), evidence),
        **_uplift_counts(changes, targeted),
    }
    return sums, improvements, first, budgeted, changes, targeted


def conversations(
    feedback: pd.DataFrame,
    reference: Mapping[str, Profile],
    dims: list[str],
    rubric: Rubric,
    evidence: Evidence,
    budget: int = WORD_BUDGET,
) -> Conversations:
    """The per-conversation counts of the feedback rows with a reference profile, in the
    reference's order."""
    rows = {str(item): row for item, row in feedback.iterrows()}
    items = [item for item in reference if item in rows]
    shape = (len(items), len(dims))
    predicted, actual, truncated = np.zeros(shape, bool), np.zeros(shape, bool), np.zeros(shape, bool)
    budgeted = np.zeros(shape, bool)
    change, targeted = np.full(shape, np.nan), np.zeros(shape, bool)
    sums: dict[str, list[float]] = {}
    for i, item in enumerate(items):
        mine, improvements, first, within, changes, target = _conversation(
            item, rows[item], reference[item], dims, rubric, evidence, budget
        )
        for name, value in mine.items():
            sums.setdefault(name, []).append(value)
        for j, dim in enumerate(dims):
            predicted[i, j], actual[i, j] = dim in improvements, dim in reference[item].problems
            truncated[i, j], targeted[i, j], budgeted[i, j] = dim in first, dim == target, dim in within
            if target is not None:
                change[i, j] = changes.get(dim, np.nan)
    names = {name for pair in RATIOS.values() for name in pair}
    arrays = {name: np.asarray(sums.get(name, []), float) for name in names}
    worded = "improvement_words" in feedback.columns and all(
        len(as_list(rows[i].get("improvement_words"))) == len(as_list(rows[i]["improvements"])) for i in items
    )
    return Conversations(items, dims, predicted, actual, truncated, budgeted, bool(worded), arrays, change, targeted)
