"""The two kinds of pydantic model the harness has, and how a validation error becomes a
message that names the file, the field and the fix.

- `FileModel`: a file a person writes (rubric, source card, task, judge): unknown fields are
  refused (a misspelt field must not be ignored) and the loaded model is frozen.
- `Record`: a record the harness writes (statistics, run summaries): an undefined statistic is
  NaN in Python and null in JSON (NaN is not JSON), and reads back from null as NaN.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from empathy_bench.core.errors import InputError
from empathy_bench.core.ids import ID_ERROR, ID_FIX
from empathy_bench.core.paths import PATH_FIXES

# What to do about each kind of pydantic error, in words a person filling in a file can act on.
FIXES = {
    "missing": "add this field",
    "extra_forbidden": "remove this field or correct its spelling",
    "literal_error": "use one of the allowed values",
    "enum": "use one of the allowed values",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "float_parsing": "write a number",
    "string_type": "write a text value (quote it in YAML)",
    ID_ERROR: ID_FIX,  # an id with a control character, or too long (core/ids.py)
    **PATH_FIXES,  # a path that leaves its folder, a folder name with '/', a path for an id (core/paths.py)
}


# An undefined statistic (the default of a Record's figures, and what its null reads back as).
NAN = float("nan")


class FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Record(BaseModel):
    model_config = ConfigDict(ser_json_inf_nan="null")

    @field_validator("*", mode="before")
    @classmethod
    def _null_is_nan(cls, value: object, info: ValidationInfo) -> object:
        annotation = cls.model_fields[info.field_name].annotation if info.field_name else None
        return float("nan") if value is None and annotation is float else value


def input_error(err: ValidationError, source: str | Path, where: str = "", fix: str | None = None) -> InputError:
    """The first problem of a validation error as an InputError: the field, what is wrong and
    the fix (`fix` overrides the generic one), with a count of the further problems. In a file
    of rows, `where` names the row and the field leads the problem; otherwise the field is the
    place."""
    first = err.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    problem = f"{first['msg']}" + (f" (and {err.error_count() - 1} more problems)" if err.error_count() > 1 else "")
    fix = fix or FIXES.get(first["type"], "correct the value as described")
    if where:
        return InputError(source, f"field '{field}': {problem}" if field else problem, fix, where)
    return InputError(source, problem, fix, f"field '{field or '(top level)'}'")
