"""A user's own labels in the canonical format: CSV or JSONL files, or a Hugging Face Hub
dataset read through `datasets`. Items, ratings and preferences (one row per choice between two
items, see sources/preference.py). Every row is checked against the rubric of its framework;
the first bad row stops the import with the file, the row and the fix."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal, TypeVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import InputError
from empathy_bench.core.ids import ID_ERROR, ID_FIX, Id
from empathy_bench.core.models import input_error
from empathy_bench.core.paths import inside
from empathy_bench.core.project import project_files
from empathy_bench.sources.card import RaterGroup
from empathy_bench.sources.labels import (
    ITEM_COLUMNS,
    OPTIONAL_RATING_COLUMNS,
    RATING_COLUMNS,
    TARGET_SPEAKER,
    LabelSet,
    parse_transcript,
)
from empathy_bench.sources.preference import CHOICES, OVERALL, PREFERENCE_COLUMNS, Choice, empty_preferences
from empathy_bench.sources.rubric import Rubric, load_rubric
from empathy_bench.sources.transcript import SEEKER

if TYPE_CHECKING:
    import datasets  # imported lazily at run time: it is slow to import


Row = TypeVar("Row", bound=BaseModel)
# Columns whose empty cell (or null) means "use the row model's default".
OPTIONAL_ITEM_COLUMNS = ["turns", "text", "target", "source", "metadata"]
OPTIONAL_PREFERENCE_COLUMNS = ["derived"]
REQUIRED_PREFERENCE_COLUMNS = [c for c in PREFERENCE_COLUMNS if c not in OPTIONAL_PREFERENCE_COLUMNS]


# A row's framework is a rubric id (never a path to some YAML file): as rubric files spell theirs.
RUBRIC_ID = re.compile(r"[a-z][a-z0-9_]*")
CHOICE_ERROR = "invalid_choice"  # the pydantic error type of a choice other than a, b or tie


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    speaker: str = Field(min_length=1)
    text: str


class Item(BaseModel):
    # Stripped: "c1" and "c1 " must not become two items.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    item_id: Id = Field(min_length=1)
    framework: Id = Field(min_length=1)
    turns: list[Turn] = []
    text: str | None = None  # alternative to turns: 'Seeker: ...' / 'Supporter: ...' lines
    target: str = TARGET_SPEAKER
    source: str = "user"
    metadata: dict[str, object] = {}

    @model_validator(mode="after")
    def _one_conversation(self) -> Item:
        """Exactly one of `turns` and `text`, and the supporter must speak: an item with neither
        would be an empty conversation, with both the text would be silently dropped."""
        if self.turns and self.text:
            raise ValueError("give either 'turns' or 'text', not both")
        turns = [(t.speaker, t.text) for t in self.turns] or parse_transcript(self.text or "", (SEEKER, self.target))
        if not turns:
            raise ValueError("the item has no conversation: give 'turns' or 'text'")
        if not any(speaker == self.target for speaker, _ in turns):
            raise ValueError(
                f"no turn by the target speaker '{self.target}': start the supporter's lines with '{self.target}:' "
                "(text) or set each turn's speaker"
            )
        return self


class Rating(BaseModel):
    # strict numbers: a JSON `true` is not the rating 1
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    item_id: Id = Field(min_length=1)
    framework: Id = Field(min_length=1)
    dimension: Id = Field(min_length=1)
    rater_id: Id = Field(min_length=1)
    rater_group: RaterGroup
    value: float
    aggregate: Literal["", "mean", "median", "adjudicated"] = ""
    evidence: str | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: object) -> object:
        """A JSON `true` would otherwise be read as the rating 1."""
        if isinstance(value, bool):
            raise ValueError("a rating is a number, not true or false")
        return value


class Preference(BaseModel):
    # Strict text: a JSON `true` or `7` is refused, not turned into "True" or "7".
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    pair_id: Id = Field(min_length=1)
    item_a: Id = Field(min_length=1)
    item_b: Id = Field(min_length=1)
    framework: Id = Field(min_length=1)
    criterion: Id = Field(min_length=1)
    rater_id: Id = Field(min_length=1)
    rater_group: RaterGroup
    choice: Choice  # exactly a, b or tie (surrounding spaces dropped)
    derived: Id = ""  # "" for a choice a person (or judge) made directly

    @field_validator("choice", mode="before")
    @classmethod
    def _one_of_the_choices(cls, value: object) -> object:
        """' a ' is 'a'; anything else but a, b or tie is refused with the value shown."""
        if isinstance(value, str) and value.strip() in CHOICES:
            return value.strip()
        # the value goes in the context, not the template: it is text, never a format string
        raise PydanticCustomError(CHOICE_ERROR, "{value} is not a, b or tie", {"value": repr(value)})


def read_labels(
    ratings: str | Path, items: str | Path | pd.DataFrame | None = None, preferences: str | Path | None = None
) -> LabelSet:
    """Read ratings (and optionally items, a file or an existing items table, and preferences)
    from files. Given items, every rated or compared item must be one of them."""
    item_table = items if isinstance(items, pd.DataFrame) or items is None else read_items(items)
    return LabelSet(
        item_table if item_table is not None else pd.DataFrame(columns=ITEM_COLUMNS),
        read_ratings(ratings, item_table),
        preferences=empty_preferences() if preferences is None else read_preferences(preferences, item_table),
    )


def read_items(path: str | Path) -> pd.DataFrame:
    rows = _read_rows(Path(path), required=["item_id", "framework"], optional=OPTIONAL_ITEM_COLUMNS)
    return check_items(rows, path)


def read_hub_items(repo_id: str, split: str = "train", revision: str | None = None) -> pd.DataFrame:
    """Items from a Hugging Face Hub dataset (or a local dataset folder) in the canonical format."""
    return check_items(
        _hub_rows(repo_id, split, revision, ["item_id", "framework"], OPTIONAL_ITEM_COLUMNS, "items"), repo_id
    )


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


def read_ratings(path: str | Path, items: pd.DataFrame | None = None) -> pd.DataFrame:
    """Ratings from a CSV or JSONL file in the canonical long format."""
    return check_ratings(
        _read_rows(Path(path), required=RATING_COLUMNS, optional=OPTIONAL_RATING_COLUMNS), str(path), items
    )


def read_hub_ratings(
    repo_id: str, split: str = "train", revision: str | None = None, items: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Ratings from a Hugging Face Hub dataset (or a local dataset folder) in the canonical format."""
    rows = _hub_rows(repo_id, split, revision, RATING_COLUMNS, OPTIONAL_RATING_COLUMNS, "ratings")
    return check_ratings(rows, repo_id, items)


def read_preferences(path: str | Path, items: pd.DataFrame | None = None) -> pd.DataFrame:
    """Preferences from a CSV or JSONL file in the canonical long format (PREFERENCE_COLUMNS)."""
    rows = _read_rows(Path(path), required=REQUIRED_PREFERENCE_COLUMNS, optional=OPTIONAL_PREFERENCE_COLUMNS)
    return check_preferences(rows, str(path), items)


def read_hub_preferences(
    repo_id: str, split: str = "train", revision: str | None = None, items: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Preferences from a Hugging Face Hub dataset (or a local dataset folder) in the canonical format."""
    rows = _hub_rows(repo_id, split, revision, REQUIRED_PREFERENCE_COLUMNS, OPTIONAL_PREFERENCE_COLUMNS, "preferences")
    return check_preferences(rows, repo_id, items)


def _hub_rows(
    repo_id: str, split: str, revision: str | None, required: list[str], optional: list[str], what: str
) -> list[tuple[str, dict[str, object]]]:
    """The (where, row) pairs of one split, its columns checked; `what` names the labels in the fix."""
    import datasets
    import httpx

    try:
        frame = _load_hub_split(repo_id, split, revision).to_pandas()
    except (OSError, ValueError, datasets.exceptions.DatasetsError, httpx.HTTPError) as err:
        # offline: ConnectionError; unknown or gated dataset: DatasetNotFoundError (a
        # FileNotFoundError) or an HTTP error; unknown split or revision: ValueError
        at = f"split '{split}'" + (f", revision '{revision}'" if revision else "")
        raise HubUnreachable(
            repo_id,
            f"could not load the dataset '{repo_id}' ({at}): {type(err).__name__}: {_one_line(err)}",
            "check the dataset id, split and revision, that you may read it (log in with `hf auth login` for a "
            "private dataset) and your network (HF_HUB_OFFLINE=1 reads only datasets already in the local cache)",
        ) from None
    _require_columns(list(frame.columns), required, repo_id)
    rows = [(f"row {i + 1}", _clean(row, optional)) for i, row in enumerate(frame.to_dict(orient="records"))]
    if not rows:
        raise InputError(repo_id, f"split '{split}' has no rows", f"choose a split with {what}")
    return rows


class HubUnreachable(InputError):
    """A Hub dataset (or local dataset folder) that could not be loaded at all; a task file that
    names it re-raises it naming the task file and its field (see `_own`)."""


def _one_line(err: BaseException) -> str:
    """An exception's message on one line (the Hub's errors span several)."""
    return " ".join(str(err).split()) or "no message"


def _load_hub_split(repo_id: str, split: str, revision: str | None) -> datasets.Dataset:
    """One split of a Hub dataset or local dataset folder. A folder written by
    `Dataset.save_to_disk` / `DatasetDict.save_to_disk` (state.json / dataset_dict.json) is
    refused by `load_dataset` ("use load_from_disk instead"), so read it the way it was written."""
    import datasets

    folder = Path(repo_id)
    if (folder / "state.json").is_file() or (folder / "dataset_dict.json").is_file():
        loaded = datasets.load_from_disk(str(folder))
        if isinstance(loaded, datasets.DatasetDict):
            if split not in loaded:
                raise ValueError(f'Unknown split "{split}". Should be one of {list(loaded)}.')
            return loaded[split]
        return loaded  # a single saved Dataset has no splits to choose from
    return datasets.load_dataset(repo_id, split=split, revision=revision)


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


def _read_rows(path: Path, required: list[str], optional: list[str]) -> list[tuple[str, dict[str, object]]]:
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
        rows = [(f"data row {i + 1}", _clean(row, optional)) for i, row in enumerate(frame.to_dict(orient="records"))]
    else:
        raise InputError(path, f"unsupported file type '{path.suffix}'", "use .csv or .jsonl")
    if not rows:
        raise InputError(path, "no rows (the file is empty apart from its header)", "add at least one row")
    _require_columns(columns, required, path)
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


def _require_columns(columns: list[str], required: list[str], source: str | Path) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError(
            source, f"missing column(s) {', '.join(missing)}", f"the canonical columns are {', '.join(required)}"
        )


def _clean(row: dict[str, object], optional: list[str]) -> dict[str, object]:
    """Drop empty optional cells so the model's defaults apply; keep NaN values visible."""
    return {k: v for k, v in row.items() if not (k in optional and (v is None or v == "" or v != v))}


# --- a team's own labels, named in a task file ---------------------------------------------

HUB_PREFIX = "hf:"


def read_own_labels(
    items: str, ratings: str | None, preferences: str | None, base: Path, source: str | Path = "the task file"
) -> tuple[LabelSet, dict[str, str]]:
    """A team's own items, ratings and preferences, each a CSV/JSONL path (relative to `base`,
    the project folder) or a Hugging Face dataset written `hf:<repo id>[@<revision>][:<split>]`.
    Every input is checked to stay inside `base` (no absolute path, no '..', no symbolic link
    out of it) before any of them is read; the error names `source` (the task file) and the
    field `labels.<input>`. Returns the labels and what identifies each input (a local file's
    sha256, or the dataset's revision as given) by `label_key`, for the run's provenance."""
    named = {"items": items, "ratings": ratings, "preferences": preferences}
    found = {field: _locate(name, base, source, field) for field, name in named.items() if name}

    def own(
        field: str, local: Callable[[Path], pd.DataFrame], hub: Callable[[str, str, str | None], pd.DataFrame]
    ) -> pd.DataFrame:
        return _own(found[field], local, hub, source, f"labels.{field}")

    item_table = own("items", read_items, read_hub_items)
    ratings_table = (
        own("ratings", lambda p: read_ratings(p, item_table), partial_hub(read_hub_ratings, item_table))
        if "ratings" in found
        else pd.DataFrame(columns=RATING_COLUMNS + OPTIONAL_RATING_COLUMNS)
    )
    prefs = (
        own("preferences", lambda p: read_preferences(p, item_table), partial_hub(read_hub_preferences, item_table))
        if "preferences" in found
        else empty_preferences()
    )
    ids = {label_key(named[field] or ""): _identity(target) for field, target in found.items()}
    return LabelSet(item_table, ratings_table, preferences=prefs), ids


def label_key(name: str) -> str:
    """How a run's provenance names an input of a task file: a Hub address as given, a local
    file by its path relative to the project folder ('./data/x.csv' -> 'data/x.csv')."""
    return name if name.startswith(HUB_PREFIX) else PurePosixPath(name).as_posix()


def partial_hub(reader: Callable[..., pd.DataFrame], items: pd.DataFrame) -> Callable[..., pd.DataFrame]:
    return lambda repo, split, revision: reader(repo, split, revision, items)


def _locate(name: str, base: Path, source: str | Path, field: str) -> Path | str:
    """A local input's path inside `base`, or a Hub address as given (its repo part must not
    name a folder outside `base` either: `datasets` reads a local folder given as the repo)."""
    folder = f"the project folder {base}"
    if name.startswith(HUB_PREFIX):
        inside(base, hub_address(name)[0], source=source, field=f"labels.{field}", root_name=folder)
        return name
    return inside(base, name, source=source, field=f"labels.{field}", root_name=folder)


def _own(
    target: Path | str,
    local: Callable[[Path], pd.DataFrame],
    hub: Callable[[str, str, str | None], pd.DataFrame],
    source: str | Path,
    field: str,
) -> pd.DataFrame:
    """One input of a task file read; a Hub dataset that cannot be loaded at all is blamed on
    the task file's field that names it (its rows' errors name the dataset and the row)."""
    if isinstance(target, str):
        try:
            return hub(*hub_address(target))
        except HubUnreachable as err:
            raise InputError(
                source, err.problem, f"{err.fix}; or name a local CSV or JSONL file instead", f"field '{field}'"
            ) from None
    if not target.is_file():
        raise InputError(
            target, "no such file", "give a CSV or JSONL path relative to the project folder, or hf:<repo id>"
        )
    return local(target)


def hub_address(name: str) -> tuple[str, str, str | None]:
    """'hf:org/data@v1:test' -> ('org/data', 'test', 'v1'); split 'train' and no revision by default."""
    rest = name[len(HUB_PREFIX) :]
    rest, _, split = rest.partition(":")
    repo, _, revision = rest.partition("@")
    return repo, split or "train", revision or None


def _identity(target: Path | str) -> str:
    return target if isinstance(target, str) else sha256_file(target)
