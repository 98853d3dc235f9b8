"""What an id read from an untrusted file may be: the one rule for item ids, rater ids, pair ids
and dimension or criterion names, whether they come from a source card's data files or a team's
own label files.

An id is printable text of at most `MAX_ID_LENGTH` characters. Control characters (tabs, line
breaks, escape codes: Unicode category Cc), the line and paragraph separators U+2028/U+2029 and
the bidirectional-text controls are refused: an id is written into terminals, HTML pages, eval
logs and CSV files, where such characters break lines or rows, recolour a terminal or show a
different id than the one stored. Over-long ids are refused because every sample an id names
would fail later (inspect limits a sample id to 65,535 characters), after `validate` passed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from empathy_bench.core.errors import InputError

MAX_ID_LENGTH = 512
# C0 and C1 controls (category Cc), U+2028/U+2029, and the bidirectional formatting characters
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ID_RULE = f"an id is printable text of at most {MAX_ID_LENGTH} characters"
ID_FIX = (
    f"write the id as printable text of at most {MAX_ID_LENGTH} characters: no tabs, line breaks, "
    "escape codes or other control characters"
)
ID_ERROR = "invalid_id"  # the pydantic error type of a refused id (see `Id`)


def control_character(text: str) -> str | None:
    """'U+0007 at character 3' for the first control character of `text`, or None."""
    found = CONTROL.search(text)
    return None if found is None else f"U+{ord(found.group()):04X} at character {found.start() + 1}"


def id_problem(value: str) -> str | None:
    """What is wrong with an id, or None when it is acceptable."""
    if len(value) > MAX_ID_LENGTH:
        return f"is {len(value):,} characters long ({ID_RULE})"
    if (where := control_character(value)) is not None:
        return f"contains the control character {where} ({ID_RULE})"
    return None


def check_id(value: object, *, source: str | Path, field: str, where: str = "") -> None:
    """Raise an InputError naming the file, the row (`where`) and the field when a text id breaks
    the rule; values that are not text (an empty CSV cell read as NaN) are left to the caller."""
    if isinstance(value, str) and (problem := id_problem(value)) is not None:
        raise InputError(source, f"{field} {problem}", ID_FIX, where)


def _valid_id(value: str) -> str:
    if (problem := id_problem(value)) is not None:
        # the problem goes in the context, not the template: it is text, never a format string
        raise PydanticCustomError(ID_ERROR, "{problem}", {"problem": problem})
    return value


# A text field that holds an id: refused by the same rule at validation.
Id = Annotated[str, AfterValidator(_valid_id)]
