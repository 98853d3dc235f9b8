"""One shape for every figure: a `Stat` (as HELM's `Stat`, keyed by its `MetricName`) names its
metric, the criterion or dimension it is on, the condition it was measured under and, for a
paired figure, the rater it is against; then its value, its interval and its n. A `Statistics`
result is one row of the board as a list of them, under the header every row has (task, rater,
rater type, role, and the compare criterion or the probe it is a row of), with the procedure's
settings and the notes a reader must see. It is what a run record holds (leaderboard/record.py)
and what the board pivots by its columns.

The agreement stage computes typed results (RaterAgreement, PreferenceAgreement, CoachAgreement,
ProbeResult: the natural types of each kind's statistics, with their bootstrap draws at hand);
each gives its figures as `Statistics` (`statistics()`), so a record stores every figure once, in
one shape, and nothing downstream reads a kind's typed fields. A kind registered from outside
builds `Statistics` directly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

from empathy_bench.core.models import Record
from empathy_bench.sources.card import HumanRole

RaterType = Literal["run", "baseline", "recorded", "human"]
# What a row is beside its rater type: a rater; the expert ceiling; or one of the human rows a source
# card names (HumanRole: a crowd, the participants' self-report, a released label)
RaterRole = Literal["rater", "ceiling", HumanRole]

# A figure: a measure (float), a count (int) or a decision (bool: an alt-test passed, a null
# rejected); None where it is undefined (a correlation of a constant rater), as null in JSON.
Value = bool | int | float | None
Setting = bool | int | float | str
Key = tuple[str, str | None, str | None, str | None]  # (metric, criterion, condition, versus)


class Stat(Record):
    model_config = ConfigDict(frozen=True, ser_json_inf_nan="null")  # a row's index of its figures stays true

    metric: str
    value: Value
    low: float | None = None  # the 95% interval, where the figure has one
    high: float | None = None
    n: int  # the units the figure is over (items, pairs, verdicts, conversations; 0: not counted)
    criterion: str | None = None  # a dimension or criterion; None: over all of them
    condition: str | None = None  # None: plain; else a probe, an epoch or run ("epoch 2"), a gap bin
    versus: str | None = None  # a paired figure's other rater (the expert an alt-test compares with)

    @property
    def key(self) -> Key:
        return (self.metric, self.criterion, self.condition, self.versus)

    @property
    def name(self) -> str:
        """Its key in words, as a message names it: "qwk on empathy under epoch 2 against e1"."""
        parts = [self.metric]
        parts += [f"on {self.criterion}"] if self.criterion is not None else []
        parts += [f"under {self.condition}"] if self.condition is not None else []
        parts += [f"against {self.versus}"] if self.versus is not None else []
        return " ".join(parts)

    @model_serializer(mode="wrap")
    def _without_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        # a record holds hundreds of figures: an absent interval, criterion, condition or other
        # rater is left out of the file (it reads back as the default None); an undefined value stays
        data = handler(self)
        return {k: v for k, v in data.items() if v is not None or k == "value"}


class Statistics(Record):
    task: str
    rater: str
    rater_type: RaterType
    role: RaterRole = "rater"
    criterion: str | None = None  # a compare task's row is on one criterion (overall, or one of the rubric's)
    probe: str | None = None  # a probe's row: which probe (attribution, length, retest, ...)
    probe_id: str | None = None  # and the probe file it came from
    from_ratings: bool = False  # choices or feedback derived from the rater's own ratings
    stats: tuple[Stat, ...]
    settings: dict[str, Setting] = {}  # the procedure's parameters (alt-test epsilon, coach thresholds)
    notes: list[str] = []  # what a reader of the row must know (shown under the board)
    # the figures by key, built on the first lookup (again for a copy given other figures)
    _index: tuple[tuple[Stat, ...], dict[Key, Stat]] | None = PrivateAttr(default=None)

    @field_validator("stats")
    @classmethod
    def _one_figure_per_key(cls, stats: tuple[Stat, ...]) -> tuple[Stat, ...]:
        # a key names one figure: a second one would be shown in its place, or hidden
        seen: set[Key] = set()
        for s in stats:
            if s.key in seen:
                raise ValueError(f"two figures are '{s.name}'")
            seen.add(s.key)
        return stats

    def __eq__(self, other: object) -> bool:
        # the fields only: the lookup index is a cache of the figures, not a part of them
        return self.__dict__ == other.__dict__ if isinstance(other, Statistics) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, as every pydantic model

    def stat(
        self, metric: str, criterion: str | None = None, condition: str | None = None, versus: str | None = None
    ) -> Stat | None:
        """The figure of that metric on that criterion, condition and other rater, if the row has it."""
        if self._index is None or self._index[0] is not self.stats:
            self._index = (self.stats, {s.key: s for s in self.stats})
        return self._index[1].get((metric, criterion, condition, versus))

    def value(
        self, metric: str, criterion: str | None = None, condition: str | None = None, versus: str | None = None
    ) -> Value:
        found = self.stat(metric, criterion, condition, versus)
        return found.value if found else None

    # Which criteria, conditions or other raters the row has figures of `metric` for, the other
    # parts of the key as given (None: absent), in the order they were recorded.

    def criteria(self, metric: str, condition: str | None = None, versus: str | None = None) -> list[str]:
        return self._distinct(1, (metric, None, condition, versus))

    def conditions(self, metric: str, criterion: str | None = None, versus: str | None = None) -> list[str]:
        return self._distinct(2, (metric, criterion, None, versus))

    def versus_of(self, metric: str, criterion: str | None = None, condition: str | None = None) -> list[str]:
        return self._distinct(3, (metric, criterion, condition, None))

    def _distinct(self, part: int, given: Key) -> list[str]:
        fixed = [i for i in range(4) if i != part]
        found = (s.key[part] for s in self.stats if all(s.key[i] == given[i] for i in fixed))
        return [x for x in dict.fromkeys(found) if x is not None]

    @property
    def probe_condition(self) -> str | None:
        """The condition a probe row's figures are under (`ProbeResult.statistics`); None for a plain row."""
        return probe_condition(self.probe, self.probe_id)

    def statistics(self) -> Statistics:
        return self


def probe_condition(probe: str | None, probe_id: str | None) -> str | None:
    """A probe's figures are under its file's id (several files may share a probe)."""
    return (probe_id or probe) if probe else None


def figure(
    metric: str,
    value: Value,
    n: int,
    low: float | None = None,
    high: float | None = None,
    *,
    criterion: str | None = None,
    condition: str | None = None,
    versus: str | None = None,
) -> Stat:
    """One Stat; NaN (an undefined figure or bound) is None, a numpy number a Python one."""
    return Stat(
        metric=metric,
        value=_defined(value),
        low=_defined(low),
        high=_defined(high),
        n=n,
        criterion=criterion,
        condition=condition,
        versus=versus,
    )


def figures(
    model: BaseModel,
    names: Iterable[str],
    n: int,
    prefix: str = "",
    *,
    criterion: str | None = None,
    condition: str | None = None,
    versus: str | None = None,
) -> list[Stat]:
    """Each named field of a typed result as a Stat named `prefix + name`, its interval from the
    model's `<name>_low` and `<name>_high` where it has them."""
    return [
        figure(
            prefix + name,
            getattr(model, name),
            n,
            getattr(model, f"{name}_low", None),
            getattr(model, f"{name}_high", None),
            criterion=criterion,
            condition=condition,
            versus=versus,
        )
        for name in names
    ]


def _defined(value: Value) -> Value:
    if isinstance(value, np.generic):
        value = value.item()  # np.int64 stays a whole number, np.bool_ a decision
    return None if isinstance(value, float) and math.isnan(value) else value
