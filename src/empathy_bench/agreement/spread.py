"""The spread of a rater's headline over its repeats: a judge run with `--epochs K` (each epoch
scored on its own) or a recorded judge whose source card lists its repeated runs (`runs:`).

The headline of each repeat is the table's own headline figure without its interval (rate: the
mean over dimensions of the QWK with the reference; compare: the accuracy with a tie counted
half; coach: the targeting kappa), computed by the kind's own function on that repeat's ratings,
choices or feedback alone; the leaderboard shows the min and the max. The headline in the table
itself is the rater's aggregate (a judge's epochs reduced by the epoch rule, a recorded judge's
runs by the card's `runs_aggregate`), which need not lie between them: the median of noisy
repeats usually agrees better than any one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, TypeVar, get_args

import numpy as np
from pydantic import field_validator

from empathy_bench.agreement.statistics import Stat, Statistics, figure
from empathy_bench.core.models import NAN, Record

Unit = Literal["epoch", "run"]
T = TypeVar("T")


class Spread(Record):
    """A rater's headline in each of its epochs (or recorded runs), in their order, and the
    least and greatest of the defined ones (NaN when none is defined)."""

    unit: Unit  # epoch: a judge run with --epochs; run: a recorded judge's published runs
    values: list[float]  # the headline of epoch (run) 1, 2, ...; NaN where undefined
    low: float = NAN  # min over the defined values
    high: float = NAN  # max over the defined values

    @field_validator("values", mode="before")
    @classmethod
    def _nulls_are_nan(cls, values: object) -> object:
        # NaN is written as null in JSON (Record); read back, an undefined headline is NaN again
        return [NAN if v is None else v for v in values] if isinstance(values, list) else values

    @property
    def n(self) -> int:
        return len(self.values)

    def stats(self, n: int, criterion: str | None = None) -> list[Stat]:
        """The headline of each repeat as a Stat on the row's criterion under its condition
        ("epoch 2", "run 1"); the least and greatest are the board's to take (`spread_of_stats`)."""
        return [
            figure(HEADLINE, v, n, criterion=criterion, condition=f"{self.unit} {i}")
            for i, v in enumerate(self.values, 1)
        ]


HEADLINE = "headline"  # the metric a row's repeats are recorded under: its table's headline


def spread_of_stats(found: Statistics) -> Spread | None:
    """A row's spread from its statistics (`Spread.stats`, on the row's criterion); None without
    repeats, or where they are not "<unit> <i>" of one unit (a record from elsewhere)."""
    conditions = found.conditions(HEADLINE, found.criterion)
    units = {c.split(" ")[0] for c in conditions}
    if len(conditions) < 2 or len(units) != 1 or not units <= set(get_args(Unit)):
        return None
    values = [found.value(HEADLINE, found.criterion, c) for c in conditions]
    return spread_of([NAN if v is None else float(v) for v in values], units.pop())  # type: ignore[arg-type]


def spread_of(values: list[float], unit: Unit) -> Spread | None:
    """The spread of headlines, one per repeat; None with fewer than two repeats (nothing to
    spread over)."""
    if len(values) < 2:
        return None
    defined = [v for v in values if not np.isnan(v)]
    return Spread(
        unit=unit,
        values=[float(v) for v in values],
        low=float(min(defined)) if defined else NAN,
        high=float(max(defined)) if defined else NAN,
    )


def spread_over(repeats: Mapping[int, T], headline: Callable[[T], float], unit: Unit) -> Spread | None:
    """The spread of `headline` over repeats (epoch or run number -> that repeat's table), in
    the order of the numbers."""
    return spread_of([float(headline(repeats[k])) for k in sorted(repeats)], unit)
