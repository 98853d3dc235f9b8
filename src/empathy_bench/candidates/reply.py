"""The reply contracts: a rating judge answers one `<rating dimension="ID">N</rating>` per
requested dimension, a compare judge one `<preference criterion="ID">X</preference>` per criterion
(X = A, B or, where allowed, tie). A reply that breaks its contract leaves the dimension or
criterion unscored with a reason code (counted, shown, never turned into a number or a choice)
and a message that says what was wrong."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from empathy_bench.sources.rubric import Rubric

RATING_RE = re.compile(r'<rating(?:\s+dimension="([a-z0-9_]*)")?\s*>\s*([^<]*?)\s*</rating>', re.I)

# Why a requested rating is unscored. `truncated`, `bad_reply` and `sample_error` are set by the
# scorer and the log reader (the reply was cut at max_tokens; the provider's answer had nothing
# to read, e.g. no choices; the sample failed before any reply).
# `not_a_choice`: a preference that is not A, B or an allowed tie. `not_json`, `bad_feedback`,
# `unknown_dimension`: a coach's feedback that breaks its contract (candidates/feedback.py).
UnscoredCode = Literal[
    "empty_reply",
    "no_tag",
    "conflicting",
    "not_whole",
    "off_scale",
    "not_a_choice",
    "not_json",
    "bad_feedback",
    "unknown_dimension",
    "truncated",
    "bad_reply",
    "sample_error",
]
UNSCORED_CODES: tuple[UnscoredCode, ...] = (
    "empty_reply",
    "no_tag",
    "conflicting",
    "not_whole",
    "off_scale",
    "not_a_choice",
    "not_json",
    "bad_feedback",
    "unknown_dimension",
    "truncated",
    "bad_reply",
    "sample_error",
)
PREFERENCE_RE = re.compile(r'<preference(?:\s+criterion="([a-z0-9_]*)")?\s*>\s*([^<]*?)\s*</preference>', re.I)
SlotChoice = Literal["A", "B", "tie"]


@dataclass(frozen=True)
class Unscored:
    code: UnscoredCode
    message: str


@dataclass(frozen=True)
class ParsedReply:
    values: dict[str, int]  # dimension -> rating, for the dimensions that parsed
    unscored: dict[str, Unscored]  # dimension -> why it could not be scored


def parse_reply(reply: str, rubric: Rubric, dimension_ids: list[str]) -> ParsedReply:
    """Strictly read `<rating dimension="ID">N</rating>` for each requested dimension. A
    missing, repeated-with-different-values, non-integer or out-of-scale rating leaves that
    dimension unscored with the reason; nothing is ever guessed or defaulted to a number.
    When one dimension is requested, a bare `<rating>N</rating>` is accepted too."""
    values, unscored = _parse(reply, RATING_RE, dimension_ids, lambda raws, dim: _one_rating(raws, rubric, dim))
    return ParsedReply(values, unscored)


Outcome = TypeVar("Outcome")


def _parse(
    reply: str, pattern: re.Pattern[str], asked: list[str], read: Callable[[list[str], str], Outcome | Unscored]
) -> tuple[dict[str, Outcome], dict[str, Unscored]]:
    """The one reading of both contracts: every tag of `pattern` collected per requested key (a
    bare tag counts for the only key asked), then each key read by `read` from its tags' values."""
    if not reply.strip():
        return {}, {key: Unscored("empty_reply", "empty reply") for key in asked}
    found: dict[str, list[str]] = {}
    for key, raw in pattern.findall(reply):
        found.setdefault(key or (asked[0] if len(asked) == 1 else ""), []).append(raw)
    values: dict[str, Outcome] = {}
    unscored: dict[str, Unscored] = {}
    for key in asked:
        outcome = read(found.get(key, []), key)
        if isinstance(outcome, Unscored):
            unscored[key] = outcome
        else:
            values[key] = outcome
    return values, unscored


def _one_rating(raws: list[str], rubric: Rubric, dim: str) -> int | Unscored:
    if not raws:
        return Unscored("no_tag", f'no <rating dimension="{dim}"> tag in the reply')
    if len(set(raws)) > 1:
        return Unscored("conflicting", f"conflicting ratings {sorted(set(raws))}")
    raw = raws[0]
    if not re.fullmatch(r"-?\d+", raw):
        return Unscored("not_whole", f"rating '{raw[:40]}' is not a whole number")
    scale = rubric.scale_of(dim)
    value = int(raw)
    if not scale.min <= value <= scale.max:
        return Unscored("off_scale", f"rating {value} is outside the scale {scale.min}..{scale.max}")
    return value


@dataclass(frozen=True)
class ParsedPreference:
    values: dict[str, SlotChoice]  # criterion -> the slot chosen (A = shown first) or tie
    unscored: dict[str, Unscored]


def parse_preference(reply: str, criteria: list[str], allow_tie: bool) -> ParsedPreference:
    """Strictly read `<preference criterion="ID">X</preference>` per criterion, X being A or B
    (case-insensitive) or, when the task allows it, tie. Anything else leaves the criterion
    unscored with the reason; a choice is never guessed. When one criterion is asked, a bare
    `<preference>X</preference>` is accepted too."""
    values, unscored = _parse(reply, PREFERENCE_RE, criteria, lambda raws, c: _one_choice(raws, c, allow_tie))
    return ParsedPreference(values, unscored)  # type: ignore[arg-type]


def _one_choice(raws: list[str], criterion: str, allow_tie: bool) -> SlotChoice | Unscored:
    raws = [raw.strip().lower() for raw in raws]
    if not raws:
        return Unscored("no_tag", f'no <preference criterion="{criterion}"> tag in the reply')
    if len(set(raws)) > 1:
        return Unscored("conflicting", f"conflicting choices {sorted(set(raws))}")
    allowed = {"a": "A", "b": "B"} | ({"tie": "tie"} if allow_tie else {})
    if raws[0] not in allowed:
        return Unscored("not_a_choice", f"'{raws[0][:40]}' is not one of {', '.join(allowed.values())}")
    return allowed[raws[0]]  # type: ignore[return-value]
