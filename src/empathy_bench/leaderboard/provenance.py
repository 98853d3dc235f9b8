"""Where a leaderboard row comes from, and whether anyone here recomputed it.

- **verified**: the row's figures were measured here from logs (`run` or `collect` wrote its
  record under results/runs/), or from the pinned labels alone (human rows, recorded judges), or
  they come from a submitted bundle that `empathy-bench verify` recomputed figure by figure and
  stamped (`verification.json`, written only on VERIFIED).
- **reported**: a record someone added without logs, or a bundle with no valid stamp (never
  verified, or changed since): its figures are the submitter's word.

The board decides this from where a record lies and from the stamp, never from anything the
record says about itself. A stamp is valid while the bundle's manifest and every record file in
it still have the sha256 they had when `verify` passed; a changed record makes its bundle
reported again. (The logs are not hashed at board time: `verify` checked them, and a stamp over
the manifest covers their hashes.)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from empathy_bench.core.digest import sha256_file
from empathy_bench.core.files import write_text_atomic

SUBMISSIONS = "submissions"  # results/submissions/<bundle>/: bundles (or bare records) from others
VERIFICATION_FILE = "verification.json"
MANIFEST_FILE = "manifest.json"
RECORDS = "records"  # <bundle>/records/<task>/<rater>.json, as results/runs/ holds them

Status = Literal["verified", "reported"]


class Verification(BaseModel):
    """verification.json: `verify` passed on this bundle; what it saw then."""

    bundle_version: int
    manifest_sha256: str
    records: dict[str, str]  # record path in the bundle -> sha256 when verified
    harness_version: str
    git_revision: str
    verified_at: str  # ISO 8601, UTC


class Provenance(BaseModel):
    status: Status
    via: str  # one line: how the figures were obtained (or why they are only reported)
    bundle: str | None = None  # the submission (results/submissions/<bundle>/) it came from


RUN = Provenance(status="verified", via="measured here from the run's logs (`run`/`collect`)")
LABELS = Provenance(status="verified", via="recomputed here from the pinned labels (no run)")


def record_files(bundle: Path) -> dict[str, Path]:
    """A bundle's record files by their path in the bundle (records/<task>/<rater>.json)."""
    return {p.relative_to(bundle).as_posix(): p for p in sorted((bundle / RECORDS).glob("*/*.json"))}


def stamp(bundle: Path, bundle_version: int, harness_version: str, git_revision: str) -> Path:
    """Write <bundle>/verification.json (after `verify` said VERIFIED on this folder)."""
    found = Verification(
        bundle_version=bundle_version,
        manifest_sha256=sha256_file(bundle / MANIFEST_FILE),
        records={rel: sha256_file(p) for rel, p in record_files(bundle).items()},
        harness_version=harness_version,
        git_revision=git_revision,
        verified_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    path = bundle / VERIFICATION_FILE
    write_text_atomic(path, found.model_dump_json(indent=1) + "\n")
    return path


def bundle_provenance(bundle: Path) -> Provenance:
    """Verified when the bundle's stamp is valid now, else reported (saying why)."""
    name = bundle.name
    stamp_path = bundle / VERIFICATION_FILE
    if not (bundle / MANIFEST_FILE).is_file():
        return Provenance(
            status="reported", bundle=name, via=f"submitted without logs ({name}: no manifest, nothing to recompute)"
        )
    if not stamp_path.is_file():
        return Provenance(
            status="reported", bundle=name, via=f"bundle {name} not verified (`empathy-bench verify` has not passed)"
        )
    try:
        seen = Verification.model_validate(json.loads(stamp_path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError, UnicodeDecodeError):
        return Provenance(
            status="reported", bundle=name, via=f"bundle {name}: {VERIFICATION_FILE} is not a valid stamp"
        )
    now = {rel: sha256_file(p) for rel, p in record_files(bundle).items()}
    if seen.manifest_sha256 != sha256_file(bundle / MANIFEST_FILE) or seen.records != now:
        return Provenance(
            status="reported", bundle=name, via=f"bundle {name} changed since `verify` passed; verify it again"
        )
    return Provenance(
        status="verified", bundle=name, via=f"bundle {name} recomputed by `empathy-bench verify` ({seen.verified_at})"
    )


def submission_folders(results_dir: Path) -> list[Path]:
    """results/submissions/<bundle>/ folders (a .tar.gz is verified, not read by the board:
    unpack it there)."""
    root = results_dir / SUBMISSIONS
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()) if root.is_dir() else []
