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
from custlens.pipeline.contrast import Contrast, Group
from custlens.pipeline.competitors import CompetitorSummary, Naming
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


@dataclass
class HtmlReport:
    """Everything the one-page report shows: ranked themes, segment coverage and mentions per month."""

    synthesis: Synthesis
    shown: list[Evidence]
    segments: list[SegmentSummary]
    periods: list[str]
    counts: dict[str, tuple[int, ...]]  # theme id -> mentions per period
    generated: dt.date
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
