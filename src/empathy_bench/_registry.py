"""What inspect loads through the `inspect_ai` entry point: the `litellm` model API and the
`rate` task, so `inspect eval empathy_bench/rate` and `--model litellm/...` work anywhere."""

from empathy_bench.litellm_model import litellm_api  # noqa: F401
from empathy_bench.rate_task import rate  # noqa: F401
from empathy_bench.scorer import median_rating, rubric_rating  # noqa: F401
