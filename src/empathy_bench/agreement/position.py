"""Position bias of a pairwise judge that saw each pair in both orders (Shi et al. 2024, "Judging
the Judges"): its slot verdicts in the two orders, position consistency, preference fairness and
flip rate, and the conservative choice (a side only when it won in both orders)."""

from __future__ import annotations

import pandas as pd

from empathy_bench.core.models import NAN, Record

ORDERS = ("ab", "ba")
# Slot verdicts (A = slot 1, B = slot 2, C = tie) of the item choices in each order: in order
# 'ba' item_a sits in slot B, so preferring it is a vote for the second slot.
SLOTS = {"ab": {"a": "A", "b": "B", "tie": "C"}, "ba": {"a": "B", "b": "A", "tie": "C"}}
# Patterns of (first order 'ab', swapped order 'ba') slot verdicts, after Shi et al.
CONSISTENT = ("AB", "BA", "CC")
PRIMACY = ("AA", "AC", "CA")
RECENCY = ("BB", "BC", "CB")
FLIPS = ("AA", "BB")  # the same slot in both orders: the two orders preferred opposite items


class PositionBias(Record):
    """Position statistics over the n pairs judged in both orders (Shi et al. 2024)."""

    n: int
    consistent: int  # slot patterns AB, BA, CC: the same item (or tie) in both orders
    primacy: int  # AA, AC, CA: leaning to the first slot
    recency: int  # BB, BC, CB: leaning to the second slot
    consistency: float  # PC = consistent / n
    fairness: float  # PF in [-1, 1]: negative = primacy, positive = recency, 0 = balanced
    flip_rate: float  # share of pairs with a full flip (AA or BB); a side-vs-tie change is not one


# --- position bias ----------------------------------------------------------------------------


def preference_fairness(primacy: int, recency: int, comparisons: int) -> float:
    """Shi et al.'s preference fairness PF = 2(raw + S)/(2S) - 1, raw = r^2/(p+r) - p^2/(p+r)
    (raw = 0 when p + r = 0), S = comparisons; algebraically (r - p) / S. NaN when S = 0."""
    if comparisons == 0:
        return NAN
    p, r = primacy, recency
    raw = (r * r - p * p) / (p + r) if p + r else 0.0
    return 2 * (raw + comparisons) / (2 * comparisons) - 1


def both_orders(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Per pair judged in both orders (index pair_id), its item choice in order 'ab' and in
    order 'ba'. Pairs scored in one order only are left out."""
    swapped = verdicts[verdicts["order"].isin(ORDERS)]
    if swapped.duplicated(["pair_id", "order"]).any():
        raise ValueError("more than one verdict for a pair in one order: pass one verdict per pair and order")
    wide = swapped.pivot(index="pair_id", columns="order", values="choice")
    return wide.reindex(columns=list(ORDERS)).dropna()


def slot_patterns(verdicts: pd.DataFrame) -> pd.Series:
    """Per pair judged in both orders, its two slot verdicts, first order first ('AB', 'CA')."""
    both = both_orders(verdicts)
    return (both["ab"].map(SLOTS["ab"]) + both["ba"].map(SLOTS["ba"])).astype(str)


def position_bias(verdicts: pd.DataFrame) -> PositionBias | None:
    """Position consistency, preference fairness and flip rate over the pairs judged in both
    orders; None when there is none. The flip rate is the share of those pairs where the two
    orders preferred opposite items (slot patterns AA and BB); a side in one order and a tie in
    the other is an inconsistency but not a flip."""
    patterns = slot_patterns(verdicts)
    n = len(patterns)
    if n == 0:
        return None
    consistent, primacy, recency = (int(patterns.isin(group).sum()) for group in (CONSISTENT, PRIMACY, RECENCY))
    return PositionBias(
        n=n,
        consistent=consistent,
        primacy=primacy,
        recency=recency,
        consistency=consistent / (consistent + primacy + recency),
        fairness=preference_fairness(primacy, recency, n),
        flip_rate=float(patterns.isin(FLIPS).mean()),
    )


def conservative_choices(verdicts: pd.DataFrame) -> pd.Series:
    """Per pair judged in both orders (index pair_id), the side that won in both orders, else
    'tie': a judge that changes its mind when the slots swap has no preference we can trust."""
    both = both_orders(verdicts)
    return both["ab"].where(both["ab"] == both["ba"], "tie").rename("choice")
