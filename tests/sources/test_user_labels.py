"""Importing a user's own labels (CSV, JSONL, a local `datasets` folder): a good file lands in
the canonical columns; every bad input stops with the file, the row and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from empathy_bench.core.errors import InputError
from empathy_bench.sources.label_columns import ITEM_COLUMNS, OPTIONAL_RATING_COLUMNS, RATING_COLUMNS
from empathy_bench.sources.user_labels import read_hub_ratings, read_items, read_labels, read_ratings

CANONICAL = RATING_COLUMNS + OPTIONAL_RATING_COLUMNS
FORMATS = ["csv", "jsonl"]
LAE_FIX = (
    "use one of: validating_emotions, encouraging_elaboration, demonstrating_understanding, advice_giving, "
    "self_oriented, dismissing_emotions"
)


def rating(
    item: str,
    dim: str,
    value: object,
    rater: str = "alice",
    group: str = "expert",
    framework: str = "lend_an_ear",
    **extra: object,
) -> dict[str, object]:
    return {
        "item_id": item,
        "framework": framework,
        "dimension": dim,
        "rater_id": rater,
        "rater_group": group,
        "value": value,
        **extra,
    }


def write_rows(path: Path, rows: list[dict[str, object]], columns: list[str] | None = None) -> Path:
    """Write rows as CSV (pandas, so quoting is right; `columns` fixes the header) or JSONL."""
    if path.suffix == ".csv":
        pd.DataFrame(rows, columns=columns).to_csv(path, index=False)
    else:
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def row_name(fmt: str, number: int) -> str:
    """How the error names the n-th row: CSV data rows after the header, JSONL file lines."""
    return f"data row {number}" if fmt == "csv" else f"line {number}"


def assert_names(err: InputError, path: Path, where: str, problem: str, fix: str) -> None:
    message = str(err)
    assert message.startswith(f"{path}, {where}: "), message
    assert problem in err.problem
    assert err.fix.startswith(fix), err.fix
    assert f"Fix: {err.fix}" in message


GOOD = [
    rating("c1", "validating_emotions", 4, evidence="I hear you, that sounds awful."),
    rating("c1", "advice_giving", 2),
    rating("c2", "validating_emotions", 2.5, rater="crowd", group="crowd", aggregate="mean"),
    rating("c2", "level_explorations", 0, rater="007", framework="epitome"),
    rating("c3", "empathy", 5, rater="gpt-x", group="judge", framework="empathetic_dialogues"),
]


# ---------------------------------------------------------------- good files


@pytest.mark.parametrize("fmt", FORMATS)
def test_good_file_round_trips_into_the_canonical_columns(tmp_path: Path, fmt: str) -> None:
    path = write_rows(tmp_path / f"ratings.{fmt}", GOOD, columns=CANONICAL)
    table = read_ratings(path)
    assert list(table.columns) == CANONICAL
    assert table[RATING_COLUMNS].to_dict("records") == [
        {
            "item_id": "c1",
            "framework": "lend_an_ear",
            "dimension": "validating_emotions",
            "rater_id": "alice",
            "rater_group": "expert",
            "value": 4.0,
        },
        {
            "item_id": "c1",
            "framework": "lend_an_ear",
            "dimension": "advice_giving",
            "rater_id": "alice",
            "rater_group": "expert",
            "value": 2.0,
        },
        {
            "item_id": "c2",
            "framework": "lend_an_ear",
            "dimension": "validating_emotions",
            "rater_id": "crowd",
            "rater_group": "crowd",
            "value": 2.5,
        },
        {
            "item_id": "c2",
            "framework": "epitome",
            "dimension": "level_explorations",
            "rater_id": "007",
            "rater_group": "expert",
            "value": 0.0,
        },
        {
            "item_id": "c3",
            "framework": "empathetic_dialogues",
            "dimension": "empathy",
            "rater_id": "gpt-x",
            "rater_group": "judge",
            "value": 5.0,
        },
    ]
    assert table["aggregate"].tolist() == ["", "", "mean", "", ""]
    assert table.loc[0, "evidence"] == "I hear you, that sounds awful."  # the comma survives CSV quoting
    assert table["evidence"].iloc[1:].isna().all()  # empty optional cells are absent, not ""
    assert table["value"].dtype == float


def test_csv_and_jsonl_give_the_same_table(tmp_path: Path) -> None:
    from_csv = read_ratings(write_rows(tmp_path / "r.csv", GOOD, columns=CANONICAL))
    from_jsonl = read_ratings(write_rows(tmp_path / "r.jsonl", GOOD))
    pd.testing.assert_frame_equal(from_csv, from_jsonl)


def test_csv_keeps_leading_zeros_in_ids(tmp_path: Path) -> None:
    table = read_ratings(
        write_rows(tmp_path / "r.csv", [rating("007", "empathy", 3, rater="0042", framework="empathetic_dialogues")])
    )
    assert (table.loc[0, "item_id"], table.loc[0, "rater_id"]) == ("007", "0042")


def test_read_labels_with_items(tmp_path: Path) -> None:
    items = write_rows(
        tmp_path / "items.jsonl",
        [
            {
                "item_id": "c1",
                "framework": "lend_an_ear",
                "text": "Seeker: I lost my job.\nSupporter: That sounds hard.",
            },
            {
                "item_id": "c2",
                "framework": "lend_an_ear",
                "turns": [{"speaker": "Seeker", "text": "hi"}, {"speaker": "Supporter", "text": "How are you?"}],
                "metadata": {"scenario": "job loss"},
            },
        ],
    )
    ratings = write_rows(tmp_path / "r.csv", [rating("c1", "validating_emotions", 4), rating("c2", "self_oriented", 1)])
    labels = read_labels(ratings, items)
    assert list(labels.items.columns) == ITEM_COLUMNS
    assert labels.items.to_dict("records") == [
        {
            "item_id": "c1",
            "framework": "lend_an_ear",
            "source": "user",
            "target": "Supporter",
            "turns": [
                {"speaker": "Seeker", "text": "I lost my job."},
                {"speaker": "Supporter", "text": "That sounds hard."},
            ],
            "metadata": {},
        },
        {
            "item_id": "c2",
            "framework": "lend_an_ear",
            "source": "user",
            "target": "Supporter",
            "turns": [{"speaker": "Seeker", "text": "hi"}, {"speaker": "Supporter", "text": "How are you?"}],
            "metadata": {"scenario": "job loss"},
        },
    ]
    assert labels.ratings.item_id.tolist() == ["c1", "c2"]
    # without items: an empty items table with the canonical columns
    alone = read_labels(ratings)
    assert list(alone.items.columns) == ITEM_COLUMNS and alone.items.empty


# ---------------------------------------------------------------- bad ratings: file, row, fix


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_dimension(tmp_path: Path, fmt: str) -> None:
    path = write_rows(
        tmp_path / f"r.{fmt}", [rating("c1", "validating_emotions", 4), rating("c1", "validating_emotion", 4)]
    )
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert_names(
        caught.value, path, row_name(fmt, 2), "unknown dimension 'validating_emotion' for rubric 'lend_an_ear'", LAE_FIX
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_value_outside_the_scale(tmp_path: Path, fmt: str) -> None:
    path = write_rows(tmp_path / f"r.{fmt}", [rating("c1", "validating_emotions", 4), rating("c1", "advice_giving", 6)])
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert_names(
        caught.value,
        path,
        row_name(fmt, 2),
        "value 6 is outside the scale of 'advice_giving' "
        "(1 = Not at all, 2 = Slightly, 3 = Moderately, 4 = Considerably, 5 = Very much)",
        "use a whole number from 1 to 5, or mark an averaged value with the 'aggregate' column",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_value_outside_a_zero_based_scale(tmp_path: Path, fmt: str) -> None:
    path = write_rows(tmp_path / f"r.{fmt}", [rating("p1", "level_explorations", 3, framework="epitome")])
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert_names(
        caught.value,
        path,
        row_name(fmt, 1),
        "value 3 is outside the scale of 'level_explorations'",
        "use a whole number from 0 to 2",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_own_rating_between_scale_points(tmp_path: Path, fmt: str) -> None:
    # 2.5 is fine as a marked aggregate (see the good file) but not as one rater's rating
    path = write_rows(tmp_path / f"r.{fmt}", [rating("c1", "self_oriented", 2.5)])
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert_names(
        caught.value,
        path,
        row_name(fmt, 1),
        "value 2.5 is outside the scale of 'self_oriented'",
        "use a whole number from 1 to 5, or mark an averaged value",
    )


def test_empty_value_cell(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "item_id,framework,dimension,rater_id,rater_group,value\nc1,lend_an_ear,validating_emotions,alice,expert,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert_names(
        caught.value,
        path,
        "data row 1",
        "value of 'validating_emotions' is empty",
        "write a number from 1 to 5, or leave the row out",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_duplicate_item_rater_dimension(tmp_path: Path, fmt: str) -> None:
    rows = [
        rating("c1", "validating_emotions", 4),
        rating("c2", "validating_emotions", 4),
        rating("c1", "validating_emotions", 3),
    ]
    path = write_rows(tmp_path / f"r.{fmt}", rows)
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert_names(
        caught.value,
        path,
        row_name(fmt, 3),
        f"duplicate of {row_name(fmt, 1)} (item_id=c1, rater_id=alice, dimension=validating_emotions)",
        "keep one row per (item_id, rater_id, dimension)",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_rating_for_an_unknown_item(tmp_path: Path, fmt: str) -> None:
    items = write_rows(
        tmp_path / f"items.{fmt}",
        [{"item_id": "c1", "framework": "lend_an_ear", "text": "Seeker: hi\nSupporter: hello"}],
    )
    path = write_rows(
        tmp_path / f"r.{fmt}", [rating("c1", "validating_emotions", 4), rating("c9", "validating_emotions", 4)]
    )
    with pytest.raises(InputError) as caught:
        read_labels(path, items)
    assert_names(
        caught.value,
        path,
        row_name(fmt, 2),
        "rating for an unknown item 'c9' (lend_an_ear)",
        "add the item to the items file or correct item_id",
    )


def test_item_known_in_another_framework_only_is_unknown(tmp_path: Path) -> None:
    items = write_rows(tmp_path / "items.jsonl", [{"item_id": "c1", "framework": "lend_an_ear", "text": CONVERSATION}])
    path = write_rows(tmp_path / "r.jsonl", [rating("c1", "empathy", 4, framework="empathetic_dialogues")])
    with pytest.raises(InputError) as caught:
        read_labels(path, items)
    assert_names(caught.value, path, "line 1", "rating for an unknown item 'c1' (empathetic_dialogues)", "add the item")


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_file(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"r.{fmt}"
    path.write_bytes(b"")
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert str(caught.value) == f"{path}: empty file. Fix: the file needs a header and at least one row"


def test_csv_with_only_a_header(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(",".join(RATING_COLUMNS) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert str(caught.value) == f"{path}: no rows (the file is empty apart from its header). Fix: add at least one row"


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_column(tmp_path: Path, fmt: str) -> None:
    rows = [{k: v for k, v in rating("c1", "validating_emotions", 4).items() if k != "rater_group"}]
    path = write_rows(tmp_path / f"r.{fmt}", rows)
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert str(caught.value) == (
        f"{path}: missing column(s) rater_group. "
        "Fix: the canonical columns are item_id, framework, dimension, rater_id, rater_group, value"
    )


def test_jsonl_row_missing_a_field_names_its_line(tmp_path: Path) -> None:
    rows = [
        rating("c1", "validating_emotions", 4),
        {k: v for k, v in rating("c2", "validating_emotions", 4).items() if k != "value"},
    ]
    path = write_rows(tmp_path / "r.jsonl", rows)
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert_names(caught.value, path, "line 2", "field 'value': Field required", "correct the value")


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_framework(tmp_path: Path, fmt: str) -> None:
    path = write_rows(tmp_path / f"r.{fmt}", [rating("c1", "empathy", 4, framework="empathetic_dialogue")])
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert_names(
        caught.value,
        path,
        row_name(fmt, 1),
        "unknown framework 'empathetic_dialogue'",
        "use a rubric id: care, empathetic_dialogues, epitome, lend_an_ear, perceived_empathy",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_rater_group(tmp_path: Path, fmt: str) -> None:
    path = write_rows(
        tmp_path / f"r.{fmt}", [rating("c1", "empathy", 4, group="experts", framework="empathetic_dialogues")]
    )
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert_names(
        caught.value,
        path,
        row_name(fmt, 1),
        "field 'rater_group': Input should be 'expert', 'crowd', 'self', 'recorded' or 'judge'",
        "correct the value",
    )


def test_jsonl_line_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(
        json.dumps(rating("c1", "validating_emotions", 4)) + "\n\n" + '{"item_id": "c2"\n', encoding="utf-8"
    )
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert_names(
        caught.value, path, "line 3", "not valid JSON", "write one JSON object per line"
    )  # blank line 2 is skipped


def test_unsupported_file_type_and_missing_file(tmp_path: Path) -> None:
    tsv = tmp_path / "r.tsv"
    tsv.write_text("item_id\tvalue\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"r\.tsv: unsupported file type '\.tsv'\. Fix: use \.csv or \.jsonl"):
        read_ratings(tsv)
    with pytest.raises(InputError, match=r"nowhere\.csv: file not found\. Fix: check the path"):
        read_ratings(tmp_path / "nowhere.csv")


# ---------------------------------------------------------------- bad items

CONVERSATION = "Seeker: I lost my job.\nSupporter: That sounds hard."


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"item_id": "c1", "framework": "lend_an_ear"}, "the item has no conversation: give 'turns' or 'text'"),
        (
            {"item_id": "c1", "framework": "lend_an_ear", "text": "I lost my job.\nThat sounds hard."},
            "no turn by the target speaker 'Supporter'",
        ),
        (
            {
                "item_id": "c1",
                "framework": "lend_an_ear",
                "text": CONVERSATION,
                "turns": [{"speaker": "Supporter", "text": "hi"}],
            },
            "give either 'turns' or 'text', not both",
        ),
    ],
    ids=["no-conversation", "no-speaker-prefixes", "text-and-turns"],
)
def test_items_that_would_lose_or_lack_a_conversation_are_refused(tmp_path: Path, row: dict, problem: str) -> None:
    path = write_rows(tmp_path / "items.jsonl", [row])
    with pytest.raises(InputError) as caught:
        read_items(path)
    assert_names(caught.value, path, "line 1", problem, "correct the value")


def test_a_jsonl_true_is_not_the_rating_one(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "r.jsonl", [rating("c1", "validating_emotions", True)])
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert_names(caught.value, path, "line 1", "field 'value'", "correct the value")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("item_id,framework,dimension,rater_id,rater_group,value\n".encode("utf-16"), "not UTF-8 text"),
        (
            b"item_id,framework,dimension,rater_id,rater_group,value\nc1,lend_an_ear,empathy,caf\xe9,expert,3\n",
            "not UTF-8 text",
        ),
        (
            b"item_id,framework,dimension,rater_id,rater_group,value\nc1,lend_an_ear,empathy,a,expert,3,extra\n",
            "line 2: 7 fields where the header has 6",
        ),
        (
            b'item_id,framework,dimension,rater_id,rater_group,value\n"c1,lend_an_ear,empathy,a,expert,3\n',
            "not a well-formed CSV",
        ),
    ],
    ids=["utf-16", "latin-1", "ragged-row", "unterminated-quote"],
)
def test_files_that_are_not_clean_csv_name_the_file_and_the_fix(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert str(caught.value).startswith(str(path)) and problem in str(caught.value) and "Fix:" in str(caught.value)


def test_a_byte_order_mark_is_read_in_csv_and_jsonl_alike(tmp_path: Path) -> None:
    row = rating("c1", "validating_emotions", 4)
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_bytes("\ufeff".encode() + json.dumps(row).encode() + b"\n")
    assert read_ratings(jsonl).value.tolist() == [4.0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_duplicate_item(tmp_path: Path, fmt: str) -> None:
    rows = [
        {"item_id": "c1", "framework": "lend_an_ear", "text": CONVERSATION},
        {"item_id": "c2", "framework": "lend_an_ear", "text": CONVERSATION},
        {"item_id": "c1 ", "framework": "lend_an_ear", "text": CONVERSATION},  # a trailing space is the same id
    ]
    path = write_rows(tmp_path / f"items.{fmt}", rows)
    with pytest.raises(InputError) as caught:
        read_items(path)
    assert_names(
        caught.value,
        path,
        row_name(fmt, 3),
        f"duplicate of {row_name(fmt, 1)} (framework=lend_an_ear, item_id=c1)",
        "keep one row per (framework, item_id)",
    )


def test_items_missing_a_column(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "items.csv", [{"item_id": "c1", "text": "Seeker: hi"}])
    with pytest.raises(
        InputError,
        match=r"items\.csv: missing column\(s\) framework\. Fix: the canonical columns are item_id, framework",
    ):
        read_items(path)


def test_item_turn_without_a_speaker(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "items.jsonl",
        [{"item_id": "c1", "framework": "lend_an_ear", "turns": [{"speaker": "", "text": "hi"}]}],
    )
    with pytest.raises(InputError) as caught:
        read_items(path)
    assert_names(caught.value, path, "line 1", "field 'turns.0.speaker'", "correct the value")


# ---------------------------------------------------------------- Hugging Face `datasets` (local, offline)


@pytest.fixture
def hf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`datasets`, offline, with its cache in tmp_path (not the user's home)."""
    datasets = pytest.importorskip("datasets")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf_cache")
    return datasets


def _dataset(hf, rows: list[dict[str, object]]):
    frame = pd.DataFrame([{"aggregate": "", "evidence": "", **row} for row in rows], columns=CANONICAL)
    return hf.Dataset.from_pandas(frame, preserve_index=False)


def test_hub_ratings_from_a_local_parquet_folder(hf, tmp_path: Path) -> None:
    folder = tmp_path / "my_labels"
    (folder / "data").mkdir(parents=True)
    _dataset(hf, GOOD).to_parquet(str(folder / "data" / "train-00000-of-00001.parquet"))
    table = read_hub_ratings(str(folder))
    expected = read_ratings(write_rows(tmp_path / "r.jsonl", GOOD))
    pd.testing.assert_frame_equal(table, expected)


def test_hub_ratings_from_a_dataset_saved_to_disk(hf, tmp_path: Path) -> None:
    _dataset(hf, GOOD).save_to_disk(str(tmp_path / "saved"))
    table = read_hub_ratings(str(tmp_path / "saved"))
    assert list(table.columns) == CANONICAL
    assert table.value.tolist() == [4.0, 2.0, 2.5, 0.0, 5.0]
    assert table["aggregate"].tolist() == ["", "", "mean", "", ""]


def test_hub_ratings_from_a_dataset_dict_saved_to_disk_picks_the_split(hf, tmp_path: Path) -> None:
    hf.DatasetDict({"train": _dataset(hf, GOOD[:2]), "test": _dataset(hf, GOOD[2:])}).save_to_disk(str(tmp_path / "dd"))
    assert read_hub_ratings(str(tmp_path / "dd"), split="test").item_id.tolist() == ["c2", "c2", "c3"]
    with pytest.raises(InputError) as caught:
        read_hub_ratings(str(tmp_path / "dd"), split="validation")
    assert caught.value.source == str(tmp_path / "dd")
    assert 'Unknown split "validation"' in caught.value.problem


def test_hub_ratings_bad_row_names_the_dataset_and_row(hf, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    _dataset(hf, [GOOD[0], rating("c1", "advice_giving", 9)]).to_parquet(str(folder / "train.parquet"))
    with pytest.raises(InputError) as caught:
        read_hub_ratings(str(folder))
    assert_names(
        caught.value,
        str(folder),
        "row 2",
        "value 9 is outside the scale of 'advice_giving'",
        "use a whole number from 1 to 5",
    )


def test_hub_ratings_missing_column(hf, tmp_path: Path) -> None:
    folder = tmp_path / "nocol"
    folder.mkdir()
    hf.Dataset.from_pandas(pd.DataFrame([GOOD[1]]).drop(columns="dimension")).to_parquet(str(folder / "train.parquet"))
    with pytest.raises(InputError) as caught:
        read_hub_ratings(str(folder))
    assert str(caught.value) == (
        f"{folder}: missing column(s) dimension. "
        "Fix: the canonical columns are item_id, framework, dimension, rater_id, rater_group, value"
    )


def test_hub_ratings_unknown_split_or_folder(hf, tmp_path: Path) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    _dataset(hf, GOOD[:1]).to_parquet(str(folder / "train.parquet"))
    with pytest.raises(InputError, match='could not load the dataset .*Unknown split "test"'):
        read_hub_ratings(str(folder), split="test")
    with pytest.raises(InputError) as caught:
        read_hub_ratings(str(tmp_path / "absent"))
    assert caught.value.source == str(tmp_path / "absent")
    assert caught.value.fix.startswith("check the dataset id, split and revision, that you may read it")
    assert len(read_hub_ratings(str(folder))) == 1  # the good split still loads


def test_a_misspelled_framework_in_the_items_file_is_blamed_on_the_items_file(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "items.jsonl", [{"item_id": "c1", "framework": "lend_an_eer", "text": CONVERSATION}])
    with pytest.raises(InputError) as caught:
        read_items(path)
    assert_names(caught.value, path, "line 1", "unknown framework 'lend_an_eer'", "use a rubric id")


def test_an_item_with_its_own_target_speaker_reads_its_text(tmp_path: Path) -> None:
    row = {
        "item_id": "c1",
        "framework": "lend_an_ear",
        "target": "Counselor",
        "text": "Seeker: hi\nCounselor: How are you?",
    }
    table = read_items(write_rows(tmp_path / "items.jsonl", [row]))
    assert table.loc[0, "turns"] == [
        {"speaker": "Seeker", "text": "hi"},
        {"speaker": "Counselor", "text": "How are you?"},
    ]


def test_a_bad_value_in_a_csv_blames_its_own_row(tmp_path: Path) -> None:
    rows = [rating("c1", "validating_emotions", 4), rating("c2", "validating_emotions", "four")]
    path = write_rows(tmp_path / "r.csv", rows)
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert_names(caught.value, path, "data row 2", "field 'value'", "correct the value")
