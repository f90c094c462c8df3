"""What each command does, as functions that take plain values and return reports.

The CLI parses options and prints; everything in between happens here, in one direction:
files -> parse -> Note -> extract -> Statement -> tag -> themes -> triangulate -> report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .errors import CustlensError, ExitCode, Problem
from .extract import extract, states_a_need
from .models import Note, Statement
from .parse import ParsedFile, ParseSettings, display_path, find_note_files, read_note_file

NO_NEED_HINT = "add a `## Needs` section with at least one item, a `Need: ...` line, or a `needs:` entry"


@dataclass
class Corpus:
    """Everything read from the notes: each file's result, the valid notes and their statements."""

    files: list[ParsedFile]
    notes: list[Note] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [problem for parsed in self.files for problem in parsed.problems]

    @property
    def skipped_files(self) -> list[ParsedFile]:
        """Files that gave no notes because of errors (a batch with one bad entry is not skipped)."""
        return [parsed for parsed in self.files if not parsed.notes and not parsed.ok]


def resolve_paths(paths: list[Path] | None, config: Config) -> list[Path]:
    """The paths a command works on: those given, else the config's notes folders."""
    if paths:
        return list(paths)
    folders = config.notes_dirs()
    existing = [folder for folder in folders if folder.exists()]
    if not existing:
        shown = ", ".join(display_path(folder) for folder in folders)
        raise CustlensError(
            f"no notes folder found ({shown})",
            hint="run inside a notes repository, pass a folder (`custlens check path/to/notes`), or `custlens init`",
            exit_code=ExitCode.USAGE,
        )
    return existing


def load(paths: list[Path] | None, config: Config) -> Corpus:
    """Read every note under `paths` (default: the config's notes folders) and extract its statements."""
    files, _ = find_note_files(resolve_paths(paths, config), tuple(config.exclude))
    settings = ParseSettings.from_config(config)
    corpus = Corpus([read_note_file(path, settings) for path in files])
    for parsed in corpus.files:
        corpus.notes.extend(parsed.notes)
    corpus.statements = extract(corpus.notes)
    return corpus


# --- check ----------------------------------------------------------------------------------------


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


def check(paths: list[Path] | None, config: Config) -> CheckReport:
    """Validate every note: syntax, fields, kinds, and (unless the config turns it off) a stated need."""
    corpus = load(paths, config)
    if config.require_need:
        by_note: dict[int, list[Statement]] = {}
        for statement in corpus.statements:
            by_note.setdefault(id(statement.note), []).append(statement)
        for parsed in corpus.files:
            for note in parsed.notes:
                if not states_a_need(by_note.get(id(note), [])):
                    parsed.problems.append(
                        Problem(note.path, "no-need", "no stated customer need", "error", note.line, note.entry,
                                NO_NEED_HINT)
                    )
            parsed.problems.sort(key=lambda p: (p.entry or 0, p.line or 0))
    return CheckReport(corpus.files)
