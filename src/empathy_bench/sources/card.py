"""Source cards: where a label source's files live, their checksums, and how their columns
map onto items and ratings. The card is data; the loader (labels.py) follows it."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from empathy_bench.core.errors import InputError
from empathy_bench.core.ids import Id
from empathy_bench.core.models import FileModel
from empathy_bench.core.paths import FileId, PathSegment, RelativePath
from empathy_bench.core.project import load_named

# Who rated. `recorded`: ratings an LLM produced in a published study; `judge`: a judge's
# ratings a user brings in their own files. The human groups are the first three.
RaterGroup = Literal["expert", "crowd", "self", "recorded", "judge"]
HUMAN_GROUPS: tuple[RaterGroup, ...] = ("expert", "crowd", "self")

# What the leaderboard row of a human rater other than the experts (whose row is the ceiling)
# is: a crowd (third-party raters, aggregated per item), the conversation's own participants
# rating it afterwards, or the one label a dataset released with each item (e.g. adjudicated).
# The row's name and the page's legend say which; only a crowd and a self-report have defaults.
HumanRole = Literal["crowd", "self_report", "original_label"]
ROW_GROUPS: tuple[RaterGroup, ...] = ("crowd", "self")  # the groups whose raters get a row of their own
DEFAULT_ROWS: dict[str, tuple[str, str]] = {
    "crowd": ("human: crowd", "third-party crowd raters' ratings, aggregated per item"),
    "self_report": ("human: self-report", "the conversation's own participants rated it afterwards"),
}


class HumanRow(BaseModel):
    """A human rater's row as the leaderboard names and explains it (from its source card)."""

    model_config = ConfigDict(frozen=True)

    rater: str  # the rater id (or named aggregate) whose ratings the row measures
    label: str  # the row's name, e.g. "human: participants' self-report"
    role: HumanRole
    about: str  # one sentence for the legend: who these people are and how their ratings were combined


class DataFile(FileModel):
    # relative to the card's folder in the mirror and in the cache: never absolute, never '..'
    path: RelativePath
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class TextSpec(FileModel):
    """How an item's conversation is written in its file."""

    format: Literal["transcript", "post_response", "utterances", "json_transcripts"]
    column: str | None = None  # transcript: one column of 'Speaker: text' lines
    post_column: str | None = None  # post_response: the seeker's post ...
    response_column: str | None = None  # ... and the supporter's reply
    # utterances: one row per message, grouped into conversations by the framework's key and
    # put in order by `order_column`; `speakers` renames the file's speaker values
    speaker_column: str | None = None
    text_column: str | None = None
    order_column: str | None = None
    speakers: dict[str, str] = {}
    replace: dict[str, str] = {}  # release quirks, e.g. EmpatheticDialogues writes ',' as '_comma_'
    # json_transcripts: one JSON file per conversation, `path` with '{<key column>}' fields filled
    # from the items file's key; its `list_field` holds the messages, each read for `speaker_field`
    # and `text_field` only (any other field, e.g. an LLM's annotation, never reaches an item), in
    # `order_field` order; consecutive messages of one speaker are joined into one turn
    path: str | None = None
    list_field: str = "utterances"
    speaker_field: str = "speaker"
    text_field: str = "text"

    @model_validator(mode="after")
    def _columns_for_format(self) -> TextSpec:
        needed = {
            "transcript": ["column"],
            "post_response": ["post_column", "response_column"],
            "utterances": ["speaker_column", "text_column", "order_column"],
            "json_transcripts": ["path", "order_column"],
        }[self.format]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"format '{self.format}' needs {', '.join(missing)}")
        return self


class ItemsSpec(FileModel):
    file: str
    text: TextSpec
    metadata_columns: list[str] = []
    target: str = "Supporter"  # the speaker whose messages are judged (AnnoMI: the counsellor)


class LabelPreferences(FileModel):
    """Preferences from a released item-level label: within each group of items (same
    `within` metadata value, whitespace stripped), every item with a better label is preferred
    to every item with a worse one. AnnoMI: sessions produced as high-quality motivational
    interviewing are preferred to low-quality ones on the same topic."""

    rater: Id  # the rater id the choices are recorded under
    group: RaterGroup
    column: str  # item metadata column that holds the label
    order: list[str] = Field(min_length=2)  # label values, best first
    within: str  # item metadata column the pairs are formed within
    criterion: Id = "overall"


class RaterSpec(FileModel):
    """One rater file, or (a recorded judge only) `runs`: two or more files that are repeated
    runs of the same judge. Wide files have one column per dimension; `dimension` +
    `value_column` read a file that holds a single dimension; `rater_column` reads per-rater
    rows. Every run file is read with the same key and columns; the rater's own rating is the
    `runs_aggregate` of its runs."""

    id: Id
    group: RaterGroup
    file: str | None = None
    runs: list[str] | None = None
    runs_aggregate: Literal["median", "mean"] = "median"
    key: list[str] | None = None  # columns matching the item, when fewer than the framework's key
    rater_column: str | None = None
    aggregate: Literal["mean", "median", "adjudicated"] | None = None
    dimension: Id | None = None
    value_column: str | None = None
    evidence_suffix: str | None = None  # wide files: '<dimension><suffix>' holds a quote
    evidence_column: str | None = None  # single-dimension files: the quote column
    # values that mean "no rating" (CARE's 0 = "does not apply"): read as an empty cell, counted
    # in the load report, never a scale point
    missing_values: list[float] = []
    # groups crowd and self: the leaderboard row's name, what it is and one sentence for the
    # legend (see HumanRow); defaults only where the group says it truly (a crowd, a self-report)
    label: str | None = Field(default=None, min_length=1)
    role: HumanRole | None = None
    about: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _human_row_fields(self) -> RaterSpec:
        given = [name for name in ("label", "role", "about") if getattr(self, name) is not None]
        if given and self.group not in ROW_GROUPS:
            raise ValueError(
                f"rater '{self.id}' of group '{self.group}' sets {', '.join(given)}: these name the row of a crowd "
                "or self-report rater (groups crowd, self); experts are the ceiling row and recorded judges are "
                "named by their id; remove them"
            )
        if self.group in ROW_GROUPS and self.aggregate == "adjudicated" and self.role in (None, "crowd"):
            raise ValueError(
                f"rater '{self.id}' is an adjudicated label, not a crowd: give 'role: original_label' and a 'label' "
                "that says what it is (e.g. \"human: original adjudicated label\") and an 'about'"
            )
        if self.role == "original_label" and (self.label is None or self.about is None):
            raise ValueError(
                f"rater '{self.id}' has role original_label without {'label' if self.label is None else 'about'}: "
                "an original label has no default name; give 'label' (e.g. \"human: original adjudicated label\") "
                "and 'about' (who labelled, how it was decided)"
            )
        return self

    @property
    def human_row(self) -> HumanRow | None:
        """The leaderboard row of a crowd or self-report rater (None for any other group)."""
        if self.group not in ROW_GROUPS:
            return None
        role: HumanRole = self.role or ("self_report" if self.group == "self" else "crowd")
        label, about = DEFAULT_ROWS.get(role, ("", ""))
        return HumanRow(rater=self.id, label=self.label or label, role=role, about=self.about or about)

    @model_validator(mode="after")
    def _single_dimension_pair(self) -> RaterSpec:
        if (self.dimension is None) != (self.value_column is None):
            raise ValueError(
                "give 'dimension' and 'value_column' together (single-dimension file) or neither (wide file)"
            )
        return self

    @model_validator(mode="after")
    def _file_or_runs(self) -> RaterSpec:
        if self.file is not None and self.runs is not None:
            raise ValueError(
                f"rater '{self.id}' gives both 'file' and 'runs': give 'file' for one rater file, "
                "or 'runs' for repeated runs of one judge, not both"
            )
        if self.runs is None:
            if self.file is None:
                raise ValueError(
                    f"rater '{self.id}' has no 'file': give 'file' (the rater's file), "
                    "or for a recorded judge's repeated runs 'runs' (two or more files)"
                )
            if "runs_aggregate" in self.model_fields_set:
                raise ValueError(
                    f"rater '{self.id}' sets 'runs_aggregate' without 'runs': remove 'runs_aggregate', "
                    "or list the judge's repeated runs under 'runs'"
                )
            return self
        if self.group != "recorded":
            raise ValueError(
                f"rater '{self.id}' of group '{self.group}' lists 'runs': repeated runs are only for group "
                "'recorded' (an LLM's published ratings); give this rater one 'file', or set group: recorded"
            )
        if len(self.runs) < 2:
            raise ValueError(
                f"rater '{self.id}' lists {len(self.runs)} file under 'runs': 'runs' needs two or more files "
                "(repeated runs of one judge); put a single file under 'file' instead"
            )
        repeated = sorted({path for path in self.runs if self.runs.count(path) > 1})
        if repeated:
            raise ValueError(
                f"rater '{self.id}' lists {repeated} more than once under 'runs': list each run's file once"
            )
        if self.rater_column is not None:
            raise ValueError(
                f"rater '{self.id}' combines 'runs' with 'rater_column': each run file holds one judge's ratings; "
                "remove 'rater_column'"
            )
        if self.aggregate is not None:
            raise ValueError(
                f"rater '{self.id}' combines 'runs' with 'aggregate': each run is the judge's own rating and "
                "'runs_aggregate' (median or mean) forms the rater's rating; remove 'aggregate'"
            )
        return self

    @property
    def paths(self) -> list[str]:
        """The files the rater reads: its one file, or its run files in card order."""
        return list(self.runs) if self.runs is not None else [self.file] if self.file is not None else []


class Duplicates(FileModel):
    """What to do with rows that repeat an (item, rater, dimension): the policy is stated in
    the card so the load report can say how many rows each rule touched."""

    policy: Literal["error", "collapse_identical_drop_conflicts"] = "error"


class FrameworkSpec(FileModel):
    id: Id
    rubric: FileId  # a rubric id (rubrics/<id>.yaml), never a path
    key: list[str] = Field(min_length=1)
    items: ItemsSpec | None = None  # None: ratings only (the text is not released)
    raters: list[RaterSpec] = []
    preferences: list[LabelPreferences] = []
    duplicates: Duplicates = Duplicates()

    @model_validator(mode="after")
    def _has_labels(self) -> FrameworkSpec:
        if not self.raters and not self.preferences:
            raise ValueError(f"framework '{self.id}' has no labels: list its raters or its preferences")
        if self.preferences and self.items is None:
            raise ValueError(f"framework '{self.id}' derives preferences from item labels, so it needs 'items'")
        return self

    @model_validator(mode="after")
    def _one_row_per_rater(self) -> FrameworkSpec:
        rows: dict[str, HumanRow | None] = {}
        for r in self.raters:
            if r.id in rows and rows[r.id] != r.human_row:
                raise ValueError(
                    f"framework '{self.id}' lists rater '{r.id}' more than once with a different group, label, role "
                    "or about: give every entry of one rater the same ones"
                )
            rows[r.id] = r.human_row
        return self

    @property
    def rater_ids(self) -> list[str]:
        """Every rater of the framework: rating files and preference labels."""
        return [r.id for r in self.raters] + [p.rater for p in self.preferences]

    @property
    def human_rows(self) -> list[HumanRow]:
        """The rows of its crowd and self-report raters, once each, in card order."""
        rows = {r.id: r.human_row for r in self.raters if r.human_row is not None}
        return [row for row in rows.values() if row is not None]


class SourceCard(FileModel):
    # id, revision and mirror_dir name folders (the cache is <cache>/<id>/<revision>/<path>, the
    # mirror $EMPATHY_BENCH_DATA/<mirror_dir>/<path>): never absolute, never '..' (core/paths.py)
    id: PathSegment
    title: str
    citation: str
    license: str
    homepage: str
    revision: RelativePath
    base_url: str  # file URL = base_url + path
    mirror_dir: RelativePath  # folder under $EMPATHY_BENCH_DATA
    notes: str = ""
    files: list[DataFile] = Field(min_length=1)
    frameworks: list[FrameworkSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _files_declared(self) -> SourceCard:
        declared = {f.path for f in self.files}
        for fw in self.frameworks:
            used = [r.file for r in fw.raters if r.file is not None] + ([fw.items.file] if fw.items else [])
            undeclared = [f for f in used if f not in declared]
            if undeclared:
                raise ValueError(
                    f"framework '{fw.id}' reads {undeclared}, which are not listed under files with a sha256; "
                    "add each to 'files' with its sha256"
                )
            for r in fw.raters:
                missing = [f for f in r.runs or [] if f not in declared]
                if missing:
                    raise ValueError(
                        f"framework '{fw.id}': 'runs' of rater '{r.id}' reads {missing}, which are not listed "
                        "under files with a sha256; add each run file to 'files' with its sha256, "
                        "or remove it from 'runs'"
                    )
        return self

    @property
    def source(self) -> str:
        """The card's file, as errors name it."""
        return f"human_labels/{self.id}.yaml"

    def file(self, path: str) -> DataFile:
        return next(f for f in self.files if f.path == path)

    def file_field(self, path: str) -> str:
        """The field of the card that names one of its files: 'files.<i>.path'."""
        return next((f"files.{i}.path" for i, f in enumerate(self.files) if f.path == path), "files")

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
