"""A user's own labels in the canonical format: CSV or JSONL files, or a Hugging Face Hub
dataset read through `datasets`. Items, ratings and preferences (one row per choice between two
items, see sources/preference.py). Every row is checked against the rubric of its framework;
the first bad row stops the import with the file, the row and the fix (the row models are in
user_rows.py, their checks in user_checks.py, the reading of CSV and JSONL files in user_files.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import pandas as pd

from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import InputError
from empathy_bench.core.paths import inside
from empathy_bench.sources.label_columns import ITEM_COLUMNS, OPTIONAL_RATING_COLUMNS, RATING_COLUMNS
from empathy_bench.sources.labels import LabelSet
from empathy_bench.sources.preference import PREFERENCE_COLUMNS, empty_preferences
from empathy_bench.sources.user_checks import check_items, check_preferences, check_ratings
from empathy_bench.sources.user_files import clean_row, read_rows, require_columns

if TYPE_CHECKING:
    import datasets  # imported lazily at run time: it is slow to import


# Columns whose empty cell (or null) means "use the row model's default".
OPTIONAL_ITEM_COLUMNS = ["turns", "text", "target", "source", "metadata"]
OPTIONAL_PREFERENCE_COLUMNS = ["derived"]
REQUIRED_PREFERENCE_COLUMNS = [c for c in PREFERENCE_COLUMNS if c not in OPTIONAL_PREFERENCE_COLUMNS]


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
    rows = read_rows(Path(path), required=["item_id", "framework"], optional=OPTIONAL_ITEM_COLUMNS)
    return check_items(rows, path)


def read_hub_items(repo_id: str, split: str = "train", revision: str | None = None) -> pd.DataFrame:
    """Items from a Hugging Face Hub dataset (or a local dataset folder) in the canonical format."""
    return check_items(
        _hub_rows(repo_id, split, revision, ["item_id", "framework"], OPTIONAL_ITEM_COLUMNS, "items"), repo_id
    )


def read_ratings(path: str | Path, items: pd.DataFrame | None = None) -> pd.DataFrame:
    """Ratings from a CSV or JSONL file in the canonical long format."""
    return check_ratings(
        read_rows(Path(path), required=RATING_COLUMNS, optional=OPTIONAL_RATING_COLUMNS), str(path), items
    )


def read_hub_ratings(
    repo_id: str, split: str = "train", revision: str | None = None, items: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Ratings from a Hugging Face Hub dataset (or a local dataset folder) in the canonical format."""
    rows = _hub_rows(repo_id, split, revision, RATING_COLUMNS, OPTIONAL_RATING_COLUMNS, "ratings")
    return check_ratings(rows, repo_id, items)


def read_preferences(path: str | Path, items: pd.DataFrame | None = None) -> pd.DataFrame:
    """Preferences from a CSV or JSONL file in the canonical long format (PREFERENCE_COLUMNS)."""
    rows = read_rows(Path(path), required=REQUIRED_PREFERENCE_COLUMNS, optional=OPTIONAL_PREFERENCE_COLUMNS)
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
    require_columns(list(frame.columns), required, repo_id)
    rows = [(f"row {i + 1}", clean_row(row, optional)) for i, row in enumerate(frame.to_dict(orient="records"))]
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
