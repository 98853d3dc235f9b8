"""Writing the harness's output files: the one place a file is written.

Every output (run records, leaderboard.csv/.json/.md, index.html, the README's leaderboard
excerpt, `--output`) goes through `write_text_atomic`:

- atomic: the text goes to a temporary file in the same folder, which then replaces the target
  (os.replace), so a reader sees the old file or the new one, never half of one;
- never through a link: a target that is a symbolic link is refused (InputError naming the
  file and the fix), so an output cannot land outside its folder; os.replace itself replaces
  a link rather than following it, so a link made after the check is not followed either;
- unchanged when equal: a file that already holds exactly the text is not touched (bytes and
  mtime stay), so regenerating from the same inputs changes no file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from empathy_bench.core.errors import InputError

TEMP_PREFIX = ".empathy-bench-"  # temporary files: short names, so a long target name still fits
TEMP_SUFFIX = ".tmp"


def refuse_link(path: Path) -> None:
    """Refuse a target that is a symbolic link (or not a plain file): the harness never writes
    through a link, and never reads its own previous output through one."""
    if path.is_symlink():
        raise InputError(
            path,
            "is a symbolic link, and empathy-bench never writes through one",
            f"remove the link (`rm {path}`) and run the command again; it writes a plain file there",
        )
    if path.exists() and not path.is_file():
        raise InputError(path, "is not a plain file (a folder?)", "move it away and run the command again")


def make_folder(folder: Path) -> None:
    """Make `folder` (and its parents) for an output, or say why it cannot be made (a file in the
    way, no permission), naming the folder and the fix."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(
            folder,
            f"cannot be made for the output ({err.strerror or err})",
            "move away what is in its place, or make the folder writable, and run the command again",
        ) from None


def write_text_atomic(path: Path, text: str) -> bool:
    """Write `text` (UTF-8) to `path` atomically; False, and nothing touched, when the file
    already holds exactly that text. A link at `path` is refused; an OS error (no such folder,
    no permission, disk full) is an InputError, and no partial file is left behind."""
    path = Path(path)
    refuse_link(path)
    data = text.encode("utf-8")
    try:
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass  # unreadable: write it
    temp = path.parent / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"
    try:
        # O_EXCL | O_NOFOLLOW: a fresh file of our own, never an existing file or a link;
        # mode 0o666 less the umask, as a plain open() would create it
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.is_file():
            _keep_mode(path, temp)
        os.replace(temp, path)
    except OSError as err:
        temp.unlink(missing_ok=True)
        raise InputError(
            path,
            f"cannot be written ({err.strerror or err})",
            "check that its folder exists and that you can write there (and that the disk is not full)",
        ) from None
    return True


def _keep_mode(path: Path, temp: Path) -> None:
    """A rewritten file keeps its permission bits."""
    try:
        os.chmod(temp, path.stat().st_mode & 0o7777)
    except OSError:
        pass
