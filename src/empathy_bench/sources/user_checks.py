"""The checks of a user's own labels: each (where, row) pair validated into its row model
(sources/user_rows.py) and against the rubric of its framework, then the rows into the canonical
items, ratings and preferences tables. The first bad row stops the import with the file, the row
and the fix."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TypeVar

import pandas as pd
from pydantic import BaseModel, ValidationError

from empathy_bench.core.errors import InputError
from empathy_bench.core.ids import ID_ERROR, ID_FIX
from empathy_bench.core.models import input_error
from empathy_bench.core.project import project_files
from empathy_bench.sources.label_columns import ITEM_COLUMNS, OPTIONAL_RATING_COLUMNS, RATING_COLUMNS
from empathy_bench.sources.preference import OVERALL, PREFERENCE_COLUMNS
from empathy_bench.sources.rubric import Rubric, load_rubric
from empathy_bench.sources.transcript import SEEKER, parse_transcript
from empathy_bench.sources.user_rows import CHOICE_ERROR, Item, Preference, Rating

Row = TypeVar("Row", bound=BaseModel)

# A row's framework is a rubric id (never a path to some YAML file): as rubric files spell theirs.
RUBRIC_ID = re.compile(r"[a-z][a-z0-9_]*")


def check_items(rows: list[tuple[str, dict[str, object]]], path: str | Path) -> pd.DataFrame:
    items = [_validated(Item, row, path, where) for where, row in rows]
    for (where, _), item in zip(rows, items, strict=True):  # blame the items file, not a ratings file later
        _rubric_for(item.framework, str(path), where)
    _no_duplicates(
        pd.DataFrame([{"item_id": i.item_id, "framework": i.framework} for i in items]),
        ["framework", "item_id"],
        path,
        [w for w, _ in rows],
    )
    return pd.DataFrame([_item_record(item) for item in items], columns=ITEM_COLUMNS)


def _item_record(item: Item) -> dict[str, object]:
    turns = [t.model_dump() for t in item.turns]
    if not turns and item.text:
        turns = [{"speaker": s, "text": t} for s, t in parse_transcript(item.text, (SEEKER, item.target))]
    return {
        "item_id": item.item_id,
        "framework": item.framework,
        "source": item.source,
        "target": item.target,
        "turns": turns,
        "metadata": item.metadata,
    }


def check_ratings(rows: list[tuple[str, dict[str, object]]], source: str, items: pd.DataFrame | None) -> pd.DataFrame:
    """Validate (where, row) pairs into the canonical ratings table."""
    known_items = set(zip(items.framework, items.item_id, strict=True)) if items is not None else None
    records = []
    for where, row in rows:
        rating = _validated(Rating, row, source, where)
        rubric = _rubric_for(rating.framework, source, where)
        _check_value(rating, rubric, source, where)
        if known_items is not None and (rating.framework, rating.item_id) not in known_items:
            raise InputError(
                source,
                f"rating for an unknown item '{rating.item_id}' ({rating.framework})",
                "add the item to the items file or correct item_id",
                where,
            )
        records.append(rating.model_dump())
    # run_of: '' (a team's own rows are never a source card's repeated runs)
    table = pd.DataFrame(records, columns=RATING_COLUMNS + OPTIONAL_RATING_COLUMNS).assign(run_of="")
    _no_duplicates(table, ["item_id", "rater_id", "dimension"], source, [w for w, _ in rows])
    return table


def check_preferences(
    rows: list[tuple[str, dict[str, object]]], source: str, items: pd.DataFrame | None
) -> pd.DataFrame:
    """Validate (where, row) pairs into the canonical preferences table: each row one choice
    between two different items of its framework on a criterion of the framework's rubric; one
    pair_id names one ordered pair throughout; one choice per (pair, rater, criterion)."""
    frameworks_of: dict[str, set[str]] | None = None
    if items is not None:
        frameworks_of = {}
        for framework, item_id in zip(items.framework, items.item_id, strict=True):
            frameworks_of.setdefault(item_id, set()).add(framework)
    pairs: dict[str, tuple[str, str, str]] = {}  # pair_id -> (item_a, item_b, where first seen)
    # (the two items, criterion, rater) -> (pair_id, item_a, item_b, where first seen)
    choices: dict[tuple[frozenset[str], str, str], tuple[str, str, str, str]] = {}
    records = []
    for where, row in rows:
        pref = _validated(Preference, row, source, where)
        rubric = _rubric_for(pref.framework, source, where)
        criteria = rubric.dimension_ids + ([OVERALL] if rubric.overall is not None else [])
        note = " (the rubric defines no overall score)" if pref.criterion == OVERALL else ""
        _check_known("criterion", pref.criterion, criteria, rubric, source, where, note)
        if pref.item_a == pref.item_b:
            raise InputError(
                source,
                f"item '{pref.item_a}' is paired with itself (item_a = item_b)",
                "pair two different items, or leave the row out",
                where,
            )
        if frameworks_of is not None:
            _check_pair_items(pref, frameworks_of, source, where)
        a, b, first = pairs.setdefault(pref.pair_id, (pref.item_a, pref.item_b, where))
        if (a, b) != (pref.item_a, pref.item_b):
            raise InputError(
                source,
                f"pair '{pref.pair_id}' is (item_a={pref.item_a}, item_b={pref.item_b}) here "
                f"but (item_a={a}, item_b={b}) on {first}",
                "give each pair_id one item_a and one item_b, in the same order on every row, "
                "or a new pair_id to a different pair",
                where,
            )
        _check_one_choice(pref, choices, source, where)
        records.append(pref.model_dump())
    table = pd.DataFrame(records, columns=PREFERENCE_COLUMNS)
    _no_duplicates(table, ["pair_id", "rater_id", "criterion"], source, [w for w, _ in rows])
    return table


def _check_one_choice(
    pref: Preference, choices: dict[tuple[frozenset[str], str, str], tuple[str, str, str, str]], source: str, where: str
) -> None:
    """One rater's choice between two items on a criterion is one row: the same two items under
    a second pair_id (in either order) would count the choice twice, or count a choice and its
    opposite, so they are refused with both rows named. (The same pair_id twice is a duplicate
    row, refused by `_no_duplicates`.)"""
    key = (frozenset((pref.item_a, pref.item_b)), pref.criterion, pref.rater_id)
    pair, a, b, first = choices.setdefault(key, (pref.pair_id, pref.item_a, pref.item_b, where))
    if pair != pref.pair_id:
        order = "in the same order" if (a, b) == (pref.item_a, pref.item_b) else "in the opposite order"
        raise InputError(
            source,
            f"rater '{pref.rater_id}' compares items '{pref.item_a}' and '{pref.item_b}' on '{pref.criterion}' "
            f"a second time: here as pair '{pref.pair_id}' (item_a={pref.item_a}, item_b={pref.item_b}), "
            f"on {first} as pair '{pair}' (item_a={a}, item_b={b}), {order}",
            "keep one of the two rows: one row per rater, criterion and pair of items, under one pair_id",
            where,
        )


def _check_pair_items(pref: Preference, frameworks_of: dict[str, set[str]], source: str, where: str) -> None:
    """Both items are in the items table, as items of the row's framework."""
    sides = {"item_a": pref.item_a, "item_b": pref.item_b}
    for side, item_id in sides.items():
        if item_id not in frameworks_of:
            raise InputError(
                source,
                f"{side} '{item_id}' is an unknown item",
                f"add the item to the items file or correct {side}",
                where,
            )
    in_a, in_b = frameworks_of[pref.item_a], frameworks_of[pref.item_b]
    if not in_a & in_b:
        raise InputError(
            source,
            f"the pair's items belong to different frameworks (item_a '{pref.item_a}': {', '.join(sorted(in_a))}; "
            f"item_b '{pref.item_b}': {', '.join(sorted(in_b))})",
            "pair two items of the same framework",
            where,
        )
    for side, item_id in sides.items():
        if pref.framework not in frameworks_of[item_id]:
            raise InputError(
                source,
                f"{side} '{item_id}' is an item of {', '.join(sorted(frameworks_of[item_id]))}, "
                f"not of the row's framework '{pref.framework}'",
                "correct framework, or pair two items of the row's framework",
                where,
            )


def _rubric_for(framework: str, source: str, where: str) -> Rubric:
    if not RUBRIC_ID.fullmatch(framework):  # a path here would load any YAML file as the rubric
        known = ", ".join(p.stem for p in project_files("rubrics"))
        raise InputError(source, f"unknown framework '{framework}'", f"use a rubric id: {known}", where)
    try:
        return load_rubric(framework)
    except InputError as err:
        # find_file's fix reads "use one of: a, b": replace with its colon, or the message gets "::"
        raise InputError(
            source, f"unknown framework '{framework}'", err.fix.replace("use one of:", "use a rubric id:"), where
        ) from None


def _check_known(
    kind: str, value: str, allowed: list[str], rubric: Rubric, source: str, where: str, note: str = ""
) -> None:
    """A dimension or criterion must be one the rubric defines."""
    if value not in allowed:
        raise InputError(
            source,
            f"unknown {kind} '{value}' for rubric '{rubric.id}'{note}",
            f"use one of: {', '.join(allowed)}",
            where,
        )


def _check_value(rating: Rating, rubric: Rubric, source: str, where: str) -> None:
    _check_known("dimension", rating.dimension, rubric.dimension_ids, rubric, source, where)
    scale = rubric.scale_of(rating.dimension)
    if not math.isfinite(rating.value):
        # An empty CSV cell arrives as NaN (pydantic accepts NaN/inf floats); round() below
        # would crash on it with a bare ValueError instead of naming the row.
        raise InputError(
            source,
            f"value of '{rating.dimension}' is empty or not a finite number",
            f"write a number from {scale.min} to {scale.max}, or leave the row out when there is no rating",
            where,
        )
    on_point = rating.aggregate != "" or rating.value == round(rating.value)
    if not (scale.contains(rating.value) and on_point):
        kind = "a whole number" if rating.aggregate == "" else "a number"
        raise InputError(
            source,
            f"value {rating.value:g} is outside the scale of '{rating.dimension}' ({scale.describe()})",
            f"use {kind} from {scale.min} to {scale.max}"
            + ("" if rating.aggregate else ", or mark an averaged value with the 'aggregate' column"),
            where,
        )


def _no_duplicates(table: pd.DataFrame, key: list[str], source: str | Path, wheres: list[str]) -> None:
    dup = table.duplicated(key, keep=False)
    if dup.any():
        first, second = [wheres[i] for i in table.index[dup][:2]]
        values = ", ".join(f"{k}={table.loc[table.index[dup][0], k]}" for k in key)
        raise InputError(source, f"duplicate of {first} ({values})", f"keep one row per ({', '.join(key)})", second)


def _validated(model: type[Row], row: dict[str, object], source: str | Path, where: str) -> Row:
    """The row as `model`; its ids (item, rater, pair, dimension, criterion, framework) follow the
    one rule of core/ids.py (printable text, bounded in length), and a refused id gets its fix."""
    try:
        return model.model_validate(row)
    except ValidationError as err:
        fixes = {ID_ERROR: ID_FIX, CHOICE_ERROR: "write a, b or tie (lower case): the item chosen, or tie"}
        fix = fixes.get(err.errors()[0]["type"], "correct the value (see the canonical format in the README)")
        raise input_error(err, source, where, fix) from None
