"""empathy-bench: an evaluation benchmark harness for empathic communication."""

import os

# litellm fetches its model price map over the network at import time unless told to use the
# copy bundled with the pinned release; set it before anything imports litellm, so costs are
# reproducible and runs work offline.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
