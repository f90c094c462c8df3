"""Statement types: infer pain, need or other for statements a note did not type itself.

A transparent tagger: cue phrases and patterns for problems ("keeps crashing", "takes forever",
"frustrating", "can't find") and for wishes and requests ("I wish", "it would help if", "please add"),
with negation ("not a problem", "don't need") and advice to others ("you should try") handled.
The cue that fired is kept on the statement, so every inferred type can be checked by a person.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from custlens.errors import CustlensError
from custlens.infra.parallel import cores, in_parallel
from custlens.models import UNDER_MINIMUM, Statement, StatementType
from custlens.pipeline.cues import (
    ADVICE,
    CLAUSE_BREAK,
    DENIAL,
    FINE_CUES,
    FINE_TAKEN_BACK,
    FINE_UNLESS,
    NEED_CUES,
    OWN_NEED,
    PAIN_CUES,
    SELF_NEGATED,
)
from custlens.pipeline.normalise import for_cues

PARALLEL_TEXTS = 1_500  # from this many texts to type, workers share them (2,500 texts: 0.24 s alone, 0.15 s shared)

_NEG = r"(?:not|no|never|without|nothing|hardly|barely|nor)"
# Words that may sit between a negation and the cue it cancels: "not a big problem", "never had issues".
_FILLERS = (
    r"(?:a|an|the|any|really|very|so|too|that|much|of|big|major|real|such|single|had|have|has|having|been|seen"
    r"|experienced|noticed|found|is|was|were|are|be|it|more|longer|serious|huge"
    # who would have had the problem: "without anyone retyping them", "without having to re-enter"
    r"|anyone|anybody|someone|somebody|me|us|you|him|her|them|having|needing|to)"
)
_NEGATION_BEFORE = re.compile(rf"(?:(?:^|\W){_NEG}|n't)(?:\W+{_FILLERS}){{0,2}}\W*$")
_NEED_NEGATION = re.compile(r"(?:don't|do not|doesn't|does not|didn't|did not|no|never|won't|wouldn't)\W+(?:\w+\W+)?$")


Flags = tuple[str | None, str | None, str | None]  # the need, pain and fine cues that count in a text
CUE_KINDS = ("need", "pain", "fine")  # fine: praise, ease, a problem denied (they count for other)


@dataclass(frozen=True)
class Cue:
    name: str
    type: StatementType
    pattern: re.Pattern[str]


def _phrase(phrase: str) -> str:
    words = [re.escape(word) for word in for_cues(phrase).split()]
    return r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"  # whole words, also for phrases like "c++"


class Tagger:
    """Types a statement as pain, need or other from cue phrases; `classify` returns the cue that fired."""

    def __init__(
        self,
        added: Mapping[str, Sequence[str]] | None = None,
        removed: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        added = added or {}
        removed = removed or {}
        self._removed = {kind: {for_cues(p) for p in removed.get(kind, ())} for kind in CUE_KINDS}
        self.cues: dict[str, list[Cue]] = {}
        kinds: tuple[tuple[str, StatementType, Sequence[tuple[str, str]]], ...] = (
            ("need", "need", NEED_CUES), ("pain", "pain", PAIN_CUES), ("fine", "other", FINE_CUES))
        for kind, type_, builtin in kinds:
            cues = [Cue(name, type_, re.compile(pattern)) for name, pattern in builtin]
            cues += [Cue(for_cues(p), type_, re.compile(_phrase(p))) for p in added.get(kind, ()) if for_cues(p)]
            self.cues[kind] = cues
            firing = cues + [Cue("denial", type_, DENIAL)] if kind == "fine" else cues
            for index, written in enumerate(removed.get(kind, ())):  # a phrase no cue can fire on is a typo
                phrase = for_cues(written)
                if not any((m := cue.pattern.search(phrase)) and m.group(0).strip() == phrase for cue in firing):
                    raise CustlensError(
                        f"invalid config: cues.{kind}.remove: no {kind} cue fires on {phrase!r}",
                        hint="list the words as `custlens statements --format json` shows them in `cue`",
                        setting=("cues", kind, "remove", index),
                    )
        # one pass over the text rules a type out before any cue is looked at one by one
        self._any = {
            kind: re.compile("|".join(f"(?:{cue.pattern.pattern})" for cue in cues)) if cues else None
            for kind, cues in self.cues.items()
        }
        self._seen: dict[str, Flags] = {}  # repeated statements are common
        self._plains: dict[str, str] = {}  # text -> normalised text
        self._known: dict[str, Flags] = {}  # from an earlier run
        self.fresh = 0  # texts typed in this run, not known before

    @classmethod
    def configured(cls, cues: Mapping[str, Any]) -> Tagger:
        """The tagger with the config's `cues:` changes (each with `add` and `remove` phrases); it refuses
        a phrase to remove that no cue fires on (an error that names the setting: `Config.located`)."""
        return cls(added={kind: changes.add for kind, changes in cues.items()},
                   removed={kind: changes.remove for kind, changes in cues.items()})

    def _first(self, kind: str, text: str) -> tuple[int, str] | None:
        """The earliest cue match that counts (not removed, not negated), first cue first on a tie."""
        quick = self._any[kind]
        found = quick.search(text) if quick is not None else None
        if found is None:
            return None
        # The combined pattern's first match is the earliest any cue makes, by the first cue (in order)
        # that makes one there. When it counts, it is the answer: no cue needs to search on its own.
        start = found.start()
        first = next((cue for cue in self.cues[kind] if cue.pattern.match(text, start)), None)
        if first is not None and self._counts(kind, first, text, found):
            return start, found.group(0).strip()
        best: tuple[int, str] | None = None
        for cue in self.cues[kind]:
            for match in cue.pattern.finditer(text):
                if not self._counts(kind, cue, text, match):
                    continue
                if best is None or match.start() < best[0]:
                    best = (match.start(), match.group(0).strip())
                break
        return best

    def _counts(self, kind: str, cue: Cue, text: str, match: re.Match[str]) -> bool:
        if match.group(0).strip() in self._removed[kind]:
            return False
        return cue.name in SELF_NEGATED or not self._negated(kind, text, match.start())

    @staticmethod
    def _negated(kind: str, text: str, start: int) -> bool:
        before = text[max(0, start - 40) : start]
        if kind == "need":
            return bool(_NEED_NEGATION.search(before))
        if kind == "fine" and FINE_TAKEN_BACK.search(before):  # "far from happy with", "used to work well"
            return True
        return bool(_NEGATION_BEFORE.search(before))

    @property
    def settings(self) -> tuple[object, ...]:
        """Everything the cues found depend on, besides the code: each cue (name, type, pattern) and the
        phrases removed. Part of the key under which a run's cues are kept for the next one."""
        cues = tuple((cue.name, cue.type, cue.pattern.pattern) for kind in CUE_KINDS for cue in self.cues[kind])
        return cues, tuple(sorted((kind, tuple(sorted(phrases))) for kind, phrases in self._removed.items()))

    @property
    def remembered(self) -> dict[str, Flags]:
        """The cues found in this run, by normalised text (to keep for the next run)."""
        return self._seen

    def remember(self, known: dict[str, Flags]) -> None:
        """Cues found by an earlier run; they are used, and kept, only for texts seen again."""
        self._known.update(known)

    def prepare(self, texts: Iterable[str]) -> None:
        """Type every text not known yet, in worker processes when there are many (see `classify`)."""
        todo = sorted({plain for plain in map(self._plain, set(texts)) if plain not in self._seen
                       and plain not in self._known})
        workers = cores()
        if len(todo) < PARALLEL_TEXTS or workers < 2:
            return  # classify() types them one by one
        parts = [todo[k::workers] for k in range(workers)]
        for part, found in zip(parts, in_parallel([functools.partial(self._classify_all, part) for part in parts])):
            self._seen.update(zip(part, found))
            self.fresh += len(part)

    def _classify_all(self, plains: list[str]) -> list[Flags]:
        return [self._flags(plain) for plain in plains]

    def _plain(self, text: str) -> str:
        plain = self._plains.get(text)
        if plain is None:
            plain = self._plains[text] = for_cues(text)
        return plain

    def classify(self, text: str) -> tuple[StatementType, str | None]:
        """By cues alone: `("need", "i wish")`, `("pain", "keeps crashing")` or `("other", None)` (a need
        cue wins over a pain cue)."""
        need, pain, _ = self.cues_of(text)
        if need is not None:
            return "need", need
        if pain is not None:
            return "pain", pain
        return "other", None

    def cues_of(self, text: str) -> Flags:
        """The need cue, the pain cue and the fine cue that count in a text (each None if none does)."""
        plain = self._plain(text)
        found = self._seen.get(plain)
        if found is None:
            found = self._known.get(plain)
            if found is None:
                found = self._flags(plain)
                self.fresh += 1
            self._seen[plain] = found
        return found

    def _flags(self, plain: str) -> Flags:
        need = self._first("need", plain)
        if need is not None and ADVICE.search(plain) and not OWN_NEED.search(plain):
            need = None
        pain = self._pain(plain)
        need_cue = need[1] if need is not None else None
        # a fine cue only speaks for a statement no pain or need cue speaks for: "setup was easy, I'd like a
        # dark mode" is a need, "works fine, though the export is slow" a pain
        return need_cue, pain, (self._fine(plain) if need_cue is None and pain is None else None)

    def _fine(self, plain: str) -> str | None:
        """Praise, a task done with ease, or a problem denied ("price didn't come up as an issue"), in a
        text no pain or need cue counts in. A denial only counts where no pain cue but a problem word
        ("issue", "concern") is left outside the denials: "no issues at first, then it crashed" is no praise."""
        denied = DENIAL.search(plain)
        if denied is not None and denied.group(0).strip() not in self._removed["fine"]:
            rest = DENIAL.sub(lambda found: " " * len(found.group(0)), plain)  # what the denials leave
            if any(cue.pattern.search(rest) for cue in self.cues["pain"] if cue.name != "problem"):
                return None
            return denied.group(0).strip()
        quick = self._any["fine"]
        if quick is None or quick.search(plain) is None:
            return None
        # a contrast after a cue takes it back ("set up in a minute, but ..."): only cues after the last count
        last = max((contrast.start() for contrast in FINE_UNLESS.finditer(plain)), default=-1)
        for cue in self.cues["fine"]:
            for match in cue.pattern.finditer(plain, last + 1):
                if self._counts("fine", cue, plain, match):
                    return match.group(0).strip()
        return None

    def _pain(self, plain: str) -> str | None:
        pain = self._first("pain", plain)
        if pain is None:
            return None
        if DENIAL.search(plain) is None:
            return pain[1]
        for clause in CLAUSE_BREAK.split(plain):  # "buying was not a problem, yet returns failed"
            if not DENIAL.search(clause):
                pain = self._first("pain", clause)
                if pain is not None:
                    return pain[1]
        return None


def is_memory(value: object) -> bool:
    """Whether a value kept from an earlier run has the shape `Tagger.remembered` gives: normalised
    text to (need cue, pain cue, fine cue), each a string or None."""
    return type(value) is dict and all(
        type(text) is str and type(found) is tuple and len(found) == 3
        and all(cue is None or type(cue) is str for cue in found)
        for text, found in value.items()
    )


def tag(
    statements: Iterable[Statement], tagger: Tagger, vectors: Callable[[Sequence[str]], Any] | None = None,
    min_confidence: float = 0.0,
) -> list[Statement]:
    """Statements with every missing type inferred (`inferred=True`, the cue, and how sure).

    With `vectors` (the semantic engine), the learned model and the cues decide together, and an
    inferred pain or need less sure than `min_confidence` counts as other; without, cues alone decide."""
    statements = list(statements)
    untyped = [s.text for s in statements if s.type is None]
    tagger.prepare(untyped)
    decided: dict[str, tuple[StatementType, str | None, float | None, str]] = {}
    if vectors is not None and untyped:
        from custlens.pipeline.tagmodel import decide

        texts = sorted(set(untyped))
        for text, decision in zip(texts, decide(vectors(texts), [tagger.cues_of(text) for text in texts])):
            kind: StatementType = decision.type  # type: ignore[assignment]  # one of TYPES
            why = decision.why
            if kind != "other" and decision.confidence < min_confidence:
                kind, why = "other", f"{why}, {UNDER_MINIMUM} {min_confidence:g}"
            decided[text] = (kind, decision.cue, decision.confidence, why)
    out = []
    for statement in statements:
        if statement.type is None:
            found = decided.get(statement.text)
            if found is None:
                kind, cue = tagger.classify(statement.text)
                found = (kind, cue, None, f'cue "{cue}"' if cue else "no cue")
            # not dataclasses.replace: that is several times slower, and a run makes a Statement per text
            statement = Statement(statement.text, statement.section, statement.line, statement.note, found[0], True,
                                  found[1], found[2], found[3])
        out.append(statement)
    return out
