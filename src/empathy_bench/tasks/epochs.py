"""How the replies of a judge asked several times (inspect's epochs) become one: the one rule per
task kind, used by the task's score reducer (tasks/scorer.py, tasks/compare.py) and by the log
reader (runs/log.py), which reads the epochs back from a log without the task builders."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable


def epoch_rating(values: Iterable[float]) -> float:
    """The rating of an (item, dimension) judged in several epochs: the lower median of the
    epochs that scored, which stays on the scale with an even number of epochs."""
    return float(statistics.median_low(list(values)))


def epoch_choice(choices: list[str]) -> str | None:
    """The choice of a (pair, order, criterion) judged in several epochs: the one more than half
    of the scored epochs made, else None (unscored as `conflicting`)."""
    top = Counter(choices).most_common(1)
    return top[0][0] if top and top[0][1] * 2 > len(choices) else None
