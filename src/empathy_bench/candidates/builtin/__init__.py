"""Built-in offline models, answering through litellm as provider `builtin`: the trivial
baselines `constant` and `length`, the cue lexicon `lexicon`, and the optional `embedding`."""

from empathy_bench.candidates.builtin.provider import (
    MODELS,
    OPTIONAL_MODELS,
    PROVIDER,
    code_files,
    code_fingerprint,
    judge_reply,
    register,
)
from empathy_bench.candidates.builtin.reading import ModelUnavailable

__all__ = [
    "MODELS",
    "OPTIONAL_MODELS",
    "PROVIDER",
    "ModelUnavailable",
    "code_files",
    "code_fingerprint",
    "judge_reply",
    "register",
]
