"""What an inspect eval log says: a rate task's ratings (one per item and dimension after
epochs), a compare task's choices (one per pair, order and criterion) or a coach task's feedback
(one per conversation, with its quotes located and its rewrite graded), what could not be
scored and why, and what the run used (tokens, list price, wall time, provider calls against
cache hits). Nothing here compares with humans: that is the agreement stage's work on the
tables this returns."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import pandas as pd
from inspect_ai.log import EvalLog
from pydantic import BaseModel

from empathy_bench.candidates.feedback import Feedback
from empathy_bench.candidates.judge import GRADER
from empathy_bench.core.kinds import kind
from empathy_bench.core.models import NAN, Record
from empathy_bench.tasks.epochs import epoch_choice, epoch_rating
from empathy_bench.tasks.metadata import (
    CoachSampleMetadata,
    CoachTaskMetadata,
    CompareSampleMetadata,
    CompareTaskMetadata,
    RateSampleMetadata,
    RateTaskMetadata,
    TaskMetadata,
    sample_metadata,
    sample_unit,
    task_metadata,
)


class Usage(Record):
    """Tokens of every call (cache hits included, so a cached re-run prices the same), the
    dollars they cost at list price and what was actually billed (provider calls only),
    and the run's wall time (one task at a time per process, so it is this task's own)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None  # None: no price known for the model
    billed_cost_usd: float | None = None
    wall_seconds: float = NAN
    provider_calls: int = 0
    cached_calls: int = 0
    # A run served wholly from the cache timed the cache, not the model: its record keeps the wall
    # time of the last run of the same candidate and task version that called the provider
    # (leaderboard/record.py); None where none was measured live
    live_wall_seconds: float | None = None

    def live_seconds(self) -> float | None:
        """The wall time that measured the model: this run's when it called the provider, else the
        last live run's."""
        return self.wall_seconds if self.provider_calls else self.live_wall_seconds


class LogSummary(BaseModel):
    """One run of a judge on a task, as its log tells it."""

    task: str
    kind: str  # the task kind: rate, compare, coach or a registered one (no default: a log says its kind)
    judge: str  # judge id (evals/judges/<id>.yaml) or the model string
    model: str
    baseline: bool = False  # a trivial baseline, shown as such
    fitted_on_task: bool = False  # the judge file declares it was fitted on this task's items
    n_items: int  # items judged (compare: pairs; coach: conversations)
    # False when the run covered fewer samples than its task has (a --limit, a sample filter,
    # unfinished samples): its record must never replace a complete one
    complete: bool = True
    n_samples: int = 0  # distinct samples the run judged
    n_samples_task: int = 0  # samples the task has
    # (item, dimension) ratings asked for (compare: (pair, order, criterion) choices; coach: feedbacks)
    n_ratings: int
    n_unscored: int = 0  # of those, unscored in every epoch
    unscored_reasons: dict[str, int] = {}  # reason code -> count (candidates.reply.UNSCORED_CODES)
    usage: Usage = Usage()
    # a coach task's grader: its own calls (the run's wall time includes them)
    grader_usage: Usage | None = None
    notes: list[str] = []  # what a reader must know (a --limit, items without a reference rating)
    log: str = ""

    def per_1000(self, value: float | None) -> float | None:
        return None if value is None or not self.n_items else value / self.n_items * 1000


def judge_ratings(log: EvalLog) -> tuple[pd.DataFrame, Counter[str]]:
    """Long table (item_id, dimension, epoch, value, condition) of a log's scored ratings
    (condition: a probe's, else ""), and the (item, dimension, condition) no epoch could score,
    counted by the first epoch's reason code."""
    rows: list[dict[str, object]] = []
    why_not: dict[tuple[str, str, str], str] = {}
    for sample in log.samples or []:
        meta = sample_metadata(log, sample, RateSampleMetadata)
        score = next(iter((sample.scores or {}).values()), None) if sample.error is None else None
        reasons = (score.metadata or {}).get("unscored", {}) if score else {}
        values = (score.value or {}) if score else {d: None for d in meta.dimensions}
        condition = meta.condition or ""
        for dim, value in values.items():  # type: ignore[union-attr]
            key = (meta.item_id, dim, condition)
            if value is None:
                why_not.setdefault(key, reasons.get(dim, "sample_error" if score is None else "no_tag"))
            else:
                row = {"item_id": key[0], "dimension": dim, "epoch": sample.epoch, "value": float(value)}
                rows.append(row | {"condition": condition})
    ratings = pd.DataFrame(rows, columns=["item_id", "dimension", "epoch", "value", "condition"])
    scored = set(zip(ratings.item_id, ratings.dimension, ratings.condition, strict=True))
    return ratings, Counter(why for key, why in why_not.items() if key not in scored)


def condition_tables(log: EvalLog) -> dict[str, pd.DataFrame]:
    """A probe log's items x dimensions ratings under each of its conditions."""
    ratings, _ = judge_ratings(log)
    return {str(c): rating_table(group) for c, group in ratings.groupby("condition")}


def rating_table(ratings: pd.DataFrame) -> pd.DataFrame:
    """Items x dimensions: each (item, dimension) rated by the epoch rule over its repeats,
    sorted by item, so nothing downstream depends on the order samples finished in."""
    wide = ratings.groupby(["item_id", "dimension"])["value"].agg(epoch_rating).unstack("dimension")
    return wide.sort_index()


def judge_choices(log: EvalLog) -> tuple[pd.DataFrame, Counter[str]]:
    """Long table (pair_id, order, criterion, condition, choice) of a compare log's scored choices
    (after epochs; in the pair's orientation; condition: a probe's, else ""), and the unscored
    (pair, order, criterion, condition) by reason."""
    scored: dict[tuple[str, str, str, str], list[str]] = {}
    why_not: dict[tuple[str, str, str, str], str] = {}
    for sample in log.samples or []:
        meta = sample_metadata(log, sample, CompareSampleMetadata)
        score = next(iter((sample.scores or {}).values()), None) if sample.error is None else None
        reasons = (score.metadata or {}).get("unscored", {}) if score else {}
        values = (score.value or {}) if score else {c: None for c in meta.criteria}
        condition = meta.condition or ""
        for criterion, choice in values.items():  # type: ignore[union-attr]
            key: tuple[str, str, str, str] = (meta.pair_id, meta.order, criterion, condition)
            if choice is None:
                why_not.setdefault(key, reasons.get(criterion, "sample_error" if score is None else "no_tag"))
            else:
                scored.setdefault(key, []).append(str(choice))
    rows, unscored = [], Counter(why for key, why in why_not.items() if key not in scored)
    for key, choices in sorted(scored.items()):
        choice = epoch_choice(choices)
        if choice is None:
            unscored["conflicting"] += 1
        else:
            rows.append(dict(zip(CHOICE_COLUMNS, (*key, choice), strict=True)))
    return pd.DataFrame(rows, columns=CHOICE_COLUMNS), unscored


CHOICE_COLUMNS = ["pair_id", "order", "criterion", "condition", "choice"]


def epoch_choices(log: EvalLog) -> pd.DataFrame:
    """Long table (pair_id, order, criterion, condition, epoch, choice) of a compare log's scored
    choices in each epoch on its own (before the epoch rule): what each epoch's accuracy is read
    from (the spread over epochs)."""
    rows = []
    for sample in log.samples or []:
        score = next(iter((sample.scores or {}).values()), None) if sample.error is None else None
        meta = sample_metadata(log, sample, CompareSampleMetadata)
        for criterion, choice in ((score.value or {}) if score else {}).items():  # type: ignore[union-attr]
            if choice is not None:
                key = (meta.pair_id, meta.order, criterion, meta.condition or "")
                rows.append(dict(zip(EPOCH_CHOICE_COLUMNS, (*key, sample.epoch, str(choice)), strict=True)))
    return pd.DataFrame(rows, columns=EPOCH_CHOICE_COLUMNS)


EPOCH_CHOICE_COLUMNS = ["pair_id", "order", "criterion", "condition", "epoch", "choice"]
FEEDBACK_COLUMNS = ["improvements", "praised", "words", "quotes", "uplift"]
# beside them in a coach log's table: each listed improvement's words (quote, rewrite and why)
IMPROVEMENT_WORDS = "improvement_words"


def _graded(grading: dict[str, Any] | None) -> bool:
    """Whether the grader rated every dimension before and after the rewrite: an uplift (and its
    harm) over only the dimensions that happened to parse would undercount harm."""
    unscored = (grading or {}).get("unscored") or {}
    return bool(grading) and not any(unscored.values())


def _ungraded(log: EvalLog) -> list[str]:
    """A note on the rewrites left out of the uplift because the grader left a rating unscored."""
    codes: Counter[str] = Counter()
    for sample in log.samples or []:
        score = next(iter((sample.scores or {}).values()), None)
        grading = (score.metadata or {}).get("grading") if score else None
        if grading and not _graded(grading):
            codes.update(code for side in grading["unscored"].values() for code in side.values())
    if not codes:
        return []
    why = ", ".join(f"{c} {k}" for c, k in sorted(codes.items()))
    return [f"rewrites left out of the uplift: the grader left {sum(codes.values())} rating(s) unscored ({why})"]


def judge_feedback(log: EvalLog, epoch: int = 1) -> tuple[pd.DataFrame, Counter[str]]:
    """A coach log's scored feedback in one epoch (the first: feedback has no median, so a coach
    run with several epochs is scored on its first, the others read for test-retest and the
    spread), one row per item (indexed by item_id, sorted): the improvement dimensions in the
    coach's order with each one's words, the praised ones (each named once), the feedback's words,
    its quotes as located by the scorer, and the grader's ratings before and after the first
    rewrite (None where nothing was rewritten); and that epoch's unscored items by reason."""
    rows: dict[str, dict[str, object]] = {}
    why_not: Counter[str] = Counter()
    for sample in log.samples or []:
        if sample.epoch != epoch:
            continue
        score = next(iter((sample.scores or {}).values()), None) if sample.error is None else None
        meta = (score.metadata or {}) if score else {}
        if score is None or "feedback" not in meta:
            why_not[meta.get("unscored", {}).get("feedback", "sample_error" if score is None else "no_tag")] += 1
            continue
        feedback, grading = Feedback.model_validate(meta["feedback"]), meta.get("grading") or {}
        rows[sample_metadata(log, sample, CoachSampleMetadata).item_id] = {
            "improvements": [i.dimension for i in feedback.improvements],
            IMPROVEMENT_WORDS: [i.words() for i in feedback.improvements],
            "praised": list(dict.fromkeys(s.dimension for s in feedback.strengths)),
            "words": float(meta["words"]),
            "quotes": meta["quotes"],
            "uplift": {k: grading[k] for k in ("targeted", "before", "after")} if _graded(grading) else None,
        }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=[*FEEDBACK_COLUMNS, IMPROVEMENT_WORDS]).sort_index()
    return table.rename_axis("item_id"), why_not


def read_ratings(log: EvalLog) -> tuple[pd.DataFrame, Counter[str], int, str]:
    """The rate kind's `read` hook: the items x dimensions ratings (a probe log's conditions are
    read by condition_tables), the unscored by reason, the answers asked, the unit column."""
    ratings, reasons = judge_ratings(log)
    # every (item, dimension, condition) asked: a probe log asks each item under each condition
    n_asked = len(ratings[["item_id", "dimension", "condition"]].drop_duplicates()) + sum(reasons.values())
    return rating_table(ratings), reasons, n_asked, "item_id"


def read_choices(log: EvalLog) -> tuple[pd.DataFrame, Counter[str], int, str]:
    """The compare kind's `read` hook: the choices, one row per pair, order and criterion."""
    table, reasons = judge_choices(log)
    return table, reasons, len(table) + sum(reasons.values()), "pair_id"


def read_feedback(log: EvalLog) -> tuple[pd.DataFrame, Counter[str], int, str]:
    """The coach kind's `read` hook: the first epoch's feedback, one row per item."""
    table, reasons = judge_feedback(log)
    return table, reasons, len(table) + sum(reasons.values()), "item_id"


def read_log(log: EvalLog) -> tuple[pd.DataFrame, LogSummary]:
    """A log's table, as its kind reads it (core/kinds.py; a log that does not say its kind, or
    whose metadata does not validate, is refused), and its summary."""
    meta = task_metadata(log)
    table, reasons, n_asked, unit = kind(meta.kind).read(log)
    n_unscored = sum(reasons.values())
    notes = _left_out(meta)
    judged = len({s.id for s in log.samples or []})
    expected = log.eval.dataset.samples or judged
    if judged < expected:
        why = f"--limit {log.eval.config.limit}" if log.eval.config.limit else "unfinished or filtered samples"
        notes.append(f"partial run ({why}): {judged} of the task's {expected} samples; agreement covers only those")
    summary = LogSummary(
        task=meta.task,
        kind=meta.kind,
        judge=meta.judge or log.eval.model,
        model=log.eval.model,
        baseline=meta.baseline,
        fitted_on_task=meta.task in meta.fitted_on,
        n_items=len({sample_unit(log, s, unit) for s in log.samples or []}),
        complete=judged >= expected,
        n_samples=judged,
        n_samples_task=expected,
        n_ratings=n_asked,
        n_unscored=n_unscored,
        unscored_reasons=dict(sorted(reasons.items())),
        usage=usage_of(log, pricing=meta.price),
        grader_usage=usage_of(log, GRADER, pricing=meta.grader_price) if isinstance(meta, CoachTaskMetadata) else None,
        notes=notes + _ungraded(log),
        log=log.location.removeprefix("file://"),
    )
    return table, summary


def _left_out(meta: TaskMetadata) -> list[str]:
    """The notes on what the task left out of its samples (no reference to judge against)."""
    if isinstance(meta, RateTaskMetadata) and meta.unrated_by_reference:
        return [f"{meta.unrated_by_reference} item-dimension pairs have no reference rating and were not judged"]
    notes = []
    if isinstance(meta, CompareTaskMetadata) and meta.pairs_without_reference:
        notes.append(f"{meta.pairs_without_reference} pairs have no reference choice and were not judged")
    if isinstance(meta, CompareTaskMetadata) and meta.tie_references_not_answerable:
        notes.append(
            f"{meta.tie_references_not_answerable} pairs whose reference is a tie were not judged "
            "(the task does not allow tie as an answer)"
        )
    return notes


# How a log's tokens are priced (a task's metadata `price`, a coach task's `grader_price`; see
# Judge.pricing): `list` (litellm's price table; logs written before pricing was recorded),
# `unknown` (a self-hosted server without a price of its own: no cost), or the judge file's own
# {input_per_million, output_per_million} in USD.
LIST = "list"


def usage_of(log: EvalLog, role: str | None = None, pricing: object = LIST) -> Usage:
    """Tokens, dollars (priced by `pricing`), wall time and provider-vs-cache calls of a run's
    candidate (`role` None) or of the model of one of its roles (a coach task's `grader`), from
    its log."""
    events = [e for s in log.samples or [] for e in s.events if e.event == "model" and e.role == role]
    calls = Counter("cached" if e.cache == "read" else "provider" for e in events)
    tokens_in = sum(e.output.usage.input_tokens for e in events if e.output.usage)
    tokens_out = sum(e.output.usage.output_tokens for e in events if e.output.usage)
    if role is None:  # what inspect billed, less what it billed to the roles
        billed = list(log.stats.model_usage.values())
        others = list(log.stats.role_usage.values())
        billed_in = sum(u.input_tokens for u in billed) - sum(u.input_tokens for u in others)
        billed_out = sum(u.output_tokens for u in billed) - sum(u.output_tokens for u in others)
        model = log.eval.model
    else:
        used = log.stats.role_usage.get(role)
        billed_in, billed_out = (used.input_tokens, used.output_tokens) if used else (0, 0)
        model = events[0].model if events else ""
    return Usage(
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        cost_usd=price(model, tokens_in, tokens_out, pricing),
        billed_cost_usd=price(model, billed_in, billed_out, pricing),
        wall_seconds=_seconds(log),
        provider_calls=calls["provider"],
        cached_calls=calls["cached"],
    )


def price(model: str, tokens_in: int, tokens_out: int, pricing: object = LIST) -> float | None:
    """Dollars at the judge file's own price (`pricing` {input_per_million, output_per_million}),
    else at the prices in the pinned litellm release's bundled price map (local, so the same log
    always prices the same); built-in judges are free; unknown models, and a self-hosted server
    without a price of its own (`pricing` `unknown`: its model name may be a provider's), None."""
    import litellm

    import empathy_bench  # noqa: F401  (local price map before litellm loads)

    if isinstance(pricing, dict):
        try:
            per_million = float(pricing["input_per_million"]), float(pricing["output_per_million"])
        except (KeyError, TypeError, ValueError):
            return None  # not a price this harness wrote
        return (tokens_in * per_million[0] + tokens_out * per_million[1]) / 1_000_000
    if pricing != LIST:
        return None
    name = model.removeprefix("litellm/")
    if name.startswith("builtin/"):
        return 0.0
    if name not in litellm.model_cost and name.split("/", 1)[-1] not in litellm.model_cost:
        return None  # not in the price table: cost_per_token would silently say $0
    try:
        cost_in, cost_out = litellm.cost_per_token(model=name, prompt_tokens=tokens_in, completion_tokens=tokens_out)
    except Exception:  # litellm raises bare Exceptions for entries it cannot price
        return None
    return float(cost_in + cost_out)


def _seconds(log: EvalLog) -> float:
    """Seconds during which at least one sample was running: the union of the samples' own
    intervals (microsecond timestamps; the log header's times are whole seconds). A run that
    was killed and resumed does not count the time in between."""
    spans = sorted(
        (datetime.fromisoformat(s.started_at), datetime.fromisoformat(s.completed_at))
        for s in log.samples or []
        if s.started_at and s.completed_at
    )
    if not spans:
        return NAN
    total, (start, end) = 0.0, spans[0]
    for begin, finish in spans[1:]:
        if begin > end:  # a gap nothing ran in
            total += (end - start).total_seconds()
            start, end = begin, finish
        else:
            end = max(end, finish)
    return total + (end - start).total_seconds()
