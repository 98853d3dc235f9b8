"""The recipient-perspective table of a rate task whose reference is the person supported (a
rater of group `self` who rated each conversation once): every judge's Spearman with that
person's score and QWK per item, and the yardsticks. See leaderboard/recipient.py."""

from __future__ import annotations

import pandas as pd
from inspect_ai.log import EvalLog

from empathy_bench.agreement.recipient import Estimate, recipient_agreement, yardsticks
from empathy_bench.agreement.stats import N_RESAMPLES
from empathy_bench.leaderboard.recipient import RecipientFigure, RecipientTable, finite
from empathy_bench.pipeline.row import kind_of
from empathy_bench.runs.log import read_log
from empathy_bench.sources.card import load_source_card
from empathy_bench.sources.labels import LabelSet, rater_wide
from empathy_bench.tasks.spec import TaskSpec

NO_CEILING = (
    "One rater per conversation (the client rated their own conversation once): there is no leave-one-out "
    "human ceiling; read each figure against the yardsticks (CARE's Cronbach's alpha over its ten items, and "
    "the client's CARE score's Spearman with their readiness change, later minus before, per ruler)."
)
CARE_RULE = (
    "CARE score: the mean of the answered items with at most two 'does not apply' (Mercer et al. 2004 replace up "
    "to two by the mean of the rest); more than two missing: no score. A judge's score: its mean over the items."
)
NO_RECORDED = "The recorded judges of other sources have no ratings of these conversations, so no recorded row."


def is_recipient_task(spec: TaskSpec) -> bool:
    """A rate task whose reference is one rater of group self on a source card."""
    if spec.kind != "rate" or spec.source is None:
        return False
    fw = load_source_card(spec.source).framework(spec.framework)
    return any(r.id == spec.reference and r.group == "self" for r in fw.raters)


def _figures(rater: str, kind: str, found: dict[str, Estimate]) -> list[RecipientFigure]:
    return [
        RecipientFigure(
            rater=rater, kind=kind, figure=name, value=finite(e.value), low=finite(e.low), high=finite(e.high), n=e.n
        )
        for name, e in found.items()
    ]


def recipient_table(
    spec: TaskSpec, labels: LabelSet, logs: list[EvalLog], n_resamples: int = N_RESAMPLES
) -> RecipientTable:
    """The table from the task's finished judge logs (headers or full logs) and its labels."""
    fw = load_source_card(str(spec.source)).framework(spec.framework)
    row = next(r for r in fw.human_rows if r.rater == spec.reference)
    client = rater_wide(labels.ratings, spec.reference, spec.dimension_ids)
    metadata = pd.DataFrame(list(labels.items.metadata), index=labels.items.item_id)
    figures: list[RecipientFigure] = []
    notes = [NO_CEILING, CARE_RULE, NO_RECORDED]
    for log in logs:
        wide, summary = read_log(log)
        found = recipient_agreement(wide.reindex(columns=client.columns), client, n_resamples)
        figures += _figures(summary.judge, kind_of(summary), found)
        if wide.reindex(columns=client.columns).nunique().max() <= 1:
            notes.append(f"{summary.judge} rates every conversation alike: its Spearman is not defined (no variation).")
    figures += _figures("yardstick", "yardstick", yardsticks(client, metadata, n_resamples))
    return RecipientTable(task=spec.id, reference=row.label, figures=figures, notes=notes)
