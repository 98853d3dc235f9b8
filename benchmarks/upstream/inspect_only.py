"""Shared by the upstream reproductions: a judge-shaped eval on inspect alone (no harness code).

N samples whose input is a ~3.8 KB rating prompt (synthetic text of the size and shape of
empathy-bench's EPITOME prompts: criteria, a conversation, three rating lines to fill in),
inspect's `generate()` answered by `mockllm/model` (a callable returning the three rating lines,
with token usage set so mockllm does not count tokens), inspect's `pattern()` scorer, through
inspect's `eval()` with 50 samples and 50 connections at a time, no display, no realtime log
buffer and no running metrics (the settings empathy-bench runs with)."""

from __future__ import annotations

import time
from pathlib import Path

from inspect_ai import Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog
from inspect_ai.model import ChatMessage, GenerateConfig, ModelOutput, ModelUsage, get_model
from inspect_ai.scorer import pattern
from inspect_ai.solver import generate

DIMENSIONS = ("emotional_reactions", "interpretations", "explorations")
REPLY = "\n".join(f'<rating dimension="{d}">1</rating>' for d in DIMENSIONS)
CRITERIA = (
    "## {d}\nQuestion: How strongly does the response communicate {d}?\n"
    "Scale: 0 = No communication, 1 = Weak communication, 2 = Strong communication\n"
    "  Example (rated 2):\n    Seeker: I've been feeling so alone since I moved cities.\n"
    "    Response: I'm really sorry you're going through this, my heart goes out to you.\n"
    "    Why: The response explicitly conveys the responder's compassion and concern.\n" * 3
)


def judge_samples(n: int) -> list[Sample]:
    criteria = "\n".join(CRITERIA.format(d=d) for d in DIMENSIONS)
    answer = "\n".join(f'<rating dimension="{d}">N</rating>' for d in DIMENSIONS)
    return [
        Sample(
            id=i,
            input=(
                "You are an expert in empathic communication.\n\n# Criteria\n"
                f'{criteria}\n# Conversation\n<conversation>\n<turn speaker="Seeker">Post number {i}: '
                'I dunno what I\'m doing anymore.</turn>\n<turn speaker="Supporter">That sounds hard; what '
                f"happened?</turn>\n</conversation>\n\n# Answer\n{answer}\nReply with the rating lines only."
            ),
            target="1",
        )
        for i in range(n)
    ]


def _reply(input: list[ChatMessage], tools: object, tool_choice: object, config: GenerateConfig) -> ModelOutput:
    output = ModelOutput.from_content("mockllm/model", REPLY)
    output.usage = ModelUsage(input_tokens=1000, output_tokens=30, total_tokens=1030)
    return output


def run_eval(
    samples: list[Sample], log_dir: Path, cache: bool = False, **eval_args: object
) -> tuple[float, float, EvalLog]:
    """(wall seconds, process CPU seconds, the log) of one eval of the samples (with inspect's model
    cache when `cache`: $INSPECT_CACHE_DIR decides where)."""
    task = Task(
        name="judge_like",
        dataset=samples,
        solver=generate(cache=cache),
        scorer=pattern(r'<rating dimension="emotional_reactions">(\d)</rating>'),
        model=get_model("mockllm/model", custom_outputs=_reply, memoize=False),
    )
    settings: dict[str, object] = dict(
        log_dir=str(log_dir),
        display="none",
        max_samples=50,
        max_connections=50,
        log_realtime=False,
        score_display=False,
    )
    wall, cpu = time.perf_counter(), time.process_time()
    [log] = eval(task, **(settings | eval_args))  # type: ignore[arg-type]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert log.status == "success", log.error
    return wall, cpu, log
