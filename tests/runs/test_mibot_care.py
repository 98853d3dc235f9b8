"""The MIBot CARE rate task (tasks/mibot_care.yaml): what reaches the judge's prompt, there and on
the same conversations through Lend an Ear (tasks/mibot_lend_an_ear.yaml). The AutoMISC codes and
explanations (an LLM's annotations in the transcripts and data.csv) never do, and neither do the
client's own answers or readiness rulers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from empathy_bench.tasks.rate import rate

MIRROR = Path(os.environ.get("EMPATHY_BENCH_DATA", "../shared/data")) / "mibot_acl2025"


@pytest.mark.parametrize("task_id", ["mibot_care", "mibot_lend_an_ear"])
def test_automisc_text_is_absent_from_every_prompt(task_id: str) -> None:
    task = rate(task=task_id, judge="builtin-constant")
    prompts = [str(sample.input) for sample in task.dataset]
    assert len(prompts) == 106
    explanations, labels = set(), set()
    for path in (MIRROR / "transcripts").glob("*.json"):
        for u in json.loads(path.read_text())["utterances"]:
            explanations.add(str(u["auto_misc_explanation"]))
            labels.add(str(u["auto_misc_label"]))
    everything = "\n".join(prompts)
    assert "automisc" not in everything.lower() and "auto_misc" not in everything.lower()
    assert not [e for e in explanations if len(e) > 30 and e in everything]
    data = pd.read_csv(MIRROR / "data.csv")
    assert not [c for c in data.columns if c in everything]  # no column name (CAREQ*, rulers, AutoMISC_*)
    # every conversation's counsellor and client text is there, joined into turns
    assert all('<turn speaker="Counsellor">' in p and '<turn speaker="Client">' in p for p in prompts)


def test_a_judge_answering_as_each_client_reaches_spearman_one(tmp_path: Path) -> None:
    """End to end: scripted replies equal to each client's own answers ("does not apply": 3)
    through the rate task, its log and the recipient table."""
    from inspect_ai import eval
    from inspect_ai.model import ModelOutput, ModelUsage, get_model

    from empathy_bench.pipeline.recipient_rows import recipient_table
    from empathy_bench.sources.labels import rater_wide
    from empathy_bench.tasks.labels import task_labels
    from empathy_bench.tasks.spec import load_task

    spec = load_task("mibot_care")
    labels = task_labels(spec)
    client = rater_wide(labels.ratings, "client", spec.dimension_ids)
    task = rate(task="mibot_care")
    replies = []
    for sample in task.dataset:
        answers = client.loc[sample.metadata["item_id"]].fillna(3)
        replies.append(" ".join(f'<rating dimension="{d}">{int(v)}</rating>' for d, v in answers.items()))
    outputs = [ModelOutput.from_content("mockllm/model", r) for r in replies]
    for o in outputs:
        o.usage = ModelUsage(input_tokens=100, output_tokens=5, total_tokens=105)
    [log] = eval(
        task,
        model=get_model("mockllm/model", custom_outputs=outputs),
        max_connections=1,
        display="none",
        log_dir=str(tmp_path),
    )
    table = recipient_table(spec, labels, [log], n_resamples=100)
    found = {(f.rater, f.figure): f for f in table.figures}
    judge = next(f.rater for f in table.figures if f.rater_type != "yardstick")
    assert found[(judge, "spearman_care")].value == 1.0 and found[(judge, "spearman_care")].n == 106
    assert all(found[(judge, f"qwk:{d}")].value == 1.0 for d in spec.dimension_ids)
    assert found[("yardstick", "cronbach_alpha")].value is not None
    assert any("no leave-one-out human ceiling" in note for note in table.notes)


def test_the_task_runs_only_by_name() -> None:
    from empathy_bench.tasks.spec import default_task_ids, load_task, task_ids

    assert load_task("mibot_care").default_run is False
    assert "mibot_care" in task_ids() and "mibot_care" not in default_task_ids()
    assert "lend_an_ear" in default_task_ids()
