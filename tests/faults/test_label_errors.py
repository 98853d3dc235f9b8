"""Bad input in label files and in the files that name them, written by others: an unreachable
Hugging Face dataset, text in a rating column, a choice counted twice, run files that cover
different items, a choice with spaces or an unknown value, and paths or ids that would leave
their folder. Each is one line naming the file, the row or field and the fix (or, for run files,
a note), never a traceback, and `validate` goes on to the other files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from empathy_bench.agreement.probe import retest
from empathy_bench.candidates.prompt import load_template
from empathy_bench.catalog import validate
from empathy_bench.cli import main
from empathy_bench.core.digest import sha256_file
from empathy_bench.core.errors import InputError
from empathy_bench.core.ids import ID_FIX
from empathy_bench.core.paths import PATH_RULE
from empathy_bench.core.project import find_file, project_dir
from empathy_bench.sources.card import load_source_card
from empathy_bench.sources.labels import load_source, rater_runs, rater_wide
from empathy_bench.sources.rubric import load_rubric
from empathy_bench.sources.user_labels import read_preferences
from empathy_bench.tasks.spec import load_task
from recorded_runs_support import EXPERT, FW, JUDGE, RUN_RATINGS, RUNS, write_source  # noqa: E402

LAE = "lend_an_ear"
DIMS = load_rubric(LAE).dimension_ids
PATH_FIX = f"Fix: write {PATH_RULE}"


def _validate_out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """`empathy-bench validate`: exit 1, no traceback; its standard output."""
    code = main(["validate", *argv])
    out = capsys.readouterr()
    assert code == 1 and "Traceback" not in out.out + out.err, out.out + out.err
    return out.out


def test_validate_checks_every_project_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the repository's own project, whose files all validate: each is listed once, by its path
    home = project_dir()
    monkeypatch.chdir(home)
    assert main(["validate"]) == 0
    out = capsys.readouterr().out.splitlines()
    folders = ("rubrics", "human_labels", "tasks", "evals/judges", "evals/coaches", "evals/probes")
    expected = sorted(p.relative_to(home).as_posix() for f in folders for p in (home / f).glob("*.yaml"))
    assert sorted(line.removeprefix("ok    ") for line in out[:-1]) == expected
    assert out[-1] == f"{len(expected)} ok, 0 failed"


# ---------------------------------------------------------------- 9a: an unreachable hf: dataset


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project (the repository's rubrics and cards) with a team's own items and ratings and a
    rate task on them that validates."""
    home = tmp_path / "project"
    for folder in ("rubrics", "human_labels"):
        shutil.copytree(project_dir() / folder, home / folder)
    (home / "tasks").mkdir()
    (home / "data").mkdir()
    items = [
        {"item_id": f"c{i}", "framework": LAE, "text": f"Seeker: I lost my job.\nSupporter: reply {i}"}
        for i in range(3)
    ]
    pd.DataFrame(items).to_csv(home / "data" / "items.csv", index=False)
    ratings = [
        {"item_id": f"c{i}", "framework": LAE, "dimension": d, "rater_id": "e1", "rater_group": "expert", "value": 2}
        for i in range(3)
        for d in DIMS
    ]
    (home / "data" / "ratings.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ratings), encoding="utf-8")
    _task(home, "team_rate", "data/items.csv", "data/ratings.jsonl")
    monkeypatch.setenv("EMPATHY_BENCH_HOME", str(home))
    monkeypatch.chdir(tmp_path)  # `datasets` would read a folder named like the repo id here
    return home


def _task(home: Path, name: str, items: str, ratings: str) -> Path:
    path = home / "tasks" / f"{name}.yaml"
    path.write_text(
        f"id: {name}\nversion: 1\ntitle: Ours\nkind: rate\nframework: {LAE}\nrubric: {LAE}\nreference: e1\n"
        f"labels: {{items: '{items}', ratings: '{ratings}'}}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("field", ["items", "ratings"])
def test_an_unreachable_hub_dataset_fails_its_task_only_naming_the_task_file_field_and_dataset(
    project: Path, capsys: pytest.CaptureFixture[str], field: str
) -> None:
    hub = "hf:our-org/our-labels@v1:test"
    names = {"items": "data/items.csv", "ratings": "data/ratings.jsonl"} | {field: hub}
    _task(project, "team_hub", names["items"], names["ratings"])
    errors = {p.name: e for p, e in validate() if p.parent.name == "tasks"}
    assert errors["team_rate.yaml"] is None
    error = errors["team_hub.yaml"]
    assert error is not None and error.startswith(
        f"tasks/team_hub.yaml, field 'labels.{field}': could not load the dataset 'our-org/our-labels' "
        "(split 'test', revision 'v1'): ConnectionError: "
    ), error
    assert "\n" not in error
    assert error.endswith(
        "Fix: check the dataset id, split and revision, that you may read it (log in with `hf auth login` for a "
        "private dataset) and your network (HF_HUB_OFFLINE=1 reads only datasets already in the local cache); "
        "or name a local CSV or JSONL file instead"
    ), error
    # every other file of the project is still checked: exactly one failure
    assert [p.name for p, e in validate() if e is not None] == ["team_hub.yaml"]
    out = _validate_out(capsys)
    assert "FAIL  project/tasks/team_hub.yaml" in out and "ok    project/tasks/team_rate.yaml" in out, out
    assert f"tasks/team_hub.yaml, field 'labels.{field}': could not load the dataset 'our-org/our-labels'" in out
    assert out.rstrip().endswith(" ok, 1 failed"), out


# ---------------------------------------------------------------- 9c: text in a rating column


@pytest.mark.parametrize(
    ("rel", "text", "row", "column", "value"),
    [
        (
            EXPERT,
            "conversation_id,empathy,relevance,fluency\nc1,3,4,5\nc2,4,high,4\nc3,5,5,5\nc4,2,3,4\n",
            2,
            "relevance",
            "high",
        ),  # fmt: skip
        (RUNS[1], RUN_RATINGS[1].replace("c3,5,4,4", "c3,five,4,4"), 3, "empathy", "five"),
    ],
    ids=["rater_file", "runs_file"],
)
def test_text_in_a_rating_column_names_the_file_row_column_and_scale(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    rel: str,
    text: str,
    row: int,
    column: str,
    value: str,
) -> None:
    home = tmp_path / "project"
    shutil.copytree(project_dir() / "rubrics", home / "rubrics")
    (home / "human_labels").mkdir()
    name = f"texty_{column}"  # load_source_card keeps a card by its id for the whole session: one id per test
    card = write_source(tmp_path, monkeypatch, name=name)
    card = card.rename(home / "human_labels" / f"{name}.yaml")
    monkeypatch.setenv("EMPATHY_BENCH_HOME", str(home))
    data = _rewrite(card, tmp_path / "data", rel, text)
    expected = (
        f"{data}, data row {row}: column '{column}' holds '{value}', which is not a number. "
        f"Fix: a rating must be a number on the scale 1..5 of '{column}'; leave the cell empty where there is no rating"
    )
    with pytest.raises(InputError) as caught:
        load_source(name)
    assert str(caught.value) == expected
    assert [e for _, e in validate()] == [None] * len(validate())  # the card itself is fine
    out = _validate_out(capsys, "--data")
    assert f"FAIL  {card}" in out and expected in out and out.rstrip().endswith(" ok, 1 failed"), out


def _rewrite(card: Path, mirror: Path, rel: str, text: str) -> Path:
    """Replace one of the card's data files in `mirror` and pin its new sha256 in the card."""
    raw = yaml.safe_load(card.read_text(encoding="utf-8"))
    data = mirror / raw["mirror_dir"] / rel
    data.write_text(text, encoding="utf-8")
    for entry in raw["files"]:
        if entry["path"] == rel:
            entry["sha256"] = sha256_file(data)
    card.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return data


def test_several_text_cells_are_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runs = [RUN_RATINGS[0], RUN_RATINGS[1], RUN_RATINGS[2].replace("c1,5,", "c1,?,").replace("c2,1,", "c2,TRUE,")]
    card = write_source(tmp_path, monkeypatch, name="texts", runs=runs)
    with pytest.raises(InputError) as caught:
        load_source(str(card))
    assert str(caught.value).startswith(
        f"{tmp_path / 'data' / 'texts' / RUNS[2]}, data row 1: column 'empathy' holds '?', which is not a number "
        "(2 cells of the column are not numbers). Fix: a rating must be a number on the scale 1..5 of 'empathy'"
    ), caught.value


# ---------------------------------------------------------------- 10a / 10c: own preference files


def _prefs(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    base = {"framework": LAE, "criterion": "overall", "rater_id": "team", "rater_group": "expert"}
    path = tmp_path / "prefs.csv"
    pd.DataFrame([base | row for row in rows]).to_csv(path, index=False)
    return path


def _pair(pair_id: str, a: str, b: str, choice: str, **more: str) -> dict[str, str]:
    return {"pair_id": pair_id, "item_a": a, "item_b": b, "choice": choice, **more}


@pytest.mark.parametrize(
    ("second", "order"),
    [
        (_pair("p9", "c0", "c1", "b"), "in the same order"),
        (_pair("p9", "c1", "c0", "b"), "in the opposite order"),  # the same choice (c0), counted twice
        (_pair("p9", "c1", "c0", "a"), "in the opposite order"),  # the opposite choice
    ],
)
def test_the_same_two_items_under_a_second_pair_id_are_refused_naming_both_rows(
    tmp_path: Path, second: dict[str, str], order: str
) -> None:
    path = _prefs(tmp_path, [_pair("p0", "c0", "c1", "a"), _pair("p5", "c2", "c3", "a"), second])
    with pytest.raises(InputError) as caught:
        read_preferences(path)
    a, b = second["item_a"], second["item_b"]
    assert str(caught.value) == (
        f"{path}, data row 3: rater 'team' compares items '{a}' and '{b}' on 'overall' a second time: "
        f"here as pair 'p9' (item_a={a}, item_b={b}), on data row 1 as pair 'p0' (item_a=c0, item_b=c1), {order}. "
        "Fix: keep one of the two rows: one row per rater, criterion and pair of items, under one pair_id"
    )


def test_the_same_two_items_for_another_rater_or_criterion_are_kept(tmp_path: Path) -> None:
    rows = [
        _pair("p0", "c0", "c1", "a"),
        _pair("p9", "c1", "c0", "b", rater_id="other"),
        _pair("p8", "c1", "c0", "a", criterion=DIMS[0]),
    ]
    table = read_preferences(_prefs(tmp_path, rows))
    assert list(table.pair_id) == ["p0", "p9", "p8"] and list(table.choice) == ["a", "b", "a"]


def test_a_choice_with_spaces_is_read_without_them(tmp_path: Path) -> None:
    path = _prefs(tmp_path, [_pair("p0", "c0", "c1", " a "), _pair("p1", "c2", "c3", "tie\t")])
    assert list(read_preferences(path).choice) == ["a", "tie"]


@pytest.mark.parametrize(("cell", "shown"), [(" x", "' x'"), ("A", "'A'"), ("", "''"), ("b a", "'b a'")])
def test_an_unknown_choice_is_shown_with_file_row_and_field(tmp_path: Path, cell: str, shown: str) -> None:
    path = _prefs(tmp_path, [_pair("p0", "c0", "c1", "a"), _pair("p1", "c2", "c3", cell)])
    with pytest.raises(InputError) as caught:
        read_preferences(path)
    assert str(caught.value) == (
        f"{path}, data row 2: field 'choice': {shown} is not a, b or tie. "
        "Fix: write a, b or tie (lower case): the item chosen, or tie"
    )


def test_a_choice_that_is_not_text_is_shown_in_a_jsonl_file(tmp_path: Path) -> None:
    row = _pair("p0", "c0", "c1", "a") | {"framework": LAE, "criterion": "overall", "rater_id": "t"}
    path = tmp_path / "prefs.jsonl"
    path.write_text(json.dumps(row | {"rater_group": "expert", "choice": True}) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_preferences(path)
    assert str(caught.value).startswith(f"{path}, line 1: field 'choice': True is not a, b or tie. Fix: write a, b")


# ---------------------------------------------------------------- 10b: runs that cover different items


def test_runs_that_rate_different_items_get_a_note_and_retest_uses_the_common_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # run 2 has no row for c4, run 3 none for c1 or c4: 4 items in all, 2 of them rated by every run
    runs = [
        RUN_RATINGS[0],
        RUN_RATINGS[1].replace("c4,3,1,5\n", ""),
        RUN_RATINGS[2].replace("c1,5,4,5\n", "").replace("c4,3,2,\n", ""),
    ]
    labels = load_source(str(write_source(tmp_path, monkeypatch, name="partial", runs=runs)))
    notes = [line for line in labels.report if "rate different items" in line]
    assert notes == [
        f"{FW}: rater '{JUDGE}': its runs rate different items: 4 items in all, 2 not rated by every run; "
        f"run 2 ({RUNS[1]}) lacks 1 of them (e.g. c4); run 3 ({RUNS[2]}) lacks 2 of them (e.g. c1, c4). "
        "Test-retest's pairwise kappa and identical share use the 2 items every run rates"
    ]
    assert labels.framework(FW).report == labels.report  # the note survives choosing the framework
    runs_table = rater_runs(labels.ratings, JUDGE)
    reference = rater_wide(labels.ratings, "expert1", ["empathy", "relevance", "fluency"])
    found = retest(runs_table, reference, dict.fromkeys(["empathy", "relevance", "fluency"], "ordinal"))
    assert [(r.dimension, r.n_items, r.epochs) for r in found] == [
        ("empathy", 2, 3),
        ("relevance", 2, 3),
        ("fluency", 2, 3),
    ]


def test_runs_that_rate_the_same_items_get_no_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # run 3 leaves one cell of c4 empty but still rates c4: the same items
    labels = load_source(str(write_source(tmp_path, monkeypatch, name="whole")))
    assert not [line for line in labels.report if "rate different items" in line]


# ---------------------------------------------------------------- (i) a judge's prompt path


@pytest.fixture
def judge_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "project"
    shutil.copytree(project_dir() / "rubrics", home / "rubrics")
    shutil.copytree(project_dir() / "evals" / "prompts", home / "evals" / "prompts")
    (home / "human_labels").mkdir()
    (home / "evals" / "judges").mkdir()
    (tmp_path / "outside.md").write_text("$conversation\n$answer_format\n", encoding="utf-8")
    monkeypatch.setenv("EMPATHY_BENCH_HOME", str(home))
    return home


def _judge(home: Path, name: str, prompt: str) -> Path:
    path = home / "evals" / "judges" / f"{name}.yaml"
    path.write_text(f"id: {name}\nmodel: litellm/builtin/constant\noffline: true\nprompt: '{prompt}'\n")
    return path


@pytest.mark.parametrize(
    ("prompt", "problem"),
    [
        ("../outside.md", "'../outside.md' climbs out of its folder with '..'"),
        ("evals/../../outside.md", "'evals/../../outside.md' climbs out of its folder with '..'"),
        ("/etc/passwd", "'/etc/passwd' is an absolute path"),
    ],
)
def test_a_judge_prompt_path_outside_the_project_is_refused_naming_the_judge_file(
    judge_project: Path, prompt: str, problem: str
) -> None:
    judge = _judge(judge_project, "sneaky", prompt)
    good = _judge(judge_project, "fine", "evals/prompts/rubric_judge.md")  # a path inside: still allowed
    errors = dict(validate())
    assert errors[good] is None
    assert errors[judge] == (
        f"{judge}, field 'prompt': {problem}. {PATH_FIX}, naming a file inside the project folder {judge_project} "
        "(copy the file in rather than linking to it)"
    )
    with pytest.raises(InputError) as caught:
        load_template(prompt)
    assert str(caught.value).startswith(f"the judge's prompt '{prompt}', field 'prompt': {problem}. {PATH_FIX}")


def test_a_judge_prompt_linked_out_of_the_project_is_refused(judge_project: Path) -> None:
    (judge_project / "evals" / "prompts" / "linked.md").symlink_to(judge_project.parent / "outside.md")
    judge = _judge(judge_project, "linked", "linked")
    error = dict(validate())[judge]
    assert error is not None and error.startswith(
        f"{judge}, field 'prompt': 'linked.md' leads through a symbolic link to {judge_project.parent / 'outside.md'}"
    ), error


# ---------------------------------------------------------------- (ii) ids given to find_file


@pytest.mark.parametrize("name", ["rubrics/../../x", "../../etc/x", "..\\x", "a..b", "/etc/x", "lend\x1b_an_ear"])
def test_a_name_that_is_not_an_id_is_refused_before_it_is_joined(name: str) -> None:
    with pytest.raises(InputError) as caught:
        find_file("rubrics", name)
    assert str(caught.value).startswith(
        f"{project_dir() / 'rubrics'}: {name!r} is not an id of a rubrics file "
        "(an id is a file name without .yaml: no '/', '\\' or '..'). Fix: use one of: "
    ), caught.value
    assert str(caught.value).endswith("; or give the path of a .yaml file") and f"{LAE}, " in str(caught.value)
    with pytest.raises(InputError, match="is not an id of a rubrics file"):
        load_rubric(name)


def test_an_id_and_a_yaml_path_the_user_gives_are_still_found(tmp_path: Path) -> None:
    assert find_file("rubrics", LAE) == project_dir() / "rubrics" / f"{LAE}.yaml"
    own = tmp_path / "elsewhere" / "mine.yaml"
    assert find_file("rubrics", str(own)) == own  # the user's own path, as given
    assert find_file("tasks", "../x.yml") == Path("../x.yml")


# ---------------------------------------------------------------- (iii) the fix of an id or path field


def _card_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change) -> str:  # noqa: ANN001
    path = write_source(tmp_path, monkeypatch, name="fixes", change=change)
    with pytest.raises(InputError) as caught:
        load_source_card(str(path))
    return str(caught.value).removeprefix(f"{path}, ")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda raw: raw["frameworks"][0]["raters"][0].update(id="exp\tert"),
            f"field 'frameworks.0.raters.0.id': contains the control character U+0009 at character 4 "
            f"(an id is printable text of at most 512 characters). Fix: {ID_FIX}",
        ),
        (
            lambda raw: raw["files"][0].update(path="../../x.csv"),
            f"field 'files.0.path': '../../x.csv' climbs out of its folder with '..'. {PATH_FIX}",
        ),
        (
            lambda raw: raw.update(id="a/b"),
            "field 'id': 'a/b' is not a single folder name. Fix: write a single folder name: no '/', '\\' or '..'",
        ),
        (
            lambda raw: raw["frameworks"][0].update(rubric="rubrics/x"),
            "field 'frameworks.0.rubric': 'rubrics/x' is not an id. "
            "Fix: name the file by its id (its file name without .yaml), with no '/', '\\' or '..'",
        ),
    ],
    ids=["invalid_id", "relative_path", "path_segment", "file_id"],
)
def test_an_id_or_path_field_gets_its_own_fix(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change,
    expected: str,  # noqa: ANN001
) -> None:
    message = _card_error(tmp_path, monkeypatch, change)
    assert message == expected
    assert "correct the value as described" not in message and "Value error" not in message


def test_a_task_source_that_is_a_path_gets_the_id_fix(tmp_path: Path) -> None:
    task = tmp_path / "named.yaml"
    task.write_text("id: named\nversion: 1\ntitle: T\nframework: epitome\nrubric: epitome\nsource: ../card\n")
    with pytest.raises(InputError) as caught:
        load_task(str(task))
    assert str(caught.value) == (
        f"{task}, field 'source': '../card' is not an id. "
        "Fix: name the file by its id (its file name without .yaml), with no '/', '\\' or '..'"
    )
