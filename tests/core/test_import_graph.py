"""No import cycle among empathy_bench's modules, counting every import statement: those at the
top of a module, those inside functions and those under `if TYPE_CHECKING:`.

The graph is grimp's, the engine behind import-linter (`lint-imports` checks the layer contract
on the same graph). grimp reads every import statement of a module's source, wherever it sits:
`test_grimp_sees_imports_inside_functions` shows it on a two-module package where one import is
inside a function and the other under TYPE_CHECKING, so a cycle that Python tolerates because one
side imports lazily still fails here. The cycles are the graph's strongly connected components of
more than one module (scipy's `connected_components(..., connection="strong")`).

An import by name (`importlib.import_module("empathy_bench.kinds")`, `__import__`) is invisible to
that graph and to the layer contract: `test_src_imports_no_module_by_name` allows none in src but
of a third-party module named literally (task kinds are entry points, read by importlib.metadata)."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

PACKAGE = "empathy_bench"
SRC = Path(__file__).resolve().parents[2] / "src" / PACKAGE


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Each set of modules that import one another, directly or through each other (a strongly
    connected component of more than one module), sorted; the components in sorted order."""
    modules = sorted(graph.modules)
    index = {name: i for i, name in enumerate(modules)}
    edges = [(index[a], index[b]) for a in modules for b in graph.find_modules_directly_imported_by(a)]
    rows, cols = zip(*edges, strict=True) if edges else ((), ())
    adjacency = csr_matrix((np.ones(len(edges)), (rows, cols)), shape=(len(modules), len(modules)))
    _, labels = connected_components(adjacency, directed=True, connection="strong")
    groups = [[modules[i] for i in np.flatnonzero(labels == label)] for label in np.unique(labels)]
    return sorted(group for group in groups if len(group) > 1)


def describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    """The modules of a cycle and every import between them, with its line."""
    lines = [" <-> ".join(cycle)]
    for importer in cycle:
        for imported in cycle:
            if importer != imported and graph.direct_import_exists(importer=importer, imported=imported):
                for detail in graph.get_import_details(importer=importer, imported=imported):
                    where = f"{importer}:{detail['line_number']}"
                    lines.append(f"    {where} imports {imported}: {detail['line_contents']}")
    return "\n".join(lines)


def test_no_import_cycle() -> None:
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    cycles = import_cycles(graph)
    assert not cycles, "import cycles (move the shared piece down a layer):\n" + "\n".join(
        describe(graph, cycle) for cycle in cycles
    )


def write_package(root: Path, name: str, files: dict[str, str]) -> None:
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, text in files.items():
        (package / f"{name}.py").write_text(text)


def test_grimp_sees_imports_inside_functions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a imports b only when f runs; b imports a only for type checking; c imports a at the top
    write_package(
        tmp_path,
        "cyclepkg",
        {
            "a": "def f():\n    from cyclepkg import b\n    return b\n",
            "b": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cyclepkg import a\n",
            "c": "from cyclepkg import a\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("cyclepkg", cache_dir=None)
    assert graph.get_import_details(importer="cyclepkg.a", imported="cyclepkg.b")[0]["line_number"] == 2
    assert graph.direct_import_exists(importer="cyclepkg.b", imported="cyclepkg.a")
    assert import_cycles(graph) == [["cyclepkg.a", "cyclepkg.b"]]
    message = describe(graph, ["cyclepkg.a", "cyclepkg.b"])
    assert "cyclepkg.a:2 imports cyclepkg.b: from cyclepkg import b" in message
    assert "cyclepkg.b:3 imports cyclepkg.a: from cyclepkg import a" in message


def test_a_package_without_a_cycle_has_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a chain a -> b -> c (b's import inside a function), c importing outside the package: no cycle
    write_package(
        tmp_path,
        "chainpkg",
        {"a": "from chainpkg import b\n", "b": "def f():\n    from chainpkg import c\n", "c": "import json\n"},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("chainpkg", cache_dir=None)
    assert graph.direct_import_exists(importer="chainpkg.b", imported="chainpkg.c")
    assert import_cycles(graph) == []


def imports_by_name(source: str) -> list[int]:
    """The lines of each `import_module(...)` or `__import__(...)` call that may name a project
    module: any whose first argument is not a literal string naming another package (a variable or
    an f-string may hold "empathy_bench...", so they count too)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in ("import_module", "__import__"):
            continue
        first = node.args[0] if node.args else None
        named = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
        if named is None or named.startswith((PACKAGE, ".")):
            lines.append(node.lineno)
    return sorted(lines)


def test_src_imports_no_module_by_name() -> None:
    found = [
        f"{path.relative_to(SRC.parent)}:{line}"
        for path in sorted(SRC.rglob("*.py"))
        for line in imports_by_name(path.read_text(encoding="utf-8"))
    ]
    assert not found, "imports by name, unseen by the import graph (import it, or declare an entry point):\n" + (
        "\n".join(found)
    )


def test_imports_by_name_are_found() -> None:
    source = (
        "import importlib\n"
        "from importlib import import_module\n"
        'importlib.import_module("empathy_bench.kinds")\n'  # 3: the project by name
        "BUILTIN = 'empathy_bench.kinds'\n"
        "import_module(BUILTIN)\n"  # 5: a variable may name anything
        'importlib.import_module(f"empathy_bench.{BUILTIN}")\n'  # 6: so may an f-string
        '__import__("empathy_bench.core")\n'  # 7
        'import_module(".rate", "empathy_bench.kinds")\n'  # 8: relative to the project
        'import_module("yaml")\n'  # a third-party module, named literally: allowed
        'find = "import_module(empathy_bench)"\n'  # a string, not a call
    )
    assert imports_by_name(source) == [3, 5, 6, 7, 8]
