"""Agreement of a coach's feedback with what the experts' ratings say about the same conversation
(the `coach` task kind).

The experts never wrote feedback: they rated. So the reference is the *profile* of the experts'
median ratings (sources/profile.py): the dimensions it marks as problems, as strengths and as
worst. A coach's feedback is a table indexed by item_id, one row per conversation whose feedback
was scored (conversations whose feedback could not be scored are passed as a count), with columns
- improvements: rubric dimension ids in the coach's priority order (may be empty);
- praised: dimension ids praised as strengths (may be empty);
- words: words in the feedback (NaN for rows derived from ratings);
- quotes: dicts {dimension, kind: 'strength' | 'improvement', grounded: bool, turn: int | None},
  turn = index of the supporter message the quote was found in (empty for rows from ratings);
- uplift: None, or {targeted: dim, before: {dim: rating}, after: {dim: rating}}: a grader's
  ratings of the conversation before and after the coach's first rewrite.
A rater's own ratings become feedback with `feedback_from_ratings` (the human ceiling, the crowd,
a judge used as a coach).

Over the conversations in both the feedback and the reference:
- targeting, per dimension d: predicted = d among the improvements, actual = d among the
  reference's problems; precision TP/(TP+FP), recall TP/(TP+FN), F1 2TP/(2TP+FP+FN) (NaN where
  the denominator is 0), Cohen's kappa of the two binary vectors (NaN when the expected agreement
  is 1: both constant and equal), base_rate (share actual) and flag_rate (share predicted).
- macro_f1, macro_precision, macro_recall, mean_kappa: means over dimensions of the defined
  values. The headline is mean_kappa: problems are rare on some dimensions and common on others,
  so a coach that flags everything gets a decent macro-F1 but kappa 0.
- f1_word_budget (length held fixed): the macro-F1 of the improvements that fit, in priority
  order, within the first `word_budget` words of improvements (each one's quote, rewrite and
  why); NaN for rows that say nothing of words (ratings read as feedback).
- f1_at_reference_count (the number named held fixed): the macro-F1 after keeping only the first k
  improvements of each conversation, k = its number of reference problems, so that a coach
  cannot buy recall by naming more dimensions.
- praise_accuracy = sum |praised ∩ strengths| / sum |praised|, false_praise_rate = sum |praised ∩
  problems| / sum |praised| (NaN when nothing was praised).
- prioritisation: among conversations with an improvement and a non-empty reference `worst`,
  the share whose first improvement is among the worst (ties allowed).
- grounding: grounded quotes / quotes. evidence_agreement: over quotes whose (item, dimension,
  kind) has a non-empty crowd evidence set (supporter-message indices, from the caller: the
  crowd's examples for a rating that makes the dimension a problem, for an improvement's quote,
  or a strength, for a strength's quote), the share whose turn is in it (an ungrounded quote,
  turn None, is a miss).
- uplift: the oriented change c_d = sign_d (after_d - before_d), +1 prescriptive, -1
  proscriptive (positive = better). uplift_target: mean c at the targeted dimension;
  uplift_other: mean over conversations of the mean c over the other dimensions; harm_rate:
  share of conversations where some other dimension got worse (c < 0); per dimension, the mean c
  where it was not targeted (a rewrite that adds advice shows there) and where it was. Over the
  conversations with an uplift whose targeted dimension was rated before and after.
- words: mean of the feedback's word counts.

Every headline figure has a 95% percentile interval from a seeded bootstrap over conversations
(`resample_indices`). Each figure is a ratio of sums of per-conversation counts (or a mean over
dimensions of such ratios), so the point estimate is the figure with every conversation weighted
1 and a resample's is the same figure weighted by how often each conversation was drawn: one
matrix product per count for all resamples at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import numpy as np
import pandas as pd

from empathy_bench.agreement.rater import RaterKind, RaterRole
from empathy_bench.agreement.spread import Spread
from empathy_bench.agreement.stats import N_RESAMPLES, percentile_ci, resample_indices
from empathy_bench.core.models import NAN, Record
from empathy_bench.runs.log import FEEDBACK_COLUMNS
from empathy_bench.sources.profile import Profile, ProfileThresholds, profile, profiles, ranked_problems
from empathy_bench.sources.rubric import Rubric

QUOTE_KINDS = ("strength", "improvement")
# (item_id, dimension, quote kind) -> the supporter messages the crowd quoted as evidence of that
# side: a problem (for an improvement's quote) or a strength (for a strength's quote)
Evidence = Mapping[tuple[str, str, str], set[int]]
# Headline figures that are one ratio of per-conversation sums: name -> (numerator, denominator).
RATIOS = {
    "praise_accuracy": ("praised_strength", "praised"),
    "false_praise_rate": ("praised_problem", "praised"),
    "prioritisation": ("first_in_worst", "prioritised"),
    "grounding": ("grounded", "quotes"),
    "evidence_agreement": ("evidence_hit", "evidence"),
    "uplift_target": ("target_change", "uplift"),
    "uplift_other": ("other_change", "has_other"),
    "harm_rate": ("harmed", "uplift"),
    "words": ("words", "has_words"),
}
HEADLINES = ("mean_kappa", "macro_f1", "f1_at_reference_count", "f1_word_budget", *RATIOS)
# The words of improvements a coach may spend in `f1_word_budget` (a task file's `word_budget`)
WORD_BUDGET = 100


class DimensionTargeting(Record):
    """Whether the coach names a dimension as an improvement where the reference's profile has
    it as a problem, over n conversations (see the module docstring)."""

    dimension: str
    n: int
    base_rate: float = NAN  # share of conversations where the reference has it as a problem
    flag_rate: float = NAN  # share where the coach names it as an improvement
    precision: float = NAN
    recall: float = NAN
    f1: float = NAN
    kappa: float = NAN


class DimensionUplift(Record):
    """The oriented change (positive = better) of one dimension after the coach's rewrite: where
    the rewrite targeted it, and where it targeted another dimension (side effects)."""

    dimension: str
    n_targeted: int
    targeted_change: float = NAN
    n_other: int
    other_change: float = NAN


class CoachAgreement(Record):
    """One coach (or a rater's ratings read as feedback) against a coach task's reference. Each
    headline figure has its bootstrap 95% interval (_low, _high); NaN is null in JSON."""

    task: str
    rater: str
    kind: RaterKind
    role: RaterRole = "rater"
    from_ratings: bool  # feedback derived from the rater's own ratings (a judge's, a human's)
    n_items: int  # conversations in both the feedback and the reference
    n_unscored: int  # conversations whose feedback could not be scored (not in any figure)
    mean_kappa: float = NAN  # the headline: mean over dimensions of the targeting kappa
    mean_kappa_low: float = NAN
    mean_kappa_high: float = NAN
    macro_f1: float = NAN
    macro_f1_low: float = NAN
    macro_f1_high: float = NAN
    macro_precision: float = NAN
    macro_recall: float = NAN
    f1_at_reference_count: float = NAN  # macro-F1 with each conversation's first k improvements
    f1_at_reference_count_low: float = NAN
    f1_at_reference_count_high: float = NAN
    # macro-F1 of the improvements that fit in the first `word_budget` words of improvements (quote,
    # rewrite and why, in priority order): every coach gets the same length, none of the answer key
    f1_word_budget: float = NAN
    f1_word_budget_low: float = NAN
    f1_word_budget_high: float = NAN
    word_budget: int = WORD_BUDGET
    praise_accuracy: float = NAN
    praise_accuracy_low: float = NAN
    praise_accuracy_high: float = NAN
    false_praise_rate: float = NAN
    false_praise_rate_low: float = NAN
    false_praise_rate_high: float = NAN
    n_praised: int = 0  # dimensions praised, summed over conversations
    prioritisation: float = NAN
    prioritisation_low: float = NAN
    prioritisation_high: float = NAN
    n_prioritised: int = 0
    grounding: float = NAN
    grounding_low: float = NAN
    grounding_high: float = NAN
    n_quotes: int = 0
    evidence_agreement: float = NAN
    evidence_agreement_low: float = NAN
    evidence_agreement_high: float = NAN
    n_evidence: int = 0
    uplift_target: float = NAN
    uplift_target_low: float = NAN
    uplift_target_high: float = NAN
    uplift_other: float = NAN
    uplift_other_low: float = NAN
    uplift_other_high: float = NAN
    harm_rate: float = NAN
    harm_rate_low: float = NAN
    harm_rate_high: float = NAN
    n_uplift: int = 0
    words: float = NAN
    words_low: float = NAN
    words_high: float = NAN
    # like for like with the ceiling: the mean kappa against each leave-one-expert-out reference (the
    # median of the other experts, a half point where two disagree), averaged over the left-out experts
    mean_kappa_loo: float = NAN
    per_dimension: list[DimensionTargeting] = []
    uplift_by_dimension: list[DimensionUplift] = []  # empty without an uplift
    thresholds: dict[str, float] = {}
    # the headline in each epoch (a coach run with --epochs) or recorded run (agreement/spread.py)
    spread: Spread | None = None
    notes: list[str] = []


# --- per-conversation counts ------------------------------------------------------------------


@dataclass(frozen=True)
class Conversations:
    """Per-conversation counts (row i = items[i]); every figure is a ratio of weighted sums of
    them. Matrices are conversations x dimensions."""

    items: list[str]
    dimensions: list[str]
    predicted: np.ndarray  # the dimension is among the improvements
    actual: np.ndarray  # the dimension is among the reference's problems
    truncated: np.ndarray  # the dimension is among the first k improvements, k = number of problems
    budgeted: np.ndarray  # the dimension is among the improvements within the word budget
    worded: bool  # the rows say how many words each improvement took (not so for rows from ratings)
    sums: dict[str, np.ndarray]  # the numerators and denominators of RATIOS, one value per conversation
    change: np.ndarray  # oriented change after the rewrite (NaN: no uplift, or not rated before and after)
    targeted: np.ndarray  # the rewrite targeted the dimension


def _listed(value: object) -> list[Any]:
    """A list cell; None or NaN (a missing cell) is an empty list."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return list(cast(Iterable[Any], value))


def oriented_changes(uplift: Mapping[str, Any], rubric: Rubric, dims: list[str]) -> dict[str, float]:
    """c_d = sign_d (after_d - before_d) for the dimensions of `dims` rated before and after,
    sign +1 prescriptive and -1 proscriptive, so that a positive change is an improvement."""
    before, after = uplift.get("before") or {}, uplift.get("after") or {}
    changes = {}
    for dim in dims:
        b, a = before.get(dim), after.get(dim)
        if b is None or a is None or pd.isna(b) or pd.isna(a):
            continue
        sign = 1.0 if rubric.dimension(dim).polarity == "prescriptive" else -1.0
        changes[dim] = sign * (float(a) - float(b))
    return changes


def _quote_counts(item: str, quotes: list[dict[str, Any]], evidence: Evidence) -> dict[str, float]:
    """Quotes, grounded quotes, quotes with crowd evidence and those found in an evidence turn."""
    with_evidence = [q for q in quotes if evidence.get((item, q["dimension"], q["kind"]))]
    hits = sum(q.get("turn") in evidence[(item, q["dimension"], q["kind"])] for q in with_evidence)
    return {
        "quotes": len(quotes),
        "grounded": sum(bool(q.get("grounded")) for q in quotes),
        "evidence": len(with_evidence),
        "evidence_hit": hits,
    }


def _uplift_counts(changes: dict[str, float], targeted: str | None) -> dict[str, float]:
    """The uplift sums of one conversation; zero when it has no usable uplift (no rewrite, or the
    targeted dimension not rated before and after)."""
    if targeted is None or targeted not in changes:
        return {"uplift": 0, "target_change": 0, "has_other": 0, "other_change": 0, "harmed": 0}
    others = [c for d, c in changes.items() if d != targeted]
    return {
        "uplift": 1,
        "target_change": changes[targeted],
        "has_other": int(bool(others)),
        "other_change": float(np.mean(others)) if others else 0.0,
        "harmed": int(any(c < 0 for c in others)),
    }


def within_budget(improvements: list[str], words: list[int], budget: int) -> list[str]:
    """The improvements (first occurrences) whose words, counted from the first improvement on,
    fit within `budget`; `words` is each listed improvement's own count, in order."""
    kept, spent = [], 0
    for dim, used in zip(improvements, words, strict=True):
        spent += used
        if spent > budget:
            break
        kept.append(dim)
    return list(dict.fromkeys(kept))


def _conversation(
    item: str, row: pd.Series, reference: Profile, dims: list[str], rubric: Rubric, evidence: Evidence, budget: int
) -> tuple[dict[str, float], list[str], list[str], list[str], dict[str, float], str | None]:
    """One conversation's sums, its improvements (first occurrences, in order), the first k of
    them, those within the word budget, its oriented changes and the dimension its rewrite
    targeted (None without an uplift)."""
    listed = _listed(row["improvements"])
    improvements = list(dict.fromkeys(listed))
    spent = _listed(row.get("improvement_words"))
    budgeted = within_budget(listed, spent, budget) if len(spent) == len(listed) else []
    praised = set(_listed(row["praised"]))
    first = improvements[: len(reference.problems)]
    prioritised = bool(improvements) and bool(reference.worst)
    words = NAN if pd.isna(row["words"]) else float(row["words"])
    uplift = row["uplift"] if isinstance(row["uplift"], Mapping) else None
    changes = oriented_changes(uplift, rubric, dims) if uplift else {}
    targeted = str(uplift["targeted"]) if uplift and str(uplift["targeted"]) in changes else None
    sums = {
        "praised": len(praised),
        "praised_strength": len(praised & reference.strengths),
        "praised_problem": len(praised & reference.problems),
        "prioritised": int(prioritised),
        "first_in_worst": int(prioritised and improvements[0] in reference.worst),
        "words": 0.0 if np.isnan(words) else words,
        "has_words": int(not np.isnan(words)),
        **_quote_counts(item, _listed(row["quotes"]), evidence),
        **_uplift_counts(changes, targeted),
    }
    return sums, improvements, first, budgeted, changes, targeted


def conversations(
    feedback: pd.DataFrame,
    reference: Mapping[str, Profile],
    dims: list[str],
    rubric: Rubric,
    evidence: Evidence,
    budget: int = WORD_BUDGET,
) -> Conversations:
    """The per-conversation counts of the feedback rows with a reference profile, in the
    reference's order."""
    rows = {str(item): row for item, row in feedback.iterrows()}
    items = [item for item in reference if item in rows]
    shape = (len(items), len(dims))
    predicted, actual, truncated = np.zeros(shape, bool), np.zeros(shape, bool), np.zeros(shape, bool)
    budgeted = np.zeros(shape, bool)
    change, targeted = np.full(shape, np.nan), np.zeros(shape, bool)
    sums: dict[str, list[float]] = {}
    for i, item in enumerate(items):
        mine, improvements, first, within, changes, target = _conversation(
            item, rows[item], reference[item], dims, rubric, evidence, budget
        )
        for name, value in mine.items():
            sums.setdefault(name, []).append(value)
        for j, dim in enumerate(dims):
            predicted[i, j], actual[i, j] = dim in improvements, dim in reference[item].problems
            truncated[i, j], targeted[i, j], budgeted[i, j] = dim in first, dim == target, dim in within
            if target is not None:
                change[i, j] = changes.get(dim, np.nan)
    names = {name for pair in RATIOS.values() for name in pair}
    arrays = {name: np.asarray(sums.get(name, []), float) for name in names}
    worded = "improvement_words" in feedback.columns and all(
        len(_listed(rows[i].get("improvement_words"))) == len(_listed(rows[i]["improvements"])) for i in items
    )
    return Conversations(items, dims, predicted, actual, truncated, budgeted, bool(worded), arrays, change, targeted)


# --- figures, vectorised over resamples --------------------------------------------------------


def bootstrap_weights(n: int, n_resamples: int, seed: int) -> np.ndarray:
    """How often each conversation was drawn in each resample (n_resamples x n), from the shared
    seeded draws `resample_indices`; an empty table has no draws."""
    if n == 0:
        return np.zeros((n_resamples, 0))
    idx = resample_indices(n, n_resamples, seed)
    offsets = idx + n * np.arange(n_resamples)[:, None]
    return np.bincount(offsets.ravel(), minlength=n_resamples * n).reshape(n_resamples, n).astype(float)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator != 0, numerator / np.where(denominator != 0, denominator, 1), np.nan)


def mean_defined(values: np.ndarray) -> np.ndarray:
    """Mean over the last axis of the defined (non-NaN) values; NaN where none is (no warning)."""
    present = ~np.isnan(values)
    return _ratio(np.where(present, values, 0.0).sum(axis=-1), present.sum(axis=-1).astype(float))


def targeting(predicted: np.ndarray, actual: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Precision, recall, F1 and Cohen's kappa per resample and dimension (resamples x
    dimensions), from the confusion counts weighted by `weights` (resamples x conversations).

    Kappa = (po - pe) / (1 - pe), written over N^2 to stay exact on counts: (N (TP + TN) - S) /
    (N^2 - S), S = (TP + FP)(TP + FN) + (FN + TN)(FP + TN), NaN where N^2 = S (pe = 1)."""
    p, a = predicted.astype(float), actual.astype(float)
    tp, fp = weights @ (p * a), weights @ (p * (1 - a))
    fn, tn = weights @ ((1 - p) * a), weights @ ((1 - p) * (1 - a))
    total = tp + fp + fn + tn
    chance = (tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)
    return {
        "precision": _ratio(tp, tp + fp),
        "recall": _ratio(tp, tp + fn),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "kappa": _ratio(total * (tp + tn) - chance, total**2 - chance),
    }


def figures(conv: Conversations, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Every headline figure (and macro precision and recall) on each row of `weights`
    (resamples x conversations); all ones gives the point estimates."""
    scores = targeting(conv.predicted, conv.actual, weights)
    out = {
        "mean_kappa": mean_defined(scores["kappa"]),
        "macro_f1": mean_defined(scores["f1"]),
        "macro_precision": mean_defined(scores["precision"]),
        "macro_recall": mean_defined(scores["recall"]),
        "f1_at_reference_count": mean_defined(targeting(conv.truncated, conv.actual, weights)["f1"]),
        "f1_word_budget": mean_defined(targeting(conv.budgeted, conv.actual, weights)["f1"])
        if conv.worded
        else np.full(len(weights), np.nan),
    }
    for name, (numerator, denominator) in RATIOS.items():
        out[name] = _ratio(weights @ conv.sums[numerator], weights @ conv.sums[denominator])
    return out


# --- one rater --------------------------------------------------------------------------------


class Scores(NamedTuple):
    values: dict[str, float]  # point estimates
    draws: dict[str, np.ndarray]  # bootstrap draws of each figure
    counts: dict[str, int]  # n_praised, n_prioritised, ...
    per_dimension: list[DimensionTargeting]
    uplift_by_dimension: list[DimensionUplift]


def per_dimension(conv: Conversations) -> list[DimensionTargeting]:
    """The targeting statistics of each dimension over all conversations."""
    n = len(conv.items)
    scores = targeting(conv.predicted, conv.actual, np.ones((1, n)))
    base, flag = _ratio(conv.actual.sum(axis=0), np.full(len(conv.dimensions), n)), conv.predicted.sum(axis=0)
    return [
        DimensionTargeting(
            dimension=dim,
            n=n,
            base_rate=float(base[j]),
            flag_rate=float(flag[j] / n) if n else NAN,
            **{name: float(values[0, j]) for name, values in scores.items()},
        )
        for j, dim in enumerate(conv.dimensions)
    ]


def uplift_by_dimension(conv: Conversations) -> list[DimensionUplift]:
    """Per dimension, the mean oriented change where the rewrite targeted it and where it
    targeted another dimension (conversations with an uplift that rated it before and after)."""
    rated = ~np.isnan(conv.change)
    rows = []
    for j, dim in enumerate(conv.dimensions):
        mine, other = rated[:, j] & conv.targeted[:, j], rated[:, j] & ~conv.targeted[:, j]
        rows.append(
            DimensionUplift(
                dimension=dim,
                n_targeted=int(mine.sum()),
                targeted_change=float(conv.change[mine, j].mean()) if mine.any() else NAN,
                n_other=int(other.sum()),
                other_change=float(conv.change[other, j].mean()) if other.any() else NAN,
            )
        )
    return rows


def scored(conv: Conversations, weights: np.ndarray) -> Scores:
    """Point estimates, bootstrap draws, counts and per-dimension rows of one rater."""
    point = figures(conv, np.ones((1, len(conv.items))))
    counts = {
        f"n_{name}": int(conv.sums[name].sum()) for name in ("praised", "prioritised", "quotes", "evidence", "uplift")
    }
    return Scores(
        values={name: float(v[0]) for name, v in point.items()},
        draws=figures(conv, weights),
        counts=counts,
        per_dimension=per_dimension(conv),
        uplift_by_dimension=uplift_by_dimension(conv) if counts["n_uplift"] else [],
    )


def fields_of(scores: Scores) -> dict[str, Any]:
    """The record fields of a rater's scores: each figure, its interval and the counts."""
    fields: dict[str, Any] = dict(scores.values) | dict(scores.counts)
    for name in HEADLINES:
        fields[f"{name}_low"], fields[f"{name}_high"] = percentile_ci(scores.draws[name])
    return fields | {"per_dimension": scores.per_dimension, "uplift_by_dimension": scores.uplift_by_dimension}


def task_dimensions(reference: pd.DataFrame, rubric: Rubric) -> list[str]:
    """The reference's dimensions in the rubric's order; a column the rubric lacks is refused."""
    unknown = [str(c) for c in reference.columns if c not in rubric.dimension_ids]
    if unknown:
        raise ValueError(f"reference columns {unknown} are not dimensions of rubric '{rubric.id}'")
    return [d for d in rubric.dimension_ids if d in reference.columns]


def check(feedback: pd.DataFrame, rubric: Rubric) -> None:
    """Refuse feedback the statistics would silently misread: missing columns, repeated items,
    dimension ids outside the rubric, quote kinds other than strength / improvement."""
    missing = [c for c in FEEDBACK_COLUMNS if c not in feedback.columns]
    if missing:
        raise ValueError(f"feedback lacks columns {missing}; it needs {list(FEEDBACK_COLUMNS)}")
    if feedback.index.map(str).duplicated().any():
        raise ValueError("feedback has more than one row for a conversation")
    named, kinds = set(), set()
    for _, row in feedback.iterrows():
        quotes = _listed(row["quotes"])
        named |= set(_listed(row["improvements"])) | set(_listed(row["praised"])) | {q["dimension"] for q in quotes}
        kinds |= {q.get("kind") for q in quotes}
        if isinstance(row["uplift"], Mapping):
            named.add(row["uplift"]["targeted"])
    if unknown := sorted(map(str, named - set(rubric.dimension_ids))):
        raise ValueError(f"feedback names {unknown}, which are not dimensions of rubric '{rubric.id}'")
    if bad := sorted(map(str, kinds - set(QUOTE_KINDS))):
        raise ValueError(f"quote kinds must be one of {QUOTE_KINDS}; got {bad}")


def feedback_from_ratings(wide: pd.DataFrame, rubric: Rubric, thresholds: ProfileThresholds) -> pd.DataFrame:
    """A rater's items x dimensions ratings as feedback rows: its problems worst first as the
    improvements (`ranked_problems`), its strengths in the rubric's order as the praise, and no
    words, quotes or rewrite (a rater that only rates wrote none)."""
    rows = []
    for _, row in wide.iterrows():
        values = row.to_dict()
        strengths = profile(values, rubric, thresholds).strengths
        rows.append(
            {
                "improvements": ranked_problems(values, rubric, thresholds),
                "praised": [d for d in rubric.dimension_ids if d in strengths],
                "words": NAN,
                "quotes": [],
                "uplift": None,
            }
        )
    return pd.DataFrame(rows, index=wide.index, columns=list(FEEDBACK_COLUMNS))


def coach_agreement(
    task: str,
    rater: str,
    kind: RaterKind,
    feedback: pd.DataFrame,
    reference: pd.DataFrame,
    rubric: Rubric,
    thresholds: ProfileThresholds,
    *,
    evidence: Evidence | None = None,
    n_unscored: int = 0,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
    from_ratings: bool = False,
    role: RaterRole = "rater",
    word_budget: int = WORD_BUDGET,
) -> CoachAgreement:
    """A coach's feedback (see the module docstring) against the profiles of `reference` (items
    x dimensions of the experts' median ratings), over the conversations in both, with bootstrap
    intervals over those conversations. `evidence` maps (item_id, dimension) to the supporter
    messages the crowd's quoted evidence was found in; without it evidence_agreement is NaN."""
    check(feedback, rubric)
    dims = task_dimensions(reference, rubric)
    ref = reference.set_axis(reference.index.map(str))[dims]
    crowd = {(str(item), dim, kind): set(turns) for (item, dim, kind), turns in (evidence or {}).items()}
    conv = conversations(feedback, profiles(ref, rubric, thresholds), dims, rubric, crowd, word_budget)
    scores = scored(conv, bootstrap_weights(len(conv.items), n_resamples, seed))
    return CoachAgreement(
        task=task,
        rater=rater,
        kind=kind,
        role=role,
        from_ratings=from_ratings,
        n_items=len(conv.items),
        n_unscored=n_unscored,
        **fields_of(scores),
        word_budget=word_budget,
        thresholds=thresholds.model_dump(),
        notes=_notes(feedback, ref, conv, crowd, from_ratings),
    )


def _notes(
    feedback: pd.DataFrame, reference: pd.DataFrame, conv: Conversations, evidence: Evidence, from_ratings: bool
) -> list[str]:
    notes = []
    if n := int((~feedback.index.map(str).isin(reference.index)).sum()):
        notes.append(f"{n} feedback rows are on conversations outside the reference and are left out")
    if from_ratings:
        notes.append("feedback derived from the rater's ratings: problems worst first, strengths as praise")
    elif not evidence:
        notes.append("no crowd evidence given: evidence agreement is undefined")
    scored_items = set(conv.items)
    with_rewrite = sum(isinstance(r["uplift"], Mapping) for i, r in feedback.iterrows() if str(i) in scored_items)
    if dropped := with_rewrite - int(conv.sums["uplift"].sum()):
        notes.append(f"{dropped} uplifts whose targeted dimension was not rated before and after are left out")
    return notes
