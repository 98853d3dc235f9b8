"""The static leaderboard page, results/index.html: one self-contained file.

Its sources are real files, assets/page.html, page.css and page.js (package data); this module
inlines them with the leaderboard embedded as JSON in
``<script type="application/json" id="leaderboard-data">``: no network, no CDN, no other
file (a Content-Security-Policy meta tag forbids every fetch, so the page cannot quietly
grow one). The JS draws the tables and plots from the embedded data, so what the page shows
is exactly what results/leaderboard.json says.

``render_page`` is deterministic: the same leaderboard gives a byte-identical page (no
timestamps, no random ids), so regenerating the leaderboard from the same runs changes no file.
"""

from __future__ import annotations

import html
import json
import math
from importlib.resources import files
from typing import Any

from empathy_bench.core.errors import InputError
from empathy_bench.leaderboard.board import BOARD_SCHEMA_VERSION

DATA_ELEMENT_ID = "leaderboard-data"
DEFAULT_DRILLDOWN = "drilldown/index.html"


def asset(name: str) -> str:
    """One of the page's source files, shipped as package data (assets/page.html, .css, .js)."""
    return (files("empathy_bench.leaderboard") / "assets" / name).read_text(encoding="utf-8")


def render_page(leaderboard: dict) -> str:
    """The leaderboard page as one HTML string (write it to results/index.html)."""
    _check(leaderboard)
    drilldown = leaderboard.get("drilldown") or DEFAULT_DRILLDOWN
    page = asset("page.html")
    for token, value in (
        ("@@CSS@@", asset("page.css")),
        ("@@JS@@", asset("page.js")),
        ("@@SCHEMA@@", str(BOARD_SCHEMA_VERSION)),
        ("@@DATA_ID@@", DATA_ELEMENT_ID),
        ("@@DRILLDOWN@@", html.escape(drilldown, quote=True)),
        ("@@DRILLDOWN_TEXT@@", html.escape(drilldown)),
        ("@@DATA@@", embed_json(leaderboard)),  # last: the data may hold anything, tokens included
    ):
        page = page.replace(token, value)
    return page


def embed_json(value: Any) -> str:
    """JSON that is safe inside a <script> element: '<', '>' and '&' become \\u escapes, so no
    "</script>" or "<!--" in a rater name can end the element early; JSON.parse reads them back."""
    text = json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _check(leaderboard: dict) -> None:
    """Fail loudly on what would give a blank or lying page."""
    fix = "regenerate it with `empathy-bench leaderboard`"
    if not isinstance(leaderboard, dict):
        raise InputError("leaderboard", f"is a {type(leaderboard).__name__}, not a dict", fix)
    version = leaderboard.get("schema_version")
    if version != BOARD_SCHEMA_VERSION:
        raise InputError(
            "leaderboard", f"schema_version is {version!r}; this page renders version {BOARD_SCHEMA_VERSION}", fix
        )
    for key in (
        "overall",
        "per_dimension",
        "overall_score",
        "preference",
        "preference_by_gap",
        "coach",
        "coach_by_dimension",
        "bias",
        "bias_by_dimension",
        "length_by_dimension",
        "trivial_wins",
    ):
        rows = leaderboard.get(key, [])
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise InputError("leaderboard", f"'{key}' is not a list of rows", fix)
    _check_kind_tables(leaderboard.get("kind_tables", {}), fix)
    if not any(leaderboard.get(key) for key in ("overall", "preference", "coach", "kind_tables")):
        raise InputError(
            "leaderboard",
            "'overall', 'preference' and 'coach' have no rows",
            "run a judge first (`empathy-bench run`), then " + fix,
        )
    drilldown = leaderboard.get("drilldown") or DEFAULT_DRILLDOWN
    if not isinstance(drilldown, str) or "://" in drilldown or drilldown.startswith("//"):
        raise InputError(
            "leaderboard",
            f"drilldown {drilldown!r} is not a relative path",
            "give the path relative to results/, e.g. 'drilldown/index.html'",
        )
    where = _non_finite(leaderboard, "")
    if where:
        raise InputError(
            "leaderboard", f"{where} is NaN or infinite", "write missing numbers as null (None)", where=where
        )


def _check_kind_tables(tables: Any, fix: str) -> None:
    """The registered kinds' tables (leaderboard/stat_table.py) in the shape page.js draws."""
    if not isinstance(tables, dict):
        raise InputError("leaderboard", "'kind_tables' is not a dict of tables by kind", fix)
    for name, found in tables.items():
        if not _is_kind_table(found):
            where = f"kind_tables.{name}"
            raise InputError("leaderboard", f"'{where}' is not a table (title, columns, rows)", fix, where=where)


def _is_kind_table(found: Any) -> bool:
    """A title, columns each naming a metric and a label, rows each naming a task and a rater."""
    if not isinstance(found, dict) or not isinstance(found.get("title"), str):
        return False
    columns, rows = found.get("columns"), found.get("rows")
    if not isinstance(columns, list) or not isinstance(rows, list):
        return False
    named = all(
        isinstance(c, dict) and isinstance(c.get("metric"), str) and isinstance(c.get("label"), str) for c in columns
    )
    return named and all(
        isinstance(r, dict) and isinstance(r.get("task"), str) and isinstance(r.get("rater"), str) for r in rows
    )


def _non_finite(value: Any, path: str) -> str:
    """Path of the first NaN/inf in a nested structure ('' when none): JSON has no NaN, and
    JSON.parse would reject the whole page's data over one."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    if isinstance(value, dict):
        items = ((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return ""
    return next((found for sub, item in items if (found := _non_finite(item, sub))), "")
