"""Paths named in untrusted files (source cards, task files) stay inside their folder.

A file the harness reads or writes on behalf of such a file is `root / rel`, where `root` is a
folder the harness chose (the project folder, the download cache, the label mirror) and `rel`
comes from the file. `inside` is the one place that joins the two: it refuses an absolute `rel`,
a `..` segment, a backslash or a control character, and a `rel` that leads through a symbolic
link to somewhere outside `root`, before anything is read, written or created. `relative_path`
is the same rule on the text alone, for validating a file's fields when it is loaded.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from empathy_bench.core.errors import InputError
from empathy_bench.core.ids import control_character

PATH_RULE = "a path relative to its folder, written with '/', without '..' or a leading '/'"
# The pydantic error types of a refused path, folder name or file id, and their fixes (used by
# core/models.py to say how to correct the field).
PATH_ERROR, SEGMENT_ERROR, FILE_ID_ERROR = "relative_path", "path_segment", "file_id"
PATH_FIXES = {
    PATH_ERROR: f"write {PATH_RULE}",
    SEGMENT_ERROR: "write a single folder name: no '/', '\\' or '..'",
    FILE_ID_ERROR: "name the file by its id (its file name without .yaml), with no '/', '\\' or '..'",
}


def path_problem(rel: str) -> str | None:
    """What makes `rel` unsafe to join onto a folder, judged on the text alone, or None."""
    if not rel.strip():
        return "is empty"
    if (where := control_character(rel)) is not None:
        return f"contains the control character {where}"
    if "\\" in rel:
        return "contains a backslash"
    if PurePosixPath(rel).is_absolute() or PureWindowsPath(rel).drive:
        return "is an absolute path"
    if ".." in PurePosixPath(rel).parts:
        return "climbs out of its folder with '..'"
    return None


def _refused(kind: str, message: str) -> PydanticCustomError:
    """A pydantic error of type `kind` (a ValueError outside pydantic); the message goes in the
    context, not the template: it quotes text from the file, never a format string."""
    return PydanticCustomError(kind, "{message}", {"message": message})


def relative_path(rel: str) -> str:
    """Pydantic check of a path field: `rel` if safe, else an error (type PATH_ERROR) that says why."""
    if (problem := path_problem(rel)) is not None:
        raise _refused(PATH_ERROR, f"'{rel}' {problem}")
    return rel


def path_segment(name: str) -> str:
    """Pydantic check of a field that becomes one folder name (a source card's id)."""
    relative_path(name)
    if "/" in name or name.strip() in {".", ""}:
        raise _refused(SEGMENT_ERROR, f"'{name}' is not a single folder name")
    return name


def file_id(name: str) -> str:
    """Pydantic check of a field that names another project file by id (a task's source, rubric
    or grader): the id is joined onto a project folder, so it is never a path."""
    if path_problem(name) is not None or "/" in name or name.strip() in {".", ".."}:
        raise _refused(FILE_ID_ERROR, f"'{name}' is not an id")
    return name


# Text fields of a file model that hold a relative path / one folder name / another file's id.
RelativePath = Annotated[str, AfterValidator(relative_path)]
PathSegment = Annotated[str, AfterValidator(path_segment)]
FileId = Annotated[str, AfterValidator(file_id)]


def inside(root: Path, rel: str, *, source: str | Path, field: str, root_name: str = "") -> Path:
    """`root / rel`, checked to stay inside `root`; `source` (the file that named `rel`) and
    `field` (where in it) are named in the error. Nothing is created, read or written here; the
    check follows symbolic links (also ones whose target does not exist yet) without opening
    files. Raises InputError for an absolute path, '..', a backslash or control character, or a
    link that leads out of `root`."""
    folder = root_name or f"the folder {root}"
    fix = f"write {PATH_RULE}, naming a file inside {folder} (copy the file in rather than linking to it)"
    if (problem := path_problem(rel)) is not None:
        raise InputError(source, f"'{rel}' {problem}", fix, f"field '{field}'")
    path = root / rel
    real_root = Path(os.path.realpath(root))
    target = Path(os.path.realpath(path))  # follows every link on the way, dangling ones included
    if not target.is_relative_to(real_root):
        raise InputError(
            source, f"'{rel}' leads through a symbolic link to {target}, outside {folder}", fix, f"field '{field}'"
        )
    return path
