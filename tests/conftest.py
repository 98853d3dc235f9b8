"""Shared fixtures: the label mirror and the loaded Kumar et al. labels.

Tests never touch the network: the loader reads the read-only mirror through
$EMPATHY_BENCH_DATA, and Hugging Face libraries are told to stay offline.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from empathy_bench.sources.datafile import DATA_ENV

# Set before anything imports `datasets` / `huggingface_hub`: both read these once, at import.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

# CI layout: ../shared/data beside the checkout (tests/ -> repo root -> its parent).
DEFAULT_MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session", autouse=True)
def data_mirror() -> Iterator[Path]:
    """Point the loader at the label mirror for the whole session: $EMPATHY_BENCH_DATA when
    already set (made absolute, so a test that changes directory keeps it), else ../shared/data."""
    given = os.environ.get(DATA_ENV)
    mirror = Path(given).resolve() if given else DEFAULT_MIRROR
    patch = pytest.MonkeyPatch()
    patch.setenv(DATA_ENV, str(mirror))
    yield mirror
    patch.undo()


@pytest.fixture(scope="session", autouse=True)
def session_inspect_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """inspect's model cache in a folder of this session (each xdist worker its own), unless a
    test sets its own: replies cached by one test run of the suite never serve the next run, and
    the user's own cache (~/.cache/inspect_ai) is never written by the tests. Shard processes and
    other subprocesses inherit it."""
    cache = tmp_path_factory.mktemp("inspect-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("INSPECT_CACHE_DIR", str(cache))
    yield cache
    patch.undo()


@pytest.fixture(scope="session", autouse=True)
def one_process() -> Iterator[None]:
    """Runs in this process (one local shard) unless $EMPATHY_BENCH_WORKERS says otherwise: many
    tests watch the provider's calls from here (a shard process's calls are not seen).
    tests/runs/test_shards.py runs several shards."""
    from empathy_bench.runs.pool import WORKERS_ENV

    patch = pytest.MonkeyPatch()
    patch.setenv(WORKERS_ENV, os.environ.get(WORKERS_ENV, "1"))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def mirror(data_mirror: Path) -> Path:
    """The mirror, for tests that read it: fail loudly (never skip) when it is absent, so a
    CI without the data cannot pass silently."""
    if not (data_mirror / "kumar2025_empathic_communication").is_dir():
        pytest.fail(f"label mirror not found at {data_mirror}; set {DATA_ENV} to the shared data folder")
    return data_mirror


@pytest.fixture(scope="session")
def kumar(mirror: Path):
    """All four frameworks of kumar2025, loaded once (read-only: do not mutate the frames)."""
    from empathy_bench.sources.labels import load_source

    return load_source("kumar2025")


@pytest.fixture(scope="module")
def builtin_registered() -> None:
    """The built-in judges answer as litellm provider `builtin`."""
    from empathy_bench.candidates.builtin import provider as builtin

    builtin.register()


@pytest.fixture(scope="module")
def template():  # noqa: ANN201
    """The default judge prompt template."""
    from empathy_bench.candidates import prompt

    return prompt.load_template("rubric_judge")
