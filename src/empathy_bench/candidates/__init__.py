"""Stage 2, candidates: judge and coach files (a model through litellm, a prompt, generation
settings), the prompt templates and the reply contracts (ratings, preferences and feedback). The
inspect model API `litellm` (litellm_api) and the built-in offline models (builtin/) load
litellm, so they are imported where used."""

from empathy_bench.candidates.feedback import Feedback, Improvement, ParsedFeedback, Strength, parse_feedback
from empathy_bench.candidates.judge import Judge, coach_ids, judge_ids, load_coach, load_judge
from empathy_bench.candidates.prompt import (
    CompareRequest,
    Mode,
    PromptRequest,
    load_template,
    read_compare_prompt,
    read_prompt,
    render,
    render_compare,
)
from empathy_bench.candidates.reply import (
    UNSCORED_CODES,
    ParsedPreference,
    ParsedReply,
    Unscored,
    parse_preference,
    parse_reply,
)

__all__ = [
    "UNSCORED_CODES",
    "Feedback",
    "Improvement",
    "ParsedFeedback",
    "Strength",
    "coach_ids",
    "load_coach",
    "parse_feedback",
    "CompareRequest",
    "Judge",
    "Mode",
    "ParsedPreference",
    "ParsedReply",
    "PromptRequest",
    "Unscored",
    "judge_ids",
    "load_judge",
    "load_template",
    "parse_preference",
    "parse_reply",
    "read_compare_prompt",
    "read_prompt",
    "render",
    "render_compare",
]
