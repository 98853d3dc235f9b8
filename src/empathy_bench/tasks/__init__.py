"""Stage 3, tasks: task files (a source, a rubric, a reference and a kind) and the inspect task
of each kind with its scorer (today `rate`, in `empathy_bench.tasks.rate`; it is not imported
here because building an inspect task loads inspect and litellm, which the file model does not
need)."""

from empathy_bench.tasks.spec import TaskSpec, load_task, task_ids

__all__ = ["TaskSpec", "load_task", "task_ids"]
