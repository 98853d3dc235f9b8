"""Stage 6, leaderboard: run records and each task's paired comparisons, the one column
definition, and every rendering of the board (CSV, JSON, Markdown, the terminal report and the self-contained page)."""

from empathy_bench.leaderboard.board import build
from empathy_bench.leaderboard.columns import OVERALL_COLUMNS, Column
from empathy_bench.leaderboard.comparisons import read_comparisons, write_comparisons
from empathy_bench.leaderboard.page import render_page
from empathy_bench.leaderboard.publish import write
from empathy_bench.leaderboard.record import RunRecord, read_records, record, write_records

__all__ = [
    "OVERALL_COLUMNS",
    "Column",
    "RunRecord",
    "build",
    "read_comparisons",
    "read_records",
    "record",
    "render_page",
    "write",
    "write_comparisons",
    "write_records",
]
