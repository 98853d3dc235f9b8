"""`builtin/lexicon`: a transparent cue-lexicon judge. For each dimension it counts cue phrases
in the supporter's turns (empathic and misattuned phrasings written from the rubric questions
alone, `CUES`, combined per dimension by `RECIPES`; never adjusted on any task's items), simple
text features (questions, reflecting the seeker's words, first-person focus, fluency) and words
that tell apart the rubric's own high- and low-rated examples, derived at run time
(`derived_cues`). See `lexicon_rating` for the mapping onto the scale. Dimensions it has no rule
and no rubric examples for get the scale midpoint."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from empathy_bench.candidates.builtin.reading import midpoint, rubric_examples, to_scale
from empathy_bench.candidates.prompt import PromptRequest

# --- the cue lexicon ----------------------------------------------------------------------
#
# Where the cues come from (recorded in evals/judges/builtin-lexicon.yaml as `derived_from`):
# each family puts into phrases the words of the rubric questions it serves (for example
# "acknowledge ... feelings ... understandable and legitimate" for validating, "minimise, deny,
# or hurry past" for dismissing, "tell the seeker what they should do" for advice) and the
# stock phrasings of the helping skills those questions name (open questions, reflections,
# validation, advice, self-disclosure, reassurance). They were written from the rubrics alone:
# no item of any task was read while writing them, and no cue or constant was changed after
# seeing a score. (The lexicon before this one had been adjusted while looking at Lend an Ear's
# 50 conversations, which made its Lend an Ear numbers a fit, not a test: it is retired.)
#
# Cues are regular expressions matched on lower-cased text (curly apostrophes made straight),
# whole words only; most are plain phrases. Each family is one alternation tried longest pattern
# first, so "that sounds hard" is one match, not also "that sounds".

FEELINGS = (
    "hard|tough|difficult|painful|frustrating|stressful|upsetting|scary|overwhelming|awful|unfair|sad|lonely|hurtful"
)
INTENSIFIER = r"(?:(?:so|really|very|incredibly) )?"

CUES: dict[str, tuple[str, ...]] = {
    # validating_emotions: "acknowledge the seeker's feelings and convey that those feelings are
    # understandable and legitimate".
    "validating": (
        r"makes? (?:total |complete |a lot of )?sense",
        "understandable",
        r"(?:it's|it is) (?:normal|natural|okay|ok|valid|reasonable) to",
        "no wonder",
        r"of course you(?:'d| would)? feel",
        r"(?:anyone|anybody) would",
        r"you have every right",
        "valid",
        "legitimate",
        rf"(?:that|this|it)(?:'s| is| sounds| must be| seems) {INTENSIFIER}(?:{FEELINGS})",
        r"sorry (?:to hear|that|you)",
        r"i can (?:only )?imagine",
    ),
    # dismissing_emotions: "minimise, deny, or hurry past the seeker's feelings" (and the rubric's
    # high example: "come on, it's just one promotion, don't be so dramatic").
    "dismissing": (
        "at least",
        r"(?:it's|it is) (?:just|only)",
        r"don't (?:worry|be so|be sad|be upset|stress)",
        "calm down",
        "cheer up",
        "come on",
        "dramatic",
        "overreacting",
        r"(?:not|no) (?:a |such a )?big deal",
        r"could (?:be|have been) worse",
        "bright side",
        "get over it",
        "move on",
        "stop worrying",
        r"(?:you'll|you will|it'll|it will) be (?:fine|okay|ok)",
        "happens for a reason",
    ),
    # encouraging_elaboration: "invite the seeker to say more ... open questions or showing
    # interest" (questions themselves are counted as a feature).
    "inviting": (
        r"tell me (?:more|about)",
        r"i(?:'d| would) like to hear",
        r"i(?:'m| am) listening",
        r"(?:do|would) you (?:want|like) to talk",
        "say more",
        "go on",
        r"how (?:are|have) you (?:been )?(?:feeling|holding up|coping)",
        "what happened",
        r"what (?:was|is) (?:that|it) like",
    ),
    # Questions that are advice in disguise ("have you tried ...?"): not an invitation to talk.
    "advice_questions": (
        r"have you (?:tried|considered|thought about)",
        r"why (?:don't|not) you",
        "why not",
        r"(?:what|how) about",
        r"could you try",
    ),
    # advice_giving: "tell the seeker what they should do when the seeker has not asked".
    "advice": (
        r"you (?:should|need to|have to|ought to|must|could)",
        r"try to",
        r"i (?:would )?(?:suggest|recommend|advise)",
        r"if i were you",
        "make sure",
        r"(?:it )?(?:might|may|would) help to",
        r"(?:it's|it is|it would be) a good idea",
        r"the best (?:thing|way)",
        r"maybe you should",
    ),
    # demonstrating_understanding: "reflecting or paraphrasing the seeker's situation and its
    # meaning to them" (reusing the seeker's words is counted as a feature).
    "understanding": (
        r"(?:it )?sounds like",
        r"(?:it )?seems like",
        r"so you(?:'re| are|'ve| have)?",
        r"you(?:'re| are)? feeling",
        r"you feel",
        r"you felt",
        r"i hear",
        r"i (?:can )?understand",
        r"i can see",
        r"(?:that|it) must (?:feel|be)",
        r"what i(?:'m| am) hearing",
        "in other words",
    ),
    # self_oriented: "shift the focus ... onto their own experiences or feelings" (first-person
    # words are counted as a feature).
    "self_story": (
        r"when (?:i|my)",
        r"i remember",
        r"i had",
        r"i was",
        "me too",
        "same here",
        r"happened to me",
        r"in my experience",
        r"my own",
        r"i know exactly",
        r"i(?:'ve| have)? (?:been|gone) through",
        r"reminds me",
    ),
    # EPITOME emotional reactions: "the responder's own warmth, compassion or concern".
    "warmth": (
        "sorry",
        "my heart",
        r"i feel for you",
        "hugs",
        r"sending (?:you )?(?:love|hugs|strength)",
        r"i care",
        r"i hope",
        "take care",
        r"i(?:'m| am) here for you",
        r"thinking of you",
        r"that's (?:awful|terrible|horrible|sad)",
        "oh no",
    ),
    # EPITOME interpretations: "an understanding of the feelings or experiences the seeker describes".
    "relating": (
        r"i (?:can )?understand",
        r"i know how",
        r"i can relate",
        r"i(?:'ve| have) been there",
        r"i went through",
        "similar",
        "me too",
        r"(?:it )?sounds like",
        r"must (?:be|feel)",
        r"i can (?:only )?imagine",
    ),
    # Perceived Empathy, affirmed / accepted: support for the seeker's worth and judgement.
    "affirming": (
        r"proud of you",
        "brave",
        "strong",
        "courage",
        r"not your fault",
        r"you deserve",
        r"(?:the )?right (?:thing|choice|decision)",
        "well done",
        "good for you",
        r"doing (?:your|the) best",
    ),
    # Passing judgement on the seeker (the opposite of accepting).
    "judging": (
        r"your (?:own )?fault",
        r"should(?:n't)? have",
        "silly",
        "stupid",
        "ridiculous",
        "mistake",
        r"what were you thinking",
    ),
    # Perceived Empathy, emotional support / motivation: offering to stay with the seeker.
    "presence": (
        r"i(?:'m| am) here",
        r"here for you",
        r"here to listen",
        r"(?:happy|glad) to (?:talk|listen)",
        "anytime",
        r"whenever you (?:need|want)",
        r"reach out to me",
    ),
    # Closing the topic or leaving (the rubric's low examples: "Anyway, I hope things work out",
    # "Okay. What are you doing this weekend?").
    "disengaging": (
        "anyway",
        r"got(?:ta| to) go",
        "whatever",
        r"let's talk about something else",
        "moving on",
        r"hope (?:things|it) work(?:s)? out",
        r"what are you doing this weekend",
    ),
}

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


def _normalise(text: str) -> str:
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


@cache
def _family_re(family: str) -> re.Pattern[str]:
    cues = sorted(CUES[family], key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(cues) + r")(?![\w'])")


def count_cues(family: str, text: str) -> int:
    return len(_family_re(family).findall(_normalise(text)))


def stem(word: str) -> str:
    """A crude suffix stripper, enough to match 'exams' with 'exam' or 'feeling' with 'feel'."""
    for suffix in ("ing", "ed", "ly", "s"):
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry content: no stopwords, contractions or very short words."""
    words = _WORD_RE.findall(_normalise(text))
    return {stem(w) for w in words if len(w) >= 3 and "'" not in w and w not in STOPWORDS and not w.isdigit()}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.findall(text) if s.strip(" .!?;")]


@dataclass(frozen=True)
class Turn:
    """One supporter message with the seeker's words it answers."""

    text: str
    previous_seeker: str  # the seeker's message(s) since the supporter last spoke
    seeker_so_far: str  # everything the seeker said before this message (all of it if nothing yet)


def _turns(request: PromptRequest, target: str) -> list[Turn]:
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
    return float(sum(1 for s in sentences(turn.text) if s.endswith("?") or QUESTION_OPENERS.match(_normalise(s))))


def _specific_questions(turn: Turn) -> float:
    """A question counts half; a longer question (8+ words), usually a specific one, counts fully."""
    asked = [s for s in sentences(turn.text) if s.endswith("?") or QUESTION_OPENERS.match(_normalise(s))]
    return sum(1.0 if len(s.split()) >= 8 else 0.5 for s in asked)


def _reflection(turn: Turn) -> float:
    """Reusing the seeker's own content words: three or more shared words count as one cue."""
    return min(1.0, len(content_stems(turn.text) & content_stems(turn.previous_seeker)) / 3)


def _imperatives(turn: Turn) -> float:
    """Statements that open with a bare verb ('Try praying.'); not questions ('Get what you
    need?') nor 'tell me' / 'ask yourself' style invitations."""
    count = 0
    for s in sentences(turn.text):
        words = _WORD_RE.findall(_normalise(s))
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
    text = EMPATHIC_FIRST_PERSON.sub(" ", _normalise(turn.text))
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
    words = _WORD_RE.findall(_normalise(" ".join(texts)))
    odd_pairs = sum(
        1 for a, b in zip(words, words[1:], strict=False) if a in _DETERMINERS and b in _NOT_AFTER_DETERMINER
    )
    return 1.0 - 0.2 * lower_start - 0.2 * unpunctuated - (0.2 if mean_length > 35 else 0.0) - 0.3 * odd_pairs


_DETERMINERS = frozenset("the a an your my his their our its".split())
_NOT_AFTER_DETERMINER = frozenset("the a an you i he she they we is was are were be to of and".split())


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
        turns = _turns(request, target)
        return to_scale(fluency(turns), lo, hi) if turns else lo
    if recipe is None and not (high or low):
        return midpoint(request)
    recipe = recipe or Recipe(())
    turns = _turns(request, target)
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
    messages = _turns(request, target)
    indices = [i for i, (speaker, _) in enumerate(request.turns) if speaker == target]
    for index, message in zip(indices, messages, strict=True):
        for sentence in sentences(message.text):
            turn = Turn(sentence, message.previous_seeker, message.seeker_so_far)
            plus = sum(_evidence(n, turn) for n in recipe.plus)
            found.append((index, sentence, plus, sum(_evidence(n, turn) for n in recipe.minus)))
    return found
