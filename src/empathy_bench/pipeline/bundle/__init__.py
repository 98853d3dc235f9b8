"""Submission bundles: what a team hands in so that others can check its numbers
(docs/submitting.md).

`export` (exporting.py) gathers one candidate's run records on one task, the eval logs they were
measured from, the candidate file and prompt template as used, the task file and a manifest of
versions and hashes (manifest.py); `export_all` does so for every run of a results folder.
`verify` (verifying.py) recomputes every figure from a bundle with the pipeline's own measuring code
(figures.py) after checking the manifest's hashes, the label hashes against the cards, and every
log's samples and prompts against the task's own sample builders (samples.py); on VERIFIED a
bundle folder gets the stamp the leaderboard reads (leaderboard/provenance.py).
"""

from empathy_bench.pipeline.bundle.exporting import Exported, export, export_all
from empathy_bench.pipeline.bundle.manifest import BUNDLE_VERSION, MANIFEST, Difference, Manifest, Verdict
from empathy_bench.pipeline.bundle.verifying import is_folder_of_bundles, verify, verify_all

__all__ = [
    "BUNDLE_VERSION",
    "MANIFEST",
    "Difference",
    "Exported",
    "Manifest",
    "Verdict",
    "export",
    "export_all",
    "is_folder_of_bundles",
    "verify",
    "verify_all",
]
