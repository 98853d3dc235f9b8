"""`agreement` (a label source's reliability table) and `validate` (every project file checked)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # the commands import their stages when they run
    pass


def agreement_command(args: argparse.Namespace) -> int:
    from empathy_bench.agreement.reliability import reliability_table
    from empathy_bench.sources.labels import load_source

    labels = load_source(args.source, args.framework)
    for line in labels.report:
        print(f"note: {line}", file=sys.stderr)
    result = reliability_table(labels, args.categories, args.resamples, args.seed)
    tables = {"pairs": result.pairs, "alpha": result.alpha, "ceiling": result.ceiling, "medians": result.medians}
    text = render_tables(tables, args.format)
    print(text)
    if args.output:
        write_output(text, args.output)
    return 0


def render_tables(tables: dict[str, pd.DataFrame], fmt: str) -> str:
    if fmt == "csv":  # one long CSV: the `table` column says which table a row belongs to
        from empathy_bench.leaderboard.publish import csv_cell

        combined = pd.concat([df.assign(table=name) for name, df in tables.items()], ignore_index=True)
        combined = combined[["table", *combined.columns.drop("table")]]
        counts = [c for c in combined.columns if c == "n" or c.startswith("n_")]
        combined[counts] = combined[counts].astype("Int64")  # counts stay whole numbers beside the gaps
        # rater and dimension names come from label files, own ones included: a name a
        # spreadsheet would evaluate stays text, as on the board's CSVs
        texts = [column for column in combined.columns if not pd.api.types.is_numeric_dtype(combined[column])]
        combined[texts] = combined[texts].map(csv_cell)
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


def write_output(text: str, output: Path) -> None:
    """--output: written atomically, never through a link (core/files.py)."""
    from empathy_bench.core.files import make_folder, write_text_atomic

    make_folder(output.parent)
    write_text_atomic(output, text + "\n")


def validate_command(args: argparse.Namespace) -> int:
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
