"""The row models of a user's own labels (sources/user_labels.py): an item, a rating and a
preference, each one row of a CSV or JSONL file or a Hub dataset, validated by pydantic."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from empathy_bench.core.ids import Id
from empathy_bench.sources.card import RaterGroup
from empathy_bench.sources.label_columns import TARGET_SPEAKER
from empathy_bench.sources.preference import CHOICES, Choice
from empathy_bench.sources.transcript import SEEKER, parse_transcript

CHOICE_ERROR = "invalid_choice"  # the pydantic error type of a choice other than a, b or tie


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    speaker: str = Field(min_length=1)
    text: str


class Item(BaseModel):
    # Stripped: "c1" and "c1 " must not become two items.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    item_id: Id = Field(min_length=1)
    framework: Id = Field(min_length=1)
    turns: list[Turn] = []
    text: str | None = None  # alternative to turns: 'Seeker: ...' / 'Supporter: ...' lines
    target: str = TARGET_SPEAKER
    source: str = "user"
    metadata: dict[str, object] = {}

    @model_validator(mode="after")
    def _one_conversation(self) -> Item:
        """Exactly one of `turns` and `text`, and the supporter must speak: an item with neither
        would be an empty conversation, with both the text would be silently dropped."""
        if self.turns and self.text:
            raise ValueError("give either 'turns' or 'text', not both")
        turns = [(t.speaker, t.text) for t in self.turns] or parse_transcript(self.text or "", (SEEKER, self.target))
        if not turns:
            raise ValueError("the item has no conversation: give 'turns' or 'text'")
        if not any(speaker == self.target for speaker, _ in turns):
            raise ValueError(
                f"no turn by the target speaker '{self.target}': start the supporter's lines with '{self.target}:' "
                "(text) or set each turn's speaker"
            )
        return self


class Rating(BaseModel):
    # strict numbers: a JSON `true` is not the rating 1
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    item_id: Id = Field(min_length=1)
    framework: Id = Field(min_length=1)
    dimension: Id = Field(min_length=1)
    rater_id: Id = Field(min_length=1)
    rater_group: RaterGroup
    value: float
    aggregate: Literal["", "mean", "median", "adjudicated"] = ""
    evidence: str | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: object) -> object:
        """A JSON `true` would otherwise be read as the rating 1."""
        if isinstance(value, bool):
            raise ValueError("a rating is a number, not true or false")
        return value


class Preference(BaseModel):
    # Strict text: a JSON `true` or `7` is refused, not turned into "True" or "7".
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    pair_id: Id = Field(min_length=1)
    item_a: Id = Field(min_length=1)
    item_b: Id = Field(min_length=1)
    framework: Id = Field(min_length=1)
    criterion: Id = Field(min_length=1)
    rater_id: Id = Field(min_length=1)
    rater_group: RaterGroup
    choice: Choice  # exactly a, b or tie (surrounding spaces dropped)
    derived: Id = ""  # "" for a choice a person (or judge) made directly

    @field_validator("choice", mode="before")
    @classmethod
    def _one_of_the_choices(cls, value: object) -> object:
        """' a ' is 'a'; anything else but a, b or tie is refused with the value shown."""
        if isinstance(value, str) and value.strip() in CHOICES:
            return value.strip()
        # the value goes in the context, not the template: it is text, never a format string
        raise PydanticCustomError(CHOICE_ERROR, "{value} is not a, b or tie", {"value": repr(value)})
