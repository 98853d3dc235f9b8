"""The bias table's rows: every probe's headline per (task, rater), and each probe's effect per
dimension (with the observed length association)."""

from __future__ import annotations

from typing import Any

from empathy_bench.agreement.probe import DIRECTION, MAGNITUDE, OVERALL_SCORE
from empathy_bench.agreement.statistics import Statistics
from empathy_bench.leaderboard.compare_table import compared
from empathy_bench.leaderboard.fields import KIND_ORDER, dimension_order, mean_of, rounded
from empathy_bench.leaderboard.record import RunRecord


def probed(records: list[RunRecord]) -> list[tuple[RunRecord, Statistics]]:
    return [(r, r.agreement) for r in records if r.agreement.probe is not None]


def bias_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """One row per (task, rater) with every probe's headline figure, and position from the
    compare task's own rows (judges that saw both orders)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(task: str, rater: str, kind: str, role: str) -> dict[str, Any]:
        return rows.setdefault((task, rater), {"task": task, "rater": rater, "kind": kind, "role": role})

    for _, p in probed(records):
        row(p.task, p.rater, p.kind, p.role).update(_probe_fields(p))
    for _, a in compared(records):
        found = a.stat("position_consistency", a.criterion)
        if found is not None:
            fields = {
                "position_consistency": rounded(found.value),
                "preference_fairness": rounded(a.value("preference_fairness", a.criterion)),
            }
            row(a.task, a.rater, a.kind, a.role).update(fields | {"position_n": found.n})
    return sorted(rows.values(), key=lambda r: (r["task"], KIND_ORDER[str(r["kind"])], r["rater"]))


def _interval(p: Statistics, key: str, metric: str, criterion: str | None) -> dict[str, Any]:
    """A probe's figure with its interval and n under the keys a `ci` column reads; {} without it."""
    s = p.stat(metric, criterion, _condition(p))
    if s is None:
        return {}
    return {key: rounded(s.value), f"{key}_low": rounded(s.low), f"{key}_high": rounded(s.high), f"{key}_n": s.n}


def _condition(p: Statistics) -> str | None:
    return p.probe_id or p.probe  # the condition a probe's figures are under (agreement/probe.py)


def _probe_fields(p: Statistics) -> dict[str, Any]:
    """The headline figures of one probe result, under the bias table's keys."""
    condition = _condition(p)
    if p.probe in ("attribution", "length"):
        key = "attribution" if p.probe == "attribution" else "lengthened"
        # any movement, whatever its direction: the share of (item, dimension) ratings that change
        flips = [p.value("flip_rate", c, condition) for c in p.criteria("flip_rate", condition) if c != OVERALL_SCORE]
        found = _interval(p, f"{key}_change", "mean_change", OVERALL_SCORE)
        if not found:
            return {}
        measure = {f"{key}_flips": mean_of(flips), f"{key}_n": found.pop(f"{key}_change_n")}
        return found | measure | {f"{key}_measure": OVERALL_SCORE}
    if p.probe == "length_observed":
        # a magnitude and a direction, never a signed mean over dimensions (it cancels)
        length: dict[str, Any] = {}
        for key, name in (("length_magnitude", MAGNITUDE), ("length_direction", DIRECTION)):
            length |= _interval(p, key, "partial_spearman", name)
        return length
    if p.probe == "retest":
        dims = p.criteria("mean_pairwise_qwk", condition)
        epochs = [p.value("epochs", d, condition) for d in dims]
        return {
            "retest_qwk": mean_of([p.value("mean_pairwise_qwk", d, condition) for d in dims]),
            "retest_identical": mean_of([p.value("identical_share", d, condition) for d in dims]),
            "retest_epochs": max((e for e in epochs if e is not None), default=None),
            "retest_identical_replies": rounded(p.value("identical_replies", None, condition)),
        }
    found = _interval(p, "compare_shift", "shift_rate", None)
    if not found:
        return {}
    n = found.pop("compare_shift_n")
    shift = _interval(p, "ai_penalty", "ai_penalty", None)
    shift.pop("ai_penalty_n")
    return found | shift | {"compare_shift_n": n}


def bias_dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """Every probe effect per dimension (the JSON and the page's detail)."""
    rows = []
    for _, p in probed(records):
        condition = _condition(p)
        for dim in p.criteria("mean_change", condition):
            change, flips = p.stat("mean_change", dim, condition), p.stat("flip_rate", dim, condition)
            assert change is not None and flips is not None, "an effect has both (agreement/probe.py)"
            rows.append(
                {"task": p.task, "rater": p.rater, "kind": p.kind, "probe": p.probe, "dimension": dim, "n": change.n}
                | {"mean_change": rounded(change.value), "low": rounded(change.low), "high": rounded(change.high)}
                | {"flip_rate": rounded(flips.value)}
            )
    place = dimension_order(records)
    return sorted(rows, key=lambda r: (r["task"], r["probe"], r["rater"], place(r["task"], r["dimension"])))


def length_dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """The observed length association per dimension, in the rubric's order (the mean last)."""
    rows = []
    for _, p in probed(records):
        if p.probe != "length_observed":
            continue
        condition = _condition(p)
        for dim in p.criteria("partial_spearman", condition):
            a = p.stat("partial_spearman", dim, condition)
            assert a is not None
            rows.append(
                {"task": p.task, "rater": p.rater, "kind": p.kind, "dimension": dim, "n": a.n}
                | {"partial_spearman": rounded(a.value), "low": rounded(a.low), "high": rounded(a.high)}
            )
    place = dimension_order(records)
    return sorted(rows, key=lambda r: (r["task"], r["rater"], place(r["task"], r["dimension"])))
