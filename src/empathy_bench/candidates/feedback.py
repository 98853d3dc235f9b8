"""The feedback contract: a coach answers with one JSON object (bare, or in a ```json fence)

    {"strengths":    [{"dimension": ID, "quote": "..."}],
     "improvements": [{"dimension": ID, "quote": "...", "rewrite": "...", "why": "..."}],
     "message": "the feedback as the supporter would read it"}

with improvements in priority order (the most important first), every quote copied from the
supporter's own messages and every rewrite a replacement for the whole message the quote comes
from. A reply that is not such an object, or that names a dimension the task did not ask about,
is unscored with a reason code (counted, never a score): `empty_reply`, `not_json` (no JSON
object to read), `bad_feedback` (a field missing or of the wrong type), `unknown_dimension`.
Fields the contract does not name are ignored, so a coach that adds a field is not penalised."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError

from empathy_bench.candidates.reply import Unscored

FENCE_RE = re.compile(r"```(?:json)?\s*\n(.*?)\n\s*```", re.S)


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Strength(_Part):
    dimension: str
    quote: str


class Improvement(_Part):
    dimension: str
    quote: str
    rewrite: str
    why: str = ""

    def words(self) -> int:
        """Words of its quote, rewrite and reason: what the improvement spends of the feedback."""
        return sum(len(text.split()) for text in (self.quote, self.rewrite, self.why))


class Feedback(_Part):
    # every field is required (an empty list says "nothing to praise"; a missing one is not the contract)
    strengths: list[Strength]
    improvements: list[Improvement]
    message: str

    def words(self) -> int:
        """Words of everything the supporter would read: the message, the quotes, rewrites and
        reasons (what length-biased readers of feedback reward)."""
        read = [self.message] + [s.quote for s in self.strengths]
        return sum(len(text.split()) for text in read) + sum(i.words() for i in self.improvements)


@dataclass(frozen=True)
class ParsedFeedback:
    feedback: Feedback | None
    unscored: Unscored | None


def parse_feedback(reply: str, dimension_ids: list[str]) -> ParsedFeedback:
    """Strictly read the feedback object of a reply (see the module docstring)."""
    if not reply.strip():
        return ParsedFeedback(None, Unscored("empty_reply", "empty reply"))
    text = _json_text(reply)
    try:
        data = json.loads(text) if text is not None else None
    except json.JSONDecodeError as err:
        return ParsedFeedback(None, Unscored("not_json", f"the feedback is not valid JSON ({err.msg})"))
    if not isinstance(data, dict):
        return ParsedFeedback(None, Unscored("not_json", "no JSON object in the reply"))
    try:
        feedback = Feedback.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return ParsedFeedback(None, Unscored("bad_feedback", f"field '{where}': {first['msg']}"))
    named = [s.dimension for s in feedback.strengths] + [i.dimension for i in feedback.improvements]
    unknown = sorted(set(named) - set(dimension_ids))
    if unknown:
        return ParsedFeedback(
            None, Unscored("unknown_dimension", f"unknown dimension(s) {unknown}; asked: {', '.join(dimension_ids)}")
        )
    return ParsedFeedback(feedback, None)


def _json_text(reply: str) -> str | None:
    """The JSON of a reply: a fenced block's body if there is one, else from the first `{` to
    the last `}` (prose around the object is allowed, as models often add a sentence)."""
    fenced = FENCE_RE.search(reply)
    if fenced:
        return fenced.group(1)
    start, end = reply.find("{"), reply.rfind("}")
    return reply[start : end + 1] if 0 <= start < end else None
