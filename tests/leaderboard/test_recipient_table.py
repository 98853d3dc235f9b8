"""The "Recipient perspective" tables (leaderboard/recipient.py): written beside the run records
(a partial run's apart), read back, and drawn in Markdown and by a real browser with every figure's
interval and n, each table's own wording, the yardsticks and the notes: an agreement table
(mibot_care) and an outcome table (mibot_lend_an_ear)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_page import SAMPLE, chromium, chromium_path, load  # noqa: F401 (fixtures)

from browser_support import Browser
from empathy_bench.leaderboard.page import render_page
from empathy_bench.leaderboard.recipient import (
    RecipientFigure,
    RecipientTable,
    read_recipient,
    recipient_lines,
    write_recipient,
)
from empathy_bench.pipeline.recipient_rows import COLUMNS, figure_labels


def fig(
    rater: str, rater_type: str, figure: str, value: float | None, low: float | None = None, high: float | None = None
) -> RecipientFigure:
    return RecipientFigure(rater=rater, rater_type=rater_type, figure=figure, value=value, low=low, high=high, n=106)


def agreement_table() -> RecipientTable:
    return RecipientTable(
        task="mibot_care",
        title="MIBot CARE",
        table="agreement",
        about="Agreement with the client's own answers.",
        reference="human: the client's own CARE answers",
        columns=COLUMNS["agreement"],
        labels=figure_labels(),
        figures=[
            fig("j", "run", "spearman_care", 0.5, 0.3, 0.7),
            fig("j", "run", "qwk:care_01_at_ease", 0.2),
            fig("j", "run", "mean_qwk", 0.2),
            fig("c", "baseline", "spearman_care", None),
            fig("counsellor word count", "yardstick", "spearman_care", 0.16, -0.05, 0.37),
            fig("yardstick", "yardstick", "cronbach_alpha", 0.91, 0.85, 0.94),
        ],
        notes=["no leave-one-out human ceiling"],
    )


def outcome_table() -> RecipientTable:
    return RecipientTable(
        task="mibot_lend_an_ear",
        title="MIBot through Lend an Ear",
        table="outcome",
        about="Not agreement: overall scores correlated with what the client reported.",
        reference="human: the client's own CARE answers",
        columns=COLUMNS["outcome"],
        labels=figure_labels(),
        figures=[
            fig("lex", "run", "spearman_care", -0.01, -0.2, 0.19),
            fig("lex", "run", "spearman_week_readiness", 0.33, 0.12, 0.51),
            fig("yardstick", "yardstick", "care_vs_week_readiness", 0.28, 0.12, 0.43),
        ],
        notes=["builtin-length gives every conversation the same overall score"],
    )


def test_written_read_and_drawn(tmp_path: Path) -> None:
    table = agreement_table()
    [path] = write_recipient([table], tmp_path)
    assert path == tmp_path / "recipient" / "mibot_care.json"
    assert read_recipient(tmp_path) == [table]
    text = "\n".join(recipient_lines([table.model_dump()]))
    assert "## Recipient perspective: MIBot CARE (mibot_care)" in text
    assert "Agreement with the client's own answers." in text
    assert "| rater | type | Spearman with the client's CARE score [95% CI] | mean QWK per item |" in text
    assert "| j | run | 0.50 [0.30, 0.70] (n=106) | 0.20 (n=106) |" in text
    assert "| c | baseline | not defined (n=106) | – |" in text
    assert "| counsellor word count | yardstick | 0.16 [-0.05, 0.37] (n=106) | – |" in text
    assert "| Cronbach's alpha of the client's CARE answers (over the items) | 0.91 [0.85, 0.94] (n=106) |" in text
    assert "- no leave-one-out human ceiling" in text


def test_an_outcome_table_has_its_own_columns_and_wording() -> None:
    text = "\n".join(recipient_lines([outcome_table()]))
    assert "## Recipient perspective: MIBot through Lend an Ear (mibot_lend_an_ear)" in text
    assert "Not agreement: overall scores correlated with what the client reported." in text
    header = next(line for line in text.splitlines() if line.startswith("| rater |"))
    assert header.count("|") == 2 + 7 + 1  # rater, type, CARE and the six readiness changes
    assert "Spearman with the readiness change, week − pre" in header and "QWK" not in text
    # a figure the rater has not (a readiness change) is a dash; the figures it has are in their columns
    assert "| lex | run | -0.01 [-0.20, 0.19] (n=106) | – | – | – | – | – | 0.33 [0.12, 0.51] (n=106) |" in text
    assert "| Spearman of the client's CARE score with their readiness change, week − pre | 0.28" in text


def test_a_partial_table_is_written_apart(tmp_path: Path) -> None:
    partial = outcome_table().model_copy(update={"complete": False})
    [path] = write_recipient([agreement_table(), partial], tmp_path)[1:]
    assert path == tmp_path / "partial-recipient" / "mibot_lend_an_ear.json"
    assert [t.task for t in read_recipient(tmp_path)] == ["mibot_care"]  # the board reads only complete ones


@pytest.mark.slow
def test_the_page_draws_both_recipient_tables(chromium: Browser, tmp_path: Path) -> None:  # noqa: F811
    board = json.loads(SAMPLE.read_text(encoding="utf-8"))
    board["recipient"] = [agreement_table().model_dump(), outcome_table().model_dump()]
    load(chromium, tmp_path, render_page(board))
    shown = chromium.evaluate(
        "(() => { const s = document.getElementById('recipient-section');"
        " return {hidden: s.hidden, height: s.offsetHeight, text: s.innerText,"
        " headers: [...s.querySelectorAll('table')].map((t) => t.querySelectorAll('thead th').length)}; })()"
    )
    assert not shown["hidden"] and shown["height"] > 0
    text = shown["text"]
    for visible in (
        "MIBot CARE (mibot_care)",
        "MIBot through Lend an Ear (mibot_lend_an_ear)",
        "Agreement with the client's own answers.",
        "Not agreement: overall scores correlated with what the client reported.",
        "0.50 [0.30, 0.70] (n=106)",
        "not defined (n=106)",
        "0.33 [0.12, 0.51] (n=106)",
        "Spearman with the readiness change, week − pre",
        "Cronbach's alpha of the client's CARE answers (over the items)",
        "0.91 [0.85, 0.94] (n=106)",
        "no leave-one-out human ceiling",
        "builtin-length gives every conversation the same overall score",
    ):
        assert visible in text, visible
    # per task: the raters' table (rater, type and its columns) and the yardsticks' (two columns)
    assert shown["headers"] == [4, 2, 9, 2]
    assert "NaN" not in text and "undefined" not in text and "null" not in text
