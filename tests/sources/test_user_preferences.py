"""Importing a user's own preference labels (CSV, JSONL, a local `datasets` folder): a good file
lands in the canonical columns; every bad input stops with the file, the row and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from test_user_labels import CONVERSATION, FORMATS, assert_names, rating, row_name, write_rows

from empathy_bench.core.errors import InputError
from empathy_bench.sources.label_columns import RATING_COLUMNS
from empathy_bench.sources.preference import PREFERENCE_COLUMNS
from empathy_bench.sources.user_labels import (
    read_hub_preferences,
    read_items,
    read_labels,
    read_preferences,
)

REQUIRED = [c for c in PREFERENCE_COLUMNS if c != "derived"]
LAE_CRITERIA = (
    "use one of: validating_emotions, encouraging_elaboration, demonstrating_understanding, advice_giving, "
    "self_oriented, dismissing_emotions, overall"
)


def choice(
    a: str,
    b: str,
    picked: object,
    criterion: str = "overall",
    rater: str = "alice",
    group: str = "expert",
    framework: str = "lend_an_ear",
    pair: str | None = None,
    **extra: object,
) -> dict[str, object]:
    return {
        "pair_id": pair if pair is not None else f"{a}|{b}",
        "item_a": a,
        "item_b": b,
        "framework": framework,
        "criterion": criterion,
        "rater_id": rater,
        "rater_group": group,
        "choice": picked,
        **extra,
    }


GOOD = [
    choice("c1", "c2", "a"),
    choice("c1", "c2", "tie", criterion="validating_emotions"),
    choice("c1", "c2", "b", rater="bob", group="crowd", derived="ratings"),
    choice("p1", "p2", "b", criterion="level_explorations", rater="007", framework="epitome", pair="7"),
    choice("c3", "c1", "a", rater="gpt-x", group="judge", pair="c3 vs c1"),
]
EXPECTED = [
    {
        "pair_id": "c1|c2",
        "item_a": "c1",
        "item_b": "c2",
        "framework": "lend_an_ear",
        "criterion": "overall",
        "rater_id": "alice",
        "rater_group": "expert",
        "choice": "a",
        "derived": "",
    },
    {
        "pair_id": "c1|c2",
        "item_a": "c1",
        "item_b": "c2",
        "framework": "lend_an_ear",
        "criterion": "validating_emotions",
        "rater_id": "alice",
        "rater_group": "expert",
        "choice": "tie",
        "derived": "",
    },
    {
        "pair_id": "c1|c2",
        "item_a": "c1",
        "item_b": "c2",
        "framework": "lend_an_ear",
        "criterion": "overall",
        "rater_id": "bob",
        "rater_group": "crowd",
        "choice": "b",
        "derived": "ratings",
    },
    {
        "pair_id": "7",
        "item_a": "p1",
        "item_b": "p2",
        "framework": "epitome",
        "criterion": "level_explorations",
        "rater_id": "007",
        "rater_group": "expert",
        "choice": "b",
        "derived": "",
    },
    {
        "pair_id": "c3 vs c1",
        "item_a": "c3",
        "item_b": "c1",
        "framework": "lend_an_ear",
        "criterion": "overall",
        "rater_id": "gpt-x",
        "rater_group": "judge",
        "choice": "a",
        "derived": "",
    },
]
ITEMS = [
    {"item_id": "c1", "framework": "lend_an_ear", "text": CONVERSATION},
    {"item_id": "c2", "framework": "lend_an_ear", "text": CONVERSATION},
    {"item_id": "c3", "framework": "lend_an_ear", "text": CONVERSATION},
    {"item_id": "p1", "framework": "epitome", "text": CONVERSATION},
    {"item_id": "p2", "framework": "epitome", "text": CONVERSATION},
]


def items_table(tmp_path: Path) -> pd.DataFrame:
    return read_items(write_rows(tmp_path / "items.jsonl", ITEMS))


def refused(path: Path, items: pd.DataFrame | None = None) -> InputError:
    with pytest.raises(InputError) as caught:
        read_preferences(path, items)
    return caught.value


# ---------------------------------------------------------------- good files


@pytest.mark.parametrize("fmt", FORMATS)
def test_good_file_loads_into_exactly_the_canonical_columns(tmp_path: Path, fmt: str) -> None:
    path = write_rows(tmp_path / f"p.{fmt}", GOOD, columns=PREFERENCE_COLUMNS)
    table = read_preferences(path, items_table(tmp_path))
    assert list(table.columns) == PREFERENCE_COLUMNS
    assert table.to_dict("records") == EXPECTED


def test_csv_and_jsonl_give_the_same_table(tmp_path: Path) -> None:
    from_csv = read_preferences(write_rows(tmp_path / "p.csv", GOOD, columns=PREFERENCE_COLUMNS))
    from_jsonl = read_preferences(write_rows(tmp_path / "p.jsonl", GOOD))
    pd.testing.assert_frame_equal(from_csv, from_jsonl)


def test_derived_column_is_optional(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "p.csv", [choice("c1", "c2", "a")], columns=REQUIRED)
    table = read_preferences(path)
    assert list(table.columns) == PREFERENCE_COLUMNS
    assert table.loc[0, "derived"] == ""


def test_csv_keeps_ids_as_text(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "p.csv",
        [choice("001", "2", "a", criterion="empathy", rater="0042", pair="10", framework="empathetic_dialogues")],
    )
    row = read_preferences(path).iloc[0]
    assert (row.pair_id, row.item_a, row.item_b, row.rater_id) == ("10", "001", "2", "0042")


def test_read_labels_carries_the_preferences(tmp_path: Path) -> None:
    items = write_rows(tmp_path / "items.jsonl", ITEMS)
    ratings = write_rows(tmp_path / "r.csv", [rating("c1", "validating_emotions", 4)])
    preferences = write_rows(tmp_path / "p.jsonl", GOOD)
    labels = read_labels(ratings, items, preferences=preferences)
    assert labels.preferences.to_dict("records") == EXPECTED
    assert labels.framework("epitome").preferences.pair_id.tolist() == ["7"]
    assert labels.framework("lend_an_ear").preferences.pair_id.tolist() == ["c1|c2"] * 3 + ["c3 vs c1"]
    alone = read_labels(ratings)  # no preferences: an empty table with the canonical columns
    assert list(alone.preferences.columns) == PREFERENCE_COLUMNS and alone.preferences.empty
    assert list(alone.ratings.columns[: len(RATING_COLUMNS)]) == RATING_COLUMNS


def test_read_labels_checks_preferences_against_the_items(tmp_path: Path) -> None:
    items = write_rows(tmp_path / "items.jsonl", ITEMS)
    ratings = write_rows(tmp_path / "r.csv", [rating("c1", "validating_emotions", 4)])
    preferences = write_rows(tmp_path / "p.jsonl", [choice("c1", "c9", "a")])
    with pytest.raises(InputError) as caught:
        read_labels(ratings, items, preferences=preferences)
    assert_names(caught.value, preferences, "line 1", "item_b 'c9' is an unknown item", "add the item")


# ---------------------------------------------------------------- bad files: file, row, fix


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_file(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"p.{fmt}"
    path.write_bytes(b"")
    assert str(refused(path)) == f"{path}: empty file. Fix: the file needs a header and at least one row"


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_column(tmp_path: Path, fmt: str) -> None:
    rows = [{k: v for k, v in choice("c1", "c2", "a").items() if k != "criterion"}]
    path = write_rows(tmp_path / f"p.{fmt}", rows)
    assert str(refused(path)) == (
        f"{path}: missing column(s) criterion. Fix: the canonical columns are "
        "pair_id, item_a, item_b, framework, criterion, rater_id, rater_group, choice"
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("picked", ["A", "left", "Tie", ""])
def test_invalid_choice(tmp_path: Path, fmt: str, picked: str) -> None:
    path = write_rows(tmp_path / f"p.{fmt}", [choice("c1", "c2", "a"), choice("c1", "c2", picked, rater="bob")])
    assert_names(
        refused(path),
        path,
        row_name(fmt, 2),
        f"field 'choice': {picked!r} is not a, b or tie",
        "write a, b or tie (lower case)",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_criterion_lists_the_dimensions_and_overall(tmp_path: Path, fmt: str) -> None:
    path = write_rows(tmp_path / f"p.{fmt}", [choice("c1", "c2", "a", criterion="empathy")])
    assert_names(
        refused(path), path, row_name(fmt, 1), "unknown criterion 'empathy' for rubric 'lend_an_ear'", LAE_CRITERIA
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_overall_without_an_overall_score(tmp_path: Path, fmt: str) -> None:
    path = write_rows(tmp_path / f"p.{fmt}", [choice("p1", "p2", "a", framework="epitome")])
    err = refused(path)
    assert_names(
        err,
        path,
        row_name(fmt, 1),
        "unknown criterion 'overall' for rubric 'epitome' (the rubric defines no overall score)",
        "use one of: level_emotional_reactions, level_interpretations, level_explorations",
    )
    assert "overall" not in err.fix


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_framework(tmp_path: Path, fmt: str) -> None:
    path = write_rows(tmp_path / f"p.{fmt}", [choice("c1", "c2", "a", framework="lend_an_eer")])
    assert_names(
        refused(path),
        path,
        row_name(fmt, 1),
        "unknown framework 'lend_an_eer'",
        "use a rubric id: care, empathetic_dialogues, epitome, lend_an_ear, perceived_empathy",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_rater_group(tmp_path: Path, fmt: str) -> None:
    path = write_rows(tmp_path / f"p.{fmt}", [choice("c1", "c2", "a", group="experts")])
    assert_names(
        refused(path),
        path,
        row_name(fmt, 1),
        "field 'rater_group': Input should be 'expert', 'crowd', 'self', 'recorded' or 'judge'",
        "correct the value",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_item_paired_with_itself(tmp_path: Path, fmt: str) -> None:
    path = write_rows(tmp_path / f"p.{fmt}", [choice("c1", "c2", "a"), choice("c1", "c1", "tie", pair="x")])
    assert_names(
        refused(path),
        path,
        row_name(fmt, 2),
        "item 'c1' is paired with itself (item_a = item_b)",
        "pair two different items, or leave the row out",
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("side", ["item_a", "item_b"])
def test_unknown_item_names_its_side(tmp_path: Path, fmt: str, side: str) -> None:
    a, b = ("c9", "c2") if side == "item_a" else ("c1", "c9")
    path = write_rows(tmp_path / f"p.{fmt}", [choice("c1", "c2", "a"), choice(a, b, "a")])
    assert_names(
        refused(path, items_table(tmp_path)),
        path,
        row_name(fmt, 2),
        f"{side} 'c9' is an unknown item",
        f"add the item to the items file or correct {side}",
    )


def test_unknown_items_are_not_checked_without_items(tmp_path: Path) -> None:
    assert len(read_preferences(write_rows(tmp_path / "p.jsonl", [choice("c8", "c9", "a")]))) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_pair_of_items_of_different_frameworks(tmp_path: Path, fmt: str) -> None:
    path = write_rows(tmp_path / f"p.{fmt}", [choice("c1", "p1", "a")])
    assert_names(
        refused(path, items_table(tmp_path)),
        path,
        row_name(fmt, 1),
        "the pair's items belong to different frameworks (item_a 'c1': lend_an_ear; item_b 'p1': epitome)",
        "pair two items of the same framework",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_pair_of_another_framework_than_the_row(tmp_path: Path, fmt: str) -> None:
    path = write_rows(tmp_path / f"p.{fmt}", [choice("p1", "p2", "a", criterion="validating_emotions")])
    assert_names(
        refused(path, items_table(tmp_path)),
        path,
        row_name(fmt, 1),
        "item_a 'p1' is an item of epitome, not of the row's framework 'lend_an_ear'",
        "correct framework, or pair two items of the row's framework",
    )


def test_an_item_id_in_two_frameworks_pairs_in_either(tmp_path: Path) -> None:
    items = read_items(
        write_rows(tmp_path / "items.jsonl", [*ITEMS, {"item_id": "c1", "framework": "epitome", "text": CONVERSATION}])
    )
    path = write_rows(
        tmp_path / "p.jsonl", [choice("c1", "p1", "b", criterion="level_explorations", framework="epitome")]
    )
    assert read_preferences(path, items).framework.tolist() == ["epitome"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_duplicate_pair_rater_criterion(tmp_path: Path, fmt: str) -> None:
    rows = [choice("c1", "c2", "a"), choice("c1", "c2", "a", rater="bob"), choice("c1", "c2", "b")]
    path = write_rows(tmp_path / f"p.{fmt}", rows)
    assert_names(
        refused(path),
        path,
        row_name(fmt, 3),
        f"duplicate of {row_name(fmt, 1)} (pair_id=c1|c2, rater_id=alice, criterion=overall)",
        "keep one row per (pair_id, rater_id, criterion)",
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("a", "b"), [("c1", "c3"), ("c2", "c1")], ids=["other-item", "swapped"])
def test_one_pair_id_for_two_pairs(tmp_path: Path, fmt: str, a: str, b: str) -> None:
    rows = [
        choice("c1", "c2", "a", pair="p"),
        choice("c2", "c3", "a", pair="q"),
        choice(a, b, "a", pair="p", rater="bob"),
    ]
    path = write_rows(tmp_path / f"p.{fmt}", rows)
    assert_names(
        refused(path),
        path,
        row_name(fmt, 3),
        f"pair 'p' is (item_a={a}, item_b={b}) here but (item_a=c1, item_b=c2) on {row_name(fmt, 1)}",
        "give each pair_id one item_a and one item_b, in the same order on every row",
    )


@pytest.mark.parametrize("field", ["choice", "item_a", "pair_id", "rater_id", "derived"])
def test_a_jsonl_boolean_is_refused(tmp_path: Path, field: str) -> None:
    row = {**choice("c1", "c2", "a"), field: True}
    path = write_rows(tmp_path / "p.jsonl", [row])
    fix = "write a, b or tie (lower case)" if field == "choice" else "correct the value"
    assert_names(refused(path), path, "line 1", f"field '{field}'", fix)


def test_a_csv_true_is_not_a_choice(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "p.csv", [choice("c1", "c2", True)])
    assert_names(
        refused(path), path, "data row 1", "field 'choice': 'True' is not a, b or tie", "write a, b or tie (lower case)"
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (",".join(REQUIRED).encode("utf-16") + b"\n", "not UTF-8 text"),
        (",".join(REQUIRED).encode() + b"\nc1|c2,c1,c2,lend_an_ear,overall,caf\xe9,expert,a\n", "not UTF-8 text"),
        (
            ",".join(REQUIRED).encode() + b"\nc1|c2,c1,c2,lend_an_ear,overall,alice,expert,a,extra\n",
            "line 2: 9 fields where the header has 8",
        ),
        (",".join(REQUIRED).encode() + b'\n"c1|c2,c1,c2,lend_an_ear,overall,alice,expert,a\n', "not a well-formed CSV"),
    ],
    ids=["utf-16", "latin-1", "ragged-row", "unterminated-quote"],
)
def test_files_that_are_not_clean_csv_name_the_file_and_the_fix(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    message = str(refused(path))
    assert message.startswith(str(path)) and problem in message and "Fix:" in message


def test_jsonl_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(json.dumps(choice("c1", "c2", "a")).encode("utf-16"))
    assert str(refused(path)).startswith(f"{path}: not UTF-8 text")


# ---------------------------------------------------------------- Hugging Face `datasets` (local, offline)


@pytest.fixture
def hf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`datasets`, offline, with its cache in tmp_path (not the user's home)."""
    datasets = pytest.importorskip("datasets")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf_cache")
    return datasets


def _dataset(hf, rows: list[dict[str, object]]):
    frame = pd.DataFrame([{"derived": "", **row} for row in rows], columns=PREFERENCE_COLUMNS)
    return hf.Dataset.from_pandas(frame, preserve_index=False)


def test_hub_preferences_from_a_local_parquet_folder(hf, tmp_path: Path) -> None:
    folder = tmp_path / "my_preferences"
    (folder / "data").mkdir(parents=True)
    _dataset(hf, GOOD).to_parquet(str(folder / "data" / "train-00000-of-00001.parquet"))
    table = read_hub_preferences(str(folder), items=items_table(tmp_path))
    pd.testing.assert_frame_equal(table, read_preferences(write_rows(tmp_path / "p.jsonl", GOOD)))
    assert table.to_dict("records") == EXPECTED


def test_hub_preferences_from_a_dataset_dict_saved_to_disk_picks_the_split(hf, tmp_path: Path) -> None:
    hf.DatasetDict({"train": _dataset(hf, GOOD[:3]), "test": _dataset(hf, GOOD[3:])}).save_to_disk(str(tmp_path / "dd"))
    assert read_hub_preferences(str(tmp_path / "dd"), split="test").pair_id.tolist() == ["7", "c3 vs c1"]
    with pytest.raises(InputError) as caught:
        read_hub_preferences(str(tmp_path / "dd"), split="validation")
    assert caught.value.source == str(tmp_path / "dd")
    assert 'Unknown split "validation"' in caught.value.problem


def test_hub_preferences_without_a_derived_column_or_with_nulls(hf, tmp_path: Path) -> None:
    folder = tmp_path / "nulls"
    folder.mkdir()
    frame = pd.DataFrame([{**choice("c1", "c2", "a"), "derived": None}, choice("c1", "c2", "b", rater="bob")])
    hf.Dataset.from_pandas(frame, preserve_index=False).to_parquet(str(folder / "train.parquet"))
    assert read_hub_preferences(str(folder)).derived.tolist() == ["", ""]


def test_hub_preferences_bad_row_names_the_dataset_and_row(hf, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    _dataset(hf, [GOOD[0], choice("c1", "c2", "c", rater="bob")]).to_parquet(str(folder / "train.parquet"))
    with pytest.raises(InputError) as caught:
        read_hub_preferences(str(folder))
    assert_names(
        caught.value, str(folder), "row 2", "field 'choice': 'c' is not a, b or tie", "write a, b or tie (lower case)"
    )


def test_hub_preferences_missing_column(hf, tmp_path: Path) -> None:
    folder = tmp_path / "nocol"
    folder.mkdir()
    frame = pd.DataFrame([choice("c1", "c2", "a")]).drop(columns="choice")
    hf.Dataset.from_pandas(frame, preserve_index=False).to_parquet(str(folder / "train.parquet"))
    with pytest.raises(InputError) as caught:
        read_hub_preferences(str(folder))
    assert str(caught.value) == (
        f"{folder}: missing column(s) choice. Fix: the canonical columns are "
        "pair_id, item_a, item_b, framework, criterion, rater_id, rater_group, choice"
    )
