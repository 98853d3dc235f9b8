"""Peer driver: MetaEvaluator's async judges (meta-evaluator, run in its own throwaway environment).

One `Judge` (answering_method "xml": the replies carry one tag per EPITOME dimension) rates every
prompt through `Judge.evaluate_eval_data_async(..., max_concurrency=CONCURRENCY)`, which calls
litellm.acompletion for each row. MetaEvaluator has no base-URL setting: litellm's hosted_vllm
provider reads the server from HOSTED_VLLM_API_BASE, which benchmarks/peers.py sets. The
registry-level `MetaEvaluator.run_judges_async` is not used because it calls each judge with the
default max_concurrency (5), which it does not expose; the judge's own method is the async path.
MetaEvaluator keeps no cache, so there is no warm re-run.

Run by benchmarks/peers.py: python meta_evaluator_driver.py PROMPTS N BASE_URL CONCURRENCY RESULT WORKDIR"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time

DIMENSIONS = ("level_emotional_reactions", "level_interpretations", "level_explorations")


def main() -> None:
    prompts_file, n, _base_url, concurrency, result, _workdir = sys.argv[1:7]
    logging.disable(logging.WARNING)  # a log line per row at INFO
    import polars as pl
    from meta_evaluator.common.models import Prompt
    from meta_evaluator.data import EvalData
    from meta_evaluator.eval_task import EvalTask
    from meta_evaluator.judge import Judge

    prompts = json.loads(open(prompts_file).read())[: int(n)]
    # the rendered prompt is the template's one column; MetaEvaluator appends its XML instructions
    frame = pl.DataFrame({"id": [str(i) for i in range(len(prompts))], "text": prompts})
    data = EvalData(name="epitome", data=frame, id_column="id")
    task = EvalTask(
        task_schemas={d: ["0", "1", "2"] for d in DIMENSIONS},
        response_columns=["text"],
        answering_method="xml",
    )
    judge = Judge(
        id="bench",
        llm_client="hosted_vllm",
        model="bench-judge",
        prompt=Prompt(id="p", prompt="{text}"),
        eval_task=task,
        temperature=0,
    )
    start = time.perf_counter()
    results = asyncio.run(judge.evaluate_eval_data_async(data, run_id="bench", max_concurrency=int(concurrency)))
    phase = time.perf_counter() - start
    out = {"phase": phase, "judged": results.total_count, "parsed": results.succeeded_count}
    open(result, "w").write(json.dumps(out))


if __name__ == "__main__":
    main()
