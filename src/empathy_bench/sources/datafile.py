"""Fetching a label source's files: from a local mirror ($EMPATHY_BENCH_DATA) or the pinned
public URL into the user cache, always verified against the card's sha256. A card is untrusted
input: each path it names is checked to stay inside the mirror or the cache (core/paths.py)
before anything is read, written or created."""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import platformdirs

from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import ChecksumError, InputError
from empathy_bench.core.paths import inside
from empathy_bench.sources.card import SourceCard

DATA_ENV = "EMPATHY_BENCH_DATA"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("empathy-bench"))


def local_path(card: SourceCard, rel_path: str) -> Path:
    """Where one of the card's files is read from: the mirror, or the user cache (present or not).
    Each folder the card names is checked to stay inside the one above it, the file inside the
    card's folder, so a card cannot reach outside the mirror or the cache (nor into another
    card's folder) by an absolute path, '..' or a symbolic link."""
    field = card.file_field(rel_path)
    if mirror := os.environ.get(DATA_ENV):
        where = f"the label mirror ({DATA_ENV}={mirror})"
        folder = inside(Path(mirror), card.mirror_dir, source=card.source, field="mirror_dir", root_name=where)
        return inside(folder, rel_path, source=card.source, field=field, root_name=f"the card's folder {folder}")
    cache = cache_dir()
    card_folder = inside(cache, card.id, source=card.source, field="id", root_name=f"the download cache {cache}")
    folder = inside(
        card_folder, card.revision, source=card.source, field="revision", root_name=f"the folder {card_folder}"
    )
    return inside(folder, rel_path, source=card.source, field=field, root_name=f"the card's cache folder {folder}")


def data_file(card: SourceCard, rel_path: str) -> Path:
    """The verified local path of one of the card's files."""
    expected = card.file(rel_path).sha256
    path = local_path(card, rel_path)
    if mirror := os.environ.get(DATA_ENV):
        if not path.is_file():
            raise InputError(
                path,
                f"missing from the local mirror ({DATA_ENV}={mirror})",
                f"put {card.id}'s files under {Path(mirror) / card.mirror_dir}, or unset {DATA_ENV} to download them",
            )
    elif not path.is_file():
        _download(card.base_url + rel_path, path, expected, card)
    _verify(path, expected, card)
    return path


def _verify(path: Path, expected: str, card: SourceCard) -> None:
    actual = sha256_file(path)
    if actual != expected:
        raise ChecksumError(
            f"{path}: sha256 {actual} differs from {expected} pinned in human_labels/{card.id}.yaml. "
            "Fix: the file is corrupt or not the pinned revision; delete it (a cached copy is downloaded again) "
            "or restore the mirror from the pinned commit. Refusing to proceed."
        )


def _download(url: str, dest: Path, expected: str, card: SourceCard) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Download beside the target and rename only when complete, so an interrupted
    # download never leaves a partial file that looks cached.
    with tempfile.NamedTemporaryFile(dir=dest.parent, delete=False, suffix=".part") as tmp:
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                for block in iter(lambda: response.read(1 << 20), b""):
                    tmp.write(block)
        except (urllib.error.URLError, TimeoutError) as err:
            Path(tmp.name).unlink(missing_ok=True)
            raise InputError(
                url,
                f"download failed ({err})",
                f"check the network, or point {DATA_ENV} at a local mirror with the same relative paths",
            ) from None
    try:
        _verify(Path(tmp.name), expected, card)
    except ChecksumError:
        Path(tmp.name).unlink()  # never cache a file that failed its checksum
        raise
    Path(tmp.name).replace(dest)
