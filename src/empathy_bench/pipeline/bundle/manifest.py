"""The bundle's format (docs/submitting.md): its manifest, what `verify` found (a verdict of
differences) and the readers both sides share."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, distributions, version
from pathlib import Path

from pydantic import BaseModel, ValidationError

from empathy_bench.core.errors import InputError
from empathy_bench.core.models import input_error
from empathy_bench.leaderboard.columns import visible
from empathy_bench.leaderboard.provenance import VERIFICATION_FILE

# 1: the first bundle format (docs/submitting.md describes every field)
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"
# The files of a bundle its manifest does not list: the manifest itself, and the stamp `verify`
# writes once it passed (leaderboard/provenance.py), which a later verify must not count as foreign.
UNLISTED = (MANIFEST, VERIFICATION_FILE)
SHOWN = 8  # differences printed on the verdict's screen


class Manifest(BaseModel):
    """manifest.json: what made the bundle and the sha256 of every other file in it."""

    bundle_version: int = BUNDLE_VERSION
    harness_version: str
    git_revision: str
    python: str
    command: str
    packages: dict[str, str]  # every installed distribution and its version
    task: str  # the task id (tasks/<id>.yaml of the project that verifies)
    task_file: str  # paths inside the bundle
    candidate: str  # the candidate's id
    candidate_file: str
    prompt_file: str
    config_sha256: str  # the candidate's config fingerprint (its logs carry the same)
    n_resamples: int  # bootstrap resamples the records were measured with
    recorded: bool  # whether the label source's recorded judges were measured too
    label_files: dict[str, str]  # label file -> sha256, from the source cards of the bundle's tasks
    files: dict[str, str]  # every file of the bundle but the manifest -> sha256


@dataclass
class Difference:
    what: str
    expected: str
    found: str

    def line(self) -> str:
        # a bundle is untrusted: ids and names in it print with their control characters escaped
        return visible(f"{self.what}: expected {self.expected}, found {self.found}")


@dataclass
class Verdict:
    bundle: Path
    manifest: Manifest
    differences: list[Difference] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)  # what was checked -> how many
    stamp: str = ""  # what became of the bundle's verification.json (a folder's only)

    @property
    def ok(self) -> bool:
        return not self.differences

    def screen(self) -> str:
        """The one-screen verdict."""
        m = self.manifest
        lines = [
            visible(
                f"bundle {self.bundle}: {m.candidate} on {m.task} (bundle version {m.bundle_version}, "
                f"empathy-bench {m.harness_version}, git {m.git_revision[:12] or '?'})"
            ),
            "checked: " + ", ".join(f"{n} {what}" for what, n in self.checked.items()),
        ]
        if self.ok:
            lines.append("VERIFIED: every figure recomputed from the logs equals the records")
        else:
            lines.append(f"NOT VERIFIED: {len(self.differences)} difference(s); the first:")
            lines += [f"  - {d.line()}" for d in self.differences[:SHOWN]]
        return "\n".join(lines + ([visible(self.stamp)] if self.stamp else []))

    def line(self) -> str:
        """One line, for a folder of bundles: the verdict, whose bundle, and the first difference."""
        m = self.manifest
        counts = f"{self.checked.get('records', 0)} records, {self.checked.get('samples', 0)} samples"
        head = f"{self.bundle.name}: {m.candidate} on {m.task} ({counts})"
        if self.ok:
            return visible(f"VERIFIED      {head}")
        return visible(
            f"NOT VERIFIED  {head}: {len(self.differences)} difference(s), first {self.differences[0].line()}"
        )


def one_line(err: BaseException) -> str:
    """An exception's text on one line, cut short (the verdict and errors are one line each)."""
    return " ".join(str(err).split())[:200]


def read_manifest(folder: Path, shown: Path) -> Manifest:
    path = folder / MANIFEST
    fix = "export the bundle again (`empathy-bench export`)"
    if not path.is_file():
        raise InputError(shown, f"has no {MANIFEST}", fix)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(shown / MANIFEST, f"is not JSON ({err})", fix) from None
    version = data.get("bundle_version") if isinstance(data, dict) else None
    if isinstance(version, int) and version > BUNDLE_VERSION:
        raise InputError(
            shown / MANIFEST,
            f"is bundle version {version}, newer than this empathy-bench reads ({BUNDLE_VERSION})",
            "upgrade empathy-bench (`uv sync` on a newer checkout), then verify again",
            "field 'bundle_version'",
        )
    try:
        return Manifest.model_validate(data)
    except ValidationError as err:
        raise input_error(err, shown / MANIFEST, fix=fix) from None


def packages() -> dict[str, str]:
    """Every installed distribution and its version, named as pip shows them (inspect_ai ->
    inspect-ai)."""
    found = {re.sub(r"[-_.]+", "-", d.metadata["Name"] or "").lower(): d.version for d in distributions()}
    return dict(sorted((k, v) for k, v in found.items() if k))


def harness_version() -> str:
    """The installed empathy-bench's version."""
    try:
        return version("empathy-bench")
    except PackageNotFoundError:
        return "unknown"
