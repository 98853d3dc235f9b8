"""Human labels in the canonical long format: an items table and a ratings table.

Items: item_id, framework, source, target, turns (list of {speaker, text}), metadata.
Ratings: item_id, framework, dimension, rater_id, rater_group, value, aggregate, evidence, run_of.
`aggregate` is "" for one rater's own rating and names the method ("mean", "median",
"adjudicated") when the released value already combines several raters.
A recorded judge published as repeated runs (the card's `runs`) gives one row per run,
rater_id `<id>#<k>` (k = 1, 2, ... in card order) with `run_of` = `<id>`, plus its own rating:
rater_id `<id>`, aggregate = the card's `runs_aggregate` over the runs that rated the (item,
dimension). `run_of` is "" on every other row.

Loading reads a card's items with label_items.py and its rater files with label_ratings.py; the
tables' columns are in label_columns.py. The functions at the end query a loaded ratings table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from empathy_bench.core.errors import InputError
from empathy_bench.sources.card import FrameworkSpec, LabelPreferences, SourceCard, load_source_card
from empathy_bench.sources.datafile import local_path
from empathy_bench.sources.label_columns import OPTIONAL_RATING_COLUMNS, RATING_COLUMNS, RUN_COLUMNS, RUN_SEPARATOR
from empathy_bench.sources.label_items import item_keys, items_table
from empathy_bench.sources.label_ratings import deduplicate, rater_ratings, with_run_aggregates
from empathy_bench.sources.preference import PREFERENCE_COLUMNS, empty_preferences, pairs_within
from empathy_bench.sources.rubric import Rubric, load_rubric


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
    keys = item_keys(card, fw)
    items = items_table(card, fw, keys)
    report: list[str] = []
    parts = [rater_ratings(card, fw, spec, keys, rubric, report).assign(_spec=i) for i, spec in enumerate(fw.raters)]
    ratings = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=RATING_COLUMNS + OPTIONAL_RATING_COLUMNS + ["_row", "_file", "_spec"])
    )
    ratings = with_run_aggregates(deduplicate(ratings, fw, report), fw, card, report)
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
