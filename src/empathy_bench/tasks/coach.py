"""The inspect task of kind `coach`: a coach reads one conversation and writes feedback for the
supporter (the contract in `empathy_bench.candidates.feedback`), and a grader judge re-rates the
conversation with the coach's first rewrite in place of the message it quotes.

    inspect eval empathy_bench/coach -T task=lend_an_ear_coach -T coach=builtin-lexicon-coach
    inspect eval empathy_bench/coach -T task=lend_an_ear_coach --model litellm/openai/gpt-4o-mini

The grader is a judge file (the task's `grader`, or `-T grader=<judge id>`), bound to inspect's
model role `grader`, and rates as it does on the rate leaderboard (its own mode and prompt), so
the uplift it reports is only as good as its agreement with the experts there. It rates the
original conversation too (cached: the same prompt for every coach), so an uplift is its own
change, not the difference between it and the experts. Each sample keeps the parsed feedback,
each quote located in the conversation (grounded in a supporter message or not, and whose words
it was), and the grader's ratings before and after: `inspect view` shows them, and the logs alone
are enough for the agreement stage.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from string import Template
from typing import Any

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import Sample
from inspect_ai.model import CachePolicy, GenerateConfig, Model, ModelOutput, get_model
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
from inspect_ai.solver import Generate, Solver, TaskState, solver

from empathy_bench.candidates import feedback as feedback_module
from empathy_bench.candidates.feedback import Feedback, parse_feedback
from empathy_bench.candidates.judge import GRADER, Judge, load_grader
from empathy_bench.candidates.prompt import Mode, load_template, render, render_coach
from empathy_bench.candidates.reply import parse_reply
from empathy_bench.core.digest import sha256_bytes
from empathy_bench.sources import quote as quote_module
from empathy_bench.sources.labels import rater_wide
from empathy_bench.sources.quote import MIN_QUOTE_CHARS, locate, normalise
from empathy_bench.sources.rubric import Rubric, load_rubric
from empathy_bench.tasks.binding import candidate_fingerprint, judge_task, reply_outcome, supporter_words, task_judge
from empathy_bench.tasks.labels import task_labels
from empathy_bench.tasks.scorer import unscored
from empathy_bench.tasks.spec import CoachTask, as_kind, load_task

# The code that scores a reply (not the reply itself): a change re-scores, so it versions the task.
SCORING = (feedback_module, quote_module)


@task
def coach(
    task: str = "lend_an_ear_coach", coach: str | None = None, grader: str | None = None, epochs: int = 1
) -> Task:
    """Coach `coach` (a file in evals/coaches, or a model string) writes feedback on every item
    of task `task`; judge `grader` (default: the task's) re-rates each first rewrite. Without a
    coach, the eval's --model coaches with the default coach prompt. With `epochs` K >= 2 the coach
    writes K feedbacks per conversation (the cache is per epoch): the table scores the first,
    test-retest and the spread read them all."""
    spec = load_task(task)
    candidate = task_judge(spec, coach, "coach")
    spec = as_kind(spec, CoachTask)  # task_judge refused a task of another kind
    grading = load_grader(grader or spec.grader)
    layout: Mode = grading.mode or spec.mode  # as on a rate task: the judge file's, else the task's
    samples = build_coach_samples(spec, candidate)
    model = get_model(
        grading.model,
        config=GenerateConfig(**grading.generation.model_dump(exclude_none=True)),
        **grading.connection_args,
    )
    scope = candidate_fingerprint(spec, grading)
    meta = {
        "grader": grading.id,
        "grader_sha256": scope,
        "grader_config_sha256": grading.config_hash,
        "grader_mode": layout,
        "grader_price": grading.pricing,
        "scoring_sha256": sha256_bytes(b"".join(Path(m.__file__ or "").read_bytes() for m in SCORING), short=True),
        "profile": spec.profile.model_dump(),
    }
    return judge_task(
        spec,
        candidate,
        bool(coach),
        samples,
        coach_feedback(),
        Epochs(epochs, first_feedback()),
        meta,
        then=grade_rewrite(spec.rubric, grading, layout, CachePolicy(expiry=None, scopes={"fingerprint": scope})),
        model_roles={GRADER: model},
    )


def build_coach_samples(spec: CoachTask, coach: Judge, template: Template | None = None) -> list[Sample]:
    """One sample per item the reference rated on every dimension (the profile needs them all)."""
    labels = task_labels(spec)
    rubric, dims = spec.rubric_model, spec.dimension_ids
    # `template`: a bundle's own copy (pipeline/bundle rebuilds a submitted run's prompts)
    template = template or load_template(coach.prompt_name, "coach")
    reference = rater_wide(labels.ratings, spec.reference, dims).dropna()
    samples = []
    for item in labels.items.itertuples():
        if item.item_id not in reference.index:
            continue
        samples.append(
            Sample(
                id=item.item_id,
                input=render_coach(template, rubric, dims, item.turns, item.target),
                metadata={
                    "item_id": item.item_id,
                    "framework": spec.framework,
                    "dimensions": dims,
                    "reference": {d: float(reference.at[item.item_id, d]) for d in dims},
                    "turns": item.turns,
                    "target": item.target,
                    "supporter_words": supporter_words(item.turns, item.target),
                },
            )
        )
    return samples


def first_rewrite(feedback: Feedback, turns: list[dict[str, str]], target: str) -> dict[str, Any] | None:
    """The coach's first improvement as a rewritten conversation: its rewrite in place of the
    supporter message its quote comes from; None when there is no improvement, or its quote is
    not found in a supporter message (there is nothing to replace)."""
    if not feedback.improvements:
        return None
    first = feedback.improvements[0]
    found = locate(first.quote, turns, target)
    if found.turn is None:
        return None
    rewritten = [dict(t) for t in turns]
    rewritten[found.turn]["text"] = first.rewrite
    return {"targeted": first.dimension, "turn": found.turn, "turns": rewritten}


def graded_rewrite(
    output: ModelOutput, dims: list[str], turns: list[dict[str, str]], target: str
) -> dict[str, Any] | None:
    """What the grader re-rates after the coach's reply `output`: its first rewrite; None when the
    reply failed or has no rewrite to put in place (pipeline/bundle rebuilds the grader's prompts)."""
    if output.error:
        return None
    parsed = parse_feedback(output.completion, dims)
    return first_rewrite(parsed.feedback, turns, target) if parsed.feedback else None


def grader_prompts(
    template: Template, rubric: Rubric, dims: list[str], mode: Mode, turns: list[dict[str, str]], target: str
) -> list[tuple[list[str], str]]:
    """The grader's prompts on one conversation, each with the dimensions it asks: as it rates on a
    rate task (its prompt, in its layout: one dimension per prompt, or all at once)."""
    groups = [dims] if mode == "all_dimensions" else [[d] for d in dims]
    return [(group, render(template, rubric, group, turns, target)) for group in groups]


@solver
def grade_rewrite(rubric_id: str, grader: Judge, mode: Mode, cache: CachePolicy) -> Solver:
    """After the coach's reply: the grader's ratings of the conversation as it was and with the
    first rewrite (kept in the sample's metadata as `grading`; absent when nothing was rewritten)."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        turns, target = state.metadata["turns"], state.metadata["target"]
        rewrite = graded_rewrite(state.output, state.metadata["dimensions"], turns, target)
        if rewrite is None:
            return state
        model = get_model(role=GRADER)
        rate = _rater(model, load_rubric(rubric_id), grader, mode, cache, state.metadata["dimensions"], target)
        before, after = await asyncio.gather(rate(turns), rate(rewrite["turns"]))
        state.metadata["grading"] = {
            "targeted": rewrite["targeted"],
            "turn": rewrite["turn"],
            "before": before[0],
            "after": after[0],
            "unscored": {"before": before[1], "after": after[1]},
        }
        return state

    return solve


Rate = Callable[[list[dict[str, str]]], Awaitable[tuple[dict[str, int], dict[str, str]]]]


def _rater(
    model: Model, rubric: Rubric, grader: Judge, mode: Mode, cache: CachePolicy, dims: list[str], target: str
) -> Rate:
    """A function rating a conversation's turns with the grader (`grader_prompts`)."""
    template = load_template(grader.prompt_name)

    async def rate(turns: list[dict[str, str]]) -> tuple[dict[str, int], dict[str, str]]:
        asked = grader_prompts(template, rubric, dims, mode, turns, target)
        outputs = await asyncio.gather(*(model.generate(prompt, cache=cache) for _, prompt in asked))
        values: dict[str, int] = {}
        why: dict[str, str] = {}
        for (group, _), output in zip(asked, outputs, strict=True):
            parsed = parse_reply(output.completion, rubric, group)
            got, missing = reply_outcome(output, group, parsed.values, parsed.unscored)
            values |= got
            why |= {d: u.code for d, u in missing.items()}
        return values, why

    return rate


@score_reducer(name="first_feedback")
def first_feedback() -> ScoreReducer:
    """Across epochs: the first epoch's feedback, as the coach table scores it (feedback has no
    median); every epoch's stays in the log for test-retest and the spread."""

    def reduce(scores: list[Score]) -> Score:
        return scores[0]

    return reduce


@metric
def grounding() -> Metric:
    """Share of the feedback's quotes found in the supporter's own messages."""

    def compute(scores: list[SampleScore]) -> float:
        quotes = [q for s in scores for q in (s.score.metadata or {}).get("quotes", [])]
        return sum(q["grounded"] for q in quotes) / len(quotes) if quotes else float("nan")

    return compute


@scorer(metrics=[grounding(), unscored()])
def coach_feedback() -> Scorer:
    """Strictly parse the feedback, locate every quote, and keep the grader's ratings."""

    async def score(state: TaskState, target: Target) -> Score:
        dims, turns, speaker = state.metadata["dimensions"], state.metadata["turns"], state.metadata["target"]
        reply = state.output.completion
        parsed = parse_feedback(reply, dims)
        found = {"feedback": parsed.feedback} if parsed.feedback else {}
        problem = {"feedback": parsed.unscored} if parsed.unscored else {}
        kept, why = reply_outcome(state.output, ["feedback"], found, problem)
        feedback = kept.get("feedback")
        if feedback is None:
            reason = why["feedback"]
            return Score(
                value={"feedback": None},
                answer=reply,
                explanation=f"feedback unscored: {reason.message}",
                metadata={"unscored": {"feedback": reason.code}},
            )
        quotes = quote_checks(feedback, turns, speaker)
        grading = state.metadata.get("grading")
        return Score(
            value={"feedback": float(len(feedback.improvements))},
            answer=reply,
            explanation=explain(quotes, grading),
            metadata={
                "unscored": {},
                "feedback": feedback.model_dump(),
                "quotes": quotes,
                "words": feedback.words(),
                "grading": grading,
            },
        )

    return score


def quote_checks(feedback: Feedback, turns: list[dict[str, str]], target: str) -> list[dict[str, Any]]:
    """Every quote of the feedback, located: grounded (the supporter message it is in) or not,
    and whose words an ungrounded quote was."""
    parts = [("strength", s.dimension, s.quote) for s in feedback.strengths]
    parts += [("improvement", i.dimension, i.quote) for i in feedback.improvements]
    checks = []
    for kind, dim, quote in parts:
        found = locate(quote, turns, target)
        checks.append(
            {
                "kind": kind,
                "dimension": dim,
                "quote": quote,
                "grounded": found.grounded,
                "turn": found.turn,
                "similarity": round(found.similarity, 4),
                "speaker": found.speaker,
            }
        )
    return checks


def explain(quotes: list[dict[str, Any]], grading: dict[str, Any] | None) -> str:
    """What inspect view shows beside the reply: each quote marked grounded or not, and the
    grader's ratings of the first rewrite."""
    lines = []
    for q in quotes:
        if q["grounded"]:
            mark = f"grounded (message {q['turn']}, similarity {q['similarity']:.2f})"
        elif q["speaker"]:
            mark = f"NOT grounded: the words of {q['speaker']}"
        elif len(normalise(q["quote"])) < MIN_QUOTE_CHARS:
            mark = f"NOT grounded: under {MIN_QUOTE_CHARS} characters, too short to ground anything"
        else:
            mark = "NOT grounded: not in the conversation"
        lines.append(f'{q["kind"]} {q["dimension"]}: "{q["quote"][:120]}" -> {mark}')
    if grading:
        changes = ", ".join(f"{d} {grading['before'].get(d)}->{grading['after'].get(d)}" for d in grading["after"])
        lines.append(f"grader on the first rewrite ({grading['targeted']}): {changes}")
    else:
        lines.append("no rewrite graded (no improvement, or its quote is not in a supporter message)")
    return "\n".join(lines)
