"""The recipient perspective (agreement/recipient.py) against hand-computed values: the CARE score
with CARE's prorating rule, Cronbach's alpha, Spearman, the yardsticks and an outcome task's
correlations of an overall score with the client's CARE score and readiness change, on tiny panels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from empathy_bench.agreement.recipient import (
    care_score,
    cronbach_alpha,
    outcome_correlations,
    prorated,
    readiness_changes,
    recipient_agreement,
    spearman_estimate,
    yardsticks,
)

NAN = float("nan")


def test_does_not_apply_is_missing_and_at_most_two_are_prorated() -> None:
    wide = pd.DataFrame(
        [[5, 4, NAN, NAN], [5, NAN, NAN, NAN], [1, 2, 3, 4]], index=["two_missing", "three_missing", "complete"]
    )
    score = care_score(wide)
    assert score["two_missing"] == 4.5  # mean of the answered items (Mercer et al.: mean-replacement)
    assert math.isnan(score["three_missing"])  # more than two missing: no CARE score
    assert score["complete"] == 2.5
    filled = prorated(wide)
    assert list(filled.index) == ["two_missing", "complete"]
    assert list(filled.loc["two_missing"]) == [5, 4, 4.5, 4.5]


def test_cronbach_alpha_by_hand() -> None:
    # item variances 1 and 1/3, variance of the totals (3, 5, 6) 7/3: alpha = 2 * (1 - (4/3)/(7/3)) = 6/7
    assert cronbach_alpha(np.array([[1, 2], [2, 3], [3, 3]])) == pytest.approx(6 / 7)
    assert math.isnan(cronbach_alpha(np.array([[1, 1], [1, 1]])))  # totals do not vary


def test_spearman_by_hand() -> None:
    # d = (0, 1, 1, 0): rho = 1 - 6 * 2 / (4 * 15) = 0.8
    est = spearman_estimate(pd.Series([1, 2, 3, 4]), pd.Series([1, 3, 2, 4]), n_resamples=200)
    assert est.value == pytest.approx(0.8)
    assert est.n == 4 and est.low <= est.high


def test_yardsticks_on_a_tiny_panel() -> None:
    client = pd.DataFrame([[1, 2], [2, 3], [3, 3], [NAN, NAN]], index=list("abcd"))
    rulers = {
        f"{w}Ruler{r}": [0, 0, 0, 0]
        for w in ("Pre", "Post", "WeekLater")
        for r in ("Importance", "Confidence", "Readiness")
    }
    metadata = pd.DataFrame(rulers, index=list("abcd"))
    metadata["PostRulerImportance"] = [1, 3, 2, 9]  # change 1, 3, 2 (d has no CARE score)
    found = yardsticks(client, metadata, n_resamples=200)
    assert found["cronbach_alpha"].value == pytest.approx(6 / 7) and found["cronbach_alpha"].n == 3
    # CARE scores 1.5, 2.5, 3 against changes 1, 3, 2: ranks (1, 2, 3) vs (1, 3, 2): rho = 1 - 6*2/(3*8) = 0.5
    assert found["care_vs_post_importance"].value == pytest.approx(0.5)
    assert found["care_vs_post_importance"].n == 3
    assert math.isnan(found["care_vs_week_readiness"].value)  # no variation in the change
    assert set(readiness_changes(metadata).columns) == {
        f"{w}_{r}" for w in ("post", "week") for r in ("importance", "confidence", "readiness")
    }


def test_a_judge_that_answers_as_the_client_reaches_spearman_one() -> None:
    client = pd.DataFrame({"q1": [1, 2, 4, 5, NAN], "q2": [2, 2, 5, 4, 3]}, index=list("abcde"))
    found = recipient_agreement(client.fillna(3), client, n_resamples=200)
    assert found["spearman_care"].value == pytest.approx(1.0)
    assert found["qwk:q2"].value == pytest.approx(1.0) and found["qwk:q2"].n == 5
    assert found["qwk:q1"].n == 4
    assert found["mean_qwk"].value == pytest.approx(1.0) and found["mean_qwk"].n == 5


def test_mean_qwk_is_the_mean_of_the_items_with_a_kappa() -> None:
    client = pd.DataFrame({"q1": [1, 2, 3], "q2": [2, 4, 5]}, index=list("abc"))
    judge = pd.DataFrame({"q1": [1, 2, 3], "q2": [3, 3, 3]}, index=list("abc"))  # q2: a constant judge, kappa 0
    found = recipient_agreement(judge, client, n_resamples=50)
    assert (found["qwk:q1"].value, found["qwk:q2"].value) == (pytest.approx(1.0), pytest.approx(0.0))
    assert found["mean_qwk"].value == pytest.approx(0.5)
    assert math.isnan(found["mean_qwk"].low)  # no interval


def rulers(index: list[str]) -> pd.DataFrame:
    """Every ruler 5 at every time point: no change, until a test sets one."""
    columns = [f"{w}Ruler{r}" for w in ("Pre", "Post", "WeekLater") for r in ("Importance", "Confidence", "Readiness")]
    return pd.DataFrame(5, index=index, columns=columns)


def test_an_overall_score_against_the_clients_outcomes_by_hand() -> None:
    """An outcome task's figures: the Spearman of a judge's overall score (another rubric) with the
    client's CARE score and with each readiness change, on the conversations each pair has."""
    index = list("abcde")
    overall = pd.Series([-2, 4, 1, 7, 0], index=index, dtype=float)
    # CARE scores 2, 3.5, 4 (one 'does not apply': mean of the other two), 5; e answered nothing: no score
    client = pd.DataFrame({"q1": [2, 3, 4, 5, NAN], "q2": [2, 4, NAN, 5, NAN], "q3": [2, 3.5, 4, 5, NAN]}, index=index)
    metadata = rulers(index)
    metadata["PostRulerImportance"] = [4, 6, 9, 8, 7]  # changes -1, 1, 4, 3, 2
    found = outcome_correlations(overall, client, metadata, n_resamples=200)
    assert set(found) == {"spearman_care"} | {
        f"spearman_{w}_{r}" for w in ("post", "week") for r in ("importance", "confidence", "readiness")
    }
    # a-d: overall ranks (1, 3, 2, 4) vs CARE ranks (1, 2, 3, 4): d = (0, 1, -1, 0), rho = 1 - 6*2/(4*15) = 0.8
    assert found["spearman_care"].value == pytest.approx(0.8) and found["spearman_care"].n == 4
    # a-e: overall ranks (1, 4, 3, 5, 2) vs change ranks (1, 2, 5, 4, 3): sum d^2 = 0+4+4+1+1 = 10,
    # rho = 1 - 6*10/(5*24) = 0.5
    post = found["spearman_post_importance"]
    assert post.value == pytest.approx(0.5) and post.n == 5 and -1 <= post.low <= post.high <= 1
    assert math.isnan(found["spearman_week_readiness"].value)  # the change does not vary: not defined


def test_an_unscored_conversation_is_left_out_of_the_outcome_correlation() -> None:
    index = list("abcd")
    overall = pd.Series([3, NAN, 1, 2], index=index)  # b: the judge's reply could not be scored
    client = pd.DataFrame({"q1": [5, 1, 3, 4]}, index=index)
    found = outcome_correlations(overall, client, rulers(index), n_resamples=50)
    # a, c, d: overall (3, 1, 2) and CARE (5, 3, 4) in the same order
    assert found["spearman_care"].value == pytest.approx(1.0) and found["spearman_care"].n == 3
