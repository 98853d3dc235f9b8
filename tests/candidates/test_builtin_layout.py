"""The built-in judges' files ask for one prompt per item (`mode: all_dimensions`), which saves the
default run about 5,100 of its 18,934 samples. That is allowed only because their ratings do not
depend on the layout: each dimension's rating is computed from the conversation alone, never from
which other dimensions the prompt asks. These tests hold every such judge to that on every
conversation of the rate tasks it runs in the default run, plain and under each probe's conditions:
the same rating for every (item, dimension, condition) whichever layout asked."""

from __future__ import annotations

import pytest

from empathy_bench.candidates.builtin.provider import judge_reply
from empathy_bench.candidates.judge import extra_installed, judge_ids, load_judge
from empathy_bench.candidates.prompt import Mode
from empathy_bench.candidates.reply import parse_reply
from empathy_bench.tasks.labels import task_labels
from empathy_bench.tasks.probe import conditions, load_probe
from empathy_bench.tasks.rate import build_samples
from empathy_bench.tasks.spec import RateTask, as_kind, load_task

PLAIN = [(task, None) for task in ("lend_an_ear", "epitome", "empathetic_dialogues")]
PROBED = [("lend_an_ear", "attribution"), ("lend_an_ear", "length")]
BUILTIN_RATERS = [
    j for j in judge_ids() if load_judge(j).model.startswith("litellm/builtin/") and load_judge(j).kind == "rate"
]


def _ratings(judge_id: str, task: str, probe: str | None, mode: Mode) -> dict[tuple[str, str, str], int]:
    """(item, dimension, condition) -> the judge's rating, every sample's prompt answered by the
    built-in model itself (no inspect, no litellm: the layout is the only thing that differs)."""
    spec = as_kind(load_task(task), RateTask)
    judge, labels = load_judge(judge_id), task_labels(spec)
    name = judge.model.removeprefix("litellm/builtin/")
    found = load_probe(probe) if probe else None
    ratings: dict[tuple[str, str, str], int] = {}
    for condition in conditions(found, spec) if found else [None]:
        samples, _ = build_samples(spec, judge, labels, mode, condition, found)
        for sample in samples:
            meta = sample.metadata or {}
            dims = list(meta["dimensions"])
            parsed = parse_reply(judge_reply(name, str(sample.input)), spec.rubric_model, dims)
            assert parsed.unscored == {}, (judge_id, sample.id, parsed.unscored)
            for dim, value in parsed.values.items():
                ratings[(str(meta["item_id"]), dim, condition.name if condition else "")] = value
    return ratings


def test_the_builtin_rate_judges_ask_one_prompt_per_item() -> None:
    # every built-in rate judge takes the allowance (the test below holds each to it); a judge of
    # a provider keeps its task's layout unless its file says otherwise
    assert BUILTIN_RATERS == ["builtin-constant", "builtin-embedding", "builtin-length", "builtin-lexicon"]
    assert {j: load_judge(j).mode for j in BUILTIN_RATERS} == dict.fromkeys(BUILTIN_RATERS, "all_dimensions")
    assert load_judge("openai-gpt-4o").mode is None


@pytest.mark.parametrize("judge_id", BUILTIN_RATERS)
@pytest.mark.parametrize(("task", "probe"), PLAIN + PROBED)
def test_a_builtin_judge_rates_alike_in_both_layouts(judge_id: str, task: str, probe: str | None) -> None:
    if any(not extra_installed(extra) for extra in load_judge(judge_id).requires):
        pytest.skip("the embedding judge needs the `embedding` extra (uv sync --extra embedding)")
    one_each = _ratings(judge_id, task, probe, "per_dimension")
    all_at_once = _ratings(judge_id, task, probe, "all_dimensions")
    # the same (item, dimension, condition) keys, every one rated (50 Lend an Ear conversations x
    # 6 dimensions, x 3 conditions under attribution and 2 under length; 50 x 3 for the others)
    expected = {"lend_an_ear": 300, "epitome": 150, "empathetic_dialogues": 150}[task]
    expected *= {None: 1, "attribution": 3, "length": 2}[probe]
    assert len(one_each) == expected
    assert all_at_once == one_each
