"""A recorded judge published as repeated runs (`runs` in the source card): each run loads as
rater '<id>#<k>' with run_of '<id>', the rater '<id>' itself is the median (or mean) of its
runs, and malformed or tampered cards are refused. Each test writes a small card and its own
mirror (items, one expert, three run files) into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import ChecksumError, InputError
from empathy_bench.sources.card import load_source_card
from empathy_bench.sources.label_columns import OPTIONAL_RATING_COLUMNS, RATING_COLUMNS, RUN_COLUMNS
from empathy_bench.sources.label_ratings import identical_run_files
from empathy_bench.sources.labels import load_source, rater_runs, rater_values
from empathy_bench.sources.user_labels import read_ratings
from error_support import assert_names_field  # noqa: E402
from recorded_runs_support import (  # noqa: E402
    EXPERT,
    FW,
    JUDGE,
    MEANS,
    MEDIANS,
    RUN_RATINGS,
    RUNS,
    write_source,
)


def _judge(raw: dict) -> dict:
    return raw["frameworks"][0]["raters"][1]


def _by_item(series: pd.Series) -> dict[str, float]:
    return {str(k): float(v) for k, v in series.sort_index().items()}


# ---------------------------------------------------------------- loading the runs


def test_runs_load_as_numbered_raters_with_run_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    labels = load_source(str(write_source(tmp_path, monkeypatch)))
    ratings = labels.ratings
    assert list(ratings.columns) == RATING_COLUMNS + OPTIONAL_RATING_COLUMNS
    assert OPTIONAL_RATING_COLUMNS[-1] == "run_of"
    # the card's rater order, the judge's own rating just before its runs
    assert list(pd.unique(ratings.rater_id)) == ["expert1", JUDGE, f"{JUDGE}#1", f"{JUDGE}#2", f"{JUDGE}#3"]
    runs = ratings[ratings.run_of == JUDGE]
    assert set(runs.rater_group) == {"recorded"} and set(runs["aggregate"]) == {""}
    assert runs.groupby("rater_id").size().to_dict() == {f"{JUDGE}#1": 12, f"{JUDGE}#2": 12, f"{JUDGE}#3": 11}
    assert runs.evidence.isna().all()
    # every other row: run_of ''
    others = ratings[ratings.run_of != JUDGE]
    assert set(others.run_of) == {""}
    assert set(others.rater_id) == {"expert1", JUDGE}
    # one run's values are its file's values
    first = runs[(runs.rater_id == f"{JUDGE}#1") & (runs.dimension == "relevance")]
    assert _by_item(first.set_index("item_id").value) == {"c1": 3.0, "c2": 2.0, "c3": 5.0, "c4": 1.0}
    # the empty cell of run 3 is reported, not invented
    assert f"{FW}: {RUNS[2]}: 1 empty rating cells (no rating given) left out" in labels.report
    assert len(labels.items) == 4


def test_the_rater_itself_is_the_median_of_its_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ratings = load_source(str(write_source(tmp_path, monkeypatch))).ratings
    own = ratings[ratings.rater_id == JUDGE]
    assert set(own["aggregate"]) == {"median"}
    assert set(own.rater_group) == {"recorded"} and set(own.run_of) == {""}
    assert len(own) == 12
    for dim, expected in MEDIANS.items():
        assert _by_item(rater_values(ratings, JUDGE, dim)) == expected, dim
    assert rater_values(ratings, JUDGE, "empathy").name == JUDGE
    # a single run is asked for by its own id
    assert _by_item(rater_values(ratings, f"{JUDGE}#2", "empathy")) == {"c1": 2.0, "c2": 4.0, "c3": 5.0, "c4": 3.0}


def test_runs_aggregate_mean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_source(tmp_path, monkeypatch, change=lambda raw: _judge(raw).update(runs_aggregate="mean"))
    assert load_source_card(str(path)).framework(FW).raters[1].runs_aggregate == "mean"
    ratings = load_source(str(path)).ratings
    assert set(ratings[ratings.rater_id == JUDGE]["aggregate"]) == {"mean"}
    for dim, expected in MEANS.items():
        assert _by_item(rater_values(ratings, JUDGE, dim)) == pytest.approx(expected), dim


def test_runs_aggregate_defaults_to_median(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    card = load_source_card(str(write_source(tmp_path, monkeypatch)))
    judge = card.framework(FW).raters[1]
    assert (judge.file, judge.runs, judge.runs_aggregate) == (None, RUNS, "median")
    assert judge.paths == RUNS
    assert card.framework(FW).raters[0].paths == [EXPERT]


def test_rater_runs_is_the_long_table_of_epochs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ratings = load_source(str(write_source(tmp_path, monkeypatch))).ratings
    runs = rater_runs(ratings, JUDGE)
    assert list(runs.columns) == RUN_COLUMNS
    assert sorted(runs.epoch.unique()) == [1, 2, 3]
    assert len(runs) == 35  # 3 runs x 4 items x 3 dimensions, less run 3's empty cell
    empathy = runs[runs.dimension == "empathy"].pivot(index="item_id", columns="epoch", values="value")
    assert empathy.to_dict("index") == {
        "c1": {1: 1.0, 2: 2.0, 3: 5.0},
        "c2": {1: 4.0, 2: 4.0, 3: 1.0},
        "c3": {1: 3.0, 2: 5.0, 3: 4.0},
        "c4": {1: 2.0, 2: 3.0, 3: 3.0},
    }
    # the median over epochs is the rater's own rating
    medians = runs.groupby(["dimension", "item_id"]).value.median()
    assert {d: _by_item(medians[d]) for d in MEDIANS} == MEDIANS
    # a rater without runs (or a table without run_of) has none
    for table, rater in [(ratings, "expert1"), (ratings, JUDGE + "#1"), (ratings.drop(columns="run_of"), JUDGE)]:
        none = rater_runs(table, rater)
        assert none.empty and list(none.columns) == RUN_COLUMNS


def test_byte_identical_run_files_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    distinct = write_source(tmp_path, monkeypatch, name="distinct")
    assert identical_run_files(load_source_card(str(distinct)), FW, JUDGE) == []
    copied = [RUN_RATINGS[0], RUN_RATINGS[1], RUN_RATINGS[0]]  # run 3 is run 1 again
    path = write_source(tmp_path, monkeypatch, name="copied", runs=copied)
    card = load_source_card(str(path))
    assert identical_run_files(card, FW, JUDGE) == [(1, 3)]
    assert identical_run_files(str(path), FW, JUDGE) == [(1, 3)]  # the card by id or path
    assert identical_run_files(card, FW, "expert1") == []  # no runs
    labels = load_source(str(path))
    assert (
        f"{FW}: rater '{JUDGE}': runs 1 and 3 are byte-identical files (same sha256), not independent runs"
        in labels.report
    )
    all_same = write_source(tmp_path, monkeypatch, name="all_same", runs=[RUN_RATINGS[1]] * 3)
    assert identical_run_files(load_source_card(str(all_same)), FW, JUDGE) == [(1, 2), (1, 3), (2, 3)]
    with pytest.raises(InputError, match="no rater 'gpt-y'.*use one of: expert1, gpt-x"):
        identical_run_files(card, FW, "gpt-y")


def test_runs_of_a_ratings_only_framework_give_the_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def ratings_only(raw: dict) -> None:
        fw = raw["frameworks"][0]
        del fw["items"]
        fw["raters"].reverse()  # the judge's first run lists the items

    labels = load_source(str(write_source(tmp_path, monkeypatch, change=ratings_only)))
    assert sorted(labels.items.item_id) == ["c1", "c2", "c3", "c4"]
    assert _by_item(rater_values(labels.ratings, JUDGE, "fluency")) == MEDIANS["fluency"]


def test_a_bad_value_in_a_run_names_the_run_file_and_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = [RUN_RATINGS[0], RUN_RATINGS[1].replace("c2,4,2,5", "c2,4,2,7"), RUN_RATINGS[2]]
    with pytest.raises(InputError) as caught:
        load_source(str(write_source(tmp_path, monkeypatch, runs=bad)))
    assert caught.value.source == RUNS[1]
    assert caught.value.where == "data row 2"
    assert "value 7.0 of 'fluency' is outside the scale 1..5" in caught.value.problem


def test_checksum_mismatch_on_a_run_file_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_source(tmp_path, monkeypatch)
    target = tmp_path / "data" / "runs_card" / RUNS[1]
    pinned = sha256_file(target)
    target.write_text(RUN_RATINGS[1].replace("c3,5,4,4", "c3,5,4,5"), encoding="utf-8")
    with pytest.raises(ChecksumError) as caught:
        load_source(str(path))
    message = str(caught.value)
    assert str(target) in message and pinned in message and sha256_file(target) in message
    assert "Refusing to proceed" in message


# ---------------------------------------------------------------- malformed cards


@pytest.mark.parametrize(
    ("name", "change", "field", "problem"),
    [
        (
            "file_and_runs",
            lambda raw: _judge(raw).update(file=RUNS[0]),
            "frameworks.0.raters.1",
            "rater 'gpt-x' gives both 'file' and 'runs': give 'file' for one rater file, "
            "or 'runs' for repeated runs of one judge, not both",
        ),
        (
            "neither",
            lambda raw: _judge(raw).pop("runs"),
            "frameworks.0.raters.1",
            "rater 'gpt-x' has no 'file': give 'file' (the rater's file), "
            "or for a recorded judge's repeated runs 'runs' (two or more files)",
        ),
        (
            "runs_of_an_expert",
            lambda raw: _judge(raw).update(group="expert"),
            "frameworks.0.raters.1",
            "rater 'gpt-x' of group 'expert' lists 'runs': repeated runs are only for group 'recorded' "
            "(an LLM's published ratings); give this rater one 'file', or set group: recorded",
        ),
        (
            "runs_of_a_judge",
            lambda raw: _judge(raw).update(group="judge"),
            "frameworks.0.raters.1",
            "repeated runs are only for group 'recorded'",
        ),
        (
            "undeclared_run",
            lambda raw: raw["files"].pop(3),  # the second run file is no longer listed
            "(top level)",
            f"framework '{FW}': 'runs' of rater 'gpt-x' reads ['{RUNS[1]}'], which are not listed under files "
            "with a sha256; add each run file to 'files' with its sha256, or remove it from 'runs'",
        ),
        (
            "one_run",
            lambda raw: _judge(raw).update(runs=RUNS[:1]),
            "frameworks.0.raters.1",
            "'runs' needs two or more files (repeated runs of one judge); put a single file under 'file' instead",
        ),
        (
            "run_twice",
            lambda raw: _judge(raw).update(runs=[RUNS[0], RUNS[1], RUNS[0]]),
            "frameworks.0.raters.1",
            f"rater 'gpt-x' lists ['{RUNS[0]}'] more than once under 'runs': list each run's file once",
        ),
        (
            "runs_aggregate_without_runs",
            lambda raw: raw["frameworks"][0]["raters"][0].update(runs_aggregate="mean"),
            "frameworks.0.raters.0",
            "rater 'expert1' sets 'runs_aggregate' without 'runs': remove 'runs_aggregate'",
        ),
        (
            "bad_runs_aggregate",
            lambda raw: _judge(raw).update(runs_aggregate="mode"),
            "frameworks.0.raters.1.runs_aggregate",
            "'median' or 'mean'",
        ),
        (
            "runs_with_aggregate",
            lambda raw: _judge(raw).update(aggregate="median"),
            "frameworks.0.raters.1",
            "combines 'runs' with 'aggregate'",
        ),
        (
            "runs_with_rater_column",
            lambda raw: _judge(raw).update(rater_column="worker"),
            "frameworks.0.raters.1",
            "combines 'runs' with 'rater_column'",
        ),
    ],
)
def test_malformed_runs_are_refused_naming_the_field_and_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, change, field: str, problem: str
) -> None:
    path = write_source(tmp_path, monkeypatch, name=name, change=change)
    with pytest.raises(InputError) as caught:
        load_source_card(str(path))
    fix = "use one of the allowed values" if name == "bad_runs_aggregate" else "correct the value as described"
    assert_names_field(caught.value, path, field, problem, fix)


def test_an_undeclared_rater_file_still_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_source(tmp_path, monkeypatch, name="undeclared_expert", change=lambda raw: raw["files"].pop(1))
    with pytest.raises(InputError) as caught:
        load_source_card(str(path))
    assert_names_field(
        caught.value,
        path,
        "(top level)",
        f"framework '{FW}' reads ['{EXPERT}'], which are not listed under files with a sha256; "
        "add each to 'files' with its sha256",
        "correct the value as described",
    )


# ---------------------------------------------------------------- run_of on every table


def test_every_other_ratings_table_has_an_empty_run_of(kumar, tmp_path: Path) -> None:
    assert set(kumar.ratings.run_of) == {""}
    own = tmp_path / "ratings.csv"
    own.write_text(
        "item_id,framework,dimension,rater_id,rater_group,value\nc1,empathetic_dialogues,empathy,alice,expert,4\n",
        encoding="utf-8",
    )
    table = read_ratings(own)
    assert list(table.columns) == RATING_COLUMNS + OPTIONAL_RATING_COLUMNS
    assert table.run_of.tolist() == [""]
    assert rater_runs(table, "alice").empty
