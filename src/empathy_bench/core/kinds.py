"""The task kinds, registered by name (as lm-evaluation-harness registers its tasks): a kind is one
`Kind`, the small set of hooks each stage calls instead of branching on the kind's name.

The registry sits in `core` so every stage can look a kind up without importing the stages above
it; the hooks are plain callables, typed loosely here because their argument types live in the
stages that call them (each hook's comment names them). The built-in kinds (rate, compare, coach)
are registered by `empathy_bench.kinds` on the first lookup, the way inspect loads its registry
through the package's entry point; a kind of your own is one module and one `register` call."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

BUILTIN = "empathy_bench.kinds"  # the package that registers the built-in kinds (importing it does)


@dataclass(frozen=True)
class StatColumn:
    """One column of a kind's board table over its statistics (agreement/statistics.py): the
    metric it shows, its heading, its direction and whether it has an interval."""

    metric: str
    label: str
    lower_is_better: bool = False
    interval: bool = True


@dataclass(frozen=True)
class Kind:
    """A task kind's hooks, one per stage that treats kinds differently."""

    name: str
    # tasks: its task file model, a subclass of tasks/spec.py's TaskSpec with `kind: Literal[name]`
    spec: type[Any]
    # runs: the inspect tasks one task file gives in a run, (task id, spec, RunOptions) -> list[Task]
    build: Callable[..., list[Any]]
    # runs: a log's table, its unscored replies by reason, the answers asked and the column that
    # names a unit (item_id, pair_id): (EvalLog) -> (DataFrame, Counter, int, str)
    read: Callable[[Any], tuple[Any, Any, int, str]]
    # pipeline: the task's rows, (spec, LabelSet, its plain logs, every plain log read, recorded,
    # n_resamples) -> list[Row]
    rows: Callable[..., list[Any]]
    # pipeline: whether its rows also read the plain rate logs on the same conversations (rows
    # "from ratings"); such logs are read in full, so a kind that needs none reads none
    reads_rate_logs: bool = False
    # pipeline: rows after the probe rows (test-retest, length against the words), (spec, LabelSet,
    # probe logs, plain logs, recorded, n_resamples) -> list[Row]
    extra_rows: Callable[..., list[Any]] | None = None
    # pipeline: a probe log's result, (spec, LabelSet, EvalLog, its table, the ProbeResult's header,
    # n_resamples) -> ProbeResult; None: no probe applies to the kind
    probe_result: Callable[..., Any] | None = None
    # pipeline: the spread of a row's headline over the epochs of its log, (EvalLog, agreement,
    # Headlines) -> Spread | None; None: no spread
    spread: Callable[..., Any] | None = None
    # leaderboard: the columns of its board table over a `Statistics` result's figures; the
    # built-in kinds keep their own typed tables (leaderboard/board.py) and declare none
    columns: tuple[StatColumn, ...] = ()
    # runs: the model its logs' task metadata is read with (tasks/metadata.py `task_metadata`), a
    # subclass of TaskMetadata; None: TaskMetadata itself, whose extra keys its own hooks read
    task_metadata: type[Any] | None = None
    title: str = ""  # the heading of its board table


_KINDS: dict[str, Kind] = {}
_builtins_loaded = False


def register(kind: Kind) -> Kind:
    """Add a kind (a second kind of the same name is refused: one name, one meaning)."""
    _load_builtins()
    if kind.name in _KINDS:
        raise ValueError(f"a task kind named {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind (tests register a kind of their own and remove it after)."""
    _KINDS.pop(name, None)


def kind(name: str) -> Kind:
    """The kind of that name; KeyError (with the known names) if none is registered."""
    _load_builtins()
    if name not in _KINDS:
        raise KeyError(f"no task kind {name!r}; registered: {', '.join(_KINDS)}")
    return _KINDS[name]


def kinds() -> list[Kind]:
    """Every registered kind, the built-in ones first, in the order they were registered."""
    _load_builtins()
    return list(_KINDS.values())


def _load_builtins() -> None:
    """Import the package that registers the built-in kinds, once. Imported by name, not by an
    import statement: `empathy_bench.kinds` wraps every stage, so core must not depend on it."""
    global _builtins_loaded
    if not _builtins_loaded:
        _builtins_loaded = True
        importlib.import_module(BUILTIN)
