"""The bias table's rows: every probe's headline per (task, rater), and each probe's effect per
dimension (with the observed length association)."""

from __future__ import annotations

from typing import Any

from empathy_bench.agreement.probe import DIRECTION
from empathy_bench.agreement.statistics import Statistics
from empathy_bench.leaderboard.compare_table import compared
from empathy_bench.leaderboard.fields import RATER_TYPE_ORDER, Field, dimension_order, mean_of, n_of, pivot, rounded
from empathy_bench.leaderboard.record import RunRecord
from empathy_bench.sources.rubric import MAGNITUDE, OVERALL_SCORE


def probed(records: list[RunRecord]) -> list[tuple[RunRecord, Statistics]]:
    return [(r, r.agreement) for r in records if r.agreement.probe is not None]


def bias_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """One row per (task, rater) with every probe's headline figure, and position from the
    compare task's own rows (judges that saw both orders)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(task: str, rater: str, rater_type: str, role: str) -> dict[str, Any]:
        return rows.setdefault((task, rater), {"task": task, "rater": rater, "rater_type": rater_type, "role": role})

    for _, p in probed(records):
        row(p.task, p.rater, p.rater_type, p.role).update(_probe_fields(p))
    for _, a in compared(records):
        found = a.stat("position_consistency", a.criterion)
        if found is not None:
            fields = {
                "position_consistency": rounded(found.value),
                "preference_fairness": rounded(a.value("preference_fairness", a.criterion)),
            }
            row(a.task, a.rater, a.rater_type, a.role).update(fields | {"position_n": found.n})
    return sorted(rows.values(), key=lambda r: (r["task"], RATER_TYPE_ORDER[str(r["rater_type"])], r["rater"]))


def _probe_fields(p: Statistics) -> dict[str, Any]:
    """The headline figures of one probe result, under the bias table's keys."""
    condition = p.probe_condition
    if p.probe in ("attribution", "length"):
        key = "attribution" if p.probe == "attribution" else "lengthened"
        change = Field(f"{key}_change", "mean_change", interval=True, n=True, n_key=f"{key}_n")
        found = pivot(p, [change], OVERALL_SCORE, condition)
        if p.stat("mean_change", OVERALL_SCORE, condition) is None:
            return {}  # the rubric has no overall score: the per-dimension table has every dimension's
        # any movement, whatever its direction: the share of (item, dimension) ratings that change
        criteria = [c for c in p.criteria("flip_rate", condition) if c != OVERALL_SCORE]
        flips = mean_of(p.value("flip_rate", c, condition) for c in criteria)
        n = found.pop(f"{key}_n")  # the files' order: the change, its flips, its n
        return found | {f"{key}_flips": flips, f"{key}_n": n, f"{key}_measure": OVERALL_SCORE}
    if p.probe == "length_observed":
        # a magnitude and a direction, never a signed mean over dimensions (it cancels)
        length: dict[str, Any] = {}
        for key, name in (("length_magnitude", MAGNITUDE), ("length_direction", DIRECTION)):
            if p.stat("partial_spearman", name, condition) is not None:
                length |= pivot(p, [Field(key, "partial_spearman", interval=True, n=True)], name, condition)
        return length
    if p.probe == "retest":
        dims = p.criteria("mean_pairwise_qwk", condition)
        epochs = [e for d in dims if isinstance(e := p.value("epochs", d, condition), int)]
        return {
            "retest_qwk": mean_of(p.value("mean_pairwise_qwk", d, condition) for d in dims),
            "retest_identical": mean_of(p.value("identical_share", d, condition) for d in dims),
            "retest_epochs": max(epochs, default=None),
            "retest_identical_replies": rounded(p.value("identical_replies", None, condition)),
        }
    if p.stat("shift_rate", None, condition) is None:
        return {}
    shift = Field("compare_shift", "shift_rate", interval=True, n=True)
    penalty = Field("ai_penalty", interval=True)
    found = pivot(p, [shift, penalty], None, condition)
    return found | {"compare_shift_n": found.pop("compare_shift_n")}  # the files' order: n last


def bias_dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """Every probe effect per dimension (the JSON and the page's detail)."""
    rows = []
    for _, p in probed(records):
        condition = p.probe_condition
        for dim in p.criteria("mean_change", condition):
            change = p.stat("mean_change", dim, condition)
            rows.append(
                {"task": p.task, "rater": p.rater, "rater_type": p.rater_type, "probe": p.probe, "dimension": dim}
                | {"n": n_of(p, "mean_change", dim, condition)}
                | pivot(p, [Field("mean_change")], dim, condition)
                | {"low": rounded(change.low) if change else None, "high": rounded(change.high) if change else None}
                | pivot(p, [Field("flip_rate")], dim, condition)
            )
    place = dimension_order(records)
    return sorted(rows, key=lambda r: (r["task"], r["probe"], r["rater"], place(r["task"], r["dimension"])))


def length_dimension_rows(records: list[RunRecord]) -> list[dict[str, Any]]:
    """The observed length association per dimension, in the rubric's order (the mean last)."""
    rows = []
    for _, p in probed(records):
        if p.probe != "length_observed":
            continue
        condition = p.probe_condition
        for dim in p.criteria("partial_spearman", condition):
            a = p.stat("partial_spearman", dim, condition)
            rows.append(
                {
                    "task": p.task,
                    "rater": p.rater,
                    "rater_type": p.rater_type,
                    "dimension": dim,
                    "n": n_of(p, "partial_spearman", dim, condition),
                }
                | pivot(p, [Field("partial_spearman")], dim, condition)
                | {"low": rounded(a.low) if a else None, "high": rounded(a.high) if a else None}
            )
    place = dimension_order(records)
    return sorted(rows, key=lambda r: (r["task"], r["rater"], place(r["task"], r["dimension"])))
