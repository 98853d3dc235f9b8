"""The rows of a user's label file, CSV or JSONL, as (where, row) pairs: the file read as UTF-8,
its shape checked (every CSV row as long as the header, every JSON line an object) and its
columns checked before any row is validated (sources/user_checks.py)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd

from empathy_bench.core.errors import InputError


def read_rows(path: Path, required: list[str], optional: list[str]) -> list[tuple[str, dict[str, object]]]:
    """The (where, row) pairs of a CSV or JSONL file; empty `optional` cells are left out."""
    if not path.is_file():
        raise InputError(path, "file not found", "check the path")
    if path.stat().st_size == 0:
        raise InputError(path, "empty file", "the file needs a header and at least one row")
    if path.suffix == ".jsonl":
        rows = _jsonl_rows(path)
        columns = sorted({k for _, row in rows for k in row})
    elif path.suffix == ".csv":
        frame = _read_csv(path)
        columns = list(frame.columns)
        rows = [
            (f"data row {i + 1}", clean_row(row, optional)) for i, row in enumerate(frame.to_dict(orient="records"))
        ]
    else:
        raise InputError(path, f"unsupported file type '{path.suffix}'", "use .csv or .jsonl")
    if not rows:
        raise InputError(path, "no rows (the file is empty apart from its header)", "add at least one row")
    require_columns(columns, required, path)
    return rows


def _text(path: Path) -> str:
    """The file as UTF-8 text (a byte-order mark allowed), or an error that says how to save it."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text (byte {err.start}: {err.reason})", "save the file as UTF-8") from None


def _read_csv(path: Path) -> pd.DataFrame:
    text = _text(path)
    _check_shape(path, text)
    # Every cell as text (ids such as 007 or 1 stay text; the row model converts a value to a
    # number); an empty `value` is NaN, so it is named as empty rather than as unparseable text.
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values={"value": [""]})


def _check_shape(path: Path, text: str) -> None:
    """Every row has as many fields as the header and every quote is closed: pandas would
    otherwise shift a ragged row's values into other columns or drop them with a warning."""
    fix = "give every row as many fields as the header and close every quote"
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader, [])
        for row in reader:
            if row and len(row) != len(header):
                raise InputError(
                    path, f"{len(row)} fields where the header has {len(header)}", fix, f"line {reader.line_num}"
                )
    except csv.Error as err:
        raise InputError(path, f"not a well-formed CSV ({err})", fix, f"line {reader.line_num}") from None


def _jsonl_rows(path: Path) -> list[tuple[str, dict[str, object]]]:
    rows = []
    for number, line in enumerate(_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(
                path, f"not valid JSON ({err.msg})", "write one JSON object per line", f"line {number}"
            ) from None
        if not isinstance(row, dict):
            raise InputError(path, "expected a JSON object", "write one JSON object per line", f"line {number}")
        rows.append((f"line {number}", row))
    return rows


def require_columns(columns: list[str], required: list[str], source: str | Path) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError(
            source, f"missing column(s) {', '.join(missing)}", f"the canonical columns are {', '.join(required)}"
        )


def clean_row(row: dict[str, object], optional: list[str]) -> dict[str, object]:
    """Drop empty optional cells so the model's defaults apply; keep NaN values visible."""
    return {k: v for k, v in row.items() if not (k in optional and (v is None or v == "" or v != v))}
