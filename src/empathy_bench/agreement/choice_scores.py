"""Accuracy and Cohen's kappa of a rater's choices (a / b / tie) against a compare task's
reference: point estimates, the same figures from weighted confusion matrices for every bootstrap
resample at once, and accuracy by the reference's score gap. Why kappa counts every verdict in
both orientations and accuracy counts a tie half is explained in agreement/preference.py."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from empathy_bench.core.kappa import kappa, kappa_from_confusion
from empathy_bench.core.models import NAN, Record
from empathy_bench.sources.preference import CHOICES

TIE_CREDIT = 0.5  # a tie verdict on a pair whose reference is a side: half right (AlpacaEval's convention)
# The same choice with the pair's orientation reversed (item_a <-> item_b).
SWAP = {"a": "b", "b": "a", "tie": "tie"}
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


class GapBin(Record):
    """Accuracy (a tie verdict counted half) on the verdicts of pairs whose reference is not a
    tie, by |gap| (the reference's score difference of the two items)."""

    label: str
    low: float
    high: float | None  # None: no upper bound ('>13'); None, not inf, because JSON has no inf
    n: int
    accuracy: float = NAN


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


def accuracy_from_confusion(confusion: np.ndarray, tie: float = TIE_CREDIT) -> np.ndarray:
    """Accuracy among pairs whose reference is a side (rows a and b of each confusion matrix):
    a verdict equal to the reference counts 1, a tie verdict `tie` (half by default; 0 for the
    strict accuracy); NaN where they carry no weight."""
    sided = confusion[..., :2, :].sum(axis=(-2, -1))
    right = confusion[..., 0, 0] + confusion[..., 1, 1] + tie * (confusion[..., 0, 2] + confusion[..., 1, 2])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sided > 0, right / sided, np.nan)


def choice_kappa(reference: pd.Series, choices: pd.Series) -> float:
    """Unweighted Cohen's kappa over a / b / tie (core/kappa.py) of every verdict in both
    orientations: the reference followed by its swap against the choices followed by theirs, so
    that the chance term does not depend on which item of a pair is item_a. NaN when undefined
    (no verdict, or both sides all ties)."""
    ref = np.concatenate([np.asarray(reference, object), swapped(reference).to_numpy(object)])
    mine = np.concatenate([np.asarray(choices, object), swapped(choices).to_numpy(object)])
    return kappa(ref, mine, labels=list(CHOICES))


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
        kappa=choice_kappa(on_reference["reference"], on_reference["choice"]),
        kappa_draws=kappa_from_confusion(confusion),
        accuracy_strict=accuracy(on_reference["reference"], on_reference["choice"], tie=0.0),
        accuracy_strict_draws=accuracy_from_confusion(confusion, tie=0.0),
    )


def decisive(on_reference: pd.DataFrame) -> pd.DataFrame:
    """The `judged` verdicts on pairs whose reference is a side: the accuracies' verdicts."""
    return on_reference[on_reference["reference"] != "tie"]


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
        GapBin(label=label, low=low, high=high, n=int((bins == i).sum()), accuracy=mean_or_nan(correct[bins == i]))
        for i, (label, low, high) in enumerate(GAP_BINS)
    ]


def mean_or_nan(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else NAN
