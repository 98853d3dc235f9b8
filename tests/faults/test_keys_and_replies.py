"""Hostile files and broken replies against a real HTTP server on 127.0.0.1 (fault_server.py):
where a judge file's key goes (exactly the headers the server received), what a reply that
cannot be read becomes (its unscored reason, how many requests, how fast), what a wrong URL
says, and what a self-hosted model costs."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from fault_server import Fault, FaultServer
from inspect_ai.log import read_eval_log

from empathy_bench.candidates.judge import load_judge
from empathy_bench.candidates.litellm_api import PLACEHOLDER_KEY, LitellmAPI
from empathy_bench.cli import main
from empathy_bench.core.errors import InputError
from empathy_bench.pipeline import RunResult, run
from empathy_bench.runs.execute import RunOptions, eval_set_settings
from empathy_bench.runs.log import LogSummary, price

# assembled, so no key-shaped literal is tracked
SENTINEL = "sk" + "-sentinel-openai-key-0123456789abcdef"  # the user's real provider key
LOCAL = "local" + "-server-key-fedcba9876543210"  # the key of the user's own server
LIMIT = 2  # samples per run (EPITOME: one item, two of its dimensions)
LOCAL_VAR = "MY_LOCAL_KEY"


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the provider keys litellm would pick from the environment for openai/ and hosted_vllm/
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)
    monkeypatch.setenv("HOSTED_VLLM_API_KEY", SENTINEL)
    # set, then deleted: the fixture's undo also removes a value a test's .env file loads
    monkeypatch.setenv(LOCAL_VAR, "placeholder")
    monkeypatch.delenv(LOCAL_VAR)
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # no .env of the developer's


def write_judge(tmp_path: Path, name: str, body: str) -> Path:
    """A judge file (a fresh name for each: judge files are read once per process)."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"id: {name}\n{body}generation: {{timeout: 3, max_connections: 1}}\n")
    return path


def local_judge(tmp_path: Path, name: str, url: str, key_env: str, model: str = "openai/fault-model") -> Path:
    return write_judge(tmp_path, name, f"model: litellm/{model}\nbase_url: {url}\napi_key_env: {key_env}\n")


def run_judge(tmp_path: Path, judge: Path, log_dir: str = "logs", **options: object) -> RunResult:
    settings = {"judges": [str(judge)], "tasks": ["epitome"], "limit": LIMIT, "display": "none", "max_retries": 2}
    return run(RunOptions(log_dir=str(tmp_path / log_dir), **(settings | options)), n_resamples=10, recorded=False)  # type: ignore[arg-type]


def judge_run(result: RunResult) -> LogSummary:
    [row] = [r.run for r in result.rows if r.run is not None]
    return row


def files_holding(tmp_path: Path, secret: str) -> list[str]:
    """Every file under tmp_path (eval logs unzipped, the cache aside) that holds `secret`."""
    found = []
    for path in tmp_path.rglob("*"):
        if not path.is_file() or "cache" in path.parts or path.name == ".env":
            continue
        if path.suffix == ".eval":
            with zipfile.ZipFile(path) as archive:
                found += [f"{path.name}:{n}" for n in archive.namelist() if secret.encode() in archive.read(n)]
        elif secret.encode() in path.read_bytes():
            found.append(str(path))
    return found


def headers_holding(server: FaultServer, secret: str) -> list[str]:
    return [f"{name}: {value}" for seen in server.seen.headers for name, value in seen.items() if secret in value]


# -- where the key goes -------------------------------------------------------------------------


@pytest.mark.slow
def test_a_base_url_without_a_key_variable_is_refused_at_load_and_nothing_is_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FaultServer(Fault()) as server:
        path = write_judge(tmp_path, "no-key-var", f"model: litellm/openai/fault-model\nbase_url: {server.url}\n")
        with pytest.raises(InputError) as refused:
            load_judge(str(path))
        assert str(refused.value) == (
            f"{path}, field 'api_key_env': base_url sends every request to {server.url}, so the file must name "
            "the environment variable that holds that server's key (api_key_env: VLLM_API_KEY) or say it needs "
            "none (api_key_env: none); a provider's own key is never sent to another host. Fix: add this field"
        )
        argv = ["run", "--judge", str(path), "--task", "epitome", "--limit", "2", "--display", "none"]
        code = main([*argv, "--log-dir", str(tmp_path / "logs"), "--no-results", "--no-recorded"])
        err = capsys.readouterr().err
        assert server.requests == 0
    assert code == 2 and "Traceback" not in err
    assert f"error: {path}, field 'api_key_env': base_url sends every request to {server.url}" in err


@pytest.mark.slow
@pytest.mark.parametrize("model", ["openai/fault-model", "hosted_vllm/fault-model"])
def test_api_key_env_none_sends_no_key_from_the_environment(tmp_path: Path, model: str) -> None:
    with FaultServer(Fault(mode="ok")) as server:
        judge = local_judge(tmp_path, "none-key", server.url, "none", model)
        result = judge_run(run_judge(tmp_path, judge))
        assert server.requests == LIMIT
        # a placeholder, never the provider's key (OPENAI_API_KEY / HOSTED_VLLM_API_KEY) from the environment
        assert server.seen.authorizations == [f"Bearer {PLACEHOLDER_KEY}"] * LIMIT
        assert headers_holding(server, SENTINEL) == []
    assert result.n_unscored == 0
    assert files_holding(tmp_path, SENTINEL) == []


@pytest.mark.slow
@pytest.mark.parametrize("source", ["environment", "dotenv"])
def test_api_key_env_sends_exactly_that_key_and_logs_only_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    if source == "environment":
        monkeypatch.setenv(LOCAL_VAR, LOCAL)
    else:
        (tmp_path / ".env").write_text(f"{LOCAL_VAR}={LOCAL}\n")
    with FaultServer(Fault(mode="ok")) as server:
        judge = local_judge(tmp_path, f"named-key-{source}", server.url, LOCAL_VAR)
        result = run_judge(tmp_path, judge)
        assert server.seen.authorizations == [f"Bearer {LOCAL}"] * LIMIT
        assert headers_holding(server, SENTINEL) == []
    assert judge_run(result).n_unscored == 0
    [log] = result.logs
    assert read_eval_log(log.location).eval.model_args == {"api_key_env": LOCAL_VAR}  # the name, not the value
    assert files_holding(tmp_path, LOCAL) == [] and files_holding(tmp_path, SENTINEL) == []


@pytest.mark.slow
def test_an_api_key_env_that_is_not_set_is_refused_before_any_request(tmp_path: Path) -> None:
    with FaultServer(Fault(mode="ok")) as server:
        judge = local_judge(tmp_path, "unset-key", server.url, LOCAL_VAR)
        with pytest.raises(InputError) as refused:
            run_judge(tmp_path, judge)
        assert server.requests == 0
    assert str(refused.value) == (
        f"litellm/openai/fault-model: no credentials: {LOCAL_VAR} (the judge's api_key_env) is not set. "
        "Fix: set it in the environment or in a .env file in this folder (keys never go in judge files)"
    )


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        (  # litellm's own argument for the URL, around base_url and its api_key_env
            "model: litellm/openai/gpt-4o\nmodel_args: {api_base: 'http://127.0.0.1:9/v1'}\n",
            "model_args",
            "model_args.api_base would send requests (and the provider's key) to another host",
        ),
        (  # a model that does not go through litellm: its provider would send its key there
            "model: openai/gpt-4o\nbase_url: http://127.0.0.1:9/v1\napi_key_env: none\n",
            "base_url",
            "base_url is honoured only for a litellm/ model (e.g. litellm/openai/gpt-4o)",
        ),
        (  # a variable whose value the harness would not mask
            "model: litellm/openai/gpt-4o\nbase_url: http://127.0.0.1:9/v1\napi_key_env: OPENAI_BASE\n",
            "api_key_env",
            "'OPENAI_BASE' is not an environment variable name ending in _KEY, _TOKEN or _SECRET",
        ),
        (
            "model: litellm/openai/gpt-4o\napi_key_env: none\n",
            "api_key_env",
            "api_key_env: none is for a server at base_url",
        ),
        (
            "model: litellm/openai/gpt-4o\nprice: {input_per_million: -1, output_per_million: 0}\n",
            "price.input_per_million",
            "Input should be greater than or equal to 0",
        ),
    ],
)
def test_judge_files_that_would_route_a_key_elsewhere_are_refused(
    tmp_path: Path, body: str, field: str, problem: str
) -> None:
    path = write_judge(tmp_path, f"hostile-{abs(hash(body))}", body)
    with pytest.raises(InputError) as refused:
        load_judge(str(path))
    message = str(refused.value)
    assert message.startswith(f"{path}, field '{field}': {problem}"), message
    assert ". Fix: " in message


def test_plain_inspect_with_a_base_url_must_name_the_key_too() -> None:
    # `inspect eval --model litellm/openai/x --model-base-url URL`: the same rule, at the model API
    with pytest.raises(InputError, match="a base_url with no api_key_env"):
        LitellmAPI("openai/x", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(InputError, match="model arg api_base would send requests"):
        LitellmAPI("openai/x", api_base="http://127.0.0.1:9/v1")
    assert LitellmAPI("openai/x", base_url="http://127.0.0.1:9/v1", api_key_env="none").api_key == PLACEHOLDER_KEY
    assert LitellmAPI("openai/x").api_key is None  # the provider's own host: litellm takes OPENAI_API_KEY


def test_every_project_file_with_a_base_url_says_where_its_key_comes_from() -> None:
    from empathy_bench.candidates.judge import coach_ids, judge_ids, load_coach

    candidates = [load_judge(j) for j in judge_ids()] + [load_coach(c) for c in coach_ids()]
    local = [c for c in candidates if c.base_url]
    assert len(local) >= 4 and all(c.api_key_env == "none" for c in local)
    assert all(c.pricing == "unknown" for c in local)  # never the list price of the name they serve under


# -- replies that cannot be read ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "why"),
    [
        ("not_json", "could not be read (JSONDecodeError: "),
        ("cut_body", "could not be read (JSONDecodeError: "),
        ("cut_string", "could not be read (JSONDecodeError: Unterminated string"),
        ("wrong_shape", "could not be read (a body litellm cannot convert: "),
    ],
)
def test_a_reply_that_cannot_be_read_is_a_bad_reply_at_once(tmp_path: Path, mode: str, why: str) -> None:
    start = time.monotonic()
    with FaultServer(Fault(mode=mode)) as server:
        result = run_judge(tmp_path, local_judge(tmp_path, f"reply-{mode}", server.url, "none"))
        seconds = time.monotonic() - start
        assert server.requests == LIMIT  # the first attempt only: never retried as a server error
    summary = judge_run(result)
    assert (summary.n_unscored, summary.unscored_reasons) == (LIMIT, {"bad_reply": LIMIT})
    errors = [s.output.error or "" for log in result.logs for s in read_eval_log(log.location).samples or []]
    assert len(errors) == LIMIT and all(why in e for e in errors), errors
    # was 11 requests over 98.5 s, then the run failed
    assert seconds < 30, seconds


@pytest.mark.slow
def test_an_error_page_that_is_not_json_is_still_retried(tmp_path: Path) -> None:
    # a proxy's HTML 502 is a server error, not a reply: the JSON check is on replies only
    with FaultServer(Fault(mode="server_error", status=502, failures=1)) as server:
        server.error_body = b"<html><body>502 Bad Gateway</body></html>"
        result = judge_run(run_judge(tmp_path, local_judge(tmp_path, "html-502", server.url, "none")))
        assert server.requests == LIMIT + 1
    assert result.n_unscored == 0


# -- a wrong URL or model name ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("wrong", ["url_without_v1", "model_not_served"])
def test_a_404_fails_in_one_line_saying_what_to_check_and_not_to_resume(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], wrong: str
) -> None:
    fault = Fault(mode="ok", served="Qwen/Qwen2.5-7B-Instruct" if wrong == "model_not_served" else None)
    with FaultServer(fault) as server:
        url = server.root if wrong == "url_without_v1" else server.url
        judge = local_judge(tmp_path, f"wrong-{wrong}", url, "none")
        argv = ["run", "--judge", str(judge), "--task", "epitome", "--limit", "2", "--display", "none"]
        code = main([*argv, "--log-dir", str(tmp_path / "logs"), "--no-results", "--no-recorded", "--resamples", "10"])
        captured = capfd.readouterr()
        assert 1 <= server.requests <= LIMIT  # a 404 is not retried (max retries would make it 6 and more)
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert code == 2 and errors == [
        f"error: litellm/openai/fault-model at {url}: the server answered 404 Not Found. Fix: check that "
        "base_url ends in /v1 (e.g. http://localhost:8000/v1) and the server serves a model named 'fault-model'"
    ]
    everything = captured.out + captured.err
    assert "re-run" not in everything and "Traceback" not in everything
    # nor inspect's "retry_immediate=True has no effect..." warning, nor litellm's help banner
    assert "retry_immediate" not in everything and "Give Feedback" not in everything


def test_eval_set_restarts_no_failed_task_and_so_asks_for_no_immediate_retry() -> None:
    # a restarted task would send each of its prompts again, (max retries + 1) times each
    settings = eval_set_settings(RunOptions())
    assert (settings["retry_attempts"], settings["retry_immediate"], settings["max_retries"]) == (0, False, 5)


# -- price --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_self_hosted_model_is_priced_by_its_file_or_not_at_all(tmp_path: Path) -> None:
    # served under a name litellm prices (gpt-4o): the list price would be a made-up cost
    with FaultServer(Fault(mode="ok")) as server:
        plain = local_judge(tmp_path, "hosted-gpt-4o", server.url, "none", model="openai/gpt-4o")
        priced = write_judge(
            tmp_path,
            "hosted-gpt-4o-priced",
            f"model: litellm/openai/gpt-4o\nbase_url: {server.url}\napi_key_env: none\n"
            "price: {input_per_million: 2.5, output_per_million: 10.0}\n",
        )
        unknown = run_judge(tmp_path, plain)
        own = run_judge(tmp_path, priced, log_dir="logs-priced")
    no_price, with_price = judge_run(unknown).usage, judge_run(own).usage
    assert (no_price.input_tokens, no_price.output_tokens) == (100 * LIMIT, 5 * LIMIT)  # the server's usage
    assert no_price.cost_usd is None and no_price.billed_cost_usd is None
    assert [read_eval_log(lg.location).eval.metadata["price"] for lg in unknown.logs] == ["unknown"]
    expected = (100 * LIMIT * 2.5 + 5 * LIMIT * 10.0) / 1_000_000
    assert with_price.cost_usd == pytest.approx(expected) and with_price.billed_cost_usd == pytest.approx(expected)


def test_price_follows_the_recorded_pricing() -> None:
    listed = price("litellm/openai/gpt-4o", 1_000_000, 1_000_000)
    assert listed is not None and listed > 0  # a provider's model: litellm's table, as before
    assert price("litellm/openai/gpt-4o", 1_000_000, 1_000_000, "unknown") is None
    own = {"input_per_million": 0.0, "output_per_million": 0.0}
    assert price("litellm/openai/gpt-4o", 1_000_000, 1_000_000, own) == 0.0
