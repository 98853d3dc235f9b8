"""The board as a pivot of the records' statistics: a figure a row has reaches its field, one it
lacks is empty (a record from elsewhere may lack any: no crash, no guess), and a record whose
figures could be taken for each other is refused naming its file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from empathy_bench.agreement.preference import PreferenceAgreement
from empathy_bench.agreement.spread import Spread
from empathy_bench.agreement.statistics import Stat, Statistics
from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir
from empathy_bench.leaderboard.bias_table import bias_dimension_rows, bias_rows
from empathy_bench.leaderboard.board import build
from empathy_bench.leaderboard.compare_table import preference_row
from empathy_bench.leaderboard.record import RunRecord, read_records, write_records
from record_support import set_figures

RUNS = project_dir() / "results" / "runs"


def _data(task: str, name: str) -> dict:
    return json.loads((RUNS / task / f"{name}.json").read_text(encoding="utf-8"))


def _record(data: dict) -> RunRecord:
    return RunRecord.model_validate(data)


def _overall_row(data: dict, tmp_path: Path) -> dict:
    """The board's overall row of one record, built alone from a results folder of its own."""
    results = tmp_path / "results"
    write_records([_record(data)], results / "runs")
    [row] = build(results)["overall"]
    return row


def test_a_compare_rows_spread_reaches_the_board() -> None:
    """A compare row's spread is recorded on its criterion and read back on it: 0.60 and 0.72."""
    data = _data("lend_an_ear_compare", "builtin-lexicon-compare")
    typed = PreferenceAgreement(
        task="lend_an_ear_compare",
        rater="builtin-lexicon-compare",
        rater_type="run",
        criterion="overall",
        from_ratings=False,
        n_pairs=30,
        n_verdicts=60,
        n_no_reference=0,
        accuracy=0.66,
        spread=Spread(unit="epoch", values=[0.72, 0.6, float("nan")], low=0.6, high=0.72),
    )
    data["agreement"] = json.loads(typed.statistics().model_dump_json())
    row = preference_row(_record(data), _record(data).agreement)
    assert (row["spread"], row["spread_low"], row["spread_high"], row["spread_n"]) == ("0.60\u20130.72", 0.6, 0.72, 3)
    assert row["spread_unit"] == "epoch" and row["accuracy"] == 0.66


def test_a_row_is_equal_to_its_copy_after_a_lookup() -> None:
    found = _record(_data("lend_an_ear", "gpt-4o")).agreement
    again = Statistics.model_validate_json(found.model_dump_json())
    assert found.value("qwk") == again.value("qwk") and found == again  # the lookup index is no field


def test_two_figures_under_one_key_are_refused_naming_the_file(tmp_path: Path) -> None:
    data = _data("lend_an_ear", "gpt-4o")
    first = next(
        s for s in data["agreement"]["stats"] if s["metric"] == "qwk" and s.get("criterion") == "validating_emotions"
    )
    data["agreement"]["stats"].append(dict(first, value=0.99))
    (tmp_path / "lend_an_ear").mkdir()
    path = tmp_path / "lend_an_ear" / "gpt-4o.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_records(tmp_path)
    assert str(path) in str(err.value) and "two figures are 'qwk on validating_emotions'" in str(err.value)
    with pytest.raises(ValueError, match="two figures are 'qwk'"):
        Statistics(task="t", rater="r", rater_type="run", stats=(Stat(metric="qwk", value=0.1, n=3),) * 2)


def test_a_probe_row_without_its_companion_figures_leaves_them_empty() -> None:
    """A submitted probe record that lacks the flip rates and the overall score's effect: the
    dimension rows show what it has and None for the rest; the headline row has no change."""
    data = _data("lend_an_ear", "builtin-lexicon@probe-length")
    data["agreement"]["stats"] = [s for s in data["agreement"]["stats"] if s["metric"] != "flip_rate"]
    data["agreement"]["stats"] = [s for s in data["agreement"]["stats"] if s.get("criterion") != "overall_score"]
    rec = _record(data)
    rows = bias_dimension_rows([rec])
    assert rows and all(r["flip_rate"] is None and r["mean_change"] is not None for r in rows)
    [row] = bias_rows([rec])
    assert "lengthened_change" not in row


@pytest.mark.parametrize(
    ("conditions", "why"),
    [(["epoch 1"], "one repeat"), (["trial 1", "trial 2"], "no such unit"), (["epoch 1", "run 2"], "two units")],
)
def test_a_spread_that_is_no_spread_is_left_out(conditions: list[str], why: str, tmp_path: Path) -> None:
    data = _data("lend_an_ear", "builtin-lexicon")
    data["agreement"]["stats"] += [{"metric": "headline", "value": 0.5, "n": 50, "condition": c} for c in conditions]
    row = _overall_row(data, tmp_path)
    assert (row["spread"], row["spread_n"]) == (None, None), why


def test_a_changed_figure_moves_only_its_field(tmp_path: Path) -> None:
    """The pivot reads each field from its own figure: the mean QWK edited to 0.123 moves `qwk`
    and nothing else of the row."""
    data = _data("lend_an_ear", "builtin-lexicon")
    before = _overall_row(data, tmp_path / "before")
    after = _overall_row(set_figures(data, qwk=0.123), tmp_path / "after")
    assert {k for k in before if before[k] != after[k]} == {"qwk"} and after["qwk"] == 0.123
