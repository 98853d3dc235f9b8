"""A label source's items: the item ids built from the card's key columns, and each item's
conversation (turns) and metadata, read from the source's text files (one row per post and
response, one transcript per row, one row per message, or one JSON file per conversation)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from empathy_bench.core.errors import InputError
from empathy_bench.core.ids import check_id
from empathy_bench.sources.card import FrameworkSpec, ItemsSpec, SourceCard, TextSpec
from empathy_bench.sources.datafile import data_file
from empathy_bench.sources.label_columns import TARGET_SPEAKER
from empathy_bench.sources.transcript import parse_transcript


def read_keyed_csv(card: SourceCard, rel_path: str, key: list[str]) -> pd.DataFrame:
    path = data_file(card, rel_path)
    frame = pd.read_csv(path, dtype={k: str for k in key})
    missing = [k for k in key if k not in frame.columns]
    if missing:
        raise InputError(
            path, f"missing key column(s) {missing}", f"fix the 'key' of this file in human_labels/{card.id}.yaml"
        )
    # the item id is the key cells joined by '/': checked on every file read, before it is used
    field = f"item id (column{'s' if len(key) > 1 else ''} {', '.join(key)})"
    for row, cells in enumerate(frame[key].fillna("").astype(str).itertuples(index=False), start=1):
        check_id("/".join(cells), source=path, field=field, where=f"data row {row}")
    return frame


def item_keys(card: SourceCard, fw: FrameworkSpec) -> pd.DataFrame:
    """One row per item: the framework's key columns and the item_id built from them. Items
    come from the text file, or for ratings-only frameworks from the first rater file."""
    source_file = fw.items.file if fw.items else fw.raters[0].paths[0]
    frame = read_keyed_csv(card, source_file, fw.key)[fw.key].drop_duplicates(ignore_index=True)
    frame["item_id"] = frame[fw.key].agg("/".join, axis=1)
    return frame


def items_table(card: SourceCard, fw: FrameworkSpec, keys: pd.DataFrame) -> pd.DataFrame:
    if fw.items is None:
        turns = pd.Series([[] for _ in range(len(keys))], dtype=object)
        metadata = pd.Series([{"text_released": False} for _ in range(len(keys))], dtype=object)
    else:
        frame = read_keyed_csv(card, fw.items.file, fw.key)
        turns = _utterance_turns(frame, keys, fw) if fw.items.text.format == "utterances" else None
        if fw.items.text.format == "json_transcripts":
            turns = _json_turns(card, keys, fw)
        frame = keys[fw.key].merge(frame.drop_duplicates(subset=fw.key, ignore_index=True), on=fw.key, how="left")
        if turns is None:
            turns = frame.apply(lambda row: _turns(row, fw.items.text), axis=1)
        cols = fw.items.metadata_columns
        metadata = (
            frame[cols].apply(lambda row: {c: plain(row[c]) for c in cols}, axis=1)
            if cols
            else pd.Series([{}] * len(frame))
        )
    return pd.DataFrame(
        {
            "item_id": keys["item_id"],
            "framework": fw.id,
            "source": card.id,
            "target": fw.items.target if fw.items else TARGET_SPEAKER,
            "turns": list(turns),
            "metadata": list(metadata),
        }
    )


def plain(value: object) -> object:
    """numpy scalars and NaN -> JSON-friendly Python values."""
    if isinstance(value, float) and np.isnan(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _utterance_turns(frame: pd.DataFrame, keys: pd.DataFrame, fw: FrameworkSpec) -> pd.Series:
    """Turns of files with one row per message: each conversation's rows in `order_column`
    order, speakers renamed by the card. Every message is kept (no truncation)."""
    items: ItemsSpec = fw.items  # type: ignore[assignment]
    spec = items.text
    ordered = frame.sort_values(fw.key + [spec.order_column], kind="stable")
    turns: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for row in ordered.itertuples(index=False):
        record = row._asdict()
        speaker = str(record[spec.speaker_column])
        text = "" if pd.isna(record[spec.text_column]) else str(record[spec.text_column])
        for old, new in spec.replace.items():
            text = text.replace(old, new)
        key = tuple(str(record[k]) for k in fw.key)
        turns.setdefault(key, []).append({"speaker": spec.speakers.get(speaker, speaker), "text": text.strip()})
    return pd.Series([turns[tuple(row)] for row in keys[fw.key].astype(str).itertuples(index=False)], dtype=object)


def _json_turns(card: SourceCard, keys: pd.DataFrame, fw: FrameworkSpec) -> pd.Series:
    """Turns of sources with one JSON file per conversation (the card's `path` filled from the
    item's key). Only the speaker and text of each message are read, so annotations stored beside
    them (MIBot's LLM-made AutoMISC codes) never reach an item; consecutive messages of one
    speaker are joined into one turn."""
    items: ItemsSpec = fw.items  # type: ignore[assignment]
    spec = items.text
    declared = {f.path for f in card.files}
    out = []
    for row in keys[fw.key].astype(str).itertuples(index=False):
        rel = str(spec.path).format(**dict(zip(fw.key, row, strict=True)))
        if rel not in declared:
            raise InputError(
                card.source,
                f"transcript {rel} of item {'/'.join(row)} is not listed under files with a sha256",
                "add it to 'files' with its sha256, or drop the item from the items file",
                where="field 'items.text.path'",
            )
        out.append(transcript_turns(json.loads(data_file(card, rel).read_text(encoding="utf-8")), spec, rel))
    return pd.Series(out, dtype=object)


def transcript_turns(document: object, spec: TextSpec, source: str = "transcript") -> list[dict[str, str]]:
    """One conversation's JSON document -> turns: messages in `order_column` order, speakers
    renamed by the card, consecutive messages of one speaker joined (by a space) into one turn."""
    messages = document.get(spec.list_field) if isinstance(document, dict) else None
    if not isinstance(messages, list):
        raise InputError(source, f"no list '{spec.list_field}' of messages", "fix the card's items.text.list_field")
    fields = (spec.speaker_field, spec.text_field, str(spec.order_column))
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or any(f not in message for f in fields):
            raise InputError(source, f"message {i} lacks one of {list(fields)}", "fix the card's items.text fields")
    turns: list[dict[str, str]] = []
    for message in sorted(messages, key=lambda m: m[spec.order_column]):
        speaker = spec.speakers.get(str(message[spec.speaker_field]), str(message[spec.speaker_field]))
        text = str(message[spec.text_field] or "").strip()
        for old, new in spec.replace.items():
            text = text.replace(old, new)
        if not text:
            continue
        if turns and turns[-1]["speaker"] == speaker:
            turns[-1]["text"] = f"{turns[-1]['text']} {text}"
        else:
            turns.append({"speaker": speaker, "text": text})
    return turns


def _turns(row: pd.Series, spec: TextSpec) -> list[dict[str, str]]:
    if spec.format == "post_response":
        turns = [("Seeker", row[spec.post_column]), (TARGET_SPEAKER, row[spec.response_column])]
    else:
        turns = parse_transcript(str(row[spec.column]))
    out = []
    for speaker, text in turns:
        for old, new in spec.replace.items():
            text = text.replace(old, new)
        out.append({"speaker": speaker, "text": text.strip()})
    return out
