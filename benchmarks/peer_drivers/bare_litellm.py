"""Peer driver: a bare asyncio loop over litellm.acompletion (the lower bound of any litellm-based
judge): the prompts sent `--concurrency` at a time to the benchmark's server through litellm's
hosted_vllm (OpenAI-compatible) provider, each reply's rating lines counted.

Run by benchmarks/peers.py: python bare_litellm.py PROMPTS N BASE_URL CONCURRENCY RESULT WORKDIR
(prints nothing; writes {"phase": seconds, "judged": n, "parsed": n} to RESULT)."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time

RATING = re.compile(r'<rating dimension="[a-z0-9_]+">\d</rating>')


async def judge_all(prompts: list[str], base_url: str, concurrency: int) -> list[str]:
    import litellm  # imported in main(), before the clock starts

    gate = asyncio.Semaphore(concurrency)

    async def one(prompt: str) -> str:
        async with gate:
            reply = await litellm.acompletion(
                model="hosted_vllm/bench-judge",
                api_base=base_url,
                api_key="none",
                messages=[{"role": "user", "content": prompt}],
                temperature=0,
                max_tokens=128,
                num_retries=0,
            )
            return reply.choices[0].message.content or ""

    return await asyncio.gather(*(one(p) for p in prompts))


def main() -> None:
    prompts_file, n, base_url, concurrency, result, _workdir = sys.argv[1:7]
    prompts = json.loads(open(prompts_file).read())[: int(n)]
    import litellm  # noqa: F401 (imported before the judging phase is timed, as every peer's is)

    start = time.perf_counter()
    replies = asyncio.run(judge_all(prompts, base_url, int(concurrency)))
    phase = time.perf_counter() - start
    parsed = sum(1 for reply in replies if RATING.search(reply))
    open(result, "w").write(json.dumps({"phase": phase, "judged": len(replies), "parsed": parsed}))


if __name__ == "__main__":
    main()
