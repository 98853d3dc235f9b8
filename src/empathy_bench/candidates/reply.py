"""The reply contract of a rating judge: one `<rating dimension="ID">N</rating>` per requested
dimension. A reply that breaks it leaves the dimension unscored with a reason code (counted, shown,
never turned into a number) and a message that says what was wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from empathy_bench.sources.rubric import Rubric

RATING_RE = re.compile(r'<rating(?:\s+dimension="([a-z0-9_]*)")?\s*>\s*([^<]*?)\s*</rating>', re.I)

# Why a requested rating is unscored. `truncated`, `bad_reply` and `sample_error` are set by the
# scorer and the log reader (the reply was cut at max_tokens; the provider's answer had nothing
# to read, e.g. no choices; the sample failed before any reply).
UnscoredCode = Literal[
    "empty_reply", "no_tag", "conflicting", "not_whole", "off_scale", "truncated", "bad_reply", "sample_error"
]
UNSCORED_CODES: tuple[UnscoredCode, ...] = (
    "empty_reply",
    "no_tag",
    "conflicting",
    "not_whole",
    "off_scale",
    "truncated",
    "bad_reply",
    "sample_error",
)


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
    if not reply.strip():
        return ParsedReply({}, {d: Unscored("empty_reply", "empty reply") for d in dimension_ids})
    found: dict[str, list[str]] = {}
    for dim, raw in RATING_RE.findall(reply):
        key = dim or (dimension_ids[0] if len(dimension_ids) == 1 else "")
        found.setdefault(key, []).append(raw)
    values, unscored = {}, {}
    for dim in dimension_ids:
        outcome = _one_rating(found.get(dim, []), rubric, dim)
        if isinstance(outcome, int):
            values[dim] = outcome
        else:
            unscored[dim] = outcome
    return ParsedReply(values, unscored)


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
