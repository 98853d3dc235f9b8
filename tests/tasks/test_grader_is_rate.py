"""A coach task's grader is the rate task (issue 21): it grades a conversation by building the rate
task's samples of it and running them through the rate task's solver and scorer. So its rating of
a conversation a coach left unchanged is exactly its rating of it on the rate task: the same values
and the same unscored reason codes, in either layout, offline (builtin-lexicon) or through a model
(a scripted provider behind litellm); and a grader reply the rate task cannot read is unscored
with the rate task's reason code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import litellm
import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessage, ModelOutput, ModelUsage, get_model

from empathy_bench.candidates.judge import load_judge
from empathy_bench.candidates.prompt import read_coach_prompt, read_prompt
from empathy_bench.sources.rubric import load_rubric
from empathy_bench.tasks.coach import coach
from empathy_bench.tasks.labels import task_labels
from empathy_bench.tasks.rate import build_samples, rate
from empathy_bench.tasks.spec import RateTask, load_task

ITEMS = 3
DIMS = load_rubric("lend_an_ear").dimension_ids


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))


def scripted_rating(prompt: str) -> str:
    """A rating per asked dimension from the supporter's characters and the dimension's place in
    the rubric: 1..6 on a 1..5 scale, so some ratings are off the scale (unscored, `off_scale`)."""
    request = read_prompt(prompt)
    chars = sum(len(text) for speaker, text in request.turns if speaker == request.target)
    return "\n".join(f'<rating dimension="{d}">{1 + (chars + DIMS.index(d)) % 6}</rating>' for d in request.dimensions)


class ScriptedGraders(litellm.CustomLLM):
    """litellm provider `graderscript`: `rater` rates as `scripted_rating`, `mute` answers without
    a rating, `silent` sends a reply with no content (unreadable: inspect's solver is told so)."""

    async def acompletion(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        name, prompt = kwargs["model"].split("/")[-1], kwargs["messages"][-1]["content"]
        content = {"rater": scripted_rating(prompt), "mute": "I would rather not put a number on it.", "silent": None}
        return litellm.ModelResponse(
            model=f"graderscript/{name}",
            choices=[{"message": {"role": "assistant", "content": content[name]}}],
            usage={"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        )


@pytest.fixture
def graders(monkeypatch: pytest.MonkeyPatch) -> None:
    handler = {"provider": "graderscript", "custom_handler": ScriptedGraders()}
    monkeypatch.setattr(litellm, "custom_provider_map", [*litellm.custom_provider_map, handler])
    litellm.utils.custom_llm_setup()


def judge_file(tmp_path: Path, name: str, mode: str) -> str:
    path = tmp_path / f"graderscript-{name}.yaml"
    path.write_text(f"id: graderscript-{name}\nmodel: litellm/graderscript/{name}\nmode: {mode}\n")
    return str(path)


def unchanged_rewrite(messages: list[ChatMessage], *_: Any) -> ModelOutput:
    """A coach whose first improvement rewrites the supporter's longest message as itself: the
    grader re-rates the very conversation it rated before."""
    request = read_coach_prompt(messages[-1].text)
    longest = max((text for speaker, text in request.turns if speaker == request.target), key=len)
    improvement = {"dimension": "validating_emotions", "quote": longest, "rewrite": longest, "why": "."}
    reply = json.dumps({"strengths": [], "improvements": [improvement], "message": "Keep it."})
    output = ModelOutput.from_content("mockllm/model", reply)
    output.usage = ModelUsage(input_tokens=10, output_tokens=10, total_tokens=20)  # no tokenizer download
    return output


def coach_log(tmp_path: Path, grader: str) -> EvalLog:
    coach_model = get_model("mockllm/model", custom_outputs=unchanged_rewrite)
    task = coach(task="lend_an_ear_coach", grader=grader)
    [log] = eval(task, model=coach_model, limit=ITEMS, display="none", log_dir=str(tmp_path / "coach"))
    assert log.status == "success" and log.samples
    return log


def rate_log(tmp_path: Path, judge: str, mode: str, items: list[str]) -> EvalLog:
    ids = items if mode == "all_dimensions" else [f"{i}:{d}" for i in items for d in DIMS]
    task = rate(task="lend_an_ear", judge=judge, mode=mode)
    [log] = eval(task, sample_id=ids, display="none", log_dir=str(tmp_path / "rate"))
    assert log.status == "success" and len(log.samples or []) == len(ids)
    return log


def rate_ratings(log: EvalLog) -> dict[str, tuple[dict[str, Any], dict[str, str]]]:
    """Per item, the rate log's ratings merged over its samples (the scored values, and the reason
    code of each unscored dimension), as the agreement stage reads them."""
    found: dict[str, tuple[dict[str, Any], dict[str, str]]] = {}
    for sample in log.samples or []:
        score = next(iter((sample.scores or {}).values()))
        values, why = found.setdefault(sample.metadata["item_id"], ({}, {}))
        values |= {d: v for d, v in score.value.items() if v is not None}  # type: ignore[union-attr]
        why |= score.metadata["unscored"]
    return found


def gradings(log: EvalLog) -> dict[str, dict[str, Any]]:
    """Per item, the grading its coach sample's score keeps; first checks the rewrite left the
    conversation as it was (the rewritten message is the message itself)."""
    found = {}
    for sample in log.samples or []:
        score = next(iter((sample.scores or {}).values()))
        grading = score.metadata["grading"]
        [improvement] = score.metadata["feedback"]["improvements"]
        assert improvement["rewrite"] == sample.metadata["turns"][grading["turn"]]["text"]
        found[sample.metadata["item_id"]] = grading
    return found


@pytest.mark.parametrize(
    ("grader", "mode"),
    [("builtin-lexicon", None), ("rater", "all_dimensions"), ("rater", "per_dimension")],
)
def test_a_graders_rating_of_an_unchanged_conversation_is_its_rate_task_rating(
    mirror: object, tmp_path: Path, graders: None, grader: str, mode: str | None
) -> None:
    judge = grader if mode is None else judge_file(tmp_path, grader, mode)
    log = coach_log(tmp_path, judge)
    layout = log.eval.metadata["grader_mode"]  # the layout the grader rated in: the rate task runs in it
    assert layout == (mode or load_judge(grader).mode or "per_dimension")
    graded = gradings(log)
    assert len(graded) == ITEMS
    rated = rate_ratings(rate_log(tmp_path, judge, layout, list(graded)))
    assert set(rated) == set(graded)
    for item, grading in graded.items():
        values, why = rated[item]
        assert grading["before"] == grading["after"] == values
        assert grading["unscored"]["before"] == grading["unscored"]["after"] == why
        assert set(values) | set(why) == set(DIMS)  # every dimension: rated, or unscored with its code
    if grader == "rater":  # the scripted grader's 1..6 put some ratings off the scale: both paths compared
        assert any(why for _, why in rated.values()) and all(
            set(w.values()) <= {"off_scale"} for _, w in rated.values()
        )


@pytest.mark.parametrize(("grader", "code"), [("mute", "no_tag"), ("silent", "bad_reply")])
def test_a_grader_reply_the_rate_task_cannot_read_is_unscored_with_its_code(
    mirror: object, tmp_path: Path, graders: None, grader: str, code: str
) -> None:
    judge = judge_file(tmp_path, grader, "per_dimension")
    graded = gradings(coach_log(tmp_path, judge))
    rated = rate_ratings(rate_log(tmp_path, judge, "per_dimension", list(graded)))
    for item, grading in graded.items():
        assert grading["before"] == grading["after"] == {}
        assert grading["unscored"]["before"] == grading["unscored"]["after"] == {d: code for d in DIMS}
        assert rated[item] == ({}, {d: code for d in DIMS})


def test_the_rate_tasks_samples_are_built_per_conversation_as_before(mirror: object) -> None:
    # Lend an Ear: 50 conversations x 6 dimensions, every one rated by the experts' median; the ids
    # as the committed logs have them (the first and last items of the label file)
    spec = load_task("lend_an_ear")
    assert isinstance(spec, RateTask)
    labels, judge = task_labels(spec), load_judge("builtin-lexicon")
    per_dimension, unrated = build_samples(spec, judge, labels, "per_dimension")
    assert (len(per_dimension), unrated) == (300, 0)
    assert [s.id for s in per_dimension[:6]] == [f"20241031145103738386:{d}" for d in DIMS]
    assert per_dimension[-1].id == "20241031142609584451:dismissing_emotions"
    assert per_dimension[0].metadata["dimensions"] == ["validating_emotions"]
    all_dimensions, _ = build_samples(spec, judge, labels, "all_dimensions")
    assert [s.id for s in all_dimensions[:2]] == ["20241031145103738386", "20241031145050008738"]
    assert len(all_dimensions) == 50 and all_dimensions[0].metadata["dimensions"] == DIMS
