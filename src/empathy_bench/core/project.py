"""The project directory: where rubrics/, human_labels/, tasks/ and evals/ live, and how
their YAML files become validated pydantic models."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from empathy_bench.core.errors import InputError
from empathy_bench.core.ids import control_character
from empathy_bench.core.models import input_error

Model = TypeVar("Model", bound=BaseModel)


def project_dir() -> Path:
    """The folder holding rubrics/ etc.: $EMPATHY_BENCH_HOME, else the current directory or
    one of its parents, else the checkout this package was installed from (editable install)."""
    if home := os.environ.get("EMPATHY_BENCH_HOME"):
        return Path(home)
    for candidate in (Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[3]):
        if (candidate / "rubrics").is_dir() and (candidate / "human_labels").is_dir():
            return candidate
    raise InputError(
        Path.cwd(),
        "no empathy-bench project (a folder with rubrics/ and human_labels/) here or above",
        "run from the empathy-bench checkout or set EMPATHY_BENCH_HOME to it",
    )


class UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a key given twice in one mapping is an error: otherwise
    the last value silently wins, and a judge file that says gpt-4o could run something else."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key '{key}' is given twice (lines {seen[key]} and {key_node.start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def load_model(path: Path, model: type[Model]) -> Model:
    """Read a YAML file into `model`, turning validation errors into one clear message."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text (byte {err.start}: {err.reason})", "save the file as UTF-8") from None
    except FileNotFoundError:
        raise InputError(path, "file not found", "check the path or the id you asked for") from None
    except OSError as err:  # a folder in its place, no permission: said, never a traceback
        raise InputError(path, f"cannot be read ({err.strerror or err})", "make it a readable file") from None
    except yaml.YAMLError as err:
        raise InputError(path, f"not valid YAML ({err})", "correct the YAML syntax") from None
    if not isinstance(raw, dict):
        raise InputError(path, "expected a mapping of fields at the top level", "see an existing file for the layout")
    try:
        return model.model_validate(raw, context={"path": path})
    except ValidationError as err:
        raise input_error(err, path) from None


def project_files(kind: str) -> list[Path]:
    """The YAML files of a project folder (rubrics, human_labels, tasks, evals/judges), sorted."""
    return sorted((project_dir() / kind).glob("*.yaml"))


def find_file(kind: str, name: str) -> Path:
    """Resolve a rubric/source/task id or a path to a YAML file under the project folder `kind`.
    A name ending .yaml/.yml is a path, taken as given (the user's own, e.g. on the command
    line; files the harness reads name other files by id, checked when they are loaded); any
    other name is an id, a plain file name: one with '/', '\\' or '..' is refused, never joined
    onto the folder."""
    as_path = Path(name)
    if as_path.suffix in {".yaml", ".yml"}:
        return as_path
    folder = project_dir() / kind
    if any(part in name for part in ("/", "\\", "..")) or control_character(name) is not None:
        raise InputError(
            folder,
            f"{name!r} is not an id of a {kind} file (an id is a file name without .yaml: no '/', '\\' or '..')",
            f"use one of: {_known(kind)}; or give the path of a .yaml file",
        )
    path = folder / f"{name}.yaml"
    if not path.exists():
        raise InputError(path, f"no {kind} file named '{name}'", f"use one of: {_known(kind)}")
    return path


def _known(kind: str) -> str:
    return ", ".join(p.stem for p in project_files(kind)) or "(none yet)"


def load_named(kind: str, name: str, model: type[Model]) -> tuple[Path, Model]:
    """A project file by id (a file in the folder `kind`) or path, validated into `model`.
    A file in the project folder must carry its own file name as id, so ids stay unique."""
    path = find_file(kind, name)
    loaded = load_model(path, model)
    file_id = getattr(loaded, "id", path.stem)
    if path.parent.resolve() == (project_dir() / kind).resolve() and file_id != path.stem:
        raise InputError(path, f"id '{file_id}' differs from the file name", f"set id: {path.stem}", where="field 'id'")
    return path, loaded
