"""Upstream reproduction (inspect alone, no harness code): inspect's model cache resolves the cache
root and the entry's path on every fetch and store.

`inspect_ai.model._cache.cache_fetch` and `cache_store` both call `_cache_entry_path(entry)`, which
calls `cache_path(model)` (reads $INSPECT_CACHE_DIR, checks the model name, resolves the root and the
model folder with `Path.resolve`, `mkdir`s the root) and then `_path_is_in_cache(filename)` (reads
the root again and resolves it and the entry's file): four `Path.resolve` calls, each a chain of
`lstat`/`readlink` system calls over every component of the path, plus a `mkdir`, for every model
call. A sample that misses the cache pays it twice (fetch, then store), a hit once.

This script stores and fetches N entries (the prompt of a typical judge sample, ~3.8 KB, and a
short reply) in a fresh cache under a temporary folder and prints, per call: the whole
`cache_fetch`/`cache_store`, `_cache_entry_path` alone, and the same containment guarantee
computed the suggested way: the model's folder resolved and checked once per (root, model) and
memoised (a process calls a handful of models), then per call only a lexical check that the key
is one plain path segment (`_cache_key`'s md5 hex always is) and one `lstat` refusing an entry
that is itself a symlink, so a symlink leading out of the cache is still refused. It asserts the
suggested way gives the same path for every entry. Nothing inside inspect is changed. Target:
none; the figure says what the upstream change would save.

Run: uv run --frozen python benchmarks/upstream/cache_root_resolve.py [N]   (default 2,000)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["INSPECT_CACHE_DIR"] = tmp
        from inspect_ai.model import ChatMessageUser, GenerateConfig, ModelOutput
        from inspect_ai.model._cache import (
            CacheEntry,
            CachePolicy,
            _cache_entry_path,
            _cache_root,
            _is_safe_model_name,
            cache_fetch,
            cache_store,
        )

        prompt = "Rate the conversation below on each criterion. " * 80  # ~3.8 KB, a judge prompt
        policy = CachePolicy(expiry=None)
        entries = [
            CacheEntry(
                base_url=None,
                config=GenerateConfig(temperature=0, max_tokens=128),
                input=[ChatMessageUser(content=f"{prompt} #{i}")],
                model="litellm/openai/judge",
                policy=policy,
                tool_choice=None,
                tools=[],
            )
            for i in range(N)
        ]
        output = ModelOutput.from_content("litellm/openai/judge", '<rating dimension="d">1</rating>')

        store = timed(lambda: [cache_store(e, output) for e in entries])
        fetch = timed(lambda: [cache_fetch(e) for e in entries])
        assert all(cache_fetch(e) is not None for e in entries[:10])
        paths = timed(lambda: [_cache_entry_path(e) for e in entries])

        folders: dict[tuple[Path, str], Path | None] = {}

        def model_folder(model: str) -> Path | None:
            """Resolved and checked once per (root, model), as cache_path does on every call."""
            root = _cache_root()
            if (root, model) not in folders:
                folder = (root / model).resolve()
                inside = _is_safe_model_name(model) and root.resolve() in [folder, *folder.parents]
                folders[root, model] = root / model if inside else None
            return folders[root, model]

        def suggested(entry: CacheEntry) -> Path | None:
            folder = model_folder(entry.model)
            if folder is None or not entry.key.isalnum():
                return None
            filename = folder / entry.key
            return None if filename.is_symlink() else filename

        fast = timed(lambda: [suggested(e) for e in entries])
        assert all(suggested(e) == _cache_entry_path(e) for e in entries), "the suggested check differs"

    us = 1e6 / N
    print(f"{N} entries, inspect's cache in a temporary folder; microseconds per call:")
    print(f"  cache_store            {store * us:8.1f}")
    print(f"  cache_fetch            {fetch * us:8.1f}")
    print(f"  _cache_entry_path      {paths * us:8.1f}   (inside each of the two above)")
    print(f"  folder resolved once   {fast * us:8.1f}   (+ one lstat per call; the same paths, asserted equal)")
    saved = 2 * (paths - fast) * us
    print(f"a sample that misses the cache (fetch + store) would save {saved:.0f} us = {saved / 1000:.2f} ms")


def timed(run) -> float:  # noqa: ANN001
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
