"""The coach kind: a coach gives feedback on each item, checked against the reference's profile,
and its rewrites are re-rated by the task's grader; its rows are targeting, praise, grounding and
uplift (and a rate judge's profile as a coach, read from the plain rate logs)."""

from empathy_bench.core.kinds import Kind
from empathy_bench.pipeline.coach_rows import coach_rows
from empathy_bench.pipeline.probe_rows import coach_extra_rows
from empathy_bench.pipeline.spread import coach_spread
from empathy_bench.runs.execute import coached
from empathy_bench.runs.log import read_feedback
from empathy_bench.tasks.metadata import CoachTaskMetadata
from empathy_bench.tasks.spec import CoachTask

KIND = Kind(
    name="coach",
    table="coach",
    task_metadata=CoachTaskMetadata,
    spec=CoachTask,
    build=coached,
    read=read_feedback,
    rows=coach_rows,
    reads_rate_logs=True,
    extra_rows=coach_extra_rows,
    spread=coach_spread,
)
