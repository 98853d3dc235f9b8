"""Transcripts written as text, one labelled message per line ("Seeker: ...\nSupporter: ..."),
read into (speaker, text) turns: the one parser for label sources, users' items and the rubrics'
own examples."""

from __future__ import annotations

from collections.abc import Collection

SEEKER, SUPPORTER = "Seeker", "Supporter"


def parse_transcript(text: str, speakers: Collection[str] | None = (SEEKER, SUPPORTER)) -> list[tuple[str, str]]:
    """'Seeker: ...\\nSupporter: ...' -> [(speaker, text)]. A line that does not start with one
    of `speakers` and a colon continues the previous turn (messages may span lines); before any
    turn, it opens one for the seeker. `speakers=None` takes any label before the first colon
    (the rubrics' examples label the rated side "Supporter" or "Response")."""
    turns: list[tuple[str, str]] = []
    for line in text.split("\n"):
        speaker, sep, rest = line.strip().partition(":")
        if sep and rest.strip() and (speaker in speakers if speakers is not None else bool(speaker.strip())):
            turns.append((speaker.strip(), rest.strip()))
        elif line.strip() and turns:
            turns[-1] = (turns[-1][0], f"{turns[-1][1]}\n{line.strip()}")
        elif line.strip():
            turns.append((SEEKER, line.strip()))
    return turns
