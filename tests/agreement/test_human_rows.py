"""Each human row is named for what it is, by its source card (issue 22.3): Lend an Ear's crowd
is a crowd; EPITOME's "crowd" file is the label the dataset released; EmpatheticDialogues' is
the mean of the two participants' own evaluations. The rows of every task kind take their name
and role from the card, and a card cannot call an adjudicated label a crowd."""

from __future__ import annotations

import copy

import pytest
import yaml
from pydantic import ValidationError

from empathy_bench.core.project import project_dir
from empathy_bench.leaderboard.board import tasks_data
from empathy_bench.leaderboard.markdown import human_row_lines
from empathy_bench.leaderboard.record import record
from empathy_bench.pipeline.coach_rows import coach_rows
from empathy_bench.pipeline.probe_rows import observed_length_rows
from empathy_bench.pipeline.rating_rows import reference_rate_rows
from empathy_bench.sources.card import SourceCard, load_source_card
from empathy_bench.tasks.labels import human_rows, task_labels
from empathy_bench.tasks.spec import load_task

CROWD = ("crowd", "human: crowd", "crowd")
RELEASED = ("crowd", "human: original adjudicated label", "original_label")
SELF_REPORT = ("crowd", "human: participants' self-report", "self_report")
EXPECTED = {"lend_an_ear": CROWD, "epitome": RELEASED, "empathetic_dialogues": SELF_REPORT}
R = 20  # resamples: the rows' names are under test, not their intervals


def _raw() -> dict:
    return yaml.safe_load((project_dir() / "human_labels" / "kumar2025.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("framework", list(EXPECTED))
def test_the_kumar2025_card_names_each_human_row(framework: str) -> None:
    (row,) = load_source_card("kumar2025").framework(framework).human_rows
    assert (row.rater, row.label, row.role) == EXPECTED[framework]
    assert row.about  # the legend's sentence
    # a task on the framework has the same row (its reference, the experts' median, is no row)
    assert [(r.rater, r.label, r.role) for r in human_rows(load_task(framework))] == [EXPECTED[framework]]


def test_a_task_whose_reference_is_the_released_label_has_no_row_of_it() -> None:
    (row,) = load_source_card("epitome_reddit").framework("epitome").human_rows
    assert (row.label, row.role) == ("human: original adjudicated label", "original_label")
    assert human_rows(load_task("epitome_reddit")) == []  # reference: crowd


@pytest.mark.parametrize("task", list(EXPECTED))
def test_the_rate_and_length_rows_take_the_card_label(task: str) -> None:
    spec = load_task(task)
    labels = task_labels(spec)
    _, label, role = EXPECTED[task]
    rows = [row.agreement for row in reference_rate_rows(spec, labels, True, R)]
    humans = [(r.rater, r.role) for r in rows if r.rater_type == "human"]
    assert humans == [(label, role), ("human: expert (leave-one-out)", "ceiling")]
    length = [(r.agreement.rater, r.agreement.role) for r in observed_length_rows(spec, labels, [], False, R)]
    assert length == [(label, role), ("human: expert (leave-one-out)", "ceiling")]
    if task != "lend_an_ear":
        assert "human: crowd" not in {r.rater for r in rows}
    # the board's legend entry for the task, from the card
    board = {"tasks": tasks_data([record(a, spec) for a in rows])}
    (line,) = human_row_lines(board, task)
    assert line == f"\u201c{label}\u201d is {human_rows(spec)[0].about}"


def test_the_coach_rows_take_the_card_label() -> None:
    spec = load_task("lend_an_ear_coach")
    rows = coach_rows(spec, task_labels(spec), [], [], False, R)
    assert [(r.agreement.rater, r.agreement.role) for r in rows] == [
        ("human: crowd", "crowd"),
        ("human: expert (leave-one-out)", "ceiling"),
    ]


def _card(change) -> SourceCard:  # noqa: ANN001
    raw = copy.deepcopy(_raw())
    change(raw)
    return SourceCard.model_validate(raw)


def _rater(raw: dict, framework: str, rater: str) -> dict:
    fw = next(f for f in raw["frameworks"] if f["id"] == framework)
    return next(r for r in fw["raters"] if r["id"] == rater)


def test_a_crowd_and_a_self_report_have_defaults_an_adjudicated_label_has_none() -> None:
    def plain(raw: dict) -> None:
        for key in ("label", "role", "about"):
            _rater(raw, "lend_an_ear", "crowd").pop(key)
        del _rater(raw, "empathetic_dialogues", "crowd")["label"]  # role self_report alone
        _rater(raw, "perceived_empathy", "crowd")["group"] = "self"
        for key in ("label", "role", "about"):
            _rater(raw, "perceived_empathy", "crowd").pop(key)

    card = _card(plain)
    (crowd,) = card.framework("lend_an_ear").human_rows
    assert (crowd.label, crowd.role) == ("human: crowd", "crowd")
    (own,) = card.framework("empathetic_dialogues").human_rows
    assert (own.label, own.role) == ("human: self-report", "self_report")
    (self_group,) = card.framework("perceived_empathy").human_rows
    assert (self_group.label, self_group.role) == ("human: self-report", "self_report")
    assert card.framework("lend_an_ear").raters[0].human_row is None  # an expert: the ceiling, no row

    def adjudicated_crowd(raw: dict) -> None:
        for key in ("label", "role", "about"):
            _rater(raw, "epitome", "crowd").pop(key)

    with pytest.raises(ValidationError, match="adjudicated label, not a crowd"):
        _card(adjudicated_crowd)
    with pytest.raises(ValidationError, match="adjudicated label, not a crowd"):
        _card(lambda raw: _rater(raw, "epitome", "crowd").update(role="crowd"))
    with pytest.raises(ValidationError, match="original_label without about"):
        _card(lambda raw: _rater(raw, "epitome", "crowd").pop("about"))


def test_a_label_on_an_expert_or_a_recorded_judge_is_refused() -> None:
    with pytest.raises(ValidationError, match="group 'expert' sets label"):
        _card(lambda raw: _rater(raw, "lend_an_ear", "expert1").update(label="human: expert 1"))
    with pytest.raises(ValidationError, match="group 'recorded' sets role"):
        _card(lambda raw: _rater(raw, "lend_an_ear", "gpt-4o").update(role="crowd"))


def test_one_rater_listed_twice_keeps_one_name() -> None:
    raw = yaml.safe_load((project_dir() / "human_labels" / "epitome_reddit.yaml").read_text(encoding="utf-8"))
    SourceCard.model_validate(raw)
    raw["frameworks"][0]["raters"][1]["label"] = "human: another name"
    with pytest.raises(ValidationError, match="more than once with a different group, label, role or about"):
        SourceCard.model_validate(raw)
