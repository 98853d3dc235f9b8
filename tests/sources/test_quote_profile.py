"""Locating a quote in the supporter's messages (fuzzy, right speaker) and the profile rule
(problems and strengths from ratings, by the task's thresholds) on hand-built panels."""

from __future__ import annotations

import pandas as pd
import pytest

from empathy_bench.sources.profile import ProfileThresholds, profile, ranked_problems
from empathy_bench.sources.quote import evidence_turns, locate, similarity
from empathy_bench.sources.rubric import load_rubric

TURNS = [
    {"speaker": "Seeker", "text": "I didn't get the promotion and I feel like a failure."},
    {"speaker": "Supporter", "text": "Oh no! I\u2019m so sorry to hear that. What position was it?"},
    {"speaker": "Seeker", "text": "Product marketing manager."},
    {"speaker": "Supporter", "text": "You should ask your manager for feedback."},
]
RUBRIC = load_rubric("lend_an_ear")


def test_a_verbatim_quote_is_found_in_its_message() -> None:
    found = locate("You should ask your manager for feedback.", TURNS, "Supporter")
    assert (found.turn, found.similarity, found.speaker) == (3, 1.0, "Supporter")


def test_case_quote_marks_and_spacing_do_not_matter() -> None:
    found = locate('"i\'m  SO sorry to hear that"', TURNS, "Supporter")
    assert (found.turn, found.similarity) == (1, 1.0)


def test_a_quote_with_a_fixed_typo_is_found_and_a_paraphrase_is_not() -> None:
    # two letters swapped: the best 40-character window (the message without its full stop)
    # shares 39 characters in order with the 40 of the quote: 2 * 39 / 80 = 0.975
    assert locate("You shuold ask your manager for feedback", TURNS, "Supporter").turn == 3
    assert similarity("you shuold ask your manager for feedback", "you should ask your manager for feedback.") == (
        pytest.approx(2 * 39 / 80)
    )
    assert not locate("Maybe talk to your boss about what went wrong", TURNS, "Supporter").grounded


def test_the_seekers_words_are_not_grounded_and_say_whose_they_are() -> None:
    found = locate("I feel like a failure", TURNS, "Supporter")
    assert (found.grounded, found.speaker) == (False, "Seeker")
    nowhere = locate("This sentence appears nowhere at all", TURNS, "Supporter")
    assert (nowhere.grounded, nowhere.speaker) == (False, None)


def test_a_very_short_quote_grounds_nothing() -> None:
    assert not locate("Oh no!", TURNS, "Supporter").grounded


def test_a_long_quote_is_not_found_in_a_short_message_it_contains() -> None:
    # the whole of "Product marketing manager." (26 characters) sits inside the 61-character quote:
    # compared whole, 2 * 26 / 87 = 0.60, not a window match of 1.0
    turns = [{"speaker": "Supporter", "text": "Product marketing manager."}]
    assert (
        similarity("product marketing manager. and then a lot more words after it", "product marketing manager.") < 0.85
    )
    assert not locate("Product marketing manager. And then a lot more words after it", turns, "Supporter").grounded


def test_crowd_evidence_points_at_the_messages_it_quotes_on_the_side_it_rated() -> None:
    items = pd.DataFrame([{"item_id": "c1", "turns": TURNS, "target": "Supporter"}])
    rows = [
        # advice rated 4 (a problem) and 5 quoting two messages; 2 (neither side) is left out
        ("advice_giving", "crowd", 4, "ask your manager for feedback"),
        ("advice_giving", "crowd", 5, "so sorry to hear that"),
        ("advice_giving", "crowd", 2, "What position was it?"),
        # validating rated 5 (a strength) and 1 (a problem)
        ("validating_emotions", "crowd", 5, "so sorry to hear that"),
        ("validating_emotions", "crowd", 1, "You should ask your manager"),
        ("validating_emotions", "crowd", 5, "not said by anyone here"),
        ("validating_emotions", "expert", 5, "What position was it?"),
    ]
    ratings = pd.DataFrame(
        [{"item_id": "c1", "dimension": d, "rater_group": g, "value": v, "evidence": e} for d, g, v, e in rows]
    )
    assert evidence_turns(ratings, items, RUBRIC, ProfileThresholds()) == {
        ("c1", "advice_giving", "improvement"): {1, 3},
        ("c1", "validating_emotions", "strength"): {1},
        ("c1", "validating_emotions", "improvement"): {3},
    }


# prescriptive: validating, elaboration, understanding; proscriptive: advice, self, dismissing
PANEL = {
    "validating_emotions": 2,  # <= 2: problem
    "encouraging_elaboration": 4,  # >= 4: strength
    "demonstrating_understanding": 3,  # neither
    "advice_giving": 3,  # >= 3: problem
    "self_oriented": 1,  # == 1: strength
    "dismissing_emotions": 2,  # neither
}


def test_the_profile_thresholds_on_a_hand_built_panel() -> None:
    found = profile(PANEL, RUBRIC, ProfileThresholds())
    assert found.problems == {"validating_emotions", "advice_giving"}
    assert found.strengths == {"encouraging_elaboration", "self_oriented"}
    # badness: validating 5-2 = 3, advice 3-1 = 2, understanding 2, dismissing 1, others 1 and 0
    assert found.worst == {"validating_emotions"}


def test_a_median_between_two_points_follows_the_thresholds() -> None:
    # median of (2, 3) = 2.5: above 2, so not a problem; at 2.5 proscriptive, not >= 3 either
    found = profile({"validating_emotions": 2.5, "advice_giving": 2.5}, RUBRIC, ProfileThresholds())
    assert found.problems == set()


def test_stricter_thresholds_flag_less_and_ties_for_worst_are_kept() -> None:
    strict = ProfileThresholds(problem_prescriptive_at_most=1, problem_proscriptive_at_least=4)
    assert profile(PANEL, RUBRIC, strict).problems == set()
    tied = profile({"validating_emotions": 1, "advice_giving": 5, "self_oriented": 2}, RUBRIC, ProfileThresholds())
    assert tied.worst == {"validating_emotions", "advice_giving"}


def test_problems_rank_worst_first_ties_in_the_rubrics_order() -> None:
    values = PANEL | {"dismissing_emotions": 5, "demonstrating_understanding": 1}
    # badness: understanding 4, dismissing 4, validating 3, advice 2
    assert ranked_problems(values, RUBRIC, ProfileThresholds()) == [
        "demonstrating_understanding",
        "dismissing_emotions",
        "validating_emotions",
        "advice_giving",
    ]


def test_thresholds_that_overlap_are_refused() -> None:
    with pytest.raises(ValueError, match="below"):
        ProfileThresholds(problem_prescriptive_at_most=4, strength_prescriptive_at_least=4)
