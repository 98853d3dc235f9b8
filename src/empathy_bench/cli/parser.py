"""The command line's parser: every command, its options and the handler that runs it."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from empathy_bench.agreement.stats import N_RESAMPLES

if TYPE_CHECKING:  # the commands import their stages when they run
    pass
from empathy_bench.cli.board_commands import export_command, leaderboard_command, verify_command
from empathy_bench.cli.labels_commands import agreement_command, validate_command
from empathy_bench.cli.run_commands import collect_command, run_command


def count_at_least(minimum: int) -> Callable[[str], int]:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="empathy-bench", description="Command line: `empathy-bench <command>`.")
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
    agreement.add_argument(
        "--resamples", type=count_at_least(1), default=N_RESAMPLES, help="bootstrap resamples for the CIs"
    )
    agreement.add_argument("--seed", type=int, default=0)
    agreement.set_defaults(handler=agreement_command)

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
    run.add_argument("--limit", type=count_at_least(1), help="only the first N samples of each task")
    run.add_argument(
        "--epochs",
        type=count_at_least(1),
        default=1,
        help=(
            "judge (or coach) each sample K times; K >= 2 adds test-retest to the bias table and the spread of "
            "each headline over the epochs to the main tables (the median is the rating, a coach's first feedback "
            "is scored)"
        ),
    )
    run.add_argument("--max-connections", type=count_at_least(1), help="concurrent provider calls per model")
    run.add_argument(
        "--max-retries",
        type=count_at_least(0),
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
    run.add_argument("--resamples", type=count_at_least(1), default=N_RESAMPLES, help="bootstrap resamples for the CIs")
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
    run.set_defaults(handler=run_command)

    collect = commands.add_parser(
        "collect",
        help="measure the logs of every shard of a run (run --shard K/N) together and write the records",
    )
    collect.add_argument("root", metavar="LOG_DIR", help="the --log-dir the shards ran with (a folder or s3://...)")
    collect.add_argument(
        "--shards",
        type=count_at_least(1),
        help="N, where LOG_DIR holds shards of several counts (shard-K-of-N folders)",
    )
    collect.add_argument(
        "--resamples", type=count_at_least(1), default=N_RESAMPLES, help="bootstrap resamples for the CIs"
    )
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
    collect.set_defaults(handler=collect_command)

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
    board.add_argument(
        "--verified-only",
        action="store_true",
        help="leave out rows reported without logs (submissions `empathy-bench verify` has not passed)",
    )
    board.set_defaults(handler=leaderboard_command)

    export = commands.add_parser(
        "export", help="write a submission bundle: a candidate's records on a task, their logs and a manifest"
    )
    export.add_argument("--task", help="task id (tasks/<id>.yaml)")
    export.add_argument("--judge", help="judge id (evals/judges/<id>.yaml) or judge file")
    export.add_argument("--coach", help="coach id (evals/coaches/<id>.yaml) or coach file")
    export.add_argument("--log-dir", type=Path, default=Path("logs"), help="the run's --log-dir (default: logs)")
    export.add_argument(
        "--results-dir", type=Path, help="the run's --results-dir (default: results/runs of the project)"
    )
    export.add_argument(
        "--all",
        action="store_true",
        help="every candidate x task of --results-dir with logs under --log-dir, a bundle each under --output",
    )
    export.add_argument(
        "--output", type=Path, required=True, help="the bundle folder to write, with --all the folder of bundles (new)"
    )
    export.add_argument("--tar", action="store_true", help="write OUTPUT.tar.gz instead of a folder")
    export.add_argument(
        "--resamples", type=count_at_least(1), default=N_RESAMPLES, help="the bootstrap resamples the run used"
    )
    export.add_argument("--no-recorded", action="store_true", help="the run left out the recorded judges")
    export.set_defaults(handler=export_command)

    verify = commands.add_parser(
        "verify", help="recompute every figure of a submission bundle from its logs and check its hashes"
    )
    verify.add_argument(
        "bundle", type=Path, metavar="BUNDLE", help="a bundle folder or .tar.gz (export writes it), or a folder of them"
    )
    verify.add_argument(
        "--no-stamp", action="store_true", help="write no verification.json in a bundle folder that verifies"
    )
    verify.set_defaults(handler=verify_command)

    validate = commands.add_parser("validate", help="check every rubric, source card, task and candidate file")
    validate.add_argument("--data", action="store_true", help="also fetch and verify every label source's data")
    validate.set_defaults(handler=validate_command)
    return parser
