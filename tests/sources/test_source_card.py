"""Source cards: each shipped card read back field for field, the pinned checksums of two against
the mirror, and the errors a malformed card gives."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir
from empathy_bench.sources.card import load_source_card
from error_support import assert_names_field  # noqa: E402

CARDS = ["kumar2025", "epitome_reddit"]


def _raw(card_id: str) -> dict:
    return yaml.safe_load((project_dir() / "human_labels" / f"{card_id}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("card_id", sorted(p.stem for p in (project_dir() / "human_labels").glob("*.yaml")))
def test_the_model_keeps_everything_the_card_file_says(card_id: str) -> None:
    # read independently of the model: the loader neither drops, renames nor rewrites a field
    # (defaults it fills in are left out of the comparison)
    assert load_source_card(card_id).model_dump(mode="json", exclude_unset=True) == _raw(card_id)


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
    assert load_source_card(str(path)) == load_source_card("epitome_reddit")
