"""The README and docs/ show commands that work and links that lead somewhere.

Every `empathy-bench` command in a fenced bash block, and every complete one quoted inline (no
`[...]`, `<...>` or `...` placeholders), is parsed by the CLI's own argparse parser: a command or
an option that does not exist fails here, not in a reader's terminal. The ids it names (tasks,
judges, coaches, probes, sources) are project files or defined by a YAML block of the docs.
Every `inspect eval empathy_bench/<kind>` names a registered task with real `-T` parameters; every
`pytest` line names declared markers and existing paths. The commands table lists every command
the CLI has, with options that exist. The Quick start's one-task run is run for real (slow tier)
and its record lands where the README says. Every relative link resolves, anchors included.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import io
import re
import shlex
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import empathy_bench._registry as registry
from empathy_bench.cli import build_parser, main
from empathy_bench.core.project import project_dir

ROOT = project_dir()
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Shell variables a docs script sets before using them (docs/scaling.md's Slurm array): a value
# each may take, so the command can be parsed as the shell would run it.
SHELL_VALUES = {"K": "3", "N": "8"}
# Where each option's ids live (a value may also be a path to a file or a litellm model string).
ID_FOLDERS = {
    "--task": "tasks",
    "--judge": "evals/judges",
    "--coach": "evals/coaches",
    "--grader": "evals/judges",
    "--probe": "evals/probes",
    "--source": "human_labels",
}
# ... and each inspect task parameter's (`-T judge=...`)
T_FOLDERS = {option.removeprefix("--"): folder for option, folder in ID_FOLDERS.items()}


# The programs whose command lines are checked (sbatch, kubectl and shell builtins are not ours).
CHECKED = {"empathy-bench", "inspect", "pytest"}


@dataclass(frozen=True)
class Shown:
    """One command as a doc shows it: the file, and the words after the program's name."""

    doc: str
    program: str
    words: tuple[str, ...]
    inline: bool = False  # quoted in the prose, not in a bash block

    def __str__(self) -> str:
        return f"{self.doc}: {self.program} {' '.join(self.words)}"


def _prose(text: str) -> str:
    """The text outside fenced blocks (links and inline commands are read from it)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def bash_blocks(text: str) -> list[str]:
    return re.findall(r"^```bash\n(.*?)^```", text, flags=re.S | re.M)


def _lines(block: str) -> Iterator[str]:
    """A block's command lines, continuations joined and comments dropped."""
    for line in block.replace("\\\n", " ").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


def _expand(word: str, where: str) -> str:
    """A word with its shell variables given the values the docs' scripts give them."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        assert name in SHELL_VALUES, f"{where}: ${name}: add a value for it to SHELL_VALUES"
        return SHELL_VALUES[name]

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", value, word)


def commands(line: str, doc: str, inline: bool = False) -> Iterator[Shown]:
    """The programs a shell line runs: split on && ; |, `uv run [--frozen] [--extra X]` and leading
    VAR=value assignments dropped; a quoted argument holding a command (sbatch --wrap "...") is
    read too."""
    words = shlex.split(line, comments=True)
    for part in _split(words, {"&&", ";", "|", "||"}):
        while part and re.fullmatch(r"\w+=.*", part[0]):
            part = part[1:]
        if part[:2] == ["uv", "run"]:
            part = part[2:]
            while part and part[0].startswith("--"):
                part = part[2:] if part[0] == "--extra" else part[1:]
        if part and part[0] in CHECKED:
            yield Shown(doc, part[0], tuple(_expand(w, f"{doc}: {line}") for w in part[1:]), inline)
        for word in part[1:]:
            if "empathy-bench " in word or "uv run " in word:
                yield from commands(word, doc, inline)


def _split(words: list[str], separators: set[str]) -> Iterator[list[str]]:
    part: list[str] = []
    for word in words:
        if word in separators:
            yield part
            part = []
        else:
            part.append(word)
    yield part


INLINE = re.compile(r"`((?:uv run --frozen )?empathy-bench [^`]+)`")
PLACEHOLDER = re.compile(r"\[|<|\.\.\.|…|\||\bK/N\b")


def shown_commands() -> list[Shown]:
    """Every command the README and docs/ show: in bash blocks, and complete ones inline."""
    found: list[Shown] = []
    for path in DOCS:
        text, doc = path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix()
        for block in bash_blocks(text):
            for line in _lines(block):
                found += commands(line, doc)
        for span in INLINE.findall(_prose(text)):
            if not PLACEHOLDER.search(span):
                found += commands(span, doc, inline=True)
    return found


def doc_ids() -> set[str]:
    """The ids of the files the docs tell a reader to write: a YAML block's `id` (the README's
    my-judge, own-labels' our_calls) or a project file named in the text (`tasks/my_study_rate.yaml`)."""
    ids = set()
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for block in re.findall(r"^```yaml\n(.*?)^```", text, flags=re.S | re.M):
            for doc in yaml.safe_load_all(block):
                if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                    ids.add(doc["id"])
        ids.update(re.findall(r"`(?:tasks|evals/\w+|human_labels)/([\w.-]+)\.yaml`", text))
    return ids


SHOWN = shown_commands()
EMPATHY = [c for c in SHOWN if c.program == "empathy-bench"]
INSPECT_EVAL = [c for c in SHOWN if c.program == "inspect" and c.words[:1] == ("eval",)]
PYTEST = [c for c in SHOWN if c.program == "pytest"]


def parse(words: tuple[str, ...]) -> argparse.Namespace:
    """The CLI's own parse of a command's words; argparse's complaint as the failure."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            return build_parser().parse_args(list(words))
    except SystemExit:
        pytest.fail(f"empathy-bench {' '.join(words)} does not parse: {err.getvalue().strip()}")


def known(value: str, folder: str) -> bool:
    """An id of a project file, one a docs YAML block defines, a file, or a model string."""
    if re.fullmatch(r"[A-Z][A-Z_]*", value):  # a placeholder the prose explains (T, J, BUNDLE)
        return True
    if value.endswith(".yaml"):  # a file: in the project, or one the docs tell a reader to write
        return (ROOT / value).is_file() or Path(value).stem in doc_ids()
    return value.startswith("litellm/") or (ROOT / folder / f"{value}.yaml").is_file() or value in doc_ids()


def test_the_docs_show_commands_of_each_kind() -> None:
    # the extraction itself: a broken regex would leave every test below with nothing to check
    assert len(EMPATHY) >= 15 and len(INSPECT_EVAL) >= 2 and len(PYTEST) >= 2
    assert {c.words[0] for c in EMPATHY} >= {"run", "collect", "leaderboard", "export", "verify", "validate"}
    assert any(c.doc == "docs/scaling.md" and "--shard" in c.words for c in EMPATHY)  # read out of sbatch --wrap


@pytest.mark.parametrize("shown", EMPATHY, ids=str)
def test_every_empathy_bench_command_shown_parses_and_names_real_ids(shown: Shown) -> None:
    if shown.inline and len(shown.words) == 1:  # the prose naming a command (`empathy-bench verify` checks ...)
        assert shown.words[0] in subparsers(), f"{shown}: no such command"
        return
    parse(shown.words)
    words = list(shown.words)
    for option, value in zip(words, words[1:], strict=False):
        if option in ID_FOLDERS:
            assert known(value, ID_FOLDERS[option]), f"{shown}: {option} {value} is no file in {ID_FOLDERS[option]}/"


@pytest.mark.parametrize("shown", INSPECT_EVAL, ids=str)
def test_every_inspect_eval_shown_names_a_registered_task_and_its_parameters(shown: Shown) -> None:
    target = shown.words[1]
    assert target.startswith("empathy_bench/"), f"{shown}: not one of this package's tasks"
    task = getattr(registry, target.removeprefix("empathy_bench/"), None)
    assert task is not None, f"{shown}: empathy_bench._registry exports no task {target}"
    params = inspect.signature(task).parameters
    words = list(shown.words)
    for flag, arg in zip(words, words[1:], strict=False):
        if flag == "-T":
            key, value = arg.split("=", 1)
            assert key in params, f"{shown}: {target} has no parameter {key} (it has {list(params)})"
            assert known(value, T_FOLDERS[key]), f"{shown}: {key}={value} is no file in {T_FOLDERS[key]}/"


def test_the_registry_is_what_inspect_loads() -> None:
    # `inspect eval empathy_bench/...` resolves through this entry point, so checking the module is enough
    entry = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["inspect_ai"]
    assert entry == {"empathy_bench": registry.__name__}


@pytest.mark.parametrize("shown", PYTEST, ids=str)
def test_every_pytest_command_shown_names_declared_markers_and_existing_paths(shown: Shown) -> None:
    ini = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    declared = {m.split(":", 1)[0] for m in ini["markers"]}
    words = list(shown.words)
    valued = {"-m", "-n", "-k", "-p"}  # options whose next word is their value, not a path
    for i, word in enumerate(words):
        if word == "-m":
            used = set(re.findall(r"\w+", words[i + 1])) - {"not", "and", "or"}
            assert used <= declared, f"{shown}: undeclared marker(s) {used - declared}"
        elif not word.startswith("-") and (i == 0 or words[i - 1] not in valued):
            assert (ROOT / word.split("::")[0]).exists(), f"{shown}: {word} does not exist"


def test_the_readme_shows_the_test_commands_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in ("uv run --frozen pytest", "uv run --frozen pytest -m slow"):
        assert re.search(rf"^{re.escape(command)}(\s|$)", "\n".join(bash_blocks(readme)), re.M), command
        assert re.search(rf"^\s*(\S+ )?{re.escape(command)}(\s|$)", ci, re.M), f".ci/run does not run {command}"


def commands_table() -> dict[str, list[str]]:
    """The README's commands table: each row's command and the options its synopsis names."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    for cell in re.findall(r"^\| `empathy-bench ([^`]+)` \|", section, flags=re.M):
        name, *rest = cell.split()
        rows.setdefault(name, []).extend(re.findall(r"--[\w-]+", " ".join(rest)))
    return rows


def subparsers() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_the_commands_table_lists_every_command_with_options_that_exist() -> None:
    table, cli = commands_table(), subparsers()
    assert set(table) == set(cli), (
        f"in the CLI, not the table: {set(cli) - set(table)}; the reverse: {set(table) - set(cli)}"
    )
    for name, options in table.items():
        have = {o for a in cli[name]._actions for o in a.option_strings}
        assert set(options) <= have, f"README commands table, {name}: no option {set(options) - have}"


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation but - and _ dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", _prose(path.read_text(encoding="utf-8")), re.M)}


def links() -> list[tuple[str, str]]:
    found = []
    for path in [*DOCS, ROOT / "benchmarks" / "README.md"]:
        prose = re.sub(r"`[^`\n]*`(?!\])", "", _prose(path.read_text(encoding="utf-8")))
        for target in re.findall(r"\]\(([^)\s]+)\)", prose):
            if not re.match(r"[a-z]+:", target):
                found.append((path.relative_to(ROOT).as_posix(), target))
    return found


LINKS = links()


def test_the_docs_have_relative_links() -> None:
    assert len(LINKS) >= 20 and any(t.startswith("docs/") for _, t in LINKS)


@pytest.mark.parametrize(("doc", "target"), LINKS, ids=lambda v: str(v))
def test_every_relative_link_resolves(doc: str, target: str) -> None:
    file, _, anchor = target.partition("#")
    found = (ROOT / doc).parent / file if file else ROOT / doc
    assert found.exists(), f"{doc}: link {target} leads nowhere"
    if anchor:
        assert found.suffix == ".md" and anchor in anchors(found), f"{doc}: {found.name} has no heading #{anchor}"


def test_slugs_follow_github() -> None:
    assert _slug("Reproducing Kumar et al.'s reliability table") == "reproducing-kumar-et-als-reliability-table"
    assert _slug("Installation and processes") == "installation-and-processes"
    assert _slug("Pairwise preferences (`compare` tasks)") == "pairwise-preferences-compare-tasks"


def code_files() -> list[str]:
    """Every source, test and benchmark file, as a path from the project root."""
    found = [p for folder in ("src", "tests", "benchmarks") for p in (ROOT / folder).rglob("*") if p.is_file()]
    return [p.relative_to(ROOT).as_posix() for p in found]


def module_refs() -> list[tuple[str, str]]:
    """Every module the docs name in code (`runs/log.py`, `tests/faults/test_faults.py`, `assets/page.js`)."""
    refs = []
    for path in DOCS:
        for ref in re.findall(r"`([\w./-]+\.(?:py|js))`", path.read_text(encoding="utf-8")):
            refs.append((path.relative_to(ROOT).as_posix(), ref))
    return refs


def test_every_module_the_docs_name_exists() -> None:
    # a module renamed or split must take the docs with it (architecture.md names many)
    files, refs = code_files(), module_refs()
    assert len(refs) >= 30
    missing = [f"{doc}: {ref}" for doc, ref in refs if not any(f == ref or f.endswith("/" + ref) for f in files)]
    assert not missing, "modules the docs name that do not exist:\n" + "\n".join(missing)


QUICK_RUN = ("run", "--task", "lend_an_ear", "--judge", "builtin-lexicon", "--no-probes")


@pytest.mark.slow
def test_the_quick_start_one_task_run_writes_where_the_readme_says(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = f"`uv run --frozen empathy-bench {' '.join(QUICK_RUN)}`"
    row = next(line for line in readme.splitlines() if line.startswith(f"| {shown} |"))
    assert "`results/runs/lend_an_ear/`" in row
    # the same command, its logs and records in tmp_path, not the project's, and fewer resamples
    extra = ["--log-dir", str(tmp_path / "logs"), "--results-dir", str(tmp_path / "runs"), "--display", "none"]
    assert main([*QUICK_RUN, *extra, "--resamples", "20"]) == 0
    written = {p.name for p in (tmp_path / "runs" / "lend_an_ear").glob("*.json")}
    assert {"builtin-lexicon.json", "human-crowd.json", "human-expert--leave-one-out.json"} <= written
