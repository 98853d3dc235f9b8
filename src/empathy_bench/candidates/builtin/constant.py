"""`builtin/constant`: the scale midpoint, floor((min + max) / 2), for every dimension. The floor
any judge must beat."""

from __future__ import annotations

from empathy_bench.candidates.builtin.reading import midpoint
from empathy_bench.candidates.prompt import PromptRequest


def constant_rating(request: PromptRequest, dim: str, target: str) -> int:
    return midpoint(request)
