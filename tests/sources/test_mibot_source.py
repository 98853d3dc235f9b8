"""The MIBot source card (human_labels/mibot_acl2025.yaml): it loads the mirror and verifies every
file's sha256; per-conversation JSON transcripts become turns; CARE's "does not apply" (0) is a
missing answer; the LLM-made AutoMISC annotations never reach an item or a prompt."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import ChecksumError
from empathy_bench.sources.card import TextSpec, load_source_card
from empathy_bench.sources.label_items import transcript_turns
from empathy_bench.sources.labels import load_source

MIRROR = Path(os.environ.get("EMPATHY_BENCH_DATA", "../shared/data"))


def _automisc(mirror: Path) -> set[str]:
    texts = set()
    for path in (mirror / "mibot_acl2025" / "transcripts").glob("*.json"):
        for u in json.loads(path.read_text())["utterances"]:
            texts.add(str(u["auto_misc_explanation"]))
    return {t for t in texts if len(t) > 40}


def test_card_lists_and_verifies_every_file() -> None:
    card = load_source_card("mibot_acl2025")
    folder = MIRROR / card.mirror_dir
    assert len([f for f in card.files if f.path.startswith("transcripts/")]) == 106
    for declared in card.files:
        assert sha256_file(folder / declared.path) == declared.sha256, declared.path


def test_loads_conversations_and_the_clients_answers() -> None:
    labels = load_source("mibot_acl2025")
    assert len(labels.items) == 106
    assert {t["speaker"] for turns in labels.items.turns for t in turns} == {"Counsellor", "Client"}
    for turns in labels.items.turns:  # consecutive utterances of one speaker are one turn
        assert all(a["speaker"] != b["speaker"] for a, b in zip(turns, turns[1:], strict=False))
    assert set(labels.ratings.rater_group) == {"self"} and set(labels.ratings.rater_id) == {"client"}
    # 106 x 10 answers, 7 of them "does not apply" (0): missing, never a scale point
    assert len(labels.ratings) == 1060 - 7 and labels.ratings.value.min() >= 1
    assert sum(int(line.split(" cells")[0].rsplit(" ", 1)[1]) for line in labels.report if "hold [0.0]" in line) == 7
    row = load_source_card("mibot_acl2025").framework("mibot").human_rows[0]
    assert row.label == "human: the client's own CARE answers" and row.role == "self_report"


def test_automisc_never_reaches_an_item() -> None:
    labels = load_source("mibot_acl2025")
    text = json.dumps(list(labels.items.turns)) + json.dumps(list(labels.items.metadata))
    assert "auto_misc" not in text.lower() and "automisc" not in text.lower()
    assert not [t for t in _automisc(MIRROR) if t in text]


def test_a_corrupted_transcript_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(MIRROR / "mibot_acl2025", tmp_path / "mibot_acl2025")
    victim = sorted((tmp_path / "mibot_acl2025" / "transcripts").glob("*.json"))[3]
    victim.write_text(victim.read_text().replace("counsellor", "counselor", 1))
    monkeypatch.setenv("EMPATHY_BENCH_DATA", str(tmp_path))
    with pytest.raises(ChecksumError, match=victim.name):
        load_source("mibot_acl2025")


def test_transcript_to_conversation_by_hand() -> None:
    spec = TextSpec(
        format="json_transcripts",
        path="t/{id}.json",
        order_column="n",
        speakers={"counsellor": "Counsellor", "client": "Client"},
    )
    document = {
        "utterances": [
            {
                "speaker": "client",
                "n": 3,
                "text": "Not great.",
                "auto_misc_label": "Neutral",
                "auto_misc_explanation": "SECRET",
            },
            {"speaker": "counsellor", "n": 1, "text": "Hello!", "auto_misc_label": "Other"},
            {"speaker": "counsellor", "n": 2, "text": " How are you? ", "auto_misc_explanation": "SECRET"},
            {"speaker": "counsellor", "n": 4, "text": "That sounds hard."},
        ]
    }
    assert transcript_turns(document, spec) == [
        {"speaker": "Counsellor", "text": "Hello! How are you?"},
        {"speaker": "Client", "text": "Not great."},
        {"speaker": "Counsellor", "text": "That sounds hard."},
    ]
