"""What commands return and renderers read: the reports, as plain data.

Each command (`commands`) makes one of these; `output` lays it out. A report holds the synthesis it came
from (`Synthesis`: the notes in scope, their typed statements and the ranked themes), so every output can
show where each statement came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from custlens.errors import ExitCode, Problem
from custlens.models import Note, Statement
from custlens.pipeline.compare import ThemeChange, Traced
from custlens.pipeline.competitors import CompetitorSummary, Naming
from custlens.pipeline.contrast import Contrast, Group
from custlens.pipeline.gitnotes import Revision
from custlens.pipeline.parse import ParsedFile
from custlens.pipeline.triangulate import Evidence, SegmentSummary, Trend


@dataclass
class Corpus:
    """Everything read from the notes: each file's result, the valid notes and their statements."""

    files: list[ParsedFile]
    notes: list[Note] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)
    hidden_tmp: list[Path] = field(default_factory=list)  # hidden .tmp files seen in the notes folders
    folders: int = 0  # the first entries of `files` are folders (missing or unreadable), not files

    @property
    def problems(self) -> list[Problem]:
        return [problem for parsed in self.files for problem in parsed.problems]

    @property
    def skipped_files(self) -> list[ParsedFile]:
        """Files that gave no notes because of errors (a batch with one bad entry is not skipped)."""
        return [parsed for parsed in self.files if not parsed.notes and not parsed.ok]


@dataclass
class CheckReport:
    files: list[ParsedFile]
    folders: int = 0  # entries of `files` that are folders with a problem, not files

    @property
    def file_count(self) -> int:
        """The note files checked (a folder listed for its problem is not one)."""
        return len(self.files) - self.folders

    @property
    def errors(self) -> int:
        return sum(1 for f in self.files for p in f.problems if p.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.files for p in f.problems if not p.is_error)

    @property
    def notes(self) -> int:
        return sum(len(f.notes) for f in self.files)

    def exit_code(self, strict: bool) -> ExitCode:
        if self.errors or (strict and self.warnings):
            return ExitCode.PROBLEMS
        return ExitCode.OK


@dataclass
class Synthesis:
    """The shared result of the synthesis commands: notes in scope, typed statements, ranked themes."""

    corpus: Corpus
    notes: list[Note]
    statements: list[Statement]
    ranked: list[Evidence]
    theme_of: dict[int, str]  # id(statement) -> theme id
    naming: Naming = field(default_factory=Naming)  # the competitors each note and statement names

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.corpus.files for p in f.problems if p.is_error]


@dataclass
class ThemesReport:
    synthesis: Synthesis
    shown: list[Evidence]
    left_out: int
    one_mention: int


@dataclass
class SegmentsReport:
    synthesis: Synthesis
    segments: list[SegmentSummary]
    top: int


@dataclass
class ShowReport:
    synthesis: Synthesis
    evidence: Evidence
    neighbours: list[tuple[Evidence, float]] = field(default_factory=list)  # the closest themes, and how close


@dataclass
class TrendsReport:
    synthesis: Synthesis
    periods: list[str]
    rows: list[Trend]
    by: str


@dataclass(frozen=True)
class Moment:
    """One end of a comparison: the notes as committed at a git revision, or the notes in the work tree
    (all of them, or those dated before `before` or on or before `through`)."""

    given: str | None  # what the user wrote: a revision or a date; None for the work tree as it is
    revision: Revision | None = None
    before: dt.date | None = None  # only notes dated before this day (--since DATE)
    through: dt.date | None = None  # only notes dated on or before this day (--until DATE)

    @property
    def kind(self) -> str:
        # a date is a date also where its notes are read at a revision (--since DATE --until REV)
        return "date" if self.before or self.through else "revision" if self.revision is not None else "work tree"

    def describe(self) -> str:
        """Which notes: `dated before 2026-09-01, in the work tree`, `as committed at v1 (4ce986a, 2026-09-01)`."""
        where = (f"as committed at {self.revision.given} ({self.revision.short}, {self.revision.date})"
                 if self.revision is not None else "in the work tree")
        if self.before is not None:
            return f"dated before {self.before}, {where}"
        if self.through is not None:
            return f"dated on or before {self.through}, {where}"
        return where


@dataclass
class ChangesReport:
    """Themes then and now, paired by identity (`pipeline.compare`), and the changes shown: at most
    `top` of each kind, themes said once left out unless every change is asked for."""

    then: Synthesis
    now: Synthesis
    since: Moment
    until: Moment
    changes: list[ThemeChange]
    shown: list[ThemeChange]
    added_now: dict[str, str] = field(default_factory=dict)  # note path -> the commit that added it (now)
    added_then: dict[str, str] = field(default_factory=dict)  # ... as of then
    centre_match: float = 0.0
    # (note path, line) -> the commit that last changed the line ("": not committed), for statements
    # added to notes that were there already: the note's own commit came before --since
    edited: dict[tuple[str, int], str] = field(default_factory=dict)

    def commit(self, traced: Traced) -> str | None:
        """The commit that added the note a statement is in (as of then, for a statement that went); for
        a statement added to a note that was there then, the commit that last changed its line (None:
        not committed)."""
        statement = traced.statement
        if traced.status == "added" and (statement.note.path, statement.line) in self.edited:
            return self.edited[statement.note.path, statement.line] or None
        added = self.added_now if traced.status == "added" else self.added_then
        return added.get(statement.note.path)

    def count(self, change: str) -> tuple[int, int]:
        """How many changes of a kind are shown, and how many there are."""
        return (sum(1 for c in self.shown if c.change == change), sum(1 for c in self.changes if c.change == change))

    def said_once(self, change: str) -> int:
        """How many changes of a kind are of a theme said only once, then and now (shown with --all only)."""
        return sum(1 for c in self.changes if c.change == change
                   and max(e.mentions for e in (c.now, c.then) if e is not None) == 1)


@dataclass
class HtmlReport:
    """Everything the one-page report shows: ranked themes, segment coverage and mentions per month."""

    synthesis: Synthesis
    shown: list[Evidence]
    segments: list[SegmentSummary]
    periods: list[str]
    counts: dict[str, tuple[int, ...]]  # theme id -> mentions per period
    generated: dt.date
    changes: ChangesReport | None = None  # with --since: what changed since then
    competitors: list[CompetitorSummary] = field(default_factory=list)


@dataclass
class CompetitorsReport:
    """Every competitor the notes name, with what the customers who name it say."""

    synthesis: Synthesis
    competitors: list[CompetitorSummary]
    top: int  # themes and quotes shown per competitor (JSON and CSV hold them all)


@dataclass
class CompareReport:
    """What one group of notes says more than the rest (cancellations and lost deals, by default)."""

    synthesis: Synthesis
    group: Group
    rows: list[Contrast]  # every theme, the most surely over-represented first
    shown: list[Contrast]
    group_notes: int
    group_participants: int
    rest_notes: int
    rest_participants: int
