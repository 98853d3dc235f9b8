"""`leaderboard` (the board and the drill-down), `export` and `verify` (submission bundles)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir
from empathy_bench.core.secrets import mask

if TYPE_CHECKING:  # the commands import their stages when they run
    pass


def leaderboard_command(args: argparse.Namespace) -> int:
    from empathy_bench.core.lock import folder_lock
    from empathy_bench.leaderboard.board import DRILLDOWN, build
    from empathy_bench.leaderboard.markdown import provenance_summary
    from empathy_bench.leaderboard.publish import write

    results = args.results_dir or project_dir() / "results"
    if args.bundle:
        check_log_dir(args.bundle)  # before anything is written
    with folder_lock(results, "--results-dir"):
        board = build(results, args.verified_only)
        written = write(results, board)
    for path in written:
        print(f"wrote {path}")
    print(provenance_summary(board))
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


def check_log_dir(log_dir: Path) -> None:
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


def export_command(args: argparse.Namespace) -> int:
    from empathy_bench.pipeline.bundle import export, export_all
    from empathy_bench.pipeline.bundle.report import export_report

    results_dir = args.results_dir or project_dir() / "results" / "runs"
    measured = {"n_resamples": args.resamples, "recorded": not args.no_recorded, "tar": args.tar}
    if args.all and not (args.task or args.judge or args.coach):
        text, status = export_report(export_all(args.log_dir, results_dir, args.output, **measured), args.output)
        print(mask(text))
        return status
    if args.all or not args.task or bool(args.judge) == bool(args.coach):
        fix = "give --task ID with --judge ID or --coach ID, or --all alone"
        raise InputError("export", "needs one run or --all", fix)
    written = export(args.task, args.judge or args.coach, args.log_dir, results_dir, args.output, **measured)
    print(f"bundle written: {written} (check it with `empathy-bench verify {written}`)")
    return 0


def verify_command(args: argparse.Namespace) -> int:
    from empathy_bench.pipeline.bundle.report import verify_report

    text, status = verify_report(args.bundle, stamping=not args.no_stamp)
    print(mask(text))
    return status
