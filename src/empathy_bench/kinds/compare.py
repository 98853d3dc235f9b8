"""The compare kind: a judge chooses between two items per criterion, every pair in both orders;
its rows are its accuracy against the reference choices (and a rate judge's choices from its own
ratings, read from the plain rate logs on the same conversations)."""

from empathy_bench.core.kinds import Kind
from empathy_bench.pipeline.preference_rows import compare_rows
from empathy_bench.pipeline.probe_rows import choice_shift
from empathy_bench.pipeline.spread import compare_spread
from empathy_bench.runs.execute import judged
from empathy_bench.runs.log import read_choices
from empathy_bench.tasks.compare import compare
from empathy_bench.tasks.metadata import CompareTaskMetadata
from empathy_bench.tasks.spec import CompareTask

KIND = Kind(
    name="compare",
    table="preference",
    task_metadata=CompareTaskMetadata,
    spec=CompareTask,
    build=judged(compare),
    read=read_choices,
    rows=compare_rows,
    reads_rate_logs=True,
    probe_result=choice_shift,
    spread=compare_spread,
)
