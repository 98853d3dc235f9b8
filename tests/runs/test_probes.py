"""The bias probes end to end, offline: the built-in judges ignore an attribution label (shift
exactly 0); a scripted judge that marks down a supporter labelled AI shows -1 on every dimension;
a judge that rates by length shows a positive length correlation with the reference held fixed;
test-retest from --epochs 3 with a judge whose replies vary, and from a source card that lists
several runs of a recorded judge."""

from __future__ import annotations

import math
import random
from pathlib import Path

import litellm
import pytest

from empathy_bench.agreement.probe import ProbeResult
from empathy_bench.candidates.prompt import read_prompt
from empathy_bench.pipeline import run as run_pipeline
from empathy_bench.pipeline.probe_rows import retest_rows
from empathy_bench.runs.execute import RunOptions
from empathy_bench.sources.labels import load_source
from empathy_bench.sources.rubric import load_rubric
from empathy_bench.tasks.probe import lengthen, load_probe
from empathy_bench.tasks.spec import RateTask
from recorded_runs_support import FW, JUDGE, RUN_RATINGS, write_source  # noqa: E402

LAE_DIMS = load_rubric("lend_an_ear").dimension_ids


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))


def probe_results(tmp_path: Path, judges: list[str], probes: list[str], **options: object) -> list[ProbeResult]:
    run_options = RunOptions(
        judges=judges, tasks=["lend_an_ear"], probes=probes, log_dir=str(tmp_path / "logs"), display="none"
    )
    for key, value in options.items():
        setattr(run_options, key, value)
    rows = run_pipeline(run_options, n_resamples=50, recorded=False).rows
    return [r.agreement for r in rows if isinstance(r.agreement, ProbeResult)]


def scripted(monkeypatch: pytest.MonkeyPatch, answer) -> None:  # noqa: ANN001
    """Register litellm provider `scripted`: `answer(prompt, dimension)` gives each rating."""

    class Scripted(litellm.CustomLLM):
        async def acompletion(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
            prompt = kwargs["messages"][-1]["content"]
            lines = [f'<rating dimension="{d}">{answer(prompt, d)}</rating>' for d in read_prompt(prompt).dimensions]
            return litellm.ModelResponse(
                model="scripted/judge",
                choices=[{"message": {"role": "assistant", "content": "\n".join(lines)}}],
                usage={"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            )

    handler = {"provider": "scripted", "custom_handler": Scripted()}
    monkeypatch.setattr(litellm, "custom_provider_map", [*litellm.custom_provider_map, handler])
    litellm.utils.custom_llm_setup()


def judge_file(tmp_path: Path) -> str:
    path = tmp_path / "scripted.yaml"
    path.write_text("id: scripted\nmodel: litellm/scripted/judge\n")
    return str(path)


@pytest.mark.slow
def test_the_built_in_judges_ignore_the_attribution_label(mirror: object, tmp_path: Path) -> None:
    # --limit 6: 2 conversations under all three labels, each one sample asking the 6 dimensions
    # (the built-in judges' mode is all_dimensions)
    results = probe_results(tmp_path, ["builtin-lexicon", "builtin-length"], ["attribution"], limit=6)
    found = {r.rater: r for r in results if r.probe == "attribution"}
    assert set(found) == {"builtin-lexicon", "builtin-length"}
    for result in found.values():
        assert {e.dimension for e in result.effects} == set(LAE_DIMS) | {"overall_score"}
        for effect in result.effects:
            assert (effect.n, effect.mean_change, effect.flip_rate) == (2, 0.0, 0.0)


def test_a_judge_that_marks_down_a_supporter_labelled_ai_shows_minus_one(
    mirror: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ai_note = load_probe("attribution").labels["ai"].replace("$target", "Supporter")
    scripted(monkeypatch, lambda prompt, dim: 2 if f"<note>{ai_note}</note>" in prompt else 3)
    [result] = [
        r
        for r in probe_results(tmp_path, [judge_file(tmp_path)], ["attribution"], limit=36)
        if r.probe == "attribution"
    ]
    by_dimension = {e.dimension: e for e in result.effects}
    for dim in LAE_DIMS:
        effect = by_dimension[dim]
        assert (effect.mean_change, effect.low, effect.high, effect.flip_rate) == (-1.0, -1.0, -1.0, 1.0)
    # every dimension one lower: prescriptive -3, proscriptive -3 counted negatively: the overall score is unchanged
    assert by_dimension["overall_score"].mean_change == 0.0


@pytest.mark.slow
def test_a_judge_that_rates_by_length_correlates_with_length_given_the_reference(
    mirror: object, tmp_path: Path
) -> None:
    results = probe_results(tmp_path, ["builtin-length", "builtin-constant"], ["length"])
    observed = {r.rater: {a.dimension: a for a in r.associations} for r in results if r.probe == "length_observed"}
    # the length baseline rates every dimension up with length, whatever the reference says
    for dim in LAE_DIMS:
        assert observed["builtin-length"][dim].partial_spearman > 0.5 and observed["builtin-length"][dim].low > 0.3
    # ... better and worse behaviour alike: the magnitude (mean |rho|) shows it, however the
    # dimensions' signs would cancel; its overall score never moves, so it has no direction
    assert observed["builtin-length"]["magnitude"].partial_spearman >= 0.8
    assert math.isnan(observed["builtin-length"]["overall_score"].partial_spearman)
    assert math.isnan(observed["builtin-constant"]["magnitude"].partial_spearman)  # no variation: undefined
    # the human rows come with it: the experts' own ratings against length, each given the others
    experts = observed["human: expert (leave-one-out)"]
    assert all(abs(experts[d].partial_spearman) < observed["builtin-length"][d].partial_spearman for d in LAE_DIMS)
    assert experts["magnitude"].partial_spearman < observed["builtin-length"]["magnitude"].low


def test_the_filler_adds_only_the_listed_words_to_the_supporter() -> None:
    probe = load_probe("length")
    turns = [{"speaker": "Seeker", "text": "I lost my job."}, {"speaker": "Supporter", "text": "That is hard to hear."}]
    out = lengthen(turns, "Supporter", probe)
    assert out[0] == turns[0]
    # 5 words -> at least 10: five filler words on a line of their own, cycling through the list
    assert out[1]["text"] == "That is hard to hear.\nOkay. Well. Oh. So. Okay."
    assert len(out[1]["text"].split()) >= probe.factor * 5


def test_the_filler_is_only_words_the_lexicon_ignores() -> None:
    from empathy_bench.candidates.builtin.features import STOPWORDS

    filler = {w.strip(".").lower() for w in load_probe("length").filler}
    assert filler <= STOPWORDS


def test_retest_from_three_epochs_of_a_judge_whose_replies_vary(
    mirror: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draw = random.Random(7)
    scripted(monkeypatch, lambda prompt, dim: draw.randint(1, 5))  # a fresh draw on every call
    results = probe_results(tmp_path, [judge_file(tmp_path)], [], limit=12, epochs=3, max_connections=1)
    [result] = [r for r in results if r.probe == "retest"]
    assert {r.dimension for r in result.retest} == set(LAE_DIMS)
    assert all(r.epochs == 3 and r.n_items == 2 for r in result.retest)
    # random replies: an item is rated the same in all 3 epochs with probability 1/25
    assert sum(r.identical_share for r in result.retest) / len(result.retest) < 0.5
    assert sum(r.mean_pairwise_qwk for r in result.retest) / len(result.retest) < 0.9
    assert any("per epoch" in note for note in result.notes)


def test_retest_of_a_recorded_judge_published_as_several_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    card = write_source(tmp_path, monkeypatch, runs=[RUN_RATINGS[0], RUN_RATINGS[0], RUN_RATINGS[2]])
    spec = RateTask(id="runs", version=1, title="runs", source=str(card), framework=FW, rubric=FW, reference="expert1")
    [row] = retest_rows(spec, load_source(str(card)), [], recorded=True)
    result = row.agreement
    assert isinstance(result, ProbeResult) and (result.rater, result.rater_type, result.probe) == (
        JUDGE,
        "recorded",
        "retest",
    )
    assert all(r.epochs == 3 for r in result.retest)
    assert result.notes == ["runs 1 and 2 are byte-identical files: not independent"]
