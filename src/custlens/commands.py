"""What each command does, as functions that take plain values and return reports.

The CLI parses options and prints; everything in between happens here, in one direction:
files -> parse -> Note -> extract -> Statement -> tag -> themes -> triangulate -> report.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from custlens.errors import CustlensError, ExitCode, Problem
from custlens.infra.config import Config
from custlens.infra.timing import stage
from custlens.models import Note, Statement
from custlens.pipeline.extract import extract, states_a_need
from custlens.pipeline.parse import (
    ParsedFile,
    ParseSettings,
    display_path,
    find_note_files,
    read_note_files,
    to_plain,
)

if TYPE_CHECKING:
    from custlens.pipeline.csvimport import ImportOptions, ImportResult
    from custlens.pipeline.tag import Tagger
    from custlens.pipeline.themes import ThemeSettings
    from custlens.pipeline.triangulate import Evidence, SegmentSummary, Trend

NO_NEED_HINT = "add a `## Needs` section with at least one item, a `Need: ...` line, or a `needs:` entry"


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
        files, folder_problems = find_note_files(roots, tuple(config.exclude), hidden_tmp)
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
    corpus = Corpus([ParsedFile(p.path, [], [p]) for p in folder_problems] + read, roots=roots, hidden_tmp=hidden_tmp)
    for parsed in corpus.files:
        corpus.notes.extend(parsed.notes)
    if statements:
        with run.stage("extract"):
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


def check(paths: list[Path] | None, config: Config, run: Run | None = None, allow_empty: bool = False) -> CheckReport:
    """Validate every note: syntax, fields, kinds, and (unless the config turns it off) a stated need.
    Notes are never modified; the temporary files a killed `add` or `import` left are removed.

    No note file at all is an error (unless `allow_empty`): in CI, a notes folder that moved or a
    pattern that excludes everything must not pass as "ok"."""
    from custlens.infra.storage import remove_stale_temporaries

    run = run or Run()
    corpus = load(paths, config, run, statements=False)
    remove_stale_temporaries(corpus.hidden_tmp)
    if not corpus.files and not allow_empty:
        shown = ", ".join(display_path(root) for root in corpus.roots[:3]) + (", ..." if len(corpus.roots) > 3 else "")
        raise CustlensError(
            f"no notes found in {shown}: nothing was checked",
            hint="check the path (did the notes folder move?) and `exclude:` in custlens.yaml; "
            "--allow-empty lets an empty folder pass",
            exit_code=ExitCode.PROBLEMS,
        )
    spellings = _segment_spellings(corpus.notes)
    for parsed in corpus.files:
        with run.stage("extract"):
            parsed.problems.extend(need_problems(parsed.notes, config))
        for note in parsed.notes:
            usual = spellings.get(note.segment.casefold())
            if usual is not None and usual != note.segment:
                parsed.problems.append(Problem(
                    note.path, "segment-spelling", f"segment `{note.segment}` is written `{usual}` in other notes",
                    "warning", note.line, note.entry,
                    f"write `{usual}`: reports count differently spelled segments apart",
                ))
        parsed.problems.sort(key=lambda p: (p.entry or 0, p.line or 0))
    return CheckReport(corpus.files)


def _segment_spellings(notes: list[Note]) -> dict[str, str]:
    """For segments written in more than one way (`Salons`, `salons`): the most used spelling."""
    from collections import Counter

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


# --- synthesis: themes, segments, show, statements ------------------------------------------------


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


@dataclass
class Synthesis:
    """The shared result of the synthesis commands: notes in scope, typed statements, ranked themes."""

    corpus: Corpus
    notes: list[Note]
    statements: list[Statement]
    ranked: list[Evidence]
    theme_of: dict[int, str]  # id(statement) -> theme id

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.corpus.files for p in f.problems if p.is_error]


def _check_filter_values(filters: Filters, notes: list[Note]) -> None:
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
    return ThemeSettings(
        engine=grouping.engine or config.engine or "semantic",
        threshold=grouping.threshold if grouping.threshold is not None else config.threshold,
        sub_threshold=grouping.sub_threshold if grouping.sub_threshold is not None else config.subtheme_threshold,
    )


def synthesise(
    paths: list[Path] | None,
    config: Config,
    filters: Filters,
    grouping: ThemeSettings | None = None,
    strict: bool = False,
    run: Run | None = None,
    redact: bool = False,
) -> Synthesis:
    """Read, filter, tag, group and triangulate: everything the report commands share.

    With `redact`, every text the result holds has e-mail addresses, phone numbers, URL tokens and the
    config's `redact:` names masked (the grouping itself is done on the original text).
    """
    run = run or Run()
    added = {kind: changes.add for kind, changes in config.cues.items()}
    removed = {kind: changes.remove for kind, changes in config.cues.items()}
    taggers: list[Tagger] = []

    def get_ready() -> None:  # while worker processes parse: the imports and cue patterns of what follows
        from custlens.pipeline.tag import Tagger

        taggers.append(Tagger(added=added, removed=removed))
        import rapidfuzz.process  # noqa: F401  # used by grouping

        from custlens.pipeline import (
            labels,  # noqa: F401
            themes,  # noqa: F401
            triangulate,  # noqa: F401
        )
        from custlens.pipeline.engines import fuzzy  # noqa: F401

    corpus = load(paths, config, run, meanwhile=get_ready)
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
    _check_filter_values(filters, corpus.notes)
    notes = [note for note in corpus.notes if filters.keeps_note(note)]
    kept = {id(note) for note in notes}
    memo = None
    settings = theme_settings(grouping, config)
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
    theme_of = {id(s): e.theme.id for e in ranked for s in e.theme.statements}
    synthesis = Synthesis(corpus, notes, statements, ranked, theme_of)
    return redact_synthesis(synthesis, config.redact) if redact else synthesis


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
    ranked = redact_evidence(synthesis.ranked, statements, redactor)
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
    )


@dataclass
class ThemesReport:
    synthesis: Synthesis
    shown: list[Evidence]
    left_out: int
    one_mention: int


def repeated(ranked: list[Evidence]) -> list[Evidence]:
    """The themes mentioned more than once, in their order (one mention is an anecdote, not a theme)."""
    return [e for e in ranked if e.mentions > 1]


def themes(
    paths: list[Path] | None,
    config: Config,
    filters: Filters,
    *,
    top: int | None = 10,
    show_all: bool = False,
    grouping: ThemeSettings | None = None,
    strict: bool = False,
    run: Run | None = None,
    redact: bool = False,
) -> ThemesReport:
    """Themes strongest first. Without `show_all`, one-mention themes are left out and at most `top` shown."""
    synthesis = synthesise(paths, config, filters, grouping, strict, run, redact)
    ranked = synthesis.ranked
    if show_all:
        return ThemesReport(synthesis, list(ranked), 0, 0)
    said_again = repeated(ranked)
    shown = said_again[:top] if top is not None else said_again
    return ThemesReport(synthesis, shown, len(ranked) - len(shown), len(ranked) - len(said_again))


@dataclass
class SegmentsReport:
    synthesis: Synthesis
    segments: list[SegmentSummary]
    top: int


def segments(
    paths: list[Path] | None, config: Config, filters: Filters, *, top: int = 5,
    grouping: ThemeSettings | None = None, strict: bool = False, run: Run | None = None, redact: bool = False,
) -> SegmentsReport:
    """Per segment: what it says (coverage), what it shares with others, what only it says."""
    from custlens.pipeline.triangulate import summarise_segments

    synthesis = synthesise(paths, config, filters, grouping, strict, run, redact)
    return SegmentsReport(synthesis, summarise_segments(synthesis.notes, synthesis.ranked), top)


@dataclass
class ShowReport:
    synthesis: Synthesis
    evidence: Evidence
    neighbours: list[tuple[Evidence, float]] = field(default_factory=list)  # the closest themes, and how close


def show(
    query: str, paths: list[Path] | None, config: Config, filters: Filters,
    grouping: ThemeSettings | None = None, strict: bool = False, run: Run | None = None, redact: bool = False,
) -> ShowReport:
    """One theme, found by id or (fuzzily) by label, with every statement behind it."""
    from custlens.pipeline.triangulate import nearest_themes

    if "." in query and filters.level == "theme":  # a sub-theme's id
        filters = dataclasses.replace(filters, level="subtheme")
    synthesis = synthesise(paths, config, filters, grouping, strict, run, redact)
    found = find_theme(query, synthesis.ranked)
    return ShowReport(synthesis, found, nearest_themes(found, synthesis.ranked))


def find_theme(query: str, ranked: list[Evidence]) -> Evidence:
    """The theme a user means: its id (any case), a unique start of an id, else the theme whose label
    and statements hold the query's words best (each word matched fuzzily, so typos and plurals are
    fine). When several hold them equally well, none is picked: the error lists them, with their ids."""
    from rapidfuzz import fuzz, process, utils

    wanted = query.strip().casefold()
    for evidence in ranked:
        if evidence.theme.id.casefold() == wanted:
            return evidence
    if re.fullmatch(r"(?:pain|need)-[0-9a-f]{2,}(?:\.[0-9a-f]+)?", wanted):
        starts = [e for e in ranked if e.theme.id.casefold().startswith(wanted)]
        if len(starts) == 1:
            return starts[0]
        if len(starts) > 1:
            raise CustlensError(
                f"{len(starts)} themes have ids starting {query!r}",
                hint="give more of the id: " + ", ".join(e.theme.id for e in starts[:5]), exit_code=ExitCode.USAGE,
            )
    words = utils.default_process(query).split()
    texts = [
        (utils.default_process(e.theme.label).split(),
         {w for s in e.theme.statements for w in utils.default_process(s.text).split()})
        for e in ranked
    ]
    vocabulary = sorted({w for label, said in texts for w in (*label, *said)})
    close = [  # per query word: the score of each word of the notes that is like it
        {vocabulary[k]: score for _, score, k in process.extract(word, vocabulary, scorer=fuzz.ratio,
                                                                  score_cutoff=75, limit=None)}
        for word in words
    ]

    def fit(found: Iterable[str]) -> float:
        present = set(found)
        return sum(max((score for w, score in near.items() if w in present), default=0.0) for near in close)

    best: list[Evidence] = []
    best_key = (0.0, 0.0)
    for evidence, (label, said) in zip(ranked, texts):
        key = (fit([*label, *said]), fit(label))
        if key > best_key:
            best, best_key = [evidence], key
        elif key == best_key and best:
            best.append(evidence)
    if not best or not words or best_key[0] < 60 * len(words):
        raise CustlensError(
            f"no theme matches {query!r}",
            hint="give a theme id or words from its label; `custlens themes --all` lists them",
            exit_code=ExitCode.USAGE,
        )
    if len(best) > 1:  # in rank order, strongest first
        from custlens.pipeline.themes import trim

        listed = "; ".join(f"{e.theme.id} ({trim(e.theme.label, 50)})" for e in best[:5])
        more = f"; and {len(best) - 5} more" if len(best) > 5 else ""
        raise CustlensError(
            f"{len(best)} themes match {query!r} equally well",
            hint=f"give the id of the one you mean, or more words: {listed}{more}",
            exit_code=ExitCode.USAGE,
        )
    return best[0]


def statements(
    paths: list[Path] | None, config: Config, filters: Filters,
    grouping: ThemeSettings | None = None, strict: bool = False, run: Run | None = None, redact: bool = False,
    only_type: str | None = None,
) -> Synthesis:
    """Every statement in scope, typed, with the theme it ended up in (only one type, if given)."""
    synthesis = synthesise(paths, config, filters, grouping, strict, run, redact)
    if only_type is not None:
        synthesis.statements = [s for s in synthesis.statements if s.type == only_type]
    return synthesis


# --- add and init ---------------------------------------------------------------------------------


@dataclass
class NewNote:
    """What `custlens add` writes: the fields of one note and its pains, needs and quotes."""

    kind: str
    segment: str
    date: dt.date
    participant: str | None = None
    researchers: tuple[str, ...] = ()
    title: str | None = None
    tags: tuple[str, ...] = ()
    pains: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()


def slug(text: str, limit: int = 40) -> str:
    """A safe file-name part: ASCII letters, digits and single dashes."""
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:limit].rstrip("-")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def note_markdown(new: NewNote) -> str:
    """The Markdown text of a new note: YAML front matter, a title and the three sections."""
    import yaml

    fields: dict[str, object] = {"date": new.date, "kind": new.kind, "segment": new.segment}
    if new.participant:
        fields["participant"] = new.participant
    if new.researchers:
        fields["researcher"] = new.researchers[0] if len(new.researchers) == 1 else list(new.researchers)
    if new.title:
        fields["title"] = new.title
    if new.tags:
        fields["tags"] = list(new.tags)
    front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1000)
    lines = ["---", front.rstrip("\n"), "---"]
    if new.title:
        lines += [f"# {_one_line(new.title)}", ""]
    for heading, items in (("Pains", new.pains), ("Needs", new.needs)):
        if items:
            lines += [f"## {heading}", *[f"- {_one_line(item)}" for item in items], ""]
    if new.quotes:
        lines += ["## Quotes"]
        for quote in new.quotes:
            text = _one_line(quote)
            if len(text) >= 2 and text[0] == text[-1] == '"':
                text = text[1:-1]
            lines += [f'> "{text}"', ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def vet_new_note(new: NewNote, config: Config, name: str) -> list[Problem]:
    """What `check` would say of the new note, found by parsing its text the same way: errors stop
    `add` before anything is written; a missing need is only a warning then (the note can be edited)."""
    from custlens.pipeline.parse import parse_bytes

    parsed = parse_bytes(note_markdown(new).encode("utf-8"), name, ".md", ParseSettings.from_config(config))
    problems = parsed.problems + need_problems(parsed.notes, config)
    for problem in problems:
        if problem.is_error and problem.code != "no-need":
            raise CustlensError(problem.message, hint=problem.hint)
    return problems


def add(new: NewNote, config: Config, folder: Path | None = None) -> tuple[Path, list[Problem]]:
    """Write a new note into the notes folder, atomically, never over an existing file; return its path
    and the warnings `check` would give it."""
    from custlens.infra.storage import (
        remove_stale_temporaries,
        temporaries_in,
        write_unique,
    )

    target = folder or config.notes_dirs()[0]
    who = new.participant or new.title or "note"
    name = "-".join(part for part in (new.date.isoformat(), slug(new.segment), slug(who)) if part)
    warnings = vet_new_note(new, config, display_path(target / f"{name}.md"))
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CustlensError(f"cannot create the notes folder {display_path(target)}: {exc.strerror}") from None
    remove_stale_temporaries(temporaries_in(target))  # what a killed add or import left
    try:
        return write_unique(target, name, ".md", note_markdown(new)), warnings
    except OSError as exc:
        raise CustlensError(f"cannot write the note in {display_path(target)}: {exc.strerror or exc}") from None


def existing_segments(config: Config) -> list[str]:
    """Segments already used in the notes folders, most used first (suggestions for `add`)."""
    from collections import Counter

    folders = [f for f in config.notes_dirs() if f.is_dir()]
    if not folders:
        return []
    corpus = load(folders, config)
    counts = Counter(note.segment for note in corpus.notes)
    return [name for name, _ in counts.most_common()]


def default_researcher(config: Config) -> str | None:
    """The config's researcher, else `git config user.name`, else nobody."""
    import subprocess

    if config.researcher:
        return config.researcher
    try:
        found = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=2, cwd=config.root, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None


CONFIG_TEMPLATE = """\
# custlens settings. Paths are relative to this file.

# Folders that hold notes (Markdown with YAML front matter, or YAML files with one note or a list).
notes: [notes]

# Kinds of source a note may come from.
kinds: [interview, observation, usability-test, survey, support-ticket, sales-call, advisory-board,
        focus-group, community, in-app-feedback, cancellation]

# Known customer segments. Leave it out to allow any; list them to catch typos in `custlens check`.
# segments: [smb-retail, mid-market, enterprise]

# Extra front matter keys your team uses; they are kept on each note instead of being warned about.
attributes: []

# `custlens check` fails on notes that state no customer need.
require_need: true

# Default researcher for `custlens add` (else `git config user.name`).
# researcher: ana

# Named themes, edited by hand or extended with `custlens themes --write-codebook`.
codebook: themes.yaml

# How statements are grouped into themes: `semantic` (by meaning, with a local model; the default) or
# `fuzzy` (by shared words and spelling, for machines without the model).
# engine: semantic

# How alike statements must be, on average, to share a theme (0-1): a cosine similarity for `semantic`
# (default 0.35; sub-themes 0.56), a word score for `fuzzy` (default 0.2). Higher: more, tighter themes.
# threshold: 0.35
# subtheme_threshold: 0.56

# Cue phrases for the pain/need tagger, added or removed.
# cues:
#   pain: {add: ["eats our margin"], remove: ["slow"]}
#   need: {add: ["would kill for"]}

# Names that `--redact` masks in reports shared outside the research team.
redact: []
"""


def init(folder: Path) -> list[Path]:
    """Write a commented custlens.yaml and an example note; refuse to overwrite either."""
    from custlens.infra.storage import write_new

    config_path = folder / "custlens.yaml"
    if config_path.exists():
        raise CustlensError(
            f"{display_path(config_path)} already exists; nothing was written",
            hint="edit it, or remove it first to start again",
            exit_code=ExitCode.PROBLEMS,
        )
    written = []
    try:
        write_new(config_path, CONFIG_TEMPLATE)
        written.append(config_path)
        example = NewNote(
            kind="interview",
            segment="example-segment",
            date=dt.date.today(),
            participant="P-001",
            title="Example interview: replace me",
            pains=("Copying last week's numbers into a spreadsheet takes most of Monday morning.",),
            needs=("A weekly summary she can forward to the owner without editing it.",),
            quotes=("Mondays are spreadsheet day, and I hate spreadsheet day.",),
        )
        notes = folder / "notes"
        notes.mkdir(exist_ok=True)
        from custlens.infra.storage import write_unique

        written.append(write_unique(notes, f"{example.date.isoformat()}-example-segment-p-001", ".md", note_markdown(example)))
    except OSError as exc:
        raise CustlensError(f"cannot write in {display_path(folder)}: {exc.strerror or exc}") from None
    return written


CODEBOOK_HEADER = """\
# Named themes. Each key is a theme id; statements that contain one of its `match` phrases join it.
# Rename a theme by editing its label, merge two by moving phrases, split one by adding an entry.
"""


def write_codebook(report: ThemesReport, config: Config) -> tuple[Path, list[str]]:
    """Add the report's unnamed themes to the codebook file, keeping what is there; return the new ids."""
    from custlens.infra.storage import write_output
    from custlens.infra.yamlsafe import YamlError, load_yaml
    from custlens.pipeline.codebook import CodebookEntry, entries_yaml, load_codebook

    path = Path(os.path.realpath(config.codebook_path()))  # a linked codebook is written where it lives
    existing = load_codebook(path)  # a broken codebook stops here, before anything is written
    new: dict[str, CodebookEntry] = {}
    for evidence in report.shown:
        theme = evidence.theme
        if theme.named or theme.id in existing.entries:
            continue
        phrases = sorted({s.text for s in theme.statements})
        new[theme.id] = CodebookEntry(label=theme.label, type=theme.type, match=phrases)
    if not new:
        return path, []
    old = path.read_text(encoding="utf-8") if path.is_file() else CODEBOOK_HEADER
    text = old + ("" if old.endswith("\n") or not old else "\n") + "\n" + entries_yaml(new)
    try:
        combined = load_yaml(text)
    except YamlError:
        combined = None
    if not isinstance(combined, dict) or not set(new) <= set(combined):
        raise CustlensError(
            "cannot add themes to the codebook: its text does not end in a list of themes",
            path=display_path(path),
            hint="the file must map theme ids to {label, type, match}; nothing was written",
        )
    try:
        write_output(path, text)
    except OSError as exc:
        raise CustlensError(f"cannot write the codebook: {exc.strerror or exc}", path=display_path(path)) from None
    return path, list(new)


# --- import ---------------------------------------------------------------------------------------


def import_csv(
    source: Path, options: ImportOptions, config: Config, folder: Path | None = None, dry_run: bool = False
) -> tuple[Path, ImportResult]:
    """Turn a CSV export into one YAML batch note in the notes folder (never over an existing file)."""
    from custlens.infra.storage import (
        remove_stale_temporaries,
        temporaries_in,
        write_unique,
    )
    from custlens.pipeline.csvimport import build_batch
    from custlens.pipeline.parse import parse_bytes

    try:
        data = source.read_bytes()
    except OSError as exc:
        raise CustlensError(f"cannot read {display_path(source)}: {(exc.strerror or str(exc)).lower()}",
                            exit_code=ExitCode.USAGE) from None
    if options.kind not in config.kinds:
        from custlens.pipeline.parse import did_you_mean

        raise CustlensError(f"unknown kind `{options.kind}`",
                            hint=did_you_mean(options.kind, config.kinds, f"kinds: {', '.join(config.kinds)}"))
    result = build_batch(data, display_path(source), options, dt.date.today())
    if not result.entries:
        raise CustlensError("no row has text: nothing to import", path=display_path(source),
                            hint="check --text-column", exit_code=ExitCode.PROBLEMS)
    parsed = parse_bytes(result.text.encode("utf-8"), result.name + ".yaml", ".yaml", ParseSettings.from_config(config))
    errors = [p for p in parsed.problems if p.is_error]
    if errors:  # e.g. a segment the config does not know: say so before writing anything
        first = errors[0]
        raise CustlensError(f"the import would not pass `custlens check`: {first.message}", hint=first.hint,
                            exit_code=ExitCode.PROBLEMS)
    target = folder or config.notes_dirs()[0]
    if dry_run:
        return target / f"{result.name}.yaml", result
    try:
        target.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(temporaries_in(target))  # what a killed add or import left
        return write_unique(target, result.name, ".yaml", result.text), result
    except OSError as exc:
        raise CustlensError(f"cannot write into {display_path(target)}: {exc.strerror or exc}") from None


# --- trends ---------------------------------------------------------------------------------------


@dataclass
class TrendsReport:
    synthesis: Synthesis
    periods: list[str]
    rows: list[Trend]
    by: str


def trends(
    paths: list[Path] | None, config: Config, filters: Filters, *, by: str = "month", top: int = 10,
    grouping: ThemeSettings | None = None, strict: bool = False, run: Run | None = None, redact: bool = False,
) -> TrendsReport:
    """How often each of the most mentioned themes came up per month or quarter, and which way it goes."""
    from custlens.pipeline.triangulate import trends as count_trends

    synthesis = synthesise(paths, config, filters, grouping, strict, run, redact)
    most = sorted(repeated(synthesis.ranked), key=lambda e: (-e.mentions, e.rank_key))
    periods, rows = count_trends(most[:top], synthesis.notes, by)
    return TrendsReport(synthesis, periods, rows, by)


# --- the HTML report ------------------------------------------------------------------------------


@dataclass
class HtmlReport:
    """Everything the one-page report shows: ranked themes, segment coverage and mentions per month."""

    synthesis: Synthesis
    shown: list[Evidence]
    segments: list[SegmentSummary]
    periods: list[str]
    counts: dict[str, tuple[int, ...]]  # theme id -> mentions per period
    generated: dt.date


def html_report(
    paths: list[Path] | None, config: Config, filters: Filters, *, show_all: bool = False, top: int = 30,
    grouping: ThemeSettings | None = None, strict: bool = False, run: Run | None = None, redact: bool = False,
) -> HtmlReport:
    from custlens.pipeline.triangulate import summarise_segments
    from custlens.pipeline.triangulate import trends as count_trends

    synthesis = synthesise(paths, config, filters, grouping, strict, run, redact)
    shown = list(synthesis.ranked) if show_all else repeated(synthesis.ranked)[:top]
    periods, rows = count_trends(shown, synthesis.notes, "month")
    return HtmlReport(
        synthesis=synthesis,
        shown=shown,
        segments=summarise_segments(synthesis.notes, synthesis.ranked),
        periods=periods,
        counts={row.evidence.theme.id: row.counts for row in rows},
        generated=dt.date.today(),
    )
