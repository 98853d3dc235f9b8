"""`verify`'s check of a bundle's records: the bundled logs measured again by the pipeline's own
`measure` (pipeline/job.py, what `run` and `collect` do) with the manifest's resamples, and every
record's figures, rounded as records are, against the recomputed row's, and what it says of its
task (the board shows a record's task facts: title, dimensions, human rows, whether the candidate
was fitted on the items) against what this project's task files give; every row the logs give a
candidate must have its record (a bundle cannot leave out part of the run it holds)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from inspect_ai.log import read_eval_log

from empathy_bench.leaderboard.record import RECORD_DECIMALS, RunRecord, identity
from empathy_bench.pipeline.bundle.manifest import Difference, Manifest
from empathy_bench.pipeline.job import measure

Records = list[tuple[Path, RunRecord]]


def check_records(
    records: Records,
    records_dir: Path,
    manifest: Manifest,
    logs: dict[str, tuple[Path, str]],
    tasks: list[str],
    diffs: list[Difference],
) -> None:
    """`logs`: bundle path -> (file, sha256); `tasks`: the task ids measured (the bundle's and
    those its records are on)."""
    headers = [read_eval_log(str(path), header_only=True) for path, _ in logs.values()]
    result = measure(headers, manifest.n_resamples, manifest.recorded, None, tasks=tasks)
    recomputed = {identity(rec): (row, rec) for row, rec in zip(result.rows, result.records, strict=True)}
    by_log = {Path(rel).name: digest for rel, (_, digest) in logs.items()}
    for path, rec in records:
        name = f"record {path.relative_to(records_dir).as_posix()}"
        if rec.log is not None and by_log.get(rec.log.name) != rec.log.sha256:
            diffs.append(Difference(f"{name} log sha256", rec.log.sha256, str(by_log.get(rec.log.name, "no such log"))))
        again = recomputed.get(identity(rec))
        if again is None:
            diffs.append(Difference(name, "a row the logs and labels give", "a record nothing recomputes"))
            continue
        first = _first_difference(_rounded(_figures(rec)), _rounded(_figures(again[1])))
        if first is not None:
            where, mine, theirs = first
            diffs.append(Difference(f"{name} figure {where}", theirs, mine))
        if said := _first_difference(_facts(rec), _facts(again[1])):
            where, mine, theirs = said
            diffs.append(Difference(f"{name} {where}", theirs, mine))
    held = {identity(rec) for _, rec in records}
    for key, (row, rec) in sorted(recomputed.items()):
        # a candidate's row made of a bundled log (its own, or a row from its ratings)
        if key not in held and row.log is not None and row.complete and rec.agreement.rater_type in ("run", "baseline"):
            log = f" ({rec.log.name})" if rec.log else ""
            diffs.append(
                Difference(f"record of {rec.agreement.rater} on {rec.agreement.task}{log}", "in the bundle", "missing")
            )


def _figures(rec: RunRecord) -> object:
    """A record's figures, each statistic under its name (a difference names the figure, not its
    place in the list)."""
    data = json.loads(rec.agreement.model_dump_json())
    data["stats"] = {
        s.name: json.loads(s.model_dump_json(include={"value", "low", "high", "n"})) for s in rec.agreement.stats
    }
    return data


def _facts(rec: RunRecord) -> dict[str, object]:
    """What the board shows of a record beside its figures."""
    return {"task": rec.task.model_dump(mode="json"), "fitted_on_items": rec.candidate.get("fitted_on_items")}


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return value if math.isnan(value) else round(value, RECORD_DECIMALS)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _first_difference(a: object, b: object, where: str = "") -> tuple[str, str, str] | None:
    """The first place where the recorded value `a` and the recomputed `b` differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            found = _first_difference(a.get(key), b.get(key), f"{where}.{key}" if where else str(key))
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if found := _first_difference(x, y, f"{where}[{i}]"):
                return found
        return None
    return None if a == b else (where or "value", json.dumps(a)[:80], json.dumps(b)[:80])
