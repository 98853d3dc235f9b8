"""Source cards: the two shipped cards, their pinned checksums against the mirror, and the
errors a malformed card gives."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir
from empathy_bench.sources.card import SourceCard, load_source_card
from error_support import assert_names_field  # noqa: E402

CARDS = ["kumar2025", "epitome_reddit"]


def _raw(card_id: str) -> dict:
    return yaml.safe_load((project_dir() / "human_labels" / f"{card_id}.yaml").read_text(encoding="utf-8"))


def test_kumar2025_card() -> None:
    card = load_source_card("kumar2025")
    assert card.id == "kumar2025"
    assert card.mirror_dir == "kumar2025_empathic_communication"
    assert card.revision == "713458108e28897fccf136a6337296b5199cb617"
    assert card.revision in card.base_url and card.base_url.endswith("/")
    assert [fw.id for fw in card.frameworks] == ["lend_an_ear", "epitome", "empathetic_dialogues", "perceived_empathy"]
    assert all(fw.rubric == fw.id for fw in card.frameworks)
    # 7 rater files per framework (3 experts, crowd, 3 recorded judges) + 4 text files
    assert len(card.files) == 32
    assert card.framework("perceived_empathy").items is None  # ratings only: text not released
    lae = card.framework("lend_an_ear")
    assert [(r.id, r.group) for r in lae.raters] == [
        ("expert1", "expert"),
        ("expert2", "expert"),
        ("expert3", "expert"),
        ("crowd", "crowd"),
        ("gpt-4o", "recorded"),
        ("claude-3.7-sonnet", "recorded"),
        ("gemini-2.5-pro", "recorded"),
    ]
    crowd = lae.raters[3]
    assert (crowd.rater_column, crowd.evidence_suffix, crowd.aggregate) == ("user_id", "_example", None)


def test_epitome_reddit_card() -> None:
    card = load_source_card("epitome_reddit")
    (fw,) = card.frameworks
    assert (fw.id, fw.rubric, fw.key) == ("epitome", "epitome", ["sp_id", "rp_id"])
    assert fw.duplicates.policy == "collapse_identical_drop_conflicts"
    assert sorted(r.dimension for r in fw.raters) == [
        "level_emotional_reactions",
        "level_explorations",
        "level_interpretations",
    ]
    assert all(r.aggregate == "adjudicated" for r in fw.raters)


@pytest.mark.parametrize("card_id", CARDS)
def test_pinned_checksums_match_the_mirror(card_id: str, mirror: Path) -> None:
    card = load_source_card(card_id)
    for f in card.files:
        assert sha256_file(mirror / card.mirror_dir / f.path) == f.sha256, f.path


def test_unknown_framework_names_the_card_and_the_choices() -> None:
    with pytest.raises(InputError) as caught:
        load_source_card("kumar2025").framework("lend_a_ear")
    assert caught.value.source == "human_labels/kumar2025.yaml"
    assert "no framework 'lend_a_ear'" in caught.value.problem
    assert caught.value.fix == "use one of: lend_an_ear, epitome, empathetic_dialogues, perceived_empathy"


def test_unknown_card_id_lists_the_known_ones() -> None:
    with pytest.raises(
        InputError, match="no human_labels file named 'kumar2024'.*use one of: annomi, epitome_reddit, kumar2025"
    ):
        load_source_card("kumar2024")


# ---------------------------------------------------------------- malformed cards


def _write_card(tmp_path: Path, name: str, change) -> Path:
    raw = copy.deepcopy(_raw("epitome_reddit"))
    change(raw)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _first_rater(raw: dict) -> dict:
    return raw["frameworks"][0]["raters"][0]


@pytest.mark.parametrize(
    ("name", "change", "field", "problem", "fix"),
    [
        (
            "undeclared_file",
            lambda r: r["files"].pop(1),  # explorations file no longer listed
            "(top level)",
            "reads ['dataset/explorations-reddit.csv'], which are not listed under files with a sha256",
            "correct the value as described",
        ),
        (
            "short_sha",
            lambda r: r["files"][0].update(sha256="abc123"),
            "files.0.sha256",
            "should match pattern",
            "correct the value as described",
        ),
        (
            "bad_group",
            lambda r: _first_rater(r).update(group="experts"),
            "frameworks.0.raters.0.group",
            "'expert', 'crowd', 'self', 'recorded' or 'judge'",
            "use one of the allowed values",
        ),
        (
            "half_pair",
            lambda r: _first_rater(r).pop("value_column"),
            "frameworks.0.raters.0",
            "give 'dimension' and 'value_column' together",
            "correct the value as described",
        ),
        ("no_revision", lambda r: r.pop("revision"), "revision", "Field required", "add this field"),
        (
            "typo",
            lambda r: r.update(licence="MIT"),
            "licence",
            "Extra inputs are not permitted",
            "remove this field or correct its spelling",
        ),
        (
            "bad_policy",
            lambda r: r["frameworks"][0]["duplicates"].update(policy="drop"),
            "frameworks.0.duplicates.policy",
            "'error' or 'collapse_identical_drop_conflicts'",
            "use one of the allowed values",
        ),
    ],
)
def test_malformed_card_names_file_field_and_fix(
    tmp_path: Path, name: str, change, field: str, problem: str, fix: str
) -> None:
    path = _write_card(tmp_path, name, change)
    with pytest.raises(InputError) as caught:
        load_source_card(str(path))
    assert_names_field(caught.value, path, field, problem, fix)


def test_card_in_the_project_must_match_its_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a project folder of our own: the id check applies to cards found in human_labels/
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "human_labels").mkdir()
    (tmp_path / "human_labels" / "renamed_card.yaml").write_text(
        yaml.safe_dump(_raw("epitome_reddit")), encoding="utf-8"
    )
    monkeypatch.setenv("EMPATHY_BENCH_HOME", str(tmp_path))
    with pytest.raises(InputError) as caught:
        load_source_card("renamed_card")
    assert str(tmp_path / "human_labels" / "renamed_card.yaml") in str(caught.value)
    assert "id 'epitome_reddit' differs from the file name" in caught.value.problem
    assert (caught.value.where, caught.value.fix) == ("field 'id'", "set id: renamed_card")


def test_a_valid_card_round_trips(tmp_path: Path) -> None:
    path = _write_card(tmp_path, "copy", lambda r: None)
    card = load_source_card(str(path))
    assert isinstance(card, SourceCard)
    assert card == load_source_card("epitome_reddit")
