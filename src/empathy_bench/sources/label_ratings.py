"""A label source's ratings: each rater file of the card (or each of a recorded judge's runs)
read into the canonical long rows, checked against the rubric's dimensions and scales, with the
card's duplicate policy applied and each run rater's own aggregate rows added."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from empathy_bench.core.errors import InputError
from empathy_bench.core.ids import check_id
from empathy_bench.sources.card import FrameworkSpec, RaterSpec, SourceCard, load_source_card
from empathy_bench.sources.datafile import local_path
from empathy_bench.sources.label_columns import OPTIONAL_RATING_COLUMNS, RATING_COLUMNS, RUN_SEPARATOR
from empathy_bench.sources.label_items import plain, read_keyed_csv
from empathy_bench.sources.rubric import Rubric


def rater_ratings(
    card: SourceCard, fw: FrameworkSpec, spec: RaterSpec, keys: pd.DataFrame, rubric: Rubric, report: list[str]
) -> pd.DataFrame:
    """A rater's rows: its file, or each of its runs as rater '<id>#<k>' with run_of '<id>'
    (the rater's own aggregate rows are added after deduplication)."""
    if spec.runs is None:
        return _file_ratings(card, fw, spec, str(spec.file), keys, rubric, report)
    runs = [
        _file_ratings(card, fw, spec, path, keys, rubric, report).assign(
            rater_id=f"{spec.id}{RUN_SEPARATOR}{k}", run_of=spec.id
        )
        for k, path in enumerate(spec.runs, start=1)
    ]
    return pd.concat(runs, ignore_index=True)


def _file_ratings(
    card: SourceCard,
    fw: FrameworkSpec,
    spec: RaterSpec,
    path: str,
    keys: pd.DataFrame,
    rubric: Rubric,
    report: list[str],
) -> pd.DataFrame:
    """The long rows of one rater file (`path`: the rater's file or one of its runs)."""
    key = spec.key or fw.key
    frame = read_keyed_csv(card, path, key)
    frame["_row"] = np.arange(1, len(frame) + 1)
    if spec.rater_column is not None and spec.rater_column in frame.columns:  # rater ids '<id>:<cell>'
        field, local = f"rater id (column {spec.rater_column})", local_path(card, path)
        for row, rater in zip(frame["_row"], frame[spec.rater_column], strict=True):
            check_id(f"{spec.id}:{rater}", source=local, field=field, where=f"data row {row}")
    frame = _attach_item_ids(frame, keys, key, card, path)
    long = _to_long(frame, spec, path, rubric, card)
    declined = long["value"].isin(spec.missing_values)
    if declined.any():
        report.append(
            f"{fw.id}: {path}: {int(declined.sum())} cells of rater '{spec.id}' hold {spec.missing_values} "
            "(no rating, e.g. 'does not apply') and are left out"
        )
        long.loc[declined, "value"] = np.nan
    missing = long["value"].isna()
    if (missing & ~declined).any():
        report.append(
            f"{fw.id}: {path}: {int((missing & ~declined).sum())} empty rating cells (no rating given) left out"
        )
    long = long[~missing]
    _check_scale(long, rubric, spec, path)
    long["framework"] = fw.id
    long["rater_group"] = spec.group
    long["aggregate"] = spec.aggregate or ""
    long["run_of"] = ""
    long["rater_id"] = (
        spec.id if spec.rater_column is None else spec.id + ":" + frame.loc[long.index, spec.rater_column].astype(str)
    )
    return long[RATING_COLUMNS + OPTIONAL_RATING_COLUMNS + ["_row"]].assign(_file=path)


def with_run_aggregates(ratings: pd.DataFrame, fw: FrameworkSpec, card: SourceCard, report: list[str]) -> pd.DataFrame:
    """Add each run rater's own rows (its runs_aggregate over the runs that rated each item and
    dimension), put just before its runs, so the ratings keep the card's rater order."""
    pieces = []
    for i, spec in enumerate(fw.raters):
        rows = ratings[ratings["_spec"] == i]
        if spec.runs is not None:
            own = (
                rows.groupby(["item_id", "dimension"], sort=False)["value"]
                .agg(spec.runs_aggregate)
                .reset_index()
                .assign(
                    framework=fw.id,
                    rater_id=spec.id,
                    rater_group=spec.group,
                    aggregate=spec.runs_aggregate,
                    evidence=None,
                    run_of="",
                )
            )
            pieces.append(own[RATING_COLUMNS + OPTIONAL_RATING_COLUMNS])
            if (note := _run_coverage(rows, spec)) is not None:
                report.append(f"{fw.id}: {note}")
            for a, b in identical_run_files(card, fw.id, spec.id):
                report.append(
                    f"{fw.id}: rater '{spec.id}': runs {a} and {b} are byte-identical files (same sha256), "
                    "not independent runs"
                )
        pieces.append(rows[RATING_COLUMNS + OPTIONAL_RATING_COLUMNS])
    if not pieces:
        return ratings[RATING_COLUMNS + OPTIONAL_RATING_COLUMNS].reset_index(drop=True)
    return pd.concat(pieces, ignore_index=True)


def _run_coverage(rows: pd.DataFrame, spec: RaterSpec) -> str | None:
    """A note when a rater's runs rate different items (an item counts as rated by a run when
    the run rates it on some dimension): which runs lack how many items, and how many items every
    run rates (test-retest's pairwise agreement compares only those). None when all runs agree."""
    runs = spec.runs or []
    rated = [set(rows.loc[rows.rater_id == f"{spec.id}{RUN_SEPARATOR}{k}", "item_id"]) for k in range(1, len(runs) + 1)]
    every, some = set.intersection(*rated), set.union(*rated)
    if every == some:
        return None
    lacking = [
        f"run {k} ({runs[k - 1]}) lacks {len(some - mine)} of them (e.g. {', '.join(sorted(some - mine)[:3])})"
        for k, mine in enumerate(rated, start=1)
        if some - mine
    ]
    return (
        f"rater '{spec.id}': its runs rate different items: {len(some)} items in all, "
        f"{len(some - every)} not rated by every run; {'; '.join(lacking)}. "
        f"Test-retest's pairwise kappa and identical share use the {len(every)} items every run rates"
    )


def _attach_item_ids(
    frame: pd.DataFrame, keys: pd.DataFrame, key: list[str], card: SourceCard, path: str
) -> pd.DataFrame:
    lookup = keys[key + ["item_id"]]
    if lookup.duplicated(key).any():
        raise InputError(
            f"human_labels/{card.id}.yaml",
            f"key {key} of {path} does not identify one item",
            "give the rater file a key that is unique per item",
        )
    merged = frame.merge(lookup, on=key, how="left", validate="many_to_one")
    unknown = merged[merged["item_id"].isna()]
    if len(unknown):
        row = unknown.iloc[0]
        raise InputError(
            path,
            f"rating for an unknown item ({', '.join(f'{k}={row[k]}' for k in key)}); {len(unknown)} such rows",
            "rate only items present in the items file, or correct the key",
            where=f"data row {row['_row']}",
        )
    merged.index = frame.index
    return merged


def _to_long(frame: pd.DataFrame, spec: RaterSpec, path: str, rubric: Rubric, card: SourceCard) -> pd.DataFrame:
    if spec.dimension is not None:
        pieces = {spec.dimension: (spec.value_column, spec.evidence_column)}
    else:
        pieces = {d: (d, f"{d}{spec.evidence_suffix}" if spec.evidence_suffix else None) for d in rubric.dimension_ids}
    for dim, (value_col, _) in pieces.items():
        if dim not in rubric.dimension_ids:
            raise InputError(
                f"human_labels/{card.id}.yaml",
                f"unknown dimension '{dim}' for rubric '{rubric.id}'",
                f"use one of {rubric.dimension_ids}",
            )
        if value_col not in frame.columns:
            raise InputError(
                path,
                f"missing column '{value_col}'",
                f"the rubric '{rubric.id}' needs it; fix the file or the card",
            )
    longs = []
    for dim, (value_col, evidence_col) in pieces.items():
        longs.append(
            pd.DataFrame(
                {
                    "item_id": frame["item_id"],
                    "dimension": dim,
                    "value": _numbers(frame, str(value_col), dim, rubric, local_path(card, path)),
                    "evidence": frame[evidence_col].where(frame[evidence_col].notna(), None) if evidence_col else None,
                    "_row": frame["_row"],
                },
                index=frame.index,
            )
        )
    return pd.concat(longs)


def _numbers(frame: pd.DataFrame, column: str, dim: str, rubric: Rubric, path: Path) -> pd.Series:
    """A rating column as floats (an empty cell is NaN: no rating); a cell that is not a number
    (text, true/false) is refused with its file, data row and column."""
    cells = frame[column]
    values = pd.to_numeric(cells.where(cells.map(lambda v: not isinstance(v, (bool, np.bool_)))), errors="coerce")
    bad = values.isna() & cells.notna()
    if bad.any():
        first = bad.idxmax()
        scale = rubric.scale_of(dim)
        raise InputError(
            path,
            f"column '{column}' holds {plain(cells[first])!r}, which is not a number"
            + (f" ({n} cells of the column are not numbers)" if (n := int(bad.sum())) > 1 else ""),
            f"a rating must be a number on the scale {scale.min}..{scale.max} of '{dim}'; "
            "leave the cell empty where there is no rating",
            where=f"data row {frame.loc[first, '_row']}",
        )
    return values.astype(float)


def _check_scale(long: pd.DataFrame, rubric: Rubric, spec: RaterSpec, path: str) -> None:
    for dim, group in long.groupby("dimension"):
        scale = rubric.scale_of(str(dim))
        ok = group["value"].between(scale.min, scale.max)
        if spec.aggregate is None:  # one rater's own rating must be a scale point
            ok &= group["value"] == group["value"].round()
        if not ok.all():
            bad = group[~ok].iloc[0]
            raise InputError(
                path,
                f"value {bad['value']} of '{dim}' is outside the scale {scale.min}..{scale.max}",
                "correct the value or the rubric's scale",
                where=f"data row {bad['_row']}",
            )


def deduplicate(ratings: pd.DataFrame, fw: FrameworkSpec, report: list[str]) -> pd.DataFrame:
    """Apply the card's duplicate policy to repeated (item, rater, dimension) rows."""
    ident = ["item_id", "rater_id", "dimension"]
    dup = ratings.duplicated(ident, keep=False)
    if not dup.any():
        return ratings.drop(columns=["_row", "_file"]).reset_index(drop=True)
    if fw.duplicates.policy == "error":
        first = ratings[dup].iloc[0]
        raise InputError(
            first["_file"],
            f"duplicate rating for item {first['item_id']}, rater {first['rater_id']}, dimension {first['dimension']}",
            "keep one rating per (item, rater, dimension), or set a duplicates policy in the source card",
            where=f"data row {first['_row']}",
        )
    values = ratings.groupby(ident)["value"].transform("nunique")
    conflicts = ratings[values > 1]
    identical = ratings[(values == 1) & ratings.duplicated(ident, keep="first")]
    kept = ratings[values == 1].drop_duplicates(ident, keep="first")
    for dim, group in conflicts.groupby("dimension"):
        pairs = group.item_id.nunique()
        report.append(
            f"{fw.id}: {dim}: {pairs} items with conflicting repeated labels dropped "
            f"({', '.join(sorted(group.item_id.unique()))})"
        )
    for dim, group in identical.groupby("dimension"):
        report.append(f"{fw.id}: {dim}: {len(group)} repeated rows with the same label collapsed into one")
    return kept.drop(columns=["_row", "_file"]).reset_index(drop=True)


def identical_run_files(card: SourceCard | str, framework_id: str, rater: str) -> list[tuple[int, int]]:
    """Pairs (j, k), j < k, of a rater's run numbers whose files have the same pinned sha256:
    byte-identical files, so not independent runs. Empty for a rater without runs. `card`: a
    source card, or its id or path."""
    if isinstance(card, str):
        card = load_source_card(card)
    fw = card.framework(framework_id)
    spec = next((r for r in fw.raters if r.id == rater), None)
    if spec is None:
        raise InputError(
            f"human_labels/{card.id}.yaml",
            f"framework '{framework_id}' has no rater '{rater}'",
            f"use one of: {', '.join(r.id for r in fw.raters)}",
        )
    digests = [card.file(path).sha256 for path in spec.runs or []]
    return [(j + 1, k + 1) for j in range(len(digests)) for k in range(j + 1, len(digests)) if digests[j] == digests[k]]
