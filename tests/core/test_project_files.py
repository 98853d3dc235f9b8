"""Reading a project file (core/project.py `load_model`): whatever is in the file's place, the
user gets one line naming the file and the fix, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from empathy_bench.core.errors import InputError
from empathy_bench.core.project import load_model
from empathy_bench.tasks.spec import TaskSpec


def test_a_folder_in_the_files_place_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "task.yaml"
    folder.mkdir()
    with pytest.raises(InputError) as err:
        load_model(folder, TaskSpec)
    assert str(folder) in str(err.value) and "cannot be read" in str(err.value)
    assert "make it a readable file" in str(err.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_model(tmp_path / "absent.yaml", TaskSpec)
