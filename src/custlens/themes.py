"""Statements to Themes: codebook entries first, then fuzzy groups of what is left, per type.

A theme holds statements of one type (pain or need) that say the same thing. Its label is the most
representative statement (the medoid) or the codebook label; its id is the codebook key, or a short
hash of the type and the normalised text of its first statement (earliest date, then text), so it stays
the same when later notes join the theme. Results do not depend on the order notes were read in.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .codebook import Codebook, assign
from .models import Statement
from .parallel import in_parallel
from .timing import stage

if TYPE_CHECKING:  # cluster (and numpy) is imported when themes are built: `check` and `add` never load it
    from .cluster import Grouping, GroupingSettings, Memo

THEMED_TYPES = ("pain", "need")
LABEL_CHARS = 90


@dataclass(frozen=True, eq=False)
class Theme:
    """A group of statements of one type that say the same thing."""

    id: str
    label: str
    type: str
    statements: tuple[Statement, ...]
    named: bool = False  # from the codebook
    representative: Statement | None = None
    quote: Statement | None = None  # the statement shown as its evidence (`choose_quote`), once chosen


def statement_key(statement: Statement) -> tuple[str, str, int, str]:
    """A canonical order for statements, independent of the order files were read in."""
    return (statement.text, statement.note.path, statement.line, statement.note.id)


def trim(text: str, limit: int = LABEL_CHARS) -> str:
    """Shorten to `limit` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-")
    return (cut or text[: limit - 1]) + "…"


QUOTE_PEERS = 40  # a quote is compared with at most this many statements of its theme ...
QUOTE_CANDIDATES = 200  # ... and chosen among at most this many (evenly through a large theme)


def _evenly(items: Sequence[Statement], most: int) -> list[Statement]:
    """At most `most` of the items, taken at even steps through them (they are in date order)."""
    return list(items[:: max(1, len(items) // most)][:most])


def choose_quote(theme: Theme) -> Statement:
    """The customer's own words where there are some (a quote), else another statement than the label;
    of those, the one most like the theme as a whole (its label and its other statements, on average),
    so the quote shows what the theme is about rather than a statement at its edge."""
    from rapidfuzz import fuzz, process, utils

    quotes = [s for s in theme.statements if s.section == "quotes"]
    others = [s for s in theme.statements if s is not theme.representative and s.text != theme.label]
    candidates = quotes or others
    if not candidates:
        return theme.representative or theme.statements[0]
    peers = [theme.label] + [s.text for s in _evenly(theme.statements, QUOTE_PEERS)]
    candidates = _evenly(candidates, QUOTE_CANDIDATES)
    scores = process.cdist(
        [s.text for s in candidates], peers, scorer=fuzz.token_sort_ratio, processor=utils.default_process,
        dtype=None, workers=1,
    )
    likeness = [float(row.sum()) for row in scores]
    best = min(
        range(len(candidates)),
        key=lambda k: (-round(likeness[k], 6), len(candidates[k].text) > 140, candidates[k].note.date,
                       candidates[k].note.path, candidates[k].line),
    )
    return candidates[best]


def _theme_id(kind: str, text: str, taken: set[str]) -> str:
    from .cluster import normalise

    digest = hashlib.sha1(f"{kind}\n{normalise(text)}".encode()).hexdigest()
    for length in range(6, 41):
        candidate = f"{kind}-{digest[:length]}"
        if candidate not in taken:
            return candidate
    raise AssertionError("sha1 collision")  # pragma: no cover


def _chronological(statements: Iterable[Statement]) -> tuple[Statement, ...]:
    return tuple(sorted(statements, key=lambda s: (s.note.date, s.note.path, s.line)))


def build_themes(
    statements: Sequence[Statement],
    settings: GroupingSettings | None = None,
    codebook: Codebook | None = None,
    timings: dict[str, float] | None = None,
    memo: Memo | None = None,
) -> list[Theme]:
    """Every pain and need statement in exactly one theme of its type (one-mention themes included)."""
    from .cluster import group
    ordered = sorted((s for s in statements if s.type in THEMED_TYPES), key=statement_key)
    themes: list[Theme] = []
    taken: set[str] = set()
    named: dict[str, list[Statement]] = {}
    rest: dict[str, list[Statement]] = {kind: [] for kind in THEMED_TYPES}
    if codebook:
        with stage(timings, "codebook"):
            keys = assign(codebook, [s.text for s in ordered], [s.type or "" for s in ordered])
        for statement, key in zip(ordered, keys):
            if key is None:
                rest[statement.type or ""].append(statement)
            else:
                named.setdefault(key, []).append(statement)
        for key, entry in codebook.entries.items():
            found = named.get(key, [])
            if not found:
                continue
            commonest = max(THEMED_TYPES, key=lambda t: sum(1 for s in found if s.type == t))
            taken.add(key)
            themes.append(Theme(key, entry.label, entry.type or commonest, _chronological(found), True, found[0]))
    else:
        for statement in ordered:
            rest[statement.type or ""].append(statement)
    kinds = [kind for kind in THEMED_TYPES if rest[kind]]
    # pains and needs are grouped apart, so they are grouped at the same time. Each keeps its own
    # timings, sent back with its groups and added up here.
    # The quotes are chosen there too (comparing statements is the costly part of a theme's evidence):
    # each comes back as its place in the theme's statements.
    def grouped(kind: str) -> tuple[Grouping, dict[str, float], list[int]]:
        clock: dict[str, float] = {}
        grouping = group([s.text for s in rest[kind]], settings, timings=clock, memo=memo)
        with stage(clock, "triangulate"):
            quotes = [_quote_place(draft) for draft in _drafts(kind, grouping, rest[kind])]
        return grouping, clock, quotes

    done = in_parallel([functools.partial(grouped, kind) for kind in kinds])
    for _, clock, _ in done:
        for name, seconds in clock.items():
            if timings is not None:
                timings[name] = timings.get(name, 0.0) + seconds
    for kind, (grouping, _, quotes) in zip(kinds, done):
        members = rest[kind]
        for draft, indices, place in zip(_drafts(kind, grouping, members), grouping.groups, quotes):
            # the id comes from the theme's first statement (earliest date, then text), so notes added
            # later leave it as it is, even when they move the centre that gives the label
            first = members[min(indices, key=lambda k: (members[k].note.date, grouping.normalised[k]))]
            theme_id = _theme_id(kind, first.text, taken)
            taken.add(theme_id)
            themes.append(dataclasses.replace(draft, id=theme_id, quote=draft.statements[place]))
    return themes


def _drafts(kind: str, grouping: Grouping, members: Sequence[Statement]) -> Iterator[Theme]:
    """The themes of a grouping, without their ids and quotes yet."""
    for indices, medoid in zip(grouping.groups, grouping.medoids):
        centre = members[medoid]
        yield Theme("", trim(centre.text), kind, _chronological(members[k] for k in indices), False, centre)


def _quote_place(theme: Theme) -> int:
    quote = choose_quote(theme)
    return next(k for k, statement in enumerate(theme.statements) if statement is quote)
