"""A row of the leaderboard as a run produced it, and what identifies a log's task and judge."""

from __future__ import annotations

from dataclasses import dataclass

from inspect_ai.log import EvalLog

from empathy_bench.agreement.coach import CoachAgreement
from empathy_bench.agreement.preference import PreferenceAgreement
from empathy_bench.agreement.probe import ProbeResult
from empathy_bench.agreement.rater import RaterAgreement, RaterType
from empathy_bench.agreement.statistics import Statistics
from empathy_bench.agreement.stats import Headline
from empathy_bench.core.digest import sha256_bytes
from empathy_bench.runs.log import LogSummary
from empathy_bench.tasks.labels import items_identity
from empathy_bench.tasks.metadata import JudgeTaskMetadata, RateTaskMetadata, task_metadata
from empathy_bench.tasks.spec import TaskSpec, load_task

FROM_RATINGS = " (from ratings)"


@dataclass
class Row:
    """One leaderboard row as the run produced it: the rater's agreement and, for a judge the
    harness ran, what its log says."""

    agreement: RaterAgreement | PreferenceAgreement | ProbeResult | CoachAgreement | Statistics
    run: LogSummary | None = None
    log: EvalLog | None = None  # the log the row's provenance comes from
    complete: bool = True  # False: from a partial run (a --limit, unfinished samples)
    # the figure the task ranks its rows by, on the draws all its rows share: what the paired
    # comparison of the task's rows is made of (in memory only: draws are never stored)
    headline: Headline | None = None


def rater_type_of(summary: LogSummary) -> RaterType:
    return "baseline" if summary.baseline else "run"


def task_of(log: EvalLog) -> str:
    return task_metadata(log).task


def judge_of(log: EvalLog) -> tuple[str, str]:
    return task_metadata(log).judge or "", log.eval.model


def rating_logs(spec: TaskSpec, logs: list[EvalLog]) -> list[EvalLog]:
    """The run's rate logs on a compare or coach task's conversations (the same items and framework)
    with every dimension rated (one per judge: the first rate task by id)."""
    found: dict[str, EvalLog] = {}
    for log in sorted(logs, key=task_of):
        if not isinstance(task_metadata(log), RateTaskMetadata) or items_of(log) != task_items(spec):
            continue
        if set(load_task(task_of(log)).dimension_ids) >= set(spec.rubric_model.dimension_ids):
            found.setdefault(judge_of(log)[0], log)
    return list(found.values())


def task_items(spec: TaskSpec) -> tuple[object, object]:
    """What a task's conversations are: its items' identity and framework."""
    return sha256_bytes(items_identity(spec), short=True), spec.framework


def items_of(log: EvalLog) -> tuple[object, object]:
    """The conversations a log ran on, as `task_items` names them (None: a registered kind's log,
    which does not say)."""
    meta = task_metadata(log)
    return (meta.items_sha256, meta.framework) if isinstance(meta, JudgeTaskMetadata) else (None, None)


def probe_of(log: EvalLog) -> str:
    """The probe a log ran ("" for a plain run)."""
    return task_metadata(log).probe or ""
