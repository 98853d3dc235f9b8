"""Where shards keep their logs, and reading every shard's logs back.

A run's log dir (`--log-dir`, a local folder or an fsspec URL such as `s3://bucket/prefix`) is the
**root**; shard K of N runs its own inspect `eval_set` in `<root>/shard-K-of-N/`, so no two eval
sets ever share a log dir (inspect does not promise that two may). Nothing runs an eval set in the
root itself: it would list the shards' logs as its own (inspect lists a log dir recursively).

Each shard keeps a marker, `shard.json`, beside its logs: which shard of how many it is, a digest
of the whole plan (every shard's share: shards run with other arguments or another project
revision deal other shares, and are refused together), whether it finished, the file names of its
finished logs, or why it stopped. The marker says `finished: false` from the moment the shard
starts, so a shard that was killed is never read as done; re-running it resumes (eval_set's own
resume: finished samples are not asked again). Collecting reads the markers of shards 1..N and
the logs they name, nothing else: a killed attempt's log left beside the finished one, or the logs
of an earlier plan, are never counted.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fsspec
from inspect_ai.log import EvalLog, read_eval_log

from empathy_bench.core.errors import EmpathyBenchError, InputError
from empathy_bench.core.files import make_folder, write_text_atomic
from empathy_bench.core.secrets import mask

MARKER = "shard.json"
SHARD_DIR = re.compile(r"^shard-(\d+)-of-(\d+)$")


@dataclass(frozen=True)
class Shard:
    """Shard `k` (from 1) of `n`."""

    k: int
    n: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """`K/N`, 1 <= K <= N; refused with the fix otherwise (a 0-based index is the usual slip)."""
        found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        fix = (
            "give --shard K/N with 1 <= K <= N (shards are numbered from 1: with a 0-based index such as "
            "Kubernetes' JOB_COMPLETION_INDEX or a Slurm array from 0, give $((INDEX + 1))/N)"
        )
        if not found:
            raise InputError("--shard", f"'{text}' is not K/N", fix)
        k, n = int(found[1]), int(found[2])
        if n < 1 or not 1 <= k <= n:
            raise InputError("--shard", f"'{text}' names no shard", fix)
        return cls(k, n)

    def name(self) -> str:
        return f"shard-{self.k}-of-{self.n}"

    def dir(self, root: str) -> str:
        """This shard's log dir under `root` (a local folder, made absolute, or a URL)."""
        return join(root, self.name())

    def __str__(self) -> str:
        return f"shard {self.k} of {self.n}"


def is_url(where: str) -> bool:
    return "://" in where


def join(root: str, name: str) -> str:
    """`root/name`, for a local folder (made absolute: a log's location must not depend on the
    working folder) or a URL."""
    if is_url(root):
        return f"{root.rstrip('/')}/{name}"
    return str(Path(root).absolute() / name)


def write_marker(
    shard: Shard, root: str, plan: str, *, tasks: list[str], finished: bool, logs: list[str], error: str | None
) -> None:
    """The shard's marker, whole (an object store's put replaces it at once; a local file is
    replaced atomically). `tasks` is the run's --task selection ([]: every task). The error is
    masked: it may quote a provider's reply."""
    data: dict[str, Any] = {
        "shard": shard.k,
        "of": shard.n,
        "plan": plan,
        "tasks": tasks,
        "finished": finished,
        "logs": logs,
        "error": mask(error) if error else None,
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    text = json.dumps(data, indent=1) + "\n"
    where = shard.dir(root)
    if is_url(where):
        with fsspec.open(join(where, MARKER), "w") as fh:
            fh.write(text)
    else:
        make_folder(Path(where))
        write_text_atomic(Path(where) / MARKER, text)


def read_marker(shard: Shard, root: str) -> dict[str, Any] | None:
    """The shard's marker, or None where the shard never started."""
    path = join(shard.dir(root), MARKER)
    try:
        with fsspec.open(path, "r") as fh:
            data = json.loads(fh.read())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        raise InputError(path, f"cannot be read as a shard marker ({err})", "re-run that shard: it resumes") from None
    if not isinstance(data, dict) or (data.get("shard"), data.get("of")) != (shard.k, shard.n):
        raise InputError(path, "is not this shard's marker", f"re-run {shard}: it rewrites its marker")
    return data


def shard_counts(root: str) -> list[int]:
    """The shard counts N that have shard folders under `root` (`shard-K-of-N`), sorted."""
    fs, path = fsspec.core.url_to_fs(root)
    try:
        names = [str(entry).rstrip("/").rsplit("/", 1)[-1] for entry in fs.ls(path, detail=False)]
    except FileNotFoundError:
        return []
    return sorted({int(m[2]) for m in map(SHARD_DIR.match, names) if m})


@dataclass
class Collected:
    """What every shard of a run finished: the logs' headers (no samples), in shard order, and the
    run's --task selection ([]: every task)."""

    logs: list[EvalLog]
    tasks: list[str]


def shard_logs(root: str, n: int, resume: str) -> Collected:
    """The finished logs of shards 1..n under `root`. Every shard must have finished the same
    plan; otherwise this stops with each unfinished shard, why it stopped, and `resume` (how to
    resume it)."""
    markers = {k: read_marker(Shard(k, n), root) for k in range(1, n + 1)}
    problems: dict[str, list[int]] = {}  # why -> the shards it stopped (shards often stop alike)
    for k, marker in markers.items():
        if marker is None:
            why = f"has not run (no {MARKER} in its folder)"
        elif not marker.get("finished"):
            why = f"did not finish: {marker.get('error') or 'it stopped first (killed, or still running)'}"
        else:
            continue
        problems.setdefault(why, []).append(k)
    if problems:
        lines = [f"shard {', '.join(map(str, ks))} of {n} {why}" for why, ks in problems.items()]
        raise EmpathyBenchError("\n".join(lines) + f"\n{resume}")
    markers_found = {k: marker for k, marker in markers.items() if marker}  # every one, by now
    plans = {str(marker["plan"]) for marker in markers_found.values()}
    if len(plans) > 1:
        raise EmpathyBenchError(
            f"the {n} shards under {root} ran different plans (other arguments, files or project revisions); "
            f"re-run every shard with the same arguments and files, then collect again"
        )
    logs = [
        _header(Shard(k, n), root, name, resume)
        for k, marker in markers_found.items()
        for name in marker.get("logs") or []
    ]
    return Collected(logs, [str(t) for t in markers_found[1].get("tasks") or []])


def _header(shard: Shard, root: str, name: str, resume: str) -> EvalLog:
    location = join(shard.dir(root), name)
    try:
        return read_eval_log(location, header_only=True)
    except FileNotFoundError:
        raise EmpathyBenchError(f"{shard} names a log that is not there: {location}\n{resume}") from None
