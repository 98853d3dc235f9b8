"""The built-in task kinds, one module each (`rate.py`, `compare.py`, `coach.py`). Each wraps the
stages' code for its kind into its `KIND`, declared as an entry point of the group
`empathy_bench.kinds` in pyproject.toml, which core/kinds.py reads on its first lookup; nothing
here registers anything. A new kind is a module like them and one entry point line."""
