"""Human labels in the canonical long format: an items table and a ratings table.

Items: item_id, framework, source, target, turns (list of {speaker, text}), metadata.
Ratings: item_id, framework, dimension, rater_id, rater_group, value, aggregate, evidence, run_of.
`aggregate` is "" for one rater's own rating and names the method ("mean", "median",
"adjudicated") when the released value already combines several raters.
A recorded judge published as repeated runs (the card's `runs`) gives one row per run,
rater_id `<id>#<k>` (k = 1, 2, ... in card order) with `run_of` = `<id>`, plus its own rating:
rater_id `<id>`, aggregate = the card's `runs_aggregate` over the runs that rated the (item,
dimension). `run_of` is "" on every other row.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from empathy_bench.core.errors import InputError
from empathy_bench.core.ids import check_id
from empathy_bench.sources.card import (
    FrameworkSpec,
    ItemsSpec,
    LabelPreferences,
    RaterSpec,
    SourceCard,
    TextSpec,
    load_source_card,
)
from empathy_bench.sources.datafile import data_file, local_path
from empathy_bench.sources.preference import PREFERENCE_COLUMNS, empty_preferences, pairs_within
from empathy_bench.sources.rubric import Rubric, load_rubric
from empathy_bench.sources.transcript import SUPPORTER, parse_transcript

log = logging.getLogger(__name__)

ITEM_COLUMNS = ["item_id", "framework", "source", "target", "turns", "metadata"]
RATING_COLUMNS = ["item_id", "framework", "dimension", "rater_id", "rater_group", "value"]
OPTIONAL_RATING_COLUMNS = ["aggregate", "evidence", "run_of"]
RUN_SEPARATOR = "#"  # a run's rater_id: '<id>#<k>'
RUN_COLUMNS = ["item_id", "dimension", "epoch", "value"]
TARGET_SPEAKER = SUPPORTER


@dataclass
class LabelSet:
    """Items, ratings and preferences of one label source, plus what loading did to the raw rows."""

    items: pd.DataFrame
    ratings: pd.DataFrame
    report: list[str] = field(default_factory=list)
    preferences: pd.DataFrame = field(default_factory=empty_preferences)

    def framework(self, framework_id: str) -> LabelSet:
        return LabelSet(
            self.items[self.items.framework == framework_id].reset_index(drop=True),
            self.ratings[self.ratings.framework == framework_id].reset_index(drop=True),
            [line for line in self.report if line.startswith(f"{framework_id}:")],
            self.preferences[self.preferences.framework == framework_id].reset_index(drop=True),
        )

    def copy(self) -> LabelSet:
        """Copies of the tables, so a caller that edits one never changes a memoised load."""
        return LabelSet(self.items.copy(), self.ratings.copy(), list(self.report), self.preferences.copy())


# Loaded label sets of this process, by what they were loaded from (see `_load_key`): building a
# run's tasks reads the same source once per judge, and loading (checksums, parsing, mapping) is
# the slow part.
_LOADED: dict[tuple[object, ...], LabelSet] = {}


def load_source(name: str, frameworks: list[str] | None = None) -> LabelSet:
    """Load a label source (id or card path): download/verify its files, map them to the
    canonical tables. `frameworks` restricts to some of the card's frameworks. A second load of
    the same card and unchanged files (same size and modification time) is served from this
    process's memory, as a copy."""
    card = load_source_card(name)
    key = _load_key(card, frameworks)
    if key not in _LOADED:
        _LOADED[key] = _load_source(card, frameworks)
    return _LOADED[key].copy()


def _load_key(card: SourceCard, frameworks: list[str] | None) -> tuple[object, ...]:
    """The card's content and each of its files' local path, size and modification time: a file
    replaced since the last load (another revision, a corrupted copy) is loaded and verified again."""
    stats = []
    for declared in card.files:
        path = local_path(card, declared.path)
        stat = path.stat() if path.is_file() else None
        stats.append((str(path), stat.st_size if stat else None, stat.st_mtime_ns if stat else None))
    return (card.model_dump_json(), tuple(frameworks or ()), tuple(stats))


def _load_source(card: SourceCard, frameworks: list[str] | None) -> LabelSet:
    chosen = [card.framework(f) for f in frameworks] if frameworks else card.frameworks
    parts = [_load_framework(card, fw) for fw in chosen]
    return LabelSet(
        pd.concat([p.items for p in parts], ignore_index=True),
        pd.concat([p.ratings for p in parts], ignore_index=True),
        [line for p in parts for line in p.report],
        pd.concat([p.preferences for p in parts], ignore_index=True),
    )


def _load_framework(card: SourceCard, fw: FrameworkSpec) -> LabelSet:
    rubric = load_rubric(fw.rubric)
    keys = _item_keys(card, fw)
    items = _items(card, fw, keys)
    report: list[str] = []
    parts = [_rater_ratings(card, fw, spec, keys, rubric, report).assign(_spec=i) for i, spec in enumerate(fw.raters)]
    ratings = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=RATING_COLUMNS + OPTIONAL_RATING_COLUMNS + ["_row", "_file", "_spec"])
    )
    ratings = _with_run_aggregates(_deduplicate(ratings, fw, report), fw, card, report)
    preferences = [label_preferences(items, spec, f"human_labels/{card.id}.yaml") for spec in fw.preferences]
    return LabelSet(
        items, ratings, report, pd.concat(preferences, ignore_index=True) if preferences else empty_preferences()
    )


def label_preferences(items: pd.DataFrame, spec: LabelPreferences, source: str = "the source card") -> pd.DataFrame:
    """Choices from a released item-level label: within each group, an item whose label comes
    earlier in `spec.order` is preferred; items with equal labels are not paired. Pairs keep the
    items' file order (item_a first), so the preferred side is sometimes a and sometimes b."""
    rank = {label: i for i, label in enumerate(spec.order)}
    labels = items["metadata"].map(lambda m: str((m or {}).get(spec.column, "")).strip())
    unknown = sorted(set(labels) - set(rank))
    if unknown:
        raise InputError(
            source,
            f"item label(s) {unknown} in column '{spec.column}' are not in order {spec.order}",
            "list every label value in 'order', best first",
            where=f"preferences of rater '{spec.rater}'",
        )
    pairs = pairs_within(items, spec.within, source)
    by_item = dict(zip(items["item_id"], labels.map(rank), strict=True))
    pairs = pairs[pairs.item_a.map(by_item) != pairs.item_b.map(by_item)]
    return pairs.assign(
        criterion=spec.criterion,
        rater_id=spec.rater,
        rater_group=spec.group,
        choice=["a" if by_item[a] < by_item[b] else "b" for a, b in zip(pairs.item_a, pairs.item_b, strict=True)],
        derived=spec.column,
    )[PREFERENCE_COLUMNS].reset_index(drop=True)


def _read_csv(card: SourceCard, rel_path: str, key: list[str]) -> pd.DataFrame:
    path = data_file(card, rel_path)
    frame = pd.read_csv(path, dtype={k: str for k in key})
    missing = [k for k in key if k not in frame.columns]
    if missing:
        raise InputError(
            path, f"missing key column(s) {missing}", f"fix the 'key' of this file in human_labels/{card.id}.yaml"
        )
    # the item id is the key cells joined by '/': checked on every file read, before it is used
    field = f"item id (column{'s' if len(key) > 1 else ''} {', '.join(key)})"
    for row, cells in enumerate(frame[key].fillna("").astype(str).itertuples(index=False), start=1):
        check_id("/".join(cells), source=path, field=field, where=f"data row {row}")
    return frame


def _item_keys(card: SourceCard, fw: FrameworkSpec) -> pd.DataFrame:
    """One row per item: the framework's key columns and the item_id built from them. Items
    come from the text file, or for ratings-only frameworks from the first rater file."""
    source_file = fw.items.file if fw.items else fw.raters[0].paths[0]
    frame = _read_csv(card, source_file, fw.key)[fw.key].drop_duplicates(ignore_index=True)
    frame["item_id"] = frame[fw.key].agg("/".join, axis=1)
    return frame


def _items(card: SourceCard, fw: FrameworkSpec, keys: pd.DataFrame) -> pd.DataFrame:
    if fw.items is None:
        turns = pd.Series([[] for _ in range(len(keys))], dtype=object)
        metadata = pd.Series([{"text_released": False} for _ in range(len(keys))], dtype=object)
    else:
        frame = _read_csv(card, fw.items.file, fw.key)
        turns = _utterance_turns(frame, keys, fw) if fw.items.text.format == "utterances" else None
        if fw.items.text.format == "json_transcripts":
            turns = _json_turns(card, keys, fw)
        frame = keys[fw.key].merge(frame.drop_duplicates(subset=fw.key, ignore_index=True), on=fw.key, how="left")
        if turns is None:
            turns = frame.apply(lambda row: _turns(row, fw.items.text), axis=1)
        cols = fw.items.metadata_columns
        metadata = (
            frame[cols].apply(lambda row: {c: _plain(row[c]) for c in cols}, axis=1)
            if cols
            else pd.Series([{}] * len(frame))
        )
    return pd.DataFrame(
        {
            "item_id": keys["item_id"],
            "framework": fw.id,
            "source": card.id,
            "target": fw.items.target if fw.items else TARGET_SPEAKER,
            "turns": list(turns),
            "metadata": list(metadata),
        }
    )


def _plain(value: object) -> object:
    """numpy scalars and NaN -> JSON-friendly Python values."""
    if isinstance(value, float) and np.isnan(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _utterance_turns(frame: pd.DataFrame, keys: pd.DataFrame, fw: FrameworkSpec) -> pd.Series:
    """Turns of files with one row per message: each conversation's rows in `order_column`
    order, speakers renamed by the card. Every message is kept (no truncation)."""
    items: ItemsSpec = fw.items  # type: ignore[assignment]
    spec = items.text
    ordered = frame.sort_values(fw.key + [spec.order_column], kind="stable")
    turns: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for row in ordered.itertuples(index=False):
        record = row._asdict()
        speaker = str(record[spec.speaker_column])
        text = "" if pd.isna(record[spec.text_column]) else str(record[spec.text_column])
        for old, new in spec.replace.items():
            text = text.replace(old, new)
        key = tuple(str(record[k]) for k in fw.key)
        turns.setdefault(key, []).append({"speaker": spec.speakers.get(speaker, speaker), "text": text.strip()})
    return pd.Series([turns[tuple(row)] for row in keys[fw.key].astype(str).itertuples(index=False)], dtype=object)


def _json_turns(card: SourceCard, keys: pd.DataFrame, fw: FrameworkSpec) -> pd.Series:
    """Turns of sources with one JSON file per conversation (the card's `path` filled from the
    item's key). Only the speaker and text of each message are read, so annotations stored beside
    them (MIBot's LLM-made AutoMISC codes) never reach an item; consecutive messages of one
    speaker are joined into one turn."""
    items: ItemsSpec = fw.items  # type: ignore[assignment]
    spec = items.text
    declared = {f.path for f in card.files}
    out = []
    for row in keys[fw.key].astype(str).itertuples(index=False):
        rel = str(spec.path).format(**dict(zip(fw.key, row, strict=True)))
        if rel not in declared:
            raise InputError(
                card.source,
                f"transcript {rel} of item {'/'.join(row)} is not listed under files with a sha256",
                "add it to 'files' with its sha256, or drop the item from the items file",
                where="field 'items.text.path'",
            )
        out.append(transcript_turns(json.loads(data_file(card, rel).read_text(encoding="utf-8")), spec, rel))
    return pd.Series(out, dtype=object)


def transcript_turns(document: object, spec: TextSpec, source: str = "transcript") -> list[dict[str, str]]:
    """One conversation's JSON document -> turns: messages in `order_column` order, speakers
    renamed by the card, consecutive messages of one speaker joined (by a space) into one turn."""
    messages = document.get(spec.list_field) if isinstance(document, dict) else None
    if not isinstance(messages, list):
        raise InputError(source, f"no list '{spec.list_field}' of messages", "fix the card's items.text.list_field")
    fields = (spec.speaker_field, spec.text_field, str(spec.order_column))
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or any(f not in message for f in fields):
            raise InputError(source, f"message {i} lacks one of {list(fields)}", "fix the card's items.text fields")
    turns: list[dict[str, str]] = []
    for message in sorted(messages, key=lambda m: m[spec.order_column]):
        speaker = spec.speakers.get(str(message[spec.speaker_field]), str(message[spec.speaker_field]))
        text = str(message[spec.text_field] or "").strip()
        for old, new in spec.replace.items():
            text = text.replace(old, new)
        if not text:
            continue
        if turns and turns[-1]["speaker"] == speaker:
            turns[-1]["text"] = f"{turns[-1]['text']} {text}"
        else:
            turns.append({"speaker": speaker, "text": text})
    return turns


def _turns(row: pd.Series, spec: TextSpec) -> list[dict[str, str]]:
    if spec.format == "post_response":
        turns = [("Seeker", row[spec.post_column]), (TARGET_SPEAKER, row[spec.response_column])]
    else:
        turns = parse_transcript(str(row[spec.column]))
    out = []
    for speaker, text in turns:
        for old, new in spec.replace.items():
            text = text.replace(old, new)
        out.append({"speaker": speaker, "text": text.strip()})
    return out


def _rater_ratings(
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
    frame = _read_csv(card, path, key)
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


def _with_run_aggregates(ratings: pd.DataFrame, fw: FrameworkSpec, card: SourceCard, report: list[str]) -> pd.DataFrame:
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
            f"column '{column}' holds {_plain(cells[first])!r}, which is not a number"
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


def _deduplicate(ratings: pd.DataFrame, fw: FrameworkSpec, report: list[str]) -> pd.DataFrame:
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


# Named aggregates of a rater group. `experts` is the reference of Kumar et al.: the median
# of the three experts. `crowd` is the released aggregate where a source ships one, else
# the mean of the individual crowd ratings (for Lend an Ear this reproduces the released
# crowd file exactly).
AGGREGATES: dict[str, tuple[str, str]] = {"experts": ("expert", "median"), "crowd": ("crowd", "mean")}


def rater_values(ratings: pd.DataFrame, rater: str, dimension: str) -> pd.Series:
    """One rater's (or named aggregate's) values on one dimension, indexed by item_id."""
    rows = ratings[(ratings.dimension == dimension) & (ratings.rater_id == rater)]
    if len(rows):
        return rows.set_index("item_id")["value"].rename(rater)
    if rater in AGGREGATES:
        group, how = AGGREGATES[rater]
        individual = group_table(ratings, group, dimension)
        if individual.shape[1]:
            return individual.agg(how, axis=1).rename(rater)
    raise KeyError(f"no ratings by '{rater}' on '{dimension}'")


def group_table(ratings: pd.DataFrame, group: str, dimension: str) -> pd.DataFrame:
    """Items x raters table of a group's individual (not aggregated) ratings on a dimension."""
    rows = ratings[(ratings.dimension == dimension) & (ratings.rater_group == group) & (ratings["aggregate"] == "")]
    return rows.pivot(index="item_id", columns="rater_id", values="value")


def rater_wide(ratings: pd.DataFrame, rater: str, dimensions: list[str]) -> pd.DataFrame:
    """Items x dimensions table of one rater's (or named aggregate's) values; dimensions it did
    not rate are left out."""
    columns = {}
    for dim in dimensions:
        try:
            columns[dim] = rater_values(ratings, rater, dim)
        except KeyError:
            continue
    return pd.DataFrame(columns)


def overall_scores(ratings: pd.DataFrame, rubric: Rubric, group: str = "expert") -> pd.DataFrame:
    """Items x raters table of each individual rater's overall score (the rubric's overall
    method) in a group."""
    rows = ratings[(ratings.rater_group == group) & (ratings["aggregate"] == "")]
    per_rater = {
        r: rubric.overall_score(
            g.pivot(index="item_id", columns="dimension", values="value").reindex(columns=rubric.dimension_ids)
        )
        for r, g in rows.groupby("rater_id")
    }
    return pd.DataFrame(per_rater).dropna(how="all")


def rater_runs(ratings: pd.DataFrame, rater: str) -> pd.DataFrame:
    """The long table (item_id, dimension, epoch, value) of a recorded judge's repeated runs:
    the rows whose run_of is `rater`, epoch = the run's number k (rater_id '<rater>#<k>'), in
    load order. Empty when the rater has no runs. Filter `ratings` to one framework first when
    item ids could repeat across frameworks."""
    rows = ratings[ratings["run_of"] == rater] if "run_of" in ratings.columns else ratings.iloc[:0]
    if rows.empty:
        return pd.DataFrame(columns=RUN_COLUMNS)
    epoch = rows["rater_id"].str.rpartition(RUN_SEPARATOR)[2].astype(int)
    return rows.assign(epoch=epoch)[RUN_COLUMNS].reset_index(drop=True)


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
