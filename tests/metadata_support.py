"""Task metadata as a built-in kind writes it (tasks/metadata.py), for tests that build a log
header or a task by hand: every field its kind's model requires, with stand-in hashes."""

from __future__ import annotations

from typing import Any

from empathy_bench.core import kinds as registry

# what each built-in kind adds to the provenance
OWN: dict[str, dict[str, Any]] = {
    "rate": {"mode": "per_dimension", "unrated_by_reference": 0},
    "compare": {
        "criteria": ["overall"],
        "allow_tie": True,
        "pairs_without_reference": 0,
        "tie_references_not_answerable": 0,
    },
    "coach": {
        "grader": "builtin-lexicon",
        "grader_sha256": "g" * 16,
        "grader_config_sha256": "h" * 16,
        "grader_mode": "per_dimension",
        "grader_price": "list",
        "scoring_sha256": "s" * 16,
        "profile": {},
    },
}


def task_meta(task: str, kind: str = "rate", probe: str | None = None, **given: Any) -> dict[str, Any]:
    """The metadata dict a `kind` task writes (`given` replaces or adds keys); with `probe`, an
    attribution probe's three keys."""
    provenance = {
        "task": task,
        "task_version": 1,
        "kind": kind,
        "source": "kumar2025",
        "framework": "lend_an_ear",
        "reference": "experts",
        "judge": "j",
        "judge_config_sha256": "c" * 16,
        "baseline": False,
        "fitted_on": [],
        "price": "list",
        "rubric_sha256": "r" * 16,
        "prompt_sha256": "p" * 16,
        "label_files_sha256": "l" * 16,
        "items_sha256": "i" * 16,
    }
    probed = {"probe": probe, "probe_change": "attribution", "probe_sha256": "a" * 16} if probe else {}
    return registry.kind(kind).task_metadata(**provenance | OWN[kind] | probed | given).written()
