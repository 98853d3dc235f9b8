"""The main job, across the stages: run the judges (runs), read each log into the judge's
ratings or choices (runs), measure every rater's agreement with the task's reference next to the
label source's recorded judges, the crowd and the expert ceiling, and each probe's effect
(agreement), and write the run records the leaderboard is built from (leaderboard).

One module per kind of row: `rating_rows` (rate tasks), `preference_rows` (compare tasks),
`coach_rows` (coach tasks), `probe_rows` (bias probes); `job` runs them all; `collect` measures
the logs of a run's shards (`run --shard K/N`) together."""

from empathy_bench.pipeline.coach_rows import coach_rows
from empathy_bench.pipeline.collect import collect
from empathy_bench.pipeline.job import RunResult, partial_dir, run
from empathy_bench.pipeline.preference_rows import compare_rows
from empathy_bench.pipeline.rating_rows import judge_row
from empathy_bench.pipeline.row import Row

__all__ = ["Row", "RunResult", "coach_rows", "collect", "compare_rows", "judge_row", "partial_dir", "run"]
