"""Judge prompts: a template file from evals/prompts/ filled with one item and one or more
rubric dimensions, and the reader that gets the request back out of a rendered prompt (the
built-in models' input). The reply's parser is in `reply.py`.

The contract every judge sees (and the built-in offline judges read back):
- the conversation sits between <conversation> and </conversation>, one
  <turn speaker="...">...</turn> per message, with the text HTML-escaped so nothing inside a
  conversation can close the tag or pose as an instruction;
- the answer format is generated here, never by the template: one line
  `<rating dimension="ID">N</rating>` per requested dimension, after a sentence saying
  "a whole number from MIN to MAX".
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Literal

from empathy_bench.core.errors import InputError
from empathy_bench.core.project import project_dir
from empathy_bench.sources.rubric import Dimension, Rubric

CONVERSATION_RE = re.compile(r"<conversation>\n(.*?)\n</conversation>", re.S)
TURN_RE = re.compile(r'<turn speaker="([^"]*)">(.*?)</turn>', re.S)
SCALE_RE = re.compile(r"a whole number from (-?\d+) to (-?\d+)")
REQUESTED_RE = re.compile(r'^<rating dimension="([a-z0-9_]+)">N</rating>$', re.M)
TARGET_RE = re.compile(r'Rate only the messages of the speaker labelled "([^"]+)"')
DEFAULT_TARGET = "Supporter"
# How a prompt asks: one dimension per prompt (one sample per item and dimension), or every
# dimension of an item in one prompt.
Mode = Literal["per_dimension", "all_dimensions"]
PLACEHOLDERS = {"rubric_title", "rubric_description", "target", "criteria", "conversation", "answer_format"}


def template_path(name: str) -> Path:
    """evals/prompts/<name>.md for a name, or a path (relative to the project) as given."""
    return project_dir() / "evals" / "prompts" / f"{name}.md" if "/" not in name else project_dir() / name


def load_template(name: str) -> Template:
    """A prompt template by name (evals/prompts/<name>.md) or path; every placeholder it
    uses must be one we fill, so a typo fails before any model is called."""
    path = template_path(name)
    if not path.is_file():
        known = sorted(p.stem for p in (project_dir() / "evals" / "prompts").glob("*.md"))
        raise InputError(
            path, f"no prompt template '{name}'", f"use one of: {', '.join(known)}, or a path under the project"
        )
    template = Template(path.read_text(encoding="utf-8"))
    unknown = set(template.get_identifiers()) - PLACEHOLDERS
    if unknown or not template.is_valid():
        raise InputError(
            path,
            f"unknown or malformed placeholder(s) {sorted(unknown) or '(invalid $)'}",
            f"use only ${', $'.join(sorted(PLACEHOLDERS))}; write $$ for a dollar sign",
        )
    if "conversation" not in template.get_identifiers() or "answer_format" not in template.get_identifiers():
        raise InputError(path, "the template must place $conversation and $answer_format", "add both placeholders")
    return template


def conversation_block(turns: list[dict[str, str]]) -> str:
    lines = [f'<turn speaker="{html.escape(t["speaker"])}">{html.escape(t["text"], quote=False)}</turn>' for t in turns]
    return "<conversation>\n" + "\n".join(lines) + "\n</conversation>"


def _criterion(rubric: Rubric, dim: Dimension) -> str:
    scale = rubric.scale_of(dim.id)
    examples = "\n".join(
        f"  Example (rated {ex.rating}):\n{_indent(ex.text, 4)}\n    Why: {ex.why.strip()}" for ex in dim.examples
    )
    return f"## {dim.name} ({dim.id})\nQuestion: {dim.question.strip()}\nScale: {scale.describe()}\n{examples}"


def _indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.splitlines())


def answer_format(rubric: Rubric, dimension_ids: list[str]) -> str:
    scale = rubric.scale_of(dimension_ids[0])
    if any(rubric.scale_of(d) != scale for d in dimension_ids):
        raise ValueError(
            f"dimensions {dimension_ids} do not share a scale, so one prompt cannot rate them all; "
            "rate them one per prompt (mode: per_dimension)"
        )
    lines = "\n".join(f'<rating dimension="{d}">N</rating>' for d in dimension_ids)
    return (
        f"Give each rating as a whole number from {scale.min} to {scale.max}, replacing N, "
        f"in exactly this form:\n{lines}"
    )


def render(
    template: Template, rubric: Rubric, dimension_ids: list[str], turns: list[dict[str, str]], target: str
) -> str:
    target = html.escape(target)
    return template.substitute(
        rubric_title=rubric.title,
        rubric_description=rubric.description.strip(),
        target=target,
        criteria="\n\n".join(_criterion(rubric, rubric.dimension(d)) for d in dimension_ids),
        conversation=conversation_block(turns),
        answer_format=answer_format(rubric, dimension_ids),
    )


# --- reading a prompt back (what the built-in offline judges do) ---------------------------


@dataclass(frozen=True)
class PromptRequest:
    dimensions: list[str]
    scale_min: int
    scale_max: int
    turns: list[tuple[str, str]]
    target: str = DEFAULT_TARGET


def read_prompt(prompt: str) -> PromptRequest:
    """The requested dimensions, scale, target speaker and conversation of a rendered prompt.
    Instructions are read only outside the conversation block (the last answer format wins),
    so a message that quotes them cannot change what is asked."""
    conv = CONVERSATION_RE.search(prompt)
    outside = CONVERSATION_RE.sub("", prompt)
    scales, dims, target = SCALE_RE.findall(outside), REQUESTED_RE.findall(outside), TARGET_RE.search(outside)
    if conv is None or not scales or not dims:
        raise ValueError("not an empathy-bench judge prompt (no <conversation> block or answer format)")
    low, high = int(scales[-1][0]), int(scales[-1][1])
    if low >= high:
        raise ValueError(f"the answer format's scale {low} to {high} is empty")
    turns = [(html.unescape(s), html.unescape(t)) for s, t in TURN_RE.findall(conv.group(1))]
    return PromptRequest(dims, low, high, turns, html.unescape(target.group(1)) if target else DEFAULT_TARGET)
