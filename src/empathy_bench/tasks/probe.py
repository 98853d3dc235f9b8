"""Probe files (evals/probes/*.yaml): a controlled change to a task's items that should not change a
fair judge's answer, and the conditions a probe task judges every item under.

- `attribution`: a note at the top of each conversation says the judged speaker is a person or an
  AI assistant (the wording is the probe file's); rate tasks judge every item unlabelled, as a
  person's and as an AI's; compare tasks judge every pair unlabelled and with one side labelled AI
  and the other a person, in both assignments (`a_ai`: item_a is labelled AI; `a_person`).
- `length`: every message of the judged speaker is lengthened with the probe file's content-free
  filler to `factor` times its words; rate tasks judge every item as it is (`original`) and
  lengthened. `factor` is a finite number above 1 and at most `MAX_FACTOR` (10): a message ten
  times its length already tests whether length sways a judge, and a larger (or infinite)
  factor only grows the run's prompts without bound.

Test-retest needs no probe file (`--epochs K`), and position comes from every compare task's two
orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from string import Template
from typing import Literal

from pydantic import Field, field_validator, model_validator

from empathy_bench.core.errors import InputError
from empathy_bench.core.models import FileModel
from empathy_bench.core.paths import FileId
from empathy_bench.core.project import load_named, project_files
from empathy_bench.tasks.metadata import ProbeChange
from empathy_bench.tasks.spec import TaskSpec

Turns = list[dict[str, str]]
MAX_FACTOR = 10.0  # a length probe's largest factor (see the module docstring)


class ProbeSpec(FileModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    # which change the probe makes ("kind" is the word for task kinds only)
    change: ProbeChange
    tasks: list[FileId] = []  # the tasks the default run probes (ids, never paths)
    # attribution: the note for each presentation; $target is the judged speaker's label
    labels: dict[Literal["person", "ai"], str] = {}
    # length: content-free sentences appended, in order, until a message has `factor` x its words
    filler: list[str] = []
    factor: float = 2.0

    @field_validator("factor")
    @classmethod
    def _bounded(cls, factor: float) -> float:
        # one check for every bad value: 1 or below, above the bound, .inf and .nan (NaN fails
        # every comparison, so it is refused by the negated test)
        if not 1 < factor <= MAX_FACTOR:
            raise ValueError(
                f"factor {factor:g} is not a number above 1 and at most {MAX_FACTOR:g}; write e.g. 2 to double "
                f"each message (a length probe grows each message to factor times its words)"
            )
        return factor

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: object) -> object:
        # a probe file written before the change had its own name: say so, not "extra field"
        if isinstance(data, dict) and "kind" in data and "change" not in data:
            raise ValueError("`kind:` is now written `change:` (the change the probe makes: attribution or length)")
        return data

    @model_validator(mode="after")
    def _complete(self) -> ProbeSpec:
        if self.change == "attribution" and set(self.labels) != {"person", "ai"}:
            raise ValueError("an attribution probe needs labels for both 'person' and 'ai'")
        if self.change == "length" and not [f for f in self.filler if f.strip()]:
            raise ValueError("a length probe needs at least one filler sentence")
        return self


@dataclass(frozen=True)
class Condition:
    """How items are shown under one condition of a probe: a note per item (None: no note; for a
    pair, item_a's and item_b's) and whether the judged speaker's messages are lengthened."""

    name: str
    notes: tuple[str | None, str | None] = (None, None)
    lengthen: bool = False


def conditions(probe: ProbeSpec, spec: TaskSpec) -> list[Condition]:
    """The conditions a probe task judges every item (pair) under."""
    if probe.change == "length":
        if spec.judges_pairs:
            raise InputError(f"evals/probes/{probe.id}.yaml", "a length probe runs on rate tasks only", "drop it here")
        return [Condition("original"), Condition("lengthened", lengthen=True)]
    person, ai = probe.labels["person"], probe.labels["ai"]
    if spec.judges_pairs:
        return [Condition("unlabelled"), Condition("a_ai", (ai, person)), Condition("a_person", (person, ai))]
    return [Condition("unlabelled"), Condition("person", (person, None)), Condition("ai", (ai, None))]


def note_text(note: str | None, target: str) -> str | None:
    return None if note is None else Template(note).safe_substitute(target=target)


def lengthen(turns: Turns, target: str, probe: ProbeSpec) -> Turns:
    """Every message of `target` with filler sentences appended (cycling through the list) until
    it has at least `probe.factor` times its own words; other messages unchanged."""
    filler = [f.strip() for f in probe.filler if f.strip()]
    out = []
    for turn in turns:
        text = turn["text"]
        if turn["speaker"] == target:
            goal, words = probe.factor * len(text.split()), len(text.split())
            added: list[str] = []
            while words < goal:
                sentence = filler[len(added) % len(filler)]
                added.append(sentence)
                words += len(sentence.split())
            # on a line of its own: never joined to the supporter's last sentence
            text = text + "\n" + " ".join(added) if added else text
        out.append({**turn, "text": text})
    return out


@cache
def load_probe(name: str) -> ProbeSpec:
    """A probe by id (evals/probes/<id>.yaml) or path."""
    return load_named("evals/probes", name, ProbeSpec)[1]


def probe_ids() -> list[str]:
    return [p.stem for p in project_files("evals/probes")]
