"""The "Recipient perspective" table (leaderboard/recipient.py): written beside the run records,
read back, and drawn with every figure's interval and n, the yardsticks and the no-ceiling note."""

from __future__ import annotations

from pathlib import Path

from empathy_bench.leaderboard.recipient import (
    RecipientFigure,
    RecipientTable,
    read_recipient,
    recipient_lines,
    write_recipient,
)


def test_written_read_and_drawn(tmp_path: Path) -> None:
    table = RecipientTable(
        task="mibot_care",
        reference="human: the client's own CARE answers",
        figures=[
            RecipientFigure(rater="j", kind="run", figure="spearman_care", value=0.5, low=0.3, high=0.7, n=106),
            RecipientFigure(rater="j", kind="run", figure="qwk:care_01_at_ease", value=0.2, low=None, high=None, n=106),
            RecipientFigure(rater="c", kind="baseline", figure="spearman_care", value=None, low=None, high=None, n=106),
            RecipientFigure(
                rater="yardstick", kind="yardstick", figure="cronbach_alpha", value=0.91, low=0.85, high=0.94, n=106
            ),
        ],
        notes=["no leave-one-out human ceiling"],
    )
    [path] = write_recipient([table], tmp_path)
    assert path == tmp_path / "recipient" / "mibot_care.json"
    assert read_recipient(tmp_path) == [table]
    text = "\n".join(recipient_lines([table.model_dump()]))
    assert "## Recipient perspective: mibot_care" in text
    assert "| j | run | 0.50 [0.30, 0.70] (n=106) | 0.20 |" in text
    assert "| c | baseline | not defined (n=106) | – |" in text
    assert "| cronbach_alpha | 0.91 [0.85, 0.94] (n=106) |" in text
    assert "- no leave-one-out human ceiling" in text
