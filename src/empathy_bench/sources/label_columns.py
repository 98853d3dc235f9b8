"""The columns of the canonical label tables (see sources/labels.py): items, ratings and a
recorded judge's repeated runs, and the speaker a source's conversations are rated for by default."""

from empathy_bench.sources.transcript import SUPPORTER

ITEM_COLUMNS = ["item_id", "framework", "source", "target", "turns", "metadata"]
RATING_COLUMNS = ["item_id", "framework", "dimension", "rater_id", "rater_group", "value"]
OPTIONAL_RATING_COLUMNS = ["aggregate", "evidence", "run_of"]
RUN_SEPARATOR = "#"  # a run's rater_id: '<id>#<k>'
RUN_COLUMNS = ["item_id", "dimension", "epoch", "value"]
TARGET_SPEAKER = SUPPORTER
