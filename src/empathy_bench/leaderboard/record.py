"""Run records: the summary JSON of one run (or one recorded / human comparison row) with
everything needed to trace its numbers: the candidate and its config hash, the task and
its version, rubric and prompt hashes, the label files' sha256, package versions, the git
revision, the exact command and the eval log it came from. Written under results/runs/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from inspect_ai.log import EvalLog
from pydantic import BaseModel

from empathy_bench.agreement.coach import CoachAgreement
from empathy_bench.agreement.preference import PreferenceAgreement
from empathy_bench.agreement.probe import ProbeResult
from empathy_bench.agreement.rater import RaterAgreement
from empathy_bench.core.digest import sha256_file
from empathy_bench.core.project import find_file, project_dir
from empathy_bench.runs.log import LogSummary
from empathy_bench.sources.preference import OVERALL
from empathy_bench.tasks.labels import label_files
from empathy_bench.tasks.spec import TaskSpec

# 2: alt-test by the reference procedure with its variant and per-dimension tests, shuffled alpha, fitted_on
# 3: compare tasks (preference agreement), task kind; bias probes (probe results)
# 4: coach tasks (coach agreement; the grader in the candidate)
SCHEMA_VERSION = 4
# Stored figures are rounded to this many decimals, so float noise below it (summation order
# in a library, a BLAS build) never changes a record; every figure shown has 2-4 decimals.
RECORD_DECIMALS = 6
GRADER_FIELDS = ("grader", "grader_sha256", "grader_config_sha256", "grader_mode")
PACKAGES = ["empathy-bench", "inspect-ai", "litellm", "pandas", "numpy", "scipy", "scikit-learn", "krippendorff"]
PRICE_TABLE = "litellm {litellm} bundled model_prices_and_context_window.json (LITELLM_LOCAL_MODEL_COST_MAP)"


class LogRef(BaseModel):
    name: str  # the eval log's file name (logs hold third-party text, so they stay local)
    sha256: str
    eval_id: str


class RunRecord(BaseModel):
    """One row's provenance and numbers: the rater's agreement with the reference (ratings on a
    rate task, choices on a compare task) and, for a judge run by the harness, what its log says
    (recorded judges, humans and choices derived from a rate run's ratings have no run)."""

    schema_version: int = SCHEMA_VERSION
    agreement: RaterAgreement | PreferenceAgreement | ProbeResult | CoachAgreement
    run: LogSummary | None = None
    task: dict[str, object]
    candidate: dict[str, object]
    rubric: dict[str, object]
    label_files: dict[str, str]
    packages: dict[str, str]
    price_table: str
    git_revision: str
    command: str
    log: LogRef | None = None


def record(
    agreement: RaterAgreement | PreferenceAgreement | ProbeResult | CoachAgreement,
    spec: TaskSpec,
    run: LogSummary | None = None,
    log: EvalLog | None = None,
) -> RunRecord:
    meta = (log.eval.metadata or {}) if log else {}
    packages = _packages()
    return RunRecord(
        agreement=agreement,
        run=run.model_copy(update={"log": ""}) if run else None,
        task={
            "id": spec.id,
            "version": spec.version,
            "kind": spec.kind,
            "source": spec.source_name,
            "framework": spec.framework,
            "reference": spec.reference,
            "mode": meta.get("mode", spec.mode) if spec.kind == "rate" else None,
            **({"profile": spec.profile.model_dump(), "grader": spec.grader} if spec.kind == "coach" else {}),
        },
        candidate={
            "id": agreement.rater,
            "kind": agreement.kind,
            "model": run.model if run else "",
            "config_sha256": meta.get("judge_config_sha256"),
            "prompt_sha256": meta.get("prompt_sha256"),
            "fitted_on": meta.get("fitted_on"),
            # a coach task's grader (the judge that re-rated the rewrites) and its fingerprint
            **({k: meta.get(k) for k in GRADER_FIELDS} if "grader" in meta else {}),
        },
        rubric={
            "id": spec.rubric,
            "version": spec.rubric_model.version,
            "sha256": sha256_file(find_file("rubrics", spec.rubric)),
        },
        label_files=label_files(spec),
        packages=packages,
        price_table=PRICE_TABLE.format(litellm=packages["litellm"]),
        git_revision=git_revision(),
        command=" ".join(["empathy-bench", *sys.argv[1:]])
        if Path(sys.argv[0]).name == "empathy-bench"
        else " ".join(sys.argv),
        log=LogRef(name=Path(run.log).name, sha256=sha256_file(Path(run.log)), eval_id=log.eval.eval_id)
        if log and run and run.log
        else None,
    )


def write_records(records: list[RunRecord], results_dir: Path) -> list[Path]:
    """One file per task and rater: results/runs/<task>/<rater>.json (a re-run replaces it)."""
    paths = []
    for rec in records:
        path = results_dir / rec.agreement.task / f"{record_name(rec)}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        # via pydantic's JSON (NaN -> null), rounded, then sorted keys for stable diffs
        data = _rounded(json.loads(rec.model_dump_json()))
        path.write_text(json.dumps(data, indent=1, sort_keys=True, allow_nan=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, RECORD_DECIMALS) + 0.0  # + 0.0: no "-0.0"
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def read_records(results_dir: Path) -> list[tuple[Path, RunRecord]]:
    return [
        (p, RunRecord.model_validate_json(p.read_text(encoding="utf-8"))) for p in sorted(results_dir.glob("*/*.json"))
    ]


def record_name(rec: RunRecord) -> str:
    """The rater's file name; a compare task's criteria other than `overall` and each probe get
    a suffix (results/runs/<task>/<rater>@probe-<probe>.json)."""
    if isinstance(rec.agreement, ProbeResult):
        return f"{_slug(rec.agreement.rater)}@probe-{rec.agreement.probe_id or rec.agreement.probe}"
    criterion = getattr(rec.agreement, "criterion", OVERALL)
    return _slug(rec.agreement.rater) + ("" if criterion == OVERALL else f"@{criterion}")


def _slug(rater: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in rater.replace("human: ", "human-")).strip("-")


def _packages() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def git_revision() -> str:
    """The checkout's commit, marked '-dirty' when tracked files have uncommitted changes."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=project_dir(), capture_output=True, text=True, check=True
        ).stdout.strip()
        # results/ is this command's output, so changes there do not make the code dirty
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!results"],
            cwd=project_dir(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return rev + ("-dirty" if dirty else "")
