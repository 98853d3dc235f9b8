"""Shared by the benchmarks: one OpenAI-compatible chat-completions server on 127.0.0.1 with a fixed
latency, for benchmarks/peers.py. `POST /lat<MS>/v1/chat/completions` waits MS milliseconds, then
answers what the prompt asks: one `<rating dimension="d">1</rating>` line per dimension the prompt
lists (empathy-bench's rating prompt), or `<d>1</d>` tags when MetaEvaluator's XML instructions
follow it. aiohttp (already installed with litellm) on its own event loop in a thread; it answers
at most MAX_REQUESTS requests (then 503) and stops when the benchmark leaves its `with` block."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from typing import Any

from aiohttp import web

MAX_REQUESTS = 100_000
RATING_LINE = re.compile(r'<rating dimension="([a-z0-9_]+)">N</rating>')
XML_TAG = re.compile(r"<([a-z0-9_]+)>YOUR_ANSWER_FOR_[A-Z0-9_]+</\1>")


def reply_to(prompt: str) -> str:
    tags = XML_TAG.findall(prompt)
    if tags:
        return "\n".join(f"<{tag}>1</{tag}>" for tag in tags)
    return "\n".join(f'<rating dimension="{d}">1</rating>' for d in RATING_LINE.findall(prompt))


def _text(content: Any) -> str:
    if isinstance(content, list):  # content parts
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return str(content or "")


class BenchServer:
    def __init__(self) -> None:
        self.requests = 0
        self.loop = asyncio.new_event_loop()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runner: web.AppRunner | None = None

    def url(self, latency_ms: int) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/lat{latency_ms}/v1"

    async def _answer(self, request: web.Request) -> web.Response:
        self.requests += 1
        if self.requests > MAX_REQUESTS:
            return web.json_response({"error": {"message": "benchmark server: request budget spent"}}, status=503)
        body = await request.json()
        latency = int(request.match_info["ms"]) / 1000
        if latency:
            await asyncio.sleep(latency)
        prompt = " ".join(_text(m.get("content")) for m in body.get("messages", []))
        return web.json_response(
            {
                "id": f"c{self.requests}",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", ""),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": reply_to(prompt)}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 1000, "completion_tokens": 30, "total_tokens": 1030},
            }
        )

    async def _start(self) -> None:
        app = web.Application(client_max_size=16 * 2**20)
        app.router.add_post("/lat{ms:\\d+}/v1/chat/completions", self._answer)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.SockSite(self.runner, self.sock).start()

    def __enter__(self) -> BenchServer:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=30)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.runner is not None:
            asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)
        self.sock.close()
