"""The text features of `builtin/lexicon` (see lexicon.py): a conversation's supporter messages,
each with the seeker's words it answers, and the evidence of one behaviour in one message that
no phrase list captures (questions, reflecting the seeker's words, instructions, first-person
focus, keeping to the topic), plus the fluency of the supporter's text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from empathy_bench.candidates.builtin.cues import normalise
from empathy_bench.candidates.prompt import PromptRequest

# Sentence-initial verbs that make a sentence an instruction ("Try praying.", "Talk to HR.").
IMPERATIVE_VERBS = frozenset(
    "try talk go take make ask get focus remember keep find look stop start reach consider update apply write speak "
    "call put give let's seek join practice schedule set plan avoid".split()
)
# Phrases in which "I"/"my" serve the seeker, not the supporter's own story.
EMPATHIC_FIRST_PERSON = re.compile(
    r"\bi(?:'m| am) (?:so |really |very )?sorry\b|\bi (?:completely |totally )?understand\b|"
    r"\bi can (?:only )?imagine\b|\bi hear\b|"
    r"\bi(?:'m| am) (?:always )?here\b|\bi see\b|\bi get (?:it|that)\b|\bi hope\b|\bi wonder\b|\bi think\b|"
    r"\blet me\b|\btell me\b|"
    r"\bi(?:'m| am) glad\b|\bi(?:'d| would) (?:like|love) to\b|\bi want to hear\b|\bi feel for you\b|"
    r"\bmy heart\b"
)
FIRST_PERSON = re.compile(r"\b(?:i|me|my|mine|myself|i'm|i've|i'd|i'll)\b")
QUESTION_OPENERS = re.compile(
    r"^(?:what|how|why|when|where|who|which|do you|did you|are you|is it|is that|is there|have you|would you|"
    r"can you|could you|were you|was it)\b"
)
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between both but
    by can could did do does doing down during each few for from further had has have having he her here hers herself
    him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves also really get got like yes yeah okay well oh one
    thing things much many even still maybe something anything know think going want way lot""".split()
)

_WORD_RE = re.compile(r"[a-z0-9']+")
_SENTENCE_RE = re.compile(r"[^.!?;\n]+[.!?;]*")


def stem(word: str) -> str:
    """A crude suffix stripper, enough to match 'exams' with 'exam' or 'feeling' with 'feel'."""
    for suffix in ("ing", "ed", "ly", "s"):
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry content: no stopwords, contractions or very short words."""
    words = _WORD_RE.findall(normalise(text))
    return {stem(w) for w in words if len(w) >= 3 and "'" not in w and w not in STOPWORDS and not w.isdigit()}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.findall(text) if s.strip(" .!?;")]


@dataclass(frozen=True)
class Turn:
    """One supporter message with the seeker's words it answers."""

    text: str
    previous_seeker: str  # the seeker's message(s) since the supporter last spoke
    seeker_so_far: str  # everything the seeker said before this message (all of it if nothing yet)


def message_turns(request: PromptRequest, target: str) -> list[Turn]:
    out: list[Turn] = []
    pending: list[str] = []
    seen: list[str] = []
    for speaker, text in request.turns:
        if speaker == target:
            out.append(Turn(text, "\n".join(pending), "\n".join(seen)))
            pending = []
        else:
            pending.append(text)
            seen.append(text)
    everything = "\n".join(seen)
    return [t if t.seeker_so_far else Turn(t.text, t.previous_seeker, everything) for t in out]


# --- features: evidence of one behaviour in one supporter turn -----------------------------


def _questions(turn: Turn) -> float:
    """Sentences asking something ('?' or a question opener; chat writers often drop the '?')."""
    return float(sum(1 for s in sentences(turn.text) if s.endswith("?") or QUESTION_OPENERS.match(normalise(s))))


def _specific_questions(turn: Turn) -> float:
    """A question counts half; a longer question (8+ words), usually a specific one, counts fully."""
    asked = [s for s in sentences(turn.text) if s.endswith("?") or QUESTION_OPENERS.match(normalise(s))]
    return sum(1.0 if len(s.split()) >= 8 else 0.5 for s in asked)


def _reflection(turn: Turn) -> float:
    """Reusing the seeker's own content words: three or more shared words count as one cue."""
    return min(1.0, len(content_stems(turn.text) & content_stems(turn.previous_seeker)) / 3)


def _imperatives(turn: Turn) -> float:
    """Statements that open with a bare verb ('Try praying.'); not questions ('Get what you
    need?') nor 'tell me' / 'ask yourself' style invitations."""
    count = 0
    for s in sentences(turn.text):
        words = _WORD_RE.findall(normalise(s))
        if (
            words
            and words[0] in IMPERATIVE_VERBS
            and not s.endswith("?")
            and words[1:2] not in (["me"], ["you"], ["yourself"])
        ):
            count += 1
    return float(count)


def _self_focus(turn: Turn) -> float:
    """First-person words outside empathic formulae ('I'm sorry', 'I understand'): four of them
    in a turn weigh as much as one self-story phrase."""
    text = EMPATHIC_FIRST_PERSON.sub(" ", normalise(turn.text))
    return len(FIRST_PERSON.findall(text)) / 4


def _seeker_overlap(turn: Turn) -> float:
    """Topic kept: content words shared with what the seeker said so far, two or more counting 1."""
    return min(1.0, len(content_stems(turn.text) & content_stems(turn.seeker_so_far)) / 2)


FEATURES: dict[str, Callable[[Turn], float]] = {
    "questions": _questions,
    "specific_questions": _specific_questions,
    "reflection": _reflection,
    "imperatives": _imperatives,
    "self_focus": _self_focus,
    "seeker_overlap": _seeker_overlap,
}


def fluency(turns: list[Turn]) -> float:
    """0..1 well-formedness of the supporter's text: start from 1 and take off for sentences that
    do not start with a capital (0.2 x share; chat text is often lower-case), messages that do
    not end in punctuation (0.2 x share), run-on sentences over 35 words on average (0.2), and
    word pairs no grammatical sentence contains, such as 'the you' or 'a is' (0.3 each)."""
    texts = [t.text.strip() for t in turns if t.text.strip()]
    if not texts:
        return 0.0
    all_sentences = [s for t in texts for s in sentences(t)]
    lower_start = sum(1 for s in all_sentences if s[0].isalpha() and s[0].islower()) / max(1, len(all_sentences))
    unpunctuated = sum(1 for t in texts if t[-1].isalnum()) / len(texts)
    mean_length = sum(len(s.split()) for s in all_sentences) / max(1, len(all_sentences))
    words = _WORD_RE.findall(normalise(" ".join(texts)))
    odd_pairs = sum(
        1 for a, b in zip(words, words[1:], strict=False) if a in _DETERMINERS and b in _NOT_AFTER_DETERMINER
    )
    return 1.0 - 0.2 * lower_start - 0.2 * unpunctuated - (0.2 if mean_length > 35 else 0.0) - 0.3 * odd_pairs


_DETERMINERS = frozenset("the a an your my his their our its".split())
_NOT_AFTER_DETERMINER = frozenset("the a an you i he she they we is was are were be to of and".split())
