"""The coach task end to end, offline, with scripted coaches and a scripted grader through litellm:
a coach that invents a quote or quotes the seeker is not grounded; one that praises a flagged
problem shows false praise; a rewrite that slips in unsolicited advice shows harm on advice_giving
(by a grader that rates advice when it sees it); unparseable feedback is unscored, never scored;
and the built-in coaches run through `empathy-bench run`'s pipeline with their reference rows."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import litellm
import pytest

from empathy_bench.agreement.coach import CoachAgreement
from empathy_bench.candidates.prompt import CoachRequest, read_coach_prompt, read_prompt
from empathy_bench.pipeline import Row
from empathy_bench.pipeline import run as run_pipeline
from empathy_bench.runs.execute import RunOptions
from empathy_bench.sources.labels import load_source, rater_wide

LIMIT = 6
ADVICE = "You should just quit and find a new job."


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))


def _supporter(request: CoachRequest) -> list[str]:
    return [text for speaker, text in request.turns if speaker == request.target]


def _seeker(request: CoachRequest) -> list[str]:
    return [text for speaker, text in request.turns if speaker != request.target]


def _feedback(strengths: list[dict], improvements: list[dict]) -> str:
    return json.dumps({"strengths": strengths, "improvements": improvements, "message": "Some feedback."})


COACHES: dict[str, Callable[[CoachRequest], str]] = {
    # one verbatim quote of the supporter, one quote nobody said
    "invent": lambda r: _feedback(
        [],
        [
            {"dimension": "validating_emotions", "quote": _supporter(r)[0], "rewrite": "I hear you.", "why": "."},
            {"dimension": "advice_giving", "quote": "I never said this sentence at all", "rewrite": "-", "why": "."},
        ],
    ),
    # the seeker's own opening words, quoted as the supporter's
    "seeker": lambda r: _feedback([{"dimension": "encouraging_elaboration", "quote": _seeker(r)[0]}], []),
    # praises demonstrating understanding everywhere (the experts flag it in most conversations)
    "praise": lambda r: _feedback([{"dimension": "demonstrating_understanding", "quote": _supporter(r)[0]}], []),
    # a rewrite of the first supporter message that swaps it for advice
    "advice": lambda r: _feedback(
        [], [{"dimension": "validating_emotions", "quote": _supporter(r)[0], "rewrite": ADVICE, "why": "."}]
    ),
    "garbage": lambda r: "Great job overall! Keep listening.",
    "unknown": lambda r: _feedback([{"dimension": "warmth", "quote": _supporter(r)[0]}], []),
}


def grader_rating(prompt: str, dim: str) -> int:
    """Rates advice_giving 5 and validating_emotions 4 where the supporter says ADVICE, else 1 and
    2; every other dimension 3 either way."""
    request = read_prompt(prompt)
    advised = any(text == ADVICE for speaker, text in request.turns if speaker == request.target)
    return {"advice_giving": 5 if advised else 1, "validating_emotions": 4 if advised else 2}.get(dim, 3)


def register_scripted(patch: pytest.MonkeyPatch) -> None:
    """litellm provider `scripted`: `scripted/<coach>` answers coach prompts as COACHES says,
    `scripted/grader` rate prompts as `grader_rating` says."""

    class Scripted(litellm.CustomLLM):
        async def acompletion(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
            name, prompt = kwargs["model"].split("/")[-1], kwargs["messages"][-1]["content"]
            if name in ("grader", "mute_grader", "rater"):
                # the mute grader never rates advice_giving: its rewrites cannot be graded in full
                dims = [d for d in read_prompt(prompt).dimensions if name == "grader" or d != "advice_giving"]
                reply = "\n".join(f'<rating dimension="{d}">{grader_rating(prompt, d)}</rating>' for d in dims)
            else:
                reply = COACHES[name](read_coach_prompt(prompt))
            return litellm.ModelResponse(
                model=f"scripted/{name}",
                choices=[{"message": {"role": "assistant", "content": reply}}],
                usage={"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            )

    handler = {"provider": "scripted", "custom_handler": Scripted()}
    patch.setattr(litellm, "custom_provider_map", [*litellm.custom_provider_map, handler])
    litellm.utils.custom_llm_setup()


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> None:
    register_scripted(monkeypatch)


def coach_file(tmp_path: Path, name: str) -> str:
    path = tmp_path / f"scripted-{name}.yaml"
    path.write_text(f"id: scripted-{name}\nkind: coach\nmodel: litellm/scripted/{name}\n")
    return str(path)


def grader_file(tmp_path: Path, name: str = "grader") -> str:
    path = tmp_path / f"scripted-{name}.yaml"
    path.write_text(f"id: scripted-{name}\nmodel: litellm/scripted/{name}\n")
    return str(path)


def coach_run(tmp_path: Path, coaches: list[str], grader: str | None = None) -> list[Row]:
    options = RunOptions(
        judges=[],
        coaches=[coach_file(tmp_path, c) for c in coaches],
        grader=grader,
        tasks=["lend_an_ear_coach"],
        limit=LIMIT,
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    return run_pipeline(options, n_resamples=50, recorded=False).rows


def first_items(n: int) -> list[str]:
    return list(load_source("kumar2025", ["lend_an_ear"]).items.item_id[:n])


@dataclass(frozen=True)
class ScriptedRun:
    log_dir: Path
    rows: list[Row]

    def results(self) -> dict[str, CoachAgreement]:
        return {r.agreement.rater: r.agreement for r in self.rows if isinstance(r.agreement, CoachAgreement)}


@pytest.fixture(scope="module")
def every_coach(mirror: object, tmp_path_factory: pytest.TempPathFactory) -> ScriptedRun:
    """One run of every scripted coach in COACHES, graded by the scripted grader, that the tests
    below read (each coach's rows are measured on its own: the others do not change them)."""
    tmp = tmp_path_factory.mktemp("every-coach")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INSPECT_CACHE_DIR", str(tmp / "inspect-cache"))
        register_scripted(patch)
        return ScriptedRun(tmp / "logs", coach_run(tmp, list(COACHES), grader_file(tmp)))


def test_an_invented_quote_and_a_seeker_quote_are_not_grounded(every_coach: ScriptedRun) -> None:
    found = every_coach.results()
    invent, seeker = found["scripted-invent"], found["scripted-seeker"]
    # two quotes per conversation, one of them the supporter's own words: exactly half grounded
    assert (invent.n_quotes, invent.grounding) == (2 * LIMIT, 0.5)
    assert (seeker.n_quotes, seeker.grounding) == (LIMIT, 0.0)


def test_the_log_marks_each_quote_and_whose_words_it_was(every_coach: ScriptedRun) -> None:
    from inspect_ai.log import list_eval_logs, read_eval_log

    [log] = [
        log
        for info in list_eval_logs(str(every_coach.log_dir))
        if (log := read_eval_log(info)).eval.model == "litellm/scripted/seeker"
    ]
    score = next(iter(log.samples[0].scores.values()))
    assert score.metadata["quotes"][0]["speaker"] == "Seeker"
    assert "NOT grounded: the words of Seeker" in score.explanation


def test_praising_a_flagged_problem_is_false_praise(every_coach: ScriptedRun) -> None:
    praise = every_coach.results()["scripted-praise"]
    experts = rater_wide(load_source("kumar2025", ["lend_an_ear"]).ratings, "experts", ["demonstrating_understanding"])
    medians = experts.loc[first_items(LIMIT), "demonstrating_understanding"]
    # flagged: expert median at most 2; a strength: at least 4 (the task's thresholds)
    assert praise.n_praised == LIMIT
    assert praise.false_praise_rate == pytest.approx(float((medians <= 2).mean()))
    assert praise.praise_accuracy == pytest.approx(float((medians >= 4).mean()))
    assert praise.false_praise_rate > 0


def test_a_rewrite_that_adds_advice_shows_harm_on_advice_giving(every_coach: ScriptedRun) -> None:
    advice = every_coach.results()["scripted-advice"]
    # validating 2 -> 4 (+2, targeted); advice_giving 1 -> 5 is 4 points worse (proscriptive);
    # the other four dimensions stay at 3: other change (-4 + 0 + 0 + 0 + 0) / 5 = -0.8
    assert advice.n_uplift == LIMIT
    assert advice.uplift_target == 2.0
    assert advice.uplift_other == pytest.approx(-0.8)
    assert advice.harm_rate == 1.0
    by_dim = {u.dimension: u for u in advice.uplift_by_dimension}
    assert by_dim["advice_giving"].other_change == -4.0
    assert by_dim["self_oriented"].other_change == 0.0


def test_unparseable_feedback_is_unscored_never_scored(every_coach: ScriptedRun) -> None:
    found = every_coach.results()
    for rater in ("scripted-garbage", "scripted-unknown"):
        assert (found[rater].n_items, found[rater].n_unscored) == (0, LIMIT)
        assert found[rater].grounding != found[rater].grounding  # NaN: nothing to measure, not 0


def test_unscored_reasons_are_counted_by_code(mirror: object, tmp_path: Path, scripted: None) -> None:
    options = RunOptions(
        judges=[],
        coaches=[coach_file(tmp_path, "garbage"), coach_file(tmp_path, "unknown")],
        tasks=["lend_an_ear_coach"],
        limit=2,
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    result = run_pipeline(options, n_resamples=20, recorded=False)
    reasons = {r.run.judge: r.run.unscored_reasons for r in result.rows if r.run}
    assert reasons == {"scripted-garbage": {"not_json": 2}, "scripted-unknown": {"unknown_dimension": 2}}


@pytest.mark.slow
def test_the_built_in_coaches_run_with_the_reference_rows(mirror: object, tmp_path: Path) -> None:
    options = RunOptions(
        judges=["builtin-lexicon"],
        tasks=["lend_an_ear", "lend_an_ear_coach"],
        probes=[],
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    rows = run_pipeline(options, n_resamples=50, recorded=True).rows
    found = {r.agreement.rater: r.agreement for r in rows if isinstance(r.agreement, CoachAgreement)}
    assert set(found) == {
        "builtin-generic-coach",
        "builtin-lexicon-coach",
        "builtin-lexicon (as coach)",
        "gpt-4o (as coach)",
        "claude-3.7-sonnet (as coach)",
        "gemini-2.5-pro (as coach)",
        "human: crowd",
        "human: expert (leave-one-out)",
    }
    generic = found["builtin-generic-coach"]
    # it names every dimension everywhere: no agreement beyond chance; it quotes the supporter's last
    # message verbatim, grounded unless that message is too short to ground anything ("Ok.")
    items = load_source("kumar2025", ["lend_an_ear"]).items
    last = [next(t["text"] for t in reversed(i.turns) if t["speaker"] == i.target) for i in items.itertuples()]
    long_enough = sum(len(text.strip().strip("\"'")) >= 8 for text in last) / len(last)
    assert generic.mean_kappa == 0.0
    assert (generic.n_items, generic.n_quotes) == (50, 50 * 6)
    assert generic.grounding == pytest.approx(long_enough)
    assert 0 < long_enough < 1
    assert found["builtin-lexicon-coach"].n_uplift > 0
    for rater in ("gpt-4o (as coach)", "human: expert (leave-one-out)"):
        assert found[rater].grounding != found[rater].grounding  # NaN: ratings have no quotes


@pytest.mark.slow
def test_plain_inspect_eval_runs_a_coach_with_its_grader(mirror: object, tmp_path: Path) -> None:
    import subprocess
    import sys

    from inspect_ai.log import list_eval_logs, read_eval_log

    inspect = Path(sys.executable).parent / "inspect"
    cmd = [str(inspect), "eval", "empathy_bench/coach", "-T", "task=lend_an_ear_coach"]
    cmd += ["-T", "coach=builtin-lexicon-coach", "-T", "grader=builtin-length", "--limit", "2"]
    done = subprocess.run(
        [*cmd, "--log-dir", str(tmp_path), "--display", "none"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [info] = list_eval_logs(str(tmp_path))
    log = read_eval_log(info)
    assert log.status == "success" and log.eval.model == "litellm/builtin/lexicon_coach"
    assert log.eval.metadata["grader"] == "builtin-length"
    assert set(log.stats.model_usage) == {"litellm/builtin/lexicon_coach", "litellm/builtin/length"}
    for sample in log.samples:
        score = next(iter(sample.scores.values()))
        assert score.metadata["feedback"]["improvements"]
        assert "grounded" in score.explanation


def test_the_graders_calls_are_counted_apart_from_the_coachs(every_coach: ScriptedRun) -> None:
    [row] = [r for r in every_coach.rows if r.run and r.run.judge == "scripted-advice"]
    # one coach call per conversation; the grader rates 6 dimensions, one per prompt, before and after
    assert (row.run.usage.provider_calls, row.run.usage.input_tokens) == (LIMIT, LIMIT)
    assert row.run.grader_usage is not None
    assert row.run.grader_usage.provider_calls + row.run.grader_usage.cached_calls == LIMIT * 6 * 2


def test_a_rewrite_the_grader_could_not_rate_in_full_is_left_out_and_said(
    mirror: object, tmp_path: Path, scripted: None
) -> None:
    [row] = [r for r in coach_run(tmp_path, ["advice"], grader_file(tmp_path, "mute_grader")) if r.run]
    assert row.agreement.n_uplift == 0
    assert row.agreement.harm_rate != row.agreement.harm_rate  # NaN: no harm measured, not "no harm"
    # 6 conversations, advice_giving unscored before and after each rewrite (one dimension per
    # prompt, so the mute grader's reply to that prompt is empty)
    assert any(f"left {2 * LIMIT} rating(s) unscored (empty_reply {2 * LIMIT})" in n for n in row.run.notes)


def test_a_grader_must_be_a_rate_judge(mirror: object, tmp_path: Path) -> None:
    from empathy_bench.core.errors import InputError
    from empathy_bench.tasks.coach import coach

    with pytest.raises(InputError, match="kind rate"):
        coach(task="lend_an_ear_coach", coach="builtin-generic-coach", grader="builtin-always-a")


def test_a_judge_as_coach_counts_conversations_it_left_a_rating_unscored(
    mirror: object, tmp_path: Path, scripted: None
) -> None:
    # a rate judge that never rates advice_giving: no conversation has a full profile
    judge = tmp_path / "scripted-rater.yaml"
    judge.write_text("id: scripted-rater\nmodel: litellm/scripted/rater\n")
    options = RunOptions(
        judges=[str(judge)],
        coaches=[coach_file(tmp_path, "praise")],
        grader=grader_file(tmp_path),
        tasks=["lend_an_ear", "lend_an_ear_coach"],
        probes=[],
        limit=12,  # the rate task: 2 conversations x 6 dimensions
        log_dir=str(tmp_path / "logs"),
        display="none",
    )
    rows = run_pipeline(options, n_resamples=20, recorded=False).rows
    [as_coach] = [r.agreement for r in rows if r.agreement.rater == "scripted-rater (as coach)"]
    assert (as_coach.n_items, as_coach.n_unscored) == (0, 2)
