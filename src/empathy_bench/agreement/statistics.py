"""One shape for a figure: a `Stat` (as HELM's `Stat` keyed by its `MetricName`) names its metric,
the criterion or dimension and the condition it was measured on, its value, its interval and n.
A `Statistics` result is a row's figures as a list of them, with the header every result has
(task, rater, rater kind, role). A kind registered without typed results of its own
(core/kinds.py) records its rows this way, and the leaderboard pivots them by its columns
(leaderboard/stat_table.py); the built-in kinds keep their typed results."""

from __future__ import annotations

from typing import Literal

from empathy_bench.agreement.rater import RaterKind, RaterRole
from empathy_bench.core.models import Record


class Stat(Record):
    metric: str
    value: float
    low: float | None = None  # the interval, where the figure has one
    high: float | None = None
    n: int  # the units the figure is over (items, pairs, ...)
    criterion: str | None = None  # a dimension or criterion; None: over all of them
    condition: str | None = None  # None: plain; else a probe condition, an epoch or a run


class Statistics(Record):
    result: Literal["statistics"] = "statistics"  # tells this result from the typed ones in a record
    task: str
    rater: str
    kind: RaterKind
    role: RaterRole = "rater"
    stats: list[Stat]
    notes: list[str] = []  # what a reader of the row should know (shown under the board)

    def stat(self, metric: str, criterion: str | None = None, condition: str | None = None) -> Stat | None:
        """The figure of that metric on that criterion and condition, if the row has it."""
        found = (s for s in self.stats if (s.metric, s.criterion, s.condition) == (metric, criterion, condition))
        return next(found, None)
