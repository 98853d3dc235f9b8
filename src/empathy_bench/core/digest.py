"""sha256 digests: of files (label data, logs, records) and of bytes (configs, fingerprints).
The one place the harness hashes anything."""

from __future__ import annotations

import hashlib
from pathlib import Path

import fsspec

SHORT = 12  # hex digits kept where a digest names a version, not a file's integrity


def sha256_file(path: Path | str) -> str:
    """Full hex digest of a file, read in 1 MiB blocks (label files can be large). A URL
    (`s3://...`: a log on object storage) is read through fsspec."""
    digest = hashlib.sha256()
    with fsspec.open(path, "rb") if "://" in str(path) else Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes | str, short: bool = False) -> str:
    """Hex digest of bytes (text is UTF-8 encoded); `short` keeps the first 12 digits."""
    hexdigest = hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()
    return hexdigest[:SHORT] if short else hexdigest
