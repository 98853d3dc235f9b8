"""Agreement of a pairwise rater with a compare task's reference: accuracy (a tie counted half)
and Cohen's kappa with cluster-bootstrap intervals, accuracy by the reference's score gap,
position bias (Shi et al. 2024, "Judging the Judges") and the human ceiling (each expert against
the strict majority of the other experts), with every rater also scored like-for-like against
those same leave-one-out references (accuracy_loo, kappa_loo).

Inputs are two tables:
- reference: pair_id, item_a, item_b, choice ('a' | 'b' | 'tie', or None: no reference, the
  pair is left out of every statistic and counted), gap (score(item_a) - score(item_b) of the
  reference, NaN when the source has no scores).
- verdicts: pair_id, order, choice. Choices are in item terms (canonical orientation): 'a'
  means item_a was preferred, whichever slot it sat in. A compare judge judges every pair in
  both orders, 'ab' (item_a in slot A) and 'ba' (item_b in slot A); a rater whose choices come
  from its own ratings has one verdict per pair, order 'ratings', and no position statistics.

Kappa counts every verdict in both orientations. Which item of a pair is item_a is arbitrary
(file order), but Cohen's kappa's chance term depends on the a/b balance of the reference: a
judge that is 80% right scores kappa 0.58 on AnnoMI's file order and 0.00 with the better item
always first. So the confusion matrix holds each verdict twice, as recorded and with a <-> b
swapped in both the reference and the choice (a tie stays a tie); kappa then no longer depends
on the orientation of any pair, and without ties on either side it equals 2 * accuracy - 1.
Accuracy is unchanged by the doubling (numerator and denominator both double).

Accuracy is read on the pairs whose reference is a side (a decisive reference), and a tie verdict
there counts half (TIE_CREDIT, AlpacaEval's convention for its win rates): a rater that says
"tie" to everything, or a judge that picks each side once across the two orders, scores 0.50,
what always-A scores, not 0. Every accuracy here follows that rule (the headline, the
like-for-like accuracy_loo, the both-orders accuracy and accuracy by gap), so they read against
each other; `accuracy_strict` (a tie is simply not the reference's choice: wrong) is kept beside
the headline. n_decisive and n_decisive_verdicts are the pairs and verdicts the accuracies are
computed on; n_pairs and n_verdicts (tie references too) are kappa's.

Point estimates come from scikit-learn (kappa, on the doubled data) and plain means (accuracy).
The bootstrap statistics are computed here from weighted confusion matrices, vectorised over
the resamples; tests check that all weights 1 reproduce `cohen_kappa_score` on the doubled data
to 1e-12.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import cohen_kappa_score

from empathy_bench.agreement.rater import CEILING_LABEL, MIN_EXPERTS, RaterKind, RaterRole
from empathy_bench.agreement.spread import Spread
from empathy_bench.agreement.stats import N_RESAMPLES, Headline, percentile_ci, resample_indices
from empathy_bench.core.models import NAN, Record
from empathy_bench.sources.preference import CHOICES, OVERALL, majority

TIE_CREDIT = 0.5  # a tie verdict on a pair whose reference is a side: half right (AlpacaEval's convention)
# The same choice with the pair's orientation reversed (item_a <-> item_b).
SWAP = {"a": "b", "b": "a", "tie": "tie"}
ORDERS = ("ab", "ba")
RATINGS_ORDER = "ratings"
# Slot verdicts (A = slot 1, B = slot 2, C = tie) of the item choices in each order: in order
# 'ba' item_a sits in slot B, so preferring it is a vote for the second slot.
SLOTS = {"ab": {"a": "A", "b": "B", "tie": "C"}, "ba": {"a": "B", "b": "A", "tie": "C"}}
# Patterns of (first order 'ab', swapped order 'ba') slot verdicts, after Shi et al.
CONSISTENT = ("AB", "BA", "CC")
PRIMACY = ("AA", "AC", "CA")
RECENCY = ("BB", "BC", "CB")
FLIPS = ("AA", "BB")  # the same slot in both orders: the two orders preferred opposite items
# Bins of |gap| (label, low, high): right-closed on the upper edges, so for the integer gaps of
# an overall score each bin holds exactly its label's range; a non-integer gap (a median of
# experts' differences, or the mean of two) goes to the first bin whose high is at or above it
# (0.5 -> '1-3', 13.5 -> '>13').
GAP_BINS: tuple[tuple[str, float, float | None], ...] = (
    ("0", 0, 0),
    ("1-3", 1, 3),
    ("4-6", 4, 6),
    ("7-9", 7, 9),
    ("10-13", 10, 13),
    (">13", 14, None),
)
UPPER_EDGES = np.array([high for _, _, high in GAP_BINS if high is not None], dtype=float)


class PositionBias(Record):
    """Position statistics over the n pairs judged in both orders (Shi et al. 2024)."""

    n: int
    consistent: int  # slot patterns AB, BA, CC: the same item (or tie) in both orders
    primacy: int  # AA, AC, CA: leaning to the first slot
    recency: int  # BB, BC, CB: leaning to the second slot
    consistency: float  # PC = consistent / n
    fairness: float  # PF in [-1, 1]: negative = primacy, positive = recency, 0 = balanced
    flip_rate: float  # share of pairs with a full flip (AA or BB); a side-vs-tie change is not one


class GapBin(Record):
    """Accuracy (a tie verdict counted half) on the verdicts of pairs whose reference is not a
    tie, by |gap| (the reference's score difference of the two items)."""

    label: str
    low: float
    high: float | None  # None: no upper bound ('>13'); None, not inf, because JSON has no inf
    n: int
    accuracy: float = NAN


class PreferenceAgreement(Record):
    """One rater against a compare task's reference (a Record, so NaN statistics are null in
    JSON and read back as NaN)."""

    task: str
    rater: str
    kind: RaterKind
    role: RaterRole = "rater"
    criterion: str = OVERALL
    from_ratings: bool  # choices derived from the rater's own ratings: one verdict per pair, no position
    n_pairs: int  # pairs with a reference and at least one verdict (kappa's n)
    n_verdicts: int  # verdicts on pairs with a reference
    n_no_reference: int  # pairs of the reference table without a reference choice
    # the accuracies' n: pairs whose reference is a side (not a tie) with at least one verdict, and
    # the verdicts on them (None: a record written before they were counted)
    n_decisive: int | None = None
    n_decisive_verdicts: int | None = None
    # on pairs whose reference is a side: a verdict equal to it counts 1, a tie TIE_CREDIT (half)
    accuracy: float = NAN
    accuracy_low: float = NAN
    accuracy_high: float = NAN
    accuracy_strict: float = NAN  # the same with a tie counted wrong (0)
    accuracy_strict_low: float = NAN
    accuracy_strict_high: float = NAN
    kappa: float = NAN  # unweighted Cohen's kappa over a / b / tie, on pairs with a reference,
    # every verdict counted in both orientations (see the module docstring)
    kappa_low: float = NAN
    kappa_high: float = NAN
    # Like-for-like with the ceiling: the mean over experts j of accuracy (kappa) against the
    # strict majority of the experts other than j, on the pairs where they have one; NaN without
    # at least three experts. The ceiling's own are its accuracy and kappa.
    accuracy_loo: float = NAN
    kappa_loo: float = NAN
    accuracy_conservative: float = NAN  # a side wins only when it wins in both orders (else a tie: half)
    position: PositionBias | None = None
    by_gap: list[GapBin] = []
    # the headline accuracy of each epoch (a judge run with --epochs) or recorded run, from ratings too
    spread: Spread | None = None
    notes: list[str] = []


# --- position bias ----------------------------------------------------------------------------


def preference_fairness(primacy: int, recency: int, comparisons: int) -> float:
    """Shi et al.'s preference fairness PF = 2(raw + S)/(2S) - 1, raw = r^2/(p+r) - p^2/(p+r)
    (raw = 0 when p + r = 0), S = comparisons; algebraically (r - p) / S. NaN when S = 0."""
    if comparisons == 0:
        return NAN
    p, r = primacy, recency
    raw = (r * r - p * p) / (p + r) if p + r else 0.0
    return 2 * (raw + comparisons) / (2 * comparisons) - 1


def both_orders(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Per pair judged in both orders (index pair_id), its item choice in order 'ab' and in
    order 'ba'. Pairs scored in one order only are left out."""
    swapped = verdicts[verdicts["order"].isin(ORDERS)]
    if swapped.duplicated(["pair_id", "order"]).any():
        raise ValueError("more than one verdict for a pair in one order: pass one verdict per pair and order")
    wide = swapped.pivot(index="pair_id", columns="order", values="choice")
    return wide.reindex(columns=list(ORDERS)).dropna()


def slot_patterns(verdicts: pd.DataFrame) -> pd.Series:
    """Per pair judged in both orders, its two slot verdicts, first order first ('AB', 'CA')."""
    both = both_orders(verdicts)
    return (both["ab"].map(SLOTS["ab"]) + both["ba"].map(SLOTS["ba"])).astype(str)


def position_bias(verdicts: pd.DataFrame) -> PositionBias | None:
    """Position consistency, preference fairness and flip rate over the pairs judged in both
    orders; None when there is none. The flip rate is the share of those pairs where the two
    orders preferred opposite items (slot patterns AA and BB); a side in one order and a tie in
    the other is an inconsistency but not a flip."""
    patterns = slot_patterns(verdicts)
    n = len(patterns)
    if n == 0:
        return None
    consistent, primacy, recency = (int(patterns.isin(group).sum()) for group in (CONSISTENT, PRIMACY, RECENCY))
    return PositionBias(
        n=n,
        consistent=consistent,
        primacy=primacy,
        recency=recency,
        consistency=consistent / (consistent + primacy + recency),
        fairness=preference_fairness(primacy, recency, n),
        flip_rate=float(patterns.isin(FLIPS).mean()),
    )


def conservative_choices(verdicts: pd.DataFrame) -> pd.Series:
    """Per pair judged in both orders (index pair_id), the side that won in both orders, else
    'tie': a judge that changes its mind when the slots swap has no preference we can trust."""
    both = both_orders(verdicts)
    return both["ab"].where(both["ab"] == both["ba"], "tie").rename("choice")


# --- cluster bootstrap over conversations ----------------------------------------------------


def pair_weights(counts: pd.DataFrame, reference: pd.DataFrame) -> np.ndarray:
    """Weight of each pair of `reference` (columns, in its row order) in each resample (rows),
    given how many times each item was drawn (`counts`: resamples x item ids; an item not in
    it was not drawn): the product of its two items' multiplicities."""
    counts = counts.fillna(0)
    a = counts.reindex(columns=reference["item_a"].astype(str), fill_value=0).to_numpy(float)
    b = counts.reindex(columns=reference["item_b"].astype(str), fill_value=0).to_numpy(float)
    return a * b


def cluster_weights(reference: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = 0) -> np.ndarray:
    """Bootstrap weights of the pairs (n_resamples x pairs, in the row order of `reference`).

    A conversation appears in many pairs, so pairs (and the two verdicts of a pair) are not
    independent; resampling pairs would understate the uncertainty. The conversations are the
    units instead: each resample draws the items of the reference table with replacement
    (seeded, `resample_indices`), and a pair counts m(item_a) * m(item_b) times, m being how
    often each item was drawn, as if the drawn conversations were paired afresh; a pair whose
    items were not both drawn drops out. Every verdict on a pair carries its pair's weight. The
    draws depend only on the reference table and the seed, so every rater of a task is
    resampled alike."""
    items = np.unique(np.concatenate([reference["item_a"].astype(str), reference["item_b"].astype(str)]))
    if len(items) == 0:
        return np.zeros((n_resamples, 0))
    draws = resample_indices(len(items), n_resamples, seed)
    flat = (draws + len(items) * np.arange(n_resamples)[:, None]).ravel()  # one bincount for all rows
    counts = np.bincount(flat, minlength=n_resamples * len(items)).reshape(n_resamples, len(items))
    return pair_weights(pd.DataFrame(counts, columns=items), reference)


# --- accuracy and kappa --------------------------------------------------------------------


def choice_codes(choices: pd.Series | list[str]) -> np.ndarray:
    """Index of each choice in CHOICES (a, b, tie)."""
    return pd.Categorical(choices, categories=list(CHOICES)).codes.astype(int)


def swapped(choices: pd.Series) -> pd.Series:
    """The choices with the pair's orientation reversed: a <-> b, a tie stays a tie."""
    return pd.Series(choices).map(SWAP)


def pair_cells(rows: np.ndarray, reference: pd.Series, choices: pd.Series, n_pairs: int) -> np.ndarray:
    """Per pair (n_pairs x 9), how many of its verdicts fall in each cell of the 3x3 confusion
    matrix (reference x rater, flattened row-major), every verdict counted in both orientations
    (as recorded, and with a <-> b swapped in the reference and the choice), so that kappa does
    not depend on which item is item_a; `rows` holds each verdict's pair."""
    cells = np.zeros((n_pairs, 9))
    rows = np.asarray(rows, int)
    for ref, mine in ((reference, choices), (swapped(reference), swapped(choices))):
        np.add.at(cells, (rows, 3 * choice_codes(ref) + choice_codes(mine)), 1)
    return cells


def weighted_confusion(cells: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The weighted confusion matrix of each resample (resamples x 3 x 3), from the pairs'
    cell counts (pairs x 9) and weights (resamples x pairs)."""
    return (weights @ cells).reshape(-1, 3, 3)


def kappa_from_confusion(confusion: np.ndarray) -> np.ndarray:
    """Unweighted Cohen's kappa of each confusion matrix (... x 3 x 3), as scikit-learn
    computes it: 1 - (observed disagreement) / (disagreement expected from the marginals);
    NaN where undefined (no weight, or both sides constant on the same choice)."""
    total = confusion.sum(axis=(-2, -1))
    agreed = np.trace(confusion, axis1=-2, axis2=-1)
    chance = (confusion.sum(axis=-1) * confusion.sum(axis=-2)).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = total - chance / total
        return np.where((total > 0) & (expected > 0), 1 - (total - agreed) / expected, np.nan)


def accuracy_from_confusion(confusion: np.ndarray, tie: float = TIE_CREDIT) -> np.ndarray:
    """Accuracy among pairs whose reference is a side (rows a and b of each confusion matrix):
    a verdict equal to the reference counts 1, a tie verdict `tie` (half by default; 0 for the
    strict accuracy); NaN where they carry no weight."""
    sided = confusion[..., :2, :].sum(axis=(-2, -1))
    right = confusion[..., 0, 0] + confusion[..., 1, 1] + tie * (confusion[..., 0, 2] + confusion[..., 1, 2])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sided > 0, right / sided, np.nan)


def kappa(reference: pd.Series, choices: pd.Series) -> float:
    """Cohen's kappa over a / b / tie (scikit-learn) of every verdict in both orientations: the
    reference followed by its swap against the choices followed by theirs, so that the chance
    term does not depend on which item of a pair is item_a. NaN when undefined (no verdict, or
    both sides all ties)."""
    if len(reference) == 0:
        return NAN
    ref = np.concatenate([np.asarray(reference, object), swapped(reference).to_numpy(object)])
    mine = np.concatenate([np.asarray(choices, object), swapped(choices).to_numpy(object)])
    with warnings.catch_warnings():
        # 0/0 when both sides are one constant choice: NaN, which the record reports as null
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return float(cohen_kappa_score(ref, mine, labels=list(CHOICES)))


def credit(reference: pd.Series, choices: pd.Series, tie: float = TIE_CREDIT) -> np.ndarray:
    """Per verdict whose reference is a side (the others left out), what it earns: 1 when it is
    the reference's choice, `tie` when it is a tie, 0 when it is the other side."""
    ref, mine = np.asarray(reference, object), np.asarray(choices, object)
    sided = ref != "tie"
    ref, mine = ref[sided], mine[sided]
    return np.where(mine == ref, 1.0, np.where(mine == "tie", tie, 0.0))


def accuracy(reference: pd.Series, choices: pd.Series, tie: float = TIE_CREDIT) -> float:
    """Mean credit (`credit`: right 1, tie `tie`, wrong 0) of the choices where the reference
    is a side; NaN when none is."""
    earned = credit(reference, choices, tie)
    return float(np.mean(earned)) if len(earned) else NAN


class Scores(NamedTuple):
    accuracy: float
    accuracy_draws: np.ndarray
    kappa: float
    kappa_draws: np.ndarray
    accuracy_strict: float
    accuracy_strict_draws: np.ndarray


def judged(reference: pd.DataFrame, verdicts: pd.DataFrame) -> pd.DataFrame:
    """The verdicts on pairs with a reference, with the reference's choice (`reference`
    column), the pair's gap and its row in `reference` (its column of bootstrap weights)."""
    ref = reference.reset_index(drop=True)
    ref = pd.DataFrame(
        {
            "pair_id": ref["pair_id"],
            "reference": ref["choice"],
            "gap": ref["gap"] if "gap" in ref else NAN,
            "row": np.arange(len(ref)),
        }
    )
    return verdicts.merge(ref[ref["reference"].notna()], on="pair_id", how="inner")


def scores(on_reference: pd.DataFrame, weights: np.ndarray) -> Scores:
    """Accuracy (a tie half, and strict) and kappa of the `judged` verdicts, with their
    bootstrap draws."""
    cells = pair_cells(
        on_reference["row"].to_numpy(), on_reference["reference"], on_reference["choice"], weights.shape[1]
    )
    confusion = weighted_confusion(cells, weights)
    return Scores(
        accuracy=accuracy(on_reference["reference"], on_reference["choice"]),
        accuracy_draws=accuracy_from_confusion(confusion),
        kappa=kappa(on_reference["reference"], on_reference["choice"]),
        kappa_draws=kappa_from_confusion(confusion),
        accuracy_strict=accuracy(on_reference["reference"], on_reference["choice"], tie=0.0),
        accuracy_strict_draws=accuracy_from_confusion(confusion, tie=0.0),
    )


def decisive(on_reference: pd.DataFrame) -> pd.DataFrame:
    """The `judged` verdicts on pairs whose reference is a side: the accuracies' verdicts."""
    return on_reference[on_reference["reference"] != "tie"]


def conservative_accuracy(verdicts: pd.DataFrame, reference: pd.DataFrame) -> float:
    """Accuracy of the conservative choices (one per pair judged in both orders)."""
    choices = conservative_choices(verdicts)
    ref = reference.set_index("pair_id")["choice"].reindex(choices.index)
    keep = ref.notna()
    return accuracy(ref[keep], choices[keep]) if keep.any() else NAN


# --- accuracy by gap ----------------------------------------------------------------------------


def agreement_by_gap(verdicts: pd.DataFrame, reference: pd.DataFrame) -> list[GapBin]:
    """Accuracy per bin of |gap| (GAP_BINS) over the verdicts on pairs whose reference is a
    side; every bin is listed, an empty one with accuracy NaN. Empty when no gap is known."""
    if "gap" not in reference or reference["gap"].isna().all():
        return []
    rows = judged(reference, verdicts)
    rows = rows[(rows["reference"] != "tie") & rows["gap"].notna()]
    bins = np.searchsorted(UPPER_EDGES, rows["gap"].abs().to_numpy(float), side="left")
    correct = credit(rows["reference"], rows["choice"])
    return [
        GapBin(label=label, low=low, high=high, n=int((bins == i).sum()), accuracy=_mean(correct[bins == i]))
        for i, (label, low, high) in enumerate(GAP_BINS)
    ]


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else NAN


# --- one rater ------------------------------------------------------------------------------


def check(verdicts: pd.DataFrame, reference: pd.DataFrame, human: pd.DataFrame | None = None) -> None:
    """Refuse choices, orders or reference pairs the statistics would silently misread."""
    bad = set(verdicts["choice"]) - set(CHOICES)
    bad_ref = set(reference["choice"].dropna()) - set(CHOICES)
    bad_human = set() if human is None else set(human["choice"]) - set(CHOICES)
    if bad or bad_ref or bad_human:
        raise ValueError(f"choices must be one of {CHOICES}; got {sorted(map(str, bad | bad_ref | bad_human))}")
    orders = set(verdicts["order"]) - {*ORDERS, RATINGS_ORDER}
    if orders:
        raise ValueError(f"orders must be 'ab', 'ba' or 'ratings'; got {sorted(map(str, orders))}")
    if reference["pair_id"].duplicated().any():
        raise ValueError("the reference lists a pair more than once")


def preference_agreement(
    task: str,
    rater: str,
    kind: RaterKind,
    verdicts: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    criterion: str = OVERALL,
    from_ratings: bool = False,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
    human: pd.DataFrame | None = None,
) -> PreferenceAgreement:
    """A rater's verdicts against the reference: accuracy (a tie half, and strict) and kappa with
    cluster-bootstrap intervals, accuracy by gap, and for a judge of both orders the conservative accuracy and
    position bias. Pairs without a reference are left out of everything and counted.

    `human` (pair_id, rater_id, choice: each expert's own choices), when it holds at least three
    experts, adds accuracy_loo and kappa_loo: the rater scored against exactly the leave-one-out
    references the ceiling's experts face (`leave_one_out_scores`), since the ceiling's are
    easier pairs (those where the other experts agree) than the full reference's."""
    check(verdicts, reference, human)
    on_reference = judged(reference, verdicts)
    s = scores(on_reference, cluster_weights(reference, n_resamples, seed))
    accuracy_loo, kappa_loo = (NAN, NAN) if human is None else leave_one_out_scores(verdicts, human, reference)
    mine = verdicts[verdicts["pair_id"].isin(on_reference["pair_id"])]
    position = None if from_ratings else position_bias(mine)
    return PreferenceAgreement(
        task=task,
        rater=rater,
        kind=kind,
        criterion=criterion,
        from_ratings=from_ratings,
        n_pairs=int(on_reference["pair_id"].nunique()),
        n_verdicts=len(on_reference),
        n_no_reference=n_no_reference(reference),
        n_decisive=int(decisive(on_reference)["pair_id"].nunique()),
        n_decisive_verdicts=len(decisive(on_reference)),
        **_intervals(s),
        accuracy_loo=accuracy_loo,
        kappa_loo=kappa_loo,
        accuracy_conservative=NAN if from_ratings else conservative_accuracy(mine, reference),
        position=position,
        by_gap=agreement_by_gap(verdicts, reference),
        notes=_notes(verdicts, reference, on_reference, from_ratings, position),
    )


def n_no_reference(reference: pd.DataFrame) -> int:
    return int(reference["choice"].isna().sum())


def _intervals(s: Scores) -> dict[str, float]:
    """The record's figures with their percentile intervals from the draws."""
    out = {}
    for name, value, draws in (
        ("accuracy", s.accuracy, s.accuracy_draws),
        ("kappa", s.kappa, s.kappa_draws),
        ("accuracy_strict", s.accuracy_strict, s.accuracy_strict_draws),
    ):
        out[name] = value
        out[f"{name}_low"], out[f"{name}_high"] = percentile_ci(draws)
    return out


def _notes(
    verdicts: pd.DataFrame,
    reference: pd.DataFrame,
    on_reference: pd.DataFrame,
    from_ratings: bool,
    position: PositionBias | None,
) -> list[str]:
    notes = []
    if n := n_no_reference(reference):
        notes.append(f"{n} pairs have no reference (no strict majority) and are left out")
    if n := int((~verdicts["pair_id"].isin(reference["pair_id"])).sum()):
        notes.append(f"{n} verdicts on pairs outside the reference table are left out")
    if not from_ratings and position is None and len(on_reference):
        notes.append("no pair scored in both orders: no position statistics and no conservative accuracy")
    return notes


# --- the human ceiling ----------------------------------------------------------------------


def leave_one_out_reference(human: pd.DataFrame, reference: pd.DataFrame, expert: str) -> pd.DataFrame:
    """The reference table (same rows) with each pair's choice replaced by the strict majority
    of the experts other than `expert`; None where they have none, or where the task's own
    reference has none (those pairs are left out of every row, the ceiling's included)."""
    others = human[human["rater_id"] != expert].groupby("pair_id")["choice"].agg(majority)
    choice = reference["pair_id"].map(others).astype(object)
    return reference.assign(choice=choice.where(choice.notna() & reference["choice"].notna(), None))


def leave_one_out_scores(verdicts: pd.DataFrame, human: pd.DataFrame, reference: pd.DataFrame) -> tuple[float, float]:
    """A rater's accuracy (a tie half) and kappa like-for-like with the ceiling: the means over
    experts j of its accuracy (kappa) against `leave_one_out_reference` for j, i.e. on the pairs where the
    experts other than j have a strict majority (and the task's reference exists). Every verdict
    counts, one per pair from ratings or two from a judge of both orders. NaN, NaN with fewer
    than three experts."""
    experts = sorted(human["rater_id"].unique())
    if len(experts) < MIN_EXPERTS:
        return NAN, NAN
    accuracies, kappas = [], []
    for expert in experts:
        rows = judged(leave_one_out_reference(human, reference, expert), verdicts)
        accuracies.append(accuracy(rows["reference"], rows["choice"]))
        kappas.append(kappa(rows["reference"], rows["choice"]))
    return float(np.mean(accuracies)), float(np.mean(kappas))


def leave_one_out_gaps(gaps: pd.DataFrame, experts: list[str], expert: str) -> pd.Series:
    """Per pair (index pair_id), the median of the overall-score differences score(item_a) -
    score(item_b) of the experts other than `expert` (with two others: their mean); `gaps` is
    pairs x experts (index pair_id, columns rater_id). A missing difference is skipped; NaN
    where none of the others has one."""
    others = [e for e in experts if e != expert]
    return gaps.reindex(columns=others).astype(float).median(axis=1, skipna=True)


def preference_ceiling(
    task: str,
    human: pd.DataFrame,
    reference: pd.DataFrame,
    criterion: str = OVERALL,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
    *,
    gaps: pd.DataFrame | None = None,
) -> PreferenceAgreement | None:
    """The human ceiling: each expert (rows of `human`: pair_id, rater_id, choice) against the
    strict majority of the other experts (with three, the other two must agree, else the pair
    is left out for that expert). Accuracy and kappa are means over experts, their intervals
    from the mean of the experts' bootstrap draws (the same seed and pair weights for every
    expert); accuracy_loo and kappa_loo are the same means (the ceiling is its own like-for-like
    score). by_gap averages the experts' bin accuracies (over experts with verdicts in the bin)
    and sums their n; n_verdicts sums the experts' comparisons. None with fewer than three
    experts: a single reference label has no ceiling.

    by_gap bins expert j's comparisons by the gap of j's references: with `gaps` (pairs x
    experts, index pair_id, columns rater_id: each expert's own score(item_a) - score(item_b)),
    the median of the other experts' differences (`leave_one_out_gaps`); without it, the
    reference table's `gap`."""
    experts = sorted(human["rater_id"].unique())
    if len(experts) < MIN_EXPERTS:
        return None
    weights = cluster_weights(reference, n_resamples, seed)
    per_expert, bins, rows = [], [], []
    for expert in experts:
        mine = human[human["rater_id"] == expert].assign(order=RATINGS_ORDER)
        loo = leave_one_out_reference(human, reference, expert)
        if gaps is not None:
            loo = loo.assign(gap=loo["pair_id"].map(leave_one_out_gaps(gaps, experts, expert)).astype(float))
        check(mine, loo)
        rows.append(judged(loo, mine))
        per_expert.append(scores(rows[-1], weights))
        bins.append(agreement_by_gap(mine, loo))
    means = _mean_intervals(per_expert)
    return PreferenceAgreement(
        task=task,
        rater=CEILING_LABEL,
        kind="human",
        role="ceiling",
        criterion=criterion,
        from_ratings=True,
        n_pairs=int(pd.concat(rows)["pair_id"].nunique()),
        n_verdicts=sum(len(r) for r in rows),
        n_no_reference=n_no_reference(reference),
        n_decisive=int(pd.concat([decisive(r) for r in rows])["pair_id"].nunique()),
        n_decisive_verdicts=sum(len(decisive(r)) for r in rows),
        **means,
        accuracy_loo=means["accuracy"],
        kappa_loo=means["kappa"],
        by_gap=_mean_bins(bins),
        notes=[
            "each expert against the strict majority of the other experts (pairs where they have none are "
            "left out for that expert); statistics averaged over experts"
        ],
    )


def _mean_intervals(per_expert: list[Scores]) -> dict[str, float]:
    """The experts' mean of each figure, its interval from the mean of their draws."""

    def mean(name: str) -> np.ndarray:
        return np.mean([getattr(s, name) for s in per_expert], axis=0)

    return _intervals(
        Scores(
            accuracy=float(mean("accuracy")),
            accuracy_draws=mean("accuracy_draws"),
            kappa=float(mean("kappa")),
            kappa_draws=mean("kappa_draws"),
            accuracy_strict=float(mean("accuracy_strict")),
            accuracy_strict_draws=mean("accuracy_strict_draws"),
        )
    )


def _mean_bins(per_expert: list[list[GapBin]]) -> list[GapBin]:
    """Per bin, n summed over experts and the mean of the defined accuracies; experts without
    any known gap (no bins) are left out."""
    merged = []
    for same in zip(*[bins for bins in per_expert if bins], strict=True):
        defined = [b.accuracy for b in same if not np.isnan(b.accuracy)]
        n = sum(b.n for b in same)
        merged.append(same[0].model_copy(update={"n": n, "accuracy": _mean(np.array(defined))}))
    return merged


# --- the headline on the task's shared draws ------------------------------------------------


def accuracy_headline(
    verdicts: pd.DataFrame, reference: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> Headline:
    """A rater's accuracy (the figure a compare table ranks by) and its value on each cluster
    draw. The draws depend only on the reference table and the seed (`cluster_weights`), so
    every rater of a criterion is resampled over the same conversations, alike."""
    s = scores(judged(reference, verdicts), cluster_weights(reference, n_resamples, seed))
    return Headline("accuracy", s.accuracy, s.accuracy_draws, n_conversations(reference))


def ceiling_accuracy_headline(
    human: pd.DataFrame, reference: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = 0
) -> Headline | None:
    """The ceiling's accuracy (each expert against the strict majority of the others, averaged
    over experts, as `preference_ceiling`) on the same draws as `accuracy_headline`."""
    experts = sorted(human["rater_id"].unique())
    if len(experts) < MIN_EXPERTS:
        return None
    weights = cluster_weights(reference, n_resamples, seed)
    per_expert = []
    for expert in experts:
        mine = human[human["rater_id"] == expert].assign(order=RATINGS_ORDER)
        per_expert.append(scores(judged(leave_one_out_reference(human, reference, expert), mine), weights))
    accuracy_draws = np.mean([s.accuracy_draws for s in per_expert], axis=0)
    value = float(np.mean([s.accuracy for s in per_expert]))
    return Headline("accuracy", value, accuracy_draws, n_conversations(reference))


def n_conversations(reference: pd.DataFrame) -> int:
    """The units of the cluster bootstrap: the distinct items of the reference's pairs."""
    return len(set(reference["item_a"].astype(str)) | set(reference["item_b"].astype(str)))
