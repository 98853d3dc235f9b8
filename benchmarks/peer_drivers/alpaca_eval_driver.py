"""Peer driver: alpaca_eval's annotator path (alpaca-eval, run in its own throwaway environment).

A `PairwiseAnnotator` with an annotator config of our own (written into WORKDIR): the prompt
template is the rendered EPITOME prompt as one ChatML user turn (`{instruction}`), completions by
alpaca_eval's `openai_completions` decoder with `num_procs` = CONCURRENCY threads (its concurrency
setting), parsed by its `regex_parser` (the first rating line's value, 1 or 2, is the
"preference"); output order is not randomised, so the parsed value is the reply's. The decoder
reaches the benchmark's server through OPENAI_API_BASE (alpaca_eval's backward-compatible client
setting), which benchmarks/peers.py sets. Annotations are cached in WORKDIR/annotations.json
(`caching_path`, reannotations avoided): a second run with the same WORKDIR is the warm re-run.
The pair's two outputs are placeholders ("a", "b"): equal outputs would be answered 1.5 without
a call. Annotated through `annotate_pairs`, in alpaca_eval's default chunks of 128 rows.

Run by benchmarks/peers.py: python alpaca_eval_driver.py PROMPTS N BASE_URL CONCURRENCY RESULT WORKDIR"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

CONFIG = """bench_annotator:
  prompt_template: "{template}"
  fn_completions: "openai_completions"
  completions_kwargs:
    model_name: "bench-judge"
    max_tokens: 128
    temperature: 0
    num_procs: {concurrency}
  fn_completion_parser: "regex_parser"
  completion_parser_kwargs:
    outputs_to_match:
      1: '\\A<rating dimension="[a-z0-9_]+">1</rating>'
      2: '\\A<rating dimension="[a-z0-9_]+">2</rating>'
  is_randomize_output_order: False
  batch_size: 1
"""


def main() -> None:
    prompts_file, n, _base_url, concurrency, result, workdir = sys.argv[1:7]
    logging.disable(logging.WARNING)
    from alpaca_eval.annotators import PairwiseAnnotator

    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    (work / "template.txt").write_text("<|im_start|>user\n{instruction}\n<|im_end|>")
    config = work / "bench_annotator" / "configs.yaml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(CONFIG.format(template=work / "template.txt", concurrency=concurrency))
    prompts = json.loads(open(prompts_file).read())[: int(n)]
    annotator = PairwiseAnnotator(
        annotators_config=str(config), caching_path=str(work / "annotations.json"), is_avoid_reannotations=True
    )
    start = time.perf_counter()
    annotated = annotator.annotate_pairs([{"instruction": p, "output_1": "a", "output_2": "b"} for p in prompts])
    phase = time.perf_counter() - start
    parsed = sum(1 for row in annotated if row.get("preference") in (1, 2, 1.0, 2.0))
    open(result, "w").write(json.dumps({"phase": phase, "judged": len(annotated), "parsed": parsed}))


if __name__ == "__main__":
    main()
