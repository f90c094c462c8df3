"""What the report commands share: reading the notes, the options of a report, and the synthesis.

One direction: files -> parse -> Note -> extract -> Statement -> embed -> tag -> group -> Theme ->
triangulate -> Evidence. `ReportOptions` is built once by the command line from its shared options and
passed down whole.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from custlens.errors import CustlensError, ExitCode, Problem
from custlens.infra.config import Config
from custlens.infra.timing import stage
from custlens.models import Note
from custlens.pipeline.extract import extract
from custlens.pipeline.files import (
    display_path,
    find_note_files,
    read_note_files,
    to_plain,
)
from custlens.pipeline.parse import ParsedFile, ParseSettings
from custlens.reports import Corpus, Synthesis

if TYPE_CHECKING:
    from custlens.pipeline.tag import Tagger
    from custlens.pipeline.themes import ThemeSettings
    from custlens.pipeline.triangulate import Evidence


@dataclass
class Run:
    """How a command runs, as opposed to what it computes: the parse cache, progress, stage timings."""

    cache: bool = True
    progress: Callable[[str, int, int], None] | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def stage(self, name: str) -> contextlib.AbstractContextManager[None]:
        return stage(self.timings, name)

    def report(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)


MISSING_FOLDER = "missing-folder"


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


def configured_tagger(config: Config) -> Tagger:
    """The tagger with the config's cue changes; a phrase it refuses is an error at its line in the config."""
    from custlens.pipeline.tag import Tagger

    try:
        return Tagger.configured(config.cues)
    except CustlensError as error:
        raise config.located(error) from None


def check_order(since: object, until: object) -> None:
    """Refuse a --since date after the --until date: no note is in that range, and no change is since then."""
    import datetime as dt

    if isinstance(since, dt.date) and isinstance(until, dt.date) and since > until:
        raise CustlensError(f"--since {since} is after --until {until}", hint="give the earlier date to --since")


def load(
    paths: list[Path] | None, config: Config, run: Run | None = None, meanwhile: Callable[[], object] | None = None,
    statements: bool = True,
) -> Corpus:
    """Read every note under `paths` (default: the config's notes folders) and extract its statements
    (unless `statements` is False: `check` only asks whether each note states a need).

    `meanwhile` is called once, while worker processes parse (if they do), else before parsing."""
    run = run or Run()
    roots = resolve_paths(paths, config)
    settings = ParseSettings.from_config(config)
    hidden_tmp: list[Path] = []
    with run.stage("read/parse"):
        files, folder_problems = find_note_files(roots, tuple(config.exclude), hidden_tmp,
                                                 tuple(config.notes_dirs()), config.own_files())
        cache = None
        if run.cache:
            from custlens.pipeline.parsecache import ParseCache

            cache = ParseCache(roots, settings)
        cwd = os.getcwd()
        displays = [display_path(path, cwd) for path in files]
        results: list[ParsedFile | None] = [None] * len(files)
        stamps: list[tuple[int, ...] | None] = [None] * len(files)
        if cache is not None:
            for k, (path, display) in enumerate(zip(files, displays)):
                stamps[k], results[k] = cache.lookup(path, display)
        todo = [k for k, result in enumerate(results) if result is None]
        done = len(files) - len(todo)
        fresh = read_note_files([files[k] for k in todo], settings, [displays[k] for k in todo], meanwhile=meanwhile)
        if not todo and meanwhile is not None:  # nothing to parse: the generator never runs
            meanwhile()
        for j, result, plain in fresh:
            k = todo[j]
            results[k] = result
            if cache is not None:
                cache.store(files[k], displays[k], stamps[k], plain if plain is not None else to_plain(result))
            done += 1
            if done % 200 == 0 or done == len(files):
                run.report("reading notes", done, len(files))
        if cache is not None:
            cache.save()
    read = [result for result in results if result is not None]
    # a folder custlens.yaml lists that is not there, beside others that are, is said, not skipped silently
    missing = [] if paths else [
        Problem(display_path(folder), MISSING_FOLDER, "a notes folder listed in custlens.yaml does not exist", "warning",
                hint="fix or remove it under `notes:` in custlens.yaml")
        for folder in config.notes_dirs() if not folder.exists()
    ]
    folders = [ParsedFile(p.path, [], [p]) for p in (*missing, *folder_problems)]
    corpus = Corpus(folders + read, roots=roots, hidden_tmp=hidden_tmp, folders=len(folders))
    for parsed in corpus.files:
        corpus.notes.extend(parsed.notes)
    if statements:
        with run.stage("extract"):
            corpus.statements = extract(corpus.notes)
    return corpus


@dataclass(frozen=True)
class Filters:
    """Which notes and themes a report covers."""

    segments: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    type: str | None = None
    min_strength: str | None = None
    level: str = "theme"  # or "subtheme": what is ranked
    min_confidence: float | None = None  # how sure an inferred pain or need must be (None: the config's)

    def keeps_note(self, note: Note) -> bool:
        return (
            (not self.segments or note.segment in self.segments)
            and (not self.kinds or note.kind in self.kinds)
            and (self.since is None or note.date >= self.since)
            and (self.until is None or note.date <= self.until)
        )


@dataclass(frozen=True)
class ReportOptions:
    """What a report covers and how it is made: the notes (`paths`; none: the config's folders), which
    notes and themes (`filters`), how statements are grouped (`grouping`; None: the config's), whether
    notes with errors stop the run (`strict`) and whether personal data is masked (`redact`)."""

    paths: tuple[Path, ...] = ()
    filters: Filters = field(default_factory=lambda: Filters())
    grouping: ThemeSettings | None = None
    strict: bool = False
    redact: bool = False


def check_filter_values(filters: Filters, notes: list[Note]) -> None:
    """Refuse a --segment or --kind that no note has, with the ones present (and a did-you-mean)."""
    from custlens.pipeline.parse import did_you_mean

    for option, wanted, present in (
        ("--segment", filters.segments, sorted({n.segment for n in notes})),
        ("--kind", filters.kinds, sorted({n.kind for n in notes})),
    ):
        for value in wanted:
            if value not in present:
                hint = did_you_mean(value, present, f"present: {', '.join(present) or 'none'}")
                raise CustlensError(f"no notes match {option} {value}", hint=hint, exit_code=ExitCode.USAGE)


def theme_settings(grouping: ThemeSettings | None, config: Config) -> ThemeSettings:
    """The engine and thresholds: those given, else the config's, else the engine's defaults."""
    from custlens.pipeline.themes import ThemeSettings

    grouping = grouping or ThemeSettings(engine=None)
    settings = ThemeSettings(
        engine=grouping.engine or config.engine or "semantic",
        threshold=grouping.threshold if grouping.threshold is not None else config.threshold,
        sub_threshold=grouping.sub_threshold if grouping.sub_threshold is not None else config.subtheme_threshold,
    )
    if settings.engine == "semantic":
        _check_thresholds(settings, grouping, config)
    return settings


def _check_thresholds(settings: ThemeSettings, given: ThemeSettings, config: Config) -> None:
    """Refuse a sub-theme threshold under the theme threshold, wherever each came from (an option, the
    config, or the engine's default), naming both."""
    from custlens.pipeline.engines.semantic import MeaningSettings

    threshold = settings.threshold if settings.threshold is not None else MeaningSettings().threshold
    sub = settings.sub_threshold
    if sub is None or sub >= threshold:
        return
    sub_from = "--subtheme-threshold" if given.sub_threshold is not None else "subtheme_threshold"
    if given.threshold is not None:
        from_where = "--threshold"
    elif settings.threshold is None:
        from_where = "the default --threshold"
    else:  # the config's: said as the config says it when the sub-theme threshold is the config's too
        from_where = "threshold" if given.sub_threshold is None else "the config's threshold"
    error = CustlensError(f"{sub_from} {sub} is under {from_where} {threshold}",
                          hint="sub-themes are tighter than themes: give a higher value", exit_code=ExitCode.USAGE,
                          setting=None if given.sub_threshold is not None else ("subtheme_threshold",))
    raise config.located(error)


def synthesise(options: ReportOptions, config: Config, run: Run | None = None, corpus: Corpus | None = None,
               check_values: bool | None = None, writes_codebook: bool = False) -> Synthesis:
    """Read, filter, tag, group and triangulate: everything the report commands share.

    With `redact`, every text the result holds has e-mail addresses, phone numbers, URL tokens and the
    config's `redact:` names masked (the grouping itself is done on the original text). A `corpus`
    given is used instead of reading the notes (notes of another time, read from git): its segments
    and kinds are not checked against --segment and --kind, which may name ones that came later, unless
    `check_values` says so (`changes` checks them against both ends itself).
    """
    run = run or Run()
    filters, grouping, strict = options.filters, options.grouping, options.strict
    settings = theme_settings(grouping, config)  # a mistake in them stops the run before any note is read
    if not writes_codebook:  # `themes --write-codebook` creates the file the config names
        config.check_codebook()
    taggers: list[Tagger] = []

    def get_ready() -> None:  # while worker processes parse: the imports and cue patterns of what follows
        taggers.append(configured_tagger(config))
        import rapidfuzz.process  # noqa: F401  # used by grouping

        from custlens.pipeline import (
            labels,  # noqa: F401
            themes,  # noqa: F401
            triangulate,  # noqa: F401
        )
        from custlens.pipeline.engines import fuzzy  # noqa: F401

    check_values = corpus is None if check_values is None else check_values
    if corpus is None:
        corpus = load(list(options.paths) or None, config, run, meanwhile=get_ready)
    else:
        get_ready()
    tagger = taggers[0]

    from custlens.pipeline.codebook import load_codebook
    from custlens.pipeline.tag import tag
    from custlens.pipeline.themes import build_themes, subtheme_level
    from custlens.pipeline.triangulate import STRENGTHS, rank

    if strict and any(p.is_error for p in corpus.problems):
        errors = sum(1 for p in corpus.problems if p.is_error)
        raise CustlensError(
            f"{errors} problem{'s' * (errors != 1)} in the notes (--strict)",
            hint="run `custlens check` for details",
            exit_code=ExitCode.PROBLEMS,
        )
    if check_values:
        check_filter_values(filters, corpus.notes)
    notes = [note for note in corpus.notes if filters.keeps_note(note)]
    kept = {id(note) for note in notes}
    memo = None
    embedder = None
    if settings.engine == "semantic":
        from custlens.infra.cache import cache_dir
        from custlens.pipeline.embed import Embedder, VectorStore

        embedder = Embedder(VectorStore(cache_dir()) if run.cache else None, progress=run.report)
    try:
        with run.stage("tag"):
            if run.cache:
                from custlens.infra.cache import ResultCache, digest
                from custlens.pipeline.tag import is_memory

                memo = ResultCache()
                memo.prune()
                roots = sorted(os.path.abspath(root) for root in corpus.roots)
                tags_key = digest(roots, tagger.settings)  # the cues in effect, however the config wrote them
                known = memo.get("tags", tags_key, is_memory) or {}
                tagger.remember(known)
            minimum = filters.min_confidence if filters.min_confidence is not None else config.min_confidence
            statements = tag((s for s in corpus.statements if id(s.note) in kept), tagger,
                             embedder.vectors if embedder is not None else None, minimum or 0.0)
            if memo is not None and (tagger.fresh or len(tagger.remembered) != len(known)):
                memo.put("tags", tags_key, tagger.remembered)
        codebook = load_codebook(config.codebook_path())
        themes = build_themes(statements, settings, codebook, run.timings, memo,
                              embedder.vectors if embedder is not None else None)
    finally:
        if embedder is not None:
            embedder.finish()
    run.report("grouping statements into themes", 1, 1)
    if filters.level == "subtheme":
        themes = subtheme_level(themes)
    with run.stage("triangulate"):
        ranked = rank(themes)
    if filters.type:
        ranked = [e for e in ranked if e.theme.type == filters.type]
    if filters.min_strength:
        limit = STRENGTHS.index(filters.min_strength)
        ranked = [e for e in ranked if STRENGTHS.index(e.strength) <= limit]
    from custlens.pipeline.competitors import find_competitors, with_competitors

    naming = find_competitors(corpus.notes, statements)
    ranked = with_competitors(ranked, naming)
    theme_of = {id(s): e.theme.id for e in ranked for s in e.theme.statements}
    synthesis = Synthesis(corpus, notes, statements, ranked, theme_of, naming)
    return redact_synthesis(synthesis, config.redact) if options.redact else synthesis


def redact_synthesis(synthesis: Synthesis, names: list[str]) -> Synthesis:
    """A copy of the synthesis with personal data masked in every text it holds."""
    from custlens.pipeline.redact import (
        Redactor,
        redact_evidence,
        redact_notes,
        redact_statement,
    )

    redactor = Redactor(names)
    notes = redact_notes(synthesis.corpus.notes, redactor)
    statements = {id(s): redact_statement(s, notes, redactor) for s in synthesis.statements}
    from custlens.pipeline.competitors import with_competitors

    naming = synthesis.naming.redacted(notes, statements, redactor)
    ranked = with_competitors(redact_evidence(synthesis.ranked, statements, redactor, synthesis.statements), naming)
    files = [
        ParsedFile(
            redactor(f.path) or f.path,
            [notes[id(n)] for n in f.notes],
            [
                Problem(redactor(p.path) or p.path, p.code, redactor(p.message) or p.message, p.severity, p.line,
                        p.entry, redactor(p.hint))
                for p in f.problems
            ],
        )
        for f in synthesis.corpus.files
    ]
    theme_of = {id(statements[k]): theme for k, theme in synthesis.theme_of.items()}
    return Synthesis(
        Corpus(files, [notes[id(n)] for n in synthesis.corpus.notes], [statements.get(id(s), s) for s in synthesis.corpus.statements]),
        [notes[id(n)] for n in synthesis.notes],
        [statements[id(s)] for s in synthesis.statements],
        ranked,
        theme_of,
        naming,
    )


def repeated(ranked: list[Evidence]) -> list[Evidence]:
    """The themes mentioned more than once, in their order (one mention is an anecdote, not a theme)."""
    return [e for e in ranked if e.mentions > 1]
