"""Preference labels in the canonical long format: one row per choice of one rater between two
items of the same framework on one criterion (a rubric dimension or `overall`).

    pair_id, item_a, item_b, framework, criterion, rater_id, rater_group, choice, derived

`choice` is `a`, `b` or `tie`. `derived` says where a choice came from: "" when a person (or a
judge) picked one side, `ratings` when the project derived it from that rater's own ratings
(the derived Lend an Ear preferences are our construction, not the authors'), and for a
released item-level label the column it came from (AnnoMI: `mi_quality`).

Derivation: a rater prefers the item it rated better on the criterion: higher on a
prescriptive dimension, lower on a proscriptive one, higher on the overall score (prescriptive
minus proscriptive); equal scores are a tie. The reference of a task is the strict majority
of its experts' choices; a pair without one (the three experts choose a, b and tie) has no
reference and is left out of every statistic, and counted.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from empathy_bench.core.errors import InputError
from empathy_bench.sources.rubric import Rubric

Choice = Literal["a", "b", "tie"]
CHOICES: tuple[Choice, ...] = ("a", "b", "tie")
OVERALL = "overall"
PREFERENCE_COLUMNS = [
    "pair_id",
    "item_a",
    "item_b",
    "framework",
    "criterion",
    "rater_id",
    "rater_group",
    "choice",
    "derived",
]
PAIR_COLUMNS = ["pair_id", "item_a", "item_b", "framework"]
# What a pair is grouped by when pairs are formed within a group: an item metadata field, or
# `opener`, the text of the conversation's first turn (Lend an Ear's three seeker openers).
OPENER = "opener"


def empty_preferences() -> pd.DataFrame:
    return pd.DataFrame(columns=PREFERENCE_COLUMNS)


def majority(choices: Iterable[str]) -> Choice | None:
    """The choice more than half of the raters made; None when no choice has a strict majority
    (three experts choosing a, b and tie; two raters who disagree)."""
    counts = Counter(choices)
    total = sum(counts.values())
    for choice, n in counts.items():
        if n * 2 > total:
            return choice  # type: ignore[return-value]
    return None


def choice_from_scores(score_a: float, score_b: float) -> Choice:
    """Higher score wins; equal scores tie (scores already oriented so that more is better)."""
    if score_a > score_b:
        return "a"
    if score_b > score_a:
        return "b"
    return "tie"


def pair_id(item_a: str, item_b: str) -> str:
    return f"{item_a}|{item_b}"


def group_key(item: pd.Series, within: str) -> str:
    """The value items are grouped by before pairing."""
    if within == OPENER:
        turns = item["turns"]
        return str(turns[0]["text"]).strip() if turns else ""
    value = (item["metadata"] or {}).get(within)
    return "" if value is None else str(value).strip()


def pairs_within(items: pd.DataFrame, within: str, source: str = "the items file") -> pd.DataFrame:
    """Every unordered pair of items that share a group (item_a before item_b in item order):
    the pairs a fair comparison can be made on (same opener, same topic)."""
    rows = []
    groups: dict[str, list[str]] = {}
    for _, item in items.iterrows():
        groups.setdefault(group_key(item, within), []).append(str(item["item_id"]))
    if "" in groups:
        raise InputError(
            source,
            f"{len(groups[''])} items have no '{within}' to pair them by (e.g. {groups[''][0]})",
            f"give every item a '{within}' in its metadata, or pair by another field",
            where=f"pairing by '{within}'",
        )
    framework = str(items["framework"].iloc[0]) if len(items) else ""
    for key in sorted(groups):
        for a, b in itertools.combinations(groups[key], 2):
            rows.append({"pair_id": pair_id(a, b), "item_a": a, "item_b": b, "framework": framework, "group": key})
    pairs = pd.DataFrame(rows, columns=PAIR_COLUMNS + ["group"])
    if pairs["pair_id"].duplicated().any():
        clash = pairs[pairs["pair_id"].duplicated()]["pair_id"].iloc[0]
        raise InputError(
            source,
            f"two different pairs would both be named '{clash}' (an item id contains '|')",
            "rename the items so that no item id contains '|'",
            where=f"pairing by '{within}'",
        )
    return pairs


def oriented_scores(wide: pd.DataFrame, rubric: Rubric, criterion: str) -> pd.Series:
    """Per item (row of an items x dimensions table), the score on the criterion with more =
    better: the overall score, a prescriptive dimension as is, a proscriptive one negated."""
    if criterion == OVERALL:
        return rubric.overall_score(wide.reindex(columns=rubric.dimension_ids))
    sign = 1 if rubric.dimension(criterion).polarity == "prescriptive" else -1
    return wide[criterion] * sign if criterion in wide.columns else pd.Series(np.nan, index=wide.index)


def choices_from_ratings(
    pairs: pd.DataFrame, wide: pd.DataFrame, rubric: Rubric, criteria: list[str], rater_id: str, rater_group: str
) -> pd.DataFrame:
    """One rater's derived choice on every pair and criterion, from its items x dimensions
    ratings; a pair where either item has no score on the criterion gets no row."""
    rows = []
    for criterion in criteria:
        scores = oriented_scores(wide, rubric, criterion)
        for pair in pairs.itertuples():
            a, b = scores.get(pair.item_a, np.nan), scores.get(pair.item_b, np.nan)
            if pd.isna(a) or pd.isna(b):
                continue
            rows.append(
                {
                    "pair_id": pair.pair_id,
                    "item_a": pair.item_a,
                    "item_b": pair.item_b,
                    "framework": pair.framework,
                    "criterion": criterion,
                    "rater_id": rater_id,
                    "rater_group": rater_group,
                    "choice": choice_from_scores(float(a), float(b)),
                    "derived": "ratings",
                }
            )
    return pd.DataFrame(rows, columns=PREFERENCE_COLUMNS)


def score_gaps(pairs: pd.DataFrame, scores: pd.Series) -> pd.Series:
    """Per pair, score(item_a) - score(item_b) (NaN where either is missing), by pair_id."""
    a = scores.reindex(pairs["item_a"]).to_numpy(float)
    b = scores.reindex(pairs["item_b"]).to_numpy(float)
    return pd.Series(a - b, index=pairs["pair_id"].to_numpy(), name="gap")


def majority_reference(preferences: pd.DataFrame, group: str, criterion: str) -> pd.DataFrame:
    """Per pair, the strict majority of the group's choices on the criterion: columns
    pair_id, item_a, item_b, choice (None where the group has no majority), n_raters."""
    rows = preferences[(preferences.rater_group == group) & (preferences.criterion == criterion)]
    out = rows.groupby(["pair_id", "item_a", "item_b"], sort=False)["choice"].agg([majority, "size"]).reset_index()
    out = out.rename(columns={"majority": "choice", "size": "n_raters"})
    out["choice"] = out["choice"].astype(object).where(out["choice"].notna(), None)
    return out
