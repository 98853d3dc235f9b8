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

from string import Template

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import Sample

from empathy_bench.candidates.judge import Judge
from empathy_bench.candidates.prompt import load_template, render
from empathy_bench.sources.labels import LabelSet, rater_values
from empathy_bench.tasks.binding import interleaved, judge_task, probe_metadata, supporter_words, task_judge
from empathy_bench.tasks.labels import task_labels
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
        {"mode": layout, "unrated_by_reference": unrated} | probe_metadata(found),
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
    samples, unrated = [], 0
    suffix = f"@{condition.name}" if condition else ""
    for item in labels.items.itertuples():
        rated = dims if spec.outcome else [d for d in dims if item.item_id in reference[d].index]
        unrated += len(dims) - len(rated)
        groups = [[d] for d in rated] if mode == "per_dimension" else ([rated] if rated else [])
        turns = lengthen(item.turns, item.target, probe) if condition and probe and condition.lengthen else item.turns
        note = note_text(condition.notes[0], item.target) if condition else None
        for group in groups:
            samples.append(
                Sample(
                    id=(item.item_id if mode == "all_dimensions" else f"{item.item_id}:{group[0]}") + suffix,
                    input=render(template, rubric, group, turns, item.target, note),
                    metadata={
                        "condition": condition.name if condition else None,
                        "item_id": item.item_id,
                        "framework": spec.framework,
                        "dimensions": group,
                        "reference": {d: float(reference[d][item.item_id]) for d in group if reference},
                        "supporter_words": supporter_words(turns, item.target),
                    },
                )
            )
    return samples, unrated
