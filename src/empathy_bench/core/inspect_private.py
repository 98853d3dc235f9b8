"""Every private name of inspect-ai the harness uses, in one place: inspect has no public API for
them (checked against inspect-ai 0.3.285). An upgrade may move or rename any of them without
notice, so tests/core/test_inspect_private.py fails loudly, naming the one that moved, before a
run finds out; `PRIVATE_NAMES` lists what it checks.

- `init_dotenv`: inspect's own reading of the `.env` file (the `INSPECT_LOG_DIR` it names resolved
  against the file's folder, `--env` values applied again), so a model API built outside
  `inspect eval` sees the keys the same way.
- `skip_unusable_openai_hook`: turns off inspect's per-sample import of its OpenAI Responses
  module when that import fails (the flag `_HAS_OPENAI`).
"""

from __future__ import annotations

from inspect_ai._util.dotenv import init_dotenv

__all__ = ["PRIVATE_NAMES", "init_dotenv", "skip_unusable_openai_hook"]

# (module, name) of each private thing used here; a name of None: the module itself
PRIVATE_NAMES: tuple[tuple[str, str | None], ...] = (
    ("inspect_ai._util.dotenv", "init_dotenv"),
    ("inspect_ai.model._assistant_internal", "_HAS_OPENAI"),
    ("inspect_ai.model._openai_responses", None),
)


def skip_unusable_openai_hook() -> None:
    """inspect-ai calls a per-sample hook that imports its OpenAI Responses module; with the
    openai 2.x that litellm 1.106.2 requires (openai<3), that import fails and is retried on
    every sample, costing ~25% of a run's CPU. Models of the `litellm` API go through litellm, so
    the hook has nothing to do for them: turn it off, only when the import really fails. A missing
    flag is left alone here (the run is slower, never wrong); the test of `PRIVATE_NAMES` is what
    says an upgrade removed it. Upstream fix: cache the failed import."""
    from inspect_ai.model import _assistant_internal

    if not hasattr(_assistant_internal, "_HAS_OPENAI"):
        return
    try:
        import inspect_ai.model._openai_responses  # noqa: F401
    except ImportError:
        _assistant_internal._HAS_OPENAI = False
