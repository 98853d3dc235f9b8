"""An exclusive lock on a folder for the length of a command: two runs on one checkout (two
terminals, or CI next to a user) would otherwise give their tasks the same ids in one log dir, and
one run's end-of-run cleanup could delete the other's finished log, or two writers interleave
the records. The second command refuses at once and says who holds the folder.

The lock is the kernel's (`flock` on a file in the folder): it is released when the holding process
exits, however it exits, so a crash or a SIGKILL never leaves a stale lock to clean up by hand.
Forked worker processes share their parent's lock. Folders that are not local paths (`s3://...`)
are not locked: an object store has no such lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from empathy_bench.core.errors import InputError

LOCK_NAME = ".empathy-bench.lock"


@contextmanager
def folder_lock(folder: str | Path, option: str) -> Iterator[None]:
    """Hold `folder` exclusively (made if missing) until the block ends; refuse with the holder's
    pid, command and start time when another process holds it. `option` names the command-line
    option that chose the folder, for the fix."""
    if "://" in str(folder):
        yield
        return
    where = Path(folder)
    where.mkdir(parents=True, exist_ok=True)
    path = where / LOCK_NAME
    # O_NOFOLLOW: a lock file planted as a symlink is refused, never followed and truncated
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as err:
        raise InputError(
            path, f"cannot open the lock file ({err.strerror})", f"remove it if it is a link, or give another {option}"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                where,
                f"another empathy-bench command is using this folder ({_holder(fd)})",
                f"wait for it to finish, or give this command its own {option}",
            ) from None
        os.ftruncate(fd, 0)
        holder = {"pid": os.getpid(), "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "command": sys.argv[1:3]}
        os.write(fd, json.dumps(holder).encode())
        yield
    finally:
        os.close(fd)  # releases the lock; the file stays (deleting it would race a new holder)


@contextmanager
def folder_locks(*folders: tuple[str | Path | None, str]) -> Iterator[None]:
    """Several folders held together, each (folder, option); None is skipped. The same folder named
    twice is held once."""
    seen: set[str] = set()
    with ExitStack() as stack:
        for folder, option in folders:
            if folder is None:
                continue
            key = str(folder) if "://" in str(folder) else str(Path(folder).resolve())
            if key not in seen:
                seen.add(key)
                stack.enter_context(folder_lock(folder, option))
        yield


def _holder(fd: int) -> str:
    """Who holds the lock, as the holder wrote it (pid, command, start time)."""
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {info['pid']}, `empathy-bench {' '.join(info['command'])}` since {info['since']}"
    except (ValueError, KeyError, TypeError, OSError):
        return "holder unknown"
