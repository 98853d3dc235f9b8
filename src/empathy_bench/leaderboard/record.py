"""Run records: the summary JSON of one run (or one recorded / human comparison row) with
everything needed to trace its numbers: the candidate and its config hash, the task and
its version, rubric and prompt hashes, the label files' sha256, package versions, the git
revision, the exact command and the eval log it came from. Written under results/runs/.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from inspect_ai.log import EvalLog
from pydantic import BaseModel, ValidationError

from empathy_bench.agreement.coach import CoachAgreement
from empathy_bench.agreement.preference import PreferenceAgreement
from empathy_bench.agreement.probe import ProbeResult
from empathy_bench.agreement.rater import RaterAgreement
from empathy_bench.agreement.statistics import Statistics
from empathy_bench.core.digest import sha256_bytes, sha256_file
from empathy_bench.core.errors import InputError
from empathy_bench.core.files import make_folder, refuse_link, write_text_atomic
from empathy_bench.core.project import find_file, project_dir
from empathy_bench.leaderboard.facts import TaskFacts, facts_of, fitted_on_its_items
from empathy_bench.runs.log import LogSummary
from empathy_bench.sources.preference import OVERALL
from empathy_bench.tasks.labels import label_files
from empathy_bench.tasks.metadata import task_metadata
from empathy_bench.tasks.spec import TaskSpec

# 2: alt-test by the reference procedure with its variant and per-dimension tests, shuffled alpha, fitted_on
# 3: compare tasks (preference agreement), task kind; bias probes (probe results)
# 4: coach tasks (coach agreement; the grader in the candidate)
# 5: like-for-like QWK interval, compare accuracy with ties as half (strict kept, n per figure), spread,
#    length magnitude and direction, human rows named by their card, live wall time of cached re-runs
# 6: the task's facts the board shows (title, description, dimensions, human rows, ...) travel in `task`
#    (TaskFacts), and candidate.fitted_on_items, so the board reads records only
# 7: every kind's figures as one list of statistics (agreement/statistics.py), the board their pivot
# 8: the rater's type (run, baseline, recorded, human) is `rater_type`, in the agreement and the
#    candidate (it was `kind`, the word now kept for task kinds)
RECORD_SCHEMA_VERSION = 8
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

    schema_version: int = RECORD_SCHEMA_VERSION
    # the row's figures, every kind's in one shape (agreement/statistics.py)
    agreement: Statistics
    run: LogSummary | None = None
    task: TaskFacts
    candidate: dict[str, object]
    rubric: dict[str, object]
    label_files: dict[str, str]
    packages: dict[str, str]
    price_table: str
    git_revision: str
    command: str
    log: LogRef | None = None


def record(
    agreement: RaterAgreement | PreferenceAgreement | ProbeResult | CoachAgreement | Statistics,
    spec: TaskSpec,
    run: LogSummary | None = None,
    log: EvalLog | None = None,
) -> RunRecord:
    meta = task_metadata(log).model_dump() if log else {}  # validated: a log that does not is refused
    packages = _packages()
    figures = agreement.statistics()  # a typed result's figures as statistics
    return RunRecord(
        agreement=figures,
        run=run.model_copy(update={"log": ""}) if run else None,
        task=facts_of(spec, meta),
        candidate={
            "id": figures.rater,
            "rater_type": figures.rater_type,
            "model": run.model if run else "",
            "config_sha256": meta.get("judge_config_sha256"),
            "prompt_sha256": meta.get("prompt_sha256"),
            "fitted_on": meta.get("fitted_on"),
            "fitted_on_items": fitted_on_its_items(spec, meta.get("fitted_on")),
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
        log=LogRef(name=Path(run.log).name, sha256=sha256_file(run.log), eval_id=log.eval.eval_id)
        if log and run and run.log
        else None,
    )


# What a record file says about when and how it was written, not about its figures: a record
# whose figures are unchanged is left as it is, whatever these say (no noise in a user's diff).
BOOKKEEPING = ("git_revision", "command")


def write_records(records: list[RunRecord], results_dir: Path) -> list[Path]:
    """One file per task and rater: results/runs/<task>/<name>.json (`record_path` names it; a
    re-run replaces it). Each file is written atomically and never through a link; a record whose
    figures are those already in its file is not rewritten (only the git revision or the command
    differ), so the file keeps its bytes and mtime. Every target is checked before any is written.
    Returns the files that hold the records, rewritten or already up to date."""
    planned: dict[Path, tuple[Identity, str]] = {}
    for rec in records:
        folder = results_dir / rec.agreement.task
        path = record_path(rec, folder, {p: who for p, (who, _) in planned.items()})
        rec = _keep_live_timing(rec, path)
        # via pydantic's JSON (NaN -> null), rounded, then sorted keys for stable diffs
        data = _rounded(json.loads(rec.model_dump_json()))
        assert isinstance(data, dict)
        if _same_figures(path, data):
            planned[path] = (identity(rec), "")
            continue
        planned[path] = (identity(rec), json.dumps(data, indent=1, sort_keys=True, allow_nan=False) + "\n")
    for path, (_, text) in planned.items():
        if text:
            make_folder(path.parent)
            write_text_atomic(path, text)
    return list(planned)


def _keep_live_timing(rec: RunRecord, path: Path) -> RunRecord:
    """A re-run served wholly from the cache keeps the wall time that the record in its file
    measured live, when that record is of the same candidate config, task version and items."""
    run = rec.run
    if run is None or run.usage.provider_calls or not run.usage.cached_calls:
        return rec
    old = _load_json(path)
    if not isinstance(old, dict) or not isinstance(old.get("run"), dict):
        return rec
    same = (
        (old.get("candidate") or {}).get("config_sha256") == rec.candidate.get("config_sha256")
        and (old.get("task") or {}).get("version") == rec.task.version
        and old["run"].get("n_items") == run.n_items
    )
    usage = old["run"].get("usage") or {}
    seconds = usage.get("wall_seconds") if usage.get("provider_calls") else usage.get("live_wall_seconds")
    if not same or not isinstance(seconds, int | float):
        return rec
    timed = run.usage.model_copy(update={"live_wall_seconds": float(seconds)})
    return rec.model_copy(update={"run": run.model_copy(update={"usage": timed})})


def _same_figures(path: Path, data: dict[str, object]) -> bool:
    """Whether `path` holds a record equal to `data` but for its bookkeeping."""
    old = _load_json(path)
    if not isinstance(old, dict):
        return False
    return {k: v for k, v in old.items() if k not in BOOKKEEPING} == {
        k: v for k, v in data.items() if k not in BOOKKEEPING
    }


def _load_json(path: Path) -> object:
    """A file's JSON, or None when it is absent or not JSON (a link is refused first)."""
    refuse_link(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, RECORD_DECIMALS) + 0.0  # + 0.0: no "-0.0"
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


# A task's paired comparisons of its raters (leaderboard/comparisons.py) sit beside its records
# under a name no record can have: a record's plain name starts with a letter or a digit, and a
# hashed one holds "~".
COMPARISONS_FILE = "_comparisons.json"


def read_records(results_dir: Path) -> list[tuple[Path, RunRecord]]:
    """Every record under results_dir (<task>/*.json, but for each task's COMPARISONS_FILE), read
    by content: a file's name is not trusted to say whose record it is. A file that is not a
    valid record is an InputError."""
    paths = sorted(p for p in results_dir.glob("*/*.json") if p.name != COMPARISONS_FILE)
    return [(p, _read_record(p)) for p in paths]


def _read_record(path: Path) -> RunRecord:
    fix = "delete the file, or re-run the judge to write it again (`empathy-bench run`)"
    try:
        text = path.read_bytes()
        _check_schema(path, text)
        return RunRecord.model_validate_json(text)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        raise InputError(path, f"is not a valid run record ({where}: {first['msg']})", fix) from None
    except OSError as err:
        raise InputError(path, f"cannot be read ({err.strerror or err})", fix) from None


def _check_schema(path: Path, text: bytes) -> None:
    """A record of another schema is refused before its fields are read: an older one lacks what
    the board now reads from records alone (its pydantic error would name a missing field, not
    the cause). A file that is no JSON object is left to the validation's own message."""
    try:
        data = json.loads(text)
    except ValueError:
        return
    found = data.get("schema_version") if isinstance(data, dict) else RECORD_SCHEMA_VERSION
    if found == RECORD_SCHEMA_VERSION:
        return
    # as JSON, cut short: a hostile file's value reaches the terminal escaped and bounded
    said = "with no schema_version" if found is None else f"of schema {json.dumps(found)[:40]}"
    what = f"is a run record {said}; this empathy-bench reads schema {RECORD_SCHEMA_VERSION}"
    if isinstance(found, int) and found > RECORD_SCHEMA_VERSION:
        raise InputError(path, what, "update empathy-bench: a newer version wrote this record")
    raise InputError(
        path,
        what,
        "re-run `empathy-bench run` with the same --log-dir (nothing that finished is redone) or `empathy-bench "
        "collect LOG_DIR` to rewrite it; a submitted record: export its bundle again with this version",
    )


# --- record file names ----------------------------------------------------------------------
#
# A record's file is named after its rater so that results/runs/ reads like the leaderboard:
# `gpt-4o.json`, `human-crowd.json`, `builtin-lexicon@probe-length.json`. A name is plain only
# when it stands for one rater: an ordinary id (letters, digits, `-`, `_`, `.`, at most
# NAME_LIMIT long) or one of the harness's own labels (the human rows, "<id> (as coach)",
# "<id> (from ratings)"), and not a name the harness's own rows are filed under (`builtin-` and
# `model-` for the judges it runs, `human-` for the human rows) unless it is one of them. Any
# other id (spaces, slashes, other letters, a very long id) gets a readable slug cut to
# NAME_LIMIT, `~` and a short hash of the exact (task, rater type, id, criterion or probe): `a b` and
# `a/b` never share a file, nor a recorded rater and a run of the same name. `~` and `@` never
# occur in a slug, so no plain name equals a hashed one. A plain name whose file already holds
# another rater's record (a case-insensitive file system, two ids with one slug) is not taken:
# the newcomer gets its hashed name. The reader reads every file by content, so it finds a
# record under any of these names.

Identity = tuple[str, str, str, str]
NAME_LIMIT = 80  # characters of the rater's part of a file name (a file name may have 255)
HASH_DIGITS = 8
HARNESS_SUFFIXES = (" (as coach)", " (from ratings)")  # rows the harness derives from a rater's ratings
CANDIDATE_PREFIXES = ("builtin-", "model-")  # the harness's own judges and ad-hoc model-string judges
ORDINARY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
HUMAN = "human: "
HUMAN_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._()-]*")


def identity(rec: RunRecord) -> Identity:
    """Whose record it is: task, rater type (a run and a baseline are one: judges the harness
    runs), the exact rater id, and the criterion or probe (`_variant`)."""
    a = rec.agreement
    return _identity(a.task, a.rater_type, a.rater, a.probe_id or a.probe, a.criterion or OVERALL)


def _identity(task: str, rater_type: str, rater: str, probe: str | None, criterion: str) -> Identity:
    return (task, "candidate" if rater_type in ("run", "baseline") else rater_type, rater, _variant(probe, criterion))


def _stored_identity(data: object) -> Identity | None:
    """Whose record a file's JSON is, read from its agreement's fields alone (a record of an older
    schema is still recognised: before schema 8 the rater type was `kind`); None when it is not a
    record at all."""
    a = data.get("agreement") if isinstance(data, dict) else None
    if not isinstance(a, dict):
        return None
    rater_type = a.get("rater_type", a.get("kind"))
    if not all(isinstance(v, str) for v in (a.get("task"), rater_type, a.get("rater"))):
        return None
    probe = a.get("probe_id") or a.get("probe")
    return _identity(
        a["task"], str(rater_type), a["rater"], str(probe) if probe else None, str(a.get("criterion") or OVERALL)
    )


def _variant(probe: str | None, criterion: str) -> str:
    """'' for a rater's main record; '@<criterion>' for a compare task's criteria other than
    `overall`; '@probe-<probe>' for a probe's."""
    if probe:
        return f"@probe-{_file_name_part(probe)[:NAME_LIMIT]}"
    return "" if criterion == OVERALL else f"@{_file_name_part(criterion)[:NAME_LIMIT]}"


def record_name(rec: RunRecord) -> str:
    """The record's plain file name (without .json) when its rater has one, else its hashed one:
    results/runs/<task>/<rater>.json, <rater>@<criterion>.json, <rater>@probe-<probe>.json."""
    return _plain_name(rec) or hashed_name(rec)


def hashed_name(rec: RunRecord) -> str:
    """The name no other record can have: a readable slug and a hash of the exact identity."""
    digest = sha256_bytes(json.dumps(identity(rec)))[:HASH_DIGITS]
    readable = _file_name_part(rec.agreement.rater)[:NAME_LIMIT].lstrip(".") or "rater"
    return f"{readable}~{digest}{identity(rec)[3]}"


def _plain_name(rec: RunRecord) -> str | None:
    a = rec.agreement
    if a.rater_type == "human" and a.rater.startswith(HUMAN):
        # the harness's human rows: "human: crowd", "human: expert (leave-one-out)"
        ordinary = HUMAN_LABEL.fullmatch(a.rater[len(HUMAN) :]) is not None
        borrowed = False
    else:
        suffix = next((x for x in HARNESS_SUFFIXES if a.rater.endswith(x)), "")
        base = a.rater[: len(a.rater) - len(suffix)]
        ordinary = ORDINARY.fullmatch(base) is not None
        # a name the harness's own judges (or its human rows) are filed under
        borrowed = a.rater_type not in ("run", "baseline") and base.startswith(CANDIDATE_PREFIXES)
        borrowed |= base.startswith("human-")
    if not ordinary or borrowed or len(a.rater) > NAME_LIMIT:
        return None
    return _file_name_part(a.rater) + identity(rec)[3]


def record_path(rec: RunRecord, folder: Path, claimed: dict[Path, Identity] | None = None) -> Path:
    """Where `rec` is written in `folder`: its hashed name where a file of that name already
    holds it, else its plain name unless that file (or one `claimed` in this batch) holds another
    rater's record, else its hashed name."""
    claimed = claimed or {}
    mine = identity(rec)
    hashed = folder / f"{hashed_name(rec)}.json"
    plain_name = _plain_name(rec)
    if plain_name is None or _holder(hashed, claimed) == mine:
        return hashed
    plain = folder / f"{plain_name}.json"
    holder = _holder(plain, claimed)
    return plain if holder in (None, mine) else hashed


def _holder(path: Path, claimed: dict[Path, Identity]) -> Identity | None:
    """Whose record `path` holds (None: no file, or not JSON: a half-written file is replaced);
    a link is refused. JSON that is no record is never overwritten."""
    if path in claimed:
        return claimed[path]
    data = _load_json(path)
    if data is None:
        return None
    return _stored_identity(data) or ("", "", "", "not a record")


def _file_name_part(rater: str) -> str:
    """A readable file-name part: ASCII letters, digits, `-`, `_` and `.`; anything else `-`."""
    text = rater.replace(HUMAN, "human-")
    return "".join(c if (c.isascii() and c.isalnum()) or c in "-_." else "-" for c in text).strip("-")


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
