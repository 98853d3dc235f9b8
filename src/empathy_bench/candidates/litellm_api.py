"""The inspect model API `litellm`: `--model litellm/<litellm model string>` sends every
generate call through `litellm.acompletion`, so any litellm provider (OpenAI, Anthropic,
Gemini, Ollama, vLLM, llama.cpp, any OpenAI-compatible URL) and the built-in offline judges
(`litellm/builtin/<name>`) run on inspect's runner, cache, retries and logs.

Registered with inspect through the `inspect_ai` entry point in pyproject.toml.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from typing import Any

import litellm
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    ModelAPI,
    ModelCall,
    ModelOutput,
    ModelUsage,
    RetryDecision,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

import empathy_bench  # noqa: F401  (sets LITELLM_LOCAL_MODEL_COST_MAP before litellm loads)
from empathy_bench.candidates.judge import ENV_NAME, NO_KEY, URL_ARGS, secret_args
from empathy_bench.core.errors import InputError
from empathy_bench.core.inspect_private import init_dotenv, skip_unusable_openai_hook
from empathy_bench.core.secrets import CREDENTIAL_NAME, mask_exception

# Transient provider failures that inspect's retry policy (exponential backoff, bounded by
# --max-retries / --timeout) should retry; everything else (bad request, auth, unknown
# model) fails the sample at once with the provider's message.
TRANSIENT = (
    litellm.APIConnectionError,
    litellm.Timeout,
    litellm.ServiceUnavailableError,
    litellm.InternalServerError,
    litellm.BadGatewayError,
)
# Where the provider reports its stop reason, mapped onto inspect's vocabulary.
STOP_REASONS = {"stop": "stop", "length": "max_tokens", "content_filter": "content_filter", "tool_calls": "tool_calls"}
# The default generate config (a module-level instance, not a call in the argument defaults).
DEFAULT_CONFIG = GenerateConfig()


class UnusableReply(Exception):
    """The provider answered, but with nothing a judge's reply can be read from (no choices, no
    content, a body that is not JSON). Not retried (asking again gets the same answer) and never
    cached: the rate task's solver turns it into an unscored reply with this message."""


class ProviderUnreachable(Exception):
    """Nothing listens at the judge's URL (connection refused, unknown host): fail at once
    with the URL instead of backing off for minutes."""


class ProviderNotFound(Exception):
    """The server answered 404: the URL or the model name is wrong. Not retried, and re-running
    the same command cannot help (the run's failure says what to check instead)."""


# Sent as the key when the judge file says its server needs none (`api_key_env: none`): with no
# key at all, litellm's clients would take the provider's key (OPENAI_API_KEY, ...) from the
# environment and send it to that server.
PLACEHOLDER_KEY = "empathy-bench-no-key"


# inspect's default back-off (its wait_exponential_jitter(initial=3, max=30 * 60, jitter=3))
RETRY_INITIAL_S, RETRY_MAX_S = 3.0, 30 * 60.0


def _retry_after(ex: Exception) -> float | None:
    """The provider's Retry-After, in seconds, when it sent one."""
    response = getattr(ex, "response", None)
    headers = getattr(response, "headers", None) or getattr(ex, "litellm_response_headers", None) or {}
    value = headers.get("retry-after") or headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class LitellmAPI(ModelAPI):
    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = DEFAULT_CONFIG,
        api_key_env: str | None = None,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        secret = secret_args(model_args)
        if secret:
            raise ValueError(
                f"model arg(s) {secret} look like credentials and would be written to the eval log; "
                "set the provider's key in the environment or a .env file instead"
            )
        if urls := [name for name in model_args if str(name).lower() in URL_ARGS]:
            raise InputError(
                f"litellm/{model_name}",
                f"model arg {urls[0]} would send requests (and the provider's key) to another host",
                "give the server's URL as base_url, with api_key_env naming its key variable (or none)",
            )
        self.model_args = model_args
        init_dotenv()
        self.api_key = self._key(api_key_env)
        self._check_credentials()
        from empathy_bench.candidates import builtin  # the offline models answer as provider `builtin`

        builtin.register()
        skip_unusable_openai_hook()
        # Retries belong to inspect (so they neither stack nor hide from the log).
        litellm.num_retries = 0
        # litellm prints a "Give Feedback / Get Help" banner with every error: the harness says what failed
        litellm.suppress_debug_info = True

    def _key(self, env: str | None) -> str | None:
        """The key this model sends. An explicit api_key (get_model(api_key=...)) as given. Else
        the value of the variable `env` names (environment or .env), or a placeholder for `none`.
        A server at base_url must say which (the judge file's api_key_env; -M api_key_env=... with
        plain inspect): a provider's own key goes only to the provider's own host, where litellm
        picks it from the environment (None here)."""
        where = f"litellm/{self.model_name}"
        if self.api_key:
            return self.api_key
        if env is None:
            if self.base_url and not self.model_name.startswith("builtin/"):
                raise InputError(
                    f"{where} at {self.base_url}",
                    "a base_url with no api_key_env: the provider's own key would be sent to that host",
                    "name the variable that holds the server's key (api_key_env: VLLM_API_KEY in the judge "
                    "file; -M api_key_env=VLLM_API_KEY with inspect), or api_key_env: none if it needs none",
                )
            return None
        if env.lower() == NO_KEY:
            return PLACEHOLDER_KEY
        if not ENV_NAME.match(env) or not CREDENTIAL_NAME.search(env):
            raise InputError(
                where,
                f"api_key_env '{env}' is not a variable name ending in _KEY, _TOKEN or _SECRET",
                "name such a variable (e.g. VLLM_API_KEY): only their values are masked in messages and logs",
            )
        value = os.environ.get(env)
        if not value:
            raise InputError(
                where,
                f"no credentials: {env} (the judge's api_key_env) is not set",
                "set it in the environment or in a .env file in this folder (keys never go in judge files)",
            )
        return value

    def _check_credentials(self) -> None:
        """Fail before any call when the provider's key is missing from the environment (and
        any .env file), instead of retrying what litellm reports as a server error."""
        if self.api_key or self.model_name.startswith("builtin/"):
            return
        try:
            status = litellm.validate_environment(model=self.model_name)
        except Exception:  # unknown provider: litellm raises a bare Exception; let the call report it
            return
        missing = [k for k in status.get("missing_keys", []) if not (self.base_url and "API_BASE" in k)]
        if missing and not any(os.environ.get(k) for k in missing):
            raise InputError(
                f"litellm/{self.model_name}",
                f"no credentials: {' or '.join(missing)} is not set",
                "set it in the environment or in a .env file in this folder (keys never go in judge files)",
            )

    async def generate(
        self, input: list[ChatMessage], tools: list[ToolInfo], tool_choice: ToolChoice, config: GenerateConfig
    ) -> tuple[ModelOutput, ModelCall]:
        request = {
            "model": self.model_name,
            "messages": [{"role": m.role, "content": m.text} for m in input],
            **_generation_params(config),
            **self.model_args,
        }
        if self.base_url:
            request["api_base"] = self.base_url
        secrets = {"api_key": self.api_key} if self.api_key else {}
        try:
            response = await litellm.acompletion(**request, **secrets, num_retries=0, max_retries=0)
        except Exception as err:
            # a provider may echo the key in its error (a 401 body): mask it before inspect logs it
            mask_exception(err)
            if _refused(err):
                where = self.base_url or self.model_name
                raise ProviderUnreachable(
                    f"nothing answers at {where} (connection refused): start the server or fix base_url"
                ) from None
            if isinstance(err, litellm.NotFoundError):
                raise ProviderNotFound(self._not_found()) from None
            if unreadable := _unreadable(err):
                raise UnusableReply(f"the provider's reply could not be read ({unreadable})") from None
            raise
        call = ModelCall.create(request=request, response=response.model_dump())
        if not response.choices or response.choices[0].message.content is None:
            raise UnusableReply(
                "the provider's reply has no choices" if not response.choices else "the provider's reply has no content"
            )
        return _model_output(response), call

    def _not_found(self) -> str:
        """One line for a 404, in the harness's `where: problem. Fix: fix` form: what to check
        (the URL's path, the model's name)."""
        provider, _, served = self.model_name.partition("/")
        if not self.base_url:
            return (
                f"litellm/{self.model_name}: {provider} answered 404 Not Found. "
                f"Fix: check the model name ('{served}' is not one {provider} serves)"
            )
        if provider.startswith("ollama"):
            check = (
                f"base_url is the server's address without a path (e.g. http://localhost:11434) "
                f"and the model is pulled (ollama pull {served})"
            )
        else:
            check = (
                f"base_url ends in /v1 (e.g. http://localhost:8000/v1) and the server serves a model named '{served}'"
            )
        return (
            f"litellm/{self.model_name} at {self.base_url}: the server answered 404 Not Found. Fix: check that {check}"
        )

    def should_retry(self, ex: Exception) -> bool | RetryDecision:
        if isinstance(ex, litellm.RateLimitError):
            return RetryDecision.rate_limit(retry_after=_retry_after(ex))
        server_error = isinstance(ex, litellm.APIError) and (getattr(ex, "status_code", 0) or 0) >= 500
        return RetryDecision.transient() if isinstance(ex, TRANSIENT) or server_error else RetryDecision.no()

    def retry_wait(self) -> Callable[[Any], float]:
        """The wait before a retry: inspect's default back-off (3 s doubling up to 30 minutes, plus
        up to 3 s of jitter), never shorter than the provider's Retry-After. inspect reports
        Retry-After to its concurrency controller but does not wait for it, so without this a
        rate-limited provider would be asked again sooner than it said."""

        def wait(state: Any) -> float:  # tenacity's RetryCallState
            backoff = min(RETRY_INITIAL_S * 2 ** (state.attempt_number - 1), RETRY_MAX_S) + random.uniform(0, 3)
            ex = state.outcome.exception() if state.outcome else None
            after = _retry_after(ex) if isinstance(ex, Exception) else None
            return max(backoff, after or 0.0)

        return wait

    def is_auth_failure(self, ex: Exception) -> bool:
        return isinstance(ex, litellm.AuthenticationError)

    def connection_key(self) -> str:
        # One connection pool per provider endpoint, so --max-connections applies per server.
        return self.base_url or self.model_name.split("/")[0]


# Seconds a single call may take when the judge file sets no `timeout`: without it a hung
# server could stall a call for litellm's own default of 6,000 s.
DEFAULT_TIMEOUT = 120


# Where litellm turns the provider's JSON into its response object: any exception raised there
# (a missing or wrongly typed field: TypeError, AttributeError, pydantic's ValidationError, its
# own APIError) means the reply arrived and cannot be read.
RESPONSE_CONVERSION = "litellm.litellm_core_utils.llm_response_utils.convert_dict_to_response"


def _unreadable(err: BaseException) -> str | None:
    """Why the provider's reply cannot be read, if that is what went wrong: somewhere down the
    chain of exceptions its body failed to decode (json.JSONDecodeError: not JSON, cut short
    or cut mid-string; UnicodeDecodeError: not text), or litellm failed to convert the decoded
    JSON into a response. Judged by the exceptions' types and where they were raised, never by
    their text; a transport failure (a connection closed mid-body) is not a reply and is retried."""
    for current in _chain(err):
        if isinstance(current, json.JSONDecodeError | UnicodeDecodeError):
            return f"{type(current).__name__}: {current}"[:200]
        if any(_module(frame) == RESPONSE_CONVERSION for frame in _frames(current)):
            return f"a body litellm cannot convert: {type(current).__name__}"
    return None


def _chain(err: BaseException) -> list[BaseException]:
    """`err` and the exceptions it was raised from or while handling, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = err
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _frames(err: BaseException) -> list[Any]:
    frames, tb = [], err.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def _module(frame: Any) -> str:
    return str(frame.f_globals.get("__name__", ""))


def _refused(err: BaseException) -> bool:
    """Nothing listens at the URL: somewhere down the chain of exceptions the connection itself
    failed (litellm reports it as a generic 'Connection error.'). Judged by the exception's
    type, never its text: a proxy's 503 may quote "connection refused" and must be retried."""
    return any(isinstance(c, ConnectionRefusedError) or type(c).__name__ == "ConnectError" for c in _chain(err))


def _generation_params(config: GenerateConfig) -> dict[str, Any]:
    """The GenerateConfig fields litellm understands, leaving unset ones to the provider (the
    timeout defaults to DEFAULT_TIMEOUT)."""
    params = {
        "temperature": config.temperature,
        "top_p": config.top_p,
        "max_tokens": config.max_tokens,
        "seed": config.seed,
        "stop": config.stop_seqs,
        "frequency_penalty": config.frequency_penalty,
        "presence_penalty": config.presence_penalty,
        "timeout": config.timeout or DEFAULT_TIMEOUT,
    }
    return {k: v for k, v in params.items() if v is not None}


def _model_output(response: Any) -> ModelOutput:
    choices = [
        ChatCompletionChoice(
            message=ChatMessageAssistant(content=choice.message.content or "", model=response.model, source="generate"),
            stop_reason=STOP_REASONS.get(choice.finish_reason or "", "unknown"),
        )
        for choice in response.choices
    ]
    usage = getattr(response, "usage", None)
    return ModelOutput(
        model=response.model or "",
        choices=choices,
        usage=ModelUsage(
            input_tokens=usage.prompt_tokens or 0,
            output_tokens=usage.completion_tokens or 0,
            total_tokens=usage.total_tokens or 0,
        )
        if usage
        else None,
    )


@modelapi(name="litellm")
def litellm_api() -> type[ModelAPI]:
    return LitellmAPI
