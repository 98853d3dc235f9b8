"""The built-in task kinds, registered here (core/kinds.py loads this package on its first lookup).
Each kind's module wraps the stages' code for it into its `Kind`; a new kind is a module like
them and one line below."""

from empathy_bench.core.kinds import register
from empathy_bench.kinds import coach, compare, rate

for builtin in (rate.KIND, compare.KIND, coach.KIND):
    register(builtin)
