"""`run` (all of it, or one shard) and `collect` (rows from every shard's logs), and what they print."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir

if TYPE_CHECKING:  # the commands import their stages when they run
    from empathy_bench.pipeline import RunResult
    from empathy_bench.runs.execute import RunOptions
    from empathy_bench.runs.shard import Shard


def run_command(args: argparse.Namespace) -> int:
    from empathy_bench.pipeline import run
    from empathy_bench.runs.execute import RunOptions
    from empathy_bench.runs.shard import Shard, is_url

    shard = Shard.parse(args.shard) if args.shard else None
    options = RunOptions(
        judges=args.judge,
        coaches=args.coach,
        grader=args.grader,
        tasks=args.task,
        probes=[] if args.no_probes else probe_names(args.probe),
        limit=args.limit,
        epochs=args.epochs,
        max_connections=args.max_connections,
        max_retries=args.max_retries,
        log_dir=args.log_dir,
        display=args.display,
        shards=shard.n if shard else None,
    )
    if not is_url(args.log_dir):
        check_writable_dir(Path(args.log_dir), "--log-dir")
    if shard and shard.n > 1:
        return run_shard(options, shard)
    results_dir = None if args.no_results else (args.results_dir or project_dir() / "results" / "runs")
    if results_dir:
        check_writable_dir(results_dir, "--results-dir")
    result = run(options, n_resamples=args.resamples, recorded=not args.no_recorded, results_dir=results_dir)
    print_report(result, args, results_dir, args.log_dir)
    return 0


def run_shard(options: RunOptions, shard: Shard) -> int:
    """`run --shard K/N`, N > 1: this shard's runs only; the records come from `collect`."""
    from empathy_bench.runs.execute import run_shard

    start = time.perf_counter()
    logs = run_shard(options, shard)
    print(
        f"{shard}: {len(logs)} runs finished in {time.perf_counter() - start:.1f} s; logs in "
        f"{shard.dir(options.log_dir)}\nwhen all {shard.n} shards have finished, "
        f"`empathy-bench collect {options.log_dir}` measures the rows and writes the records"
    )
    return 0


def collect_command(args: argparse.Namespace) -> int:
    from empathy_bench.pipeline import collect

    results_dir = None if args.no_results else (args.results_dir or project_dir() / "results" / "runs")
    if results_dir:
        check_writable_dir(results_dir, "--results-dir")
    result = collect(
        args.root, args.shards, n_resamples=args.resamples, recorded=not args.no_recorded, results_dir=results_dir
    )
    print_report(result, args, results_dir, args.root)
    return 0


def print_report(result: RunResult, args: argparse.Namespace, results_dir: Path | None, log_dir: str) -> None:
    """What `run` and `collect` print: the tables, and where the logs and records are."""
    from empathy_bench.leaderboard.terminal import render

    for line in result.notes:
        print(f"note: {line}", file=sys.stderr)
    print(render(result.records, detail=args.detail, comparisons=result.comparisons))
    if result.recipient:
        from empathy_bench.leaderboard.recipient import recipient_lines

        print("\n" + "\n".join(recipient_lines(result.recipient)))
    print(
        f"\n{len(result.logs)} runs in {result.seconds:.1f} s; logs in {log_dir} (`inspect view --log-dir {log_dir}`)"
    )
    if result.paths:
        results = results_dir.parent if results_dir else project_dir() / "results"
        print(
            f"{len(result.paths)} run records written under {results_dir}; `empathy-bench leaderboard` regenerates "
            f"{results / 'leaderboard.md'} and the page {results / 'index.html'}"
        )
    if result.partial:
        print(
            f"{len(result.partial)} partial run(s) (fewer samples than the task has) recorded under "
            f"{result.partial[0].parents[1]}, not in {results_dir}: the leaderboard keeps the complete records"
        )
    if not args.detail:
        print("per-dimension agreement, unscored replies by reason and notes: add --detail")


def probe_names(given: list[str] | None) -> list[str] | None:
    """--probe values (each may list several, comma-separated), checked against the probe files."""
    if given is None:
        return None
    from empathy_bench.tasks.probe import load_probe

    names = [n.strip() for value in given for n in value.split(",") if n.strip()]
    # kept as given (an id or a path): the tasks load the same file this check read
    ids: dict[str, str] = {}
    for name in names:
        probe_id = load_probe(name).id
        if ids.setdefault(probe_id, name) != name:
            raise InputError(
                name,
                f"probe id '{probe_id}' is also the id of --probe {ids[probe_id]}",
                "give each probe file its own id (two probes with one id would share a task name)",
            )
    return list(ids.values())


def check_writable_dir(path: Path, option: str) -> None:
    """Before any model call: the folder exists or can be made, and a file can be written in it."""
    if path.exists() and not path.is_dir():
        raise InputError(
            path, f"{option} names a file, not a folder", f"give {option} a folder (it is made if missing)"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".empathy-bench-write-check"
        probe.write_text("")
        probe.unlink()
    except OSError as err:
        raise InputError(
            path, f"{option} cannot be written ({err.strerror})", f"choose a folder you can write to with {option}"
        ) from None
