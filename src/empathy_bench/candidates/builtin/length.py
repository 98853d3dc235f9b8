"""`builtin/length`: a trivial baseline and a length-bias probe. The supporter's total word count
on a log scale, the same way for every dimension, proscriptive ones included: a judge that does
no better than this is mostly rewarding longer replies."""

from __future__ import annotations

import math

from empathy_bench.candidates.builtin.reading import supporter_turns
from empathy_bench.candidates.prompt import PromptRequest

# Typical supporter replies run from a few words to a few hundred: the log range 5..300 words
# is cut into as many equal slices as the scale has points. On a 1-5 scale: up to 11 words -> 1,
# 12-25 -> 2, 26-58 -> 3, 59-132 -> 4, 133 and more -> 5 (boundaries 5 * 60^(k/5) words).
LENGTH_MIN_WORDS, LENGTH_MAX_WORDS = 5, 300


def length_rating(request: PromptRequest, dim: str, target: str) -> int:
    words = sum(len(text.split()) for text in supporter_turns(request, target))
    points = request.scale_max - request.scale_min + 1
    span = math.log(LENGTH_MAX_WORDS) - math.log(LENGTH_MIN_WORDS)
    position = (math.log(max(words, 1)) - math.log(LENGTH_MIN_WORDS)) / span
    return request.scale_min + min(points - 1, max(0, math.floor(position * points)))
