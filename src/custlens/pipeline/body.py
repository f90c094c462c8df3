"""Markdown bodies to Blocks: bullets, paragraphs and blockquotes, each with its headings, line and any
`Pain:`/`Need:` label; and the `#tags` written in a body.

CommonMark's block syntax, as much as notes use: fenced code, HTML comments, tables and thematic
breaks are skipped. Front matter is not read here (`parse`).
"""

from __future__ import annotations

import re
from typing import Any

from custlens.models import Block

# Each pattern is matched at the start of one line, and no two of its repeats can take the same
# characters (the pseudo-heading's title is bounded instead, at 40 characters), so a line costs time
# linear in its length, whatever it holds: tests feed lines of 99,000 hostile characters.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)(.*)$")  # the text and closing #s: `_heading_title`
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BREAK = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_BULLET = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]+([^ \t].*))?$")
_TASK = re.compile(r"^\[[ xX]\][ \t]+")
_QUOTE = re.compile(r"^ {0,3}>(.*)$")
_MORE_QUOTE_MARKS = re.compile(r"^[\s>]+")  # `> > >` of a nested quote
_LABEL = re.compile(r"^(?:\*\*|__)?(pain point|pain|need)s?(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]+([^ \t].*)$", re.IGNORECASE)
TYPE_TAG = re.compile(r"(?<![\w#&/])#(pain|need)s?(?![\w/-])", re.IGNORECASE)  # `#pain`, `#needs`, not `#pain-point`
# Obsidian-style tags: `#calendar-sync`, `#billing/xero`; not `#1`, not a heading, not #pain/#need.
BODY_TAG = re.compile(r"(?<![\w#&/])#([A-Za-z][\w/-]*)")
_PSEUDO_HEADING = re.compile(r"^(?:\*\*|__)?([A-Za-z][\w /&-]{0,40}?)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?$")
PSEUDO_HEADING_LEVEL = 7


def parse_body(lines: list[str], first_line: int) -> tuple[Block, ...]:
    """Split a Markdown body into blocks: bullets, paragraphs and blockquotes, with their headings.

    Skips fenced code, HTML comments, tables and thematic breaks. `first_line` is the line of `lines[0]`.
    """
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    current: list[Any] | None = None  # [origin, first line, [texts], label]
    fence: str | None = None
    in_comment = False

    def flush() -> None:
        nonlocal current
        if current is not None:
            text = " ".join(part for part in current[2] if part)
            if text.strip():
                blocks.append(Block(text.strip(), current[1], current[0], tuple(headings), current[3]))
        current = None

    def start(origin: str, line: int, content: str) -> None:
        nonlocal current
        flush()
        label = None
        found = _LABEL.match(content.strip())
        if found:
            label, content = found.group(1).lower(), found.group(2)
        current = [origin, line, [content.strip()], label]

    def push_heading(level: int, title: str) -> None:
        while headings and headings[-1][0] >= level:
            headings.pop()
        headings.append((level, title.strip()))

    for offset, raw in enumerate(lines):
        lineno = first_line + offset
        line = raw.rstrip()
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if in_comment:
            in_comment = "-->" not in line
            continue
        if not stripped:
            flush()
            continue
        found = _FENCE.match(line)
        if found:
            flush()
            fence = found.group(1)
            continue
        if stripped.startswith("<!--"):
            flush()
            in_comment = "-->" not in stripped[4:]
            continue
        found = _ATX.match(line)
        if found:
            flush()
            push_heading(len(found.group(1)), _heading_title(found.group(2)))
            continue
        if (
            _SETEXT.match(line)
            and current is not None
            and current[0] == "paragraph"
            and len(current[2]) == 1
            and current[3] is None
        ):
            title = current[2][0]
            current = None
            push_heading(1 if stripped.startswith("=") else 2, title)
            continue
        if _BREAK.match(line):
            flush()
            continue
        if stripped.startswith("|"):
            flush()
            continue
        found = _QUOTE.match(line)
        if found:
            content = _MORE_QUOTE_MARKS.sub("", found.group(1), count=1)
            if current is not None and current[0] == "blockquote":
                current[2].append(content.strip())
            else:
                start("blockquote", lineno, content)
            continue
        found = _BULLET.match(line)
        if found:
            start("bullet", lineno, _TASK.sub("", found.group(2) or ""))
            continue
        found = _PSEUDO_HEADING.match(stripped)
        if found and (current is None or current[0] != "paragraph"):
            flush()
            push_heading(PSEUDO_HEADING_LEVEL, found.group(1))
            continue
        if _LABEL.match(stripped) or (TYPE_TAG.search(stripped) and current is not None):
            start("paragraph", lineno, stripped)  # a labelled or tagged line is a statement of its own
            continue
        if current is not None:
            current[2].append(stripped)
        else:
            start("paragraph", lineno, stripped)
    flush()
    return tuple(blocks)


def _heading_title(rest: str) -> str:
    """An ATX heading's text without its closing sequence (`## Needs ##`): hashes after a space or tab.
    Done by hand: the pattern that did it (a lazy title before optional spaces and hashes) went back
    over every space once per character, quadratic on a heading line of many spaces."""
    text = rest.strip(" \t")
    bare = text.rstrip("#")
    if bare != text and bare.endswith((" ", "\t")):
        return bare.rstrip(" \t")
    return text


def body_tags(blocks: tuple[Block, ...]) -> tuple[str, ...]:
    """`#tags` written in the body (as in an Obsidian vault), in order, without #pain and #need."""
    found: dict[str, None] = {}
    for block in blocks:
        if "#" in block.text:
            for tag in BODY_TAG.findall(block.text):
                if tag.lower() not in ("pain", "pains", "need", "needs"):
                    found.setdefault(tag, None)
    return tuple(found)
