"""Pairwise agreement statistics against values worked out by hand (arithmetic in the comments).

Slots: A = slot 1, B = slot 2, C = tie. Verdicts are in item terms, so in order 'ab' item
choice 'a' is slot A and in order 'ba' (item_b in slot A) item choice 'a' is slot B.

Unweighted Cohen's kappa from a 3x3 confusion matrix (rows: reference a/b/tie, columns: rater):
    po = trace / N,  pe = sum_k row_k * col_k / N^2,  kappa = (po - pe) / (1 - pe)

Kappa counts every verdict in both orientations: the matrix M of the verdicts as recorded plus
its swap (rows a <-> b and columns a <-> b). For n verdicts, N = 2n; the rows a and b of the
doubled matrix both sum to s_r (the verdicts whose reference is a side), row tie to 2 t_r
(reference ties), and likewise the columns: s_c and 2 t_c for the rater. So
    po = (agreeing verdicts) / n,  pe = (s_r * s_c / 2 + t_r * t_c) / n^2
and without ties (t_r = t_c = 0, s = n): pe = 1/2 and kappa = 2 * accuracy - 1.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from empathy_bench.agreement.choice_scores import (
    GapBin,
    accuracy_from_confusion,
    agreement_by_gap,
    choice_kappa,
    judged,
    kappa_from_confusion,
    pair_cells,
    scores,
    weighted_confusion,
)
from empathy_bench.agreement.pair_bootstrap import cluster_weights, pair_weights
from empathy_bench.agreement.position import (
    PositionBias,
    conservative_choices,
    position_bias,
    preference_fairness,
    slot_patterns,
)
from empathy_bench.agreement.preference import (
    PreferenceAgreement,
    leave_one_out_gaps,
    preference_agreement,
    preference_ceiling,
)
from empathy_bench.agreement.stats import percentile_ci, resample_indices

NAN = float("nan")


def two_orders(*pairs: tuple[str, str]) -> pd.DataFrame:
    """Verdicts of pairs p0, p1, ... as (choice in order ab, choice in order ba)."""
    rows = []
    for i, (ab, ba) in enumerate(pairs):
        rows += [{"pair_id": f"p{i}", "order": "ab", "choice": ab}, {"pair_id": f"p{i}", "order": "ba", "choice": ba}]
    return pd.DataFrame(rows)


def doubled(choices: list[str]) -> list[str]:
    """The choices followed by their swap (a <-> b, tie stays): both orientations."""
    return list(choices) + [{"a": "b", "b": "a", "tie": "tie"}[c] for c in choices]


def ratings(**choices: str) -> pd.DataFrame:
    """One derived verdict per pair (order 'ratings')."""
    return pd.DataFrame([{"pair_id": p, "order": "ratings", "choice": c} for p, c in choices.items()])


def reference_table(choices: dict[str, str | None], gaps: dict[str, float] | None = None) -> pd.DataFrame:
    """Reference rows for pairs named p*, each pair of its own two items."""
    return pd.DataFrame(
        [
            {"pair_id": p, "item_a": f"{p}x", "item_b": f"{p}y", "choice": c, "gap": (gaps or {}).get(p, NAN)}
            for p, c in choices.items()
        ]
    )


# ---------------------------------------------------------------- position bias


def test_preference_fairness_by_hand() -> None:
    # p = 3, r = 1, S = 6: raw = 1/4 - 9/4 = -2; PF = 2(-2 + 6)/12 - 1 = 8/12 - 1 = -1/3
    assert preference_fairness(3, 1, 6) == pytest.approx(-1 / 3, abs=1e-12)
    # p = 1, r = 3, S = 10: raw = 9/4 - 1/4 = 2; PF = 2(2 + 10)/20 - 1 = 0.2
    assert preference_fairness(1, 3, 10) == pytest.approx(0.2, abs=1e-12)
    # p + r = 0: raw = 0, PF = 2S/2S - 1 = 0
    assert preference_fairness(0, 0, 5) == 0
    assert math.isnan(preference_fairness(0, 0, 0))


def test_always_first_slot_judge() -> None:
    # item 'a' in order ab (slot A) and item 'b' in order ba (slot A): AA on all 4 pairs
    # PC = 0/4; p = 4, r = 0: raw = 0 - 16/4 = -4, PF = 2(-4 + 4)/8 - 1 = -1; every pair flips
    stats = position_bias(two_orders(*[("a", "b")] * 4))
    assert stats == PositionBias(n=4, consistent=0, primacy=4, recency=0, consistency=0.0, fairness=-1.0, flip_rate=1.0)


def test_always_second_slot_judge() -> None:
    # item 'b' in order ab (slot B), item 'a' in order ba (slot B): BB on all 3 pairs
    # r = 3: raw = 9/3 - 0 = 3, PF = 2(3 + 3)/6 - 1 = 1
    stats = position_bias(two_orders(*[("b", "a")] * 3))
    assert stats is not None
    assert (stats.recency, stats.consistency, stats.fairness, stats.flip_rate) == (3, 0.0, 1.0, 1.0)


def test_content_judge_is_consistent_and_fair() -> None:
    # the same item (or tie) in both orders: AB, BA, CC. PC = 3/3; p = r = 0: PF = 0; no flip
    stats = position_bias(two_orders(("a", "a"), ("b", "b"), ("tie", "tie")))
    assert stats is not None
    assert (stats.consistent, stats.consistency, stats.fairness, stats.flip_rate) == (3, 1.0, 0.0, 0.0)


def test_a_swap_swaps() -> None:
    # item 'a' preferred in both orders sits in slot A first, then in slot B
    assert slot_patterns(two_orders(("a", "a"))).tolist() == ["AB"]
    assert slot_patterns(two_orders(("a", "b"))).tolist() == ["AA"]


def test_tie_patterns() -> None:
    # ab tie / ba b -> CA; ab a / ba tie -> AC; ab b / ba tie -> BC; ab tie / ba a -> CB; tie/tie -> CC
    verdicts = two_orders(("tie", "b"), ("a", "tie"), ("b", "tie"), ("tie", "a"), ("tie", "tie"))
    assert slot_patterns(verdicts).tolist() == ["CA", "AC", "BC", "CB", "CC"]
    stats = position_bias(verdicts)
    assert stats is not None
    # consistent CC = 1, primacy CA AC = 2, recency BC CB = 2; no AA/BB: flip rate 0
    assert (stats.consistent, stats.primacy, stats.recency, stats.flip_rate) == (1, 2, 2, 0.0)


def test_mixed_sequence_by_hand() -> None:
    # AB, CC consistent (2); AA, AC, CA primacy (3); BC recency (1); S = 6
    verdicts = two_orders(("a", "a"), ("tie", "tie"), ("a", "b"), ("a", "tie"), ("tie", "b"), ("b", "tie"))
    stats = position_bias(verdicts)
    assert stats is not None
    assert (stats.n, stats.consistent, stats.primacy, stats.recency) == (6, 2, 3, 1)
    assert stats.consistency == pytest.approx(2 / 6, abs=1e-12)
    # raw = 1/4 - 9/4 = -2; PF = 2(-2 + 6)/12 - 1 = -1/3
    assert stats.fairness == pytest.approx(-1 / 3, abs=1e-12)
    assert stats.flip_rate == pytest.approx(1 / 6, abs=1e-12)  # AA only; AC, CA, BC are not flips


def test_pairs_in_one_order_are_left_out() -> None:
    verdicts = pd.concat([two_orders(("a", "a")), pd.DataFrame([{"pair_id": "q", "order": "ab", "choice": "a"}])])
    stats = position_bias(verdicts)
    assert stats is not None and stats.n == 1
    assert position_bias(ratings(p0="a")) is None


def test_repeated_verdicts_in_one_order_are_refused() -> None:
    verdicts = pd.concat([two_orders(("a", "a")), two_orders(("b", "b"))])
    with pytest.raises(ValueError, match="one verdict per pair and order"):
        position_bias(verdicts)


def test_conservative_choices() -> None:
    verdicts = two_orders(("a", "a"), ("a", "tie"), ("a", "b"), ("tie", "tie"), ("b", "b"))
    verdicts = pd.concat([verdicts, pd.DataFrame([{"pair_id": "q", "order": "ab", "choice": "a"}])])
    assert conservative_choices(verdicts).to_dict() == {"p0": "a", "p1": "tie", "p2": "tie", "p3": "tie", "p4": "b"}


# ---------------------------------------------------------------- cluster bootstrap weights


def test_pair_weights_are_products_of_multiplicities() -> None:
    reference = pd.DataFrame({"pair_id": ["xy", "xz", "yz", "zw"], "item_a": list("xxyz"), "item_b": list("yzzw")})
    counts = pd.DataFrame(
        [{"x": 2, "y": 1, "z": 0, "w": 3}, {"x": 1, "y": 1, "z": 1, "w": 1}, {"y": 2, "z": 3, "w": 1}]
    )
    # row 0: xy 2*1 = 2, xz 2*0 = 0, yz 1*0 = 0, zw 0*3 = 0
    # row 1: every item once -> every pair once
    # row 2: x not drawn (absent = 0): xy 0, xz 0, yz 2*3 = 6, zw 3*1 = 3
    expected = [[2, 0, 0, 0], [1, 1, 1, 1], [0, 0, 6, 3]]
    np.testing.assert_array_equal(pair_weights(counts, reference), expected)


def test_cluster_weights_resample_items_with_the_shared_seed() -> None:
    reference = pd.DataFrame({"pair_id": ["xy", "xz", "yz", "zw"], "item_a": list("xxyz"), "item_b": list("yzzw")})
    weights = cluster_weights(reference, n_resamples=50, seed=3)
    assert weights.shape == (50, 4)
    np.testing.assert_array_equal(weights, cluster_weights(reference, n_resamples=50, seed=3))
    # the draws are resample_indices over the sorted items w, x, y, z
    draws = resample_indices(4, 50, 3)
    counts = pd.DataFrame([np.bincount(row, minlength=4) for row in draws], columns=list("wxyz"))
    np.testing.assert_array_equal(weights, pair_weights(counts, reference))


# ---------------------------------------------------------------- accuracy and kappa


@pytest.fixture
def rated() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A from-ratings rater on 7 pairs with a reference, one pair without one (p7) and one
    verdict on a pair outside the reference table (p8)."""
    reference = reference_table(
        {"p1": "a", "p2": "a", "p3": "b", "p4": "b", "p5": "tie", "p6": "tie", "p7": None, "p9": "a"}
    )
    verdicts = ratings(p1="a", p2="b", p3="b", p4="tie", p5="tie", p6="a", p7="a", p8="a", p9="a")
    return reference, verdicts


def test_accuracy_and_kappa_by_hand(rated: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    reference, verdicts = rated
    row = preference_agreement("t", "r", "run", verdicts, reference, from_ratings=True, n_resamples=200)
    # side references p1 a=a (1), p2 a!=b (0), p3 b=b (1), p4 b vs tie (half), p9 a=a (1) -> 3.5/5
    assert row.accuracy == pytest.approx(3.5 / 5, abs=1e-12)
    # strict: the tie on p4 is wrong -> 3/5
    assert row.accuracy_strict == pytest.approx(3 / 5, abs=1e-12)
    # confusion as recorded (rows ref a/b/tie, cols rater a/b/tie):
    #   a: p1 a, p2 b, p9 a -> [2, 1, 0];  b: p3 b, p4 tie -> [0, 1, 1];  tie: p5 tie, p6 a -> [1, 0, 1]
    # swapped (a <-> b in both): a: p3 a, p4 tie -> [1, 0, 1];  b: p1 b, p2 a, p9 b -> [1, 2, 0];
    #   tie: p5 tie, p6 b -> [0, 1, 1]
    # sum: a [3, 1, 1], b [1, 3, 1], tie [1, 1, 2]; N = 14, trace = 3 + 3 + 2 = 8 -> po = 8/14 = 4/7
    # rows 5 5 4, cols 5 5 4 -> pe = (25 + 25 + 16)/196 = 33/98 (= (5*5/2 + 2*2)/49)
    # kappa = (56/98 - 33/98) / (65/98) = 23/65
    assert row.kappa == pytest.approx(23 / 65, abs=1e-12)
    assert (row.n_pairs, row.n_verdicts, row.n_no_reference) == (7, 7, 1)
    # the accuracies' n: the side references p1-p4, p9 (kappa's n adds the tie references p5, p6)
    assert (row.n_decisive, row.n_decisive_verdicts) == (5, 5)
    assert row.position is None and math.isnan(row.accuracy_conservative)
    assert row.notes == [
        "1 pairs have no reference (no strict majority) and are left out",
        "1 verdicts on pairs outside the reference table are left out",
    ]


def test_a_tie_counts_half_against_a_decisive_reference() -> None:
    # 4 decisive references; verdicts a (right), tie, b (wrong), tie
    reference = reference_table({"p1": "a", "p2": "a", "p3": "a", "p4": "b"})
    row = preference_agreement(
        "t", "r", "run", ratings(p1="a", p2="tie", p3="b", p4="tie"), reference, from_ratings=True, n_resamples=200
    )
    # tie half: (1 + 0.5 + 0 + 0.5)/4 = 0.5; strict (a tie is wrong): 1/4
    assert row.accuracy == pytest.approx(0.5, abs=1e-12)
    assert row.accuracy_strict == pytest.approx(0.25, abs=1e-12)
    assert (row.n_pairs, row.n_decisive, row.n_decisive_verdicts) == (4, 4, 4)
    assert row.accuracy_low <= row.accuracy <= row.accuracy_high
    assert row.accuracy_strict_low <= row.accuracy_strict <= row.accuracy_strict_high


def test_a_rater_that_always_says_tie_scores_what_always_a_scores() -> None:
    # references a, b, a, b and a tie (kappa's only): always tie -> 4 x 0.5 / 4 = 0.5 on every
    # cluster draw; always a -> 2/4 (a draw may take more a than b pairs: an interval around 0.5)
    reference = reference_table({"p0": "a", "p1": "b", "p2": "a", "p3": "b", "p4": "tie"})
    tie = preference_agreement("t", "tie", "run", two_orders(*[("tie", "tie")] * 5), reference, n_resamples=200)
    first = preference_agreement("t", "a", "run", two_orders(*[("a", "b")] * 5), reference, n_resamples=200)
    assert (tie.accuracy, tie.accuracy_low, tie.accuracy_high) == (0.5, 0.5, 0.5)
    assert tie.accuracy_strict == 0 and tie.accuracy_conservative == 0.5
    assert first.accuracy == 0.5 and first.accuracy_conservative == 0.5  # never wins both orders: a tie, half
    assert (tie.n_pairs, tie.n_verdicts, tie.n_decisive, tie.n_decisive_verdicts) == (5, 10, 4, 8)


def test_weighted_statistics_of_one_resample_by_hand(rated: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    reference, verdicts = rated
    # reference rows p1..p7, p9: p1 drawn twice over, p2 out, the rest once (p7 has no reference)
    weights = np.array([[2, 0, 1, 1, 1, 1, 1, 1]], dtype=float)
    s = scores(judged(reference, verdicts), weights)
    # side references: p1 right x2, p2 out, p3 right, p4 a tie (half), p9 right -> 4.5/5; strict 4/5
    assert s.accuracy_draws[0] == pytest.approx(4.5 / 5, abs=1e-12)
    assert s.accuracy_strict_draws[0] == pytest.approx(4 / 5, abs=1e-12)
    # as recorded: a: [2 + 1, 0, 0]; b: [0, 1, 1]; tie: [1, 0, 1]
    # swapped: a: [1, 0, 1] (p3, p4); b: [0, 2 + 1, 0] (p1 x2, p9); tie: [0, 1, 1] (p6, p5)
    # sum: a [4, 0, 1], b [0, 4, 1], tie [1, 1, 2]; N = 14, trace = 10 -> po = 5/7 = 70/98
    # rows 5 5 4, cols 5 5 4: pe = (25 + 25 + 16)/196 = 33/98; kappa = (70 - 33)/(98 - 33) = 37/65
    assert s.kappa_draws[0] == pytest.approx(37 / 65, abs=1e-12)
    # the same as scikit-learn on the resample written out (p1 twice, p2 gone), both orientations
    ref, mine = ["a", "a", "b", "b", "tie", "tie", "a"], ["a", "a", "b", "tie", "tie", "a", "a"]
    expected = cohen_kappa_score(doubled(ref), doubled(mine), labels=["a", "b", "tie"])
    assert s.kappa_draws[0] == pytest.approx(expected, abs=1e-12)


def test_weighted_kappa_with_unit_weights_is_sklearn() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        ref = pd.Series(rng.choice(["a", "b", "tie"], size=40))
        mine = pd.Series(rng.choice(["a", "b", "tie"], size=40))
        confusion = weighted_confusion(pair_cells(np.arange(40), ref, mine, 40), np.ones((1, 40)))
        expected = cohen_kappa_score(doubled(ref), doubled(mine), labels=["a", "b", "tie"])
        assert kappa_from_confusion(confusion)[0] == pytest.approx(expected, abs=1e-12)
        assert choice_kappa(ref, mine) == pytest.approx(expected, abs=1e-12)
        sided = ref != "tie"
        right, tied = (ref[sided] == mine[sided]).mean(), (mine[sided] == "tie").mean()
        assert accuracy_from_confusion(confusion)[0] == pytest.approx(right + tied / 2, abs=1e-12)
        assert accuracy_from_confusion(confusion, tie=0.0)[0] == pytest.approx(right, abs=1e-12)


def test_integer_weights_equal_repeated_verdicts() -> None:
    rng = np.random.default_rng(11)
    ref = pd.Series(rng.choice(["a", "b", "tie"], size=30))
    mine = pd.Series(rng.choice(["a", "b", "tie"], size=30))
    w = rng.integers(0, 4, size=30)
    confusion = weighted_confusion(pair_cells(np.arange(30), ref, mine, 30), w[None, :].astype(float))
    repeated_ref, repeated_mine = list(np.repeat(ref, w)), list(np.repeat(mine, w))
    expected = cohen_kappa_score(doubled(repeated_ref), doubled(repeated_mine), labels=["a", "b", "tie"])
    assert kappa_from_confusion(confusion)[0] == pytest.approx(expected, abs=1e-12)


def test_kappa_without_ties_is_twice_accuracy_minus_one() -> None:
    # no tie on either side: pe = (n * n / 2 + 0)/n^2 = 1/2, so kappa = (acc - 1/2)/(1/2) = 2 acc - 1
    rng = np.random.default_rng(3)
    for _ in range(10):
        ref = pd.Series(rng.choice(["a", "b"], size=25, p=[0.8, 0.2]))
        mine = pd.Series(rng.choice(["a", "b"], size=25))
        assert choice_kappa(ref, mine) == pytest.approx(2 * (ref == mine).mean() - 1, abs=1e-12)
    # 4 of 5 right: 2 * 4/5 - 1 = 3/5, whatever the a/b balance of the reference
    assert choice_kappa(pd.Series(list("aaaaa")), pd.Series(list("aaaab"))) == pytest.approx(3 / 5, abs=1e-12)
    assert choice_kappa(pd.Series(list("ababa")), pd.Series(list("abbba"))) == pytest.approx(3 / 5, abs=1e-12)


def test_better_item_first_and_file_order_give_the_same_kappa() -> None:
    # A judge 80% right (no ties). File order: reference a b a b a, judge a b a b b.
    # Better item first: the same pairs, p2 and p4 swapped: reference a a a a a, judge a a a a b.
    # One orientation, file order: po = 4/5, rows 3 2, cols 2 3: pe = (6 + 6)/25 = 12/25,
    #   kappa = (20/25 - 12/25)/(13/25) = 8/13; better first: pe = 5 * 4/25 = 4/5 = po, kappa 0.
    # Both orientations: 2 * 4/5 - 1 = 3/5 either way.
    file_ref, file_mine = pd.Series(list("ababa")), pd.Series(list("ababb"))
    first_ref, first_mine = pd.Series(list("aaaaa")), pd.Series(list("aaaab"))
    assert cohen_kappa_score(file_ref, file_mine) == pytest.approx(8 / 13, abs=1e-12)
    assert cohen_kappa_score(first_ref, first_mine) == 0
    assert choice_kappa(file_ref, file_mine) == pytest.approx(3 / 5, abs=1e-12)
    assert choice_kappa(first_ref, first_mine) == pytest.approx(3 / 5, abs=1e-12)


def test_kappa_is_invariant_to_the_orientation_of_any_pairs() -> None:
    reference, verdicts = synthetic(seed=2)
    base = preference_agreement("t", "j", "run", verdicts, reference, n_resamples=200, seed=1)
    rng = np.random.default_rng(9)
    swap = {"a": "b", "b": "a", "tie": "tie"}
    for _ in range(5):
        flip = set(reference["pair_id"][rng.random(len(reference)) < 0.5])
        ref = reference.copy()
        turned = ref["pair_id"].isin(flip)
        ref.loc[turned, ["item_a", "item_b"]] = ref.loc[turned, ["item_b", "item_a"]].to_numpy()
        ref.loc[turned, "choice"] = ref.loc[turned, "choice"].map(swap)
        ref.loc[turned, "gap"] = -ref.loc[turned, "gap"]
        mine = verdicts.copy()
        # the pair's orientation turns: item choices a <-> b, and order ab (old item_a first) is now ba
        mine.loc[mine["pair_id"].isin(flip), "choice"] = mine.loc[mine["pair_id"].isin(flip), "choice"].map(swap)
        mine.loc[mine["pair_id"].isin(flip), "order"] = mine.loc[mine["pair_id"].isin(flip), "order"].map(
            {"ab": "ba", "ba": "ab"}
        )
        row = preference_agreement("t", "j", "run", mine, ref, n_resamples=200, seed=1)
        for field in ("kappa", "kappa_low", "kappa_high", "accuracy", "accuracy_low", "accuracy_high"):
            assert getattr(row, field) == pytest.approx(getattr(base, field), abs=1e-12), field
        assert row.position == base.position


def test_undefined_kappa_is_nan() -> None:
    # a constant side is no longer constant once swapped: a a / a a is a a b b / a a b b, kappa 1
    assert choice_kappa(pd.Series(["a", "a"]), pd.Series(["a", "a"])) == 1
    assert math.isnan(choice_kappa(pd.Series(["tie", "tie"]), pd.Series(["tie", "tie"])))  # both all ties: 0/0
    assert math.isnan(choice_kappa(pd.Series([], dtype=object), pd.Series([], dtype=object)))
    assert np.isnan(kappa_from_confusion(np.zeros((1, 3, 3)))).all()
    assert np.isnan(accuracy_from_confusion(np.zeros((1, 3, 3)))).all()


def test_judge_of_both_orders_by_hand() -> None:
    reference = reference_table({"p0": "a", "p1": "b", "p2": "tie"})
    verdicts = two_orders(("a", "a"), ("b", "a"), ("tie", "a"))
    row = preference_agreement("t", "j", "run", verdicts, reference, n_resamples=200)
    # verdicts on side references: p0 a, a (2 right); p1 b (right), a (wrong) -> 3/4
    assert row.accuracy == pytest.approx(3 / 4, abs=1e-12)
    # as recorded: a: [2, 0, 0]; b: [1, 1, 0]; tie: [1, 0, 1]
    # swapped: a: [1, 1, 0] (p1 b -> a, a -> b); b: [0, 2, 0] (p0); tie: [0, 1, 1] (p2 tie, a -> b)
    # sum: a [3, 1, 0], b [1, 3, 0], tie [1, 1, 2]; N = 12, trace = 8 -> po = 2/3
    # rows 4 4 4, cols 5 5 2: pe = (20 + 20 + 8)/144 = 1/3; kappa = (2/3 - 1/3)/(2/3) = 1/2
    assert row.kappa == pytest.approx(1 / 2, abs=1e-12)
    # conservative: p0 a (right), p1 tie (half against b); p2's tie reference left out -> 1.5/2
    assert row.accuracy_conservative == pytest.approx(3 / 4, abs=1e-12)
    # slots: p0 AB (consistent), p1 BB (recency, a flip), p2 CB (recency)
    # PC = 1/3; raw = 4/2 - 0 = 2, PF = 2(2 + 3)/6 - 1 = 2/3; flip 1/3
    assert row.position is not None
    assert row.position.consistency == pytest.approx(1 / 3, abs=1e-12)
    assert row.position.fairness == pytest.approx(2 / 3, abs=1e-12)
    assert row.position.flip_rate == pytest.approx(1 / 3, abs=1e-12)
    assert (row.n_pairs, row.n_verdicts, row.n_no_reference) == (3, 6, 0)
    assert (row.n_decisive, row.n_decisive_verdicts) == (2, 4)  # p2's tie reference is kappa's only


def test_position_leaves_out_pairs_without_reference() -> None:
    reference = reference_table({"p0": "a", "p1": None})
    row = preference_agreement("t", "j", "run", two_orders(("a", "a"), ("a", "b")), reference, n_resamples=50)
    assert row.position is not None and row.position.n == 1 and row.position.flip_rate == 0


def test_invalid_choices_and_orders_are_refused() -> None:
    reference = reference_table({"p0": "a"})
    with pytest.raises(ValueError, match="choices"):
        preference_agreement("t", "j", "run", ratings(p0="A"), reference)
    bad_order = pd.DataFrame([{"pair_id": "p0", "order": "swap", "choice": "a"}])
    with pytest.raises(ValueError, match="orders"):
        preference_agreement("t", "j", "run", bad_order, reference)


def synthetic(n_items: int = 12, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every pair of n items, referenced by item scores; a judge right 80% of the time."""
    rng = np.random.default_rng(seed)
    score = rng.integers(0, 5, size=n_items)
    rows, verdicts = [], []
    for i, j in itertools.combinations(range(n_items), 2):
        truth = "a" if score[i] > score[j] else "b" if score[j] > score[i] else "tie"
        rows.append({"pair_id": f"{i}|{j}", "item_a": f"i{i}", "item_b": f"i{j}", "choice": truth, "gap": 0.0})
        for order in ("ab", "ba"):
            choice = truth if rng.random() < 0.8 else str(rng.choice(["a", "b", "tie"]))
            verdicts.append({"pair_id": f"{i}|{j}", "order": order, "choice": choice})
    return pd.DataFrame(rows), pd.DataFrame(verdicts)


def test_bootstrap_interval_contains_the_estimate_and_is_seeded() -> None:
    reference, verdicts = synthetic()
    row = preference_agreement("t", "j", "run", verdicts, reference, n_resamples=300, seed=5)
    assert row.accuracy_low <= row.accuracy <= row.accuracy_high
    assert row.kappa_low <= row.kappa <= row.kappa_high
    again = preference_agreement("t", "j", "run", verdicts, reference, n_resamples=300, seed=5)
    assert (again.accuracy_low, again.kappa_high) == (row.accuracy_low, row.kappa_high)
    other = preference_agreement("t", "j", "run", verdicts, reference, n_resamples=300, seed=6)
    assert (other.accuracy_low, other.kappa_high) != (row.accuracy_low, row.kappa_high)


# ---------------------------------------------------------------- agreement by gap


def test_agreement_by_gap_by_hand() -> None:
    choices = {"p1": "tie", "p2": "a", "p3": "b", "p4": "a", "p5": "a", "p6": "a", "p7": "a", "p8": "a", "p9": "b"}
    gaps = {"p1": 0, "p2": 0, "p3": -2, "p4": 3, "p5": 5, "p6": 14, "p7": 13.5, "p9": 13}  # p8: no gap
    verdicts = ratings(p1="a", p2="b", p3="b", p4="b", p5="a", p6="a", p7="b", p8="a", p9="b")
    bins = agreement_by_gap(verdicts, reference_table(choices, gaps))
    # "0": p2 wrong (p1's tie reference left out) -> 0/1
    # "1-3": |-2| p3 right, 3 p4 wrong -> 1/2;  "4-6": p5 right -> 1/1;  "7-9": none -> NaN
    # "10-13": 13 p9 right -> 1/1;  ">13": 14 p6 right, 13.5 p7 wrong -> 1/2;  p8 (no gap) in no bin
    assert [(b.label, b.n) for b in bins] == [("0", 1), ("1-3", 2), ("4-6", 1), ("7-9", 0), ("10-13", 1), (">13", 2)]
    np.testing.assert_allclose([b.accuracy for b in bins], [0, 0.5, 1, NAN, 1, 0.5])
    assert bins[-1].low == 14 and bins[-1].high is None


def test_agreement_by_gap_is_empty_without_gaps() -> None:
    assert agreement_by_gap(ratings(p1="a"), reference_table({"p1": "a"})) == []


# ---------------------------------------------------------------- human ceiling


PANEL = {  # pair: choices of experts e1, e2, e3
    "p1": "a a a",
    "p2": "b b b",
    "p3": "tie tie tie",
    "p4": "a b b",
    "p5": "b a a",
    "p6": "a b tie",  # no majority: no reference
    "p7": "a a b",
    "p8": "tie b b",
}
PANEL_REFERENCE = {"p1": "a", "p2": "b", "p3": "tie", "p4": "b", "p5": "a", "p6": None, "p7": "a", "p8": "b"}
PANEL_GAPS = {"p1": 2, "p2": -2, "p3": 0, "p4": -5, "p5": 5, "p6": 1, "p7": 3, "p8": -20}


def panel(experts: tuple[str, ...] = ("e1", "e2", "e3")) -> pd.DataFrame:
    rows = []
    for pair, choices in PANEL.items():
        for expert, choice in zip(("e1", "e2", "e3"), choices.split(), strict=True):
            if expert in experts:
                rows.append({"pair_id": pair, "rater_id": expert, "choice": choice})
    return pd.DataFrame(rows)


def test_ceiling_by_hand() -> None:
    row = preference_ceiling("t", panel(), reference_table(PANEL_REFERENCE, PANEL_GAPS), n_resamples=200)
    assert row is not None
    # e1 against e2+e3: p1 a (right), p2 b (right), p3 tie (tie ref), p4 b (e1 a: wrong),
    #   p5 a (e1 b: wrong), p8 b (e1 tie: half); p7 (a vs b) left out -> accuracy 2.5/5 (strict 2/5)
    #   as recorded a: [1, 1, 0], b: [1, 1, 1], tie: [0, 0, 1]; swapped a: [1, 1, 1], b: [1, 1, 0],
    #   tie: [0, 0, 1]; sum a [2, 2, 1], b [2, 2, 1], tie [0, 0, 2]; N = 12, trace 6: po = 1/2
    #   rows 5 5 2, cols 4 4 4: pe = (20 + 20 + 8)/144 = 1/3 -> kappa = (1/2 - 1/3)/(2/3) = 1/4
    # e2 against e1+e3: only p1 a, p2 b, p3 tie agree -> all right: accuracy 2/2, kappa 1
    # e3 against e1+e2: p1 a right, p2 b right, p3 tie, p7 a (e3 b: wrong) -> accuracy 2/3
    #   as recorded a: [1, 1, 0], b: [0, 1, 0], tie: [0, 0, 1]; swapped a: [1, 0, 0], b: [1, 1, 0],
    #   tie: [0, 0, 1]; sum a [2, 1, 0], b [1, 2, 0], tie [0, 0, 2]; N = 8, trace 6: po = 3/4
    #   rows 3 3 2, cols 3 3 2: pe = (9 + 9 + 4)/64 = 11/32 -> kappa = (24/32 - 11/32)/(21/32) = 13/21
    # means: accuracy (1/2 + 1 + 2/3)/3 = 13/18 (strict (2/5 + 1 + 2/3)/3 = 31/45);
    #   kappa (1/4 + 1 + 13/21)/3 = (21 + 84 + 52)/252 = 157/252
    assert row.accuracy == pytest.approx(13 / 18, abs=1e-12)
    assert row.accuracy_strict == pytest.approx(31 / 45, abs=1e-12)
    assert row.kappa == pytest.approx(157 / 252, abs=1e-12)
    # the ceiling is its own like-for-like score
    assert (row.accuracy_loo, row.kappa_loo) == (row.accuracy, row.kappa)
    # comparisons 6 + 3 + 4 = 13 over the pairs p1-p5, p7, p8; p6 has no reference
    assert (row.n_pairs, row.n_verdicts, row.n_no_reference) == (7, 13, 1)
    # the accuracies' comparisons: 5 + 2 + 3 = 10 (each expert's p3 has a tie reference), over p1, p2, p4, p5, p7, p8
    assert (row.n_decisive, row.n_decisive_verdicts) == (6, 10)
    assert (row.role, row.rater_type, row.from_ratings, row.position) == ("ceiling", "human", True, None)
    assert row.rater == "human: expert (leave-one-out)"
    assert math.isnan(row.accuracy_conservative)


def test_ceiling_by_gap_by_hand() -> None:
    row = preference_ceiling("t", panel(), reference_table(PANEL_REFERENCE, PANEL_GAPS), n_resamples=50)
    assert row is not None
    # e1: "1-3" p1 (2) right, p2 (-2) right -> 2/2; "4-6" p4, p5 wrong -> 0/2; ">13" p8 a tie -> 0.5/1
    # e2: "1-3" p1, p2 right -> 2/2.  e3: "1-3" p1, p2 right, p7 (3) wrong -> 2/3
    # "1-3": n 2 + 2 + 3 = 7, accuracy (1 + 1 + 2/3)/3 = 8/9; "4-6", ">13": e1's alone
    assert [b.n for b in row.by_gap] == [0, 7, 2, 0, 0, 1]
    np.testing.assert_allclose([b.accuracy for b in row.by_gap], [NAN, 8 / 9, 0, NAN, NAN, 0.5])


def test_ceiling_interval_is_the_mean_of_the_experts_draws() -> None:
    human, reference = panel(), reference_table(PANEL_REFERENCE, PANEL_GAPS)
    row = preference_ceiling("t", human, reference, n_resamples=200, seed=4)
    assert row is not None
    weights = cluster_weights(reference, 200, 4)
    draws = []
    for expert, others in [("e1", ("e2", "e3")), ("e2", ("e1", "e3")), ("e3", ("e1", "e2"))]:
        mine = human[human.rater_id == expert].assign(order="ratings")
        # the other two agree: their choice; otherwise (and on p6) no reference
        loo: dict[str, str | None] = {}
        for pair, choices in PANEL.items():
            picks = [c for e, c in zip(("e1", "e2", "e3"), choices.split(), strict=True) if e in others]
            loo[pair] = picks[0] if picks[0] == picks[1] and PANEL_REFERENCE[pair] else None
        draws.append(scores(judged(reference_table(loo, PANEL_GAPS), mine), weights).kappa_draws)
    assert (row.kappa_low, row.kappa_high) == percentile_ci(np.mean(draws, axis=0))


def test_no_ceiling_with_two_experts() -> None:
    assert preference_ceiling("t", panel(("e1", "e2")), reference_table(PANEL_REFERENCE)) is None


# Each expert's own overall-score difference score(item_a) - score(item_b) (columns e1, e2, e3),
# of the same sign as the expert's choice.
PANEL_EXPERT_GAPS = {
    "p1": (2, 4, 1),
    "p2": (-1, -3, -8),
    "p3": (0, 0, 0),
    "p4": (1, -6, -2),
    "p5": (-2, 10, 15),
    "p6": (3, -1, 0),
    "p7": (5, 2, -4),
    "p8": (0, -12, -20),
}


def expert_gaps() -> pd.DataFrame:
    table = pd.DataFrame.from_dict(PANEL_EXPERT_GAPS, orient="index", columns=["e1", "e2", "e3"])
    return table.rename_axis(index="pair_id", columns="rater_id")


def test_ceiling_by_gap_of_the_other_experts_by_hand() -> None:
    reference = reference_table(PANEL_REFERENCE, PANEL_GAPS)
    row = preference_ceiling("t", panel(), reference, n_resamples=50, gaps=expert_gaps())
    assert row is not None
    # e1 (gap = mean of e2, e3): p1 (4 + 1)/2 = 2.5 -> "1-3" right; p2 (-3 - 8)/2 = -5.5 -> "4-6" right;
    #   p4 (-6 - 2)/2 = -4 -> "4-6" wrong; p5 (10 + 15)/2 = 12.5 -> "10-13" wrong;
    #   p8 (-12 - 20)/2 = -16 -> ">13" a tie (half); p3 tie reference left out
    #   -> "1-3" 1/1, "4-6" 1/2, "10-13" 0/1, ">13" 0.5/1
    # e2 (mean of e1, e3): p1 (2 + 1)/2 = 1.5 -> "1-3" right; p2 (-1 - 8)/2 = -4.5 -> "4-6" right
    # e3 (mean of e1, e2): p1 (2 + 4)/2 = 3 -> "1-3" right; p2 (-1 - 3)/2 = -2 -> "1-3" right;
    #   p7 (5 + 2)/2 = 3.5 -> "4-6" wrong
    # "1-3": n 1 + 1 + 2 = 4, accuracy (1 + 1 + 1)/3 = 1; "4-6": n 2 + 1 + 1 = 4, (1/2 + 1 + 0)/3 = 1/2
    # "10-13", ">13": e1's alone, n 1, accuracy 0 and 0.5
    assert [b.n for b in row.by_gap] == [0, 4, 4, 0, 1, 1]
    np.testing.assert_allclose([b.accuracy for b in row.by_gap], [NAN, 1, 1 / 2, NAN, 0, 0.5])
    # the gaps only move comparisons between bins
    plain = preference_ceiling("t", panel(), reference, n_resamples=50)
    assert plain is not None and (row.accuracy, row.kappa) == (plain.accuracy, plain.kappa)


def test_leave_one_out_gaps_are_the_median_of_the_others() -> None:
    gaps = pd.DataFrame(
        {"e1": [1, 2, 0], "e2": [4, NAN, 3], "e3": [10, 6, NAN], "e4": [-3, 5, NAN]},
        index=pd.Index(["p1", "p2", "p3"], name="pair_id"),
    )
    experts = ["e1", "e2", "e3", "e4"]
    # without e4: p1 median(1, 4, 10) = 4; p2 median(2, 6) (e2 missing) = 4; p3 median(0, 3) = 1.5
    np.testing.assert_allclose(leave_one_out_gaps(gaps, experts, "e4"), [4, 4, 1.5])
    # without e1: p1 median(4, 10, -3) = 4; p2 median(6, 5) = 5.5; p3 median(3) = 3
    np.testing.assert_allclose(leave_one_out_gaps(gaps, experts, "e1"), [4, 5.5, 3])
    # only the experts listed count: without e1 among e1-e3, p1 (4 + 10)/2 = 7; p3 has e2's 3 alone
    np.testing.assert_allclose(leave_one_out_gaps(gaps, ["e1", "e2", "e3"], "e1"), [7, 6, 3])


# ---------------------------------------------------------------- like-for-like with the ceiling
#
# Leave-one-out references of the panel (the other two experts must agree; p6 has no reference):
#   without e1 (e2 + e3): p1 a, p2 b, p3 tie, p4 b, p5 a, p8 b     (p7 a/b: none)
#   without e2 (e1 + e3): p1 a, p2 b, p3 tie                       (p4, p5, p7, p8: none)
#   without e3 (e1 + e2): p1 a, p2 b, p3 tie, p7 a                 (p4, p5, p8: none)

RATER = {"p1": "a", "p2": "a", "p3": "tie", "p4": "b", "p5": "b", "p6": "a", "p7": "a", "p8": "b"}


def test_like_for_like_of_a_rater_from_ratings_by_hand() -> None:
    reference = reference_table(PANEL_REFERENCE, PANEL_GAPS)
    row = preference_agreement("t", "r", "run", ratings(**RATER), reference, from_ratings=True, human=panel())
    # full reference: p1 right, p2 wrong, p4 right, p5 wrong, p7 right, p8 right -> 4/6
    assert row.accuracy == pytest.approx(2 / 3, abs=1e-12)
    # without e1: p1 right, p2 wrong, p4 right, p5 wrong, p8 right -> 3/5
    #   kappa: n = 6 (p3 too), agreeing 4 (p1 p3 p4 p8): po = 2/3; s_r 5, t_r 1; rater a a tie b b b:
    #   s_c 5, t_c 1 -> pe = (25/2 + 1)/36 = 3/8; kappa = (2/3 - 3/8)/(5/8) = (16 - 9)/15 = 7/15
    # without e2: p1 right, p2 wrong -> 1/2
    #   kappa: n = 3, agreeing 2: po = 2/3; s_r 2, t_r 1; rater a a tie: s_c 2, t_c 1
    #   -> pe = (2 + 1)/9 = 1/3; kappa = (2/3 - 1/3)/(2/3) = 1/2
    # without e3: p1 right, p2 wrong, p7 right -> 2/3
    #   kappa: n = 4, agreeing 3: po = 3/4; s_r 3, t_r 1; rater a a tie a: s_c 3, t_c 1
    #   -> pe = (9/2 + 1)/16 = 11/32; kappa = (24/32 - 11/32)/(21/32) = 13/21
    # accuracy_loo = (3/5 + 1/2 + 2/3)/3 = (18 + 15 + 20)/90 = 53/90
    # kappa_loo = (7/15 + 1/2 + 13/21)/3 = (98 + 105 + 130)/630 = 333/630 = 37/70
    assert row.accuracy_loo == pytest.approx(53 / 90, abs=1e-12)
    assert row.kappa_loo == pytest.approx(37 / 70, abs=1e-12)


def test_like_for_like_of_a_judge_of_both_orders_by_hand() -> None:
    reference = reference_table(PANEL_REFERENCE, PANEL_GAPS)
    # order ab: RATER's choices; order ba: the same but p2 b (right)
    pairs = [(RATER[p], "b" if p == "p2" else RATER[p]) for p in PANEL]
    verdicts = two_orders(*pairs).assign(pair_id=lambda d: d["pair_id"].map(lambda p: f"p{int(p[1:]) + 1}"))
    row = preference_agreement("t", "j", "run", verdicts, reference, human=panel())
    # without e1: p1 a a (2 right), p2 a b (1 of 2), p4 b b (2), p5 b b (0 of 2), p8 b b (2) -> 7/10
    #   kappa: n = 12 (p3 tie tie too), agreeing 7 + 2 = 9: po = 3/4; s_r 10, t_r 2; s_c 10, t_c 2
    #   -> pe = (100/2 + 4)/144 = 3/8; kappa = (3/4 - 3/8)/(5/8) = 3/5
    # without e2: p1 (2 of 2), p2 (1 of 2) -> 3/4
    #   kappa: n = 6, agreeing 3 + 2 = 5: po = 5/6; s_r 4, t_r 2; s_c 4, t_c 2
    #   -> pe = (16/2 + 4)/36 = 1/3; kappa = (5/6 - 2/6)/(4/6) = 3/4
    # without e3: p1 (2), p2 (1), p7 a a (2) -> 5/6
    #   kappa: n = 8, agreeing 5 + 2 = 7: po = 7/8; s_r 6, t_r 2; s_c 6, t_c 2
    #   -> pe = (36/2 + 4)/64 = 11/32; kappa = (28/32 - 11/32)/(21/32) = 17/21
    # accuracy_loo = (7/10 + 3/4 + 5/6)/3 = (42 + 45 + 50)/180 = 137/180
    # kappa_loo = (3/5 + 3/4 + 17/21)/3 = (252 + 315 + 340)/1260 = 907/1260
    assert row.accuracy_loo == pytest.approx(137 / 180, abs=1e-12)
    assert row.kappa_loo == pytest.approx(907 / 1260, abs=1e-12)


def test_no_like_for_like_without_three_experts() -> None:
    reference = reference_table(PANEL_REFERENCE, PANEL_GAPS)
    for human in (None, panel(("e1", "e2"))):
        row = preference_agreement("t", "r", "run", ratings(**RATER), reference, from_ratings=True, human=human)
        assert math.isnan(row.accuracy_loo) and math.isnan(row.kappa_loo)


def test_invalid_expert_choices_are_refused() -> None:
    human = panel().assign(choice=lambda d: d["choice"].replace({"tie": "T"}))
    with pytest.raises(ValueError, match="choices"):
        preference_agreement("t", "r", "run", ratings(**RATER), reference_table(PANEL_REFERENCE), human=human)


# ---------------------------------------------------------------- the record


def test_record_round_trips_through_json_with_nan() -> None:
    row = PreferenceAgreement(
        task="t",
        rater="r",
        rater_type="recorded",
        from_ratings=True,
        n_pairs=3,
        n_verdicts=3,
        n_no_reference=1,
        accuracy=0.5,
        position=PositionBias(n=2, consistent=1, primacy=1, recency=0, consistency=0.5, fairness=-0.5, flip_rate=0.0),
        by_gap=[GapBin(label=">13", low=14, high=None, n=0, accuracy=NAN)],
    )
    text = row.model_dump_json()
    data = json.loads(text)  # strict JSON: NaN written as null
    assert data["kappa"] is None and data["accuracy_conservative"] is None and data["by_gap"][0]["accuracy"] is None
    back = PreferenceAgreement.model_validate_json(text)
    assert math.isnan(back.kappa) and math.isnan(back.by_gap[0].accuracy) and back.by_gap[0].high is None
    assert back.accuracy == 0.5 and back.position == row.position
    assert back.model_dump_json() == text
