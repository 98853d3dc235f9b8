"""Running candidate judges on tasks through inspect's `eval_set` (logs, cache, resume,
progress) with the harness's settings, one eval set per shard (runs/shard.py: shard K of N in
`<log dir>/shard-K-of-N/`, its share dealt by runs/pool.py).

A command's work is N shards: `run --shard K/N` runs one (on any machine, into local or object
storage), and the local default runs N = $EMPATHY_BENCH_WORKERS (or one per usable core) side by
side, each in a spawned process of its own, then reads every shard's logs. One shard runs in this
process.

Re-running with the same log dir resumes: finished tasks are not run again, an interrupted
one redoes only its unfinished samples, and every model reply is also in inspect's cache.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from inspect_ai import Task, eval_set
from inspect_ai.log import EvalLog

from empathy_bench.candidates.judge import Judge, coach_ids, extra_installed, judge_ids, load_coach, load_judge
from empathy_bench.candidates.litellm_api import ProviderNotFound
from empathy_bench.core.digest import sha256_bytes
from empathy_bench.core.errors import EmpathyBenchError
from empathy_bench.core.kinds import kind as task_kind
from empathy_bench.core.lock import folder_lock
from empathy_bench.runs.pool import shares, task_key, worker_count
from empathy_bench.runs.shard import Shard, shard_logs, write_marker
from empathy_bench.tasks.coach import coach
from empathy_bench.tasks.probe import load_probe, probe_ids
from empathy_bench.tasks.spec import TaskSpec, default_task_ids, load_task

DEFAULT_LOG_DIR = "logs"
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Timeout|Unreachable|Reply)\b[:(]")

log = logging.getLogger(__name__)


@dataclass
class RunOptions:
    judges: list[str] = field(default_factory=list)  # empty: every built-in offline judge
    coaches: list[str] = field(default_factory=list)  # empty: every built-in offline coach
    grader: str | None = None  # the judge that grades coach rewrites (None: each coach task's own)
    tasks: list[str] = field(default_factory=list)  # empty: every task
    # a list: those probes on every task of the run they apply to ([]: none, the default from
    # Python); None: every probe file on the tasks it lists (the command's default)
    probes: list[str] | None = field(default_factory=list)
    limit: int | None = None
    epochs: int = 1
    max_connections: int | None = None
    # Transient provider errors are retried with exponential backoff this many times, then
    # the sample fails and the run can be resumed (inspect's default is to retry forever).
    max_retries: int = 5
    log_dir: str = DEFAULT_LOG_DIR  # the root: shard K of N logs to <log_dir>/shard-K-of-N/
    display: str = "full"
    shards: int | None = None  # local shards side by side (None: local_shards())


def default_judges() -> list[str]:
    """Without --judge: the built-in offline judges, which need no key, cost nothing and
    call no network. Paid judges run only when named, so nobody is billed by surprise. An
    offline judge that needs a package extra which is not installed is left out (and said so);
    named with --judge it still runs, and fails with the install command."""
    return _offline(judge_ids(), load_judge)


def default_coaches() -> list[str]:
    """Without --coach: the built-in offline coaches (as for judges)."""
    return _offline(coach_ids(), load_coach)


def _offline(ids: list[str], load: Callable[[str], Judge]) -> list[str]:
    chosen = []
    for judge_id in ids:
        judge = load(judge_id)
        missing = [e for e in judge.requires if not extra_installed(e)]
        if judge.offline and missing:
            log.info(
                "default run leaves out %s: needs the package extra(s) %s (uv sync --extra %s)",
                judge_id,
                ", ".join(missing),
                missing[0],
            )
        elif judge.offline:
            chosen.append(judge_id)
    return chosen


def build_tasks(options: RunOptions) -> list[Task]:
    """Every task's inspect tasks, as its kind builds them (core/kinds.py): for rate and compare
    every judge of the task's kind (a bare model string is a judge of every kind), for coach
    every coach."""
    tasks = [(name, load_task(name)) for name in options.tasks or default_task_ids()]
    return [built for name, spec in tasks for built in task_kind(spec.kind).build(name, spec, options)]


def judged(build: Callable[..., Task]) -> Callable[[str, TaskSpec, RunOptions], list[Task]]:
    """A kind's `build` hook that runs `build` (rate, compare) for every judge of the task's kind,
    plain and under each of the task's probes."""

    def tasks(name: str, spec: TaskSpec, options: RunOptions) -> list[Task]:
        judges = options.judges or default_judges()
        return [
            build(task=name, judge=j, epochs=options.epochs, probe=probe)
            for probe in [None, *probes_for(spec, options.probes)]
            for j in judges
            if spec.load_candidate(j).kind == spec.kind
            # the default probes run on the offline judges; a named probe (--probe) on every judge
            and (probe is None or options.probes is not None or spec.load_candidate(j).offline)
        ]

    return tasks


def coached(name: str, spec: TaskSpec, options: RunOptions) -> list[Task]:
    """The coach kind's `build` hook: every coach on the task, graded by its grader."""
    return [
        coach(task=name, coach=c, grader=options.grader, epochs=options.epochs)
        for c in options.coaches or default_coaches()
    ]


def probes_for(spec: TaskSpec, chosen: list[str] | None) -> list[str]:
    """The probes to run on a task: the named ones that apply to it (TaskSpec.probe_applies), or by
    default every probe file that lists the task."""
    if chosen is None:
        return [p for p in probe_ids() if spec.id in load_probe(p).tasks and spec.probe_applies(load_probe(p).change)]
    return [p for p in chosen if spec.probe_applies(load_probe(p).change)]


def finished_logs(options: RunOptions) -> list[EvalLog]:
    """Every task of the run, in N local shards (one in this process, several side by side in
    spawned processes); the finished logs' headers (no samples), read from every shard's log dir.
    A run that did not finish stops here with each failure's cause and how to resume."""
    n = options.shards or local_shards(options)
    if n == 1:
        run_shard(options, Shard(1, 1))
    else:
        launch(options, n)
    return shard_logs(options.log_dir, n, resume="re-run the same command to resume them").logs


def local_shards(options: RunOptions) -> int:
    """The local default: one shard per usable core, but never more shards than the command has
    work for (a run, one candidate on one task with its probes, is never split), since a shard
    with nothing to do still costs an interpreter and a build of every task: a one-run re-run from
    a warm cache took 78 s in two shards and 50 s in one. The runs are counted by dealing them only
    when the command can have few (at most a few per core: building them is then cheap)."""
    cores = worker_count()
    candidates = len(options.judges or default_judges()) + len(options.coaches or default_coaches())
    if cores == 1 or len(options.tasks or default_task_ids()) * candidates > FEW_RUNS_PER_CORE * cores:
        return cores
    return max(1, sum(1 for share in shares(build_tasks(options), cores) if share))


FEW_RUNS_PER_CORE = 4


def run_shard(options: RunOptions, shard: Shard) -> list[EvalLog]:
    """Shard K of N of the run: its share of the tasks through one eval_set in its own log dir
    (held exclusively while it runs, when local), and its marker. Returns the finished logs; a
    share that did not finish stops with each failure's cause (also kept in the marker)."""
    where = shard.dir(options.log_dir)
    with folder_lock(where, "--log-dir"):
        # unfinished from the start: a shard killed at any point is never read as done
        plan, tasks = "", list(options.tasks)
        write_marker(shard, options.log_dir, plan, tasks=tasks, finished=False, logs=[], error=None)
        try:
            dealt = shares(build_tasks(options), shard.n)
            # the whole deal and the selection: shards of other arguments are never collected together
            plan = sha256_bytes(
                json.dumps({"shares": [[task_key(t) for t in share] for share in dealt], "tasks": tasks})
            )
            mine = dealt[shard.k - 1]
            logs = _checked(*run_eval_set(mine, replace(options, log_dir=where))) if mine else []
        except EmpathyBenchError as err:
            write_marker(shard, options.log_dir, plan, tasks=tasks, finished=False, logs=[], error=str(err))
            raise
        names = [log.location.removeprefix("file://").rstrip("/").rsplit("/", 1)[-1] for log in logs]
        write_marker(shard, options.log_dir, plan, tasks=tasks, finished=True, logs=names, error=None)
    return logs


def launch(options: RunOptions, n: int) -> None:
    """Shards 1..n side by side, each in a spawned process (a fresh interpreter running
    `run_shard`, as `empathy-bench run --shard K/N` would), and wait for all of them. Live
    displays redraw the whole terminal: shards side by side print plain lines. A shard that fails
    says why in its marker; the caller reads every marker."""
    child = replace(options, display=WORKER_DISPLAY.get(options.display, options.display))
    processes = [_spawn(child, Shard(k, n)) for k in range(1, n + 1)]
    for process in processes:
        process.join()
        if process.exitcode not in (0, EXIT_FAILED):
            log.warning("a shard process exited with code %s", process.exitcode)


EXIT_FAILED = 2  # a shard that stopped with a known cause (in its marker)


def _spawn(options: RunOptions, shard: Shard) -> multiprocessing.process.BaseProcess:
    process = multiprocessing.get_context("spawn").Process(target=_shard_main, args=(options, shard))
    process.start()
    return process


def _shard_main(options: RunOptions, shard: Shard) -> None:
    try:
        run_shard(options, shard)
    except EmpathyBenchError:
        sys.exit(EXIT_FAILED)  # the cause is in the shard's marker; the parent reports it


def _checked(success: bool, logs: list[EvalLog]) -> list[EvalLog]:
    """The logs of an eval_set that finished; otherwise stop with each failure's cause."""
    if not success:
        # a wrong URL or model name (a 404): one line per judge, what to check, nothing to resume
        fixes = [_not_resumable(log) for log in logs if log.status != "success"]
        if all(fixes):
            raise EmpathyBenchError("\n".join(dict.fromkeys(str(fix) for fix in fixes)))
        failed = [f"{log.eval.task} / {log.eval.model}: {_cause(log)}" for log in logs if log.status != "success"]
        raise EmpathyBenchError(
            "some runs did not finish; re-run the same command to resume them:\n  " + "\n  ".join(failed)
        )
    return logs


# Failures that re-running the same command cannot mend, by the type of the exception that ended
# the task (the last line of the traceback its log keeps).
NOT_RESUMABLE = (ProviderNotFound,)


def _not_resumable(log: EvalLog) -> str | None:
    """The message of a failure that re-running cannot mend, else None."""
    lines = [line for line in (log.error.traceback if log.error else "").splitlines() if line.strip()]
    for kind in NOT_RESUMABLE:
        name = f"{kind.__module__}.{kind.__qualname__}: "
        if lines and lines[-1].startswith(name):
            return lines[-1].removeprefix(name)
    return None


def _cause(log: EvalLog) -> str:
    """One line: the provider's own message. A retried error arrives wrapped
    (RetryError(<Future ...>)); its cause is the last exception line of the traceback."""
    if log.error is None:
        return log.status
    if "RetryError" not in log.error.message:
        return log.error.message.splitlines()[0][:500] if log.error.message else log.status
    lines = [line.strip() for line in (log.error.traceback or "").splitlines()]
    errors = [line for line in lines if EXCEPTION_LINE.match(line) and "RetryError" not in line]
    return (errors[-1] if errors else log.error.message)[:500]


def run_eval_set(tasks: list[Task], options: RunOptions, **overrides: object) -> tuple[bool, list[EvalLog]]:
    """inspect's eval_set with the harness's settings (shared with the benchmarks), in
    `options.log_dir` as given: a shard's own dir (run_shard), never a root that holds shards."""
    return eval_set(tasks, **(eval_set_settings(options) | overrides))  # type: ignore[arg-type]


# Live displays redraw the whole terminal: shards running side by side print plain lines.
WORKER_DISPLAY = {"full": "plain", "rich": "plain", "conversation": "plain"}


def eval_set_settings(options: RunOptions) -> dict[str, object]:
    settings: dict[str, object] = {
        "log_dir": options.log_dir,
        "limit": options.limit,
        "max_connections": options.max_connections,
        "max_retries": options.max_retries,
        "display": options.display,
        "log_dir_allow_dirty": True,  # one log dir collects runs of many judges over time
        # A failed task is not restarted: each call already retried what is worth retrying, and
        # a restart would multiply the requests (one prompt sent 4 x (max retries + 1) times).
        # Re-running the same command resumes it.
        "retry_attempts": 0,
        # without task retries, inspect's default immediate retry has nothing to do and says so on
        # every run; the batch mode with no retries runs each task once, the same
        "retry_immediate": False,
        "retry_wait": 1,
        # the live sample buffer (for watching a run in inspect view) costs ~30% per sample
        "log_realtime": False,
        # one task at a time, so each log's wall time is its own (seconds per 1,000 items);
        # the samples of a task still run --max-connections at a time
        "max_tasks": 1,
        # the running metrics are computed for the progress display alone
        "score_display": options.display not in ("none", "log"),
    }
    return settings
