"""Command line: `empathy-bench <command>`. The parser (cli/parser.py) names each command's
handler; the handlers live by what they work on (labels, runs, the board and bundles) and import
their stages only when they run, so `empathy-bench --help` stays quick."""

from __future__ import annotations

import sys

from empathy_bench.cli.parser import build_parser
from empathy_bench.core.errors import EmpathyBenchError
from empathy_bench.core.secrets import mask

__all__ = ["build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except EmpathyBenchError as err:
        print(f"error: {mask(str(err))}", file=sys.stderr)
        return 2
