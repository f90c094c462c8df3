"""Competitors the notes name: the `competitors:` a note's front matter lists, and the same names said in
its statements, in any case and with a small typo.

The rule (the README says the same):
- The competitors are the names notes list under `competitors:`. Spellings that differ only in case,
  spaces and punctuation (`Jane App`, `JaneApp`), or by one typo (below), are one competitor, shown
  as its most listed spelling.
- A statement names a competitor when a run of as many of its words as the name has is the name, in
  any case, punctuation aside (`xero`, `QUICKBOOKS`); a run of one word more or fewer only
  with each word capitalised (`Quick Books` or `QUICK BOOKS` for QuickBooks, `JaneApp` for Jane App,
  never `fresh a` for Fresha). A one-word name of 6 or more letters also matches a word one typo away (a letter
  added, dropped or changed, or two swapped; two typos from 10 letters) that starts with the same
  letter and is not an ordinary word (`Calendy` is Calendly; `fresh` is not Fresha).
- Ordinary words are the whole words of the language model's vocabulary (`minilm/vocab.txt`: 21,745
  common words and names). A name made only of them (Square, Harvest, Stripe, Jane App) is named only
  as written, capitals and all (`Square`, never `square` or `squares`; or joined up, as above), and as
  the first word of a sentence only in a note whose front matter lists it ("Harvest season is busy"
  names nothing elsewhere).

A note names the competitors it lists and those its statements name (follow-ups, the team's own to-dos,
name none). Counts are participants.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from custlens.models import Note, Statement
from custlens.pipeline.triangulate import Evidence
from custlens.pipeline.wordpiece import VOCABULARY

TYPO_LETTERS = 6  # a one-word name this long matches a word one typo away ...
TWO_TYPO_LETTERS = 10  # ... and one this long, two typos away
_WORD = re.compile(r"[^\W_]+")  # a run of letters and digits: linear time
_OPENERS = frozenset(" \t\n\"'“‘(*[-–—")  # what may stand between a sentence's end and its first word
_SENTENCE_END = frozenset(".!?:")


@functools.lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    """The whole words of the model's vocabulary, lower case (no `##` pieces, no `[UNK]`)."""
    with open(VOCABULARY, encoding="utf-8") as handle:
        return frozenset(word for word in (line.strip() for line in handle) if word.isalpha() and word.islower())


def _key(text: str) -> str:
    return "".join(word.casefold() for word in _WORD.findall(text))


def _typo_limit(key: str) -> int:
    return 2 if len(key) >= TWO_TYPO_LETTERS else 1 if len(key) >= TYPO_LETTERS else 0


def _typo_close(name: str, word: str) -> bool:
    """Whether `word` is a typo of the one-word name key `name` (not the name itself)."""
    from rapidfuzz.distance import OSA  # here: `check` and `add` never load rapidfuzz

    limit = _typo_limit(name)
    return (limit > 0 and word != name and word[:1] == name[:1] and abs(len(word) - len(name)) <= limit
            and OSA.distance(name, word, score_cutoff=limit) <= limit)


@dataclass(frozen=True)
class _Spelling:
    competitor: str
    text: str  # as the front matter lists it
    words: tuple[str, ...]  # as written in the front matter
    key: str
    ordinary: bool


def _spelling(competitor: str, text: str) -> _Spelling:
    words = tuple(_WORD.findall(text))
    ordinary = bool(words) and all(word.casefold() in ordinary_words() for word in words)
    return _Spelling(competitor, text, words, _key(text), ordinary)


@dataclass(frozen=True)
class Naming:
    """Which competitors each note lists and names, and which each statement names, by id() of the note
    or statement (as `Synthesis.theme_of`)."""

    names: tuple[str, ...] = ()  # every competitor, as shown, alphabetically
    spellings: dict[str, tuple[str, ...]] = field(default_factory=dict)  # competitor -> how notes list it
    listed: dict[int, tuple[str, ...]] = field(default_factory=dict)  # id(note) -> competitors its front matter lists
    mentions: dict[int, tuple[str, ...]] = field(default_factory=dict)  # id(statement) -> competitors it names
    named: dict[int, tuple[str, ...]] = field(default_factory=dict)  # id(note) -> listed or named in a statement

    def of(self, note: Note) -> tuple[str, ...]:
        return self.named.get(id(note), ())

    def redacted(self, notes: dict[int, Note], statements: dict[int, Statement],
                 redact: Callable[[str], str | None]) -> Naming:
        """The same naming for the redacted copies of the notes and statements (keyed by id() of the
        originals), with every competitor's name redacted too."""
        masked = {name: redact(name) or name for name in self.names}

        def names(found: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(sorted({masked[name] for name in found}, key=_order))

        return Naming(
            tuple(sorted(set(masked.values()), key=_order)),
            {masked[name]: tuple(redact(s) or s for s in spelled) for name, spelled in self.spellings.items()},
            {id(notes[k]): names(v) for k, v in self.listed.items() if k in notes},
            {id(statements[k]): names(v) for k, v in self.mentions.items() if k in statements},
            {id(notes[k]): names(v) for k, v in self.named.items() if k in notes},
        )


def _order(name: str) -> tuple[str, str]:
    return name.casefold(), name


def listed_competitors(note: Note) -> list[str]:
    """The names a note's front matter lists under `competitors:`."""
    value = note.fields.get("competitors") or []
    return [str(name).strip() for name in value if str(name).strip()]


def _competitors(notes: Iterable[Note]) -> list[_Spelling]:
    """Every spelling the notes list, each with the competitor it belongs to: spellings with the same
    key, or a typo apart, are one competitor, shown as the most listed (then the first alphabetically)."""
    listed = Counter(name for note in notes for name in set(listed_competitors(note)))
    chosen: list[_Spelling] = []
    out = []
    for text, _ in sorted(listed.items(), key=lambda kv: (-kv[1], *_order(kv[0]))):
        spelling = _spelling(text, text)
        if not spelling.key:  # punctuation only: nothing to name
            continue
        same = next((c for c in chosen if c.key == spelling.key or (
            not c.ordinary and not spelling.ordinary and len(c.words) == len(spelling.words) == 1
            and _typo_close(c.key, spelling.key))), None)
        if same is None:
            chosen.append(spelling)
            out.append(spelling)
        else:
            out.append(dataclasses.replace(spelling, competitor=same.competitor))
    return out


class _Finder:
    """Finds the competitors a text names, by the rule in the module's docstring."""

    def __init__(self, spellings: list[_Spelling], words: set[str]) -> None:
        self.exact: dict[str, list[_Spelling]] = {}  # key of the run -> the spellings it is
        self.ordinary: dict[tuple[str, ...], str] = {}  # the words as written -> competitor
        self.sizes: set[int] = set()
        starts: set[str] = set()  # a word (case folded) that starts a run naming something
        pieces: set[str] = set()  # the start of a name split up (`quick` of QuickBooks), case folded
        for spelling in spellings:
            if spelling.ordinary:
                self.ordinary.setdefault(spelling.words, spelling.competitor)
            self.exact.setdefault(spelling.key, []).append(spelling)
            size = len(spelling.words)
            self.sizes.update(n for n in (size - 1, size, size + 1) if n >= 1)
            starts.update((spelling.words[0].casefold(), spelling.key))
            pieces.update(spelling.key[:end] for end in range(2, len(spelling.key)))
        ones = {s.key: s.competitor for s in spellings if not s.ordinary and len(s.words) == 1 and _typo_limit(s.key)}
        self.typos: dict[str, str] = {}  # a word of the notes -> the competitor it is a typo of
        if ones:
            ordinary = ordinary_words()
            keys = sorted(ones)
            firsts = {key[0] for key in keys}
            for word in sorted(words):
                if word[:1] in firsts and len(word) >= TYPO_LETTERS - 1 and word not in ordinary:
                    found = next((ones[key] for key in keys if _typo_close(key, word)), None)
                    if found is not None:
                        self.typos[word] = found
        self.starts = frozenset(starts | set(self.typos))
        # ... which starts a run only capitalised, as written: `Quick`, `QUICK`
        self.capitals = frozenset(form for piece in pieces - self.starts for form in (piece.capitalize(), piece.upper()))

    def find(self, text: str, listed: tuple[str, ...]) -> tuple[str, ...]:
        words = _WORD.findall(text)
        folded = " ".join(words).casefold().split(" ")  # each word case folded (folding makes no spaces)
        if self.starts.isdisjoint(folded) and self.capitals.isdisjoint(words):  # most statements: known in C
            return ()
        places: list[int] = []  # where each word starts, found once it is asked for
        named: set[str] = set()
        for i, first in enumerate(folded):
            if first not in self.starts and words[i] not in self.capitals:
                continue
            if first in self.typos:
                named.add(self.typos[first])
            for size in self.sizes:
                if i + size > len(words):
                    continue
                run = tuple(words[i : i + size])
                competitor = self.ordinary.get(run)
                if competitor is not None and competitor not in listed:
                    places = places or [m.start() for m in _WORD.finditer(text)]
                    if _starts_sentence(text, places[i]):
                        competitor = None
                if competitor is not None:
                    named.add(competitor)
                for spelling in self.exact.get("".join(folded[i : i + size]), ()):
                    if size != len(spelling.words):  # `Quick Books`, `JaneApp`: capitalised, or not the name
                        if all(word[0].isupper() for word in run):
                            named.add(spelling.competitor)
                    elif not spelling.ordinary:  # an ordinary name counts only as written (above)
                        named.add(spelling.competitor)
        return tuple(sorted(named, key=_order))


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` is the first of its sentence (looking back over spaces and quotes)."""
    k = start - 1
    while k >= 0 and text[k] in _OPENERS:
        k -= 1
    return k < 0 or text[k] in _SENTENCE_END


def find_competitors(notes: Sequence[Note], statements: Sequence[Statement]) -> Naming:
    """The competitors `notes` list, and which of them each of `statements` names."""
    spellings = _competitors(notes)
    if not spellings:
        return Naming()
    names = tuple(sorted({s.competitor for s in spellings}, key=_order))
    of_spelling = {s.text: s.competitor for s in spellings}
    listed: dict[int, tuple[str, ...]] = {}
    for note in notes:
        mine = {of_spelling[name] for name in listed_competitors(note) if name in of_spelling}
        if mine:
            listed[id(note)] = tuple(sorted(mine, key=_order))
    # what customers said: a follow-up is the team's own to-do ("ask whether she tried Fresha"), not a mention
    statements = [statement for statement in statements if statement.section != "follow-ups"]
    tokens: set[str] = set()  # every word of the statements, case folded: where typos of names are looked for
    for statement in statements:
        tokens.update(statement.text.casefold().split())
    finder = _Finder(spellings, {word for token in tokens for word in _WORD.findall(token)})
    mentions: dict[int, tuple[str, ...]] = {}
    named = {k: set(v) for k, v in listed.items()}
    for statement in statements:
        found = finder.find(statement.text, listed.get(id(statement.note), ()))
        if found:
            mentions[id(statement)] = found
            named.setdefault(id(statement.note), set()).update(found)
    spelled: dict[str, list[str]] = {}
    for s in spellings:
        spelled.setdefault(s.competitor, []).append(s.text)
    return Naming(
        names,
        {name: tuple(spelled[name]) for name in names},
        listed,
        mentions,
        {k: tuple(sorted(v, key=_order)) for k, v in named.items()},
    )


def participants_naming(statements: Iterable[Statement], naming: Naming) -> dict[str, int]:
    """Participants per competitor, among those who said these statements in a note that names it;
    most first, then by name."""
    people: dict[str, set[str]] = {}
    for statement in statements:
        for name in naming.of(statement.note):
            people.setdefault(name, set()).add(statement.note.who)
    return _by_count({name: len(who) for name, who in people.items()})


def _by_count(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], *_order(kv[0]))))


def with_competitors(ranked: Sequence[Evidence], naming: Naming) -> list[Evidence]:
    """Each theme with its competitor breakdown: participants per competitor their note names."""
    if not naming.names:
        return list(ranked)
    return [dataclasses.replace(e, competitors=participants_naming(e.theme.statements, naming)) for e in ranked]


def named_in(notes: Iterable[Note], naming: Naming) -> dict[str, int]:
    """Participants per competitor among these notes (a segment's, say), most first."""
    people: dict[str, set[str]] = {}
    for note in notes:
        for name in naming.of(note):
            people.setdefault(name, set()).add(note.who)
    return _by_count({name: len(who) for name, who in people.items()})


@dataclass(frozen=True)
class CompetitorTheme:
    evidence: Evidence
    participants: int  # participants who said it in a note that names the competitor


@dataclass(frozen=True)
class CompetitorSummary:
    """One competitor: the notes that name it, who they are, what they say, and the statements naming it."""

    name: str
    spellings: tuple[str, ...]  # as notes list it, most listed first
    notes: tuple[Note, ...]  # every note that names it, by date, path and entry
    listed: int  # notes whose front matter lists it
    participants: int
    segments: dict[str, int]  # participants per segment
    sources: dict[str, int]  # notes per kind of source
    themes: tuple[CompetitorTheme, ...]  # themes said in those notes, most participants first
    quotes: tuple[Statement, ...]  # statements that name it, by date, path and line


def summarise_competitors(notes: Sequence[Note], ranked: Sequence[Evidence], statements: Sequence[Statement],
                          naming: Naming) -> list[CompetitorSummary]:
    """Every competitor the notes name, most participants first (then most notes, then by name)."""
    by_name: dict[str, list[Note]] = {}
    for note in notes:
        for name in naming.of(note):
            by_name.setdefault(name, []).append(note)
    said: dict[str, dict[int, set[str]]] = {}  # competitor -> theme (its place in `ranked`) -> participants
    for k, evidence in enumerate(ranked):
        for s in evidence.theme.statements:
            for name in naming.of(s.note):
                said.setdefault(name, {}).setdefault(k, set()).add(s.note.who)
    quotes: dict[str, list[Statement]] = {}
    for s in statements:
        for name in naming.mentions.get(id(s), ()):
            quotes.setdefault(name, []).append(s)
    out = []
    for name, members in by_name.items():
        members.sort(key=lambda n: (n.date, n.path, n.entry or 0))
        segments = Counter(segment for segment, _ in {(n.segment, n.who) for n in members})
        themes = sorted((CompetitorTheme(ranked[k], len(who)) for k, who in said.get(name, {}).items()),
                        key=lambda t: (-t.participants, t.evidence.rank_key))
        out.append(CompetitorSummary(
            name=name,
            spellings=naming.spellings.get(name, (name,)),
            notes=tuple(members),
            listed=sum(1 for n in members if name in naming.listed.get(id(n), ())),
            participants=len({n.who for n in members}),
            segments=_by_count(dict(segments)),
            sources=_by_count(dict(Counter(n.kind for n in members))),
            themes=tuple(themes),
            quotes=tuple(sorted(quotes.get(name, ()), key=lambda s: (s.note.date, s.note.path, s.note.entry or 0,
                                                                      s.line))),
        ))
    return sorted(out, key=lambda c: (-c.participants, -len(c.notes), *_order(c.name)))
