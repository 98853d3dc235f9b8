"""Every kind's reference rows come from one function, `reference_raters` (issue 21): the recorded
judges, each human row of the card and the ceiling, with one rule for the task's own reference
(never a row: it would be scored against itself). Checked on the real Lend an Ear tasks: the rows
each kind builds, hand-listed; then with the one function's inputs changed (the crowd renamed, a
recorded judge made the reference), every kind's rows follow."""

from __future__ import annotations

import pytest

from empathy_bench.agreement.rater import CEILING_LABEL
from empathy_bench.agreement.references import CEILING_RATER, expert_panel, reference_raters
from empathy_bench.core.kinds import kind
from empathy_bench.pipeline.probe_rows import observed_length_rows
from empathy_bench.pipeline.row import Row
from empathy_bench.sources.card import HumanRow
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.labels import human_rows, task_labels
from empathy_bench.tasks.spec import TaskSpec, load_task

R = 20  # resamples: which rows there are is under test, not their intervals
RECORDED = ["gpt-4o", "claude-3.7-sonnet", "gemini-2.5-pro"]  # the kumar2025 card's order
CEILING = (CEILING_LABEL, "human", "ceiling")


def _rows(spec: TaskSpec, labels: LabelSet) -> list[tuple[str, str, str]]:
    """(row name, rater type, role) of the reference rows a task's kind builds with no log (the length
    rows too, for a rate task: they are built beside a length probe's log)."""
    rows: list[Row] = kind(spec.kind).rows(spec, labels, [], [], True, R)
    if spec.kind == "rate":
        rows += observed_length_rows(spec, labels, [], True, R)
    return [(r.agreement.rater, r.agreement.rater_type, r.agreement.role) for r in rows]


def test_the_reference_raters_of_lend_an_ear() -> None:
    spec = load_task("lend_an_ear")
    labels = task_labels(spec)
    found = reference_raters(spec, labels)
    assert [(r.rater, r.label, r.rater_type, r.role) for r in found] == [
        *((r, r, "recorded", "rater") for r in RECORDED),
        ("crowd", "human: crowd", "human", "crowd"),
        (CEILING_RATER, CEILING_LABEL, "human", "ceiling"),
    ]
    # each rater's ratings: the 50 conversations on the six dimensions; the ceiling's are the experts'
    assert all(r.ratings.shape == (50, 6) for r in found[:-1]) and found[-1].ratings.empty
    assert expert_panel(labels) == ["expert1", "expert2", "expert3"]
    assert [r.rater for r in reference_raters(spec, labels, recorded=False)] == ["crowd", CEILING_RATER]


@pytest.mark.parametrize("task", ["epitome_reddit", "mibot_lend_an_ear"])
def test_a_task_whose_reference_is_its_only_human_rater_has_only_the_ceiling_entry(task: str) -> None:
    # epitome_reddit's reference is its released label ('crowd'), mibot's the client's own answers
    spec = load_task(task)
    labels = task_labels(spec)
    assert [r.role for r in reference_raters(spec, labels)] == ["ceiling"]
    assert _rows(spec, labels) == []  # and no kind builds a ceiling without three experts


def test_every_kind_builds_its_rows_from_the_reference_raters() -> None:
    crowd = ("human: crowd", "human", "crowd")
    rate = load_task("lend_an_ear")
    recorded = [(r, "recorded", "rater") for r in RECORDED]
    # the rate rows, then the length rows, each: the recorded judges, the crowd, the ceiling
    assert _rows(rate, task_labels(rate)) == [*recorded, crowd, CEILING] * 2
    compare = load_task("lend_an_ear_compare")
    marked = " (from ratings)"  # every choice of these rows comes from ratings
    assert _rows(compare, task_labels(compare)) == [
        *((r + marked, "recorded", "rater") for r in RECORDED),
        ("human: crowd" + marked, "human", "crowd"),
        (CEILING_LABEL + marked, "human", "ceiling"),
    ]
    coach = load_task("lend_an_ear_coach")
    assert _rows(coach, task_labels(coach)) == [
        *((r + " (as coach)", "recorded", "rater") for r in RECORDED),
        crowd,  # a human row keeps its card's name
        CEILING,
    ]


RENAMED = "human: the crowd, renamed"
FOLLOWED = {
    "lend_an_ear": ["claude-3.7-sonnet", "gemini-2.5-pro", RENAMED, CEILING_LABEL] * 2,  # rate, then length
    "lend_an_ear_compare": [
        f"{name} (from ratings)" for name in ("claude-3.7-sonnet", "gemini-2.5-pro", RENAMED, CEILING_LABEL)
    ],
    "lend_an_ear_coach": ["claude-3.7-sonnet (as coach)", "gemini-2.5-pro (as coach)", RENAMED, CEILING_LABEL],
}


@pytest.mark.parametrize("task", list(FOLLOWED))
def test_every_kind_follows_the_one_function(task: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # the one function's inputs changed: the card's crowd renamed (seen by `reference_raters` alone),
    # and gpt-4o made the task's reference, so no kind may score it against itself
    renamed = HumanRow(rater="crowd", label=RENAMED, role="crowd", about="for this test")
    monkeypatch.setattr("empathy_bench.agreement.references.human_rows", lambda spec: [renamed])
    spec = load_task(task).model_copy(update={"reference": "gpt-4o"})
    labels = task_labels(spec)
    assert [name for name, _, _ in _rows(spec, labels)] == FOLLOWED[task]
    assert human_rows(spec)[0].label == "human: crowd"  # the card itself is unchanged
