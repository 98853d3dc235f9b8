"""Source cards: where a label source's files live, their checksums, and how their columns
map onto items and ratings. The card is data; the loader (labels.py) follows it."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field, model_validator

from empathy_bench.core.errors import InputError
from empathy_bench.core.models import FileModel
from empathy_bench.core.project import load_named

# Who rated. `recorded`: ratings an LLM produced in a published study; `judge`: a judge's
# ratings a user brings in their own files. The human groups are the first three.
RaterGroup = Literal["expert", "crowd", "self", "recorded", "judge"]
HUMAN_GROUPS: tuple[RaterGroup, ...] = ("expert", "crowd", "self")


class DataFile(FileModel):
    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class TextSpec(FileModel):
    """How an item's conversation is written in its file."""

    format: Literal["transcript", "post_response"]
    column: str | None = None  # transcript: one column of 'Speaker: text' lines
    post_column: str | None = None  # post_response: the seeker's post ...
    response_column: str | None = None  # ... and the supporter's reply
    replace: dict[str, str] = {}  # release quirks, e.g. EmpatheticDialogues writes ',' as '_comma_'


class ItemsSpec(FileModel):
    file: str
    text: TextSpec
    metadata_columns: list[str] = []


class RaterSpec(FileModel):
    """One rater file. Wide files have one column per dimension; `dimension` + `value_column`
    read a file that holds a single dimension; `rater_column` reads per-rater rows."""

    id: str
    group: RaterGroup
    file: str
    key: list[str] | None = None  # columns matching the item, when fewer than the framework's key
    rater_column: str | None = None
    aggregate: Literal["mean", "median", "adjudicated"] | None = None
    dimension: str | None = None
    value_column: str | None = None
    evidence_suffix: str | None = None  # wide files: '<dimension><suffix>' holds a quote
    evidence_column: str | None = None  # single-dimension files: the quote column

    @model_validator(mode="after")
    def _single_dimension_pair(self) -> RaterSpec:
        if (self.dimension is None) != (self.value_column is None):
            raise ValueError(
                "give 'dimension' and 'value_column' together (single-dimension file) or neither (wide file)"
            )
        return self


class Duplicates(FileModel):
    """What to do with rows that repeat an (item, rater, dimension): the policy is stated in
    the card so the load report can say how many rows each rule touched."""

    policy: Literal["error", "collapse_identical_drop_conflicts"] = "error"


class FrameworkSpec(FileModel):
    id: str
    rubric: str
    key: list[str] = Field(min_length=1)
    items: ItemsSpec | None = None  # None: ratings only (the text is not released)
    raters: list[RaterSpec] = Field(min_length=1)
    duplicates: Duplicates = Duplicates()


class SourceCard(FileModel):
    id: str
    title: str
    citation: str
    license: str
    homepage: str
    revision: str
    base_url: str  # file URL = base_url + path
    mirror_dir: str  # folder name under $EMPATHY_BENCH_DATA
    notes: str = ""
    files: list[DataFile] = Field(min_length=1)
    frameworks: list[FrameworkSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _files_declared(self) -> SourceCard:
        declared = {f.path for f in self.files}
        for fw in self.frameworks:
            used = [r.file for r in fw.raters] + ([fw.items.file] if fw.items else [])
            undeclared = [f for f in used if f not in declared]
            if undeclared:
                raise ValueError(
                    f"framework '{fw.id}' reads {undeclared}, which are not listed under files with a sha256"
                )
        return self

    def file(self, path: str) -> DataFile:
        return next(f for f in self.files if f.path == path)

    def framework(self, framework_id: str) -> FrameworkSpec:
        for fw in self.frameworks:
            if fw.id == framework_id:
                return fw
        known = ", ".join(fw.id for fw in self.frameworks)
        raise InputError(f"human_labels/{self.id}.yaml", f"no framework '{framework_id}'", f"use one of: {known}")


@cache
def load_source_card(name: str) -> SourceCard:
    """A source card by id (a file in human_labels/) or by path."""
    return load_named("human_labels", name, SourceCard)[1]
