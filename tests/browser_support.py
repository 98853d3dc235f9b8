"""One headless Chromium that a test module keeps open, driven over the DevTools protocol
through a pipe (Chromium's --remote-debugging-pipe: JSON messages ended by NUL on fds 3 and 4),
with nothing beyond the standard library: no Playwright, no websocket client.

A test module launches it once (a module-scoped fixture) and loads its pages into it, so a
page is drawn by a real browser without a browser start per check.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

TIMEOUT_S = 60
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]


class BrowserError(RuntimeError):
    """Chromium ended, answered with an error or did not answer in time."""


class Browser:
    """One Chromium page: load a URL, evaluate script in it, size its viewport, screenshot it."""

    def __init__(self, chromium: str, profile: Path) -> None:
        to_child, self._out = os.pipe()  # we write, Chromium reads fd 3
        self._in, from_child = os.pipe()  # Chromium writes fd 4, we read

        def onto_3_and_4() -> None:  # in the child, before exec: the pipe ends become its fds 3 and 4
            # (by way of fds above 9, so that neither end is overwritten by the other's dup2)
            high_in, high_out = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_child, from_child))
            os.dup2(high_in, 3)  # dup2 makes them inheritable; every other fd Python opened is not (PEP 446)
            os.dup2(high_out, 4)

        self._stderr = (profile.parent / f"{profile.name}-stderr.txt").open("w+", encoding="utf-8")
        self.process = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            close_fds=False,  # else fds 3 and 4 are closed after onto_3_and_4 (pass_fds needs them open here)
            preexec_fn=onto_3_and_4,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._last_id = 0
        self._events: list[dict] = []
        self.errors: list[str] = []  # uncaught exceptions and console errors since the last load
        page = next(t for t in self._send("Target.getTargets")["targetInfos"] if t["type"] == "page")
        self._session = self._send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            self.command(f"{domain}.enable")

    # ---------- the protocol ----------

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._out, data) :]
        while True:
            reply = self._receive(time.monotonic() + TIMEOUT_S, method)
            if reply.get("id") == self._last_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self._event(reply)

    def _receive(self, deadline: float, waiting_for: str) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise BrowserError(f"Chromium did not answer {waiting_for} in {TIMEOUT_S} s{self._tail()}")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium ended while waiting for {waiting_for}{self._tail()}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(message))

    def _event(self, event: dict) -> None:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append(str(details.get("exception", {}).get("description") or details.get("text")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self.errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.errors.append(str(params["entry"].get("text")))
        self._events.append(event)

    def _tail(self) -> str:
        self._stderr.seek(0)
        return ":\n" + self._stderr.read()[-3000:]

    def command(self, method: str, params: dict | None = None) -> dict:
        """One DevTools command to the page; its result."""
        return self._send(method, params, self._session)

    def wait_for(self, method: str) -> dict:
        """The next page event `method` (events already received count)."""
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            for i, event in enumerate(self._events):
                if event.get("method") == method:
                    del self._events[: i + 1]
                    return dict(event.get("params", {}))
            self._events.clear()
            message = self._receive(deadline, method)
            if "id" not in message:
                self._event(message)

    # ---------- what tests use ----------

    def load(self, url: str) -> None:
        """Load `url` as a new document (never a same-document jump to a fragment) and wait until
        its load event, so the page's scripts have run."""
        for target in ("about:blank", url):
            self._events.clear()
            self.errors = []
            self.command("Page.navigate", {"url": target})
            self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (a promise is awaited); raises on a throw."""
        result = self.command(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(str(details.get("exception", {}).get("description") or details.get("text")))
        return result.get("result", {}).get("value")

    def viewport(self, width: int, height: int) -> None:
        self.command(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def screenshot(self, full_page: bool = False) -> bytes:
        """A PNG of the viewport (or of the whole page)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        return base64.b64decode(self.command("Page.captureScreenshot", params)["data"])

    def dom(self) -> str:
        """The document as it is now, after the scripts ran (what --dump-dom prints)."""
        return str(self.evaluate("document.documentElement.outerHTML"))

    def close(self) -> None:
        try:
            self._send("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._in, self._out):
            os.close(fd)
        self._stderr.close()
