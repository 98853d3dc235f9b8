"""Hostile files: nothing escapes its folder. A source card, a task file or a probe file is input
a person (or an attacker) writes; each case here used to write, create or read a file outside its
folder, or grow a run without bound, or pass `validate` and fail every run. Each asserts that the
refusal names the file, the field (or row) and the fix, and that nothing outside was touched."""

from __future__ import annotations

import builtins
import copy
import io
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml

from empathy_bench.catalog import validate
from empathy_bench.cli import main
from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import InputError
from empathy_bench.core.ids import ID_FIX, MAX_ID_LENGTH
from empathy_bench.core.paths import PATH_RULE, inside
from empathy_bench.core.project import project_dir
from empathy_bench.sources.card import DataFile, SourceCard, load_source_card
from empathy_bench.sources.datafile import DATA_ENV, data_file, local_path
from empathy_bench.sources.labels import load_source
from empathy_bench.sources.user_labels import read_items, read_preferences, read_ratings
from empathy_bench.tasks.labels import items_identity, label_files
from empathy_bench.tasks.probe import MAX_FACTOR, lengthen, load_probe
from empathy_bench.tasks.spec import load_task

EMOTIONAL = "dataset/emotional-reactions-reddit.csv"  # the epitome_reddit card's first file
UNREACHABLE = "http://127.0.0.1:9/"  # nothing listens: a download attempt would fail, never hang
PATH_FIX = f"Fix: write {PATH_RULE}"
REPO = project_dir()  # the repository's own project folder (tests below point the harness elsewhere)


# ---------------------------------------------------------------- shared set-up


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder of our own (the repository's rubrics), with empty human_labels/ and tasks/."""
    home = tmp_path / "project"
    shutil.copytree(REPO / "rubrics", home / "rubrics")
    for folder in ("human_labels", "tasks", "data"):
        (home / folder).mkdir()
    monkeypatch.setenv("EMPATHY_BENCH_HOME", str(home))
    return home


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project, mirror and cache: nothing may be written, created or read here."""
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No mirror: card files are downloaded into the user cache, here a folder of the test."""
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "empathy-bench"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Every file opened by pathlib (io.open) or open() (pandas) after the test calls `clear()`
    on the list (its own set-up writes files too)."""
    seen: list[Path] = []
    real_open = io.open

    def spy(file, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if isinstance(file, str | os.PathLike):
            seen.append(Path(os.path.realpath(file)))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", spy)
    monkeypatch.setattr(builtins, "open", spy)
    yield seen


def _none_under(folder: Path, paths: list[Path]) -> None:
    real = Path(os.path.realpath(folder))
    assert not [p for p in paths if p.is_relative_to(real)], paths


def _card_text(**changes: object) -> str:
    """The epitome_reddit card as id `hostile`, its first file moved to `path` (everywhere the
    card names it), other top-level fields replaced."""
    raw = yaml.safe_load((REPO / "human_labels" / "epitome_reddit.yaml").read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw) | {"id": "hostile", "base_url": UNREACHABLE}
    path = changes.pop("path", EMOTIONAL)
    raw |= changes
    return yaml.safe_dump(raw, sort_keys=False).replace(EMOTIONAL, str(path))


def _run_validate(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(["validate", *argv])
    out = capsys.readouterr()
    assert code == 1 and "Traceback" not in out.out + out.err
    return out.out


# ---------------------------------------------------------------- source cards


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"path": "../../../../outside/made/x.csv"}, "files.0.path", "climbs out of its folder with '..'"),
        ({"path": "dataset/../../../../../outside/made/x.csv"}, "files.0.path", "climbs out of its folder with '..'"),
        ({"path": "{outside}/made/x.csv"}, "files.0.path", "is an absolute path"),
        ({"path": "dataset\\..\\..\\made\\x.csv"}, "files.0.path", "contains a backslash"),
        ({"revision": "../../../outside/made"}, "revision", "climbs out of its folder with '..'"),
        ({"mirror_dir": "{outside}/made"}, "mirror_dir", "is an absolute path"),
        ({"id": "../outside/made"}, "id", "climbs out of its folder with '..'"),
    ],
)
def test_a_card_that_names_a_path_outside_is_refused_by_validate_data_before_anything_is_written(
    project: Path,
    outside: Path,
    cache: Path,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, str],
    field: str,
    problem: str,
) -> None:
    changes = {k: v.replace("{outside}", str(outside)) for k, v in changes.items()}
    card = project / "human_labels" / "hostile.yaml"
    card.write_text(_card_text(**changes), encoding="utf-8")
    out = _run_validate(capsys, "--data")
    assert f"{card}, field '{field}'" in out and problem in out and PATH_FIX in out, out
    assert not (outside / "made").exists() and os.listdir(outside) == []
    assert not cache.exists()  # not even the cache folder was created


def test_a_symlink_in_the_cache_that_leads_outside_is_refused_before_a_folder_or_file_is_made(
    project: Path, outside: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the card's path is fine; a link in its cache folder leads out (unpatched, the download made
    # outside/sub/ and wrote its partial file there)
    card = project / "human_labels" / "hostile.yaml"
    card.write_text(_card_text(path="dataset/sub/x.csv"), encoding="utf-8")
    revision = yaml.safe_load(card.read_text())["revision"]
    folder = cache / "hostile" / revision
    folder.mkdir(parents=True)
    (folder / "dataset").symlink_to(outside, target_is_directory=True)
    out = _run_validate(capsys, "--data")
    assert "human_labels/hostile.yaml, field 'files.0.path': 'dataset/sub/x.csv' leads through a symbolic link" in out
    assert f"to {outside}/sub/x.csv, outside the card's cache folder {folder}" in out and PATH_FIX in out
    assert os.listdir(outside) == []


def test_a_symlink_in_the_mirror_that_leads_outside_is_refused_before_the_file_is_read(
    project: Path, outside: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened: list[Path]
) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "epitome_reddit").mkdir(parents=True)
    (mirror / "epitome_reddit" / "dataset").symlink_to(outside, target_is_directory=True)
    # the real file, with the pinned sha256, outside: unpatched, it was read and loaded
    shutil.copy(Path(os.environ[DATA_ENV]) / "epitome_reddit" / EMOTIONAL, outside / Path(EMOTIONAL).name)
    monkeypatch.setenv(DATA_ENV, str(mirror))
    card = project / "human_labels" / "hostile.yaml"
    card.write_text(_card_text(), encoding="utf-8")
    opened.clear()
    with pytest.raises(InputError) as caught:
        load_source(str(card))
    err = caught.value
    assert (err.source, err.where) == ("human_labels/hostile.yaml", "field 'files.0.path'")
    assert err.problem.startswith(f"'{EMOTIONAL}' leads through a symbolic link to {outside}/")
    assert err.fix.startswith(f"write {PATH_RULE}")
    _none_under(outside, opened)


@pytest.mark.parametrize("bad", ["../../outside/x.csv", "/etc/passwd", "a/../../x.csv"])
@pytest.mark.parametrize("mirrored", [True, False])
def test_data_file_refuses_an_escaping_path_even_from_an_unvalidated_card(
    bad: str, mirrored: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened: list[Path]
) -> None:
    # defence in depth: a card built in Python, never validated, still cannot reach outside
    if mirrored:
        monkeypatch.setenv(DATA_ENV, str(tmp_path / "mirror"))
    else:
        monkeypatch.delenv(DATA_ENV, raising=False)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    card = SourceCard.model_construct(
        id="evil",
        revision="r1",
        mirror_dir="evil",
        base_url=UNREACHABLE,
        files=[DataFile.model_construct(path=bad, sha256="0" * 64)],
    )
    opened.clear()
    for call in (local_path, data_file):
        with pytest.raises(InputError) as caught:
            call(card, bad)
        assert (caught.value.source, caught.value.where) == ("human_labels/evil.yaml", "field 'files.0.path'")
        assert caught.value.problem.startswith(f"'{bad}' ")
    _none_under(tmp_path, opened)
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "mirror").exists()


def test_a_card_rater_id_with_a_control_character_is_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    raw = yaml.safe_load(_card_text())
    raw["frameworks"][0]["raters"][0]["id"] = "crowd\x1b[2J"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_source_card(str(path))
    assert str(caught.value).startswith(f"{path}, field 'frameworks.0.raters.0.id': ")
    assert "contains the control character U+001B at character 6" in caught.value.problem


# ---------------------------------------------------------------- a task file's label paths


ITEMS = pd.DataFrame(
    [{"item_id": "c1", "framework": "lend_an_ear", "text": "Seeker: I lost my job.\nSupporter: Oh no."}]
)
RATINGS = pd.DataFrame(
    [
        {
            "item_id": "c1",
            "framework": "lend_an_ear",
            "dimension": "validating_emotions",
            "rater_id": "e1",
            "rater_group": "expert",
            "value": 3,
        }
    ]
)


def _task(project: Path, items: str, ratings: str = "data/ratings.csv", name: str = "team") -> Path:
    path = project / "tasks" / f"{name}.yaml"
    path.write_text(
        f"id: {name}\nversion: 1\ntitle: Ours\nkind: rate\nframework: lend_an_ear\nrubric: lend_an_ear\n"
        f"reference: e1\nlabels: {json.dumps({'items': items, 'ratings': ratings})}\n",
        encoding="utf-8",
    )
    RATINGS.to_csv(project / "data" / "ratings.csv", index=False)
    return path


def _task_error(project: Path, name: str = "team") -> str:
    [error] = [e for p, e in validate() if p.parent.name == "tasks" and p.stem == name]
    assert error is not None
    return error


@pytest.mark.parametrize(
    ("items", "problem"),
    [
        ("../outside/items.csv", "'../outside/items.csv' climbs out of its folder with '..'"),
        ("data/../../outside/items.csv", "climbs out of its folder with '..'"),
        ("/etc/passwd", "'/etc/passwd' is an absolute path"),
        ("{outside}/items.csv", "is an absolute path"),
        ("hf:../outside", "'../outside' climbs out of its folder with '..'"),
    ],
)
def test_a_task_label_path_outside_the_project_is_refused_before_it_is_read(
    project: Path, outside: Path, opened: list[Path], items: str, problem: str
) -> None:
    ITEMS.to_csv(outside / "items.csv", index=False)  # a valid items file: unpatched, it was read
    task = _task(project, items.replace("{outside}", str(outside)))
    opened.clear()
    error = _task_error(project)
    assert error.startswith(f"{task}, field 'labels.items': ") and problem in error, error
    assert PATH_RULE in error
    _none_under(outside, opened)
    assert Path("/etc/passwd") not in opened


def test_a_task_label_path_through_a_symlink_out_of_the_project_is_refused_before_it_is_read(
    project: Path, outside: Path, opened: list[Path]
) -> None:
    ITEMS.to_csv(outside / "items.csv", index=False)
    (project / "data" / "items.csv").symlink_to(outside / "items.csv")
    (project / "data" / "passwd.csv").symlink_to("/etc/passwd")
    _task(project, "data/items.csv")
    opened.clear()
    error = _task_error(project)
    assert error.startswith(
        f"tasks/team.yaml, field 'labels.items': 'data/items.csv' leads through a symbolic link to "
        f"{outside / 'items.csv'}, outside the project folder {project}. {PATH_FIX}"
    ), error
    _task(project, "data/passwd.csv", name="team_passwd")
    error = _task_error(project, "team_passwd")
    assert error.startswith("tasks/team_passwd.yaml, field 'labels.items': 'data/passwd.csv' leads through a symbolic")
    assert "link to /etc/passwd, outside the project folder" in error
    _none_under(outside, opened)
    assert Path("/etc/passwd") not in opened


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("source: ../../outside/card\n", "source"),
        ("source: /etc/card.yaml\n", "source"),
        ("source: kumar2025\nrubric: ../../../outside/rubric\n", "rubric"),
    ],
)
def test_a_task_names_its_source_and_rubric_by_id_never_by_path(
    project: Path, opened: list[Path], line: str, field: str
) -> None:
    task = project / "tasks" / "named.yaml"
    text = "id: named\nversion: 1\ntitle: T\nframework: epitome\n" + line
    task.write_text(text if "rubric:" in line else text + "rubric: epitome\n", encoding="utf-8")
    opened.clear()
    error = _task_error(project, "named")
    assert error.startswith(f"{task}, field '{field}': '") and "' is not an id. Fix: name the file by its id" in error
    assert not [p for p in opened if not p.is_relative_to(project.resolve())]  # nothing outside the project


def test_a_card_names_its_rubric_by_id_never_by_path(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    raw = yaml.safe_load(_card_text())
    raw["frameworks"][0]["rubric"] = "../../../../etc/some"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_source_card(str(path))
    assert str(caught.value).startswith(f"{path}, field 'frameworks.0.rubric': ")
    assert "'../../../../etc/some' is not an id" in caught.value.problem


def test_a_symlink_inside_the_project_is_followed_and_records_name_project_relative_paths(project: Path) -> None:
    ITEMS.to_csv(project / "data" / "real_items.csv", index=False)
    (project / "data" / "items.csv").symlink_to(project / "data" / "real_items.csv")
    task = _task(project, "./data/items.csv", ratings="data//ratings.csv")
    spec = load_task(str(task))
    files = label_files(spec)
    assert files == {
        "data/items.csv": sha256_file(project / "data" / "real_items.csv"),
        "data/ratings.csv": sha256_file(project / "data" / "ratings.csv"),
    }
    assert not any(name.startswith("/") or str(project) in name for name in files)
    assert items_identity(spec) == files["data/items.csv"]


def test_inside_refuses_before_touching_the_filesystem(tmp_path: Path) -> None:
    root = tmp_path / "root"
    with pytest.raises(InputError) as caught:
        inside(root, "a/../../b", source="x.yaml", field="f", root_name="the root")
    assert str(caught.value) == (
        f"x.yaml, field 'f': 'a/../../b' climbs out of its folder with '..'. Fix: write {PATH_RULE}, "
        "naming a file inside the root (copy the file in rather than linking to it)"
    )
    assert inside(root, "a/b.csv", source="x.yaml", field="f") == root / "a" / "b.csv"
    assert not root.exists()


# ---------------------------------------------------------------- probe factors


@pytest.mark.parametrize("factor", [".inf", "-.inf", ".nan", "1e308", "10.5", "1", "0.5"])
def test_a_length_probe_factor_that_is_not_finite_and_bounded_is_refused(tmp_path: Path, factor: str) -> None:
    path = tmp_path / f"probe_{factor.strip('.-')}.yaml"
    path.write_text(f"id: longer\nchange: length\nfiller: [Okay.]\nfactor: {factor}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_probe(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}, field 'factor': ")
    assert f"is not a number above 1 and at most {MAX_FACTOR:g}; write e.g. 2 to double each message" in message
    assert message.endswith("Fix: correct the value as described")


def test_the_largest_factor_lengthens_a_message_to_a_bounded_size(tmp_path: Path) -> None:
    path = tmp_path / "probe_max.yaml"
    path.write_text(f"id: longer\nchange: length\nfiller: [Okay.]\nfactor: {MAX_FACTOR:g}\n", encoding="utf-8")
    probe = load_probe(str(path))
    [turn] = lengthen([{"speaker": "Supporter", "text": "one two three"}], "Supporter", probe)
    assert len(turn["text"].split()) == 30


def test_a_probe_file_that_still_says_kind_is_told_the_new_name(tmp_path: Path) -> None:
    path = tmp_path / "probe_old.yaml"
    path.write_text("id: longer\nkind: length\nfiller: [Okay.]\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_probe(str(path))
    assert str(path) in str(caught.value) and "`kind:` is now written `change:`" in str(caught.value)


# ---------------------------------------------------------------- ids in label files


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    if path.suffix == ".csv":
        pd.DataFrame(rows).to_csv(path, index=False)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _rating(**change: object) -> dict[str, object]:
    return RATINGS.iloc[0].to_dict() | change


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
@pytest.mark.parametrize(
    ("reader", "rows", "field", "problem"),
    [
        (
            read_ratings,
            [_rating(), _rating(rater_id="e\x1b]8;;x\x07")],
            "rater_id",
            "contains the control character U+001B at character 2",
        ),
        (read_ratings, [_rating(), _rating(item_id="c\n1")], "item_id", "contains the control character U+000A at"),
        (
            read_ratings,
            [_rating(), _rating(dimension="validating\u202eemotions")],
            "dimension",
            "contains the control character U+202E at character 11",
        ),
        (
            read_items,
            [ITEMS.iloc[0].to_dict(), ITEMS.iloc[0].to_dict() | {"item_id": "x" * 65_536}],
            "item_id",
            f"is 65,536 characters long (an id is printable text of at most {MAX_ID_LENGTH} characters)",
        ),
        (
            read_preferences,
            [
                {
                    "pair_id": "p1",
                    "item_a": "c1",
                    "item_b": "c2",
                    "framework": "lend_an_ear",
                    "criterion": "overall",
                    "rater_id": "t",
                    "rater_group": "expert",
                    "choice": "a",
                },
                {
                    "pair_id": "p\x002",
                    "item_a": "c1",
                    "item_b": "c3",
                    "framework": "lend_an_ear",
                    "criterion": "overall",
                    "rater_id": "t",
                    "rater_group": "expert",
                    "choice": "a",
                },
            ],
            "pair_id",
            "contains the control character U+0000 at character 2",
        ),
    ],
)
def test_an_own_label_id_with_a_control_character_or_over_long_is_refused_with_file_row_and_field(
    tmp_path: Path,
    suffix: str,
    reader: Callable[[Path], pd.DataFrame],
    rows: list[dict[str, object]],
    field: str,
    problem: str,
) -> None:
    path = _write(tmp_path / f"labels{suffix}", rows)
    with pytest.raises(InputError) as caught:
        reader(path)
    row = "data row 2" if suffix == ".csv" else "line 2"
    message = str(caught.value)
    assert message.startswith(f"{path}, {row}: field '{field}': "), message
    assert problem in message and message.endswith(f"Fix: {ID_FIX}")


def test_an_own_label_framework_must_be_a_rubric_id_not_a_path(tmp_path: Path) -> None:
    path = _write(tmp_path / "ratings.csv", [_rating(framework="../tasks/epitome.yaml")])
    with pytest.raises(InputError) as caught:
        read_ratings(path)
    assert str(caught.value).startswith(f"{path}, data row 1: unknown framework '../tasks/epitome.yaml'. Fix: use")


@pytest.fixture
def tiny_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[pd.DataFrame], Path]:
    """A card of one crowd ratings file (item, annotator, level) in a mirror of its own."""
    mirror = tmp_path / "mirror"
    (mirror / "tiny").mkdir(parents=True)
    monkeypatch.setenv(DATA_ENV, str(mirror))

    def make(frame: pd.DataFrame) -> Path:
        data = mirror / "tiny" / "ratings.csv"
        frame.to_csv(data, index=False)
        card = {
            "id": "tiny",
            "title": "t",
            "citation": "c",
            "license": "MIT",
            "homepage": "h",
            "revision": "r1",
            "base_url": UNREACHABLE,
            "mirror_dir": "tiny",
            "files": [{"path": "ratings.csv", "sha256": sha256_file(data)}],
            "frameworks": [
                {
                    "id": "epitome",
                    "rubric": "epitome",
                    "key": ["item"],
                    "raters": [
                        {
                            "id": "crowd",
                            "group": "crowd",
                            "file": "ratings.csv",
                            "rater_column": "annotator",
                            "dimension": "level_emotional_reactions",
                            "value_column": "level",
                        }
                    ],
                }
            ],
        }
        path = tmp_path / f"tiny_{sha256_file(data)[:8]}.yaml"
        path.write_text(yaml.safe_dump(card), encoding="utf-8")
        return path

    return make


@pytest.mark.parametrize(
    ("row", "field", "problem"),
    [
        (
            {"item": "i\x1b[31m2", "annotator": "a", "level": 1},
            "item id (column item)",
            "contains the control character U+001B at character 2",
        ),
        ({"item": "i" * 513, "annotator": "a", "level": 1}, "item id (column item)", "is 513 characters long"),
        ({"item": "i2", "annotator": "b\x85c", "level": 1}, "rater id (column annotator)", "U+0085 at character 8"),
    ],
)
def test_a_card_data_file_id_with_a_control_character_or_over_long_is_refused_with_file_row_and_field(
    tiny_card: Callable[[pd.DataFrame], Path], row: dict[str, object], field: str, problem: str
) -> None:
    card = tiny_card(pd.DataFrame([{"item": "i1", "annotator": "a", "level": 0}, row]))
    with pytest.raises(InputError) as caught:
        load_source(str(card))
    data = Path(os.environ[DATA_ENV]) / "tiny" / "ratings.csv"
    message = str(caught.value)
    assert message.startswith(f"{data}, data row 2: {field} "), message
    assert problem in message and message.endswith(f"Fix: {ID_FIX}")


def test_a_card_data_file_with_good_ids_loads(tiny_card: Callable[[pd.DataFrame], Path]) -> None:
    card = tiny_card(pd.DataFrame([{"item": "i" * MAX_ID_LENGTH, "annotator": "a", "level": 2}]))
    labels = load_source(str(card))
    assert list(labels.ratings.rater_id) == ["crowd:a"] and labels.ratings.item_id[0] == "i" * MAX_ID_LENGTH
