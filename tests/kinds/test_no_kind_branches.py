"""No stage branches on a built-in kind's name (issue 21's check): what differs by kind is a hook
or a field of its `Kind` (core/kinds.py), declared in its own module under kinds/."""

from __future__ import annotations

import re
from pathlib import Path

import empathy_bench

SRC = Path(empathy_bench.__file__).parent
BRANCH = re.compile(r"""kind\s*[!=]=\s*['"](rate|compare|coach)['"]""")


def test_no_module_compares_a_kind_with_a_built_in_name() -> None:
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BRANCH.search(line)
    ]
    assert found == []


def test_the_check_finds_a_branch() -> None:
    assert BRANCH.search('    if r.task.kind == "rate" and r.agreement.probe is None:')
    assert BRANCH.search("if kind != 'coach':") and not BRANCH.search('if kind == "rater":')
