"""Compare two results folders figure by figure: every number in every run record's `agreement`,
every paired comparison (`_comparisons.json`) and every recipient table (`recipient/<task>.json`).

    uv run --frozen python scripts/compare_records.py OLD_RESULTS NEW_RESULTS

A record is matched by what it is a row of (task, rater, rater type, probe or criterion), not by its
file name; inside it, a figure by its path, a statistic by its key
(`agreement.stats[criterion=empathy, metric=qwk].value`).
Provenance that changes with every run (the run summary, the log, packages, git revision, the
command) is not a figure and is left out, nor is a file's schema version; the rater type, `kind`
before record schema 8 (comparisons schema 2), is read as `rater_type` on either side. Prints the
counts and every difference; exit 1 if any figure differs or a row is on one side only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

COMPARISONS = "_comparisons.json"
# what names an element of a list of objects (a figure of a rater, a dimension, an expert): a
# list is matched element by element by these, so an element added in between shifts nothing
IDENTITY = ("task", "criterion", "rater", "other", "figure", "dimension", "annotator", "probe", "label", "bin", "run")
IDENTITY += ("metric", "condition", "versus")  # a statistic (agreement/statistics.py) by its key
# a key's name before the rename (record schema 8, comparisons schema 2): the rater type was `kind`,
# which no record, comparison or recipient table uses for anything else
RENAMED = {"kind": "rater_type"}


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """Every leaf of a JSON value under its path."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            key = RENAMED.get(key, key)
            out |= flatten(item, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out |= flatten(item, f"{path}[{element_name(item, i)}]")
        return out
    return {path: value}


def element_name(item: Any, index: int) -> str:
    """A list element's name: its identity fields where it has any, else its place."""
    named = [f"{k}={item[k]}" for k in IDENTITY if isinstance(item, dict) and item.get(k) is not None]
    return ", ".join(named) if named else str(index)


def row_key(record: dict[str, Any]) -> str:
    a = record["agreement"]
    which = a.get("probe_id") or a.get("probe") or a.get("criterion") or ""
    rater_type = a.get("rater_type", a.get("kind"))
    return f"{a['task']} / {a['rater']} ({rater_type}) {which}".strip()


def figures(results: Path) -> dict[str, dict[str, Any]]:
    """Row -> path -> value, for the records, the comparisons and the recipient tables."""
    rows: dict[str, dict[str, Any]] = {}
    for path in sorted((results / "runs").glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if path.name == COMPARISONS:
            data.pop("schema_version", None)  # what the file holds, not a figure
            rows[f"comparisons {path.parent.name}"] = flatten(data)
        else:
            rows[row_key(data)] = flatten(data["agreement"], "agreement")
    for path in sorted((results / "recipient").glob("*.json")):
        rows[f"recipient {path.stem}"] = flatten(json.loads(path.read_text(encoding="utf-8")))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    old, new = (figures(Path(a)) for a in argv)
    differences = [
        f"{row}: {path}: {old[row].get(path)!r} -> {new[row].get(path)!r}"
        for row in sorted(set(old) & set(new))
        for path in sorted(set(old[row]) | set(new[row]))
        if old[row].get(path) != new[row].get(path)
    ]
    only_old, only_new = sorted(set(old) - set(new)), sorted(set(new) - set(old))
    compared = sum(len(set(old[r]) | set(new[r])) for r in set(old) & set(new))
    print(f"rows: {len(old)} old, {len(new)} new, {len(set(old) & set(new))} in both")
    print(f"figures compared: {compared}; equal: {compared - len(differences)}; different: {len(differences)}")
    for label, rows in (("only in old", only_old), ("only in new", only_new)):
        print(f"{label}: {len(rows)}", *(f"  {r}" for r in rows), sep="\n")
    for line in differences:
        print(f"  {line}")
    return 1 if differences or only_old or only_new else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
