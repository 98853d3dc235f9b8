"""A small source card whose recorded judge is published as three runs, with its own mirror:
shared by the loader's tests and the test-retest probe's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from empathy_bench.core.digest import sha256_file
from empathy_bench.sources.datafile import DATA_ENV

FW = "empathetic_dialogues"  # rubric: empathy, relevance, fluency on 1..5
JUDGE = "gpt-x"
RUNS = ["annotations/gpt_run1.csv", "annotations/gpt_run2.csv", "annotations/gpt_run3.csv"]
ITEMS = "original_data/conversations.csv"
EXPERT = "annotations/expert1_ratings.csv"

CONVERSATIONS = (
    "conversation_id,conversation\n"
    'c1,"Seeker: I failed my exam.\nSupporter: That must hurt."\n'
    'c2,"Seeker: My dog is ill.\nSupporter: I am sorry, how is she?"\n'
    'c3,"Seeker: I got the job!\nSupporter: Congratulations!"\n'
    'c4,"Seeker: I cannot sleep.\nSupporter: What keeps you awake?"\n'
)
EXPERT_RATINGS = "conversation_id,empathy,relevance,fluency\nc1,3,4,5\nc2,4,4,4\nc3,5,5,5\nc4,2,3,4\n"
# run k's ratings, rows c1..c4; run 3 left (c4, fluency) empty
RUN_RATINGS = [
    "conversation_id,empathy,relevance,fluency\nc1,1,3,5\nc2,4,2,4\nc3,3,5,4\nc4,2,1,2\n",
    "conversation_id,empathy,relevance,fluency\nc1,2,3,5\nc2,4,2,5\nc3,5,4,4\nc4,3,1,5\n",
    "conversation_id,empathy,relevance,fluency\nc1,5,4,5\nc2,1,2,4\nc3,4,5,3\nc4,3,2,\n",
]
# By hand, over the runs that rated each (item, dimension):
#            empathy            relevance          fluency
#   c1   1 2 5 -> 2 | 8/3    3 3 4 -> 3 | 10/3   5 5 5 -> 5 | 5
#   c2   4 4 1 -> 4 | 3      2 2 2 -> 2 | 2      4 5 4 -> 4 | 13/3
#   c3   3 5 4 -> 4 | 4      5 4 5 -> 5 | 14/3   4 4 3 -> 4 | 11/3
#   c4   2 3 3 -> 3 | 8/3    1 1 2 -> 1 | 4/3    2 5 - -> 3.5 | 3.5
MEDIANS = {
    "empathy": {"c1": 2.0, "c2": 4.0, "c3": 4.0, "c4": 3.0},
    "relevance": {"c1": 3.0, "c2": 2.0, "c3": 5.0, "c4": 1.0},
    "fluency": {"c1": 5.0, "c2": 4.0, "c3": 4.0, "c4": 3.5},
}
MEANS = {
    "empathy": {"c1": 8 / 3, "c2": 3.0, "c3": 4.0, "c4": 8 / 3},
    "relevance": {"c1": 10 / 3, "c2": 2.0, "c3": 14 / 3, "c4": 4 / 3},
    "fluency": {"c1": 5.0, "c2": 13 / 3, "c3": 11 / 3, "c4": 3.5},
}


def write_source(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str = "runs_card",
    change: Callable[[dict], None] = lambda raw: None,
    runs: list[str] | None = None,
) -> Path:
    """A card `name` and its mirror under tmp_path/data; $EMPATHY_BENCH_DATA points there.
    `runs` replaces the run files' contents; `change` edits the card before it is written
    (the checksums are those of the files as written)."""
    mirror = tmp_path / "data" / name
    contents = {ITEMS: CONVERSATIONS, EXPERT: EXPERT_RATINGS} | dict(zip(RUNS, runs or RUN_RATINGS, strict=True))
    for rel, text in contents.items():
        (mirror / rel).parent.mkdir(parents=True, exist_ok=True)
        (mirror / rel).write_text(text, encoding="utf-8")
    raw = {
        "id": name,
        "title": "A recorded judge with repeated runs (test card)",
        "citation": "none",
        "license": "MIT",
        "homepage": "https://example.org",
        "revision": "0" * 40,
        "base_url": "https://example.org/files/",
        "mirror_dir": name,
        "files": [{"path": rel, "sha256": sha256_file(mirror / rel)} for rel in contents],
        "frameworks": [
            {
                "id": FW,
                "rubric": FW,
                "key": ["conversation_id"],
                "items": {"file": ITEMS, "text": {"format": "transcript", "column": "conversation"}},
                "raters": [
                    {"id": "expert1", "group": "expert", "file": EXPERT},
                    {"id": JUDGE, "group": "recorded", "runs": list(RUNS)},
                ],
            }
        ],
    }
    change(raw)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "data"))
    return path
