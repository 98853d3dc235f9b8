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

Point estimates come from the harness's kappa (core/kappa.py, on the doubled data) and plain
means (accuracy). The bootstrap statistics are computed from weighted confusion matrices,
vectorised over the resamples (the same kappa's confusion-matrix form; agreement/choice_scores.py,
with agreement/pair_bootstrap.py's weights and agreement/position.py's position statistics);
tests check that all weights 1 reproduce `cohen_kappa_score` on the doubled data to 1e-12.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from empathy_bench.agreement.choice_scores import (
    GapBin,
    Scores,
    accuracy,
    agreement_by_gap,
    choice_kappa,
    decisive,
    judged,
    mean_or_nan,
    scores,
)
from empathy_bench.agreement.pair_bootstrap import cluster_weights
from empathy_bench.agreement.position import ORDERS, PositionBias, conservative_choices, position_bias
from empathy_bench.agreement.rater import CEILING_LABEL, MIN_EXPERTS, RaterRole, RaterType
from empathy_bench.agreement.spread import Spread
from empathy_bench.agreement.statistics import Statistics, figure, figures
from empathy_bench.agreement.stats import N_RESAMPLES, Headline, percentile_ci
from empathy_bench.core.models import NAN, Record
from empathy_bench.sources.preference import CHOICES, OVERALL, majority

RATINGS_ORDER = "ratings"  # the order of a verdict derived from a rater's own ratings (one per pair)


class PreferenceAgreement(Record):
    """One rater against a compare task's reference (a Record, so NaN statistics are null in
    JSON and read back as NaN)."""

    task: str
    rater: str
    rater_type: RaterType
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

    def statistics(self) -> Statistics:
        """Every figure as a Stat on the row's criterion: the counts, the accuracies (n: the
        decisive pairs) and kappas (n: the pairs), position (n: the pairs judged in both orders),
        the accuracy in each bin of the reference's gap (condition "gap <bin>", with the bin's
        bounds as `gap_low` and `gap_high`) and the spread."""
        on = self.criterion
        n, decisive = self.n_pairs, self.n_decisive if self.n_decisive is not None else self.n_pairs
        stats = figures(self, PREFERENCE_COUNTS, n, criterion=on)
        stats += figures(self, ACCURACIES, decisive, criterion=on)
        stats += figures(self, ("kappa", "kappa_loo"), n, criterion=on)
        if (pos := self.position) is not None:
            stats += [figure(name, getattr(pos, f), pos.n, criterion=on) for name, f in POSITION_FIGURES.items()]
        for b in self.by_gap:
            where = f"{GAP} {b.label}"
            stats += [figure("accuracy", b.accuracy, b.n, criterion=on, condition=where)]
            stats += [figure("gap_low", b.low, b.n, criterion=on, condition=where)]
            stats += [figure("gap_high", b.high, b.n, criterion=on, condition=where)]
        stats += self.spread.stats(n, self.criterion) if self.spread else []
        header = self.model_dump(include={"task", "rater", "rater_type", "role", "criterion", "from_ratings", "notes"})
        return Statistics(**header, stats=stats)


ACCURACIES = ("accuracy", "accuracy_strict", "accuracy_loo", "accuracy_conservative")
PREFERENCE_COUNTS = ("n_pairs", "n_verdicts", "n_no_reference", "n_decisive", "n_decisive_verdicts")
# the board's names for the position statistics (agreement/position.py)
POSITION_FIGURES = {
    "position_consistency": "consistency",
    "preference_fairness": "fairness",
    "flip_rate": "flip_rate",
    "position_consistent": "consistent",
    "position_primacy": "primacy",
    "position_recency": "recency",
}
GAP = "gap"  # the condition of an accuracy in one bin of the reference's gap: "gap <bin label>"


def conservative_accuracy(verdicts: pd.DataFrame, reference: pd.DataFrame) -> float:
    """Accuracy of the conservative choices (one per pair judged in both orders)."""
    choices = conservative_choices(verdicts)
    ref = reference.set_index("pair_id")["choice"].reindex(choices.index)
    keep = ref.notna()
    return accuracy(ref[keep], choices[keep]) if keep.any() else NAN


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
    rater_type: RaterType,
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
        rater_type=rater_type,
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
        kappas.append(choice_kappa(rows["reference"], rows["choice"]))
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
        rater_type="human",
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
        merged.append(same[0].model_copy(update={"n": n, "accuracy": mean_or_nan(np.array(defined))}))
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
