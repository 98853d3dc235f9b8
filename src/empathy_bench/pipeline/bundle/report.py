"""What `export` and `verify` print and the exit status they return, kept here so that the
command line only parses arguments: one verdict screen for a bundle, one line per bundle and a
total for a folder of bundles (or for `export --all`)."""

from __future__ import annotations

from pathlib import Path

from empathy_bench.core.errors import InputError
from empathy_bench.leaderboard.columns import visible
from empathy_bench.pipeline.bundle.exporting import Exported
from empathy_bench.pipeline.bundle.manifest import Verdict
from empathy_bench.pipeline.bundle.verifying import is_folder_of_bundles, verify, verify_all

VERIFIED, DIFFERS, UNREADABLE = 0, 1, 2  # exit statuses (docs/submitting.md)


def export_report(done: list[Exported], out: Path) -> tuple[str, int]:
    """`export --all`: a line per bundle written or not, a total; 1 when any could not be."""
    if not done:
        raise InputError(
            "export --all", "found no record that names a log", "give --results-dir the run's records folder"
        )
    lines = [
        visible(f"bundle written: {e.bundle}" if e.bundle else f"NOT EXPORTED {e.rater} on {e.task}: {e.error}")
        for e in done
    ]
    failed = sum(e.bundle is None for e in done)
    lines.append(
        f"{len(done) - failed} bundle(s) written under {out}, {failed} not exported "
        f"(check them with `empathy-bench verify {out}`)"
    )
    return "\n".join(lines), DIFFERS if failed else VERIFIED


def verify_report(path: Path, stamping: bool) -> tuple[str, int]:
    """`verify`: a bundle's one-screen verdict, or for a folder of bundles a line per bundle and
    the total; the exit status is the worst: 2 when a bundle cannot be read, 1 when one differs."""
    if not is_folder_of_bundles(path):
        verdict = verify(path, stamping=stamping)
        return verdict.screen(), VERIFIED if verdict.ok else DIFFERS
    found = verify_all(path, stamping=stamping)
    lines, status = [], VERIFIED
    for bundle, outcome in found:
        if isinstance(outcome, Verdict):
            lines.append(outcome.line())
            status = max(status, VERIFIED if outcome.ok else DIFFERS)
        else:
            lines.append(visible(f"UNREADABLE    {bundle.name}: {outcome}"))
            status = UNREADABLE
    verdicts = [v for _, v in found if isinstance(v, Verdict)]
    ok = sum(v.ok for v in verdicts)
    records = sum(v.checked.get("records", 0) for v in verdicts)
    samples = sum(v.checked.get("samples", 0) for v in verdicts)
    lines.append(
        f"{len(found)} bundle(s): {ok} verified, {len(verdicts) - ok} not verified, "
        f"{len(found) - len(verdicts)} unreadable ({records} records, {samples} samples checked)"
    )
    if stamping:
        lines.append(f"stamps: {ok} written (verification.json); the bundles that failed have none")
    return "\n".join(lines), status
