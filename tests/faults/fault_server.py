"""A small OpenAI-compatible chat-completions server on 127.0.0.1 that misbehaves on purpose,
for the fault-injection tests: the real litellm -> HTTP path talks to it. Started and stopped
by the tests; bounded (it answers at most `max_requests` requests, then 503s)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIMENSION_RE = re.compile(r'<rating dimension="([a-z0-9_]+)">N</rating>')


@dataclass
class Fault:
    """How the server answers. `mode`:
    ok            a valid reply rating every requested dimension `rating`
    no_tag        a valid reply without a rating tag
    off_scale     a valid reply rating 9
    empty_choices HTTP 200 with "choices": []
    malformed     HTTP 200 with a body that is not JSON (a list cut short)
    not_json      HTTP 200 with the body `{not json`
    cut_body      HTTP 200 with a valid reply cut in half (Content-Length honest: the cut body's length)
    cut_string    HTTP 200 with a valid reply cut inside its content string
    wrong_shape   HTTP 200 with JSON that is not a chat completion ({"id": ..., "choices": "none"})
    rate_limit    HTTP 429 with Retry-After: `retry_after` for the first `failures` requests, then ok
    server_error  HTTP `status` (500, 503, ...) for the first `failures` requests, then ok
    truncated     a valid reply cut off by max_tokens (finish_reason "length") before its tag closes
    auth          HTTP 401 whose body echoes the Authorization header (some providers do)
    hang          sleeps `hang_s` before answering ok
    Like a real server, any path but /v1/chat/completions is 404 {"detail": "Not Found"}, and so
    is a model other than `served` (when set), as vLLM answers it."""

    mode: str = "ok"
    rating: int = 1
    failures: int = 10**9
    retry_after: int = 1
    hang_s: float = 30.0
    status: int = 500
    served: str | None = None


@dataclass
class Seen:
    times: list[float] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)  # every header of every request
    paths: list[str] = field(default_factory=list)


class FaultServer:
    def __init__(self, fault: Fault, max_requests: int = 200) -> None:
        self.fault, self.seen, self.max_requests = fault, Seen(), max_requests
        self.prompts: list[str] = []  # every prompt received, as the provider saw it
        self.message = ""  # the error body's message for server_error (default: "server error <status>")
        self.error_body: bytes | None = None  # server_error's whole body instead (e.g. a proxy's HTML page)
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                return

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with server.lock:
                    server.seen.times.append(time.monotonic())
                    server.seen.authorizations.append(self.headers.get("Authorization", ""))
                    server.seen.headers.append(dict(self.headers.items()))
                    server.seen.paths.append(self.path)
                    n = len(server.seen.times)
                server.answer(self, json.loads(body or b"{}"), n)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    @property
    def root(self) -> str:
        """The server's address without the /v1 an OpenAI client needs (a common mistake)."""
        return self.url.removesuffix("/v1")

    @property
    def requests(self) -> int:
        return len(self.seen.times)

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, handler: BaseHTTPRequestHandler, request: dict, n: int) -> None:
        fault = self.fault
        if n > self.max_requests:
            return self._send(handler, 503, {"error": {"message": "fault server: request budget spent"}})
        failing = n <= fault.failures
        if fault.mode == "rate_limit" and failing:
            return self._send(
                handler, 429, {"error": {"message": "slow down"}}, {"Retry-After": str(fault.retry_after)}
            )
        if fault.mode == "server_error" and failing and self.error_body is not None:
            return self._send_raw(handler, fault.status, self.error_body)
        if fault.mode == "server_error" and failing:
            return self._send(
                handler, fault.status, {"error": {"message": self.message or f"server error {fault.status}"}}
            )
        if fault.mode == "auth":
            echoed = handler.headers.get("Authorization", "")
            return self._send(
                handler, 401, {"error": {"message": f"Incorrect API key provided: {echoed}", "code": "invalid_api_key"}}
            )
        if handler.path != "/v1/chat/completions":
            return self._send(handler, 404, {"detail": "Not Found"})
        if fault.served is not None and request.get("model") != fault.served:
            message = f"The model `{request.get('model')}` does not exist."
            return self._send(handler, 404, {"error": {"message": message, "type": "NotFoundError", "code": 404}})
        if fault.mode == "malformed":
            return self._send_raw(handler, 200, b'{"id": "x", "choices": [ this is not json')
        if fault.mode == "not_json":
            return self._send_raw(handler, 200, b"{not json")
        if fault.mode == "wrong_shape":
            return self._send(handler, 200, {"id": f"c{n}", "object": "chat.completion", "choices": "none"})
        if fault.mode == "hang":
            time.sleep(fault.hang_s)
        prompt = " ".join(str(m.get("content", "")) for m in request.get("messages", []))
        dims = DIMENSION_RE.findall(prompt)
        self.prompts.append(prompt)
        content = {
            "no_tag": "I would rate this fairly well.",
            "truncated": '<rating dimension="' + (dims[0] if dims else "x") + '">',
            "off_scale": "\n".join(f'<rating dimension="{d}">9</rating>' for d in dims),
        }.get(fault.mode, "\n".join(f'<rating dimension="{d}">{fault.rating}</rating>' for d in dims))
        choices = (
            []
            if fault.mode == "empty_choices"
            else [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "length" if fault.mode == "truncated" else "stop",
                }
            ]
        )
        usage = {"prompt_tokens": 100, "completion_tokens": 5, "total_tokens": 105}
        reply = {
            "id": f"c{n}",
            "object": "chat.completion",
            "created": 0,
            "model": request.get("model", ""),
            "choices": choices,
            "usage": usage,
        }
        body = json.dumps(reply).encode()
        if fault.mode == "cut_body":  # half of a valid reply, sent whole: the body is what it says
            return self._send_raw(handler, 200, body[: len(body) // 2])
        if fault.mode == "cut_string":  # cut a few characters into the reply's content string
            opening = body.index(b'"content": "') + len(b'"content": "')
            return self._send_raw(handler, 200, body[: opening + 8])
        self._send_raw(handler, 200, body)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, payload: dict, headers: dict | None = None) -> None:
        FaultServer._send_raw(handler, status, json.dumps(payload).encode(), headers)

    @staticmethod
    def _send_raw(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict | None = None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(body)


def kill_after_requests(
    argv: list[str], server: FaultServer, cwd: object, env: dict[str, str], requests: int = 5
) -> int:
    """Start the command `argv`, wait until `server` has answered `requests` requests (at most 120 s,
    or until the command ends by itself), SIGKILL it: the harness stopped mid-run with no chance
    to clean up. Returns the requests the server had answered by then."""
    child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while server.requests < requests and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    return server.requests
