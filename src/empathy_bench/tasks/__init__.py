"""Stage 3, tasks: task files (a source or a team's own labels, a rubric, a reference and a kind),
the labels a task reads, a compare task's pairs and reference choices, and the inspect task of
each kind with its scorer (`empathy_bench.tasks.rate`, `empathy_bench.tasks.compare`,
`empathy_bench.tasks.coach`; they are not imported here because building an inspect task loads
inspect and litellm, which the file model does not need)."""

from empathy_bench.tasks.labels import label_files, recorded_raters, task_labels
from empathy_bench.tasks.preferences import TaskPreferences, task_preferences
from empathy_bench.tasks.spec import OwnLabels, TaskSpec, load_task, task_ids

__all__ = [
    "OwnLabels",
    "TaskPreferences",
    "TaskSpec",
    "label_files",
    "load_task",
    "recorded_raters",
    "task_ids",
    "task_labels",
    "task_preferences",
]
