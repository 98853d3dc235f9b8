"""The canonical label loader against the data mirror ($EMPATHY_BENCH_DATA), the named
aggregates, and file verification (mirror and download cache)."""

from __future__ import annotations

import io
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import ChecksumError, InputError
from empathy_bench.sources import datafile
from empathy_bench.sources.card import load_source_card
from empathy_bench.sources.datafile import DATA_ENV, data_file
from empathy_bench.sources.label_columns import ITEM_COLUMNS, OPTIONAL_RATING_COLUMNS, RATING_COLUMNS
from empathy_bench.sources.labels import LabelSet, group_table, load_source, rater_values
from empathy_bench.sources.rubric import load_rubric
from empathy_bench.sources.transcript import parse_transcript

FRAMEWORKS = ["lend_an_ear", "epitome", "empathetic_dialogues", "perceived_empathy"]
RECORDED = ["gpt-4o", "claude-3.7-sonnet", "gemini-2.5-pro"]
EXPERTS = ["expert1", "expert2", "expert3"]
LAE_DIMS = [
    "validating_emotions",
    "encouraging_elaboration",
    "demonstrating_understanding",
    "advice_giving",
    "self_oriented",
    "dismissing_emotions",
]


def _raw_csv(card_id: str, rel_path: str, key: str) -> pd.DataFrame:
    """A released file read directly (through the verified path), indexed by its key column."""
    return pd.read_csv(data_file(load_source_card(card_id), rel_path), dtype={key: str}).set_index(key)


# ---------------------------------------------------------------- kumar2025: shape of the tables


def test_kumar2025_has_50_items_per_framework(kumar: LabelSet) -> None:
    assert list(kumar.items.columns) == ITEM_COLUMNS
    assert list(kumar.ratings.columns) == RATING_COLUMNS + OPTIONAL_RATING_COLUMNS
    assert kumar.items.groupby("framework").size().to_dict() == dict.fromkeys(FRAMEWORKS, 50)
    assert not kumar.items.duplicated(["framework", "item_id"]).any()
    assert set(kumar.items.source) == {"kumar2025"}
    # every rating belongs to a loaded item of its framework
    rated = set(zip(kumar.ratings.framework, kumar.ratings.item_id, strict=True))
    assert rated <= set(zip(kumar.items.framework, kumar.items.item_id, strict=True))
    # 6 raters x 50 x 6 + 1162 crowd rows (LAE) + 7 x 50 x 3 (EPITOME, ED) + 7 x 50 x 9 (PE)
    assert len(kumar.ratings) == 1800 + 1162 + 1050 + 1050 + 3150


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_experts_and_recorded_judges_rate_every_item_on_every_dimension(kumar: LabelSet, framework: str) -> None:
    part = kumar.framework(framework)
    n_dims = len(load_rubric(framework).dimension_ids)
    counts = part.ratings.groupby("rater_id").size()
    for rater in EXPERTS + RECORDED:
        assert counts[rater] == 50 * n_dims, rater
    groups = part.ratings.drop_duplicates("rater_id").set_index("rater_id").rater_group
    assert groups[EXPERTS].eq("expert").all()
    assert groups[RECORDED].eq("recorded").all()


def test_perceived_empathy_is_ratings_only(kumar: LabelSet) -> None:
    pe = kumar.framework("perceived_empathy")
    assert len(pe.items) == 50
    assert all(turns == [] for turns in pe.items.turns)
    assert all(meta == {"text_released": False} for meta in pe.items.metadata)
    assert sorted(pe.ratings.dimension.unique()) == sorted(load_rubric("perceived_empathy").dimension_ids)
    assert pe.ratings.value.between(1, 7).all()


def test_lend_an_ear_items_are_conversations(kumar: LabelSet) -> None:
    lae = kumar.framework("lend_an_ear")
    assert set(lae.items.target) == {"Supporter"}
    for turns in lae.items.turns:
        assert turns[0]["speaker"] == "Seeker"
        assert {t["speaker"] for t in turns} == {"Seeker", "Supporter"}
        assert all(t["text"] == t["text"].strip() and t["text"] for t in turns)
    assert all(isinstance(m["response_length"], int) for m in lae.items.metadata)
    # the pilot's three fixed seeker openers: 19 / 19 / 12 conversations
    openers = lae.items.turns.map(lambda turns: turns[0]["text"]).value_counts()
    assert sorted(openers.tolist()) == [12, 19, 19]


def test_lend_an_ear_crowd_is_per_rater_rows_with_evidence(kumar: LabelSet) -> None:
    lae = kumar.framework("lend_an_ear")
    crowd = lae.ratings[lae.ratings.rater_group == "crowd"]
    assert crowd.rater_id.str.startswith("crowd:").all()
    assert set(crowd["aggregate"]) == {""}  # each row is one worker's own rating
    raw = _raw_csv("kumar2025", "original_data/sample_lend_an_ear_annotations.csv", "conversation_id")
    # 196 annotation rows x 6 dimensions, minus the empty cells (reported, not invented)
    empty = int(raw[LAE_DIMS].isna().sum().sum())
    assert len(crowd) == len(raw) * 6 - empty == 1162
    assert (
        f"lend_an_ear: original_data/sample_lend_an_ear_annotations.csv: {empty} empty rating cells "
        "(no rating given) left out"
    ) in lae.report
    assert crowd.rater_id.nunique() == raw.user_id.nunique() == 116
    per_item = crowd.groupby("item_id").rater_id.nunique()
    assert (per_item.min(), per_item.max()) == (2, 11)
    # the first released row: worker f1a0..., validating_emotions 4, with the quote
    row = crowd[
        (crowd.rater_id == "crowd:f1a0015e51cf59791c0484c4f69d18a9")
        & (crowd.item_id == "20241031144237228364")
        & (crowd.dimension == "validating_emotions")
    ]
    assert row.value.tolist() == [4.0]
    assert row.evidence.tolist() == ["I'm so sorry to hear that."]
    assert crowd.evidence.notna().mean() > 0.9
    # experts and recorded judges give no quotes
    assert lae.ratings[lae.ratings.rater_group != "crowd"].evidence.isna().all()


def test_lend_an_ear_recorded_judges_match_their_files(kumar: LabelSet) -> None:
    lae = kumar.framework("lend_an_ear")
    files = {"gpt-4o": "gpt", "claude-3.7-sonnet": "claude", "gemini-2.5-pro": "gemini"}
    for rater, stem in files.items():
        raw = _raw_csv("kumar2025", f"annotations/lend_an_ear/{stem}_ratings.csv", "conversation_id")
        for dim in LAE_DIMS:
            ours = rater_values(lae.ratings, rater, dim)
            pd.testing.assert_series_equal(
                ours.sort_index(), raw[dim].astype(float).rename(rater).rename_axis("item_id").sort_index()
            )


def test_epitome_recorded_judges_keyed_by_post_only(kumar: LabelSet) -> None:
    # gpt/claude files carry sp_id but no rp_id: still one rating per item and dimension
    ep = kumar.framework("epitome")
    for rater in ["gpt-4o", "claude-3.7-sonnet"]:
        rows = ep.ratings[ep.ratings.rater_id == rater]
        assert len(rows) == 150 and not rows.duplicated(["item_id", "dimension"]).any()
    assert ep.items.item_id.str.fullmatch(r"[^/]+/[^/]+").all()  # sp_id/rp_id


def test_empathetic_dialogues_release_quirk_is_undone_in_turns(kumar: LabelSet) -> None:
    ed = kumar.framework("empathetic_dialogues")
    texts = [t["text"] for turns in ed.items.turns for t in turns]
    assert not any("_comma_" in text for text in texts)
    assert any("," in text for text in texts)


def test_values_are_on_their_rubric_scale(kumar: LabelSet) -> None:
    for framework in FRAMEWORKS:
        rubric = load_rubric(framework)
        part = kumar.framework(framework).ratings
        for dim, group in part.groupby("dimension"):
            scale = rubric.scale_of(str(dim))
            assert group.value.between(scale.min, scale.max).all()
            own = group[group["aggregate"] == ""]
            assert (own.value == own.value.round()).all()  # one rater's own rating is a scale point
    # the released aggregates are labelled as such (ED crowd = mean of two self-evaluations)
    agg = kumar.ratings[kumar.ratings["aggregate"] != ""].groupby("framework")["aggregate"].unique().map(list).to_dict()
    assert agg == {"empathetic_dialogues": ["mean"], "epitome": ["adjudicated"], "perceived_empathy": ["mean"]}


def test_load_source_restricts_to_some_frameworks(mirror: Path) -> None:
    part = load_source("kumar2025", ["perceived_empathy"])
    assert set(part.items.framework) == set(part.ratings.framework) == {"perceived_empathy"}
    with pytest.raises(InputError, match="no framework 'lend_an_eer'.*use one of: lend_an_ear"):
        load_source("kumar2025", ["lend_an_eer"])


# ---------------------------------------------------------------- named aggregates


def _ratings(rows: list[tuple[str, str, str, str, float]], aggregate: str = "") -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["item_id", "dimension", "rater_id", "rater_group", "value"])
    return frame.assign(framework="lend_an_ear", aggregate=aggregate, evidence=None)


def test_experts_aggregate_is_the_median_of_the_three_experts() -> None:
    # item  expert1 expert2 expert3 -> median
    #  a       1       2       5        2
    #  b       4       4       1        4
    #  c       3       5       4        4
    table = {"a": [1, 2, 5], "b": [4, 4, 1], "c": [3, 5, 4]}
    rows = [
        (item, "validating_emotions", f"expert{k + 1}", "expert", float(v))
        for item, values in table.items()
        for k, v in enumerate(values)
    ]
    rows.append(("a", "validating_emotions", "crowd:w1", "crowd", 5.0))  # other groups are ignored
    ratings = _ratings(rows)
    experts = rater_values(ratings, "experts", "validating_emotions")
    assert experts.to_dict() == {"a": 2.0, "b": 4.0, "c": 4.0}
    assert experts.name == "experts"
    assert rater_values(ratings, "expert3", "validating_emotions").to_dict() == {"a": 5.0, "b": 1.0, "c": 4.0}


def test_crowd_aggregate_is_the_mean_of_individual_ratings_not_released_aggregates() -> None:
    own = _ratings(
        [
            ("a", "empathy", "crowd:w1", "crowd", 2.0),
            ("a", "empathy", "crowd:w2", "crowd", 3.0),
            ("a", "empathy", "crowd:w3", "crowd", 3.0),
        ]
    )
    # mean(2, 3, 3) = 8/3 (a released aggregate row would be its own rater 'crowd')
    assert rater_values(own, "crowd", "empathy").to_dict() == pytest.approx({"a": 8 / 3})
    released = pd.concat(
        [own, _ratings([("a", "empathy", "crowd", "crowd", 4.5)], aggregate="mean")], ignore_index=True
    )
    assert rater_values(released, "crowd", "empathy").to_dict() == {"a": 4.5}  # a rater named 'crowd' wins
    assert list(group_table(released, "crowd", "empathy").columns) == ["crowd:w1", "crowd:w2", "crowd:w3"]


def test_unknown_rater_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no ratings by 'expert9' on 'empathy'"):
        rater_values(_ratings([("a", "empathy", "expert1", "expert", 2.0)]), "expert9", "empathy")


def test_experts_aggregate_on_kumar2025_equals_median_of_the_expert_files(kumar: LabelSet) -> None:
    lae = kumar.framework("lend_an_ear")
    files = [_raw_csv("kumar2025", f"annotations/lend_an_ear/{e}_ratings.csv", "conversation_id") for e in EXPERTS]
    for dim in LAE_DIMS:
        expected = pd.concat([f[dim] for f in files], axis=1).median(axis=1)
        ours = rater_values(lae.ratings, "experts", dim)
        assert len(ours) == 50
        np.testing.assert_array_equal(ours.sort_index().to_numpy(), expected.sort_index().to_numpy())


def test_lend_an_ear_crowd_mean_reproduces_the_released_crowd_file(kumar: LabelSet) -> None:
    lae = kumar.framework("lend_an_ear")
    released = _raw_csv("kumar2025", "annotations/lend_an_ear/crowd_ratings.csv", "conversation_id")
    for dim in LAE_DIMS:
        ours = rater_values(lae.ratings, "crowd", dim)
        np.testing.assert_allclose(
            ours.reindex(released.index).to_numpy(), released[dim].to_numpy(), rtol=0, atol=1e-12
        )


# ---------------------------------------------------------------- epitome_reddit deduplication


def test_epitome_reddit_dedup_report(mirror: Path) -> None:
    labels = load_source("epitome_reddit")
    assert labels.report == [
        "epitome: level_emotional_reactions: 10 items with conflicting repeated labels dropped "
        "(5aliuq/d9hmspc, 5zfnq7/dexpjft, 6gkpdp/dir2ilp, 767hfz/doc0rzx, 7wiknq/du0mkc2, 82fqrl/e2la1nw, "
        "85ve3y/dw0wn1x, 8w0orm/e1ruepi, 93makg/e6se7v7, 9dw1z4/e5kf4av)",
        "epitome: level_explorations: 5 items with conflicting repeated labels dropped "
        "(5md9ia/dc2n9ep, 5zfnq7/dexpjft, 7rmqzi/dsy41wd, 7wiknq/du0mkc2, 8w0orm/e1ruepi)",
        "epitome: level_interpretations: 10 items with conflicting repeated labels dropped "
        "(5aliuq/d9hmspc, 5x8ucn/deg7201, 6gcyap/diq3pv4, 6gkpdp/dir2ilp, 6yz4ux/dmrahwd, 7dxdm8/dq16nay, "
        "87pxoj/dwepir9, 8w0orm/e1ruepi, 927xia/e33qmxv, afi36d/edysna5)",
        "epitome: level_emotional_reactions: 51 repeated rows with the same label collapsed into one",
        "epitome: level_explorations: 55 repeated rows with the same label collapsed into one",
        "epitome: level_interpretations: 51 repeated rows with the same label collapsed into one",
    ]
    # 3,084 rows repeat 61 rows of 60 pairs -> 3,023 items; each mechanism loses its conflicts
    assert len(labels.items) == 3023
    assert labels.ratings.groupby("dimension").size().to_dict() == {
        "level_emotional_reactions": 3023 - 10,
        "level_explorations": 3023 - 5,
        "level_interpretations": 3023 - 10,
    }
    assert not labels.ratings.duplicated(["item_id", "rater_id", "dimension"]).any()


@pytest.mark.parametrize(
    ("file", "conflicts", "collapsed"),
    [("emotional-reactions", 10, 51), ("interpretations", 10, 51), ("explorations", 5, 55)],
)
def test_epitome_reddit_dedup_numbers_match_the_raw_files(
    mirror: Path, file: str, conflicts: int, collapsed: int
) -> None:
    # independent count straight from the released CSV
    raw = pd.read_csv(mirror / "epitome_reddit" / "dataset" / f"{file}-reddit.csv", dtype={"sp_id": str, "rp_id": str})
    assert len(raw) == 3084
    assert raw.duplicated(["sp_id", "rp_id"]).sum() == 61
    assert raw.loc[raw.duplicated(["sp_id", "rp_id"], keep=False), ["sp_id", "rp_id"]].drop_duplicates().shape[0] == 60
    levels = raw.groupby(["sp_id", "rp_id"])["level"].nunique()
    assert int((levels > 1).sum()) == conflicts
    agreeing = raw[raw.groupby(["sp_id", "rp_id"])["level"].transform("nunique") == 1]
    assert int(agreeing.duplicated(["sp_id", "rp_id"]).sum()) == collapsed


# ---------------------------------------------------------------- verification of data files


def _writable_copy(src: Path, dst: Path) -> Path:
    """Copy a mirror folder somewhere writable (the mirror itself is read-only)."""
    shutil.copytree(src, dst, copy_function=shutil.copyfile)
    for folder, _, _ in os.walk(dst):
        os.chmod(folder, 0o755)
    return dst


def test_checksum_mismatch_in_the_mirror_refuses_to_load(
    mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = load_source_card("kumar2025")
    copy = _writable_copy(mirror / card.mirror_dir, tmp_path / card.mirror_dir)
    target = copy / "annotations" / "lend_an_ear" / "expert1_ratings.csv"
    data = bytearray(target.read_bytes())
    data[-2] ^= 1  # one byte: the last rating digit becomes its neighbour
    target.write_bytes(bytes(data))
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    with pytest.raises(ChecksumError) as caught:
        load_source("kumar2025", ["lend_an_ear"])
    message = str(caught.value)
    assert str(target) in message
    assert sha256_file(target) in message and card.file("annotations/lend_an_ear/expert1_ratings.csv").sha256 in message
    assert "human_labels/kumar2025.yaml" in message
    assert "Refusing to proceed" in message
    # files that still match load fine: verification is per file
    assert len(load_source("kumar2025", ["perceived_empathy"]).items) == 50


def test_a_second_load_is_a_copy_and_a_file_changed_since_is_verified_again(
    mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = load_source_card("kumar2025")
    copy = _writable_copy(mirror / card.mirror_dir, tmp_path / card.mirror_dir)
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    first = load_source("kumar2025", ["lend_an_ear"])
    first.ratings.loc[0, "value"] = -99.0  # a caller editing its tables
    second = load_source("kumar2025", ["lend_an_ear"])
    assert second.ratings.value.min() >= 1 and len(second.ratings) == len(first.ratings)
    target = copy / "annotations" / "lend_an_ear" / "expert1_ratings.csv"
    data = bytearray(target.read_bytes())
    data[-2] ^= 1
    target.write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match="Refusing to proceed"):
        load_source("kumar2025", ["lend_an_ear"])


def test_missing_mirror_file_is_a_clear_input_error(
    mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = load_source_card("kumar2025")
    copy = _writable_copy(mirror / card.mirror_dir, tmp_path / card.mirror_dir)
    gone = copy / "annotations" / "perceived_empathy" / "expert2_ratings.csv"
    gone.unlink()
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    with pytest.raises(InputError) as caught:
        load_source("kumar2025", ["perceived_empathy"])
    assert caught.value.source == str(gone)
    assert f"missing from the local mirror ({DATA_ENV}={tmp_path})" in caught.value.problem
    assert f"put kumar2025's files under {copy}" in caught.value.fix
    assert f"unset {DATA_ENV}" in caught.value.fix


class _NoNetwork:
    def __call__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("the test tried to use the network")


@pytest.fixture
def download_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No mirror: files come from the (temporary) download cache; the network is off."""
    monkeypatch.delenv(DATA_ENV)
    monkeypatch.setattr(datafile, "cache_dir", lambda: tmp_path)
    monkeypatch.setattr(urllib.request, "urlopen", _NoNetwork())
    return tmp_path


REL = "annotations/epitome/expert1_ratings.csv"


def test_cached_file_is_verified_and_used_without_downloading(mirror: Path, download_cache: Path) -> None:
    card = load_source_card("kumar2025")
    cached = download_cache / "kumar2025" / card.revision / REL
    cached.parent.mkdir(parents=True)
    cached.write_bytes((mirror / card.mirror_dir / REL).read_bytes())
    assert data_file(card, REL) == cached
    cached.write_bytes(cached.read_bytes() + b"\n")
    with pytest.raises(ChecksumError, match="delete it"):
        data_file(card, REL)


def test_download_is_verified_before_it_is_cached(
    mirror: Path, download_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = load_source_card("kumar2025")
    good = (mirror / card.mirror_dir / REL).read_bytes()
    urls: list[str] = []

    def serve(body: bytes):
        def urlopen(url: str, timeout: float) -> io.BytesIO:
            urls.append(url)
            return io.BytesIO(body)

        return urlopen

    dest = download_cache / "kumar2025" / card.revision / REL
    monkeypatch.setattr(urllib.request, "urlopen", serve(good[:-1]))  # truncated download
    with pytest.raises(ChecksumError):
        data_file(card, REL)
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []  # no partial file left behind
    monkeypatch.setattr(urllib.request, "urlopen", serve(good))
    assert data_file(card, REL) == dest
    assert dest.read_bytes() == good
    assert urls == [card.base_url + REL] * 2


def test_failed_download_names_the_url_and_the_mirror_fix(
    download_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = load_source_card("kumar2025")

    def offline(url: str, timeout: float) -> None:
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(InputError) as caught:
        data_file(card, REL)
    assert caught.value.source == card.base_url + REL
    assert "download failed" in caught.value.problem
    assert DATA_ENV in caught.value.fix


# ---------------------------------------------------------------- transcripts


def test_parse_transcript_speakers_and_continuation_lines() -> None:
    text = "Seeker: I lost my job.\nIt was sudden.\n\nSupporter: That sounds hard.\nSeeker: Thanks: really."
    assert parse_transcript(text) == [
        ("Seeker", "I lost my job.\nIt was sudden."),
        ("Supporter", "That sounds hard."),
        ("Seeker", "Thanks: really."),
    ]


def test_parse_transcript_text_before_any_speaker_is_the_seeker() -> None:
    # an unknown prefix ("Note:") is text, not a speaker
    assert parse_transcript("Note: hello\nSupporter: hi") == [("Seeker", "Note: hello"), ("Supporter", "hi")]
