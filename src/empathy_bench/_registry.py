"""What inspect loads through the `inspect_ai` entry point: the `litellm` model API and the
`rate` task, so `inspect eval empathy_bench/rate` and `--model litellm/...` work anywhere."""

from empathy_bench.candidates.litellm_api import litellm_api  # noqa: F401
from empathy_bench.tasks.rate import rate  # noqa: F401
from empathy_bench.tasks.scorer import median_rating, rubric_rating  # noqa: F401


def _skip_unusable_openai_hook() -> None:
    """inspect-ai calls a per-sample hook that imports its OpenAI Responses module; with the
    openai 2.x that litellm 1.106.2 requires (openai<3), that import fails and is retried on
    every sample, costing ~25% of a run's CPU. Our models go through litellm, and inspect's
    own openai provider cannot load with this openai either, so the hook has nothing to do:
    turn it off only when the import really fails."""
    from inspect_ai.model import _assistant_internal

    try:
        import inspect_ai.model._openai_responses  # noqa: F401
    except ImportError:
        _assistant_internal._HAS_OPENAI = False


_skip_unusable_openai_hook()
