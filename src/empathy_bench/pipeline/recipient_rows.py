"""The recipient-perspective table of a rate task whose reference is the person supported (a
rater of group `self` who rated each conversation once). On the rubric that person answered
(an `agreement` table, mibot_care): every judge's Spearman with the person's score and QWK per
item. On another rubric (an `outcome` task, mibot_lend_an_ear): every judge's overall score
correlated with the person's score and readiness changes. Both with the yardsticks and the
supporter's word count as a row. See leaderboard/recipient.py."""

from __future__ import annotations

from typing import TypeGuard

import pandas as pd
from inspect_ai.log import EvalLog

from empathy_bench.agreement.recipient import (
    CHANGES,
    RULERS,
    Estimate,
    outcome_correlations,
    recipient_agreement,
    yardsticks,
)
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.candidates.builtin.length import LENGTH_MAX_WORDS, LENGTH_MIN_WORDS
from empathy_bench.candidates.builtin.lexicon import RECIPES, derived_cues
from empathy_bench.leaderboard.recipient import YARDSTICK, RecipientFigure, RecipientTable, TableKind, finite
from empathy_bench.pipeline.row import rater_type_of
from empathy_bench.runs.log import LogSummary, read_log
from empathy_bench.sources.card import load_source_card
from empathy_bench.sources.labels import LabelSet, rater_wide
from empathy_bench.sources.rubric import load_rubric
from empathy_bench.tasks.binding import supporter_words
from empathy_bench.tasks.spec import RateTask, TaskSpec

NO_CEILING = (
    "One rater per conversation (the client rated their own conversation once): there is no leave-one-out "
    "human ceiling; read each figure against the yardsticks (CARE's Cronbach's alpha over its ten items, and "
    "the client's CARE score's Spearman with their readiness change, later minus before, per ruler)."
)
CARE_RULE = (
    "CARE score: the mean of the answered items with at most two 'does not apply' (Mercer et al. 2004 replace up "
    "to two by the mean of the rest); more than two missing: no score."
)
JUDGE_SCORE = {
    "agreement": "A judge's score: its mean over the items.",
    "outcome": "A judge's score: its overall score on the rubric (none where a dimension went unscored).",
}
NO_RECORDED = "The recorded judges of other sources have no ratings of these conversations, so no recorded row."
AGREEMENT_ABOUT = (
    "Agreement with the client's own answers: the judges rated the CARE items as this client would; each row "
    "gives the Spearman of its mean over the items with the client's CARE score and its QWK per item (here the "
    "mean over the items)."
)
OUTCOME_ABOUT = (
    "Not agreement: the judges rated the {rubric} rubric, a third party's reading of the counsellor's behaviour, "
    "and each figure is the Spearman of a judge's overall score ({overall}) with what the client reported: their "
    "CARE score right after the conversation, and their readiness change per ruler (post: right after minus "
    "before; week: a week later minus before). The rubric and the outcomes are different constructs on different "
    "scales, so there is no QWK; a judge is informative where it beats the word-count row."
)
OVERALL = {"prescriptive_minus_proscriptive": "prescriptive minus proscriptive dimensions"}
WORD_ROW = (
    "'{row}': the Spearman of the {target}'s total words with each outcome, the length signal that "
    "builtin-length carries on chat replies, without that baseline's fixed scale."
)
WHEN = {"post": "post − pre", "week": "week − pre"}
CHANGE_NAMES = [f"{when}_{ruler.lower()}" for when in CHANGES for ruler in RULERS]
COLUMNS: dict[TableKind, list[str]] = {
    "agreement": ["spearman_care", "mean_qwk"],
    "outcome": ["spearman_care", *(f"spearman_{c}" for c in CHANGE_NAMES)],
}


def is_recipient_task(spec: TaskSpec) -> TypeGuard[RateTask]:
    """A rate task whose reference is one rater of group self on a source card."""
    if not isinstance(spec, RateTask) or spec.source is None:
        return False
    fw = load_source_card(spec.source).framework(spec.framework)
    return any(r.id == spec.reference and r.group == "self" for r in fw.raters)


def figure_labels() -> dict[str, str]:
    """Every figure's name on the surfaces (the table's columns and its yardsticks)."""
    labels = {
        "spearman_care": "Spearman with the client's CARE score [95% CI]",
        "mean_qwk": "mean QWK per item",
        "cronbach_alpha": "Cronbach's alpha of the client's CARE answers (over the items)",
    }
    for name in CHANGE_NAMES:
        when, ruler = name.split("_", 1)
        labels[f"spearman_{name}"] = f"Spearman with the {ruler} change, {WHEN[when]}"
        labels[f"care_vs_{name}"] = f"Spearman of the client's CARE score with their {ruler} change, {WHEN[when]}"
    return labels


def _figures(rater: str, rater_type: str, found: dict[str, Estimate]) -> list[RecipientFigure]:
    return [
        RecipientFigure(
            rater=rater,
            rater_type=rater_type,
            figure=name,
            value=finite(e.value),
            low=finite(e.low),
            high=finite(e.high),
            n=e.n,
        )
        for name, e in found.items()
    ]


def recipient_table(
    spec: RateTask, labels: LabelSet, logs: list[EvalLog], n_resamples: int = N_RESAMPLES
) -> RecipientTable:
    """The table from the task's finished judge logs (headers or full logs) and its labels."""
    fw = load_source_card(str(spec.source)).framework(spec.framework)
    row = next(r for r in fw.human_rows if r.rater == spec.reference)
    # the reference's own answers, on the source's rubric (an outcome task's judges rate another)
    client = rater_wide(labels.ratings, spec.reference, load_rubric(fw.rubric).dimension_ids)
    metadata = pd.DataFrame(list(labels.items.metadata), index=labels.items.item_id)
    target = str(labels.items.target.iloc[0])
    words = pd.Series({i.item_id: supporter_words(i.turns, i.target) for i in labels.items.itertuples()}, dtype=float)
    kind: TableKind = "outcome" if spec.outcome else "agreement"
    figures, notes, complete = [], [NO_CEILING, f"{CARE_RULE} {JUDGE_SCORE[kind]}", NO_RECORDED], True
    for log in logs:
        wide, summary = read_log(log)
        score, found = _judge(spec, wide, client, metadata, n_resamples)
        figures += _figures(summary.judge, rater_type_of(summary), found)
        complete &= summary.complete
        if score.nunique() <= 1:
            notes.append(_alike(spec, summary, wide, words, target))
    word_row = f"{target.lower()} word count"
    found = outcome_correlations(words, client, metadata, n_resamples)
    figures += _figures(word_row, YARDSTICK, found if spec.outcome else {"spearman_care": found["spearman_care"]})
    figures += _figures(YARDSTICK, YARDSTICK, yardsticks(client, metadata, n_resamples))
    notes.append(WORD_ROW.format(row=word_row, target=target.lower()))
    return RecipientTable(
        task=spec.id,
        title=spec.title,
        table=kind,
        about=_about(spec),
        reference=row.label,
        columns=COLUMNS[kind],
        labels=figure_labels(),
        figures=figures,
        notes=notes,
        complete=complete,
    )


def _about(spec: RateTask) -> str:
    rubric = spec.rubric_model
    if spec.outcome and rubric.overall:
        return OUTCOME_ABOUT.format(rubric=rubric.title, overall=OVERALL[rubric.overall.method])
    return AGREEMENT_ABOUT


def _judge(
    spec: RateTask, wide: pd.DataFrame, client: pd.DataFrame, metadata: pd.DataFrame, n_resamples: int
) -> tuple[pd.Series, dict[str, Estimate]]:
    """A judge's per-conversation score and its figures: on an outcome task its overall score on
    the task's rubric against the outcomes; otherwise its ratings against the client's answers."""
    if spec.outcome:
        score = spec.rubric_model.overall_score(wide.reindex(columns=spec.dimension_ids))
        return score, outcome_correlations(score, client, metadata, n_resamples)
    mine = wide.reindex(columns=client.columns)
    return mine.mean(axis=1), recipient_agreement(mine, client, n_resamples)


def _alike(spec: RateTask, summary: LogSummary, wide: pd.DataFrame, words: pd.Series, target: str) -> str:
    """Why a judge's score does not vary, where a built-in judge's design says why."""
    scored = "overall score" if spec.outcome else "mean over the items"
    note = f"{summary.judge} gives every conversation the same {scored}: its Spearman is not defined (no variation)."
    if summary.model == "litellm/builtin/constant":
        return note + " It answers the scale's midpoint by design."
    if summary.model == "litellm/builtin/length":
        return note + (
            f" It places the {target.lower()}'s word count on a fixed {LENGTH_MIN_WORDS}-{LENGTH_MAX_WORDS}-word log "
            f"scale made for chat replies, and these {target.lower()}s wrote {words.min():,.0f}-{words.max():,.0f} "
            "words, all in its top slice: every rating is the top point."
        )
    dims = list(wide.columns)
    if summary.model == "litellm/builtin/lexicon" and not any(d in RECIPES or any(derived_cues(d)) for d in dims):
        return note + (
            f" It has no cue recipe for the items of rubric '{spec.rubric}', and the rubric gives one example per "
            "item (no high- and low-rated examples to derive words from), so it answers the scale's midpoint on every "
            "item: a property of the lexicon, not of the transcripts' length (on these transcripts through Lend an "
            "Ear, where it has recipes, its ratings vary)."
        )
    return note
