"""What inspect loads through the `inspect_ai` entry point: the `litellm` model API and the
`rate` task, so `inspect eval empathy_bench/rate` and `--model litellm/...` work anywhere."""

from empathy_bench.candidates.litellm_api import litellm_api
from empathy_bench.tasks.rate import rate
from empathy_bench.tasks.scorer import median_rating, rubric_rating

__all__ = ["litellm_api", "median_rating", "rate", "rubric_rating"]
