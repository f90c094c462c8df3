"""`custlens check`: every note is well formed and states at least one customer need (for CI)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from custlens.commands.synthesis import MISSING_FOLDER, Run, configured_tagger, load
from custlens.errors import CustlensError, ExitCode, Problem
from custlens.infra.config import Config
from custlens.models import Note
from custlens.pipeline.extract import states_a_need
from custlens.pipeline.files import display_path
from custlens.reports import CheckReport

NO_NEED_HINT = "add a `## Needs` section with at least one item, a `Need: ...` line, or a `needs:` entry"


class NothingChecked(CustlensError):
    """No note at all: a failure in CI, which a script reading `--format json` must see as one too."""


def latest_date(today: dt.date | None = None) -> dt.date:
    """The last date a note may carry before it is in the future: a day's grace for time zones."""
    return (today or dt.date.today()) + dt.timedelta(days=1)


def check(paths: list[Path] | None, config: Config, run: Run | None = None, allow_empty: bool = False,
          today: dt.date | None = None) -> CheckReport:
    """Validate every note: syntax, fields, kinds, and (unless the config turns it off) a stated need.
    Notes are never modified; the temporary files a killed `add` or `import` left are removed. A note
    dated after `today` (default: the clock's) by more than a day is a warning: a typo in the year
    would stretch every trend to that date.

    No note file at all is an error (unless `allow_empty`): in CI, a notes folder that moved or a
    pattern that excludes everything must not pass as "ok"."""
    from custlens.infra.storage import remove_stale_temporaries

    run = run or Run()
    if config.cues:  # a cue change the tagger would refuse at the next report fails CI now
        configured_tagger(config)
    corpus = load(paths, config, run, statements=False)
    remove_stale_temporaries(corpus.hidden_tmp)
    if all(p.code == MISSING_FOLDER for f in corpus.files for p in f.problems) and not corpus.notes and not allow_empty:
        shown = ", ".join(display_path(root) for root in corpus.roots[:3]) + (", ..." if len(corpus.roots) > 3 else "")
        raise NothingChecked(
            f"no notes found in {shown}: nothing was checked",
            hint="check the path (did the notes folder move?) and `exclude:` in custlens.yaml; "
            "--allow-empty lets an empty folder pass",
            exit_code=ExitCode.PROBLEMS,
        )
    spellings = _segment_spellings(corpus.notes)
    latest = latest_date(today)
    for parsed in corpus.files:
        with run.stage("extract"):
            parsed.problems.extend(need_problems(parsed.notes, config))
        for note in parsed.notes:
            if note.date > latest:
                parsed.problems.append(Problem(
                    note.path, "future-date", f"`date` {note.date} is in the future", "warning", note.date_line or note.line,
                    note.entry,
                    "a typo in the year? reports place the note, and stretch trends, to that date",
                ))
            usual = spellings.get(note.segment.casefold())
            if usual is not None and usual != note.segment:
                parsed.problems.append(Problem(
                    note.path, "segment-spelling", f"segment `{note.segment}` is written `{usual}` in other notes",
                    "warning", note.segment_line or note.line, note.entry,
                    f"write `{usual}`: reports count differently spelled segments apart",
                ))
        parsed.problems.sort(key=lambda p: (p.entry or 0, p.line or 0))
    return CheckReport(corpus.files, corpus.folders)


def _segment_spellings(notes: list[Note]) -> dict[str, str]:
    """For segments written in more than one way (`Salons`, `salons`): the most used spelling."""
    counts = Counter(note.segment for note in notes)
    ways: dict[str, list[str]] = {}
    for name in counts:
        ways.setdefault(name.casefold(), []).append(name)
    return {
        key: min(names, key=lambda name: (-counts[name], name))
        for key, names in ways.items() if len(names) > 1
    }


def need_problems(notes: list[Note], config: Config) -> list[Problem]:
    """A `no-need` error for each note that states no customer need, where the config asks for one."""
    if config.require_need is False:
        return []
    return [
        Problem(note.path, "no-need", "no stated customer need", "error", note.line, note.entry, NO_NEED_HINT)
        for note in notes
        if config.needs_a_need(note.kind) and not states_a_need(note)
    ]
