"""The reliability table: pairwise agreement among human raters, their aggregates and the
recorded LLM judges, per framework and dimension, plus alpha within each human group and the
median kappa of each comparison class (the headline numbers of Kumar et al.)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import pandas as pd

from empathy_bench.agreement.stats import (
    N_RESAMPLES,
    Categories,
    Level,
    alpha_bootstrap,
    compare,
    leave_one_out,
)
from empathy_bench.sources.card import HUMAN_GROUPS
from empathy_bench.sources.labels import LabelSet, group_table, rater_values
from empathy_bench.sources.rubric import load_rubric

# Alpha is reported at both levels. Kumar et al. published the experts' alpha at the interval
# level (squared differences; their notebook's own function, equal to krippendorff's
# "interval"); the rubric's level (ordinal for Likert scales) is what the leaderboard uses.
ALPHA_LEVELS: tuple[Level, ...] = ("interval", "ordinal")


@dataclass
class Reliability:
    pairs: pd.DataFrame
    alpha: pd.DataFrame
    ceiling: pd.DataFrame
    medians: pd.DataFrame


def comparison_class(a: str, b: str, experts: list[str]) -> str:
    if a in experts and b in experts:
        return "expert-expert"
    if a == "experts" and b not in experts:
        return f"experts-{b}"
    return "other"


def raters_of(ratings: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The framework's individual experts and its raters in the order the table compares them:
    each expert, the experts' median, the crowd, then each recorded judge (as the source card
    lists them: the ratings keep the card's order)."""
    own = ratings[ratings["aggregate"] == ""]
    experts = list(pd.unique(own.rater_id[own.rater_group == "expert"]))
    # a recorded judge with several runs is compared as itself (its runs' aggregate), not per run
    own_runs = ratings["run_of"] == "" if "run_of" in ratings else pd.Series(True, index=ratings.index)
    recorded = list(pd.unique(ratings.rater_id[(ratings.rater_group == "recorded") & own_runs]))
    return experts, [*experts, "experts", "crowd", *recorded]


def reliability_table(
    labels: LabelSet, categories: Categories = "rank", n_resamples: int = N_RESAMPLES, seed: int = 0
) -> Reliability:
    pairs, alphas, ceiling = [], [], []
    for framework in labels.ratings.framework.unique():
        rubric = load_rubric(framework)
        ratings = labels.ratings[labels.ratings.framework == framework]
        for dim in rubric.dimension_ids:
            where = {"framework": framework, "dimension": dim}
            experts_ids, raters = raters_of(ratings)
            values = {r: rater_values(ratings, r, dim) for r in raters if _has(ratings, r, dim)}
            for a, b in combinations(values, 2):
                stats = compare(values[a], values[b], categories, n_resamples, seed)
                pairs.append(
                    where
                    | {"rater_a": a, "rater_b": b, "comparison": comparison_class(a, b, experts_ids)}
                    | stats.model_dump()
                )
            for group in HUMAN_GROUPS:
                table = group_table(ratings, group, dim)
                if table.shape[1] >= 2:
                    alphas += [
                        where | _alpha_row(group, table, level, rubric.scale_of(dim).level, n_resamples, seed)
                        for level in ALPHA_LEVELS
                    ]
            experts = group_table(ratings, "expert", dim)
            if experts.shape[1] >= 2:
                for rater, stats in leave_one_out(experts, categories, n_resamples=n_resamples, seed=seed).items():
                    ceiling.append(
                        where | {"rater": rater, "reference": "median of the other experts"} | stats.model_dump()
                    )
    pairs_df = pd.DataFrame(pairs)
    return Reliability(pairs_df, pd.DataFrame(alphas), pd.DataFrame(ceiling), class_medians(pairs_df))


def _has(ratings: pd.DataFrame, rater: str, dim: str) -> bool:
    try:
        rater_values(ratings, rater, dim)
    except KeyError:
        return False
    return True


def _alpha_row(
    group: str, table: pd.DataFrame, level: Level, rubric_level: str, n_resamples: int, seed: int
) -> dict[str, object]:
    data = table.T.to_numpy()  # krippendorff wants raters x units
    estimate = alpha_bootstrap(data, level, n_resamples, seed)
    return {
        "group": group,
        "level": level,
        "rubric_level": level == rubric_level,
        "n_raters": data.shape[0],
        "n_items": data.shape[1],
        "alpha": estimate.value,
        "alpha_low": estimate.low,
        "alpha_high": estimate.high,
    }


def class_medians(pairs: pd.DataFrame) -> pd.DataFrame:
    """Median kappa and rho per comparison class over all dimensions (and frameworks)."""
    named = pairs[pairs.comparison != "other"]
    return (
        named.groupby("comparison", sort=False)
        .agg(n_comparisons=("qwk", "size"), median_qwk=("qwk", "median"), median_spearman=("spearman", "median"))
        .reset_index()
    )
