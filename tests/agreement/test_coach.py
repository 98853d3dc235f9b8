"""Coach statistics against values worked out by hand (arithmetic in the comments).

Dimensions of Lend an Ear, abbreviated: VE validating_emotions, EE encouraging_elaboration, DU
demonstrating_understanding (prescriptive, 1-5, more is better); AG advice_giving, SO self_oriented,
DE dismissing_emotions (proscriptive, less is better). Default thresholds: a prescriptive rating is
a problem at <= 2 and a strength at >= 4; a proscriptive one a problem at >= 3 and a strength at
<= 1. Badness (distance from the best end): 5 - v prescriptive, v - 1 proscriptive; `worst` = the
dimensions of the highest badness.

Cohen's kappa of two binary vectors over N conversations, from the confusion counts:
    kappa = (N (TP + TN) - S) / (N^2 - S),  S = (TP + FP)(TP + FN) + (FN + TN)(FP + TN)
(po = (TP + TN) / N, pe = S / N^2, multiplied through by N^2).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from empathy_bench.agreement.coach import CoachAgreement, coach_agreement, feedback_from_ratings
from empathy_bench.agreement.coach_ceiling import coach_ceiling, leave_one_out_kappa
from empathy_bench.agreement.coach_counts import conversations
from empathy_bench.agreement.coach_figures import HEADLINES, bootstrap_weights, figures, targeting
from empathy_bench.agreement.rater import CEILING_LABEL
from empathy_bench.agreement.stats import percentile_ci, resample_indices
from empathy_bench.sources.labels import LabelSet, group_table, load_source, rater_wide
from empathy_bench.sources.profile import ProfileThresholds, profiles
from empathy_bench.sources.rubric import load_rubric

NAN = float("nan")
RUBRIC = load_rubric("lend_an_ear")
DIMS = RUBRIC.dimension_ids
VE, EE, DU, AG, SO, DE = DIMS
THRESHOLDS = ProfileThresholds()


def ratings(rows: dict[str, list[float]], dims: list[str] = DIMS) -> pd.DataFrame:
    """Items x dimensions, values in the order of `dims`."""
    return pd.DataFrame.from_dict(rows, orient="index", columns=dims)


def feedback(rows: dict[str, dict]) -> pd.DataFrame:
    """Feedback rows with the columns a coach's feedback has (defaults: nothing said)."""
    defaults = {"improvements": [], "praised": [], "words": NAN, "quotes": [], "uplift": None}
    return pd.DataFrame([defaults | row for row in rows.values()], index=list(rows))


def quote(dim: str, grounded: bool, turn: int | None, kind: str = "improvement") -> dict:
    return {"dimension": dim, "kind": kind, "grounded": grounded, "turn": turn}


def close(actual: float, expected: float) -> bool:
    return (np.isnan(actual) and np.isnan(expected)) or actual == pytest.approx(expected, abs=1e-12)


# --- the main hand-built example -------------------------------------------------------------

# Reference (experts' medians) and its profiles:
# c1: VE1 EE2 DU4 AG4 SO1 DE1: problems {VE, EE, AG}, strengths {DU, SO, DE};
#     badness VE4 EE3 DU1 AG3 SO0 DE0 -> worst {VE}
# c2: VE3 EE5 DU2 AG1 SO3 DE2: problems {DU, SO}, strengths {EE, AG};
#     badness VE2 EE0 DU3 AG0 SO2 DE1 -> worst {DU}
# c3: VE4 EE4 DU4 AG1 SO1 DE1: problems {}, strengths all six;
#     badness VE1 EE1 DU1 AG0 SO0 DE0 -> worst {VE, EE, DU} (a tie)
# c4: VE2 EE3 DU3 AG5 SO2 DE3: problems {VE, AG, DE}, strengths {};
#     badness VE3 EE2 DU2 AG4 SO1 DE2 -> worst {AG}
REFERENCE = ratings(
    {
        "c1": [1, 2, 4, 4, 1, 1],
        "c2": [3, 5, 2, 1, 3, 2],
        "c3": [4, 4, 4, 1, 1, 1],
        "c4": [2, 3, 3, 5, 2, 3],
    }
)
C1_BEFORE = dict(zip(DIMS, [1, 2, 4, 4, 1, 1], strict=True))
C2_BEFORE = dict(zip(DIMS, [3, 5, 2, 1, 3, 2], strict=True))
FEEDBACK = feedback(
    {
        "c1": {
            "improvements": [AG, VE, DU],
            "praised": [SO, EE],
            "words": 120.0,
            "quotes": [quote(VE, True, 1), quote(SO, False, None, "strength")],
            # the rewrite lifts VE 1 -> 3 (+2) but adds advice: AG 4 -> 5 (c = -1)
            "uplift": {"targeted": VE, "before": C1_BEFORE, "after": C1_BEFORE | {VE: 3, AG: 5}},
        },
        "c2": {
            "improvements": [DU],
            "praised": [EE, SO],
            "words": 80.0,
            "quotes": [quote(DU, True, 3)],
            # DU 2 -> 3 (+1), SO 3 -> 1 (c = -(1 - 3) = +2), nothing worse
            "uplift": {"targeted": DU, "before": C2_BEFORE, "after": C2_BEFORE | {DU: 3, SO: 1}},
        },
        "c3": {"improvements": [EE], "praised": [VE, EE], "quotes": [quote(EE, True, 0)]},
        "c4": {
            "improvements": [VE, EE, AG, DE, SO],
            "words": 100.0,
            # the targeted dimension is not rated after: no usable uplift
            "uplift": {"targeted": AG, "before": {AG: 5}, "after": {}},
        },
        "c5": {"improvements": [VE]},  # no reference: left out
    }
)
# The crowd's evidence turns per side; (c3, EE) is an empty set: the quote there does not count, and
# (c2, DU) has evidence only for the strength side, which an improvement's quote does not use.
IMP, STR = "improvement", "strength"
EVIDENCE = {
    ("c1", VE, IMP): {1, 2},
    ("c1", SO, STR): {0},
    ("c2", DU, IMP): {1},
    ("c2", DU, STR): {3},
    ("c3", AG, IMP): {2},
    ("c3", EE, IMP): set(),
}


@pytest.fixture(scope="module")
def result() -> CoachAgreement:
    return coach_agreement(
        "t", "coach", "run", FEEDBACK, REFERENCE, RUBRIC, THRESHOLDS, evidence=EVIDENCE, n_unscored=1, n_resamples=200
    )


def test_targeting_per_dimension(result: CoachAgreement) -> None:
    # predicted (improvements) vs actual (reference problems) over c1..c4:
    # VE: P 1001, A 1001: TP2 FP0 FN0 TN2 -> P = R = F1 = 1; S = 2*2 + 2*2 = 8: (4*4 - 8)/(16 - 8) = 1
    # EE: P 0011, A 1000: TP0 FP2 FN1 TN1 -> P 0, R 0, F1 0; S = 2*1 + 2*3 = 8: (4*1 - 8)/8 = -0.5
    # DU: P 1100, A 0100: TP1 FP1 FN0 TN2 -> P 1/2, R 1, F1 2/3; S = 2*1 + 2*3 = 8: (4*3 - 8)/8 = 0.5
    # AG: P 1001, A 1001: as VE -> 1, 1, 1, 1
    # SO: P 0001, A 0100: TP0 FP1 FN1 TN2 -> 0, 0, 0; S = 1*1 + 3*3 = 10: (4*2 - 10)/(16 - 10) = -1/3
    # DE: P 0001, A 0001: TP1 FP0 FN0 TN3 -> 1, 1, 1; S = 1*1 + 3*3 = 10: (4*4 - 10)/6 = 1
    expected = {
        VE: (0.5, 0.5, 1, 1, 1, 1),
        EE: (0.25, 0.5, 0, 0, 0, -0.5),
        DU: (0.25, 0.5, 0.5, 1, 2 / 3, 0.5),
        AG: (0.5, 0.5, 1, 1, 1, 1),
        SO: (0.25, 0.25, 0, 0, 0, -1 / 3),
        DE: (0.25, 0.25, 1, 1, 1, 1),
    }
    assert [d.dimension for d in result.per_dimension] == DIMS
    for row in result.per_dimension:
        got = (row.base_rate, row.flag_rate, row.precision, row.recall, row.f1, row.kappa)
        assert row.n == 4
        assert got == pytest.approx(expected[row.dimension], abs=1e-12), row.dimension


def test_targeting_means(result: CoachAgreement) -> None:
    # macro precision (1 + 0 + 1/2 + 1 + 0 + 1)/6 = 7/12; recall (1 + 0 + 1 + 1 + 0 + 1)/6 = 2/3
    # macro F1 (1 + 0 + 2/3 + 1 + 0 + 1)/6 = (11/3)/6 = 11/18
    # mean kappa (1 - 1/2 + 1/2 + 1 - 1/3 + 1)/6 = (8/3)/6 = 4/9
    assert result.macro_precision == pytest.approx(7 / 12)
    assert result.macro_recall == pytest.approx(2 / 3)
    assert result.macro_f1 == pytest.approx(11 / 18)
    assert result.mean_kappa == pytest.approx(4 / 9)


def test_f1_at_reference_count_keeps_the_first_k(result: CoachAgreement) -> None:
    # k = reference problems: c1 3, c2 2, c3 0, c4 3 -> kept: c1 [AG, VE, DU], c2 [DU], c3 [], c4 [VE, EE, AG]
    # VE: T 1001 vs A 1001 -> F1 1;  EE: T 0001 vs A 1000 -> 0/(0 + 1 + 1) = 0
    # DU: T 1100 vs A 0100 -> 2/3;   AG: T 1001 vs A 1001 -> 1
    # SO: T 0000 vs A 0100 -> 0/(0 + 0 + 1) = 0 (c4's SO was its 5th);  DE: T 0000 vs A 0001 -> 0 (c4's 4th)
    # macro (1 + 0 + 2/3 + 1 + 0 + 0)/6 = (8/3)/6 = 4/9, below the 11/18 of the full lists
    assert result.f1_at_reference_count == pytest.approx(4 / 9)


def test_praise_and_false_praise(result: CoachAgreement) -> None:
    # c1 praised {SO, EE}: SO a strength, EE a problem; c2 {EE, SO}: EE a strength, SO a problem;
    # c3 {VE, EE}: both strengths; c4 none. praised 2 + 2 + 2 = 6
    # praise accuracy (1 + 1 + 2)/6 = 2/3; false praise (1 + 1 + 0)/6 = 1/3
    assert result.n_praised == 6
    assert result.praise_accuracy == pytest.approx(2 / 3)
    assert result.false_praise_rate == pytest.approx(1 / 3)


def test_prioritisation_allows_ties(result: CoachAgreement) -> None:
    # c1 first AG, worst {VE}: miss; c2 first DU, worst {DU}: hit; c3 first EE, worst {VE, EE, DU}: hit (tie);
    # c4 first VE, worst {AG}: miss -> 2/4
    assert result.n_prioritised == 4
    assert result.prioritisation == pytest.approx(0.5)


def test_grounding_and_evidence(result: CoachAgreement) -> None:
    # quotes: c1 VE grounded, c1 SO not, c2 DU grounded, c3 EE grounded -> 3/4
    # with crowd evidence of the quote's side: c1 VE (turn 1 in {1, 2}: hit), c1 SO (turn None: miss),
    # c2 DU (an improvement at turn 3, not in the problem side's {1}; the strength side's {3} does not
    # count for it: miss); c3 EE's evidence set is empty -> 1/3
    assert result.n_quotes == 4
    assert result.grounding == pytest.approx(3 / 4)
    assert result.n_evidence == 3
    assert result.evidence_agreement == pytest.approx(1 / 3)


def test_uplift(result: CoachAgreement) -> None:
    # c1: VE +2 (targeted); others EE 0, DU 0, AG -(5 - 4) = -1, SO 0, DE 0: mean -1/5, harmed
    # c2: DU +1 (targeted); others VE 0, EE 0, AG 0, SO -(1 - 3) = +2, DE 0: mean 2/5, not harmed
    # c4: AG not rated after: no uplift. target (2 + 1)/2 = 1.5; other (-0.2 + 0.4)/2 = 0.1; harm 1/2
    assert result.n_uplift == 2
    assert result.uplift_target == pytest.approx(1.5)
    assert result.uplift_other == pytest.approx(0.1)
    assert result.harm_rate == pytest.approx(0.5)
    by_dim = {u.dimension: u for u in result.uplift_by_dimension}
    # AG: not targeted in c1 (-1) or c2 (0) -> mean -1/2; SO: 0 and +2 -> 1; VE: targeted in c1 (+2), other c2 0
    expected = {
        VE: (1, 2.0, 1, 0.0),
        EE: (0, NAN, 2, 0.0),
        DU: (1, 1.0, 1, 0.0),
        AG: (0, NAN, 2, -0.5),
        SO: (0, NAN, 2, 1.0),
        DE: (0, NAN, 2, 0.0),
    }
    for dim, (n_t, t, n_o, o) in expected.items():
        row = by_dim[dim]
        assert (row.n_targeted, row.n_other) == (n_t, n_o), dim
        assert close(row.targeted_change, t) and close(row.other_change, o), dim


def test_counts_words_and_notes(result: CoachAgreement) -> None:
    # words (120 + 80 + 100)/3 = 100 (c3 has none); c5 has no reference; c4's uplift is dropped
    assert (result.n_items, result.n_unscored) == (4, 1)
    assert result.words == pytest.approx(100.0)
    assert any("1 feedback rows" in n for n in result.notes)
    assert any("1 uplifts" in n for n in result.notes)
    assert result.thresholds == THRESHOLDS.model_dump()
    assert (result.role, result.rater_type, result.from_ratings) == ("rater", "run", False)


def test_a_rewrite_that_adds_advice_harms() -> None:
    # one conversation, the rewrite targets VE 2 -> 4 (+2) but AG 1 -> 3: c = -(3 - 1) = -2;
    # others mean (0 + 0 - 2 + 0 + 0)/5 = -0.4; harm rate 1/1
    before = dict(zip(DIMS, [2, 3, 3, 1, 1, 1], strict=True))
    rows = feedback(
        {"c": {"improvements": [VE], "uplift": {"targeted": VE, "before": before, "after": before | {VE: 4, AG: 3}}}}
    )
    got = coach_agreement(
        "t", "coach", "run", rows, ratings({"c": [2, 3, 3, 1, 1, 1]}), RUBRIC, THRESHOLDS, n_resamples=50
    )
    assert (got.uplift_target, got.uplift_other, got.harm_rate) == pytest.approx((2.0, -0.4, 1.0))
    advice = next(u for u in got.uplift_by_dimension if u.dimension == AG)
    assert (advice.n_targeted, advice.n_other, advice.other_change) == (0, 1, -2.0)
    assert np.isnan(advice.targeted_change)


def test_flagging_everything_scores_kappa_zero() -> None:
    # c1 VE1 DU1, c2 VE5 DU1; EE 5, AG/SO/DE 1 everywhere: problems c1 {VE, DU}, c2 {DU}; all six flagged
    # VE: TP1 FP1 -> P 1/2, R 1, F1 2/3; kappa: S = 2*1 + 0*1 = 2: (2*1 - 2)/(4 - 2) = 0
    # DU: TP2 -> 1, 1, 1; S = 2*2 + 0 = 4 = N^2: kappa undefined (NaN), left out of the mean
    # EE, AG, SO, DE: TP0 FP2 -> P 0, R 0/0 = NaN, F1 0; S = 2*0 + 0*2 = 0: (2*0 - 0)/4 = 0
    # macro F1 (2/3 + 1 + 0 * 4)/6 = 5/18; precision (1/2 + 1 + 0)/6 = 1/4; recall over VE, DU = 1; kappa 0
    reference = ratings({"c1": [1, 5, 1, 1, 1, 1], "c2": [5, 5, 1, 1, 1, 1]})
    rows = feedback({"c1": {"improvements": DIMS}, "c2": {"improvements": DIMS}})
    got = coach_agreement("t", "all", "baseline", rows, reference, RUBRIC, THRESHOLDS, n_resamples=50)
    kappas = {d.dimension: d.kappa for d in got.per_dimension}
    assert np.isnan(kappas[DU]) and kappas[VE] == 0
    assert got.mean_kappa == 0
    assert got.macro_f1 == pytest.approx(5 / 18)
    assert got.macro_precision == pytest.approx(1 / 4)
    assert got.macro_recall == pytest.approx(1.0)
    # nothing praised, quoted, rewritten or counted: undefined, not 0
    for name in ("praise_accuracy", "false_praise_rate", "grounding", "evidence_agreement", "uplift_target", "words"):
        assert np.isnan(getattr(got, name)), name
    assert got.uplift_by_dimension == []
    assert any("no crowd evidence" in n for n in got.notes)


# --- the bootstrap ------------------------------------------------------------------------------


def test_bootstrap_weights_count_the_draws() -> None:
    idx = resample_indices(5, 7, 3)
    weights = bootstrap_weights(5, 7, 3)
    assert weights.shape == (7, 5)
    for row, draw in zip(weights, idx, strict=True):
        assert row.tolist() == np.bincount(draw, minlength=5).tolist()
    assert bootstrap_weights(0, 4, 0).shape == (4, 0)


def test_targeting_kappa_equals_scikit_learn() -> None:
    rng = np.random.default_rng(1)
    predicted, actual = rng.random((30, 4)) < 0.4, rng.random((30, 4)) < 0.3
    weights = bootstrap_weights(30, 5, 0)
    got = targeting(predicted, actual, np.vstack([np.ones(30), weights]))["kappa"]
    draws = resample_indices(30, 5, 0)
    for j in range(4):
        assert got[0, j] == pytest.approx(cohen_kappa_score(actual[:, j], predicted[:, j]), abs=1e-12)
        for r, draw in enumerate(draws):
            expected = cohen_kappa_score(actual[draw, j], predicted[draw, j])
            assert got[r + 1, j] == pytest.approx(expected, abs=1e-12)


def _copies(draw: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The main example's conversations c1..c4 as drawn (a conversation drawn twice appears twice,
    under new ids), with their evidence."""
    items = list(REFERENCE.index)
    ids = [f"{items[i]}#{k}" for k, i in enumerate(draw)]
    rows = FEEDBACK.loc[[items[i] for i in draw]].set_axis(ids)
    reference = REFERENCE.iloc[draw].set_axis(ids)
    evidence = {
        (new, dim, kind): turns
        for new in ids
        for (old, dim, kind), turns in EVIDENCE.items()
        if new.split("#")[0] == old
    }
    return rows, reference, evidence


def test_each_draw_is_the_figure_on_the_drawn_conversations(result: CoachAgreement) -> None:
    # a draw's figure must equal the point estimate on a table of exactly the drawn conversations
    conv = conversations(FEEDBACK, profiles(REFERENCE, RUBRIC, THRESHOLDS), DIMS, RUBRIC, EVIDENCE)
    weights = bootstrap_weights(4, 200, 0)
    draws = figures(conv, weights)
    for r, draw in enumerate(resample_indices(4, 200, 0)[:25]):
        rows, reference, evidence = _copies(draw)
        direct = coach_agreement("t", "c", "run", rows, reference, RUBRIC, THRESHOLDS, evidence=evidence, n_resamples=2)
        for name in HEADLINES:
            assert close(float(draws[name][r]), getattr(direct, name)), (r, name)
    # and the record's intervals are the percentile intervals of exactly those draws
    for name in HEADLINES:
        low, high = percentile_ci(draws[name])
        assert close(getattr(result, f"{name}_low"), low) and close(getattr(result, f"{name}_high"), high), name
    assert result.mean_kappa_low < result.mean_kappa < result.mean_kappa_high


def test_same_seed_same_intervals() -> None:
    def run(seed: int) -> CoachAgreement:
        return coach_agreement("t", "c", "run", FEEDBACK, REFERENCE, RUBRIC, THRESHOLDS, n_resamples=200, seed=seed)

    assert run(3).model_dump_json() == run(3).model_dump_json()
    assert run(3).model_dump_json() != run(4).model_dump_json()  # another seed, other draws


# --- feedback from ratings, and refusals --------------------------------------------------------


def test_feedback_from_ratings() -> None:
    # a: VE1 EE2 DU5 AG5 SO1 DE3: problems VE (badness 4), EE (3), AG (4), DE (2): worst first, the
    #    VE/AG tie in rubric order -> [VE, AG, EE, DE]; strengths DU, SO
    # b: VE unrated, EE4 DU3 AG1 SO3 DE1: problems SO; strengths EE, AG, DE (rubric order)
    wide = ratings({"a": [1, 2, 5, 5, 1, 3], "b": [NAN, 4, 3, 1, 3, 1]})
    rows = feedback_from_ratings(wide, RUBRIC, THRESHOLDS)
    assert list(rows.index) == ["a", "b"]
    assert rows.loc["a", "improvements"] == [VE, AG, EE, DE]
    assert rows.loc["a", "praised"] == [DU, SO]
    assert rows.loc["b", "improvements"] == [SO]
    assert rows.loc["b", "praised"] == [EE, AG, DE]
    assert rows["words"].isna().all() and rows["uplift"].isna().all()
    assert rows["quotes"].map(len).tolist() == [0, 0]


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        (feedback({"c1": {"improvements": ["empathy"]}}), "not dimensions"),
        (feedback({"c1": {"quotes": [quote(VE, True, 1, kind="praise")]}}), "quote kinds"),
        (feedback({"c1": {}}).drop(columns="uplift"), "lacks columns"),
    ],
)
def test_refuses_feedback_it_would_misread(rows: pd.DataFrame, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        coach_agreement("t", "c", "run", rows, REFERENCE, RUBRIC, THRESHOLDS, n_resamples=10)


def test_refuses_a_reference_column_outside_the_rubric() -> None:
    with pytest.raises(ValueError, match="not dimensions of rubric"):
        coach_agreement("t", "c", "run", FEEDBACK, REFERENCE.assign(empathy=1), RUBRIC, THRESHOLDS, n_resamples=10)


# --- the human ceiling --------------------------------------------------------------------------

# Three experts on conversations x, y, z and two dimensions (VE, AG):
PANEL = {
    "e1": ratings({"x": [1, 4], "y": [4, 1], "z": [2, 2]}, [VE, AG]),
    "e2": ratings({"x": [2, 3], "y": [5, 1], "z": [4, 1]}, [VE, AG]),
    "e3": ratings({"x": [3, 5], "y": [2, 1], "z": [1, 3]}, [VE, AG]),
}
# e1 against the median (= mean of two) of e2, e3: x VE2.5 AG4 (problem AG; worst AG), y VE3.5 AG1
#   (strength AG; worst VE), z VE2.5 AG2 (nothing; worst VE). e1's own feedback: x [VE, AG] (badness
#   4, 3), y [] praising VE, AG, z [VE].
#   VE: P 101, A 000: TP0 FP2 FN0 TN1 -> F1 0; S = 2*0 + 1*3 = 3: (3*1 - 3)/(9 - 3) = 0
#   AG: P 100, A 100: F1 1; S = 1*1 + 2*2 = 5: (3*3 - 5)/(9 - 5) = 1.   macro F1 1/2, kappa 1/2
#   k: x 1 -> [VE]: VE F1 0/(0 + 1 + 0) = 0, AG 0/(0 + 0 + 1) = 0 -> F1 at count 0
#   praise: y {VE, AG}, strengths {AG} -> 1/2, no false praise; priority: x VE not worst, z VE worst -> 1/2
# e2 against e1, e3: x VE2 AG4.5 (problems VE, AG; worst AG), y VE3 AG1 (strength AG; worst VE),
#   z VE1.5 AG2.5 (problem VE; worst VE). Own: x [VE, AG], y [] praising VE, AG, z [] praising VE, AG.
#   VE: P 100, A 101: TP1 FN1 TN1 -> F1 2/(2 + 1) = 2/3; S = 1*2 + 2*1 = 4: (3*2 - 4)/(9 - 4) = 2/5
#   AG: P 100, A 100: F1 1, kappa 1.   macro F1 5/6, kappa 7/10; F1 at count: k = 2, 0, 1 keeps all: 5/6
#   praise: y VE (neither) and AG (a strength), z VE (a problem) and AG (2.5: neither) -> accuracy 1/4,
#   false 1/4;
#   priority: x VE, worst AG: 0/1
# e3 against e1, e2: x VE1.5 AG3.5 (problems VE, AG; worst VE), y VE4.5 AG1 (strengths VE, AG; worst VE),
#   z VE3 AG1.5 (nothing; worst VE). Own: x [AG], y [VE] praising AG, z [VE, AG] (badness 4, 2).
#   VE: P 011, A 100: TP0 FP2 FN1 TN0 -> F1 0; S = 2*1 + 1*2 = 4: (0 - 4)/5 = -4/5
#   AG: P 101, A 100: TP1 FP1 TN1 -> F1 2/3; S = 2*1 + 1*2 = 4: (3*2 - 4)/5 = 2/5.   macro F1 1/3, kappa -1/5
#   F1 at count: k = 2, 0, 0 keeps x [AG]: VE 0/(0 + 0 + 1) = 0, AG 1 -> 1/2
#   praise: y AG a strength -> 1/1; priority: x AG (worst VE) miss, y VE hit, z VE hit -> 2/3
# Means over experts: macro F1 (1/2 + 5/6 + 1/3)/3 = 5/9; kappa (1/2 + 7/10 - 1/5)/3 = 1/3; F1 at count
# (0 + 5/6 + 1/2)/3 = 4/9; praise (1/2 + 1/4 + 1)/3 = 7/12; false praise (0 + 1/4 + 0)/3 = 1/12;
# priority (1/2 + 0 + 2/3)/3 = 7/18; praised 2 + 4 + 1 = 7, prioritised 2 + 1 + 3 = 6 (summed).


def test_ceiling_on_a_hand_built_panel() -> None:
    got = coach_ceiling("t", PANEL, RUBRIC, THRESHOLDS, n_resamples=200)
    assert got is not None
    assert (got.rater, got.rater_type, got.role, got.from_ratings, got.n_items) == (
        CEILING_LABEL,
        "human",
        "ceiling",
        True,
        3,
    )
    assert got.macro_f1 == pytest.approx(5 / 9)
    assert got.mean_kappa == pytest.approx(1 / 3)
    assert got.f1_at_reference_count == pytest.approx(4 / 9)
    assert got.praise_accuracy == pytest.approx(7 / 12)
    assert got.false_praise_rate == pytest.approx(1 / 12)
    assert got.prioritisation == pytest.approx(7 / 18)
    assert (got.n_praised, got.n_prioritised) == (7, 6)
    # per dimension, means over experts: VE kappa (0 + 2/5 - 4/5)/3 = -2/15, F1 (0 + 2/3 + 0)/3 = 2/9,
    # base rate (0 + 2/3 + 1/3)/3 = 1/3; AG kappa (1 + 1 + 2/5)/3 = 4/5, F1 (1 + 1 + 2/3)/3 = 8/9
    rows = {d.dimension: d for d in got.per_dimension}
    assert list(rows) == [VE, AG]
    assert (rows[VE].kappa, rows[VE].f1, rows[VE].base_rate) == pytest.approx((-2 / 15, 2 / 9, 1 / 3))
    assert (rows[AG].kappa, rows[AG].f1) == pytest.approx((4 / 5, 8 / 9))
    # VE recall: e1's reference has no VE problem (recall undefined), e2 1/2, e3 0 -> mean of the defined 1/4
    assert rows[VE].recall == pytest.approx(1 / 4)
    for name in ("grounding", "evidence_agreement", "uplift_target", "uplift_other", "harm_rate", "words"):
        assert np.isnan(getattr(got, name)), name


def test_ceiling_is_the_mean_of_each_expert_scored_as_a_rater() -> None:
    got = coach_ceiling("t", PANEL, RUBRIC, THRESHOLDS, n_resamples=200)
    assert got is not None
    singles, draws = [], []
    for expert, mine in PANEL.items():
        others = pd.concat([t for e, t in PANEL.items() if e != expert]).groupby(level=0).median()
        rows = feedback_from_ratings(mine, RUBRIC, THRESHOLDS)
        conv = conversations(rows, profiles(others, RUBRIC, THRESHOLDS), [VE, AG], RUBRIC, {})
        draws.append(figures(conv, bootstrap_weights(3, 200, 0)))
        singles.append(coach_agreement("t", expert, "human", rows, others, RUBRIC, THRESHOLDS, n_resamples=10))
    assert got.macro_f1 == pytest.approx(np.mean([s.macro_f1 for s in singles]))
    assert got.prioritisation == pytest.approx(np.mean([s.prioritisation for s in singles]))
    # the interval comes from the experts' draws averaged draw by draw (the same draws for all)
    low, high = percentile_ci(np.mean([d["macro_f1"] for d in draws], axis=0))
    assert (got.macro_f1_low, got.macro_f1_high) == pytest.approx((low, high))


def test_ceiling_needs_three_experts() -> None:
    assert coach_ceiling("t", {e: PANEL[e] for e in ("e1", "e2")}, RUBRIC, THRESHOLDS, n_resamples=10) is None


# --- on the real data ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lend_an_ear(mirror: Path) -> LabelSet:
    return load_source("kumar2025", ["lend_an_ear"])


def test_flag_everything_and_the_ceiling_on_lend_an_ear(lend_an_ear: LabelSet) -> None:
    reference = rater_wide(lend_an_ear.ratings, "experts", DIMS)
    assert reference.shape == (50, 6)
    everything = feedback({str(item): {"improvements": DIMS} for item in reference.index})
    start = time.perf_counter()
    got = coach_agreement("t", "all", "baseline", everything, reference, RUBRIC, THRESHOLDS, n_resamples=2000)
    assert time.perf_counter() - start < 2.0  # the bootstrap is vectorised: 2,000 draws of 50 in well under that
    # Flagging everything: precision = base rate b, recall 1, F1 = 2b/(1 + b), computed here from the
    # thresholds directly (prescriptive <= 2, proscriptive >= 3); kappa 0 on every dimension
    prescriptive = [RUBRIC.dimension(d).polarity == "prescriptive" for d in DIMS]
    problems = np.where(prescriptive, reference[DIMS] <= 2, reference[DIMS] >= 3)
    base = problems.mean(axis=0)
    assert got.macro_f1 == pytest.approx(np.mean(2 * base / (1 + base)), abs=1e-12)
    assert got.macro_f1 == pytest.approx(0.56, abs=0.01)
    assert got.mean_kappa == 0
    tables = {d: group_table(lend_an_ear.ratings, "expert", d) for d in DIMS}
    panel = {e: pd.DataFrame({d: tables[d][e] for d in DIMS}) for e in tables[VE].columns}
    assert len(panel) == 3
    ceiling = coach_ceiling("t", panel, RUBRIC, THRESHOLDS, n_resamples=200)
    assert ceiling is not None and ceiling.n_items == 50
    assert 0.64 <= ceiling.macro_f1 <= 0.70
    assert ceiling.mean_kappa > 0.2  # the experts agree on their profiles well beyond chance


def test_improvements_within_a_word_budget() -> None:
    from empathy_bench.agreement.coach_counts import within_budget

    # 60 fits in 100, 60 + 50 = 110 does not; a repeated dimension is named once
    assert within_budget([VE, AG, DU], [60, 50, 10], 100) == [VE]
    assert within_budget([EE, VE, EE], [30, 30, 30], 100) == [EE, VE]
    assert within_budget([VE], [101], 100) == []


def test_f1_with_a_word_budget_holds_length_fixed() -> None:
    reference = pd.DataFrame({VE: [1, 5], EE: [5, 1], DU: [5, 5], AG: [3, 1], SO: [1, 1], DE: [1, 1]}, index=["a", "b"])
    rows = {
        # problems {VE, AG}: the second improvement does not fit in 100 words (60 + 50)
        "a": {"improvements": [VE, AG], "improvement_words": [60, 50]},
        # problems {EE}: both fit (30 + 30)
        "b": {"improvements": [EE, VE], "improvement_words": [30, 30]},
    }
    base = {"praised": [], "words": 110.0, "quotes": [], "uplift": None}
    feedback = pd.DataFrame.from_dict({k: base | v for k, v in rows.items()}, orient="index")
    got = coach_agreement("t", "c", "run", feedback, reference, RUBRIC, THRESHOLDS, n_resamples=20)
    # within the budget: VE named in a and b, a problem only in a: F1 2/3; EE named and a problem in
    # b: 1; AG a problem in a, not named within the budget: 0; the others undefined -> (2/3 + 1 + 0) / 3
    assert got.f1_word_budget == pytest.approx(5 / 9)
    # unbudgeted, AG counts too: (2/3 + 1 + 1) / 3
    assert got.macro_f1 == pytest.approx(8 / 9)
    # rows that say nothing of words (ratings read as feedback) have no budgeted F1
    without = coach_agreement(
        "t", "c", "run", feedback.drop(columns="improvement_words"), reference, RUBRIC, THRESHOLDS, n_resamples=20
    )
    assert without.f1_word_budget != without.f1_word_budget


def test_a_rater_scored_on_the_ceilings_references() -> None:
    # the mean over left-out experts of the kappa against the median of the two others, composed
    # here by hand from coach_agreement on each leave-one-out reference
    rater = feedback_from_ratings(PANEL["e1"], RUBRIC, THRESHOLDS)
    kappas = []
    for left_out in sorted(PANEL):
        others = pd.concat([PANEL[e] for e in sorted(PANEL) if e != left_out]).groupby(level=0).median()
        kappas.append(coach_agreement("t", "r", "run", rater, others, RUBRIC, THRESHOLDS, n_resamples=2).mean_kappa)
    assert leave_one_out_kappa(rater, PANEL, RUBRIC, THRESHOLDS) == pytest.approx(float(np.mean(kappas)))
    # two experts leave no panel to take a median of: undefined, not 0
    two = {e: PANEL[e] for e in ("e1", "e2")}
    assert np.isnan(leave_one_out_kappa(rater, two, RUBRIC, THRESHOLDS))
