"""The reliability table against the numbers Kumar et al. published, row by row, and the
`agreement` command."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from empathy_bench.agreement.reliability import reliability_table
from empathy_bench.cli import main

# The paper's per-dimension kappa table as the authors released it: annotations/table_kappa.csv
# of aakriti1kumar/replication-data-and-code-when-LLMs-reliable-empathic-communication at commit
# ba68e4fad8c54564b427f3db99e2805a8fc79d10 (the same 126 values the notebook at the pinned
# commit 7134581 prints as the paper's LaTeX table). Published statistics, not label data.
PUBLISHED = Path(__file__).parents[1] / "fixtures" / "kumar2025_published_qwk.csv"
# The experts' Krippendorff alpha per dimension as the paper published it: the stored output of
# analysis.ipynb (cell 12, `bootstrap_all_alphas`) at the pinned commit 7134581, three decimals.
# The authors computed it with their own function, squared differences: the interval level.
PUBLISHED_ALPHA = Path(__file__).parents[1] / "fixtures" / "kumar2025_published_expert_alpha.csv"


@pytest.fixture(scope="module")
def table(kumar):  # noqa: ANN001, ANN201
    return reliability_table(kumar, "rank", n_resamples=20, seed=0)


def test_every_published_kappa_is_reproduced_to_the_printed_precision(table) -> None:  # noqa: ANN001
    published = pd.read_csv(PUBLISHED, dtype={"qwk": str})
    ours = table.pairs.set_index(["framework", "dimension", "rater_a", "rater_b"])["qwk"]
    assert len(published) == 126
    mismatches = [
        (
            row.framework,
            row.dimension,
            row.rater_a,
            row.rater_b,
            row.qwk,
            f"{ours[(row.framework, row.dimension, row.rater_a, row.rater_b)]:.2f}",
        )
        for row in published.itertuples()
        if f"{ours[(row.framework, row.dimension, row.rater_a, row.rater_b)]:.2f}" != row.qwk
    ]
    assert mismatches == []


def test_headline_medians(table) -> None:  # noqa: ANN001
    medians = table.medians.set_index("comparison")["median_qwk"].round(2)
    assert medians["expert-expert"] == 0.58
    assert medians["experts-gemini-2.5-pro"] == 0.60
    assert medians["experts-crowd"] == 0.33
    assert table.medians.set_index("comparison")["n_comparisons"]["expert-expert"] == 63  # 21 dims x 3 pairs


def test_value_categories_differ_from_rank_only_where_aggregates_are_fractional(kumar) -> None:  # noqa: ANN001
    by_value = reliability_table(kumar.framework("lend_an_ear"), "value", n_resamples=10).pairs
    by_rank = reliability_table(kumar.framework("lend_an_ear"), "rank", n_resamples=10).pairs
    merged = by_rank.merge(by_value, on=["dimension", "rater_a", "rater_b"], suffixes=("_rank", "_value"))
    experts = merged[(merged.rater_a.str.match(r"expert\d")) & (merged.rater_b.str.match(r"expert\d"))]
    # Integer ratings whose values together form a run of consecutive integers: rank codes are
    # the values shifted, so both weightings give the same kappa. Where a pair skips a scale
    # point (e.g. uses 1, 2 and 4), ranks and values differ and so may the kappas.
    own = kumar.framework("lend_an_ear").ratings
    consecutive = []
    for row in experts.itertuples():
        values = own[(own.dimension == row.dimension) & own.rater_id.isin([row.rater_a, row.rater_b])].value.unique()
        consecutive.append(len(values) == values.max() - values.min() + 1)
    same = experts[consecutive]
    assert len(same) > 0
    assert (same.qwk_rank - same.qwk_value).abs().max() < 1e-12
    crowd = merged[merged.rater_b == "crowd"]
    assert (crowd.qwk_rank - crowd.qwk_value).abs().max() > 0.01  # crowd means such as 2.33


def test_every_published_expert_alpha_is_reproduced_at_the_interval_level(table) -> None:  # noqa: ANN001
    published = pd.read_csv(PUBLISHED_ALPHA).set_index(["framework", "dimension"])["alpha"]
    assert len(published) == 21
    experts = table.alpha[table.alpha.group == "expert"]
    interval = experts[experts.level == "interval"].set_index(["framework", "dimension"])["alpha"]
    ordinal = experts[experts.level == "ordinal"].set_index(["framework", "dimension"])["alpha"]
    assert (interval.reindex(published.index) - published).abs().max() < 0.0005  # rounding of the third decimal
    # The ordinal level is a different statistic, not a rounding of the published one.
    assert (ordinal.reindex(published.index) - published).abs().max() > 0.05


def test_agreement_command_writes_csv_with_the_documented_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "table.csv"
    assert (
        main(
            [
                "agreement",
                "--source",
                "kumar2025",
                "--framework",
                "epitome",
                "--format",
                "csv",
                "--resamples",
                "20",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    pairs = [r for r in rows if r["table"] == "pairs"]
    assert set(
        "framework,dimension,rater_a,rater_b,n,qwk,qwk_low,qwk_high,spearman,spearman_low,spearman_high".split(",")
    ) <= set(pairs[0])
    assert len(pairs) == 3 * 28  # 3 dimensions x C(8, 2) rater pairs
    assert {r["framework"] for r in rows if r["framework"]} == {"epitome"}
    alpha = {(r["dimension"], r["level"]) for r in rows if r["table"] == "alpha" and r["group"] == "expert"}
    assert alpha == {
        (d, lv)
        for d in ("level_emotional_reactions", "level_interpretations", "level_explorations")
        for lv in ("interval", "ordinal")
    }
    assert {r["table"] for r in rows} == {"pairs", "alpha", "ceiling", "medians"}
    assert capsys.readouterr().out.startswith("table,framework,dimension,rater_a,rater_b")


def test_a_rater_name_a_spreadsheet_would_evaluate_stays_text_in_the_agreement_csv() -> None:
    from empathy_bench.cli.labels_commands import render_tables

    pairs = pd.DataFrame(
        {
            "rater_a": ['=HYPERLINK("http://x")', "expert1"],
            "rater_b": ["@SUM(A1)", "crowd"],
            "n": [3, 4],
            "qwk": [-0.25, 0.5],
        }
    )
    rows = list(csv.DictReader(io.StringIO(render_tables({"pairs": pairs}, "csv"))))
    assert [(r["rater_a"], r["rater_b"], r["n"], r["qwk"]) for r in rows] == [
        ('\'=HYPERLINK("http://x")', "'@SUM(A1)", "3", "-0.2500"),
        ("expert1", "crowd", "4", "0.5000"),
    ]


def test_agreement_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agreement", "--framework", "epitome", "--format", "json", "--resamples", "10"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"pairs", "alpha", "ceiling", "medians"}
    alpha = {(r["dimension"], r["group"]): r for r in result["alpha"]}
    assert alpha[("level_explorations", "expert")]["n_raters"] == 3


def test_unknown_framework_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agreement", "--framework", "epitomee"]) == 2
    err = capsys.readouterr().err
    assert (
        "no framework 'epitomee'" in err
        and "use one of: lend_an_ear, epitome, empathetic_dialogues, perceived_empathy" in err
    )
