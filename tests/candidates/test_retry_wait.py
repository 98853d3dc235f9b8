"""The wait before a retried provider call: inspect's back-off, never shorter than Retry-After
(inspect reports Retry-After to its concurrency controller but does not wait for it)."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import litellm

from empathy_bench.candidates.litellm_api import LitellmAPI


def _state(attempt: int, ex: Exception | None) -> SimpleNamespace:
    """What tenacity hands a wait: the attempt number and the outcome that failed."""
    outcome = SimpleNamespace(exception=lambda: ex)
    return SimpleNamespace(attempt_number=attempt, outcome=outcome)


def _rate_limited(retry_after: str | None) -> litellm.RateLimitError:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    response = httpx.Response(429, headers=headers, request=httpx.Request("POST", "http://127.0.0.1/v1"))
    return litellm.RateLimitError("slow down", llm_provider="openai", model="m", response=response)


def test_a_wait_is_the_back_off_unless_retry_after_asks_for_longer() -> None:
    wait = LitellmAPI("openai/m", base_url="http://127.0.0.1:9/v1", api_key="none").retry_wait()
    # Retry-After longer than the back-off: waited in full (attempt 1: 3 s + up to 3 s jitter)
    assert wait(_state(1, _rate_limited("100"))) == 100.0
    # no Retry-After, or a shorter one: the back-off, 3 * 2^(attempt - 1) s plus 0-3 s of jitter
    assert 3.0 <= wait(_state(1, _rate_limited(None))) <= 6.0
    assert 12.0 <= wait(_state(3, _rate_limited("1"))) <= 15.0
    assert 1800.0 <= wait(_state(30, None)) <= 1803.0  # capped at 30 minutes
