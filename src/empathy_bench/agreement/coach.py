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
matrix product per count for all resamples at once (agreement/coach_figures.py, from the
counts of agreement/coach_counts.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from empathy_bench.agreement.coach_counts import WORD_BUDGET, Conversations, Evidence, as_list, conversations
from empathy_bench.agreement.coach_figures import (
    DimensionTargeting,
    DimensionUplift,
    bootstrap_weights,
    fields_of,
    scored,
)
from empathy_bench.agreement.rater import RaterRole, RaterType
from empathy_bench.agreement.spread import Spread
from empathy_bench.agreement.statistics import Setting, Statistics, figure, figures
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.core.models import NAN, Record
from empathy_bench.runs.log import FEEDBACK_COLUMNS
from empathy_bench.sources.profile import ProfileThresholds, profile, profiles, ranked_problems
from empathy_bench.sources.rubric import Rubric

QUOTE_KINDS = ("strength", "improvement")


class CoachAgreement(Record):
    """One coach (or a rater's ratings read as feedback) against a coach task's reference. Each
    headline figure has its bootstrap 95% interval (_low, _high); NaN is null in JSON."""

    task: str
    rater: str
    rater_type: RaterType
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

    def statistics(self) -> Statistics:
        """Every figure as a Stat: the counts, each figure with its interval over the units it is
        a share of (praise over the praised dimensions, grounding over the quotes, ...), per
        dimension the targeting and the grader's change (criterion: the dimension), the spread;
        the word budget and the profile's thresholds are settings."""
        n = self.n_items
        stats = figures(self, COACH_COUNTS, n)
        for share in COACH_SHARES:
            stats += figures(self, (share,), getattr(self, COACH_UNITS.get(share, "n_items")))
        for d in self.per_dimension:
            stats += figures(d, TARGETING_FIGURES, d.n, criterion=d.dimension)
        for u in self.uplift_by_dimension:
            stats += [figure("targeted_change", u.targeted_change, u.n_targeted, criterion=u.dimension)]
            stats += [figure("other_change", u.other_change, u.n_other, criterion=u.dimension)]
        stats += self.spread.stats(n) if self.spread else []
        settings: dict[str, Setting] = {"word_budget": self.word_budget}
        settings |= {f"threshold_{k}": v for k, v in self.thresholds.items()}
        header = self.model_dump(include={"task", "rater", "rater_type", "role", "from_ratings", "notes"})
        return Statistics(**header, stats=stats, settings=settings)


COACH_COUNTS = ("n_items", "n_unscored", "n_praised", "n_prioritised", "n_quotes", "n_evidence", "n_uplift")
COACH_SHARES = (
    *("mean_kappa", "mean_kappa_loo", "macro_f1", "macro_precision", "macro_recall", "f1_at_reference_count"),
    *("f1_word_budget", "praise_accuracy", "false_praise_rate", "prioritisation", "grounding"),
    *("evidence_agreement", "uplift_target", "uplift_other", "harm_rate", "words"),
)
# the count each share is over, where it is not the conversations
COACH_UNITS = {
    "praise_accuracy": "n_praised",
    "false_praise_rate": "n_praised",
    "prioritisation": "n_prioritised",
    "grounding": "n_quotes",
    "evidence_agreement": "n_evidence",
    "uplift_target": "n_uplift",
    "uplift_other": "n_uplift",
    "harm_rate": "n_uplift",
}
TARGETING_FIGURES = ("base_rate", "flag_rate", "precision", "recall", "f1", "kappa")


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
        quotes = as_list(row["quotes"])
        named |= set(as_list(row["improvements"])) | set(as_list(row["praised"])) | {q["dimension"] for q in quotes}
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
    rater_type: RaterType,
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
        rater_type=rater_type,
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
