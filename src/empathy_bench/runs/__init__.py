"""Stage 4, runs: running tasks through inspect's eval_set with the harness's settings
(`empathy_bench.runs.execute`, which loads the task builders and litellm), one eval set per shard
in its own log dir (`runs.shard`, dealt by `runs.pool`), and reading what a log says (the judge's
ratings, unscored replies, tokens, price, time)."""

from empathy_bench.runs.log import LogSummary, Usage, judge_ratings, price, rating_table, read_log

__all__ = ["LogSummary", "Usage", "judge_ratings", "price", "rating_table", "read_log"]
