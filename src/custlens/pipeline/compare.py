"""Themes then and now: which theme of one run is which theme of the other, and what changed.

Themes are matched by what they hold, never by their labels (a label is chosen afresh each run, and
ids can move when an earlier note joins a theme):

1. **The same statements.** A statement is the same when its participant (for a note without one, its
   file and batch entry), date and text are, so a note moved to another file keeps its statements.
   Two themes of one type that share statements pair up, most shared first, when the shared
   statements are at least half of the smaller theme.
2. **A close centre.** Themes still unpaired (a note was edited, so no statement is the same any more)
   pair up when their centres are at least `CENTRE_MATCH` alike (semantic engine), closest first.

What changed is counted in evidence, not in how the statements happened to be grouped: a theme's
count **then** is what the notes of then held for it (its statements that were in those notes, and
the statements of its counterpart that are gone from the notes since), so statements that moved
between themes as notes came in never make a theme grow or shrink. A theme is **new** when none of its
statements was in the notes then and nothing pairs with it; it **grew** when more participants back it
now (or as many, with more mentions), and **shrank** the other way round; a theme of then **faded**
when nothing pairs with it and most of its statements are gone from the notes. Each change keeps the
statements that made it: added (in the notes now, not then) and removed (the other way round).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from custlens.models import Statement
from custlens.pipeline.triangulate import Evidence, triangulate

# Two different themes of one run are never this alike: on the sample notes the closest two are 0.68
# alike (pains; needs 0.65), while dropping the last word of every statement of a theme leaves its
# centre at least 0.92 alike to where it was (their 46 themes of two or more statements; median 0.98).
CENTRE_MATCH = 0.80

Change = Literal["new", "grew", "shrank", "faded", "unchanged"]
CHANGES: tuple[Change, ...] = ("new", "grew", "shrank", "faded", "unchanged")

Key = tuple[str, int, str]


def statement_key(statement: Statement) -> Key:
    """What makes a statement the same one in two runs: who said it (the participant; for a note without
    one, its file and batch entry), on which day, and its text."""
    return (statement.note.who, statement.note.date.toordinal(), statement.text)


@dataclass(frozen=True)
class Traced:
    """A statement behind a change: added (in the notes now, not then) or removed."""

    statement: Statement
    status: Literal["added", "removed"]


@dataclass(frozen=True, eq=False)
class ThemeChange:
    """One theme then and now. `then` is the evidence the notes of then held for it (None: none)."""

    change: Change
    now: Evidence | None
    then: Evidence | None
    counterpart: Evidence | None = None  # the theme of then it pairs with, as it was grouped then
    matched_by: Literal["statements", "centre"] | None = None
    similarity: float | None = None  # the cosine of the two centres, where the engine has them
    added: tuple[Traced, ...] = ()
    removed: tuple[Traced, ...] = ()
    new_segments: tuple[str, ...] = ()
    new_sources: tuple[str, ...] = ()
    regrouped_from: tuple[tuple[Evidence, int], ...] = ()  # themes of then that held some of its statements

    @property
    def evidence(self) -> Evidence:
        """The theme as it is now, or as it was, for a faded one."""
        found = self.now or self.counterpart
        assert found is not None
        return found

    @property
    def traced(self) -> tuple[Traced, ...]:
        return self.added + self.removed


def compare(
    then: Sequence[Evidence], now: Sequence[Evidence], then_statements: Sequence[Statement],
    now_statements: Sequence[Statement], centre_match: float = CENTRE_MATCH,
) -> list[ThemeChange]:
    """Every theme of either run, paired by identity, as changes: new, grew, shrank, faded and
    unchanged, in that order (each strongest or most changed first). The statements are every typed
    statement of each run: what was in the notes then, and what is now."""
    then_of = {statement_key(s): k for k, e in enumerate(then) for s in e.theme.statements}
    now_of = {statement_key(s): j for j, e in enumerate(now) for s in e.theme.statements}
    pairs = _pair(then, now, then_of, now_of, centre_match)
    then_keys = {statement_key(s) for s in then_statements}
    now_keys = {statement_key(s) for s in now_statements}
    gone: dict[int, list[Statement]] = {}  # now index -> statements of then, removed since, that were its
    faded = []
    paired_then = {k: j for j, (k, _, _) in pairs.items()}
    for k, evidence in enumerate(then):
        lost = [s for s in evidence.theme.statements if statement_key(s) not in now_keys]
        if k in paired_then:
            gone[paired_then[k]] = lost
        elif 2 * len(lost) > len(evidence.theme.statements):
            faded.append(k)
        elif lost:  # most of it lives on in themes of now: what was removed was the evidence of the one holding most
            holders = Counter(now_of[key] for key in map(statement_key, evidence.theme.statements) if key in now_of)
            gone.setdefault(min(holders.items(), key=lambda item: (-item[1], item[0]))[0], []).extend(lost)
    out: list[ThemeChange] = []
    for j, evidence in enumerate(now):
        kept = [s for s in evidence.theme.statements if statement_key(s) in then_keys]
        added = tuple(Traced(s, "added") for s in evidence.theme.statements if statement_key(s) not in then_keys)
        removed = tuple(Traced(s, "removed") for s in gone.get(j, []))
        pair = pairs.get(j)
        partner, how, similarity = (pair[0], pair[1], pair[2]) if pair is not None else (None, None, None)
        if not kept and not removed:  # no evidence for it in the notes then
            out.append(ThemeChange("new", evidence, None, then[partner] if partner is not None else None, how, similarity, added))
            continue
        before = _as_then(evidence, kept + [t.statement for t in removed])
        sources = Counter(then_of[key] for key in map(statement_key, kept) if key in then_of and then_of[key] != partner)
        out.append(ThemeChange(
            _direction(before, evidence), evidence, before, then[partner] if partner is not None else None, how, similarity,
            added, removed,
            tuple(name for name in evidence.segments if name not in before.segments),
            tuple(kind for kind in evidence.sources if kind not in before.sources),
            tuple((then[m], count) for m, count in sorted(sources.items(), key=lambda item: (-item[1], item[0]))),
        ))
    for m in faded:
        removed = tuple(Traced(s, "removed") for s in then[m].theme.statements if statement_key(s) not in now_keys)
        out.append(ThemeChange("faded", None, then[m], then[m], removed=removed))
    return sorted(out, key=_order)


def _pair(then: Sequence[Evidence], now: Sequence[Evidence], then_of: dict[Key, int], now_of: dict[Key, int],
          centre_match: float) -> dict[int, tuple[int, Literal["statements", "centre"], float | None]]:
    """now index -> (then index, how they were paired, the cosine of their centres)."""
    pairs: dict[int, tuple[int, Literal["statements", "centre"], float | None]] = {}
    shared: Counter[tuple[int, int]] = Counter()
    for key, j in now_of.items():
        k = then_of.get(key)
        if k is not None and then[k].theme.type == now[j].theme.type:
            shared[(j, k)] += 1
    taken: set[int] = set()
    for (j, k), count in sorted(shared.items(), key=lambda item: (-item[1], item[0][1], item[0][0])):
        smaller = min(len(now[j].theme.statements), len(then[k].theme.statements))
        if j not in pairs and k not in taken and 2 * count >= smaller:
            pairs[j] = (k, "statements", _cosine(now[j], then[k]))
            taken.add(k)
    for j, k, similarity in _close_centres(then, now, pairs, taken, centre_match):
        pairs[j] = (k, "centre", similarity)
        taken.add(k)
    return pairs


def _order(change: ThemeChange) -> tuple[int, int, int, tuple[int, int, int, str, str]]:
    grown = (change.now.participants - change.then.participants, change.now.mentions - change.then.mentions) \
        if change.now is not None and change.then is not None else (0, 0)
    sign = 1 if change.change == "shrank" else -1
    return (CHANGES.index(change.change), sign * grown[0], sign * grown[1], change.evidence.rank_key)


def _direction(then: Evidence, now: Evidence) -> Change:
    people, mentions = now.participants - then.participants, now.mentions - then.mentions
    if people > 0 or (people == 0 and mentions > 0):
        return "grew"
    if people < 0 or (people == 0 and mentions < 0):
        return "shrank"
    return "unchanged"


def _as_then(now: Evidence, statements: list[Statement]) -> Evidence:
    """The evidence `statements` (what the notes of then held for a theme of now) give that theme."""
    ordered = tuple(sorted(statements, key=lambda s: (s.note.date, statement_key(s))))
    keys = {statement_key(s) for s in ordered}
    quote = now.quote if statement_key(now.quote) in keys else ordered[0]
    return triangulate(dataclasses.replace(now.theme, statements=ordered, fit=(), subthemes=(), quote=quote))


def _cosine(a: Evidence, b: Evidence) -> float | None:
    if a.theme.centre is None or b.theme.centre is None:
        return None
    import numpy as np

    return round(float(np.dot(np.asarray(a.theme.centre, np.float64), np.asarray(b.theme.centre, np.float64))), 3)


def _close_centres(then: Sequence[Evidence], now: Sequence[Evidence], pairs: dict[int, Any], taken: set[int],
                   least: float) -> list[tuple[int, int, float]]:
    """Unpaired themes of one type whose centres are at least `least` alike, paired closest first."""
    import numpy as np

    candidates = []
    for kind in sorted({e.theme.type for e in now}):
        left = [j for j, e in enumerate(now) if j not in pairs and e.theme.type == kind and e.theme.centre is not None]
        right = [k for k, e in enumerate(then) if k not in taken and e.theme.type == kind and e.theme.centre is not None]
        if not left or not right:
            continue
        sims = (np.stack([now[j].theme.centre for j in left]).astype(np.float64)
                @ np.stack([then[k].theme.centre for k in right]).astype(np.float64).T)
        for a, b in zip(*np.nonzero(sims >= least)):
            candidates.append((left[a], right[b], round(float(sims[a, b]), 3)))
    found, used_now, used_then = [], set(), set()
    for j, k, similarity in sorted(candidates, key=lambda c: (-c[2], c[1], c[0])):
        if j not in used_now and k not in used_then:
            found.append((j, k, similarity))
            used_now.add(j)
            used_then.add(k)
    return found
