"""Themes to evidence: who backs each theme, through which sources, and how strongly.

Strength, one rule for every theme:
- strong: 3 or more participants, from 2 or more segments or through 2 or more kinds of source;
- moderate: 2 or more participants;
- anecdotal: one participant.
A note without a `participant` counts as one participant of its own (one survey respondent, one ticket).
Themes rank by strength, then participants, then mentions, then label.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from custlens.models import Note, Statement
from custlens.pipeline.themes import Theme, choose_quote, subthemes_as_themes

STRENGTHS = ("strong", "moderate", "anecdotal")
_RANK = {name: position for position, name in enumerate(STRENGTHS)}


@dataclass(frozen=True, eq=False)
class Evidence:
    """A theme with its triangulation: the counts a product decision can lean on."""

    theme: Theme
    mentions: int
    notes: int
    participants: int
    segments: dict[str, int]  # participants per segment
    sources: dict[str, int]  # notes per kind of source
    researchers: tuple[str, ...]
    first_seen: dt.date
    last_seen: dt.date
    strength: str
    quote: Statement
    competitors: dict[str, int] = dataclasses.field(default_factory=dict)  # participants per competitor their
    # notes name (pipeline.competitors)

    @property
    def rank_key(self) -> tuple[int, int, int, str, str]:
        return (_RANK[self.strength], -self.participants, -self.mentions, self.theme.label.lower(), self.theme.id)


def strength(participants: int, segments: int, sources: int) -> str:
    if participants >= 3 and (segments >= 2 or sources >= 2):
        return "strong"
    if participants >= 2:
        return "moderate"
    return "anecdotal"


def triangulate(theme: Theme) -> Evidence:
    statements = theme.statements
    people: dict[str, Note] = {}
    notes: dict[int, Note] = {}
    for s in statements:
        people.setdefault(s.note.who, s.note)
        notes.setdefault(id(s.note), s.note)
    # participants per segment: one who spoke in two segments counts in each
    segments = Counter(segment for segment, _ in {(s.note.segment, s.note.who) for s in statements})
    sources = Counter(note.kind for note in notes.values())
    researchers = sorted({r for note in notes.values() for r in note.researchers})
    dates = [s.note.date for s in statements]
    return Evidence(
        theme=theme,
        mentions=len(statements),
        notes=len(notes),
        participants=len(people),
        segments=dict(sorted(segments.items(), key=lambda kv: (-kv[1], kv[0]))),
        sources=dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
        researchers=tuple(researchers),
        first_seen=min(dates),
        last_seen=max(dates),
        strength=strength(len(people), len(segments), len(sources)),
        quote=theme.quote or choose_quote(theme),
    )


def rank(themes: Sequence[Theme]) -> list[Evidence]:
    """Every theme with its evidence, strongest first."""
    return sorted((triangulate(t) for t in themes), key=lambda e: e.rank_key)


# --- segments -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentTheme:
    evidence: Evidence
    participants: int  # participants of this segment who said it
    coverage: float  # ... as a share of the segment's participants
    quote: Statement
    nearest: tuple[Evidence, float] | None = None  # the closest theme said in other segments, and how close
    within: Evidence | None = None  # for a sub-theme: the theme it is part of


NEAR_THEME = 0.60  # a theme whose centre is this close (cosine) to one said elsewhere is not "only here"


@dataclass(frozen=True)
class SegmentSummary:
    """What one segment says: its own counts, its themes by coverage, and what only it says."""

    name: str
    notes: int
    participants: int
    sources: dict[str, int]
    themes: list[SegmentTheme]
    unique: list[SegmentTheme]
    shared: list[SegmentTheme]
    competitors: dict[str, int] = dataclasses.field(default_factory=dict)  # participants per competitor named


def nearest_themes(evidence: Evidence, ranked: Sequence[Evidence], most: int = 3,
                   outside: str | None = None) -> list[tuple[Evidence, float]]:
    """The themes of the same type closest to this one (cosine of their centres), closest first; with
    `outside`, only themes said in some other segment than that one. Empty where the engine has no centres."""
    import numpy as np

    centre = evidence.theme.centre
    if centre is None:
        return []
    others = [e for e in ranked if e is not evidence and e.theme.type == evidence.theme.type and e.theme.centre is not None
              and (outside is None or any(name != outside for name in e.segments))]
    if not others:
        return []
    sims = np.stack([e.theme.centre for e in others]).astype(np.float64) @ np.asarray(centre, dtype=np.float64)
    order = sorted(range(len(others)), key=lambda k: (-round(float(sims[k]), 6), others[k].rank_key))
    return [(others[k], round(float(sims[k]), 3)) for k in order[:most]]


def summarise_segments(notes: Sequence[Note], ranked: Sequence[Evidence], near: float = NEAR_THEME) -> list[SegmentSummary]:
    """Per segment: coverage of each theme (share of its participants who said it), unique and shared themes.

    A theme is unique to a segment when at least two participants said it, all were from that segment,
    and (where the engine knows what themes mean) no theme said in another segment is close to it
    (centres at least `near` alike): a theme split off a broader one is not "only here". Each unique
    candidate keeps its nearest theme elsewhere, to show.
    """
    by_segment: dict[str, list[Note]] = {}
    for note in notes:
        by_segment.setdefault(note.segment, []).append(note)
    # each theme's statements by segment, once (not once per segment: 200 segments made that 200 passes)
    said_in: list[dict[str, list[Statement]]] = []
    for evidence in ranked:
        split: dict[str, list[Statement]] = {}
        for statement in evidence.theme.statements:
            split.setdefault(statement.note.segment, []).append(statement)
        said_in.append(split)
    parts_of: dict[int, list[Evidence]] = {}  # a shared theme's sub-themes, triangulated once for every segment
    out = []
    for name in sorted(by_segment):
        members = by_segment[name]
        people = {note.who for note in members}
        sources = Counter(note.kind for note in members)
        rows = []
        for evidence, split in zip(ranked, said_in):
            said = split.get(name)
            if not said:
                continue
            who = {s.note.who for s in said}
            quotes = [s for s in said if s.section == "quotes"] or said
            rows.append(SegmentTheme(evidence, len(who), len(who) / len(people), quotes[0]))
        rows.sort(key=lambda r: (-r.participants, r.evidence.rank_key))
        for k, row in enumerate(rows):
            if row.evidence.participants >= 2 and list(row.evidence.segments) == [name]:
                close = nearest_themes(row.evidence, ranked, 1, outside=name)
                if close:
                    rows[k] = dataclasses.replace(row, nearest=close[0])
        unique = [r for r in rows if r.evidence.participants >= 2 and list(r.evidence.segments) == [name]
                  and (r.nearest is None or r.nearest[1] < near)]
        unique += _unique_parts(name, people, rows, near, parts_of)
        shared = [r for r in rows if len(r.evidence.segments) > 1]
        out.append(
            SegmentSummary(
                name=name,
                notes=len(members),
                participants=len(people),
                sources=dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
                themes=rows,
                unique=unique,
                shared=shared,
            )
        )
    return out


def _unique_parts(name: str, people: set[str], rows: list[SegmentTheme], near: float,
                  parts_of: dict[int, list[Evidence]]) -> list[SegmentTheme]:
    """Sub-themes only this segment says (two or more of its participants, nobody elsewhere) inside
    themes that other segments share too, unless a sub-theme said elsewhere is close to it. `parts_of`
    keeps each theme's triangulated sub-themes (by the theme's id()) for the next segment."""
    found = []
    for row in rows:
        theme = row.evidence.theme
        if len(row.evidence.segments) < 2 or not theme.subthemes:
            continue
        parts = parts_of.get(id(theme))
        if parts is None:
            parts = parts_of[id(theme)] = [triangulate(part) for part in subthemes_as_themes(theme)]
        for part in parts:
            if part.participants < 2 or list(part.segments) != [name]:
                continue
            close = nearest_themes(part, parts, 1, outside=name)
            if close and close[0][1] >= near:
                continue
            who = {s.note.who for s in part.theme.statements}
            quotes = [s for s in part.theme.statements if s.section == "quotes"] or list(part.theme.statements)
            found.append(SegmentTheme(part, len(who), len(who) / len(people), quotes[0],
                                      close[0] if close else None, row.evidence))
    return sorted(found, key=lambda r: (-r.participants, r.evidence.rank_key))


# --- trends ---------------------------------------------------------------------------------------


def period_of(day: dt.date, by: str) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}" if by == "quarter" else f"{day.year}-{day.month:02d}"


def periods_between(first: dt.date, last: dt.date, by: str) -> list[str]:
    """Every month (or quarter) from `first` to `last`, empty ones included."""
    out: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        label = period_of(dt.date(year, month, 1), by)
        if not out or out[-1] != label:
            out.append(label)
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


TREND_LEVEL = 0.05  # a direction is called only when a split this uneven would be this unlikely without one
TREND_NOTES = 3  # ... and the half it grows into (or fades from) has this many notes that say it
TREND_PARTICIPANTS = 2  # ... from this many participants


def _tail(at_least: int, population: int, marked: int, drawn: int) -> float:
    """P(X >= at_least) for X hypergeometric: `drawn` of `population` items of which `marked` are marked."""
    from math import exp, lgamma

    def log_choose(n: int, k: int) -> float:
        return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)

    whole = log_choose(population, drawn)
    total = sum(exp(log_choose(marked, x) + log_choose(population - marked, drawn - x) - whole)
                for x in range(max(at_least, drawn - (population - marked)), min(marked, drawn) + 1))
    return min(1.0, total)


@dataclass(frozen=True)
class Trend:
    """A theme's mentions per period, and which way it goes: its notes in the earlier and the later half
    of the periods, the notes in scope in each half, and how likely a split at least this uneven is
    when the theme comes up at the same rate in both (`p`; None when there are no halves to compare)."""

    evidence: Evidence
    counts: tuple[int, ...]  # mentions per period
    direction: str
    notes: tuple[int, int] = (0, 0)  # notes that say it: earlier half, later half
    scope: tuple[int, int] = (0, 0)  # notes in scope: earlier half, later half
    p: float | None = None


def direction(said: tuple[int, int], people: tuple[int, int], scope: tuple[int, int]) -> tuple[str, float | None]:
    """rising, fading or steady, and how sure: the notes that say a theme in the earlier and later half
    of the periods, against all the notes of each half (a busier month of research is no trend).

    Rising when a larger share of the later half's notes say it, and a split at least that uneven would
    come up at most `TREND_LEVEL` of the time if the theme were said at the same rate in both halves
    (one-sided Fisher exact test on notes), and the later half has `TREND_NOTES` notes from
    `TREND_PARTICIPANTS` participants that say it; fading the other way round; steady otherwise. A
    note that says a theme three times counts once: two mentions in one note are no trend.
    """
    (early, late), (early_all, late_all) = said, scope
    if not early_all or not late_all:
        return "steady", None
    rising = late * early_all > early * late_all
    grown, half, who = (late, late_all, people[1]) if rising else (early, early_all, people[0])
    p = _tail(grown, early_all + late_all, early + late, half)
    if p <= TREND_LEVEL and grown >= TREND_NOTES and who >= TREND_PARTICIPANTS:
        return ("rising" if rising else "fading"), p
    return "steady", p


def trends(ranked: Sequence[Evidence], notes: Sequence[Note], by: str) -> tuple[list[str], list[Trend]]:
    """Mentions per period for each theme, over the period range of the notes in scope, and its direction
    (a middle period, with an odd number of them, belongs to neither half)."""
    if not notes:
        return [], []
    periods = periods_between(min(n.date for n in notes), max(n.date for n in notes), by)
    position = {label: k for k, label in enumerate(periods)}
    half = len(periods) // 2

    def side(day: dt.date) -> int | None:
        k = position[period_of(day, by)]
        return 0 if k < half else 1 if k >= len(periods) - half else None

    scope = [0, 0]
    for note in notes:
        where = side(note.date)
        if where is not None:
            scope[where] += 1
    out = []
    for evidence in ranked:
        counts = [0] * len(periods)
        said: tuple[set[int], set[int]] = (set(), set())
        people: tuple[set[str], set[str]] = (set(), set())
        for s in evidence.theme.statements:
            counts[position[period_of(s.note.date, by)]] += 1
            where = side(s.note.date)
            if where is not None:
                said[where].add(id(s.note))
                people[where].add(s.note.who)
        notes_said = (len(said[0]), len(said[1]))
        way, p = direction(notes_said, (len(people[0]), len(people[1])), (scope[0], scope[1]))
        out.append(Trend(evidence, tuple(counts), way, notes_said, (scope[0], scope[1]), p))
    return periods, out
