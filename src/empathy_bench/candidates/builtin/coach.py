"""The built-in offline coaches, answering a rendered coach prompt with feedback in the contract's
JSON (`empathy_bench.candidates.feedback`).

- `generic_coach`: the same advice for everyone, the base rate of every check. It names every
  dimension of the prompt as an improvement, in the prompt's order, praises nothing, quotes the
  supporter's last message whatever it says (a positional rule: it never reads the words) and
  proposes the dimension's stock sentence (`TEMPLATES`) in its place.
- `lexicon_coach`: the lexicon judge's ratings make its profile (problems and strengths by the
  project's default thresholds, `ProfileThresholds()`, on the rubric's scale), worst problem
  first. It quotes the sentence its cues matched: for a misattuned behaviour the sentence with
  the most cues of it; for a missing one the sentence with the most cues against it, else the
  first sentence of the supporter's message with the least evidence for it. Its rewrite swaps
  the quoted sentence for the dimension's stock sentence (a missing behaviour: the stock
  sentence is put before the quoted one). It praises only what it can point at: a prescriptive
  strength with a sentence that shows it.

The stock sentences were written from the rubric questions alone, like the lexicon's cues."""

from __future__ import annotations

import json

from empathy_bench.candidates.builtin.lexicon import lexicon_rating, sentence_evidence
from empathy_bench.candidates.prompt import CoachRequest, PromptRequest
from empathy_bench.sources.profile import ProfileThresholds, profile, ranked_problems
from empathy_bench.sources.quote import MIN_QUOTE_CHARS
from empathy_bench.sources.rubric import Rubric, find_dimension

# One sentence per Lend an Ear dimension: what the supporter could say instead.
TEMPLATES = {
    "validating_emotions": "That sounds really hard, and it makes sense that you feel this way.",
    "encouraging_elaboration": "What has this been like for you?",
    "demonstrating_understanding": "It sounds like this has been weighing on you a lot.",
    "advice_giving": "I'm here to listen, whatever you decide to do.",
    "self_oriented": "I'd like to hear more about how this is affecting you.",
    "dismissing_emotions": "Your feelings about this are completely understandable.",
}
FALLBACK = {1: "Tell me more about how you are feeling.", -1: "I'm here to listen."}
WHY = {
    "validating_emotions": "Naming the feeling and saying it makes sense helps the seeker feel heard.",
    "encouraging_elaboration": "An open question invites the seeker to share more.",
    "demonstrating_understanding": "Reflecting back what you heard shows that you understood.",
    "advice_giving": "Unasked-for advice can feel like being told what to do instead of being heard.",
    "self_oriented": "Turning to your own experience moves the focus away from the seeker.",
    "dismissing_emotions": "Playing a feeling down tells the seeker it is not valid.",
}


def template(dim: str, sign: int) -> str:
    return TEMPLATES.get(dim, FALLBACK[sign])


def _reply(strengths: list[dict[str, str]], improvements: list[dict[str, str]], message: str) -> str:
    return json.dumps({"strengths": strengths, "improvements": improvements, "message": message}, indent=1)


def generic_coach(request: CoachRequest) -> str:
    last = next((text for speaker, text in reversed(request.turns) if speaker == request.target), "")
    improvements = [
        {"dimension": d, "quote": last, "rewrite": template(d, sign), "why": WHY.get(d, "")}
        for d, sign in request.dimensions
    ]
    tips = " ".join(template(d, sign) for d, sign in request.dimensions)
    return _reply([], improvements, f"Some things that help in any conversation like this one: {tips}")


def _ratings(request: CoachRequest, rubric: Rubric) -> dict[str, int]:
    """The lexicon judge's rating of every dimension, on the rubric's own scale."""
    ratings = {}
    for dim, _ in request.dimensions:
        scale = rubric.scale_of(dim)
        asked = PromptRequest([dim], scale.min, scale.max, request.turns, request.target)
        ratings[dim] = lexicon_rating(asked, dim, request.target)
    return ratings


def lexicon_coach(request: CoachRequest) -> str:
    order = [d for d, _ in request.dimensions]
    rubric = next((known[0] for d in order if (known := find_dimension(d))), None)
    if rubric is None:
        raise ValueError(f"no rubric of the project has the dimensions {order}")
    ratings, signs, thresholds = _ratings(request, rubric), dict(request.dimensions), ProfileThresholds()
    found = profile(ratings, rubric, thresholds)
    improvements = [_improvement(request, d, signs[d]) for d in ranked_problems(ratings, rubric, thresholds)]
    strengths = [s for d in order if d in found.strengths and signs[d] > 0 and (s := _strength(request, d))]
    praised = ", ".join(rubric.dimension(s["dimension"]).name.lower() for s in strengths) or "nothing the cues show"
    first = improvements[0] if improvements else None
    advice = f' Most important next time: {first["why"]} For example: "{first["rewrite"]}"' if first else ""
    return _reply(strengths, improvements, f"What worked: {praised}.{advice}")


def _improvement(request: CoachRequest, dim: str, sign: int) -> dict[str, str]:
    evidence = sentence_evidence(_as_rating(request, dim), dim, request.target)
    messages = _messages(request)
    if not evidence:
        return {"dimension": dim, "quote": "", "rewrite": template(dim, sign), "why": WHY.get(dim, "")}
    if sign < 0:  # a misattuned behaviour: its strongest sentence
        turn, quote, _, _ = max(evidence, key=lambda e: e[2])
        replacement = template(dim, sign)
    elif max(e[3] for e in evidence) > 0:  # a missing behaviour with a sentence against it
        turn, quote, _, _ = max(evidence, key=lambda e: e[3])
        replacement = template(dim, sign)
    else:  # a missing behaviour: where there is least of it
        weakest = min(messages, key=lambda i: (sum(e[2] for e in evidence if e[0] == i), i))
        turn, quote, _, _ = next(e for e in evidence if e[0] == weakest)
        replacement = f"{template(dim, sign)} {quote}"
    if len(quote) < MIN_QUOTE_CHARS:  # "Oh no!" grounds nothing: quote the whole message
        quote, replacement = messages[turn], f"{replacement} {messages[turn]}" if sign > 0 else replacement
    rewrite = messages[turn].replace(quote, replacement, 1)
    return {"dimension": dim, "quote": quote, "rewrite": rewrite, "why": WHY.get(dim, "")}


def _strength(request: CoachRequest, dim: str) -> dict[str, str] | None:
    evidence = sentence_evidence(_as_rating(request, dim), dim, request.target)
    best = max(evidence, key=lambda e: e[2], default=None)
    if best is None or best[2] <= 0:
        return None
    return {"dimension": dim, "quote": best[1] if len(best[1]) >= MIN_QUOTE_CHARS else _messages(request)[best[0]]}


def _messages(request: CoachRequest) -> dict[int, str]:
    """The supporter's messages by their index in the conversation."""
    return {i: text for i, (speaker, text) in enumerate(request.turns) if speaker == request.target}


def _as_rating(request: CoachRequest, dim: str) -> PromptRequest:
    return PromptRequest([dim], 1, 5, request.turns, request.target)


COACHES = {"generic_coach": generic_coach, "lexicon_coach": lexicon_coach}
