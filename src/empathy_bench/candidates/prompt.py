"""Judge prompts: a template file from evals/prompts/ filled with one item and one or more
rubric dimensions (rate) or two items and a criterion (compare), and the readers that get the
request back out of a rendered prompt (the built-in models' input). The reply's parser is in
`reply.py` (ratings and preferences) and `feedback.py` (a coach's feedback).

The contract every judge sees (and the built-in offline judges read back):
- the conversation sits between <conversation> and </conversation>, one
  <turn speaker="...">...</turn> per message, with the text HTML-escaped so nothing inside a
  conversation can close the tag or pose as an instruction;
- the answer format is generated here, never by the template: one line
  `<rating dimension="ID">N</rating>` per requested dimension, after a sentence saying
  "a whole number from MIN to MAX".
- coach prompts hold one such block, list each dimension as "Name (id; more is better)" or
  "(id; less is better)", and ask for one JSON object (the feedback contract, `feedback.py`);
- compare prompts hold two such blocks, `<conversation id="A">` and `<conversation id="B">`, and
  ask for one line `<preference criterion="ID">X</preference>` per criterion, X being A, B or
  (where the task allows it) tie; the criterion lists each rubric dimension it weighs as
  "Name (id; more is better)" or "(id; less is better)".
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Literal

from empathy_bench.core.errors import InputError
from empathy_bench.core.paths import inside
from empathy_bench.core.project import project_dir
from empathy_bench.sources.rubric import Dimension, Rubric

CONVERSATION_RE = re.compile(r"<conversation>\n(.*?)\n</conversation>", re.S)
TURN_RE = re.compile(r'<turn speaker="([^"]*)">(.*?)</turn>', re.S)
SCALE_RE = re.compile(r"a whole number from (-?\d+) to (-?\d+)")
REQUESTED_RE = re.compile(r'^<rating dimension="([a-z0-9_]+)">N</rating>$', re.M)
TARGET_RE = re.compile(r'only the messages of the speaker labelled "([^"]+)"')
DEFAULT_TARGET = "Supporter"
# How a prompt asks: one dimension per prompt (one sample per item and dimension), or every
# dimension of an item in one prompt.
Mode = Literal["per_dimension", "all_dimensions"]
Kind = Literal["rate", "compare", "coach"]
PLACEHOLDERS: dict[Kind, set[str]] = {
    "coach": {"rubric_title", "rubric_description", "target", "criteria", "conversation", "answer_format"},
    "rate": {"rubric_title", "rubric_description", "target", "criteria", "conversation", "answer_format"},
    "compare": {"rubric_title", "rubric_description", "target", "criteria", "conversation_a", "conversation_b"}
    | {"answer_format"},
}
REQUIRED: dict[Kind, set[str]] = {
    "coach": {"conversation", "answer_format"},
    "rate": {"conversation", "answer_format"},
    "compare": {"conversation_a", "conversation_b", "answer_format"},
}


def template_path(name: str, source: str | Path | None = None) -> Path:
    """evals/prompts/<name>.md for a name, or a path relative to the project folder. A judge
    file is untrusted input: the path must stay inside the project folder (no absolute path, no
    '..', no symbolic link out of it); the error names `source` (the judge file, by default the
    prompt's name) and the field 'prompt'."""
    project = project_dir()
    source = source or f"the judge's prompt '{name}'"
    if "/" not in name:
        prompts = project / "evals" / "prompts"
        return inside(prompts, f"{name}.md", source=source, field="prompt", root_name=f"the folder {prompts}")
    return inside(project, name, source=source, field="prompt", root_name=f"the project folder {project}")


def load_template(name: str, kind: Kind = "rate", source: str | Path | None = None) -> Template:
    """A prompt template by name (evals/prompts/<name>.md) or path inside the project; every
    placeholder it uses must be one we fill for its task kind, so a typo fails before any model
    is called. `source`: the judge file that names it, for the error."""
    path = template_path(name, source)
    if not path.is_file():
        known = sorted(p.stem for p in (project_dir() / "evals" / "prompts").glob("*.md"))
        raise InputError(
            path, f"no prompt template '{name}'", f"use one of: {', '.join(known)}, or a path under the project"
        )
    template = Template(path.read_text(encoding="utf-8"))
    unknown = set(template.get_identifiers()) - PLACEHOLDERS[kind]
    if unknown or not template.is_valid():
        raise InputError(
            path,
            f"unknown or malformed placeholder(s) {sorted(unknown) or '(invalid $)'} for a {kind} prompt",
            f"use only ${', $'.join(sorted(PLACEHOLDERS[kind]))}; write $$ for a dollar sign",
        )
    missing = REQUIRED[kind] - set(template.get_identifiers())
    if missing:
        raise InputError(
            path, f"a {kind} prompt must place ${', $'.join(sorted(missing))}", "add the missing placeholder(s)"
        )
    return template


def conversation_block(turns: list[dict[str, str]], label: str | None = None, note: str | None = None) -> str:
    """The conversation, escaped; `note` (a probe's statement about the conversation, e.g. who
    the supporter is) opens the block as `<note>...</note>`, which the built-in models ignore."""
    lines = [f'<turn speaker="{html.escape(t["speaker"])}">{html.escape(t["text"], quote=False)}</turn>' for t in turns]
    if note is not None:
        lines.insert(0, f"<note>{html.escape(note, quote=False)}</note>")
    opening = "<conversation>" if label is None else f'<conversation id="{label}">'
    return opening + "\n" + "\n".join(lines) + "\n</conversation>"


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
    template: Template,
    rubric: Rubric,
    dimension_ids: list[str],
    turns: list[dict[str, str]],
    target: str,
    note: str | None = None,
) -> str:
    conversation = conversation_block(turns, note=note)
    target = html.escape(target)
    return template.substitute(
        rubric_title=rubric.title,
        rubric_description=rubric.description.strip(),
        target=target,
        criteria="\n\n".join(_criterion(rubric, rubric.dimension(d)) for d in dimension_ids),
        conversation=conversation,
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
    turns = _turns(conv.group(1))
    return PromptRequest(dims, low, high, turns, html.unescape(target.group(1)) if target else DEFAULT_TARGET)


# --- compare prompts ----------------------------------------------------------------------

PAIR_RE = re.compile(r'<conversation id="([AB])">\n(.*?)\n</conversation>', re.S)
WEIGHED_RE = re.compile(r"\(([a-z][a-z0-9_]*); (more|less) is better\)")
PREFERENCE_REQUESTED_RE = re.compile(r'^<preference criterion="([a-z0-9_]+)">X</preference>$', re.M)
TIE_ALLOWED = "or tie if neither is better"
OVERALL = "overall"


def compare_criterion(rubric: Rubric, criterion: str, question: str | None = None) -> str:
    """The criterion as the judge reads it: the question, then every dimension it weighs with
    its direction (an `overall` criterion weighs all of the rubric's dimensions)."""
    dims = rubric.dimension_ids if criterion == OVERALL else [criterion]
    if question is None:
        question = (
            f"Which supporter communicates more empathically overall, by the {rubric.title} criteria below?"
            if criterion == OVERALL
            else f"Which supporter does better on {rubric.dimension(criterion).name.lower()}?"
        )
    lines = [
        f"- {d.name} ({d.id}; {'more' if d.polarity == 'prescriptive' else 'less'} is better): {d.question.strip()}"
        for d in (rubric.dimension(i) for i in dims)
    ]
    return f"## {criterion}\nQuestion: {question.strip()}\nWeigh:\n" + "\n".join(lines)


def compare_answer_format(criteria: list[str], allow_tie: bool) -> str:
    lines = "\n".join(f'<preference criterion="{c}">X</preference>' for c in criteria)
    choices = f"A or B, {TIE_ALLOWED}" if allow_tie else "A or B (you must choose one)"
    return f"For each criterion, replace X with {choices}, in exactly this form:\n{lines}"


def render_compare(
    template: Template,
    rubric: Rubric,
    criteria: list[str],
    turns_a: list[dict[str, str]],
    turns_b: list[dict[str, str]],
    target: str,
    allow_tie: bool,
    question: str | None = None,
    notes: tuple[str | None, str | None] = (None, None),
) -> str:
    """A compare prompt: the first conversation is slot A, the second slot B; `notes` open
    their blocks (a probe's statement about each conversation)."""
    return template.substitute(
        rubric_title=rubric.title,
        rubric_description=rubric.description.strip(),
        target=html.escape(target),
        criteria="\n\n".join(compare_criterion(rubric, c, question) for c in criteria),
        conversation_a=conversation_block(turns_a, "A", notes[0]),
        conversation_b=conversation_block(turns_b, "B", notes[1]),
        answer_format=compare_answer_format(criteria, allow_tie),
    )


@dataclass(frozen=True)
class CompareRequest:
    criteria: list[str]
    weighed: dict[str, list[tuple[str, int]]]  # criterion -> (dimension, +1 more / -1 less is better)
    turns_a: list[tuple[str, str]]
    turns_b: list[tuple[str, str]]
    allow_tie: bool
    target: str = DEFAULT_TARGET


def read_compare_prompt(prompt: str) -> CompareRequest:
    """The criteria, the dimensions each weighs, the two conversations and the target speaker of
    a rendered compare prompt; instructions only from outside the conversation blocks."""
    blocks = dict((label, body) for label, body in PAIR_RE.findall(prompt))
    outside = PAIR_RE.sub("", prompt)
    criteria = PREFERENCE_REQUESTED_RE.findall(outside)
    if set(blocks) != {"A", "B"} or not criteria:
        raise ValueError("not an empathy-bench compare prompt (conversations A and B and the answer format)")
    weighed: dict[str, list[tuple[str, int]]] = {}
    for section in re.split(r"^## ", outside, flags=re.M)[1:]:
        name = section.split("\n", 1)[0].strip()
        weighed[name] = [(d, 1 if way == "more" else -1) for d, way in WEIGHED_RE.findall(section)]
    target = TARGET_RE.search(outside)
    return CompareRequest(
        criteria,
        {c: weighed.get(c, []) for c in criteria},
        _turns(blocks["A"]),
        _turns(blocks["B"]),
        TIE_ALLOWED in outside,
        html.unescape(target.group(1)) if target else DEFAULT_TARGET,
    )


def _turns(block: str) -> list[tuple[str, str]]:
    return [(html.unescape(s), html.unescape(t)) for s, t in TURN_RE.findall(block)]


# --- coach prompts ------------------------------------------------------------------------

COACH_MARK = "Answer with one JSON object"


def coach_criteria(rubric: Rubric, dimension_ids: list[str]) -> str:
    """Each dimension as the coach reads it, with its direction."""
    return "\n".join(
        f"- {d.name} ({d.id}; {'more' if d.polarity == 'prescriptive' else 'less'} is better): {d.question.strip()}"
        for d in (rubric.dimension(i) for i in dimension_ids)
    )


def coach_answer_format(dimension_ids: list[str]) -> str:
    ids = ", ".join(dimension_ids)
    return (
        f"{COACH_MARK} (no other text), in exactly this form:\n"
        '{"strengths": [{"dimension": "ID", "quote": "..."}],\n'
        ' "improvements": [{"dimension": "ID", "quote": "...", "rewrite": "...", "why": "..."}],\n'
        ' "message": "..."}\n'
        f"ID is one of: {ids}. A strength names a dimension the supporter did well on and quotes where. "
        "Improvements come most important first; each quotes the supporter's message that missed, word for "
        "word, gives a rewrite that could replace that whole message, and says why in one sentence. "
        "Quote only the supporter's own messages. `message` is the feedback as the supporter would read it."
    )


def render_coach(
    template: Template, rubric: Rubric, dimension_ids: list[str], turns: list[dict[str, str]], target: str
) -> str:
    return template.substitute(
        rubric_title=rubric.title,
        rubric_description=rubric.description.strip(),
        target=html.escape(target),
        criteria=coach_criteria(rubric, dimension_ids),
        conversation=conversation_block(turns),
        answer_format=coach_answer_format(dimension_ids),
    )


@dataclass(frozen=True)
class CoachRequest:
    dimensions: list[tuple[str, int]]  # (dimension, +1 more / -1 less is better), in the prompt's order
    turns: list[tuple[str, str]]
    target: str = DEFAULT_TARGET


def read_coach_prompt(prompt: str) -> CoachRequest:
    """The dimensions, conversation and target speaker of a rendered coach prompt; instructions
    only from outside the conversation block."""
    conv = CONVERSATION_RE.search(prompt)
    outside = CONVERSATION_RE.sub("", prompt)
    dims = [(d, 1 if way == "more" else -1) for d, way in WEIGHED_RE.findall(outside)]
    if conv is None or COACH_MARK not in outside or not dims:
        raise ValueError("not an empathy-bench coach prompt (no <conversation> block, dimensions or answer format)")
    target = TARGET_RE.search(outside)
    return CoachRequest(dims, _turns(conv.group(1)), html.unescape(target.group(1)) if target else DEFAULT_TARGET)
