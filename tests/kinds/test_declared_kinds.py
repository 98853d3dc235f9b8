"""Kinds declared as entry points (group `empathy_bench.kinds`), as inspect loads its registry:
this project's pyproject.toml declares rate, compare and coach; a package of one's own declares its
kind the same way, and every process finds it, a fresh interpreter and a spawned shard included,
where a kind `register`ed at run time exists in its own process alone.

A package here is a temporary distribution (toy_kind_support.distribution: a `*.dist-info` folder
with an entry_points.txt) on sys.path; its `count` kind is toy_kind_support's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from inspect_ai.log import list_eval_logs, read_eval_log

import toy_kind_support
from empathy_bench.cli import main
from empathy_bench.core import kinds as registry
from empathy_bench.core.errors import InputError
from empathy_bench.kinds import coach, compare, rate
from empathy_bench.leaderboard.publish import write
from empathy_bench.pipeline import run as run_pipeline
from empathy_bench.runs.execute import RunOptions
from empathy_bench.tasks.spec import load_task
from toy_kind_support import COUNT, JUDGE, distribution, make_project

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
SUPPORT = str(Path(toy_kind_support.__file__).parent)  # tests/, where toy_kind_support is imported from
FIX = "Fix: fix the kind in package brokenkinds, or uninstall it (`uv pip uninstall brokenkinds`)"


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The registry as a new process has it: nothing read yet (restored after the test)."""
    monkeypatch.setattr(registry, "_KINDS", {})
    monkeypatch.setattr(registry, "_declared_loaded", False)
    load_task.cache_clear()
    yield
    load_task.cache_clear()


def test_the_project_declares_the_built_in_kinds_and_the_install_has_them() -> None:
    pyproject = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    declared = pyproject["project"]["entry-points"][registry.GROUP]
    assert declared == {
        "rate": "empathy_bench.kinds.rate:KIND",
        "compare": "empathy_bench.kinds.compare:KIND",
        "coach": "empathy_bench.kinds.coach:KIND",
    }
    # the installed metadata says the same (else: `uv sync --frozen --extra embedding` after editing them)
    installed = {
        p.name: p.value for p in entry_points(group=registry.GROUP) if p.dist and p.dist.name == "empathy-bench"
    }
    assert installed == declared
    assert registry.declared_kinds() == [coach.KIND, compare.KIND, rate.KIND]  # the project's, by name
    assert registry.kind("rate") is rate.KIND


def test_a_package_declares_a_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None) -> None:
    monkeypatch.syspath_prepend(str(distribution(tmp_path, "toykinds", {"count": "toy_kind_support:COUNT"})))
    assert registry.declared_kinds() == [coach.KIND, compare.KIND, rate.KIND, COUNT]
    assert registry.kind("count") is COUNT
    assert [k.name for k in registry.kinds()] == ["coach", "compare", "rate", "count"]
    with pytest.raises(ValueError, match="a task kind named 'count' is already registered"):
        registry.register(COUNT)


BOOM = "raise RuntimeError('the kind\\nis broken')\n"  # a message over two lines, said in one


@pytest.mark.parametrize(
    ("declared", "modules", "problem"),
    [
        (
            {"count": "no_such_kind_module:KIND"},
            {},
            "failed to load (ModuleNotFoundError: No module named 'no_such_kind_module')",
        ),
        (
            {"count": "boom_kind_module:KIND"},
            {"boom_kind_module": BOOM},
            "failed to load (RuntimeError: the kind is broken)",
        ),
        (
            {"count": "number_kind_module:KIND"},
            {"number_kind_module": "KIND = 42\n"},
            "gives a 'int', not an empathy_bench Kind",
        ),
        (
            {"tally": "toy_kind_support:COUNT"},
            {},
            "names a kind called 'count': the two names must be the same",
        ),
        (
            {"rate": "empathy_bench.kinds.rate:KIND"},
            {},
            "declares kind 'rate', as entry point 'rate = empathy_bench.kinds.rate:KIND' of package empathy-bench does",
        ),
    ],
    ids=["missing module", "import fails", "not a kind", "names differ", "name taken"],
)
def test_a_declaration_that_fails_is_one_line_naming_it_and_its_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, declared: dict[str, str], modules: dict[str, str], problem: str
) -> None:
    monkeypatch.syspath_prepend(str(distribution(tmp_path, "brokenkinds", declared, modules)))
    [(name, value)] = declared.items()
    with pytest.raises(InputError) as caught:
        registry.declared_kinds()
    where = f"entry point '{name} = {value}' of package brokenkinds (group empathy_bench.kinds)"
    assert str(caught.value) == f"{where}: {problem}. {FIX}"


def test_the_registry_says_why_again_and_the_command_line_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = distribution(tmp_path, "brokenkinds", {"count": "no_such_kind_module:KIND"})
    monkeypatch.syspath_prepend(str(broken))
    for _ in range(2):  # a failed load is not remembered as loaded: the next lookup fails the same way
        with pytest.raises(InputError, match="package brokenkinds"):
            registry.kind("rate")
    project = make_project(tmp_path, monkeypatch)
    logs, runs = str(project / "logs"), str(project / "results" / "runs")
    assert main(["run", "--task", "turns", "--no-probes", "--log-dir", logs, "--results-dir", runs]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: entry point 'count = no_such_kind_module:KIND' of package brokenkinds")
    assert err.count("\n") == 1 and "Traceback" not in err
    sys.path.remove(str(broken))  # the package uninstalled: the built-in kinds load
    assert registry.kind("rate") is rate.KIND


@pytest.mark.slow
def test_a_fresh_interpreter_finds_a_declared_kind(tmp_path: Path) -> None:
    """What a spawned shard is: a new interpreter, where nothing the parent registered exists. The
    package then taken off its sys.path and the registry read again, `count` is gone: it came from
    the entry point alone."""
    root = distribution(tmp_path, "toykinds", {"count": "toy_kind_support:COUNT"})
    script = (
        "import sys\n"
        "from empathy_bench.core import kinds as registry\n"
        "import toy_kind_support\n"
        "print(registry.kind('count').title, registry.kind('count') is toy_kind_support.COUNT)\n"
        "print(' '.join(k.name for k in registry.kinds()))\n"
        f"sys.path.remove({str(root)!r})\n"
        "print(' '.join(k.name for k in registry.declared_kinds()))\n"
    )
    paths = [str(root), SUPPORT, os.environ.get("PYTHONPATH", "")]
    env = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "turn count True\ncoach compare rate count\ncoach compare rate\n"


@pytest.mark.slow
def test_a_declared_kind_runs_on_spawned_shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: None) -> None:
    """Two shards, each a spawned process loading the task file: both find the kind (a kind only
    `register`ed here would be an unknown kind there), and the board gets its row."""
    monkeypatch.syspath_prepend(str(distribution(tmp_path, "toykinds", {"count": "toy_kind_support:COUNT"})))
    project = make_project(tmp_path, monkeypatch)
    options = RunOptions(tasks=["turns"], probes=[], log_dir=str(project / "logs"), display="none", shards=2)
    results = project / "results"
    run_pipeline(options, n_resamples=20, results_dir=results / "runs")
    assert sorted(p.name for p in (project / "logs").iterdir() if p.is_dir()) == ["shard-1-of-2", "shard-2-of-2"]
    write(results)
    [row] = json.loads((results / "leaderboard.json").read_text(encoding="utf-8"))["kind_tables"]["count"]["rows"]
    assert (row["rater"], row["accuracy_n"]) == (JUDGE, 3)
    assert row["accuracy"] == pytest.approx(2 / 3, abs=1e-6)


# A package's own inspect task for its kind: what its `build` makes of one task file
TOY_TASKS = """from inspect_ai import Task, task

import toy_kind_support
from empathy_bench.runs.execute import RunOptions
from empathy_bench.tasks.spec import load_task


@task
def count(task: str = "turns") -> Task:
    spec = load_task(task)
    [built] = toy_kind_support.build(spec.id, spec, RunOptions())
    return built
"""


@pytest.mark.slow
def test_plain_inspect_runs_a_declared_kind_by_its_package_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`inspect eval toykinds/count`, as `inspect eval empathy_bench/rate`: inspect names a task by its
    installed package (one under a site-packages folder, or installed editable) and finds it through
    the package's `inspect_ai` entry point; the task file's kind through the kind's own."""
    site = tmp_path / "site-packages"
    modules = {"toykinds.__init__": TOY_TASKS}
    distribution(site, "toykinds", {"count": "toy_kind_support:COUNT"}, modules, inspect_ai="toykinds")
    make_project(tmp_path, monkeypatch)
    logs = tmp_path / "logs"
    paths = [str(site), SUPPORT, os.environ.get("PYTHONPATH", "")]
    env = os.environ | {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    command = ["eval", "toykinds/count", "--model", "mockllm/model", "--log-dir", str(logs), "--display", "none"]
    done = subprocess.run([sys.executable, "-m", "inspect_ai", *command], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    [found] = list_eval_logs(str(logs))
    log = read_eval_log(found)
    assert (log.status, log.eval.metadata["kind"], log.eval.metadata["judge"]) == ("success", "count", JUDGE)
    assert log.results and log.results.scores[0].metrics["mean"].value == pytest.approx(2 / 3)
