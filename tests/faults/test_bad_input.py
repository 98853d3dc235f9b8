"""Bad input at the public entry points: command-line arguments and judge files that used to be
accepted and then hung, crashed or ran the wrong thing. Each case asserts a non-zero exit, a
message that names the argument, file or field and the fix, and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from empathy_bench.cli import main

# Key-shaped test values are assembled at run time, so no key-shaped literal is tracked in git.
FAKE_KEY = "sk" + "-" + "abcdefghijklmnopqrstuvwx"
MODEL_NAME_WITH_SK = "ta" + "sk-" + "specialised-empathy-8b"  # "sk-" inside a word: not a key


def _fails_cleanly(argv: list[str], capsys: pytest.CaptureFixture[str], *expected: str) -> str:
    with pytest.raises(SystemExit) as stopped:  # argparse refuses before anything runs
        main(argv)
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and "Traceback" not in err
    for text in expected:
        assert text in err, err
    return err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "--max-connections", "0"], ["--max-connections", "0 is below 1; give 1 or more"]),
        (["run", "--limit", "0"], ["--limit", "0 is below 1"]),
        (["run", "--limit", "-1"], ["--limit", "-1 is below 1"]),
        (["run", "--epochs", "0"], ["--epochs", "0 is below 1"]),
        (["run", "--max-retries", "-2"], ["--max-retries", "-2 is below 0"]),
        (["run", "--limit", "two"], ["--limit", "'two' is not a whole number"]),
        (["agreement", "--resamples", "0"], ["--resamples", "0 is below 1"]),
    ],
)
def test_arguments_out_of_range_are_refused_before_anything_runs(argv: list[str], expected: list[str], capsys) -> None:  # noqa: ANN001
    _fails_cleanly(argv, capsys, *expected)


def test_a_log_dir_that_is_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("not a folder")
    assert main(["run", "--task", "epitome", "--judge", "builtin-constant", "--log-dir", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert f"{blocker}: --log-dir names a file, not a folder. Fix: give --log-dir a folder" in err
    assert "Traceback" not in err


def test_an_unwritable_results_dir_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results"
    results.write_text("a file where the folder should be")
    argv = ["run", "--task", "epitome", "--judge", "builtin-constant", "--log-dir", str(tmp_path / "l")]
    assert main([*argv, "--results-dir", str(results / "runs")]) == 2
    err = capsys.readouterr().err
    assert "--results-dir cannot be written" in err and "choose a folder you can write to" in err


def _validate_one(tmp_path: Path, text: str | bytes) -> str:
    from empathy_bench.catalog import _check_judge
    from empathy_bench.core.errors import InputError

    path = tmp_path / "judge.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(InputError) as caught:
        _check_judge(str(path))
    message = str(caught.value)
    assert message.startswith(str(path)) and "Fix:" in message
    return message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "id: judge\nmodel: litellm/openai/gpt-4o\nmodel: litellm/builtin/constant\n",
            "key 'model' is given twice (lines 2 and 3)",
        ),
        (
            "id: judge\nmodel: litellm/builtin/constant\ngeneration: {max_connections: -3}\n",
            "field 'generation.max_connections'",
        ),
        ("id: judge\nmodel: litellm/builtin/constant\ngeneration: {max_tokens: 0}\n", "field 'generation.max_tokens'"),
        ("id: judge\nmodel: litellm/builtin/constant\ngeneration: {timeout: 0}\n", "field 'generation.timeout'"),
        (b"id: judge\nmodel: litellm/builtin/constant\ndescription: caf\xe9 in Latin-1\n", "not UTF-8 text"),
    ],
    ids=["duplicate-key", "negative-connections", "zero-max-tokens", "zero-timeout", "latin-1"],
)
def test_judge_files_that_would_run_wrong_are_refused(tmp_path: Path, text: str | bytes, expected: str) -> None:
    assert expected in _validate_one(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"id: judge\nmodel: litellm/openai/gpt-4o\nbase_url: https://user:{FAKE_KEY}@api.example.org/v1\n",
            "base_url carries credentials",
        ),
        (
            f"id: judge\nmodel: litellm/openai/gpt-4o\nmodel_args: {{extra_body: {{note: {FAKE_KEY}}}}}\n",
            "model_args.extra_body.note holds a value shaped like an API key",
        ),
    ],
    ids=["key-in-url", "key-under-an-innocent-name"],
)
def test_judge_files_with_credentials_in_values_are_refused(tmp_path: Path, text: str, expected: str) -> None:
    message = _validate_one(tmp_path, text)
    assert expected in message and FAKE_KEY not in message  # the refusal does not repeat the key


TASK = "id: t\nversion: 1\ntitle: T\nsource: kumar2025\nframework: epitome\nrubric: epitome\n"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("dimensions: [level_emotional_reaction]\n", "unknown dimension(s) ['level_emotional_reaction']"),
        ("reference: expert9\n", "unknown reference 'expert9'"),
        ("kind: grade\n", "field 'kind'"),
        ("rubric: lend_an_ear\n", "key 'rubric' is given twice"),
        ("mode: every_dimension\n", "field 'mode'"),
        ("kind: compare\npairs_within: opener\ncriteria: [overall]\n", "unknown criteria ['overall']"),
        ("kind: compare\ncriteria: [level_explorations]\n", "releases no preferences"),
        ("labels: {items: x.csv, ratings: y.csv}\n", "either 'source'"),
    ],
    ids=[
        "unknown-dimension",
        "unknown-reference",
        "unknown-kind",
        "duplicate-key",
        "unknown-mode",
        "criterion-without-overall",
        "compare-without-preferences",
        "source-and-own-labels",
    ],
)
def test_task_files_that_would_run_wrong_are_refused(tmp_path: Path, extra: str, expected: str) -> None:
    from empathy_bench.core.errors import InputError
    from empathy_bench.tasks.spec import load_task

    path = tmp_path / "t.yaml"
    path.write_text(TASK + extra)
    with pytest.raises(InputError) as caught:
        load_task(str(path))
    message = str(caught.value)
    assert message.startswith(str(path)) and expected in message and "Fix:" in message


def test_masking_leaves_ordinary_words_and_model_names_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from empathy_bench.candidates.judge import Judge
    from empathy_bench.core.secrets import mask

    monkeypatch.setenv("GIT_AUTHOR_NAME", "Ada Lovelace")  # not a credential, though it contains AUTH
    monkeypatch.setenv("MY_SERVICE_API_KEY", "s3cr3t-value-1234")
    text = "a task-oriented-dialogue judge by Ada Lovelace; ollama/risk-assessment-llama3; key s3cr3t-value-1234"
    assert mask(text) == "a task-oriented-dialogue judge by Ada Lovelace; ollama/risk-assessment-llama3; key ***"
    assert mask(f"Bearer {FAKE_KEY}") == "Bearer ***"
    assert Judge(id="x", model=f"litellm/ollama/{MODEL_NAME_WITH_SK}").model.endswith(MODEL_NAME_WITH_SK)
