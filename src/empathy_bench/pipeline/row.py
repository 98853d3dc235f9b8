"""A row of the leaderboard as a run produced it, and what identifies a log's task and judge."""

from __future__ import annotations

from dataclasses import dataclass

from inspect_ai.log import EvalLog

from empathy_bench.agreement.preference import PreferenceAgreement
from empathy_bench.agreement.probe import ProbeResult
from empathy_bench.agreement.rater import RaterAgreement, RaterKind
from empathy_bench.runs.log import LogSummary

FROM_RATINGS = " (from ratings)"


@dataclass
class Row:
    """One leaderboard row as the run produced it: the rater's agreement and, for a judge the
    harness ran, what its log says."""

    agreement: RaterAgreement | PreferenceAgreement | ProbeResult
    run: LogSummary | None = None
    log: EvalLog | None = None  # the log the row's provenance comes from
    complete: bool = True  # False: from a partial run (a --limit, unfinished samples)


def kind_of(summary: LogSummary) -> RaterKind:
    return "baseline" if summary.baseline else "run"


def task_of(log: EvalLog) -> str:
    return str((log.eval.metadata or {}).get("task", log.eval.task))


def judge_of(log: EvalLog) -> tuple[str, str]:
    return str((log.eval.metadata or {}).get("judge") or ""), log.eval.model


def probe_of(log: EvalLog) -> str:
    """The probe a log ran ("" for a plain run)."""
    return str((log.eval.metadata or {}).get("probe") or "")
