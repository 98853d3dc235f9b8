"""The rate kind: a judge rates each item on the rubric's dimensions; its rows are its agreement
with the reference (QWK, Spearman, alpha, the alternative annotator test) beside the reference
rows, and its probes' effects."""

from empathy_bench.core.kinds import Kind
from empathy_bench.pipeline.probe_rows import rate_extra_rows, rating_effects
from empathy_bench.pipeline.rating_rows import rate_rows
from empathy_bench.pipeline.spread import rate_spread
from empathy_bench.runs.execute import judged
from empathy_bench.runs.log import read_ratings
from empathy_bench.tasks.metadata import RateTaskMetadata
from empathy_bench.tasks.rate import rate
from empathy_bench.tasks.spec import RateTask

KIND = Kind(
    name="rate",
    table="overall",
    task_metadata=RateTaskMetadata,
    spec=RateTask,
    build=judged(rate),
    read=read_ratings,
    rows=rate_rows,
    extra_rows=rate_extra_rows,
    probe_result=rating_effects,
    spread=rate_spread,
)
