"""The bias table's rows: every probe's headline per (task, rater), and each probe's effect per
dimension (with the observed length association)."""

from __future__ import annotations

from typing import Any

from empathy_bench.agreement.probe import DIRECTION, MAGNITUDE, OVERALL_SCORE, Effect, ProbeResult
from empathy_bench.leaderboard.compare_table import compared
from empathy_bench.leaderboard.fields import KIND_ORDER, dimension_order, mean_of, rounded, with_interval
from empathy_bench.leaderboard.record import RunRecord


def probed(records: list[RunRecord]) -> list[tuple[RunRecord, ProbeResult]]:
    return [(r, r.agreement) for r in records if isinstance(r.agreement, ProbeResult)]


def bias_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """One row per (task, rater) with every probe's headline figure, and position from the
    compare task's own rows (judges that saw both orders)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(task: str, rater: str, kind: str, role: str) -> dict[str, Any]:
        return rows.setdefault((task, rater), {"task": task, "rater": rater, "kind": kind, "role": role})

    for _, p in probed(records):
        row(p.task, p.rater, p.kind, p.role).update(_probe_fields(p))
    for _, a in compared(records):
        if a.position is not None:
            fields = {
                "position_consistency": rounded(a.position.consistency),
                "preference_fairness": rounded(a.position.fairness),
            }
            row(a.task, a.rater, a.kind, a.role).update(fields | {"position_n": a.position.n})
    return sorted(rows.values(), key=lambda r: (r["task"], KIND_ORDER[str(r["kind"])], r["rater"]))


def _probe_fields(p: ProbeResult) -> dict[str, Any]:
    """The headline figures of one probe result, under the bias table's keys."""
    if p.probe in ("attribution", "length"):
        e = _headline(p.effects)
        key = "attribution" if p.probe == "attribution" else "lengthened"
        # any movement, whatever its direction: the share of (item, dimension) ratings that change
        flips = [x.flip_rate for x in p.effects if x.dimension != OVERALL_SCORE]
        if e is None:
            return {}
        found = with_interval(f"{key}_change", e.mean_change, e.low, e.high)
        return found | {f"{key}_flips": mean_of(flips), f"{key}_n": e.n, f"{key}_measure": e.dimension}
    if p.probe == "length_observed":
        # a magnitude and a direction, never a signed mean over dimensions (it cancels)
        length: dict[str, Any] = {}
        for key, name in (("length_magnitude", MAGNITUDE), ("length_direction", DIRECTION)):
            a = next((a for a in p.associations if a.dimension == name), None)
            length |= {} if a is None else with_interval(key, a.partial_spearman, a.low, a.high) | {f"{key}_n": a.n}
        return length
    if p.probe == "retest":
        return {
            "retest_qwk": mean_of([r.mean_pairwise_qwk for r in p.retest]),
            "retest_identical": mean_of([r.identical_share for r in p.retest]),
            "retest_epochs": max((r.epochs for r in p.retest), default=None),
            "retest_identical_replies": rounded(p.identical_replies),
        }
    s = p.compare_shift
    if s is None:
        return {}
    shift = with_interval("compare_shift", s.shift_rate, s.shift_low, s.shift_high)
    return (
        shift
        | with_interval("ai_penalty", s.ai_penalty, s.ai_penalty_low, s.ai_penalty_high)
        | {"compare_shift_n": s.n}
    )


def _headline(effects: list[Effect]) -> Effect | None:
    """The overall score's effect; None where the rubric has none (the per-dimension table has
    every dimension's)."""
    return next((e for e in effects if e.dimension == OVERALL_SCORE), None)


def bias_dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """Every probe effect per dimension (the JSON and the page's detail)."""
    rows = [
        {"task": p.task, "rater": p.rater, "kind": p.kind, "probe": p.probe, "dimension": e.dimension, "n": e.n}
        | {k: rounded(getattr(e, k)) for k in ("mean_change", "low", "high", "flip_rate")}
        for _, p in probed(records)
        for e in p.effects
    ]
    place = dimension_order(records)
    return sorted(rows, key=lambda r: (r["task"], r["probe"], r["rater"], place(r["task"], r["dimension"])))


def length_dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """The observed length association per dimension, in the rubric's order (the mean last)."""
    rows = [
        {"task": p.task, "rater": p.rater, "kind": p.kind, "dimension": a.dimension, "n": a.n}
        | {k: rounded(getattr(a, k)) for k in ("partial_spearman", "low", "high")}
        for _, p in probed(records)
        if p.probe == "length_observed"
        for a in p.associations
    ]
    place = dimension_order(records)
    return sorted(rows, key=lambda r: (r["task"], r["rater"], place(r["task"], r["dimension"])))
