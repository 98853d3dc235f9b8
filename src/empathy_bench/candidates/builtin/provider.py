"""The litellm `CustomLLM` provider named `builtin` that answers as the built-in offline models.

After `register()`, `litellm.completion(model="builtin/<name>", messages=[...])` and
`await litellm.acompletion(...)` answer a rendered judge prompt (see `empathy_bench.candidates.prompt`)
without any network or API key, so the default benchmark and the tests run anywhere and every
code path is the same for local and remote judges. The models read the item back from the very
prompt every other judge sees (`read_prompt`) and reply one line per requested dimension,
`<rating dimension="ID">N</rating>`, with N a whole number inside the prompt's scale. The models,
one module each (all deterministic): `constant`, `length`, `lexicon` and the optional `embedding`.

A model-name suffix `@<N>ms` (e.g. `builtin/constant@200ms`) makes the judge wait N
milliseconds before answering (`asyncio.sleep` in `acompletion`, `time.sleep` in `completion`),
to benchmark concurrency and timeouts without a provider.

Token usage is approximate: prompt and completion tokens are whitespace-separated word counts
(no tokenizer is involved, so nothing is downloaded). Every model is registered with litellm at
price zero, so `litellm.completion_cost` works.
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import litellm
from litellm import CustomLLM
from litellm.types.utils import ModelResponse, Usage

from empathy_bench.candidates.builtin.coach import COACHES
from empathy_bench.candidates.builtin.constant import constant_rating
from empathy_bench.candidates.builtin.length import length_rating
from empathy_bench.candidates.builtin.lexicon import lexicon_rating
from empathy_bench.candidates.builtin.reading import ModelUnavailable
from empathy_bench.candidates.prompt import (
    COACH_MARK,
    CONVERSATION_RE,
    CompareRequest,
    PromptRequest,
    read_coach_prompt,
    read_compare_prompt,
    read_prompt,
)
from empathy_bench.core.digest import sha256_bytes

PROVIDER = "builtin"
MODELS = ("constant", "length", "lexicon")  # always available; they rate and compare
OPTIONAL_MODELS = ("embedding",)  # need a package extra (the error says which)
COMPARE_MODELS = ("always_a",)  # compare prompts only: the pure position-bias baseline
COACH_MODELS = tuple(COACHES)  # coach prompts only (builtin/coach.py)
ALL_MODELS = MODELS + OPTIONAL_MODELS + COMPARE_MODELS + COACH_MODELS

MODEL_NAME_RE = re.compile(r"^(?P<name>[a-z_]+)(?:@(?P<ms>\d+)ms)?$")


# --- registration ------------------------------------------------------------------------


def register() -> None:
    """Make `builtin/<model>` callable through litellm. Idempotent; other custom providers in
    `litellm.custom_provider_map` are kept."""
    if not any(item.get("provider") == PROVIDER for item in litellm.custom_provider_map):
        litellm.custom_provider_map.append({"provider": PROVIDER, "custom_handler": BuiltinJudge()})
    # litellm copies the map into its provider lists at the start of every call; doing it now
    # too lets provider lookups (e.g. completion_cost) work before the first call.
    litellm.utils.custom_llm_setup()
    for name in ALL_MODELS:
        _register_price(f"{PROVIDER}/{name}")


_PRICED: set[str] = set()


def _register_price(model: str) -> None:
    """Price zero, so completion_cost works. The cache fields are given (as zero) only because
    litellm warns about custom models registered without them."""
    if model in _PRICED:
        return
    litellm.register_model(
        {
            model: {
                "input_cost_per_token": 0.0,
                "output_cost_per_token": 0.0,
                "cache_creation_input_token_cost": 0.0,
                "cache_read_input_token_cost": 0.0,
                "litellm_provider": PROVIDER,
                "mode": "chat",
            }
        }
    )
    _PRICED.add(model)


# --- the litellm handler ------------------------------------------------------------------


class BuiltinJudge(CustomLLM):
    """litellm hands us the model name without the `builtin/` prefix."""

    # litellm passes a dozen provider arguments this handler has no use for: **_ takes them.
    def completion(self, model: str, messages: list, model_response: ModelResponse, **_: Any) -> ModelResponse:  # type: ignore[override]
        name, delay = _parse_model(model)
        if delay:
            time.sleep(delay)
        return _answer(model, name, messages, model_response)

    async def acompletion(self, model: str, messages: list, model_response: ModelResponse, **_: Any) -> ModelResponse:  # type: ignore[override]
        name, delay = _parse_model(model)
        if delay:
            await asyncio.sleep(delay)
        return _answer(model, name, messages, model_response)

    def streaming(self, model: str, *args: Any, **kwargs: Any) -> Any:
        raise _bad_request(model, "built-in judges do not stream", "call without stream=True")

    async def astreaming(self, model: str, *args: Any, **kwargs: Any) -> Any:
        raise _bad_request(model, "built-in judges do not stream", "call without stream=True")


def _bad_request(model: str, problem: str, fix: str) -> litellm.BadRequestError:
    # BadRequestError passes through litellm unchanged and is not retried; a plain exception
    # raised in a handler would surface as a (retryable) APIConnectionError.
    return litellm.BadRequestError(
        message=f"{PROVIDER}/{model}: {problem}. Fix: {fix}", model=f"{PROVIDER}/{model}", llm_provider=PROVIDER
    )


def _parse_model(model: str) -> tuple[str, float]:
    """'lexicon@200ms' -> ('lexicon', 0.2)."""
    match = MODEL_NAME_RE.match(model)
    if match is None or match["name"] not in ALL_MODELS:
        raise _bad_request(
            model,
            "unknown built-in model",
            f"use builtin/<name> with <name> one of {', '.join(ALL_MODELS)}, "
            "optionally with a latency suffix such as @200ms",
        )
    return match["name"], int(match["ms"] or 0) / 1000


def _answer(model: str, name: str, messages: list, model_response: ModelResponse) -> ModelResponse:
    text = prompt_text(messages)
    try:
        reply = judge_reply(name, text)
    except ValueError as err:
        raise _bad_request(
            model,
            str(err),
            "send a prompt rendered by empathy_bench.candidates.prompt.render "
            "(it needs the <conversation> block and the answer format)",
        ) from None
    except ModelUnavailable as err:
        raise _bad_request(model, str(err), err.fix) from None
    if model != name:  # a latency variant: price it too, so completion_cost finds it
        _register_price(f"{PROVIDER}/{model}")
    model_response.choices[0].message.content = reply  # a non-streaming choice
    model_response.choices[0].finish_reason = "stop"
    model_response.model = f"{PROVIDER}/{model}"
    model_response.created = int(time.time())
    prompt_words, reply_words = len(text.split()), len(reply.split())
    # Approximate: word counts, not tokenizer tokens.
    usage = Usage(prompt_tokens=prompt_words, completion_tokens=reply_words, total_tokens=prompt_words + reply_words)
    setattr(model_response, "usage", usage)  # noqa: B010 - for mypy: litellm's ModelResponse declares no `usage` field
    # The reply's cost, as a provider that reports it does: litellm takes a response's own
    # `response_cost` instead of looking the model up in its price table (twice a call: the
    # response metadata and the success logging). The price table says the same (zero).
    model_response._hidden_params["response_cost"] = 0.0
    return model_response


def prompt_text(messages: Iterable[Any]) -> str:
    """The text of all messages (system and user), in order: a template may split the prompt."""
    parts: list[str] = []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else getattr(message, "content", None)
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):  # OpenAI content parts
            parts.extend(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return "\n\n".join(parts)


# --- what shapes the replies ------------------------------------------------------------


def code_files() -> list[Path]:
    """Every source file whose code shapes a built-in model's replies: this package, the prompt
    reader the models read items back with, the rubric and transcript readers their cues and
    anchors come from, and the profile rule the lexicon coach flags with. Every task's
    fingerprint hashes them all, so editing any of them invalidates cached replies and finished
    tasks."""
    # files found by module name (`empathy_bench.sources.profile` is also a function the package
    # re-exports), without importing them: src has no by-name import (tests/core/test_import_graph.py)
    modules = ["candidates.prompt", "sources.rubric", "sources.transcript", "sources.profile"]
    specs = [importlib.util.find_spec(f"empathy_bench.{name}") for name in modules]
    return sorted(Path(__file__).parent.glob("*.py")) + [Path(s.origin) for s in specs if s and s.origin]


def code_fingerprint() -> str:
    return sha256_bytes(b"".join(sha256_bytes(path.read_bytes()).encode() for path in code_files()), short=True)


# --- judging -----------------------------------------------------------------------------


def _embedding_rating(request: PromptRequest, dim: str, target: str) -> int:
    # Imported on first use: its dependencies are an optional package extra.
    from empathy_bench.candidates.builtin.embedding import embedding_rating

    return embedding_rating(request, dim, target)


RATERS: dict[str, Callable[[PromptRequest, str, str], int]] = {
    "constant": constant_rating,
    "length": length_rating,
    "lexicon": lexicon_rating,
    "embedding": _embedding_rating,
}


def judge_reply(name: str, text: str) -> str:
    """The reply of built-in model `name` to a rendered rate, compare or coach prompt. ValueError
    if `text` is none of them or not one `name` answers; ModelUnavailable if an optional model
    cannot run here."""
    if COMPARE_MARK in text and name not in COACHES:
        return compare_reply(name, read_compare_prompt(text))
    if COACH_MARK in CONVERSATION_RE.sub("", text):
        if name not in COACHES:
            raise ValueError(f"{name} is a judge; coach prompts are answered by {', '.join(COACHES)}")
        return COACHES[name](read_coach_prompt(text))
    if name in COACHES:
        raise ValueError(f"{name} answers coach prompts only")
    if name == "always_a":
        raise ValueError("always_a answers compare prompts only (it is the pure position-bias baseline)")
    request = read_prompt(text)
    rate = RATERS[name]
    return "\n".join(
        f'<rating dimension="{dim}">{rate(request, dim, request.target)}</rating>' for dim in request.dimensions
    )


COMPARE_MARK = '<conversation id="A">'
# The internal scale a built-in model rates each side on before comparing (compare prompts name
# no scale); only the comparison of the two sums matters.
COMPARE_SCALE = (1, 5)


def compare_reply(name: str, request: CompareRequest) -> str:
    """A choice per criterion: `always_a` always answers A (pure position bias); every other
    model scores each side and prefers the higher, `length` by the supporter's word count and
    the raters by their ratings of the dimensions the criterion weighs (signed by direction).
    Equal scores are a tie where allowed, otherwise A (a documented, rare position default)."""
    lines = []
    for criterion in request.criteria:
        if name == "always_a":
            choice = "A"
        else:
            a, b = (_side_score(name, request, criterion, turns) for turns in (request.turns_a, request.turns_b))
            choice = "A" if a > b else "B" if b > a else ("tie" if request.allow_tie else "A")
        lines.append(f'<preference criterion="{criterion}">{choice}</preference>')
    return "\n".join(lines)


def _side_score(name: str, request: CompareRequest, criterion: str, turns: list[tuple[str, str]]) -> float:
    if name == "length":
        return sum(len(text.split()) for speaker, text in turns if speaker == request.target)
    weighed = request.weighed[criterion]
    if not weighed:
        raise ValueError(f"the compare prompt names no rubric dimension for criterion '{criterion}'")
    rate = RATERS[name]
    side = PromptRequest([d for d, _ in weighed], *COMPARE_SCALE, turns, request.target)
    return sum(sign * rate(side, dim, request.target) for dim, sign in weighed)
