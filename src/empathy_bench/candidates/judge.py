"""Candidate files: evals/judges/*.yaml (judges) and evals/coaches/*.yaml (coaches) name a model,
a prompt template and generation settings. A candidate is a config file plus a prompt, not a
class: a judge rates or compares, a coach writes feedback; both are read into `Judge` (the
candidate file's model), told apart by `kind`."""

from __future__ import annotations

import importlib.metadata
import re
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from empathy_bench.candidates.prompt import Mode
from empathy_bench.core.digest import sha256_bytes
from empathy_bench.core.errors import InputError
from empathy_bench.core.models import FileModel
from empathy_bench.core.project import load_named, project_files
from empathy_bench.core.secrets import CREDENTIAL_NAME, KEY_LIKE

CandidateKind = Literal["rate", "compare", "coach"]
DEFAULT_PROMPTS = {"rate": "rubric_judge", "compare": "compare_judge", "coach": "coach_feedback"}
COACHES = "evals/coaches"
# The inspect model role a coach task binds its grader to (tasks/coach.py), under which the log
# keeps the grader's usage (runs/log.py)
GRADER = "grader"

# Model args are written into every eval log, so none may hold a credential: keys come only
# from the environment (or a .env file). Any key, at any depth, whose name looks like one is
# refused (e.g. api_key, extra_headers.Authorization, aws_secret_access_key).
SECRET_NAME = re.compile(r"key|token|secret|auth|password|credential", re.I)


def secret_args(args: object, path: str = "") -> list[str]:
    """Dotted names of the arguments that look like credentials."""
    if not isinstance(args, dict):
        return []
    found = []
    for name, value in args.items():
        where = f"{path}.{name}" if path else str(name)
        if SECRET_NAME.search(str(name)):
            found.append(where)
        found += secret_args(value, where)
    return found


class Generation(FileModel):
    """The generation settings a judge file may set (inspect GenerateConfig fields)."""

    temperature: float | None = Field(0.0, ge=0)
    max_tokens: int | None = Field(None, ge=1)
    top_p: float | None = Field(None, gt=0, le=1)
    seed: int | None = None
    max_connections: int | None = Field(None, ge=1)
    timeout: int | None = Field(None, ge=1)  # seconds per call; unset: DEFAULT_TIMEOUT


# `api_key_env: none`: the server at base_url needs no key (a placeholder is sent instead, so no
# provider's key in the environment goes there).
NO_KEY = "none"
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# litellm.acompletion arguments that would send requests (and a provider's key) to another host
# than the model's provider: only `base_url`, with its `api_key_env`, may do that.
URL_ARGS = ("api_base", "base_url")


class Price(FileModel):
    """A candidate's own price in USD per million tokens, used instead of litellm's price table
    (e.g. 0.0 for a self-hosted model, whose name may be a provider's priced model)."""

    input_per_million: float = Field(ge=0)
    output_per_million: float = Field(ge=0)


class Judge(FileModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: str = ""
    # inspect model string; `litellm/<litellm model>` goes through litellm (any provider,
    # local servers, and the built-in offline judges `litellm/builtin/<name>`).
    model: str
    base_url: str | None = None  # local OpenAI-compatible servers (Ollama, vLLM, llama.cpp)
    # Required with base_url, since the file (maybe someone else's) chooses the host: the
    # environment variable (or .env entry) that holds that server's key, e.g. VLLM_API_KEY, or
    # `none` when it needs none. A provider's own key (OPENAI_API_KEY, ...) is sent only to the
    # provider's own host unless named here. Only the name is in the file and the eval log.
    api_key_env: str | None = Field(None, validate_default=True)
    model_args: dict[str, Any] = {}  # passed to litellm.acompletion; never keys (env only)
    # USD per million tokens, instead of litellm's price table; a judge with base_url and no
    # price is priced as unknown (never at the list price of the model name it serves under)
    price: Price | None = None
    # the kind of task the candidate answers: rate (a rating per dimension), compare (a choice
    # between two conversations) or coach (feedback for the supporter; evals/coaches/); a
    # candidate runs only on tasks of its kind
    kind: CandidateKind = "rate"
    prompt: str | None = None  # evals/prompts/<name>.md; None: the default prompt of its kind
    mode: Mode | None = None  # None: the task's mode (rate)
    generation: Generation = Generation()
    offline: bool = False  # true for the built-in judges: runs without keys or network
    baseline: bool = False  # a trivial baseline (constant, length): shown as such on the leaderboard
    # package extras ([project.optional-dependencies]) the judge needs, e.g. [embedding]: the
    # default run leaves the judge out while one is not installed
    requires: list[str] = []
    # Honesty about fitting: the task ids whose items were used to write, tune or select this
    # judge (its prompt, cues, few-shot examples, thresholds). Its rows on those tasks are
    # marked on every surface of the leaderboard. `derived_from` says what it was built from.
    fitted_on: list[str] = []
    derived_from: str = ""

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, url: str | None, info: ValidationInfo) -> str | None:
        """A key in a URL (https://user:key@host) is refused (a judge file is written into every
        eval log), and so is a base_url for a model that does not go through litellm, whose
        provider would send its own key there."""
        if url is None:
            return url
        if USERINFO.search(url):
            raise ValueError("base_url carries credentials (user:password@); keep keys in the environment or .env")
        model = str(info.data.get("model", ""))
        if not model.startswith("litellm/"):
            raise PydanticCustomError(
                "base_url_model",
                "base_url is honoured only for a litellm/ model (e.g. litellm/openai/{name}), where the "
                "harness decides which key goes to that host; '{model}' would send its provider's key there",
                {"model": model, "name": model.rsplit("/", 1)[-1] or "my-model"},
            )
        return url

    @field_validator("api_key_env")
    @classmethod
    def _api_key_env(cls, name: str | None, info: ValidationInfo) -> str | None:
        url = info.data.get("base_url")
        if name is None:
            if url:
                raise PydanticCustomError(
                    "missing",
                    "base_url sends every request to {url}, so the file must name the environment variable "
                    "that holds that server's key (api_key_env: VLLM_API_KEY) or say it needs none "
                    "(api_key_env: none); a provider's own key is never sent to another host",
                    {"url": url},
                )
            return None
        if name.lower() == NO_KEY:
            if not url:
                raise PydanticCustomError(
                    "no_key_without_base_url",
                    "api_key_env: none is for a server at base_url; without base_url the provider's own "
                    "key is used: remove api_key_env, or name the variable that holds the key",
                )
            return NO_KEY
        if not ENV_NAME.match(name) or not CREDENTIAL_NAME.search(name):
            raise PydanticCustomError(
                "api_key_env_name",
                "'{name}' is not an environment variable name ending in _KEY, _TOKEN or _SECRET (only such "
                "names are masked in every message and log): use e.g. VLLM_API_KEY, or none",
                {"name": name},
            )
        return name

    @field_validator("model_args")
    @classmethod
    def _no_url_in_model_args(cls, args: dict[str, Any]) -> dict[str, Any]:
        if found := [name for name in args if str(name).lower() in URL_ARGS]:
            raise PydanticCustomError(
                "url_in_model_args",
                "model_args.{name} would send requests (and the provider's key) to another host: use the "
                "base_url field, with api_key_env naming that server's key variable (or none)",
                {"name": found[0]},
            )
        return args

    @model_validator(mode="after")
    def _no_credentials_in_values(self) -> Judge:
        """A judge file is written into every eval log: a value shaped like a provider key under
        any field name is refused."""
        for where, value in _strings(self.model_dump(include={"model", "base_url", "model_args", "description"})):
            if KEY_LIKE.search(value):
                raise ValueError(
                    f"{where} holds a value shaped like an API key; keys come only from the environment or .env"
                )
        return self

    @property
    def prompt_name(self) -> str:
        return self.prompt or DEFAULT_PROMPTS[self.kind]

    @property
    def config_hash(self) -> str:
        """What the candidate's replies depend on: neither where its key comes from nor its
        price (changing them asks no provider again)."""
        return sha256_bytes(self.model_dump_json(exclude={"api_key_env", "price"}), short=True)

    @property
    def connection_args(self) -> dict[str, Any]:
        """What inspect's get_model takes beside the model string: the base_url, the model args,
        and the name (never the value) of the variable holding the server's key."""
        key = {"api_key_env": self.api_key_env} if self.api_key_env else {}
        return {"base_url": self.base_url, **self.model_args, **key}

    @property
    def pricing(self) -> dict[str, float] | str:
        """How a run of this candidate is priced, as its log records it: the file's own `price`;
        else `unknown` for a server at base_url (the model name it serves under may be a
        provider's, whose list price says nothing of what the server costs); else `list`
        (litellm's bundled price table)."""
        if self.price is not None:
            return self.price.model_dump()
        return "unknown" if self.base_url else "list"


USERINFO = re.compile(r"://[^/@\s]+@")


def _strings(value: object, path: str = "") -> list[tuple[str, str]]:
    """(dotted path, text) of every string in a nested structure."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _strings(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in _strings(v, f"{path}[{i}]")]
    return []


# the candidate kinds a grader and a coach file must have (a candidate's kind, not a task's)
GRADER_KIND: CandidateKind = "rate"  # a grader rates the conversation a coach rewrote
COACH_KIND: CandidateKind = "coach"
# where each kind's candidate files are
CANDIDATE_FOLDERS: dict[CandidateKind, str] = {
    "rate": "evals/judges",
    "compare": "evals/judges",
    "coach": "evals/coaches",
}


@cache
def load_judge(name: str, kind: CandidateKind = "rate") -> Judge:
    """A judge by id (evals/judges/<id>.yaml), by path, or a bare model string
    (`provider/model`, run with the default prompt of `kind`)."""
    if _is_model_string(name):
        # "model-" keeps an ad-hoc judge's records apart from a judge file of a similar name
        return Judge(id="model-" + _model_id_part(name), model=name, kind=kind)
    return load_named("evals/judges", name, Judge)[1]


def _is_model_string(name: str) -> bool:
    return "/" in name and not name.endswith((".yaml", ".yml"))


def load_grader(name: str) -> Judge:
    """The judge a coach task re-rates rewrites with: a judge file or model string of kind rate."""
    grader = load_judge(name, GRADER_KIND)
    if grader.kind != GRADER_KIND:
        raise InputError(
            f"grader {name}",
            f"'{name}' is a {grader.kind} judge, and a grader rates a conversation",
            "name a judge of kind rate (evals/judges/), e.g. builtin-lexicon, in the task's grader or --grader",
        )
    return grader


@cache
def load_coach(name: str) -> Judge:
    """A coach by id (evals/coaches/<id>.yaml), by path, or a bare model string (run with the
    default coach prompt). A candidate file of another kind is refused."""
    if _is_model_string(name):
        return Judge(id="model-" + _model_id_part(name), model=name, kind="coach")
    path, coach = load_named(COACHES, name, Judge)
    if coach.kind != COACH_KIND:
        raise InputError(path, f"a coach file has kind '{coach.kind}'", "set kind: coach", where="field 'kind'")
    return coach


def coach_ids() -> list[str]:
    return [p.stem for p in project_files(COACHES)]


def extra_installed(extra: str) -> bool:
    """Whether every distribution that empathy-bench's extra `extra` lists is installed (read
    from the installed package's own metadata; False for an extra it does not define)."""
    try:
        requirements = importlib.metadata.requires("empathy-bench") or []
    except importlib.metadata.PackageNotFoundError:
        return False
    marker = re.compile(rf"""\bextra\s*==\s*["']{re.escape(extra)}["']""")
    names = [re.match(r"[A-Za-z0-9._-]+", r) for r in requirements if ";" in r and marker.search(r.split(";", 1)[1])]
    needed = [m.group(0) for m in names if m]
    try:
        return bool(needed) and all(importlib.metadata.version(name) for name in needed)
    except importlib.metadata.PackageNotFoundError:
        return False


def judge_ids() -> list[str]:
    return [p.stem for p in project_files("evals/judges")]


def _model_id_part(model: str) -> str:
    """The id of an ad-hoc judge after `model-`: the model string lower-cased, each run of other
    characters than a-z, digits, `_`, `.` and `-` one `-` (not leaderboard/record.py's file-name
    part, which keeps case and names record files)."""
    return re.sub(r"[^a-z0-9_.-]+", "-", model.lower()).strip("-")


def prompt_path(judge: Judge) -> Path:
    from empathy_bench.candidates.prompt import template_path

    return template_path(judge.prompt_name)
