"""The recipient perspective (agreement/recipient.py) against hand-computed values: the CARE score
with CARE's prorating rule, Cronbach's alpha, Spearman, and the yardsticks on a tiny panel."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from empathy_bench.agreement.recipient import (
    care_score,
    cronbach_alpha,
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
