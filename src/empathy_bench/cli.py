"""Command line: `empathy-bench <command>`."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.core.errors import EmpathyBenchError, InputError
from empathy_bench.core.project import project_dir
from empathy_bench.core.secrets import mask

if TYPE_CHECKING:  # the commands import their stages when they run
    from empathy_bench.pipeline import RunResult
    from empathy_bench.runs.execute import RunOptions
    from empathy_bench.runs.shard import Shard


def _count(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= minimum, refused with the argument's fix otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is below {minimum}; give {minimum} or more")
        return value

    return parse


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except EmpathyBenchError as err:
        print(f"error: {mask(str(err))}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="empathy-bench", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    agreement = commands.add_parser("agreement", help="reliability table of a label source's raters")
    agreement.add_argument(
        "--source", default="kumar2025", help="label source id (human_labels/<id>.yaml) or card path"
    )
    agreement.add_argument("--framework", action="append", help="restrict to a framework (repeatable)")
    agreement.add_argument("--format", choices=["table", "csv", "json"], default="table")
    agreement.add_argument("--output", type=Path, help="also write the result here")
    agreement.add_argument(
        "--categories",
        choices=["rank", "value"],
        default="rank",
        help="kappa weights: 'rank' reproduces Kumar et al. (each distinct value its own category); "
        "'value' weighs by value distance (principled for non-integer aggregates)",
    )
    agreement.add_argument("--resamples", type=_count(1), default=N_RESAMPLES, help="bootstrap resamples for the CIs")
    agreement.add_argument("--seed", type=int, default=0)
    agreement.set_defaults(handler=_agreement)

    run = commands.add_parser(
        "run", help="run judges on tasks (inspect eval_set) and print their agreement with the humans"
    )
    run.add_argument(
        "--judge",
        action="append",
        default=[],
        help=(
            "judge id (evals/judges/<id>.yaml), file, or model string such as litellm/openai/gpt-4o "
            "(repeatable; default: every built-in offline judge)"
        ),
    )
    run.add_argument(
        "--coach",
        action="append",
        default=[],
        help=(
            "coach id (evals/coaches/<id>.yaml), file, or model string, run on the coach tasks "
            "(repeatable; default: every built-in offline coach)"
        ),
    )
    run.add_argument(
        "--grader",
        help="judge id (evals/judges/<id>.yaml) that re-rates coach rewrites (default: each coach task's grader)",
    )
    run.add_argument(
        "--task",
        action="append",
        default=[],
        help="task id (tasks/<id>.yaml) (repeatable; default: every task but those with default_run: false)",
    )
    run.add_argument(
        "--probe",
        action="append",
        default=None,
        help=(
            "bias probe (evals/probes/<id>.yaml: attribution, length) on every task of the run it applies to "
            "(repeatable; default: each probe on the tasks its file lists)"
        ),
    )
    run.add_argument("--no-probes", action="store_true", help="run no bias probe")
    run.add_argument("--limit", type=_count(1), help="only the first N samples of each task")
    run.add_argument(
        "--epochs",
        type=_count(1),
        default=1,
        help=(
            "judge (or coach) each sample K times; K >= 2 adds test-retest to the bias table and the spread of "
            "each headline over the epochs to the main tables (the median is the rating, a coach's first feedback "
            "is scored)"
        ),
    )
    run.add_argument("--max-connections", type=_count(1), help="concurrent provider calls per model")
    run.add_argument(
        "--max-retries",
        type=_count(0),
        default=5,
        help="retries of a transient provider error before the sample fails (default 5; re-run to resume)",
    )
    run.add_argument(
        "--log-dir",
        default="logs",
        help=(
            "log root, a folder or an fsspec URL (s3://bucket/prefix): shard K of N logs to <log-dir>/shard-K-of-N; "
            "re-running with the same root resumes (default: logs)"
        ),
    )
    run.add_argument(
        "--shard",
        metavar="K/N",
        help=(
            "run only shard K of N (K from 1) of this command's runs, into <log-dir>/shard-K-of-N, and record "
            "nothing: run every shard with the same arguments, then `empathy-bench collect LOG_DIR` "
            "(--shard 1/1 is the whole run in one process, recorded)"
        ),
    )
    run.add_argument(
        "--display",
        default="full",
        choices=["full", "conversation", "rich", "plain", "log", "none"],
        help="inspect progress display",
    )
    run.add_argument("--resamples", type=_count(1), default=N_RESAMPLES, help="bootstrap resamples for the CIs")
    run.add_argument("--no-recorded", action="store_true", help="leave out the label source's recorded judges")
    run.add_argument(
        "--results-dir",
        type=Path,
        help=(
            "where each run's summary record is written "
            "(default: results/runs of the project; then `empathy-bench leaderboard`)"
        ),
    )
    run.add_argument("--no-results", action="store_true", help="print only; write no run records")
    run.add_argument(
        "--detail", action="store_true", help="also print per-dimension agreement, unscored replies and notes"
    )
    run.set_defaults(handler=_run)

    collect = commands.add_parser(
        "collect",
        help="measure the logs of every shard of a run (run --shard K/N) together and write the records",
    )
    collect.add_argument("root", metavar="LOG_DIR", help="the --log-dir the shards ran with (a folder or s3://...)")
    collect.add_argument(
        "--shards", type=_count(1), help="N, where LOG_DIR holds shards of several counts (shard-K-of-N folders)"
    )
    collect.add_argument("--resamples", type=_count(1), default=N_RESAMPLES, help="bootstrap resamples for the CIs")
    collect.add_argument("--no-recorded", action="store_true", help="leave out the label source's recorded judges")
    collect.add_argument(
        "--results-dir",
        type=Path,
        help="where each run's summary record is written (default: results/runs of the project)",
    )
    collect.add_argument("--no-results", action="store_true", help="print only; write no run records")
    collect.add_argument(
        "--detail", action="store_true", help="also print per-dimension agreement, unscored replies and notes"
    )
    collect.set_defaults(handler=_collect)

    board = commands.add_parser(
        "leaderboard", help="regenerate results/leaderboard.{csv,json,md} and index.html from results/runs/"
    )
    board.add_argument("--results-dir", type=Path, help="folder with runs/ (default: results/ of the project)")
    board.add_argument(
        "--bundle",
        type=Path,
        metavar="LOG_DIR",
        help="also bundle the per-item drill-down from this inspect log dir (inspect view bundle)",
    )
    board.set_defaults(handler=_leaderboard)

    export = commands.add_parser(
        "export", help="write a submission bundle: a candidate's records on a task, their logs and a manifest"
    )
    export.add_argument("--task", required=True, help="task id (tasks/<id>.yaml)")
    export.add_argument("--judge", help="judge id (evals/judges/<id>.yaml) or judge file")
    export.add_argument("--coach", help="coach id (evals/coaches/<id>.yaml) or coach file")
    export.add_argument("--log-dir", type=Path, default=Path("logs"), help="the run's --log-dir (default: logs)")
    export.add_argument(
        "--results-dir", type=Path, help="the run's --results-dir (default: results/runs of the project)"
    )
    export.add_argument("--output", type=Path, required=True, help="the bundle folder to write (must not exist)")
    export.add_argument("--tar", action="store_true", help="write OUTPUT.tar.gz instead of a folder")
    export.add_argument("--resamples", type=_count(1), default=N_RESAMPLES, help="the bootstrap resamples the run used")
    export.add_argument("--no-recorded", action="store_true", help="the run left out the recorded judges")
    export.set_defaults(handler=_export)

    verify = commands.add_parser(
        "verify", help="recompute every figure of a submission bundle from its logs and check its hashes"
    )
    verify.add_argument("bundle", type=Path, metavar="BUNDLE", help="a bundle folder or .tar.gz (export writes it)")
    verify.set_defaults(handler=_verify)

    validate = commands.add_parser("validate", help="check every rubric, source card, task and candidate file")
    validate.add_argument("--data", action="store_true", help="also fetch and verify every label source's data")
    validate.set_defaults(handler=_validate)
    return parser


def _agreement(args: argparse.Namespace) -> int:
    from empathy_bench.agreement.reliability import reliability_table
    from empathy_bench.sources.labels import load_source

    labels = load_source(args.source, args.framework)
    for line in labels.report:
        print(f"note: {line}", file=sys.stderr)
    result = reliability_table(labels, args.categories, args.resamples, args.seed)
    tables = {"pairs": result.pairs, "alpha": result.alpha, "ceiling": result.ceiling, "medians": result.medians}
    text = _render(tables, args.format)
    print(text)
    if args.output:
        _write(text, args.output)
    return 0


def _render(tables: dict[str, pd.DataFrame], fmt: str) -> str:
    if fmt == "csv":  # one long CSV: the `table` column says which table a row belongs to
        combined = pd.concat([df.assign(table=name) for name, df in tables.items()], ignore_index=True)
        combined = combined[["table", *combined.columns.drop("table")]]
        counts = [c for c in combined.columns if c == "n" or c.startswith("n_")]
        combined[counts] = combined[counts].astype("Int64")  # counts stay whole numbers beside the gaps
        return combined.to_csv(index=False, float_format="%.4f", lineterminator="\n").rstrip("\n")
    if fmt == "json":
        return json.dumps(
            {name: json.loads(df.to_json(orient="records", double_precision=6)) for name, df in tables.items()},
            indent=1,
        )
    titles = {
        "pairs": "Pairwise agreement (quadratic-weighted kappa and Spearman, bootstrap 95% CIs over items)",
        "alpha": (
            "Krippendorff's alpha within each human group at both levels "
            "(bootstrap 95% CI; Kumar et al. published the interval level)"
        ),
        "ceiling": "Human ceiling: each expert against the median of the other experts",
        "medians": "Median over dimensions per comparison class",
    }
    return "\n\n".join(
        f"{titles[name]}\n{df.to_string(index=False, float_format=lambda v: f'{v:.2f}')}" for name, df in tables.items()
    )


def _write(text: str, output: Path) -> None:
    """--output: written atomically, never through a link (core/files.py)."""
    from empathy_bench.core.files import make_folder, write_text_atomic

    make_folder(output.parent)
    write_text_atomic(output, text + "\n")


def _run(args: argparse.Namespace) -> int:
    from empathy_bench.pipeline import run
    from empathy_bench.runs.execute import RunOptions
    from empathy_bench.runs.shard import Shard, is_url

    shard = Shard.parse(args.shard) if args.shard else None
    options = RunOptions(
        judges=args.judge,
        coaches=args.coach,
        grader=args.grader,
        tasks=args.task,
        probes=[] if args.no_probes else _probe_names(args.probe),
        limit=args.limit,
        epochs=args.epochs,
        max_connections=args.max_connections,
        max_retries=args.max_retries,
        log_dir=args.log_dir,
        display=args.display,
        shards=shard.n if shard else None,
    )
    if not is_url(args.log_dir):
        _check_writable_dir(Path(args.log_dir), "--log-dir")
    if shard and shard.n > 1:
        return _run_shard(options, shard)
    results_dir = None if args.no_results else (args.results_dir or project_dir() / "results" / "runs")
    if results_dir:
        _check_writable_dir(results_dir, "--results-dir")
    result = run(options, n_resamples=args.resamples, recorded=not args.no_recorded, results_dir=results_dir)
    _report(result, args, results_dir, args.log_dir)
    return 0


def _run_shard(options: RunOptions, shard: Shard) -> int:
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


def _collect(args: argparse.Namespace) -> int:
    from empathy_bench.pipeline import collect

    results_dir = None if args.no_results else (args.results_dir or project_dir() / "results" / "runs")
    if results_dir:
        _check_writable_dir(results_dir, "--results-dir")
    result = collect(
        args.root, args.shards, n_resamples=args.resamples, recorded=not args.no_recorded, results_dir=results_dir
    )
    _report(result, args, results_dir, args.root)
    return 0


def _report(result: RunResult, args: argparse.Namespace, results_dir: Path | None, log_dir: str) -> None:
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


def _probe_names(given: list[str] | None) -> list[str] | None:
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


def _check_writable_dir(path: Path, option: str) -> None:
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


def _leaderboard(args: argparse.Namespace) -> int:
    from empathy_bench.core.lock import folder_lock
    from empathy_bench.leaderboard.board import DRILLDOWN, write

    results = args.results_dir or project_dir() / "results"
    if args.bundle:
        _check_log_dir(args.bundle)  # before anything is written
    with folder_lock(results, "--results-dir"):
        written = write(results)
    for path in written:
        print(f"wrote {path}")
    if args.bundle:
        # The per-item drill-down: inspect's own viewer with the logs, as static files.
        target = results / Path(DRILLDOWN).parent
        bundled = subprocess.run(
            [
                sys.executable,
                "-m",
                "inspect_ai",
                "view",
                "bundle",
                "--log-dir",
                str(args.bundle),
                "--output-dir",
                str(target),
                "--overwrite",
            ],
            capture_output=True,
            text=True,
        )
        if bundled.returncode != 0:
            last = (bundled.stderr.strip().splitlines() or ["no output"])[-1]
            raise InputError(
                args.bundle,
                f"inspect could not bundle the logs ({mask(last)})",
                f"run `inspect view bundle --log-dir {args.bundle} --output-dir {target}` for its whole message",
            )
        print(
            f"wrote {target} (holds the logs' conversation text: "
            "do not publish third-party data it contains without its licence)"
        )
    return 0


def _check_log_dir(log_dir: Path) -> None:
    """--bundle names a folder of inspect logs, or nothing is bundled."""
    from inspect_ai.log import list_eval_logs

    if not log_dir.is_dir():
        raise InputError(log_dir, "--bundle names no folder", "give --bundle the --log-dir of a run (default: logs)")
    if not list_eval_logs(str(log_dir)):
        raise InputError(
            log_dir,
            "--bundle names a folder with no inspect logs",
            "give --bundle the --log-dir of a run (default: logs)",
        )


def _export(args: argparse.Namespace) -> int:
    from empathy_bench.pipeline.bundle import export

    if bool(args.judge) == bool(args.coach):
        raise InputError("export", "needs one candidate", "give --judge ID or --coach ID")
    results_dir = args.results_dir or project_dir() / "results" / "runs"
    written = export(
        args.task,
        args.judge or args.coach,
        args.log_dir,
        results_dir,
        args.output,
        n_resamples=args.resamples,
        recorded=not args.no_recorded,
        tar=args.tar,
    )
    print(f"bundle written: {written} (check it with `empathy-bench verify {written}`)")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from empathy_bench.pipeline.bundle import verify

    verdict = verify(args.bundle)
    print(mask(verdict.screen()))
    return 0 if verdict.ok else 1


def _validate(args: argparse.Namespace) -> int:
    from empathy_bench.catalog import validate

    results = validate(check_data=args.data)
    for path, error in results:
        print(
            f"{'ok   ' if error is None else 'FAIL '} "
            f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
        )
        if error:
            print(f"      {error}")
    failed = sum(error is not None for _, error in results)
    print(f"{len(results) - failed} ok, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
