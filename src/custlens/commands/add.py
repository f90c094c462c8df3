"""`custlens add`: a new note right after an interview, written safely and never over another one."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from custlens.commands.check import need_problems
from custlens.commands.synthesis import load
from custlens.errors import CustlensError, ExitCode, Problem, cannot_write
from custlens.infra.config import Config
from custlens.pipeline.files import display_path
from custlens.pipeline.parse import ParseSettings


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
            lines += [f'> "{_quote_text(quote)}"', ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _quote_text(quote: str) -> str:
    """A quote without the quote marks it was given in, if it was (`"Cheap" is not "free"` keeps its own)."""
    text = _one_line(quote)
    if len(text) >= 2 and text[0] == text[-1] == '"' and '"' not in text[1:-1]:
        return text[1:-1]
    return text


_WORDS = re.compile(r"[^\W_]+")  # letters and digits: `_emphasis_` keeps its word, as `*emphasis*` does


def misread(kind: str, text: str, config: Config) -> str | None:
    """Why a pain, need or quote given to `add` would not read back from the note as given, or None.

    Markdown means something in a note: `Pain:` or `Need:` at the start, a #tag, a comment, a rule or a
    link is read as such. Emphasis and code marks may go (the words stay); a change of type, a lost
    word or an empty item is refused, so that what `add` writes says what was typed."""
    from custlens.pipeline.extract import extract
    from custlens.pipeline.parse import parse_bytes

    if not text.strip():
        return f"an empty {kind}"
    one = NewNote(kind=config.kinds[0], segment=(config.segments or ["s"])[0], date=dt.date(2000, 1, 1),
                  pains=(text,) if kind == "pain" else (), needs=(text,) if kind == "need" else (),
                  quotes=(text,) if kind == "quote" else ())
    notes = parse_bytes(note_markdown(one).encode("utf-8"), "new.md", ".md", ParseSettings.from_config(config)).notes
    said = [s for s in extract(notes) if s.section != "body"]
    given = _quote_text(text) if kind == "quote" else _one_line(text)
    expected = None if kind == "quote" else kind
    if len(said) != 1:
        return f"the {kind} {given!r} would not be read as one {kind} (Markdown in it: a rule, a comment, a fence?)"
    back = said[0]
    if back.type != expected:
        return f"the {kind} {given!r} would be read as a {back.type}: {back.text!r}"
    if _WORDS.findall(back.text.casefold()) != _WORDS.findall(given.casefold()):
        return f"the {kind} {given!r} would be read as {back.text!r}"
    return None


def vet_new_note(new: NewNote, config: Config, name: str) -> list[Problem]:
    """What `check` would say of the new note, found by parsing its text the same way: errors stop
    `add` before anything is written; a missing need is only a warning then (the note can be edited)."""
    from custlens.pipeline.parse import parse_bytes

    for kind, items in (("pain", new.pains), ("need", new.needs), ("quote", new.quotes)):
        for item in items:
            why = misread(kind, item, config)
            if why:
                raise CustlensError(why, hint="reword it: a note reads `Pain:`/`Need:` at the start, #tags, "
                                    "<!-- comments -->, rules and links as Markdown", exit_code=ExitCode.USAGE)
    parsed = parse_bytes(note_markdown(new).encode("utf-8"), name, ".md", ParseSettings.from_config(config))
    problems = parsed.problems + need_problems(parsed.notes, config)
    for problem in problems:
        if problem.is_error and problem.code != "no-need":
            raise CustlensError(problem.message, hint=problem.hint)
    return problems


def notes_folder(config: Config, folder: Path | None = None) -> Path:
    """Where `add` writes: the folder given, else the config's first notes folder."""
    return folder or config.notes_dirs()[0]


def check_folder(target: Path) -> None:
    """Refuse a notes folder that no note could be written into (a file of that name, a read-only or
    refused folder) before anything is asked, so that nothing typed at the prompts is lost."""
    import errno

    existing = target
    while not existing.exists() and not existing.is_symlink() and existing.parent != existing:
        existing = existing.parent  # a link to nothing stops the walk: no folder can be made through it
    if not existing.is_dir():
        code = errno.EEXIST if existing == target else errno.ENOTDIR
    elif not os.access(existing, os.W_OK | os.X_OK):
        code = errno.EACCES
    else:
        return
    what = "write the note in" if existing == target and code == errno.EACCES else "create the notes folder"
    raise cannot_write(f"cannot {what} {display_path(target)}", OSError(code, os.strerror(code)))


def add(new: NewNote, config: Config, folder: Path | None = None) -> tuple[Path, list[Problem]]:
    """Write a new note into the notes folder, atomically, never over an existing file; return its path
    and the warnings `check` would give it."""
    from custlens.infra.storage import (
        remove_stale_temporaries,
        temporaries_in,
        write_unique,
    )

    target = notes_folder(config, folder)
    who = new.participant or new.title or "note"
    name = "-".join(part for part in (new.date.isoformat(), slug(new.segment), slug(who)) if part)
    warnings = vet_new_note(new, config, display_path(target / f"{name}.md"))
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(f"cannot create the notes folder {display_path(target)}", exc) from None
    remove_stale_temporaries(temporaries_in(target))  # what a killed add or import left
    try:
        return write_unique(target, name, ".md", note_markdown(new)), warnings
    except OSError as exc:
        raise cannot_write(f"cannot write the note in {display_path(target)}", exc) from None


def existing_segments(config: Config) -> list[str]:
    """Segments already used in the notes folders, most used first (suggestions for `add`)."""
    folders = [f for f in config.notes_dirs() if f.is_dir()]
    if not folders:
        return []
    corpus = load(folders, config)
    counts = Counter(note.segment for note in corpus.notes)
    return [name for name, _ in counts.most_common()]


def default_researcher(config: Config) -> str | None:
    """The config's researcher, else `git config user.name`, else nobody."""
    if config.researcher:
        return config.researcher
    try:
        found = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=2, cwd=config.root, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None
