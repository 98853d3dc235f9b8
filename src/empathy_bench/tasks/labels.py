"""The labels a task reads: a published label source (a source card, downloaded and verified) or
a team's own files named in the task file; and what identifies them in a run's provenance."""

from __future__ import annotations

from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir
from empathy_bench.sources.card import DEFAULT_ROWS, HumanRow, load_source_card
from empathy_bench.sources.labels import AGGREGATES, LabelSet, load_source
from empathy_bench.sources.user_labels import label_key, read_own_labels
from empathy_bench.tasks.spec import TaskSpec


def task_labels(spec: TaskSpec) -> LabelSet:
    """Items, ratings and preferences of the task's framework."""
    if spec.source is not None:
        return load_source(spec.source, [spec.framework])
    labels = _own(spec)[0].framework(spec.framework)
    where = f"tasks/{spec.id}.yaml"
    if labels.items.empty:
        raise InputError(where, f"your items file has no item of framework '{spec.framework}'", "correct 'framework'")
    known = sorted(set(labels.ratings.rater_id) | set(labels.preferences.rater_id) | set(AGGREGATES))
    if spec.reference not in known:
        raise InputError(
            where, f"unknown reference '{spec.reference}'", f"use one of: {', '.join(known)}", "field 'reference'"
        )
    return labels


def label_files(spec: TaskSpec) -> dict[str, str]:
    """Each label input the task reads and its identity: the sha256 of a file (pinned in the
    source card, or computed for a team's own file) or a Hub dataset's address as given. Files
    are named by their path relative to the card's folder or to the project folder, never by an
    absolute local path (run records store this mapping)."""
    if spec.source is None:
        return _own(spec)[1]
    card = load_source_card(spec.source)
    framework = card.framework(spec.framework)
    used = {path for r in framework.raters for path in r.paths} | ({framework.items.file} if framework.items else set())
    return {f.path: f.sha256 for f in card.files if f.path in used}


def items_identity(spec: TaskSpec) -> str:
    """What identifies the task's items: the items file's sha256 (with the source) or a team's
    own items input. Tasks with the same identity and framework judge the same conversations, so
    a rate run's ratings can be turned into choices on a compare task's pairs."""
    if spec.source is None:
        assert spec.labels is not None
        return label_files(spec)[label_key(spec.labels.items)]
    framework = load_source_card(spec.source).framework(spec.framework)
    assert framework.items is not None
    return f"{spec.source}:{load_source_card(spec.source).file(framework.items.file).sha256}"


def human_rows(spec: TaskSpec) -> list[HumanRow]:
    """The task's human rows other than the expert ceiling, named and explained by the source
    card (a crowd, the participants' self-report, a released label: see HumanRow), less the
    task's own reference. A team's own labels have no card: their crowd (the named aggregate) is
    a crowd. A row whose rater has no rating on the task is left out by its caller."""
    if spec.source is None:
        label, about = DEFAULT_ROWS["crowd"]
        rows = [HumanRow(rater="crowd", label=label, role="crowd", about=about)]
    else:
        rows = load_source_card(spec.source).framework(spec.framework).human_rows
    return [row for row in rows if row.rater != spec.reference]


def recorded_raters(spec: TaskSpec, labels: LabelSet) -> list[str]:
    """The recorded judges: as the source card lists them, or the rater ids of group `recorded`
    in a team's own ratings."""
    if spec.source is None:
        return sorted(labels.ratings[labels.ratings.rater_group == "recorded"].rater_id.unique())
    framework = load_source_card(spec.source).framework(spec.framework)
    return [r.id for r in framework.raters if r.group == "recorded"]


def _own(spec: TaskSpec) -> tuple[LabelSet, dict[str, str]]:
    assert spec.labels is not None
    labels = spec.labels
    return read_own_labels(labels.items, labels.ratings, labels.preferences, project_dir(), f"tasks/{spec.id}.yaml")
