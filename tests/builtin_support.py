"""What the built-in judge tests share: a conversation to rate and a call through litellm."""

from __future__ import annotations

import litellm

RUBRICS = ["lend_an_ear", "epitome", "empathetic_dialogues", "perceived_empathy"]
TURNS = [
    {
        "speaker": "Seeker",
        "text": "My manager took credit for my project in front of the whole team and I feel invisible.",
    },
    {
        "speaker": "Supporter",
        "text": "That sounds really frustrating, it makes sense you'd feel hurt. What happened after the meeting?",
    },
    {"speaker": "Seeker", "text": "Nothing. I just went back to my desk and stared at the screen."},
    {"speaker": "Supporter", "text": "You should talk to HR tomorrow. At least you still have your job."},
]


def messages(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def complete(model: str, text: str) -> str:
    """The reply of litellm model `model` (e.g. builtin/lexicon) to one user message."""
    return litellm.completion(model=model, messages=messages(text)).choices[0].message.content
