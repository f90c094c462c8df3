"""Notes to Statements: which section each block is in, which blocks state a pain or need outright.

A Needs section item, a `Need:` line, a `#need` tag or a YAML `needs:` entry is a stated need
(`type="need"`, not inferred); the same for pains. Quotes, observations, insights and loose paragraphs
get `type=None` here and are typed later by the tagger. Follow-ups are the team's own to-dos (`other`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from custlens.models import Block, Note, Statement, StatementType
from custlens.pipeline.body import BODY_TAG, TYPE_TAG

SECTION_NAMES: dict[str, tuple[str, ...]] = {
    "pains": (
        "pains", "pain", "pain points", "pain point", "problems", "problem", "frustrations", "frustration",
        "issues", "challenges", "complaints", "struggles",
    ),
    "needs": (
        "needs", "need", "jobs", "job", "jobs to be done", "jtbd", "requests", "request", "feature requests",
        "wishes", "wish", "wish list", "wishlist", "desired outcomes", "desired outcome", "outcomes", "asks",
        "requirements", "customer needs", "user needs",
    ),
    "quotes": ("quotes", "quote", "verbatims", "verbatim", "key quotes", "in their words", "notable quotes"),
    "observations": ("observations", "observation", "what we saw", "what we observed", "field notes"),
    "insights": ("insights", "insight", "learnings", "takeaways", "key takeaways", "findings"),
    "follow-ups": (
        "follow-ups", "follow-up", "follow ups", "follow up", "followups", "next steps", "next step",
        "action items", "actions", "to do", "todo", "to-do",
    ),
}
_SECTION_OF = {name: section for section, names in SECTION_NAMES.items() for name in names}
_EXPLICIT: dict[str, StatementType] = {"pains": "pain", "needs": "need"}
_LABELS: dict[str, StatementType] = {"pain": "pain", "pain point": "pain", "need": "need"}
_TAGGED: dict[str, StatementType] = {"pain": "pain", "need": "need"}

_HEADING_NOISE = re.compile(r"[^\w\s/-]+")
# Every pattern here costs time linear in the text, whatever it holds: a part that scans ahead stops at
# the character that would start the next match (a `[` in a link's text, a `(` in its target), so a
# line of 90,000 `[` or `[[x` is not scanned again from each of them.
_WIKILINK = re.compile(r"\[\[([^\[\]|]+)(?:\|([^\[\]]+))?\]\]")
_LINK = re.compile(r"!?\[([^\[\]]*)\]\((?:[^()]|\([^()]*\))*\)")  # a target may hold one level of (...)
_EMPHASIS = re.compile(r"(\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)|(?<=\S)_(?![\w_])|`)")
_MARKUP = re.compile(r"[<\[*_`#]")
_SPACES = re.compile(r"\s+")
_QUOTE_MARKS = "\"'“”‘’«»„"


@functools.lru_cache(maxsize=4096)
def section_of_heading(title: str) -> str | None:
    """The canonical section a heading names (`## Pain points:` -> `pains`), or None."""
    key = _SPACES.sub(" ", _HEADING_NOISE.sub(" ", title.lower())).strip()
    return _SECTION_OF.get(key)


def _without_comments(text: str) -> str:
    """`<!-- ... -->` replaced by a space (an unclosed one is left as it is). Found with `str.find`: a
    pattern scanned to the end of the text from every `<!--` when none was closed."""
    start = text.find("<!--")
    if start < 0:
        return text
    parts, done = [], 0
    while start >= 0:
        end = text.find("-->", start + 4)
        if end < 0:  # no later comment can close either
            break
        parts += [text[done:start], " "]
        done = end + 3
        start = text.find("<!--", done)
    return "".join(parts) + text[done:]


def _without_trailing_tags(text: str) -> str:
    """The text without the `#tags` that end it (after the sentence, they are the note's tags). The
    tags are found once, left to right, and the run at the end is cut: a pattern anchored at the end
    was tried from every tag of a long run, quadratic in the run."""
    if "#" not in text:
        return text
    cut = None
    end = len(text)
    for found in reversed(list(BODY_TAG.finditer(text))):
        if text[found.end() : end].strip():  # something other than space after it: the run ends here
            break
        cut = end = found.start()
    return text if cut is None else text[:cut].rstrip()


def clean_text(text: str) -> str:
    """Statement text without Markdown syntax: links keep their words, emphasis marks go."""
    if not _MARKUP.search(text):
        return " ".join(text.split())
    text = _without_comments(text)
    text = _WIKILINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _without_trailing_tags(text)  # tags after the sentence go (they are the note's tags) ...
    text = BODY_TAG.sub(lambda m: m.group(1), text)  # ... tags inside it keep their word
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _EMPHASIS.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] in _QUOTE_MARKS and text.rstrip(".,;")[-1:] in _QUOTE_MARKS:
        trailing = text[len(text.rstrip(".,;")) :]
        return text.rstrip(".,;")[1:-1].strip() + trailing
    return text


def _placed(block: Block) -> tuple[str, StatementType | None]:
    """The block's section, and the type the note states for it (None: left to the tagger)."""
    if block.field is not None:
        section = block.field
    else:
        section = next((found for _, title in reversed(block.headings) if (found := section_of_heading(title))), "body")
    explicit = _EXPLICIT.get(section)
    if block.origin == "blockquote":
        section = "quotes"
    if block.label:
        explicit = _LABELS[block.label]
    # a YAML value is plain text, as the customer wrote it: a `#need` in an imported ticket is their word
    if block.origin != "field" and "#" in block.text and (tag := TYPE_TAG.search(block.text)):
        explicit = _TAGGED[tag.group(1).lower()]
    return section, explicit


def _block_statement(note: Note, block: Block) -> Statement | None:
    section, explicit = _placed(block)
    if block.origin == "field":  # plain text (a YAML value), not Markdown: only its spacing is evened out
        text = " ".join(block.text.split())
    else:
        text = clean_text(TYPE_TAG.sub("", block.text) if "#" in block.text else block.text)
    if section == "quotes":
        text = _unquote(text)
    if not text:
        return None
    if section == "follow-ups" and explicit is None:
        return Statement(text, section, block.line, note, "other")
    return Statement(text, section, block.line, note, explicit)


def extract(notes: Iterable[Note]) -> list[Statement]:
    """Every statement of every note, in note order and then line order."""
    statements = []
    for note in notes:
        for block in note.blocks:
            statement = _block_statement(note, block)
            if statement is not None:
                statements.append(statement)
    return statements


def states_a_need(note: Note) -> bool:
    """Whether the note states a need outright (as `extract` finds them: not one the tagger infers)."""
    return any(_placed(block)[1] == "need" and _block_statement(note, block) is not None for block in note.blocks)
