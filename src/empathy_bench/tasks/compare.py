"""The inspect task of kind `compare`: a judge sees two conversations, labelled A and B, and
chooses the one whose supporter is better on each criterion (or `tie`, where the task allows it).

    inspect eval empathy_bench/compare -T task=lend_an_ear_compare -T judge=builtin-lexicon-compare
    inspect eval empathy_bench/compare -T task=annomi_compare --model litellm/openai/gpt-4o-mini

Every pair is judged in both orders, as two samples: `<pair>:ab` shows item_a as A, `<pair>:ba`
shows item_b as A. The scorer maps the slot the judge chose back to the item, so a choice is
always stored in the pair's own orientation (`a` = item_a) and the slot it came from is kept for
the position statistics. Conversations are shown whole, never truncated: a pair too long for a
model's context fails with the provider's error, counted, rather than judged on a cut text.
"""

from __future__ import annotations

from string import Template
from typing import Any

import pandas as pd
from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import Sample
from inspect_ai.scorer import (
    Metric,
    SampleScore,
    Score,
    Scorer,
    ScoreReducer,
    Target,
    metric,
    score_reducer,
    scorer,
)
from inspect_ai.solver import TaskState

from empathy_bench.candidates.judge import Judge
from empathy_bench.candidates.prompt import load_template, render_compare
from empathy_bench.candidates.reply import SlotChoice, parse_preference
from empathy_bench.core.errors import InputError
from empathy_bench.sources.labels import LabelSet
from empathy_bench.tasks.binding import (
    interleaved,
    judge_task,
    probe_metadata,
    provenance,
    reply_outcome,
    supporter_words,
    task_judge,
)
from empathy_bench.tasks.epochs import epoch_choice
from empathy_bench.tasks.labels import task_labels
from empathy_bench.tasks.metadata import CompareSampleMetadata, CompareTaskMetadata
from empathy_bench.tasks.preferences import task_preferences
from empathy_bench.tasks.probe import Condition, conditions, load_probe, note_text
from empathy_bench.tasks.scorer import unscored
from empathy_bench.tasks.spec import CompareTask, as_kind, load_task

ORDERS = ("ab", "ba")


@task
def compare(
    task: str = "lend_an_ear_compare", judge: str | None = None, epochs: int = 1, probe: str | None = None
) -> Task:
    """Judge `judge` (a compare judge file, or a model string) chooses between the two items of
    every pair of task `task`, in both orders. Without a judge, the eval's --model answers with
    the default compare prompt. With `probe` (a file in evals/probes), every pair is judged
    under each of the probe's conditions."""
    spec = load_task(task)
    candidate = task_judge(spec, judge, "compare")
    spec = as_kind(spec, CompareTask)  # task_judge refused a task of another kind
    labels = task_labels(spec)
    found = load_probe(probe) if probe else None
    per_condition = []
    for condition in conditions(found, spec) if found else [None]:
        more, left_out = build_pair_samples(spec, candidate, labels, condition)
        per_condition.append(more)
    return judge_task(
        spec,
        candidate,
        bool(judge),
        interleaved(per_condition),
        preference_choice(spec.allow_tie),
        Epochs(epochs, majority_choice()),
        CompareTaskMetadata(
            **provenance(spec, candidate),
            criteria=spec.criteria,
            allow_tie=spec.allow_tie,
            **left_out,
            **probe_metadata(found),
        ),
    )


def build_pair_samples(
    spec: CompareTask,
    judge: Judge,
    labels: LabelSet,
    condition: Condition | None = None,
    template: Template | None = None,
) -> tuple[list[Sample], dict[str, int]]:
    """Two samples per pair (A/B, then B/A) with a reference choice the judge can give on at
    least one criterion, and how many pairs were left out and why: no reference (the experts
    split), or a tie reference on a task that does not allow the judge to answer tie."""
    # `template`: a bundle's own copy (pipeline/bundle rebuilds a submitted run's prompts)
    template = template or load_template(judge.prompt_name, "compare")
    prefs = task_preferences(spec, labels)
    references = {c: prefs.reference(spec, c).set_index("pair_id") for c in spec.criteria}
    # a row per item by id: looked up four times per pair, which pandas' .loc makes the slow part
    items = {item.item_id: item for item in labels.items.itertuples()}
    samples: list[Sample] = []
    left_out = {"pairs_without_reference": 0, "tie_references_not_answerable": 0}
    for pair in prefs.pairs.itertuples():
        given = {c: ref.at[pair.pair_id, "choice"] for c, ref in references.items()}
        reference = {c: choice for c, choice in given.items() if choice is not None}
        answerable = {c: choice for c, choice in reference.items() if spec.allow_tie or choice != "tie"}
        if not answerable:
            left_out["pairs_without_reference" if not reference else "tie_references_not_answerable"] += 1
            continue
        a, b = items[pair.item_a], items[pair.item_b]
        if a.target != b.target:
            raise InputError(
                f"items of task {spec.id}",
                f"pair {pair.pair_id} compares speakers labelled '{a.target}' and '{b.target}'",
                "give both items of a pair the same target speaker",
            )
        samples += [
            _pair_sample(spec, template, pair, order, items, answerable, references, condition) for order in ORDERS
        ]
    if not samples:  # inspect would stop on an empty dataset with no word of why
        raise InputError(
            f"tasks/{spec.id}.yaml",
            f"no pair has a reference choice a judge can give ({left_out['pairs_without_reference']} pairs "
            f"without one, {left_out['tie_references_not_answerable']} with a tie while allow_tie is false)",
            "set allow_tie: true, or give the reference raters' decisive choices",
            where=f"reference '{spec.reference}'",
        )
    return samples, left_out


def _pair_sample(
    spec: CompareTask,
    template: Template,
    pair: Any,
    order: str,
    items: dict[str, Any],
    reference: dict[str, str],
    references: dict[str, pd.DataFrame],
    condition: Condition | None,
) -> Sample:
    """One order of a pair: in order ab item_a is conversation A, in order ba item_b is; a
    probe's notes stay with their items, so they swap slots with them."""
    first, second = (pair.item_a, pair.item_b) if order == "ab" else (pair.item_b, pair.item_a)
    a, b = items[first], items[second]
    notes = condition.notes if condition else (None, None)
    notes = notes if order == "ab" else (notes[1], notes[0])
    return Sample(
        id=f"{pair.pair_id}:{order}" + (f"@{condition.name}" if condition else ""),
        input=render_compare(
            template,
            spec.rubric_model,
            spec.criteria,
            a.turns,
            b.turns,
            a.target,
            spec.allow_tie,
            spec.criterion_question,
            (note_text(notes[0], a.target), note_text(notes[1], b.target)),
        ),
        metadata=CompareSampleMetadata(
            condition=condition.name if condition else None,
            pair_id=pair.pair_id,
            item_a=pair.item_a,
            item_b=pair.item_b,
            order=order,
            criteria=list(reference),
            reference=reference,
            gap=_gap(references[spec.criteria[0]], pair.pair_id),
            supporter_words={"A": supporter_words(a.turns, a.target), "B": supporter_words(b.turns, b.target)},
        ).model_dump(),
    )


def _gap(reference: pd.DataFrame, pair_id: str) -> float | None:
    """The reference's overall-score gap of a pair (None where the source has no scores)."""
    gap = reference.at[pair_id, "gap"] if pair_id in reference.index else None
    return None if gap is None or pd.isna(gap) else float(gap)


def item_choice(slot: SlotChoice, order: str) -> str:
    """The item a slot answer chose: in order ab slot A holds item_a, in order ba item_b."""
    if slot == "tie":
        return "tie"
    return {"ab": {"A": "a", "B": "b"}, "ba": {"A": "b", "B": "a"}}[order][slot]


@metric
def accuracy() -> Metric:
    """Share of scored choices that match the reference, on criteria whose reference is not a tie."""

    def compute(scores: list[SampleScore]) -> float:
        hits = []
        for s in scores:
            meta = s.sample_metadata_as(CompareSampleMetadata)
            reference = meta.reference if meta else {}
            for c, choice in (s.score.value or {}).items():  # type: ignore[union-attr]
                if choice is not None and reference.get(c) not in (None, "tie"):
                    hits.append(choice == reference[c])
        return sum(hits) / len(hits) if hits else float("nan")

    return compute


@scorer(metrics=[accuracy(), unscored()])
def preference_choice(allow_tie: bool = True) -> Scorer:
    """Strictly parse the judge's choice per criterion and store it in the pair's orientation."""

    async def score(state: TaskState, target: Target) -> Score:
        meta = state.metadata_as(CompareSampleMetadata)
        criteria, order = meta.criteria, meta.order
        reply = state.output.completion
        parsed = parse_preference(reply, criteria, allow_tie)
        slots, why = reply_outcome(state.output, criteria, parsed.values, parsed.unscored)
        return Score(
            value={c: item_choice(slots[c], order) if c in slots else None for c in criteria},
            answer=reply,
            explanation="; ".join(f"{c} unscored: {u.message}" for c, u in why.items()) or None,
            metadata={"unscored": {c: u.code for c, u in why.items()}, "slot": dict(slots), "order": order},
        )

    return score


@score_reducer(name="majority_choice")
def majority_choice() -> ScoreReducer:
    """Across epochs, per criterion: the choice more than half of the scored epochs made; without
    one the criterion is unscored (`conflicting`), never settled by a coin."""

    def reduce(scores: list[Score]) -> Score:
        if len(scores) == 1:
            return scores[0]
        per_epoch = [s.value if isinstance(s.value, dict) else {} for s in scores]
        value: dict[str, str | None] = {}
        reasons: dict[str, str] = {}
        for criterion in sorted({c for v in per_epoch for c in v}):
            scored = [str(v[criterion]) for v in per_epoch if v.get(criterion) is not None]
            value[criterion] = epoch_choice(scored)
            if value[criterion] is None:
                reasons[criterion] = "conflicting" if scored else "no_tag"
        meta = {"unscored": reasons, "epochs": len(scores), "order": (scores[0].metadata or {}).get("order")}
        return Score(value=value, answer=scores[0].answer, metadata=meta)

    return reduce
