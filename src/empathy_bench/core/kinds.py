"""The task kinds, registered by name (as lm-evaluation-harness registers its tasks): a kind is one
`Kind`, the small set of hooks each stage calls instead of branching on the kind's name.

The registry sits in `core` so every stage can look a kind up without importing the stages above
it; the hooks are plain callables, typed loosely here because their argument types live in the
stages that call them (each hook's comment names them). Kinds are declared as Python entry points
of the group `empathy_bench.kinds` (`name = "module:KIND"`, this project's pyproject.toml declares
rate, compare and coach), read on the first lookup the way inspect loads its registry: every
process sees the same kinds, a spawned shard included, and no module here imports a stage by name.
A package of your own declares its kind the same way; `register` adds one for this process alone
(a test, a script that runs in one process)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from empathy_bench.core.errors import InputError

GROUP = "empathy_bench.kinds"  # the entry point group every package declares its kinds in
PROJECT = "empathy-bench"  # the distribution whose kinds (the built-in ones) come first


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
    # leaderboard: the columns of its board table over its rows' statistics; the built-in kinds
    # declare none: their tables pivot the same statistics by their own fields (leaderboard/*_table.py)
    columns: tuple[StatColumn, ...] = ()
    # leaderboard: the built-in table its rows are drawn in ("overall", "preference", "coach":
    # leaderboard/*_table.py), so a table takes its rows by what the kinds declare, not by their
    # names; "": a table of its own, by its `columns`
    table: str = ""
    # runs: the model its logs' task metadata is read with (tasks/metadata.py `task_metadata`), a
    # subclass of TaskMetadata; None: TaskMetadata itself, whose extra keys its own hooks read
    task_metadata: type[Any] | None = None
    title: str = ""  # the heading of its board table


_KINDS: dict[str, Kind] = {}
_declared_loaded = False


def register(kind: Kind) -> Kind:
    """Add a kind in this process alone (a second kind of the same name is refused: one name, one
    meaning). Spawned shards do not see it: a kind they run is declared as an entry point."""
    _load_declared()
    if kind.name in _KINDS:
        raise ValueError(f"a task kind named {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind (tests register a kind of their own and remove it after)."""
    _KINDS.pop(name, None)


def kind(name: str) -> Kind:
    """The kind of that name; KeyError (with the known names) if none is registered."""
    _load_declared()
    if name not in _KINDS:
        raise KeyError(f"no task kind {name!r}; registered: {', '.join(_KINDS)}")
    return _KINDS[name]


def kinds() -> list[Kind]:
    """Every kind: the declared ones first (this project's, then other packages', each package's
    by name), then those registered in this process, in the order they were."""
    _load_declared()
    return list(_KINDS.values())


def declared_kinds() -> list[Kind]:
    """Every kind the installed packages declare in the entry point group, loaded now (no cache):
    this project's first, then by package and name. A declaration that fails to load, is not a
    `Kind`, is named unlike its kind or repeats another's name is an InputError naming it."""
    found: dict[str, tuple[Kind, EntryPoint]] = {}
    for point in sorted(entry_points(group=GROUP), key=_order):
        loaded = _loaded(point)
        if loaded.name in found:
            raise _declaration_error(point, f"declares kind {loaded.name!r}, as {_where(found[loaded.name][1])} does")
        found[loaded.name] = (loaded, point)
    return [k for k, _ in found.values()]


def _load_declared() -> None:
    """Read the declared kinds into the registry, once per process. The flag is set first, so a
    lookup made while a kind's module imports finds no declared kind yet instead of recursing,
    and cleared again when loading fails, so the next lookup says why again."""
    global _declared_loaded
    if _declared_loaded:
        return
    _declared_loaded = True
    try:
        declared = declared_kinds()
    except BaseException:
        _declared_loaded = False
        raise
    for found in declared:
        _KINDS.setdefault(found.name, found)


def _order(point: EntryPoint) -> tuple[bool, str, str]:
    return (_package(point) != PROJECT, _package(point), point.name)


def _loaded(point: EntryPoint) -> Kind:
    try:
        loaded = point.load()
    except Exception as err:  # any error of a third party's import, said in one line
        problem = " ".join(f"{type(err).__name__}: {err}".split())
        raise _declaration_error(point, f"failed to load ({problem})") from err
    if not isinstance(loaded, Kind):
        raise _declaration_error(point, f"gives a {type(loaded).__name__!r}, not an empathy_bench Kind")
    if loaded.name != point.name:
        raise _declaration_error(point, f"names a kind called {loaded.name!r}: the two names must be the same")
    return loaded


def _package(point: EntryPoint) -> str:
    return point.dist.name if point.dist else "(unknown)"


def _where(point: EntryPoint) -> str:
    return f"entry point '{point.name} = {point.value}' of package {_package(point)}"


def _declaration_error(point: EntryPoint, problem: str) -> InputError:
    fix = f"fix the kind in package {_package(point)}, or uninstall it (`uv pip uninstall {_package(point)}`)"
    return InputError(f"{_where(point)} (group {GROUP})", problem, fix)
