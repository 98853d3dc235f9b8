"""The MIBot conversations through the Lend an Ear rubric (tasks/mibot_lend_an_ear.yaml), an
outcome task: its file validates and runs only by name; a rate task does not become an outcome
task by accident (nor an outcome task a rate task); and end to end, a judge over litellm whose
overall score is a monotone function of the client's CARE score reaches Spearman 1 with it, in
an outcome table with no agreement rows. (AutoMISC's absence from its prompts: test_mibot_care.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import litellm
import pandas as pd
import pytest

from empathy_bench.agreement.recipient import care_score
from empathy_bench.candidates.prompt import read_prompt
from empathy_bench.core.errors import InputError
from empathy_bench.pipeline import run as run_pipeline
from empathy_bench.runs.execute import RunOptions, probes_for
from empathy_bench.sources.labels import rater_wide
from empathy_bench.sources.rubric import load_rubric
from empathy_bench.tasks.labels import task_labels
from empathy_bench.tasks.spec import default_task_ids, load_task

TASK = "mibot_lend_an_ear"
LIMIT = 50  # the first 50 conversations have 20 distinct CARE scores, within the 25 overall scores -12..12


def test_the_task_is_an_outcome_task_run_only_by_name() -> None:
    spec = load_task(TASK)
    assert (spec.kind, spec.outcome, spec.rubric, spec.reference) == ("rate", "client_care", "lend_an_ear", "client")
    assert spec.default_run is False and TASK not in default_task_ids()
    assert load_task("mibot_care").outcome is None  # the CARE task stays an agreement task
    # no bias probe runs on it (a probe's figures are measured against a reference rating)
    assert probes_for(spec, ["length", "attribution"]) == []
    assert probes_for(load_task("mibot_care"), ["length", "attribution"]) == ["length", "attribution"]


HEAD = "id: t\nversion: 1\ntitle: t\nsource: mibot_acl2025\nframework: mibot\n"


@pytest.mark.parametrize(
    ("extra", "expected", "field"),
    [
        # a rate task on another rubric than the one the client answered: refused, the fix names `outcome`
        ("rubric: lend_an_ear\nreference: client\n", "the source rates mibot with rubric 'care'", "rubric"),
        # the client's own rubric has no overall score: correlating it would be agreement (mibot_care)
        ("rubric: care\nreference: client\noutcome: client_care\n", "a rubric with an overall score", ""),
        (
            "rubric: lend_an_ear\nreference: experts\noutcome: client_care\n",
            "is not a rater of group self",
            "reference",
        ),
        ("rubric: lend_an_ear\nkind: compare\nreference: client\noutcome: client_care\n", "for rate tasks", ""),
        ("rubric: epitome\nreference: client\noutcome: client_care\n", "a rubric with an overall score", ""),
        (
            "rubric: lend_an_ear\nreference: client\noutcome: client_care\ndimensions: [advice_giving]\n",
            "every dimension rated",
            "",
        ),
        ("rubric: lend_an_ear\nreference: client\noutcome: readiness\n", "client_care", ""),
    ],
    ids=["rate-on-another-rubric", "outcome-on-own-rubric", "not-self", "compare", "no-overall", "some-dims", "bad"],
)
def test_outcome_files_that_would_measure_the_wrong_thing_are_refused(
    tmp_path: Path, extra: str, expected: str, field: str
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(HEAD + extra)
    with pytest.raises(InputError) as caught:
        load_task(str(path))
    message = str(caught.value)
    assert message.startswith(str(path)) and expected in message and "Fix:" in message
    if field:
        assert f"field '{field}'" in message
    if field == "rubric":
        assert "outcome: client_care" in caught.value.fix


def split(total: int) -> list[int]:
    """Three ratings 1..5 that sum to `total` (3..15)."""
    first = min(5, total - 2)
    second = min(5, total - first - 1)
    return [first, second, total - first - second]


def overall_ratings(overall: int) -> dict[str, int]:
    """Lend an Ear ratings whose overall score (prescriptive minus proscriptive) is `overall`."""
    rubric = load_rubric("lend_an_ear")
    plus = [d.id for d in rubric.dimensions if d.polarity == "prescriptive"]
    minus = [d.id for d in rubric.dimensions if d.polarity == "proscriptive"]
    high, low = (3 + overall, 3) if overall >= 0 else (3, 3 - overall)
    return dict(zip(plus, split(high), strict=True)) | dict(zip(minus, split(low), strict=True))


def scripted_by_care(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    """Register litellm provider `scripted`: it finds the conversation in the prompt (the one whose
    every turn is in it) and rates it so that its overall score is the rank of the client's CARE score
    among the first LIMIT conversations' distinct scores, from -12 up. Returns the CARE scores."""
    spec = load_task(TASK)
    labels = task_labels(spec)
    care = care_score(rater_wide(labels.ratings, "client", load_rubric("care").dimension_ids))
    turns = {item.item_id: [t["text"] for t in item.turns] for item in labels.items.itertuples()}
    first = list(turns)[:LIMIT]
    levels = sorted(care[first].unique())
    assert len(levels) <= 25  # a strictly monotone map onto -12..12 exists

    class Scripted(litellm.CustomLLM):
        async def acompletion(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
            prompt = kwargs["messages"][-1]["content"]
            [item] = [i for i, texts in turns.items() if all(text in prompt for text in texts)]
            ratings = overall_ratings(levels.index(care[item]) - 12)
            asked = read_prompt(prompt).dimensions
            content = "\n".join(f'<rating dimension="{d}">{ratings[d]}</rating>' for d in asked)
            return litellm.ModelResponse(
                model="scripted/judge",
                choices=[{"message": {"role": "assistant", "content": content}}],
                usage={"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            )

    handler = {"provider": "scripted", "custom_handler": Scripted()}
    monkeypatch.setattr(litellm, "custom_provider_map", [*litellm.custom_provider_map, handler])
    litellm.utils.custom_llm_setup()
    return care


def test_overall_ratings_give_the_overall_score() -> None:
    rubric = load_rubric("lend_an_ear")
    for overall in (-12, -5, 0, 7, 12):
        ratings = overall_ratings(overall)
        assert all(1 <= v <= 5 for v in ratings.values())
        assert rubric.overall_score(pd.DataFrame([ratings])).iloc[0] == overall


def test_a_judge_monotone_in_the_clients_care_reaches_spearman_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    scripted_by_care(monkeypatch)
    judge = tmp_path / "scripted.yaml"
    judge.write_text("id: scripted\nmodel: litellm/scripted/judge\n")
    options = RunOptions(
        judges=[str(judge)], tasks=[TASK], limit=LIMIT, log_dir=str(tmp_path / "logs"), display="none", probes=None
    )
    results = tmp_path / "results" / "runs"
    result = run_pipeline(options, n_resamples=200, recorded=False, results_dir=results)
    # no agreement row and no run record: the figures are correlations with an outcome
    assert result.rows == [] and result.records == [] and not (results / TASK).exists()
    [table] = result.recipient
    assert (table.task, table.table, table.complete) == (TASK, "outcome", False)
    assert table.columns[0] == "spearman_care" and not any(f.figure.startswith("qwk") for f in table.figures)
    found = {(f.rater, f.figure): f for f in table.figures}
    care = found[("scripted", "spearman_care")]
    assert (care.value, care.low, care.high, care.n) == (1.0, 1.0, 1.0, LIMIT)
    assert found[("scripted", "spearman_week_readiness")].n == LIMIT
    assert ("counsellor word count", "spearman_care") in found and ("yardstick", "cronbach_alpha") in found
    assert "Not agreement" in table.about and "Lend an Ear" in table.about
    # a --limit run is partial: written apart, never over the published table
    assert result.recipient_paths == [tmp_path / "results" / "partial-recipient" / f"{TASK}.json"]
    assert json.loads(result.recipient_paths[0].read_text())["complete"] is False
    assert not (tmp_path / "results" / "recipient").exists()
