"""Rubric files: their dimensions, scales and the Lend an Ear overall score; malformed files
fail with the file, the field and the fix."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir
from empathy_bench.sources.rubric import load_rubric
from error_support import assert_names_field  # noqa: E402

RUBRICS = sorted(p.stem for p in (project_dir() / "rubrics").glob("*.yaml"))


@pytest.mark.parametrize("rubric_id", RUBRICS)
def test_the_model_keeps_the_files_dimensions_and_scales(rubric_id: str) -> None:
    # read independently of the model: the loader neither drops, reorders nor rescales anything
    raw = yaml.safe_load((project_dir() / "rubrics" / f"{rubric_id}.yaml").read_text(encoding="utf-8"))
    rubric = load_rubric(rubric_id)
    assert rubric.id == rubric_id
    assert rubric.dimension_ids == [d["id"] for d in raw["dimensions"]]
    assert [d.polarity for d in rubric.dimensions] == [d["polarity"] for d in raw["dimensions"]]
    for dim in rubric.dimension_ids:
        assert (rubric.scale_of(dim).min, rubric.scale_of(dim).max) == (raw["scale"]["min"], raw["scale"]["max"])
    low, high = raw["scale"]["min"], raw["scale"]["max"]
    assert rubric.scale.contains(low) and rubric.scale.contains((low + high) / 2)
    assert not rubric.scale.contains(high + 1) and not rubric.scale.contains(low - 0.5)


def test_unknown_dimension_names_the_rubric_and_its_dimensions() -> None:
    with pytest.raises(KeyError, match="lend_an_ear.*no dimension 'empathy'"):
        load_rubric("lend_an_ear").dimension("empathy")


# ---------------------------------------------------------------- overall score


def test_lend_an_ear_overall_score_by_hand() -> None:
    rubric = load_rubric("lend_an_ear")
    # columns in another order than the rubric, plus a column that is not a dimension
    wide = pd.DataFrame(
        {
            "note": ["a", "b", "c", "d", "e"],
            "dismissing_emotions": [1, 1, 5, 2, None],
            "validating_emotions": [5, 5, 1, 3, 4],
            "advice_giving": [1, 1, 5, 4, 2],
            "encouraging_elaboration": [4, 5, 1, 3, 4],
            "self_oriented": [2, 1, 5, 3, 1],
            "demonstrating_understanding": [3, 5, 1, 3, 4],
        }
    )
    score = rubric.overall_score(wide)
    # row 0: (5 + 4 + 3) - (1 + 2 + 1) = 12 - 4 = 8
    # row 1: best possible (5 + 5 + 5) - (1 + 1 + 1) = 12
    # row 2: worst possible (1 + 1 + 1) - (5 + 5 + 5) = -12
    # row 3: (3 + 3 + 3) - (4 + 3 + 2) = 9 - 9 = 0
    # row 4: dismissing_emotions missing -> no overall score (not a partial sum of 12 - 3 = 9)
    assert score.iloc[:4].tolist() == [8.0, 12.0, -12.0, 0.0]
    assert math.isnan(score.iloc[4])
    assert len(score) == 5


def test_overall_score_only_where_the_rubric_defines_one() -> None:
    with pytest.raises(ValueError, match="epitome.*no overall score"):
        load_rubric("epitome").overall_score(pd.DataFrame({"level_explorations": [1]}))


# ---------------------------------------------------------------- malformed rubric files


def _write_variant(tmp_path: Path, name: str, change) -> Path:
    raw = copy.deepcopy(yaml.safe_load((project_dir() / "rubrics" / "lend_an_ear.yaml").read_text(encoding="utf-8")))
    change(raw)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "change", "field", "problem", "fix"),
    [
        (
            "bad_polarity",
            lambda r: r["dimensions"][1].update(polarity="positive"),
            "dimensions.1.polarity",
            "'prescriptive' or 'proscriptive'",
            "use one of the allowed values",
        ),
        ("no_version", lambda r: r.pop("version"), "version", "Field required", "add this field"),
        (
            "typo_field",
            lambda r: r["dimensions"][0].update(qestion="?"),
            "dimensions.0.qestion",
            "Extra inputs are not permitted",
            "remove this field or correct its spelling",
        ),
        ("text_max", lambda r: r["scale"].update(max="five"), "scale.max", "valid integer", "write a whole number"),
        (
            "unlabelled_point",
            lambda r: r["scale"]["labels"].pop(3),
            "scale",
            "labels must name exactly the points 1..5",
            "correct the value",
        ),
    ],
)
def test_malformed_rubric_names_file_field_and_fix(
    tmp_path: Path, name: str, change, field: str, problem: str, fix: str
) -> None:
    path = _write_variant(tmp_path, name, change)
    with pytest.raises(InputError) as caught:
        load_rubric(str(path))
    assert_names_field(caught.value, path, field, problem, fix)
    assert caught.value.where == f"field '{field}'"


def test_rubric_with_invalid_yaml_syntax(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"(?s)broken\.yaml: not valid YAML .*line 1, column 5.*Fix: correct the YAML syntax"
    ):
        load_rubric(str(path))


def test_rubric_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"list\.yaml: expected a mapping of fields at the top level"):
        load_rubric(str(path))


def test_unknown_rubric_id_lists_the_known_ones() -> None:
    with pytest.raises(InputError) as caught:
        load_rubric("no_such_rubric")
    assert "no rubrics file named 'no_such_rubric'" in str(caught.value)
    assert caught.value.fix == "use one of: care, empathetic_dialogues, epitome, lend_an_ear, perceived_empathy"


def test_example_rating_outside_the_scale_is_refused(tmp_path: Path) -> None:
    path = _write_variant(tmp_path, "bad_example", lambda r: r["dimensions"][0]["examples"][0].update(rating=9))
    with pytest.raises(InputError, match="example rating 9 of 'validating_emotions' is outside 1..5"):
        load_rubric(str(path))


def test_duplicate_dimension_ids_are_refused(tmp_path: Path) -> None:
    path = _write_variant(tmp_path, "dup_dim", lambda r: r["dimensions"][1].update(id="validating_emotions"))
    with pytest.raises(InputError, match="dimension ids must be unique"):
        load_rubric(str(path))


@pytest.mark.parametrize("reserved", ["overall_score", "magnitude"])
def test_a_dimension_named_like_a_figure_over_all_dimensions_is_refused(tmp_path: Path, reserved: str) -> None:
    """The figures name the overall score and the length association's magnitude beside the
    dimensions (agreement/statistics.py): a dimension of that name would be taken for them."""
    path = _write_variant(tmp_path, "reserved", lambda r: r["dimensions"][1].update(id=reserved))
    with pytest.raises(InputError, match=f"dimension id '{reserved}' is reserved for a figure over all dimensions"):
        load_rubric(str(path))
