"""Credentials never reach the screen, logs, results or error messages: every value of a
credential variable the process knows (the environment, and a .env file in the working folder)
is replaced by a mask wherever the harness prints or stores text, including provider error
messages that echo the key back. Values that look like provider keys are refused in files."""

from __future__ import annotations

import os
import re
from pathlib import Path

MASK = "***"
# Environment variables whose values are credentials, by name.
# (a whole name part: OPENAI_API_KEY, HF_TOKEN, AWS_SECRET_ACCESS_KEY; not GIT_AUTHOR_NAME)
CREDENTIAL_NAME = re.compile(r"(?:^|_)(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$", re.I)
# Values that look like provider keys whatever they are called (OpenAI, Anthropic, Google, Hugging
# Face, xAI), as whole tokens: in "task-specialised-8b" the "sk-" is part of a model name.
KEY_LIKE = re.compile(
    r"(?<![A-Za-z0-9_-])(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,}|hf_[A-Za-z0-9]{30,}|xai-[A-Za-z0-9]{20,})"
)
MIN_SECRET = 8  # shorter values (e.g. "1", "true") would mask ordinary words


def _dotenv_values(path: Path = Path(".env")) -> list[str]:
    if not path.is_file():
        return []
    values = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        name, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and CREDENTIAL_NAME.search(name):
            values.append(value.strip().strip("'\""))
    return values


def known_secrets() -> list[str]:
    """Values of every credential variable in the environment and in ./.env, longest first."""
    values = [v for k, v in os.environ.items() if CREDENTIAL_NAME.search(k)] + _dotenv_values()
    return sorted({v for v in values if len(v) >= MIN_SECRET}, key=len, reverse=True)


def mask(text: str) -> str:
    """`text` with every known credential value and anything shaped like a provider key masked."""
    for secret in known_secrets():
        text = text.replace(secret, MASK)
    return KEY_LIKE.sub(MASK, text)


def mask_exception(err: BaseException) -> None:
    """Mask an exception's message in place (its args and a `message` attribute, as litellm's
    errors carry) and those of the exceptions it was raised from, so whoever formats it later
    (inspect's log and its traceback included) sees no key."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.args = tuple(mask(a) if isinstance(a, str) else a for a in current.args)
        if isinstance(getattr(current, "message", None), str):
            current.message = mask(current.message)  # type: ignore[attr-defined]
        current = current.__cause__ or current.__context__
