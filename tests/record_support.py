"""Reading and editing a record file's statistics (agreement/statistics.py) in a test."""

from __future__ import annotations

from typing import Any


def _find(data: dict[str, Any], metric: str, criterion: str | None) -> dict[str, Any]:
    found = [s for s in data["agreement"]["stats"] if s["metric"] == metric and s.get("criterion") == criterion]
    found = [s for s in found if not s.get("condition") and not s.get("versus")]
    assert len(found) == 1, f"{metric} on {criterion}: {len(found)} figures"
    return found[0]


def set_figures(data: dict[str, Any], criterion: str | None = None, **values: object) -> dict[str, Any]:
    """A record's JSON with the plain figures of these metrics (on `criterion`) replaced."""
    for metric, value in values.items():
        _find(data, metric, criterion)["value"] = value
    return data


def stored_figure(data: dict[str, Any], metric: str, criterion: str | None = None) -> object:
    """The plain figure of `metric` (on `criterion`) in a record's JSON."""
    return _find(data, metric, criterion)["value"]
