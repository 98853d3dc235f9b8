"""The private names of inspect-ai the harness uses (core/inspect_private.py, the one module that
imports them): each still exists where the harness reaches for it, so an inspect upgrade that
moves or renames one fails here, naming it, rather than slowing or breaking a run."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import pytest

from empathy_bench.core import inspect_private

SRC = Path(inspect_private.__file__).parents[1]


@pytest.mark.parametrize(("module", "name"), inspect_private.PRIVATE_NAMES)
def test_every_private_inspect_name_still_exists(module: str, name: str | None) -> None:
    where = "core/inspect_private.py"
    if name is None:
        assert importlib.util.find_spec(module) is not None, f"inspect moved {module}: update {where}"
    else:
        found = importlib.import_module(module)
        assert hasattr(found, name), f"inspect moved or renamed {module}.{name}: update {where}"


def test_no_other_module_imports_a_private_inspect_name() -> None:
    private = re.compile(r"\binspect_ai(?:\.\w+)*\._\w+|\bfrom inspect_ai(?:\.\w+)* import _\w+")
    elsewhere = [
        str(path.relative_to(SRC))
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "inspect_private.py" and private.search(path.read_text())
    ]
    assert not elsewhere, f"import inspect's private names through core/inspect_private.py only: {elsewhere}"
