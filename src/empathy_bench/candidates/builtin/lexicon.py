"""`builtin/lexicon`: a transparent cue-lexicon judge. For each dimension it counts cue phrases
in the supporter's turns (empathic and misattuned phrasings written from the rubric questions
alone, `CUES`, combined per dimension by `RECIPES`; never adjusted on any task's items), simple
text features (questions, reflecting the seeker's words, first-person focus, fluency) and words
that tell apart the rubric's own high- and low-rated examples, derived at run time
(`derived_cues`). See `lexicon_rating` for the mapping onto the scale. Dimensions it has no rule
and no rubric examples for get the scale midpoint. The cue lexicon is in cues.py, the text
features in features.py; this module holds the recipes and the rating."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from empathy_bench.candidates.builtin.cues import count_cues
from empathy_bench.candidates.builtin.features import FEATURES, Turn, content_stems, fluency, message_turns, sentences
from empathy_bench.candidates.builtin.reading import midpoint, rubric_examples, to_scale
from empathy_bench.candidates.prompt import PromptRequest

# --- recipes: which cues make up each dimension --------------------------------------------


@dataclass(frozen=True)
class Recipe:
    plus: tuple[str, ...]  # cue families (CUES) and features (FEATURES) that show the behaviour
    minus: tuple[str, ...] = ()  # ones that show its opposite


RECIPES: dict[str, Recipe] = {
    # Lend an Ear (proscriptive dimensions rate how much of the misattuned behaviour there is)
    "validating_emotions": Recipe(("validating",), ("dismissing",)),
    "encouraging_elaboration": Recipe(("questions", "inviting"), ("advice_questions", "disengaging")),
    "demonstrating_understanding": Recipe(("understanding", "reflection")),
    "advice_giving": Recipe(("advice", "advice_questions", "imperatives")),
    "self_oriented": Recipe(("self_story", "self_focus")),
    "dismissing_emotions": Recipe(("dismissing",)),
    # EPITOME
    "level_emotional_reactions": Recipe(("warmth",)),
    "level_interpretations": Recipe(("relating", "understanding")),
    "level_explorations": Recipe(("specific_questions",), ("advice_questions",)),
    # EmpatheticDialogues (fluency is scored on the whole text, see `fluency`)
    "empathy": Recipe(("validating", "warmth"), ("dismissing",)),
    "relevance": Recipe(("seeker_overlap",)),
    # Perceived Empathy
    "m_understood": Recipe(("understanding", "reflection")),
    "m_validated": Recipe(("validating",), ("dismissing", "judging")),
    "m_affirmed": Recipe(("affirming", "validating"), ("judging", "dismissing")),
    "m_seen": Recipe(("reflection", "understanding"), ("dismissing",)),
    "m_accepted": Recipe(("validating", "affirming"), ("judging",)),
    "m_caredfor": Recipe(("warmth", "presence"), ("disengaging",)),
    "m_emotional": Recipe(("warmth", "validating", "presence"), ("disengaging",)),
    "m_practical": Recipe(("advice", "imperatives")),
    "m_motivation": Recipe(("presence", "inviting", "questions"), ("disengaging",)),
}

# One turn can add at most this much evidence, so a single gushing message does not outweigh a
# conversation's worth of silence.
TURN_CAP = 2.0
# A word that separates the rubric's high- and low-rated examples is weaker evidence than a
# hand-written cue: it may be incidental to the example ('layoffs', 'weekend').
DERIVED_WEIGHT = 0.5
# ... and all of them together count at most as much as one hand-written cue per turn.
DERIVED_CAP = 1.0


@cache
def derived_cues(dimension_id: str) -> tuple[frozenset[str], frozenset[str]]:
    """Word stems that mark the rubric's highest-rated examples of a dimension (first set) and
    its lowest-rated ones (second set): the supporter's words found in one group and not the
    other, leaving out words the seeker said in any example (those are the topic, not the
    behaviour). Empty when the dimension is unknown or all its examples share one rating."""
    examples = rubric_examples(dimension_id)
    if not examples:
        return frozenset(), frozenset()
    top, bottom = max(e.rating for e in examples), min(e.rating for e in examples)
    if top == bottom:
        return frozenset(), frozenset()
    high, low, topic = set(), set(), set()
    for ex in examples:
        turns = ex.turns
        if not turns:
            continue
        rated = turns[-1][0]
        topic |= {w for label, text in turns if label != rated for w in content_stems(text)}
        words = {w for label, text in turns if label == rated for w in content_stems(text)}
        if ex.rating == top:
            high |= words
        elif ex.rating == bottom:
            low |= words
    return frozenset(high - low - topic), frozenset(low - high - topic)


def _evidence(name: str, turn: Turn) -> float:
    return FEATURES[name](turn) if name in FEATURES else float(count_cues(name, turn.text))


def lexicon_rating(request: PromptRequest, dim: str, target: str) -> int:
    """Per supporter turn: hand-written cues and features of the dimension's recipe (+1 per hit,
    -1 per hit of an opposite cue) plus DERIVED_WEIGHT per rubric-derived word (+ for the
    high-rated examples' words, - for the low-rated ones'), clipped to 0..TURN_CAP. The mean over
    turns, capped at 1, is the position on the scale
    (rounded to the nearest point). No supporter text: the bottom of the scale."""
    lo, hi = request.scale_min, request.scale_max
    recipe, (high, low) = RECIPES.get(dim), derived_cues(dim)
    if dim == "fluency":
        turns = message_turns(request, target)
        return to_scale(fluency(turns), lo, hi) if turns else lo
    if recipe is None and not (high or low):
        return midpoint(request)
    recipe = recipe or Recipe(())
    turns = message_turns(request, target)
    if not turns:
        return lo
    per_turn = []
    for turn in turns:
        score = sum(_evidence(n, turn) for n in recipe.plus) - sum(_evidence(n, turn) for n in recipe.minus)
        words = content_stems(turn.text)
        derived = DERIVED_WEIGHT * (len(words & high) - len(words & low))
        score += max(-DERIVED_CAP, min(DERIVED_CAP, derived))
        per_turn.append(min(TURN_CAP, max(0.0, score)))
    return to_scale(sum(per_turn) / len(per_turn), lo, hi)


def sentence_evidence(request: PromptRequest, dim: str, target: str) -> list[tuple[int, str, float, float]]:
    """(turn index, sentence, evidence for, evidence against) of every sentence of the target's
    messages on a dimension, by the same recipe as `lexicon_rating` (each sentence read with the
    seeker's words its message answers): what the lexicon coach quotes."""
    recipe = RECIPES.get(dim, Recipe(()))
    found: list[tuple[int, str, float, float]] = []
    messages = message_turns(request, target)
    indices = [i for i, (speaker, _) in enumerate(request.turns) if speaker == target]
    for index, message in zip(indices, messages, strict=True):
        for sentence in sentences(message.text):
            turn = Turn(sentence, message.previous_seeker, message.seeker_so_far)
            plus = sum(_evidence(n, turn) for n in recipe.plus)
            found.append((index, sentence, plus, sum(_evidence(n, turn) for n in recipe.minus)))
    return found
