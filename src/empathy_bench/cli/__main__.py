"""`python -m empathy_bench.cli`: the same as `empathy-bench`."""

import sys

from empathy_bench.cli import main

sys.exit(main())
