"""The inspect task of kind `coach`: a coach reads one conversation and writes feedback for the
supporter (the contract in `empathy_bench.candidates.feedback`), and a grader judge re-rates the
conversation with the coach's first rewrite in place of the message it quotes.

    inspect eval empathy_bench/coach -T task=lend_an_ear_coach -T coach=builtin-lexicon-coach
    inspect eval empathy_bench/coach -T task=lend_an_ear_coach --model litellm/openai/gpt-4o-mini

The grader is a judge file (the task's `grader`, or `-T grader=<judge id>`), bound to inspect's
model role `grader`, and rates as it does on the rate leaderboard: the rate task's samples of the
conversation (its mode and prompt), its solver, scorer and reducer (`rate_task_rating`), so the
uplift it reports is only as good as its agreement with the experts there. It rates the
original conversation too (cached: the same prompt for every coach), so an uplift is its own
change, not the difference between it and the experts. Each sample keeps the parsed feedback,
each quote located in the conversation (grounded in a supporter message or not, and whose words
it was), and the grader's ratings before and after: `inspect view` shows them, and the logs alone
are enough for the agreement stage.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from string import Template
from typing import Any, Literal, Unpack

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import Sample
from inspect_ai.model import (
    CachePolicy,
    ChatMessage,
    ChatMessageUser,
    GenerateConfig,
    GenerateConfigArgs,
    Model,
    ModelName,
    ModelOutput,
    get_model,
)
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
from empathy_bench.candidates.prompt import Mode, load_template, render_coach
from empathy_bench.core.digest import sha256_bytes
from empathy_bench.sources import quote as quote_module
from empathy_bench.sources.labels import rater_wide
from empathy_bench.sources.quote import MIN_QUOTE_CHARS, locate, normalise
from empathy_bench.sources.rubric import load_rubric
from empathy_bench.tasks.binding import (
    candidate_fingerprint,
    judge_generate,
    judge_task,
    provenance,
    reply_outcome,
    supporter_words,
    task_judge,
)
from empathy_bench.tasks.labels import task_labels
from empathy_bench.tasks.metadata import CoachSampleMetadata, CoachTaskMetadata
from empathy_bench.tasks.rate import Conversation, conversation_samples
from empathy_bench.tasks.scorer import median_rating, rubric_rating, unscored
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
    meta = CoachTaskMetadata(
        **provenance(spec, candidate),
        grader=grading.id,
        grader_sha256=scope,
        grader_config_sha256=grading.config_hash,
        grader_mode=layout,
        grader_price=grading.pricing,
        scoring_sha256=sha256_bytes(b"".join(Path(m.__file__ or "").read_bytes() for m in SCORING), short=True),
        profile=spec.profile,
    )
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
                # without `grading`: the grader's solver adds it once it graded a rewrite
                metadata=CoachSampleMetadata(
                    item_id=item.item_id,
                    framework=spec.framework,
                    dimensions=dims,
                    reference={d: float(reference.at[item.item_id, d]) for d in dims},
                    turns=item.turns,
                    target=item.target,
                    supporter_words=supporter_words(item.turns, item.target),
                ).model_dump(exclude={"grading"}),
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


@solver
def grade_rewrite(rubric_id: str, grader: Judge, mode: Mode, cache: CachePolicy) -> Solver:
    """After the coach's reply: the grader's ratings of the conversation as it was and with the
    first rewrite (kept in the sample's metadata as `grading`; absent when nothing was rewritten).
    Each is the grader's rating as the rate task gets it (`rate_task_rating`), on the rate task's
    samples of that conversation, so the grader graded exactly as it rates on the leaderboard."""
    rubric, template = load_rubric(rubric_id), load_template(grader.prompt_name)
    rate_solver, rate_scorer = judge_generate(cache), rubric_rating(rubric_id)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        meta = state.metadata_as(CoachSampleMetadata)
        rewrite = graded_rewrite(state.output, meta.dimensions, meta.turns, meta.target)
        if rewrite is None:
            return state
        model = get_model(role=GRADER)

        def rate_samples(turns: list[dict[str, str]]) -> list[Sample]:
            conversation = Conversation(meta.item_id, turns, meta.target)
            return conversation_samples(
                rubric, meta.framework, template, mode, conversation, meta.dimensions, meta.reference
            )

        before, after = await asyncio.gather(
            *(
                rate_task_rating(model, rate_solver, rate_scorer, rate_samples(turns), state.epoch)
                for turns in (meta.turns, rewrite["turns"])
            )
        )
        state.metadata["grading"] = {
            "targeted": rewrite["targeted"],
            "turn": rewrite["turn"],
            "before": before[0],
            "after": after[0],
            "unscored": {"before": before[1], "after": after[1]},
        }
        return state

    return solve


async def rate_task_rating(
    model: Model, rate_solver: Solver, rate_scorer: Scorer, samples: list[Sample], epoch: int
) -> tuple[dict[str, float], dict[str, str]]:
    """One conversation's rating by `model` as a rate task's log holds it, from the rate task's
    samples of it: each run through the rate task's solver (`judge_generate`) with `model`, scored
    by its scorer (`rubric_rating`) and reduced over its one epoch by its reducer (`median_rating`);
    the samples' values merged into one rating per scored dimension, beside the reason code of
    each dimension left unscored."""
    generate = _generate_with(model)
    states = await asyncio.gather(*(rate_solver(_sample_state(model, s, epoch), generate) for s in samples))
    reduce = median_rating()
    values: dict[str, float] = {}
    why: dict[str, str] = {}
    for state in states:
        scored = await rate_scorer(state, Target(""))
        assert scored is not None  # rubric_rating scores every sample (None: a Scorer's "not scored")
        score = reduce([scored])
        got = score.value if isinstance(score.value, dict) else {}
        values |= {d: v for d, v in got.items() if v is not None}
        why |= (score.metadata or {}).get("unscored", {})
    return values, why


def _sample_state(model: Model, sample: Sample, epoch: int) -> TaskState:
    """The state a rate sample starts in: its prompt as the one user message (built as
    `Model.generate` builds it from a prompt, so the grader's cache keys are as they were)."""
    messages: list[ChatMessage] = (
        [ChatMessageUser(content=sample.input)] if isinstance(sample.input, str) else list(sample.input)
    )
    return TaskState(
        model=ModelName(model),
        sample_id=sample.id or "",
        epoch=epoch,
        input=sample.input,
        messages=messages,
        metadata=sample.metadata,
    )


def _generate_with(model: Model) -> Generate:
    """inspect's generate for a solver run on `model` rather than the task's own (the grader's
    role): one call with the solver's cache policy, the reply appended, as inspect's does for a
    task without tools."""

    async def generate(
        state: TaskState, tool_calls: Literal["loop", "single", "none"] = "loop", **kwargs: Unpack[GenerateConfigArgs]
    ) -> TaskState:
        state.output = await model.generate(state.messages, cache=kwargs.get("cache") or False)
        state.messages.append(state.output.message)
        return state

    return generate


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
        meta = state.metadata_as(CoachSampleMetadata)
        dims, turns, speaker = meta.dimensions, meta.turns, meta.target
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
        grading = meta.grading
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
