"""Stage 2, candidates: judge files (a model through litellm, a prompt, generation settings),
the prompt templates and the reply contract. The inspect model API `litellm` (litellm_api) and
the built-in offline models (builtin/) load litellm, so they are imported where used."""

from empathy_bench.candidates.judge import Judge, judge_ids, load_judge
from empathy_bench.candidates.prompt import Mode, PromptRequest, load_template, read_prompt, render
from empathy_bench.candidates.reply import UNSCORED_CODES, ParsedReply, Unscored, parse_reply

__all__ = [
    "UNSCORED_CODES",
    "Judge",
    "Mode",
    "ParsedReply",
    "PromptRequest",
    "Unscored",
    "judge_ids",
    "load_judge",
    "load_template",
    "parse_reply",
    "read_prompt",
    "render",
]
