"""Every kind's figures as one list of statistics: each typed result gives every number it holds
as a Stat under a key (metric, criterion, condition, versus), with its interval and n, and its
parameters as settings; a record's JSON reads back with bools, whole numbers and undefined
figures as they were."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from pydantic import BaseModel

from empathy_bench.agreement.alt_test import AltTestResult, AnnotatorTest
from empathy_bench.agreement.choice_scores import GapBin
from empathy_bench.agreement.coach import CoachAgreement
from empathy_bench.agreement.coach_figures import DimensionTargeting, DimensionUplift
from empathy_bench.agreement.position import PositionBias
from empathy_bench.agreement.preference import PreferenceAgreement
from empathy_bench.agreement.probe import CompareShift, Effect, ProbeResult, Retest
from empathy_bench.agreement.rater import DimensionAgreement, DimensionMean, RaterAgreement
from empathy_bench.agreement.spread import Spread, spread_of_stats
from empathy_bench.agreement.statistics import Statistics

NAN = float("nan")


def _pair(dim: str, base: float, n: int) -> DimensionAgreement:
    return DimensionAgreement(
        dimension=dim,
        n=n,
        **{"qwk": base, "qwk_low": base - 0.1, "qwk_high": base + 0.1, "spearman": base + 0.01},
        **{"spearman_low": NAN, "spearman_high": NAN, "exact": 0.5, "adjacent": 0.9, "mae": 0.7},
        **{"alpha": base + 0.02, "alpha_low": 0.1, "alpha_high": 0.3, "alpha_shuffled": -0.01, "alpha_experts": 0.4},
        qwk_loo=base + 0.03,
    )


def _annotator(name: str, rejected: bool) -> AnnotatorTest:
    return AnnotatorTest(
        annotator=name,
        n_items=40,
        n_units=40,
        df=39,
        rho_llm=0.6,
        rho_human=0.5,
        t_statistic=None,
        p_value=0.01,
        p_adjusted=0.02,
        rejected=rejected,
    )


def _test(procedure: str, passed: bool) -> AltTestResult:
    return AltTestResult(
        procedure=procedure,  # type: ignore[arg-type]
        epsilon=0.2,
        alpha=0.05,
        metric="neg_rmse",
        n_annotators=2,
        n_items=40,
        n_items_dropped=3,
        winning_rate=0.5,
        passed=passed,
        advantage_probability=0.61,
        per_annotator=[_annotator("e1", True), _annotator("e2", False)],
    )


RATER = RaterAgreement(
    task="t",
    rater="judge",
    rater_type="run",
    n_items=50,
    n_ratings=100,
    mean=DimensionMean(qwk=0.45, qwk_low=0.35, qwk_high=0.55, spearman=0.46, qwk_loo=0.48, qwk_loo_low=0.4),
    dimensions=[_pair("d1", 0.4, 50), _pair("d2", 0.5, 49)],
    overall_score=_pair("overall_score", 0.6, 48),
    alt_test=_test("reference", True),
    alt_test_clustered=_test("clustered", False),
    alt_test_by_dimension={"d1": _test("reference", False)},
    spread=Spread(unit="epoch", values=[0.4, NAN, 0.5], low=0.4, high=0.5),
    notes=["a note"],
)


def test_a_rate_result_gives_each_figure_under_its_key_with_its_interval_and_n() -> None:
    s = RATER.statistics()
    assert (s.task, s.rater, s.rater_type, s.role, s.criterion, s.probe, s.notes) == (
        "t",
        "judge",
        "run",
        "rater",
        None,
        None,
        ["a note"],
    )
    mean = s.stat("qwk")
    assert mean is not None and (mean.value, mean.low, mean.high, mean.n) == (0.45, 0.35, 0.55, 50)
    # the mean's alpha is NaN (no expert panel given): an undefined figure, kept as None
    assert s.stat("alpha") is not None and s.value("alpha") is None
    loo = s.stat("qwk_loo")
    assert loo is not None and (loo.value, loo.low, loo.high) == (0.48, 0.4, None)
    d2 = s.stat("qwk", "d2")
    assert d2 is not None and (d2.value, d2.low, d2.high, d2.n) == (0.5, 0.4, 0.6, 49)
    # an undefined bound is None, not NaN
    assert (s.stat("spearman", "d1").low, s.stat("spearman", "d1").high) == (None, None)  # type: ignore[union-attr]
    assert s.value("mae", "overall_score") == 0.7 and s.stat("qwk", "overall_score").n == 48  # type: ignore[union-attr]
    assert s.criteria("qwk") == ["d1", "d2", "overall_score"]
    # the authors' test, our clustered variant and a per-dimension test under their own names
    assert (s.value("alt_test_passed"), s.value("alt_test_clustered_passed"), s.value("alt_test_passed", "d1")) == (
        True,
        False,
        False,
    )
    assert s.versus_of("alt_test_rejected") == ["e1", "e2"]
    assert [s.value("alt_test_rejected", versus=e) for e in ("e1", "e2")] == [True, False]
    assert s.value("alt_test_t_statistic", versus="e1") is None and s.stat("alt_test_df", versus="e2").n == 40  # type: ignore[union-attr]
    assert s.settings == {
        **{
            "alt_test_procedure": "reference",
            "alt_test_epsilon": 0.2,
            "alt_test_alpha": 0.05,
            "alt_test_metric": "neg_rmse",
        },
        **{"alt_test_clustered_procedure": "clustered", "alt_test_clustered_epsilon": 0.2},
        **{"alt_test_clustered_alpha": 0.05, "alt_test_clustered_metric": "neg_rmse"},
    }
    # the spread: each epoch's headline under its condition, the undefined one too
    assert s.conditions("headline") == ["epoch 1", "epoch 2", "epoch 3"]
    spread = spread_of_stats(s)
    assert spread is not None and (spread.unit, spread.n, spread.low, spread.high) == ("epoch", 3, 0.4, 0.5)


def test_a_record_of_statistics_reads_back_with_its_types() -> None:
    s = RATER.statistics()
    back = Statistics.model_validate_json(s.model_dump_json())
    assert back == s
    assert type(back.value("n_items")) is int and type(back.value("alt_test_passed")) is bool
    assert type(back.value("qwk")) is float and back.value("alpha") is None
    # an absent interval, criterion, condition or other rater is left out of the file
    data = json.loads(s.model_dump_json())
    first = data["stats"][0]
    assert first == {"metric": "n_items", "value": 50, "n": 50}


def _numbers(value: Any) -> list[float]:
    """Every number (bools as 0/1) in a typed result's JSON, NaN left out (it is no figure)."""
    if isinstance(value, dict):
        return [x for v in value.values() for x in _numbers(v)]
    if isinstance(value, list):
        return [x for v in value for x in _numbers(v)]
    if isinstance(value, bool | int | float) and not (isinstance(value, float) and math.isnan(value)):
        return [float(value)]
    return []


def _held(s: Statistics) -> list[float]:
    found = [float(x) for st in s.stats for x in (st.value, st.low, st.high, st.n) if x is not None]
    return found + [float(v) for v in s.settings.values() if isinstance(v, int | float)]


PREFERENCE = PreferenceAgreement(
    task="c",
    rater="j",
    rater_type="run",
    criterion="empathy",
    from_ratings=False,
    n_pairs=30,
    n_verdicts=60,
    n_no_reference=2,
    n_decisive=25,
    n_decisive_verdicts=50,
    accuracy=0.71,
    accuracy_low=0.6,
    accuracy_high=0.8,
    kappa=0.33,
    kappa_low=0.2,
    kappa_high=0.45,
    accuracy_strict=0.66,
    accuracy_strict_low=0.55,
    accuracy_strict_high=0.77,
    accuracy_loo=0.69,
    kappa_loo=0.31,
    accuracy_conservative=0.64,
    position=PositionBias(n=28, consistent=20, primacy=5, recency=3, consistency=0.714, fairness=-0.07, flip_rate=0.1),
    by_gap=[GapBin(label="0-2", low=0.0, high=2.0, n=11, accuracy=0.55), GapBin(label="2+", low=2.0, high=24.0, n=14)],
    spread=Spread(unit="epoch", values=[0.7, 0.72], low=0.7, high=0.72),
)
COACH = CoachAgreement(
    task="k",
    rater="coach",
    rater_type="run",
    from_ratings=False,
    n_items=20,
    n_unscored=1,
    mean_kappa=0.21,
    mean_kappa_low=0.1,
    mean_kappa_high=0.3,
    praise_accuracy=0.8,
    n_praised=15,
    grounding=0.9,
    n_quotes=12,
    prioritisation=0.62,
    n_prioritised=8,
    uplift_target=0.35,
    n_uplift=9,
    per_dimension=[DimensionTargeting(dimension="d1", n=20, base_rate=0.3, flag_rate=0.25, kappa=0.4, f1=0.5)],
    uplift_by_dimension=[DimensionUplift(dimension="d1", n_targeted=7, targeted_change=0.6, n_other=13)],
    thresholds={"strength_prescriptive_at_least": 2.5},
)
PROBE = ProbeResult(
    task="t",
    rater="judge",
    rater_type="run",
    probe="length",
    probe_id="length",
    effects=[Effect(dimension="d1", n=50, mean_change=0.12, low=0.05, high=0.2, flip_rate=0.3)],
    retest=[
        Retest(
            dimension="d1",
            n_items=50,
            epochs=3,
            mean_pairwise_qwk=0.8,
            identical_share=0.6,
            alpha=0.77,
            qwk_reference_min=0.4,
            qwk_reference_max=0.45,
        )
    ],
    compare_shift=CompareShift(
        n=40, shift_rate=0.1, shift_low=0.02, shift_high=0.2, ai_penalty=0.05, ai_penalty_low=-0.01, ai_penalty_high=0.1
    ),
    identical_replies=0.25,
)


@pytest.mark.parametrize("result", [RATER, PREFERENCE, COACH, PROBE], ids=["rate", "compare", "coach", "probe"])
def test_no_number_of_a_typed_result_is_lost(result: BaseModel) -> None:
    """Every number the typed result holds (figures, bounds, counts, decisions, parameters) is
    held by its statistics: its values, bounds, n or settings."""
    held = _held(result.statistics())  # type: ignore[attr-defined]
    missing = [x for x in _numbers(json.loads(result.model_dump_json())) if not any(math.isclose(x, h) for h in held)]
    assert missing == []


def test_a_compare_result_keys_its_figures_by_criterion_and_gap_bin() -> None:
    s = PREFERENCE.statistics()
    assert (s.criterion, s.from_ratings) == ("empathy", False)
    acc = s.stat("accuracy", "empathy")
    assert acc is not None and (acc.value, acc.low, acc.high, acc.n) == (0.71, 0.6, 0.8, 25)
    assert s.stat("kappa", "empathy").n == 30  # type: ignore[union-attr]
    assert s.stat("position_consistency", "empathy").n == 28  # type: ignore[union-attr]
    assert s.value("position_primacy", "empathy") == 5
    assert s.conditions("gap_low", "empathy") == ["gap 0-2", "gap 2+"]
    assert s.value("accuracy", "empathy", "gap 2+") is None and s.stat("accuracy", "empathy", "gap 2+").n == 14  # type: ignore[union-attr]
    assert s.value("gap_high", "empathy", "gap 2+") == 24.0


def test_a_coach_result_counts_each_share_over_its_own_units() -> None:
    s = COACH.statistics()
    assert s.stat("mean_kappa").n == 20 and s.stat("praise_accuracy").n == 15  # type: ignore[union-attr]
    assert s.stat("grounding").n == 12 and s.value("harm_rate") is None  # type: ignore[union-attr]
    assert (s.value("kappa", "d1"), s.value("targeted_change", "d1"), s.value("other_change", "d1")) == (0.4, 0.6, None)
    assert s.stat("targeted_change", "d1").n == 7 and s.stat("other_change", "d1").n == 13  # type: ignore[union-attr]
    assert s.settings == {"word_budget": COACH.word_budget, "threshold_strength_prescriptive_at_least": 2.5}


def test_a_probe_result_puts_its_figures_under_the_probe_condition() -> None:
    s = PROBE.statistics()
    assert (s.probe, s.probe_id) == ("length", "length")
    change = s.stat("mean_change", "d1", "length")
    assert change is not None and (change.value, change.low, change.high, change.n) == (0.12, 0.05, 0.2, 50)
    assert s.value("epochs", "d1", "length") == 3 and s.value("shift_rate", None, "length") == 0.1
    assert s.stat("mean_change", "d1") is None  # not a plain figure: it was measured under the probe
