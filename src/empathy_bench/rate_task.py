"""The inspect task of kind `rate`: a judge rates items of a label source on rubric dimensions.

    inspect eval empathy_bench/rate -T task=lend_an_ear -T judge=lexicon --model litellm/builtin/lexicon

Samples are built from the task file (tasks/<id>.yaml) and the judge file (evals/judges/*.yaml):
one per (item, dimension) by default, or one per item rating every dimension. Each sample
carries the item, the reference rating and every human rating in its metadata, so the logs
alone are enough to compute agreement later.
"""

from __future__ import annotations

import hashlib

import pandas as pd
from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import CachePolicy, GenerateConfig, get_model
from inspect_ai.solver import generate

from empathy_bench.candidate import Judge, load_judge, prompt_path
from empathy_bench.labels import LabelSet, load_source, rater_values
from empathy_bench.project import find_file
from empathy_bench.prompt import load_template, render
from empathy_bench.scorer import median_rating, rubric_rating
from empathy_bench.task import Mode, TaskSpec, load_task

# Cached replies never expire: a re-run of the same judge, prompt and settings on the same
# sample is served from inspect's cache and calls no provider.
CACHE = CachePolicy(expiry=None)
HUMAN_GROUPS = ("expert", "crowd")


@task
def rate(task: str = "lend_an_ear", judge: str | None = None, mode: str | None = None, epochs: int = 1) -> Task:
    """Judge `judge` (a file in evals/judges, or a model string) rates task `task`. Without
    a judge, the eval's --model rates with the default prompt."""
    spec = load_task(task)
    candidate = load_judge(judge) if judge else Judge(id="default", model="")
    layout: Mode = mode or candidate.mode or spec.mode  # type: ignore[assignment]
    labels = load_source(spec.source, [spec.framework])
    return Task(
        model=get_model(candidate.model, base_url=candidate.base_url, **candidate.model_args) if judge else None,
        name=spec.id,
        version=spec.version,
        dataset=MemoryDataset(build_samples(spec, candidate, labels, layout), name=f"{spec.source}/{spec.framework}"),
        solver=generate(cache=CACHE),
        scorer=rubric_rating(spec.rubric),
        epochs=Epochs(epochs, median_rating()),
        config=GenerateConfig(**candidate.generation.model_dump(exclude_none=True)),
        metadata=provenance(spec, candidate, layout),
    )


def build_samples(spec: TaskSpec, judge: Judge, labels: LabelSet, mode: Mode) -> list[Sample]:
    rubric = spec.rubric_model
    template = load_template(judge.prompt)
    dims = spec.dimension_ids
    reference = {d: rater_values(labels.ratings, spec.reference, d) for d in dims}
    human = _human_ratings(labels.ratings, dims)
    samples = []
    for item in labels.items.itertuples():
        rated = [d for d in dims if item.item_id in reference[d].index]
        groups = [[d] for d in rated] if mode == "per_dimension" else ([rated] if rated else [])
        for group in groups:
            samples.append(
                Sample(
                    id=item.item_id if mode == "all_dimensions" else f"{item.item_id}:{group[0]}",
                    input=render(template, rubric, group, item.turns, item.target),
                    metadata={
                        "item_id": item.item_id,
                        "framework": spec.framework,
                        "dimensions": group,
                        "reference": {d: float(reference[d][item.item_id]) for d in group},
                        "human": {d: human.get((item.item_id, d), {}) for d in group},
                        "supporter_words": sum(len(t["text"].split()) for t in item.turns if t["speaker"] == item.target),
                    },
                )
            )
    return samples


def _human_ratings(ratings: pd.DataFrame, dims: list[str]) -> dict[tuple[str, str], dict[str, float]]:
    """(item, dimension) -> {rater_id: value} for every human rating, individual or aggregate."""
    rows = ratings[ratings.rater_group.isin(HUMAN_GROUPS) & ratings.dimension.isin(dims)]
    out: dict[tuple[str, str], dict[str, float]] = {}
    for row in rows.itertuples():
        out.setdefault((row.item_id, row.dimension), {})[row.rater_id] = float(row.value)
    return out


def provenance(spec: TaskSpec, judge: Judge, mode: Mode) -> dict[str, object]:
    """What the run depends on, hashed, so a summary can show what produced each number."""
    return {
        "task": spec.id,
        "task_version": spec.version,
        "source": spec.source,
        "framework": spec.framework,
        "reference": spec.reference,
        "mode": mode,
        "judge": judge.id if judge.model else None,
        "judge_config_sha256": judge.config_hash,
        "baseline": judge.baseline,
        "rubric_sha256": _sha256(find_file("rubrics", spec.rubric).read_bytes()),
        "prompt_sha256": _sha256(prompt_path(judge).read_bytes()),
    }


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]
