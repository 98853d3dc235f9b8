"""Paired differences and rank intervals (agreement/paired.py), against values worked out by hand,
and the headlines every kind computes on its task's shared draws.

Notation as in test_agreement.py: kappa = 1 - O / E, O = sum w (a - r)^2,
E = sum w a^2 + sum w r^2 - 2 (sum w a)(sum w r) / sum w, w = how often each item was drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from empathy_bench.agreement import stats
from empathy_bench.agreement.coach import feedback_from_ratings
from empathy_bench.agreement.coach_ceiling import (
    ceiling_kappa_headline,
    coach_ceiling,
    leave_one_out_kappa,
    loo_kappa_headline,
)
from empathy_bench.agreement.paired import Entry, compare_raters, difference, excludes_zero, rank_intervals, ranks
from empathy_bench.agreement.preference import (
    accuracy_headline,
    ceiling_accuracy_headline,
    preference_agreement,
    preference_ceiling,
)
from empathy_bench.agreement.rater import expert_ceiling, headline, rater_agreement, rater_table
from empathy_bench.agreement.stats import Headline, resample_counts
from empathy_bench.core.kappa import value_kappa
from empathy_bench.sources.labels import rater_wide
from empathy_bench.tasks.labels import task_labels
from empathy_bench.tasks.spec import load_task

# A tiny panel: four items, the reference r, and three raters. Row 0 of WEIGHTS is the point
# estimate (every item once); rows 1-3 are three bootstrap draws given as counts:
#   draw 1 took items 0, 0, 3, 3; draw 2 took each item once; draw 3 took items 1, 2, 1, 2.
REFERENCE = np.array([1.0, 2, 3, 4])
RATERS = {"perfect": [1.0, 2, 3, 4], "close": [2.0, 2, 3, 3], "reversed": [4.0, 3, 2, 1]}
WEIGHTS = np.array([[1.0, 1, 1, 1], [2, 0, 0, 2], [1, 1, 1, 1], [0, 2, 2, 0]])


def tiny_headlines() -> dict[str, Headline]:
    found = {}
    for name, values in RATERS.items():
        kappas = value_kappa(np.array(values), REFERENCE, WEIGHTS)
        found[name] = Headline("qwk", float(kappas[0]), kappas[1:], 4)
    return found


def test_weighted_kappa_on_the_tiny_panel_by_hand() -> None:
    h = tiny_headlines()
    # perfect: O = 0 on every draw -> 1
    assert h["perfect"].draws.tolist() == [1.0, 1.0, 1.0]
    # close, all items: diffs 1 0 0 1 -> O = 2; sum a 10, sum a^2 26, sum r 10, sum r^2 30
    #   E = 26 + 30 - 2*10*10/4 = 6 -> 1 - 2/6 = 2/3
    # draw 1 (items 0, 3 twice): a = 2, 3; r = 1, 4 -> O = 2*1 + 2*1 = 4; sum a 10, sum a^2 26,
    #   sum r 10, sum r^2 34 -> E = 26 + 34 - 50 = 10 -> 0.6
    # draw 3 (items 1, 2 twice): a = r = 2, 3 -> O = 0 -> 1
    assert h["close"].value == pytest.approx(2 / 3)
    assert h["close"].draws == pytest.approx([0.6, 2 / 3, 1.0])
    # reversed, all items: diffs 3 1 -1 -3 -> O = 20; E = 30 + 30 - 50 = 10 -> -1
    # draw 1: a = 4, 1; r = 1, 4 -> O = 36; sum a 10, sum a^2 34 -> E = 68 - 50 = 18 -> -1
    # draw 3: a = 3, 2; r = 2, 3 -> O = 4; sum a 10, sum a^2 26 -> E = 52 - 50 = 2 -> -1
    assert h["reversed"].value == pytest.approx(-1.0)
    assert h["reversed"].draws == pytest.approx([-1.0, -1.0, -1.0])


def test_paired_differences_and_ranks_on_the_tiny_panel_by_hand() -> None:
    h = tiny_headlines()
    entries = [Entry(name, "run", "rater", found) for name, found in h.items()]
    c = compare_raters("t", entries)
    assert c is not None and [r.rater for r in c.raters] == ["perfect", "close", "reversed"]
    # perfect - close: point 1 - 2/3 = 1/3; draws 1 - 0.6, 1 - 2/3, 1 - 1 = 0.4, 1/3, 0.
    # Percentiles of three values by linear interpolation (sorted 0, 1/3, 0.4): 2.5% sits at
    # position 0.05 -> 0 + 0.05 * 1/3 = 1/60; 97.5% at 1.95 -> 1/3 + 0.95 * (0.4 - 1/3) = 0.39667.
    d = difference(c, "perfect", "close")
    assert d is not None
    assert (d.difference, d.low, d.high) == pytest.approx((1 / 3, 1 / 60, 1 / 3 + 0.95 / 15))
    # the other direction is the negation, the bounds swapped
    back = difference(c, "close", "perfect")
    assert back is not None and (back.difference, back.low, back.high) == pytest.approx(
        (-1 / 3, -0.39667, -1 / 60), abs=1e-5
    )
    # close - reversed: point 2/3 + 1 = 5/3; draws 1.6, 5/3, 2 -> 2.5%: 1.6 + 0.05 * (1/15) = 1.60333,
    #   97.5%: 5/3 + 0.95 * (1/3) = 1.98333
    d = difference(c, "close", "reversed")
    assert d is not None and (d.difference, d.low, d.high) == pytest.approx((5 / 3, 1.6 + 0.05 / 15, 5 / 3 + 0.95 / 3))
    assert excludes_zero(d)
    # ranks per draw (ties share the better rank): draw 1 and 2: perfect 1, close 2, reversed 3;
    # draw 3: perfect and close both 1 (kappa 1), reversed 3. So close's ranks are 2, 2, 1.
    got = {r.rater: (r.rank, r.rank_low, r.rank_high) for r in c.raters}
    assert got == {"perfect": (1, 1, 1), "close": (2, 1, 2), "reversed": (3, 3, 3)}
    assert (c.n, c.n_resamples, c.metric) == (4, 3, "qwk")


def test_identical_raters_differ_by_exactly_zero() -> None:
    rng = np.random.default_rng(3)
    reference = rng.integers(1, 6, 30).astype(float)
    rater = np.clip(reference + rng.integers(-1, 2, 30), 1, 5)
    weights = np.vstack([np.ones(30), resample_counts(30, 200, seed=0)])
    kappas = value_kappa(rater, reference, weights)
    same = Headline("qwk", float(kappas[0]), kappas[1:], 30)
    c = compare_raters("t", [Entry("a", "run", "rater", same), Entry("b", "run", "rater", same)])
    assert c is not None
    d = c.differences[0]
    assert (d.difference, d.low, d.high) == (0.0, 0.0, 0.0)
    assert not excludes_zero(d)
    # tied on every draw: both share the better rank
    assert {(r.rank, r.rank_low, r.rank_high) for r in c.raters} == {(1, 1, 1)}


def test_a_rater_best_on_every_draw_ranks_one_to_one() -> None:
    rng = np.random.default_rng(5)
    draws = rng.normal(0.5, 0.1, (3, 400))
    draws[0] = draws.max(axis=0) + 0.01  # the first is best on every draw, by a little
    low, high = rank_intervals(draws)
    assert (low[0], high[0]) == (1, 1)
    assert low[1] == 2 and high[1] == 3  # the other two trade places
    # an undefined figure ranks last on its draw, never first
    assert ranks(np.array([[np.nan], [0.1], [0.2]]))[:, 0].tolist() == [3, 2, 1]


def test_weighted_kappa_equals_kappa_on_the_resampled_items() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.integers(1, 6, 25).astype(float), rng.integers(1, 6, 25).astype(float)
    idx = stats.resample_indices(25, 100, seed=7)
    counts = resample_counts(25, 100, seed=7)
    assert value_kappa(a, b, counts) == pytest.approx(stats.qwk_resamples(a, b, "value", idx), nan_ok=True)
    # an item missing for a rater counts 0 times: the same as leaving it out
    a_missing = a.copy()
    a_missing[4] = np.nan
    keep = np.arange(25) != 4
    assert value_kappa(a_missing, b, np.ones((1, 25)))[0] == pytest.approx(stats.qwk(a[keep], b[keep], "value"))


def test_raters_on_different_draws_are_refused() -> None:
    one = Headline("qwk", 0.5, np.zeros(10), 50)
    other = Headline("qwk", 0.4, np.zeros(10), 49)
    with pytest.raises(ValueError, match="shared draws"):
        compare_raters("t", [Entry("a", "run", "rater", one), Entry("b", "run", "rater", other)])
    # a rater without a figure is left out and said so; one left alone is no comparison
    nan = Headline("qwk", float("nan"), np.zeros(10), 50)
    assert compare_raters("t", [Entry("a", "run", "rater", one), Entry("b", "run", "rater", nan)]) is None


def test_the_rate_headline_is_the_like_for_like_kappa_on_draws_the_ceiling_shares(kumar: object) -> None:
    spec = load_task("lend_an_ear")
    labels = task_labels(spec)
    wide = rater_table(spec, labels, "gpt-4o")
    row = rater_agreement(spec, labels, wide, "gpt-4o", "recorded", n_resamples=200)
    found = headline(spec, labels, wide, n_resamples=200)
    assert found is not None and found.metric == "qwk_loo" and found.n == 50
    # the value is the record's like-for-like kappa, its interval the record's
    assert row.mean is not None and found.value == pytest.approx(row.mean.qwk_loo, abs=1e-12)
    assert (row.mean.qwk_loo_low, row.mean.qwk_loo_high) == pytest.approx(stats.percentile_ci(found.draws))
    # the ceiling on the same draws: its own kappa and interval (each expert against the others)
    ceiling = expert_ceiling(spec, labels, n_resamples=200, seed=0)
    own = headline(spec, labels, None, n_resamples=200)
    assert ceiling is not None and ceiling.mean is not None and own is not None
    assert own.value == pytest.approx(ceiling.mean.qwk, abs=1e-12)
    assert stats.percentile_ci(own.draws) == pytest.approx((ceiling.mean.qwk_low, ceiling.mean.qwk_high))
    # a rater that skipped an item is still resampled over the same 50 items (weight 0 there)
    gappy = wide.copy()
    gappy.iloc[0] = np.nan
    skipped = headline(spec, labels, gappy, n_resamples=200)
    assert skipped is not None and skipped.n == 50 and skipped.draws.shape == found.draws.shape


def test_a_task_without_an_expert_panel_ranks_by_plain_kappa(kumar: object) -> None:
    spec = load_task("epitome_reddit")
    labels = task_labels(spec)
    items = sorted(labels.ratings.item_id.unique())[:40]
    wide = pd.DataFrame({d: pd.Series(3.0, index=items) for d in spec.dimension_ids})
    found = headline(spec, labels, wide, n_resamples=20)
    assert found is not None and found.metric == "qwk"
    assert headline(spec, labels, None, n_resamples=20) is None  # no ceiling without experts


def test_compare_headlines_are_the_tables_accuracy_on_the_shared_cluster_draws() -> None:
    # five conversations in six pairs; three experts; the reference is their strict majority
    pairs = {"p1": ("i1", "i2"), "p2": ("i1", "i3"), "p3": ("i2", "i3"), "p4": ("i3", "i4"), "p5": ("i4", "i5")}
    pairs["p6"] = ("i1", "i5")
    experts = {"p1": "a a b", "p2": "b b b", "p3": "a b a", "p4": "b b a", "p5": "a a a", "p6": "b a b"}
    human = pd.DataFrame(
        [
            {"pair_id": p, "rater_id": e, "choice": c}
            for p, cs in experts.items()
            for e, c in zip(("e1", "e2", "e3"), cs.split(), strict=True)
        ]
    )
    majority = {"p1": "a", "p2": "b", "p3": "a", "p4": "b", "p5": "a", "p6": "b"}
    reference = pd.DataFrame(
        [
            {"pair_id": p, "item_a": a, "item_b": b, "choice": majority[p], "gap": float("nan")}
            for p, (a, b) in pairs.items()
        ]
    )
    judge = {
        "p1": ("a", "a"),
        "p2": ("b", "a"),
        "p3": ("b", "b"),
        "p4": ("b", "b"),
        "p5": ("a", "tie"),
        "p6": ("b", "b"),
    }
    verdicts = pd.DataFrame(
        [
            {"pair_id": p, "order": o, "choice": c}
            for p, cs in judge.items()
            for o, c in zip(("ab", "ba"), cs, strict=True)
        ]
    )
    row = preference_agreement("t", "j", "run", verdicts, reference, n_resamples=200, human=human)
    found = accuracy_headline(verdicts, reference, n_resamples=200)
    assert (found.metric, found.n) == ("accuracy", 5)
    assert found.value == pytest.approx(row.accuracy)
    assert stats.percentile_ci(found.draws) == pytest.approx((row.accuracy_low, row.accuracy_high))
    ceiling = preference_ceiling("t", human, reference, n_resamples=200)
    own = ceiling_accuracy_headline(human, reference, n_resamples=200)
    assert ceiling is not None and own is not None
    assert own.value == pytest.approx(ceiling.accuracy)
    assert stats.percentile_ci(own.draws) == pytest.approx((ceiling.accuracy_low, ceiling.accuracy_high))
    assert compare_raters("t", [Entry("j", "run", "rater", found), Entry("c", "human", "ceiling", own)]) is not None


def test_coach_headlines_are_the_tables_kappa_on_the_shared_draws(kumar: object) -> None:
    spec = load_task("lend_an_ear_coach")
    labels = task_labels(spec)
    dims, rubric, thresholds = spec.dimension_ids, spec.rubric_model, spec.profile
    experts = sorted(labels.ratings[labels.ratings.rater_group == "expert"].rater_id.unique())
    panel = {e: rater_wide(labels.ratings, e, dims) for e in experts}
    feedback = feedback_from_ratings(rater_wide(labels.ratings, "gpt-4o", dims).dropna(), rubric, thresholds)
    found = loo_kappa_headline(feedback, panel, rubric, thresholds, n_resamples=200)
    assert found is not None and found.metric == "mean_kappa_loo" and found.n == 50
    assert found.value == pytest.approx(leave_one_out_kappa(feedback, panel, rubric, thresholds))
    ceiling = coach_ceiling("t", panel, rubric, thresholds, n_resamples=200)
    own = ceiling_kappa_headline(panel, rubric, thresholds, n_resamples=200)
    assert ceiling is not None and own is not None
    assert own.value == pytest.approx(ceiling.mean_kappa)
    assert stats.percentile_ci(own.draws) == pytest.approx((ceiling.mean_kappa_low, ceiling.mean_kappa_high))
    # feedback on fewer conversations: still the 50 conversations' draws (weight 0 where it has none)
    fewer = loo_kappa_headline(feedback.iloc[5:], panel, rubric, thresholds, n_resamples=200)
    assert fewer is not None and fewer.n == 50 and fewer.draws.shape == own.draws.shape
