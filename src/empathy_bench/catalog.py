"""The catalog of the project's files (rubrics, label source cards, tasks, judges, coaches and probes) and
their validation, without calling any model."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from empathy_bench.candidates.judge import Judge, load_coach, load_grader, load_judge, secret_args
from empathy_bench.candidates.prompt import load_template
from empathy_bench.core.errors import EmpathyBenchError, InputError
from empathy_bench.core.project import project_files
from empathy_bench.sources.card import load_source_card
from empathy_bench.sources.labels import load_source
from empathy_bench.sources.rubric import load_rubric
from empathy_bench.tasks.binding import task_judge
from empathy_bench.tasks.compare import build_pair_samples
from empathy_bench.tasks.labels import task_labels
from empathy_bench.tasks.probe import conditions, load_probe
from empathy_bench.tasks.spec import CoachTask, CompareTask, load_task, task_ids


def _check_card(path: str, check_data: bool = False) -> None:
    card = load_source_card(path)
    for fw in card.frameworks:
        load_rubric(fw.rubric)
    if check_data:
        load_source(path)


def _check_judge(path: str, check_data: bool = False) -> None:
    _check_candidate(path, load_judge(path))


def _check_coach(path: str, check_data: bool = False) -> None:
    _check_candidate(path, load_coach(path))


def _check_candidate(path: str, judge: Judge) -> None:
    load_template(judge.prompt_name, judge.kind, source=path)
    if secret := secret_args(judge.model_args):
        raise InputError(
            path,
            f"model_args {secret} look like credentials (model args are written to every eval log)",
            "remove them; put keys in the environment or a .env file",
            where="field 'model_args'",
        )
    unknown = sorted(set(judge.fitted_on) - set(task_ids()))
    if unknown:
        raise InputError(
            path,
            f"fitted_on names {unknown}, which are not task ids",
            f"list the tasks whose items the judge was fitted on, from: {', '.join(task_ids())}",
            where="field 'fitted_on'",
        )


def _check_task(path: str) -> None:
    """A task file; one on a team's own labels also reads and checks those files (local, cheap);
    a coach task's grader must be a rate judge."""
    spec = load_task(path)
    if spec.labels is not None:
        labels = task_labels(spec)
        if isinstance(spec, CompareTask):  # a pair a judge can be scored on, or the run would have nothing
            build_pair_samples(spec, task_judge(spec, None, "compare"), labels)
    if isinstance(spec, CoachTask):
        load_grader(spec.grader)


def _check_probe(path: str) -> None:
    """A probe file; the tasks it lists must exist and be of a kind it can probe."""
    probe = load_probe(path)
    for task_id in probe.tasks:
        if task_id not in task_ids():
            raise InputError(
                path,
                f"tasks names '{task_id}', which is not a task id",
                f"use some of: {', '.join(task_ids())}",
                "field 'tasks'",
            )
        conditions(probe, load_task(task_id))


# Each folder's files and how to check one of them.
FOLDERS: dict[str, Callable[..., object]] = {
    "rubrics": lambda path, check_data: load_rubric(path),
    "human_labels": _check_card,
    "tasks": lambda path, check_data: _check_task(path),
    "evals/judges": _check_judge,
    "evals/coaches": _check_coach,
    "evals/probes": lambda path, check_data: _check_probe(path),
}


def validate(check_data: bool = False) -> list[tuple[Path, str | None]]:
    """(file, error or None) for every project file. With `check_data`, also download or
    read every label source's files, verify their sha256 and map them to the canonical
    tables."""
    results: list[tuple[Path, str | None]] = []
    for folder, loader in FOLDERS.items():
        for path in project_files(folder):
            results.append((path, _error_of(partial(loader, str(path), check_data))))
    return results


def _error_of(action: Callable[[], object]) -> str | None:
    try:
        action()
    except (EmpathyBenchError, KeyError, ValueError) as err:
        return str(err)
    return None
