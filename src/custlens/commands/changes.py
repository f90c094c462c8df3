"""`custlens changes`: the themes now against the themes at the last planning (a git revision or a date).

What "then" is: with a revision (`--since v1`), the notes as committed at that revision, read from git
(`pipeline.gitnotes`); with a date (`--since 2026-09-01`), the notes dated before that day, from the
same notes as "now" (in git or not). "Now" is the work tree, or `--until` a revision (the notes as
committed there) or a date (the notes dated on or before it). Both runs go through the same synthesis
(`synthesis.synthesise`; the stored sentence vectors make the second cheap), and their themes are
paired by identity (`pipeline.compare`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from custlens.commands.synthesis import (
    ReportOptions,
    Run,
    check_filter_values,
    check_order,
    resolve_paths,
    synthesise,
)
from custlens.errors import CustlensError
from custlens.infra.config import Config
from custlens.pipeline.gitnotes import Repository, Revision, find_repository
from custlens.reports import ChangesReport, Corpus, Moment, Synthesis


def changes(
    options: ReportOptions, config: Config, run: Run | None = None, *, since: dt.date | str,
    until: dt.date | str | None = None, top: int | None = 10, show_all: bool = False,
) -> ChangesReport:
    """What changed between `since` (a date, or a git revision) and `until` (the same; None: the work
    tree): every theme paired by identity; shown, at most `top` of each kind of change, and themes said
    only once left out, unless `show_all`."""
    from custlens.pipeline.compare import CENTRE_MATCH, compare

    run = run or Run()
    roots = resolve_paths(list(options.paths) or None, config)
    check_order(since, until)
    repo, until_at = _until(roots, since, until)
    if isinstance(since, str):
        assert repo is not None
        since_at = Moment(since, repo.revision(since))
    else:
        since_at = Moment(str(since), until_at.revision, before=since)
    now = synthesis_at(until_at, options, config, run, repo, roots, check_values=False)
    then = synthesis_at(since_at, options, config, run, repo, roots, check_values=False)
    # a segment or kind counts if either end has it: "what did we lose in X" asks about notes now gone
    check_filter_values(options.filters, then.corpus.notes + now.corpus.notes)
    found = compare(then.ranked, now.ranked, then.statements, now.statements)
    shown = []
    for kind in ("new", "grew", "shrank", "faded"):
        of_kind = [c for c in found if c.change == kind
                   and (show_all or max(e.mentions for e in (c.now, c.then) if e is not None) > 1)]
        shown += of_kind if show_all or top is None else of_kind[:top]
    added_now: dict[str, str] = {}
    added_then: dict[str, str] = {}
    if repo is None:
        try:
            repo = find_repository(roots)
        except CustlensError:  # dates work outside git: no commit to name then
            repo = None
    edited: dict[tuple[str, int], str] = {}
    if repo is not None:
        added_now = repo.added_by(roots, until_at.revision)
        added_then = repo.added_by(roots, since_at.revision) if since_at.revision is not None else added_now
        if since_at.revision is not None:  # a statement added to a note there then: the commit of its line
            there = {note.path for note in then.corpus.notes}
            lines: dict[str, set[int]] = {}
            for change in found:
                for traced in change.added:
                    if traced.statement.note.path in there:
                        lines.setdefault(traced.statement.note.path, set()).add(traced.statement.line)
            for path, wanted in sorted(lines.items()):
                commits = repo.line_commits(path, until_at.revision)
                edited.update({(path, line): commits[line] for line in wanted if line in commits})
    return ChangesReport(then, now, since_at, until_at, found, shown, added_now, added_then, CENTRE_MATCH, edited)


def _until(roots: list[Path], since: dt.date | str | None, until: dt.date | str | None,
           ) -> tuple[Repository | None, Moment]:
    """The repository (where a revision is named) and the notes "now" stands for: the work tree, the
    notes dated on or before a day, or the notes as committed at a revision."""
    repo = find_repository(roots) if isinstance(since, str) or isinstance(until, str) else None
    if isinstance(until, str):
        assert repo is not None
        return repo, Moment(until, repo.revision(until))
    return repo, Moment(str(until) if until else None, through=until)


def synthesis_until(options: ReportOptions, config: Config, run: Run | None, until: dt.date | str) -> Synthesis:
    """The synthesis of the notes up to `until`: dated on or before a day, or as committed at a revision."""
    roots = resolve_paths(list(options.paths) or None, config)
    repo, moment = _until(roots, None, until)
    return synthesis_at(moment, options, config, run or Run(), repo, roots)


def synthesis_at(moment: Moment, options: ReportOptions, config: Config, run: Run, repo: Repository | None,
                  roots: list[Path], check_values: bool | None = None) -> Synthesis:
    """The synthesis of the notes at one end: read from git at a revision, or from the work tree; only
    those dated before (or through) a day, where the moment says so. Only the work tree's notes with
    errors stop a --strict run: old notes are what they were."""
    filters = options.filters
    if moment.before is not None:
        filters = dataclasses.replace(filters, until=moment.before - dt.timedelta(days=1))
    elif moment.through is not None:
        filters = dataclasses.replace(filters, until=moment.through)
    options = dataclasses.replace(options, filters=filters, strict=options.strict and moment.revision is None)
    corpus = None
    if moment.revision is not None:
        assert repo is not None
        corpus = _corpus_at(repo, moment.revision, roots, config, run)
    return synthesise(options, config, run, corpus, check_values)


def _corpus_at(repo: Repository, revision: Revision, roots: list[Path], config: Config, run: Run) -> Corpus:
    """The notes under `roots` as committed at `revision`, with their statements."""
    from custlens.pipeline.extract import extract
    from custlens.pipeline.parse import ParseSettings

    with run.stage("read/parse"):
        files = repo.read_notes(revision, roots, ParseSettings.from_config(config), tuple(config.exclude),
                               config.own_files())
    corpus = Corpus(files, [note for parsed in files for note in parsed.notes], roots=roots)
    with run.stage("extract"):
        corpus.statements = extract(corpus.notes)
    return corpus
