"""The inspect task of kind `rate`: a judge rates items of a label source on rubric dimensions.

    inspect eval empathy_bench/rate -T task=lend_an_ear -T judge=builtin-lexicon
    inspect eval empathy_bench/rate -T task=epitome --model litellm/openai/gpt-4o-mini

A judge file binds its own model; without one, --model rates with the default prompt.
Samples are built from the task file (tasks/<id>.yaml) and the judge file (evals/judges/*.yaml):
one per (item, dimension) by default, or one per item rating every dimension. Each sample
carries the item and its reference rating in its metadata; the agreement stage reads the human
ratings from the label source itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Template
from typing import get_args

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import Sample

from empathy_bench.candidates.judge import Judge
from empathy_bench.candidates.prompt import load_template, render
from empathy_bench.core.errors import InputError
from empathy_bench.sources.labels import LabelSet, rater_values
from empathy_bench.sources.rubric import Rubric
from empathy_bench.tasks.binding import (
    interleaved,
    judge_task,
    probe_metadata,
    provenance,
    supporter_words,
    task_judge,
)
from empathy_bench.tasks.labels import task_labels
from empathy_bench.tasks.metadata import RateSampleMetadata, RateTaskMetadata
from empathy_bench.tasks.probe import Condition, ProbeSpec, conditions, lengthen, load_probe, note_text
from empathy_bench.tasks.scorer import median_rating, rubric_rating
from empathy_bench.tasks.spec import Mode, RateTask, as_kind, load_task


@task
def rate(
    task: str = "lend_an_ear",
    judge: str | None = None,
    mode: str | None = None,
    epochs: int = 1,
    probe: str | None = None,
) -> Task:
    """Judge `judge` (a file in evals/judges, or a model string) rates task `task`. Without
    a judge, the eval's --model rates with the default prompt. With `probe` (a file in
    evals/probes), every item is rated under each of the probe's conditions."""
    spec = load_task(task)
    candidate = task_judge(spec, judge, "rate")
    spec = as_kind(spec, RateTask)  # task_judge refused a task of another kind
    layout: Mode = mode or candidate.mode or spec.mode  # type: ignore[assignment]
    if layout not in get_args(Mode):  # `-T mode=` is free text: never rated in a layout it does not name
        raise InputError("-T mode", f"'{layout}' is not a layout", f"use one of {', '.join(get_args(Mode))}")
    labels = task_labels(spec)
    found = load_probe(probe) if probe else None
    per_condition, unrated = [], 0
    for condition in conditions(found, spec) if found else [None]:
        more, unrated = build_samples(spec, candidate, labels, layout, condition, found)
        per_condition.append(more)
    return judge_task(
        spec,
        candidate,
        bool(judge),
        interleaved(per_condition),
        rubric_rating(spec.rubric),
        Epochs(epochs, median_rating()),
        RateTaskMetadata(
            **provenance(spec, candidate), mode=layout, unrated_by_reference=unrated, **probe_metadata(found)
        ),
    )


def build_samples(
    spec: RateTask,
    judge: Judge,
    labels: LabelSet,
    mode: Mode,
    condition: Condition | None = None,
    probe: ProbeSpec | None = None,
    template: Template | None = None,
) -> tuple[list[Sample], int]:
    """The samples, and how many (item, dimension) pairs were left out because the reference
    has no rating for them (e.g. conflicting repeated labels dropped by the loader). Under a
    probe's `condition`, items carry its note or are lengthened, and ids end in @<condition>."""
    rubric = spec.rubric_model
    # `template`: a bundle's own copy (pipeline/bundle rebuilds a submitted run's prompts)
    template = template or load_template(judge.prompt_name)
    dims = spec.dimension_ids
    # an outcome task's reference rated another rubric (its figures: pipeline/recipient_rows.py), so
    # every item is judged on every dimension and carries no reference rating
    reference = {} if spec.outcome else {d: rater_values(labels.ratings, spec.reference, d) for d in dims}
    samples: list[Sample] = []
    unrated = 0
    for item in labels.items.itertuples():
        rated = dims if spec.outcome else [d for d in dims if item.item_id in reference[d].index]
        unrated += len(dims) - len(rated)
        turns = lengthen(item.turns, item.target, probe) if condition and probe and condition.lengthen else item.turns
        samples += conversation_samples(
            rubric,
            spec.framework,
            template,
            mode,
            Conversation(item.item_id, turns, item.target),
            rated,
            {d: float(reference[d][item.item_id]) for d in rated} if reference else {},
            condition.name if condition else None,
            note_text(condition.notes[0], item.target) if condition else None,
        )
    return samples, unrated


@dataclass(frozen=True)
class Conversation:
    """One conversation a judge rates: the item it is (or was, before a coach's rewrite), its
    messages and the speaker whose messages are rated."""

    item_id: str
    turns: list[dict[str, str]]
    target: str


def conversation_samples(
    rubric: Rubric,
    framework: str,
    template: Template,
    mode: Mode,
    conversation: Conversation,
    dims: list[str],
    reference: dict[str, float],
    condition: str | None = None,
    note: str | None = None,
) -> list[Sample]:
    """The rate samples of one conversation on `dims`: one per dimension, or one asking them all
    (`mode`), with the reference's rating of each asked dimension it has. The rate task's for every
    item (`build_samples`), and a coach task's grader's for a conversation as it was and as a coach
    rewrote it (tasks/coach.py), so the grader's prompts are the rate task's by construction."""
    groups = [[d] for d in dims] if mode == "per_dimension" else ([dims] if dims else [])
    item, turns, target = conversation.item_id, conversation.turns, conversation.target
    suffix = f"@{condition}" if condition else ""
    return [
        Sample(
            id=(item if mode == "all_dimensions" else f"{item}:{group[0]}") + suffix,
            input=render(template, rubric, group, turns, target, note),
            metadata=RateSampleMetadata(
                condition=condition,
                item_id=item,
                framework=framework,
                dimensions=group,
                reference={d: reference[d] for d in group if d in reference},
                supporter_words=supporter_words(turns, target),
            ).model_dump(),
        )
        for group in groups
    ]
