"""The cue lexicon of `builtin/lexicon` (see lexicon.py): families of empathic and misattuned
phrasings written from the rubric questions alone, and how a family's cues are counted in a text."""

from __future__ import annotations

import re
from functools import cache

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


def normalise(text: str) -> str:
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


@cache
def family_re(family: str) -> re.Pattern[str]:
    cues = sorted(CUES[family], key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(cues) + r")(?![\w'])")


def count_cues(family: str, text: str) -> int:
    return len(family_re(family).findall(normalise(text)))
