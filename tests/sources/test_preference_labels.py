"""Preference labels: pairs within a group, choices derived from a rater's ratings (polarity,
ties), the strict-majority reference, and AnnoMI's released high/low labels."""

from __future__ import annotations

import pandas as pd
import pytest

from empathy_bench.core.errors import InputError
from empathy_bench.sources.card import LabelPreferences
from empathy_bench.sources.labels import label_preferences, load_source
from empathy_bench.sources.preference import (
    choices_from_ratings,
    majority,
    majority_reference,
    pairs_within,
)
from empathy_bench.sources.rubric import load_rubric

LAE = load_rubric("lend_an_ear")
DIMS = LAE.dimension_ids  # validating, elaboration, understanding | advice, self, dismissing


def item(item_id: str, opener: str, **metadata: object) -> dict[str, object]:
    turns = [{"speaker": "Seeker", "text": opener}, {"speaker": "Supporter", "text": "I hear you."}]
    return {"item_id": item_id, "framework": "lend_an_ear", "turns": turns, "metadata": metadata}


def wide(values: dict[str, list[int]]) -> pd.DataFrame:
    """Items x dimensions, one list of six ratings per item in rubric order."""
    return pd.DataFrame(values, index=DIMS).T


ITEMS = pd.DataFrame([item("i1", "I lost my job."), item("i2", "I lost my job. "), item("i3", "I lost my job.")])
PAIRS = pairs_within(ITEMS, "opener")
# Three experts. Overall = sum of the first three minus sum of the last three.
PANEL = {
    # overall i1 9, i2 3, i3 9 -> (i1,i2) a, (i1,i3) tie, (i2,i3) b
    "e1": wide({"i1": [4, 4, 4, 1, 1, 1], "i2": [3, 3, 3, 2, 2, 2], "i3": [4, 4, 4, 1, 1, 1]}),
    # overall i1 -3, i2 3, i3 6 -> b, b, b; advice 3, 2, 1 (less is better) -> b, b, b
    "e2": wide({"i1": [2, 2, 2, 3, 3, 3], "i2": [3, 3, 3, 2, 2, 2], "i3": [3, 3, 3, 1, 1, 1]}),
    # overall i1 0, i2 0, i3 12 -> tie, b, b
    "e3": wide({"i1": [5, 5, 5, 5, 5, 5], "i2": [1, 1, 1, 1, 1, 1], "i3": [5, 5, 5, 1, 1, 1]}),
}


def derived(criteria: list[str]) -> pd.DataFrame:
    return pd.concat(
        [choices_from_ratings(PAIRS, table, LAE, criteria, rater, "expert") for rater, table in PANEL.items()],
        ignore_index=True,
    )


def choices_of(table: pd.DataFrame, rater: str, criterion: str) -> list[str]:
    rows = table[(table.rater_id == rater) & (table.criterion == criterion)]
    return rows.sort_values("pair_id")["choice"].tolist()


def test_pairs_are_every_two_items_with_the_same_opener() -> None:
    items = pd.concat([ITEMS, pd.DataFrame([item("j1", "Other."), item("j2", "Other.")])], ignore_index=True)
    pairs = pairs_within(items, "opener")
    # whitespace around an opener does not split a group: 3 pairs among i1-i3, 1 between j1 and j2
    assert sorted(pairs.pair_id) == ["i1|i2", "i1|i3", "i2|i3", "j1|j2"]
    assert pairs.set_index("pair_id").loc["i1|i3", ["item_a", "item_b"]].tolist() == ["i1", "i3"]


def test_each_rater_prefers_what_its_own_ratings_score_higher_with_polarity_and_ties() -> None:
    table = derived(["overall", "validating_emotions", "advice_giving"])
    # pairs in order (i1,i2), (i1,i3), (i2,i3)
    assert choices_of(table, "e1", "overall") == ["a", "tie", "b"]
    assert choices_of(table, "e2", "overall") == ["b", "b", "b"]
    assert choices_of(table, "e3", "overall") == ["tie", "b", "b"]
    assert choices_of(table, "e1", "validating_emotions") == ["a", "tie", "b"]  # 4 vs 3, 4 vs 4, 3 vs 4
    assert choices_of(table, "e2", "validating_emotions") == ["b", "b", "tie"]
    # proscriptive: less advice is better. e1: 1 vs 2 -> a; e2: 3 vs 2 -> b
    assert choices_of(table, "e1", "advice_giving") == ["a", "tie", "b"]
    assert choices_of(table, "e2", "advice_giving") == ["b", "b", "b"]
    assert set(table.derived) == {"ratings"}


def test_the_reference_is_the_strict_majority_and_a_three_way_split_has_none() -> None:
    reference = majority_reference(derived(["overall"]), "expert", "overall").set_index("pair_id")
    assert reference.loc["i1|i2", "choice"] is None  # a, b, tie: no majority -> left out
    assert reference.loc["i1|i3", "choice"] == "b"  # tie, b, b
    assert reference.loc["i2|i3", "choice"] == "b"  # b, b, b
    assert reference["n_raters"].tolist() == [3, 3, 3]


@pytest.mark.parametrize(
    ("choices", "expected"),
    [(["a", "a", "tie"], "a"), (["tie", "tie", "b"], "tie"), (["a", "b"], None), (["a", "b", "tie"], None), ([], None)],
)
def test_majority_needs_more_than_half(choices: list[str], expected: str | None) -> None:
    assert majority(choices) == expected


def test_a_rater_missing_a_dimension_has_no_overall_choice_on_its_pairs() -> None:
    partial = PANEL["e1"].drop(columns=["dismissing_emotions"])
    assert choices_from_ratings(PAIRS, partial, LAE, ["overall"], "e1", "expert").empty


def test_released_item_labels_prefer_the_better_label_within_a_topic() -> None:
    items = pd.DataFrame(
        [
            item("t1", "x", topic="smoking ", quality="low"),
            item("t2", "x", topic="smoking", quality="high"),
            item("t3", "x", topic="smoking", quality="high"),
            item("t4", "x", topic="drinking", quality="low"),
        ]
    )
    spec = LabelPreferences(rater="design", group="expert", column="quality", order=["high", "low"], within="topic")
    prefs = label_preferences(items, spec).set_index("pair_id")
    # only mixed-label pairs within a topic ("smoking " and "smoking" are one topic); t4 has no partner
    assert sorted(prefs.index) == ["t1|t2", "t1|t3"]
    assert prefs["choice"].tolist() == ["b", "b"]  # the high-quality session is item_b in both
    assert set(prefs.derived) == {"quality"}


def test_an_item_label_missing_from_the_order_is_refused() -> None:
    items = pd.DataFrame([item("t1", "x", topic="a", quality="medium")])
    spec = LabelPreferences(rater="design", group="expert", column="quality", order=["high", "low"], within="topic")
    with pytest.raises(InputError, match=r"\['medium'\].*list every label value in 'order'"):
        label_preferences(items, spec)


def test_annomi_loads_whole_sessions_and_its_193_high_low_pairs(mirror: object) -> None:
    labels = load_source("annomi")
    turns = labels.items.turns.map(len)
    assert len(labels.items) == 133 and (turns.median(), turns.max(), turns.min()) == (47, 598, 6)
    assert set(labels.items.target) == {"Counsellor"}
    assert labels.items.turns[0][0]["speaker"] == "Counsellor"
    prefs = labels.preferences
    assert len(prefs) == 193 and prefs.pair_id.is_unique
    quality = dict(zip(labels.items.item_id, labels.items.metadata.map(lambda m: m["mi_quality"]), strict=True))
    chosen = [row.item_a if row.choice == "a" else row.item_b for row in prefs.itertuples()]
    assert {quality[i] for i in chosen} == {"high"}
    topics = dict(zip(labels.items.item_id, labels.items.metadata.map(lambda m: m["topic"].strip()), strict=True))
    assert len({topics[a] for a in prefs.item_a}) == 10
    assert all(topics[a] == topics[b] for a, b in zip(prefs.item_a, prefs.item_b, strict=True))


def test_lend_an_ear_has_408_within_opener_pairs(kumar: object) -> None:
    items = load_source("kumar2025", ["lend_an_ear"]).items
    pairs = pairs_within(items, "opener")
    assert len(pairs) == 408
    assert sorted(pairs.groupby("group").size()) == [66, 171, 171]  # 12, 19 and 19 conversations


def test_pairing_refuses_items_without_the_group_field_and_colliding_pair_ids() -> None:
    items = pd.DataFrame([item("t1", "x", topic="a"), item("t2", "x")])
    with pytest.raises(InputError, match=r"^tasks/t\.yaml, pairing by 'topic': 1 items have no 'topic'.*Fix: give"):
        pairs_within(items, "topic", "tasks/t.yaml")
    clash = pd.DataFrame([item("x|y", "o"), item("z", "o"), item("x", "o"), item("y|z", "o")])
    with pytest.raises(InputError, match=r"would both be named 'x\|y\|z'.*Fix: rename the items"):
        pairs_within(clash, "opener", "tasks/t.yaml")
