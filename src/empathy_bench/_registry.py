"""What inspect loads through the `inspect_ai` entry point: the `litellm` model API and the
`rate`, `compare` and `coach` tasks, so `inspect eval empathy_bench/rate` (or `/compare`, `/coach`) and
`--model litellm/...` work anywhere."""

from empathy_bench.candidates.litellm_api import litellm_api
from empathy_bench.tasks.coach import coach, coach_feedback, grade_rewrite
from empathy_bench.tasks.compare import compare, majority_choice, preference_choice
from empathy_bench.tasks.rate import rate
from empathy_bench.tasks.scorer import median_rating, rubric_rating

__all__ = [
    "coach",
    "coach_feedback",
    "grade_rewrite",
    "compare",
    "litellm_api",
    "majority_choice",
    "median_rating",
    "preference_choice",
    "rate",
    "rubric_rating",
]
