"""What one group of notes says more than the rest: for each theme, the share of the group's participants
who said it against the share of everyone else's, and how sure that difference is.

Counts are participants, per side: a participant is in the group when one of their notes is, and said a
theme there when they said it in one of the group's notes; the rest likewise. A customer interviewed in
spring who cancelled in autumn counts on both sides, for what they said on each; one who said a theme
five times counts once.

How sure: the difference of the two shares with its 95% interval by Newcombe's hybrid score method with
continuity correction (Newcombe 1998, method 11), built from the Wilson score interval of each share. It
keeps its coverage with few participants and with shares near 0 or 1, where the plain interval claims
too much: one cancellation in six saying what none of 52 others said is not a signal (-1 to +64 points).
A theme is said `more` in the group when the whole interval is above zero (by at least half a
percentage point, so that what is shown agrees), `less` when it is below zero, and `unclear`
otherwise. Themes rank by the interval's lower end: a difference few participants back ranks below a
smaller one that many do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from custlens.models import Note
from custlens.pipeline.competitors import Naming
from custlens.pipeline.triangulate import Evidence

Z95 = 1.959963984540054  # the normal quantile of a two-sided 95% interval
GROUP_KEYS = ("kind", "segment", "tag", "competitor", "researcher")
SURE = 0.005  # an interval's end this far from zero shows as at least one percentage point


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of the share k/n, with continuity correction (Newcombe 1998, method 4)."""
    if n <= 0:
        return 0.0, 1.0
    p, z2 = k / n, z * z
    low = 0.0 if k == 0 else (2 * n * p + z2 - 1 - z * math.sqrt(z2 - 2 - 1 / n + 4 * p * (n * (1 - p) + 1))) / (2 * (n + z2))
    high = 1.0 if k == n else (2 * n * p + z2 + 1 + z * math.sqrt(z2 + 2 - 1 / n + 4 * p * (n * (1 - p) - 1))) / (2 * (n + z2))
    return max(0.0, low), min(1.0, high)


def difference(a: int, m: int, b: int, n: int, z: float = Z95) -> tuple[float, float, float]:
    """a/m - b/n with its interval (Newcombe 1998, method 11: hybrid score, continuity corrected)."""
    p1, p2 = (a / m if m else 0.0), (b / n if n else 0.0)
    l1, u1 = wilson(a, m, z)
    l2, u2 = wilson(b, n, z)
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


@dataclass(frozen=True)
class Group:
    """The notes that match any of `pairs`, each a key of GROUP_KEYS and a value (any case):
    `(("kind", "cancellation"), ("tag", "lost-deal"))` is every cancellation and every lost deal; `name`
    says what the group is, where it has a name."""

    pairs: tuple[tuple[str, str], ...]
    name: str = ""

    def __str__(self) -> str:
        return " or ".join(f"{key}={value}" for key, value in self.pairs)

    def holds(self, note: Note, naming: Naming) -> bool:
        return any(value.casefold() in {v.casefold() for v in values_of(note, key, naming)} for key, value in self.pairs)


def values_of(note: Note, key: str, naming: Naming) -> tuple[str, ...]:
    """A note's values for a key of GROUP_KEYS: its kind, segment, tags, competitors or researchers."""
    if key == "kind":
        return (note.kind,)
    if key == "segment":
        return (note.segment,)
    if key == "tag":
        return note.tags
    if key == "competitor":
        return naming.of(note)
    return note.researchers


@dataclass(frozen=True)
class Contrast:
    """One theme in the group against the rest: participants who said it on each side, out of how many,
    and the difference of the two shares with its 95% interval."""

    evidence: Evidence
    group: int
    group_total: int
    rest: int
    rest_total: int
    difference: float
    low: float
    high: float

    @property
    def verdict(self) -> str:
        """more, less or unclear: whether the interval, in whole percentage points, is above or below zero."""
        return "more" if self.low > SURE else "less" if self.high < -SURE else "unclear"


def contrast(notes: Sequence[Note], ranked: Sequence[Evidence], group: Group, naming: Naming) -> list[Contrast]:
    """Every theme in the group against the rest, the most surely over-represented first (the lower end
    of the interval, then the difference, then the theme's rank)."""
    inside = {id(note) for note in notes if group.holds(note, naming)}
    group_total = len({note.who for note in notes if id(note) in inside})
    rest_total = len({note.who for note in notes if id(note) not in inside})
    rows = []
    for evidence in ranked:
        said_in = {s.note.who for s in evidence.theme.statements if id(s.note) in inside}
        said_out = {s.note.who for s in evidence.theme.statements if id(s.note) not in inside}
        d, low, high = difference(len(said_in), group_total, len(said_out), rest_total)
        rows.append(Contrast(evidence, len(said_in), group_total, len(said_out), rest_total, d, low, high))
    return sorted(rows, key=lambda c: (-round(c.low, 9), -round(c.difference, 9), c.evidence.rank_key))
