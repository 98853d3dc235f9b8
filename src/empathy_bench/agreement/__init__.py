"""Stage 5, agreement: the statistics (kappa from core/kappa.py, Spearman, Krippendorff's alpha,
bootstrap intervals), the alternative annotator test, a task's reference rows (recorded judges,
human rows, the ceiling), a rater's agreement with a task's reference (with the human ceiling),
paired differences and rank intervals between a task's raters, a coach's
feedback against the experts' profile, and a label source's reliability table."""

from empathy_bench.agreement.alt_test import AltTestResult, alt_test, alt_test_by_aspect, verdict
from empathy_bench.agreement.coach import CoachAgreement, coach_agreement, feedback_from_ratings
from empathy_bench.agreement.coach_ceiling import coach_ceiling, leave_one_out_kappa
from empathy_bench.agreement.paired import Comparison, compare_raters
from empathy_bench.agreement.rater import RaterAgreement, expert_ceiling, rater_agreement
from empathy_bench.agreement.references import ReferenceRater, reference_raters
from empathy_bench.agreement.reliability import Reliability, reliability_table
from empathy_bench.agreement.stats import PairAgreement, alpha, alpha_bootstrap, compare, qwk, spearman

__all__ = [
    "CoachAgreement",
    "Comparison",
    "compare_raters",
    "coach_agreement",
    "coach_ceiling",
    "leave_one_out_kappa",
    "feedback_from_ratings",
    "AltTestResult",
    "PairAgreement",
    "RaterAgreement",
    "Reliability",
    "alpha",
    "alpha_bootstrap",
    "alt_test",
    "alt_test_by_aspect",
    "compare",
    "expert_ceiling",
    "qwk",
    "rater_agreement",
    "ReferenceRater",
    "reference_raters",
    "reliability_table",
    "spearman",
    "verdict",
]
