"""Where the notes are and how they are read: find note files under the paths given, read each safely
(never hanging on a pipe, never raising on what a file holds), many at once in worker processes, and
the plain form a parsed file travels in (to and from workers, and in the parse cache).

To read a new input format, give it a suffix in `parse.NOTE_SUFFIXES` and a parser in `parse.parse_bytes`;
CSV exports are turned into YAML notes instead (`csvimport`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fnmatch
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from custlens.errors import CustlensError, ExitCode, Problem
from custlens.infra.parallel import can_fork, cores, shared
from custlens.infra.visible import name_text
from custlens.models import Block, Note
from custlens.pipeline.parse import (
    NOTE_SUFFIXES,
    ParsedFile,
    ParseSettings,
    parse_bytes,
)


def display_path(path: Path, cwd: str | None = None) -> str:
    """A path as the user should see it: relative to the current folder (`cwd`, by default the
    process's) when inside it, printable."""
    try:
        shown = os.path.relpath(path, cwd or os.curdir)
        if shown.startswith(".."):
            shown = str(path)
    except ValueError:
        shown = str(path)
    shown = name_text(shown)  # bytes that are not UTF-8 as `\xff`
    if shown.isprintable():
        return shown
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in shown)


def find_note_files(
    paths: list[Path], exclude: tuple[str, ...] = (), hidden_tmp: list[Path] | None = None,
    folders: tuple[Path, ...] = (), own: tuple[Path, ...] = (),
) -> tuple[list[Path], list[Problem]]:
    """Every note file under `paths`, sorted, each once however it is reached; a missing path is a
    usage error, and a folder that cannot be read is a problem.

    Folders are walked without following symbolic links to folders (so link loops cannot trap it);
    hidden files and folders (`.git`, `.obsidian`) are skipped (hidden `.tmp` files are added to
    `hidden_tmp`, if given: a killed write may have left them); `exclude` holds glob patterns, matched
    inside each folder walked, and for a file named itself, inside the notes `folders` that hold it (as
    a pre-commit hook names files). `own` files (the config, the codebook) are never notes.
    """
    found: dict[object, Path] = {}
    problems: list[Problem] = []
    excluded = _exclusion(exclude)
    own_files = set()  # by device and inode, as `add` tells files apart
    for path in own:
        with contextlib.suppress(OSError):
            info = os.stat(path)
            own_files.add((info.st_dev, info.st_ino))

    def unreadable(error: OSError) -> None:
        where = display_path(Path(error.filename)) if error.filename else "?"
        reason = (error.strerror or str(error)).lower()
        problems.append(Problem(where, "unreadable", f"cannot read the folder: {reason}"))

    def add(candidate: Path) -> None:
        # the same file by two paths counts once: one stat says which file a path is (a realpath walks
        # every part of the path); a path that cannot be looked at is kept by its real path
        try:
            info = os.stat(candidate)
            key: object = (info.st_dev, info.st_ino)
        except OSError:
            key = os.path.realpath(candidate)
        if key not in own_files:
            found.setdefault(key, candidate)

    for root in paths:
        if not os.path.lexists(root):
            raise CustlensError(
                f"no such file or folder: {display_path(root)}",
                hint="give a notes folder or note files, or set `notes:` in custlens.yaml",
                exit_code=ExitCode.USAGE,
            )
        if root.is_dir():
            for folder, dirs, files in os.walk(root, onerror=unreadable):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                inside = os.path.relpath(folder, root).replace(os.sep, "/")
                for name in sorted(files):
                    if name.startswith("."):
                        if hidden_tmp is not None and name.endswith(".tmp"):
                            hidden_tmp.append(Path(folder, name))
                        continue
                    if not name.lower().endswith(NOTE_SUFFIXES):
                        continue
                    if excluded is None or not excluded(name if inside == "." else f"{inside}/{name}", name):
                        add(Path(folder, name))
        elif excluded is None or not _excluded_file(root, folders, excluded):
            add(root)
    return sorted(found.values(), key=lambda p: str(p)), problems


def _excluded_file(path: Path, folders: tuple[Path, ...], excluded: Callable[[str, str], bool]) -> bool:
    """Whether a file named on the command line matches `exclude`: by its path inside a notes folder
    that holds it, else by its name."""
    for place in (os.path.abspath, os.path.realpath):  # as written, then through links
        for folder in folders:
            try:
                relative = os.path.relpath(place(path), place(folder))
            except ValueError:  # another drive (Windows)
                continue
            if not relative.startswith(os.pardir):
                return excluded(relative.replace(os.sep, "/"), path.name)
    return excluded(path.name, path.name)


def _exclusion(patterns: tuple[str, ...]) -> Callable[[str, str], bool] | None:
    """Whether a file (by its path inside the notes folder, with `/`, and by its name) matches one of
    the glob patterns, as `fnmatch` matches them (`*` also crosses `/`); None without patterns."""
    if not patterns:
        return None
    combined = re.compile("|".join(fnmatch.translate(os.path.normcase(pattern)) for pattern in patterns))

    def excluded(relative: str, name: str) -> bool:
        return bool(combined.match(os.path.normcase(relative)) or combined.match(os.path.normcase(name)))

    return excluded


def note_file_filter(exclude: tuple[str, ...] = ()) -> Callable[[str], bool]:
    """Whether a file, by its path inside a notes folder (parts joined by `/`), is one that
    `find_note_files` reads there: no hidden part (`.git`, `.obsidian`), a note suffix, no `exclude`
    pattern matching it (for notes read from elsewhere than the folder itself: a git revision)."""
    excluded = _exclusion(exclude)

    def reads(relative: str) -> bool:
        parts = relative.split("/")
        if any(part.startswith(".") for part in parts) or not parts[-1].lower().endswith(NOTE_SUFFIXES):
            return False
        return excluded is None or not excluded(relative, parts[-1])

    return reads


class Refused(Exception):
    """A file `read_regular` does not read: a folder (`why` "folder"), not a regular file ("special"), or
    over the size limit ("too-large", with its `size`)."""

    def __init__(self, why: str, size: int = 0) -> None:
        super().__init__(why)
        self.why, self.size = why, size


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (one that grows past it while read is refused
    too). It is opened without blocking and checked before reading, so that a named pipe or a device
    cannot hang custlens, nor /dev/zero fill its memory. Raises `Refused`, or OSError."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(descriptor)
    except OSError:
        os.close(descriptor)
        raise
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        os.close(descriptor)
        raise Refused("folder" if stat.S_ISDIR(info.st_mode) else "special" if not stat.S_ISREG(info.st_mode)
                      else "too-large", info.st_size)
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(limit + 1)
        if len(data) > limit:
            raise Refused("too-large", os.fstat(handle.fileno()).st_size)
    return data


def read_note_file(path: Path, settings: ParseSettings, display: str | None = None) -> ParsedFile:
    """Read and parse one file; unreadable, oversized and odd files become problems, never exceptions."""
    shown = display or display_path(path)
    result = ParsedFile(shown)
    suffix = path.suffix.lower()
    try:
        data = read_regular(path, settings.max_file_bytes)
    except Refused as refused:
        if refused.why == "special":
            result.problems.append(Problem(shown, "unreadable", "not a regular file (a pipe, socket or device)",
                                           hint="keep only note files in the notes folder"))
        elif refused.why == "too-large":
            result.problems.append(
                Problem(shown, "too-large", f"file is {refused.size:,} bytes, over the limit of {settings.max_file_bytes:,}",
                        hint="split it into smaller notes, or raise `max_file_bytes` in custlens.yaml")
            )
        return result
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            return result
        reason = "a symbolic link loop" if exc.errno == errno.ELOOP else (exc.strerror or str(exc)).lower()
        result.problems.append(Problem(shown, "unreadable", f"cannot read the file: {reason}"))
        return result
    if suffix not in NOTE_SUFFIXES:
        result.problems.append(
            Problem(shown, "not-a-note", f"{suffix or 'a file without a suffix'} is not a note file",
                    hint="notes are .md files with front matter, or .yaml/.yml files")
        )
        return result
    return parse_bytes(data, shown, suffix, settings, base_id=name_text(path.stem))


PARALLEL_FILES = 400  # from this many files to parse, they are parsed in worker processes too
_CHUNK = 32  # files per job: small enough that the processes finish at about the same time


def read_note_files(
    paths: Sequence[Path], settings: ParseSettings, displays: Sequence[str], workers: int | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[tuple[int, ParsedFile, tuple[Any, ...] | None]]:
    """`read_note_file` for each path, as `(index in paths, result, plain)`, in no set order, with
    its `to_plain` form where a worker sent it that way (None where this process read the file:
    `to_plain` makes it, if it is wanted). Many files are parsed by the main process and worker
    processes together (forked, where the system forks safely: Linux), one process per core, each
    taking the next chunk of files when it is free (`parallel.shared`); results come back as plain
    data, never as code. `meanwhile` is called once the workers are at it (or first, without them):
    the main process gets the next steps ready while they make a start."""
    count = len(paths)
    workers = workers if workers is not None else cores()
    if workers < 2 or count < PARALLEL_FILES or not can_fork():
        if meanwhile is not None:
            meanwhile()
        for k, (path, display) in enumerate(zip(paths, displays)):
            yield k, read_note_file(path, settings, display), None
        return

    def here(job: int) -> list[ParsedFile]:
        return [read_note_file(paths[k], settings, displays[k]) for k in range(job * _CHUNK, min(count, (job + 1) * _CHUNK))]

    def there(job: int) -> list[tuple[Any, ...]]:
        return [to_plain(parsed) for parsed in here(job)]

    for job, results, sent in shared(-(-count // _CHUNK), here, there, workers, meanwhile):
        for k, result in enumerate(results, job * _CHUNK):
            if sent:
                yield k, from_plain(result), result
            else:
                yield k, result, None


def _plain_block(b: Block) -> tuple[Any, ...]:
    return (b.text, b.line, b.origin, b.headings, b.label, b.field)


def _plain_note(n: Note) -> tuple[Any, ...]:
    return (
        n.id, n.path, n.line, n.entry, n.date.toordinal(), n.kind, n.segment, n.participant, n.researchers,
        n.title, n.tags, tuple(_plain_block(b) for b in n.blocks), n.fields, n.attributes, n.date_line,
        n.segment_line,
    )


def to_plain(parsed: ParsedFile) -> tuple[Any, ...]:
    """What a file gave as tuples, strings and numbers only (for the cache and the worker processes)."""
    return (
        parsed.path,
        tuple(_plain_note(n) for n in parsed.notes),
        tuple((p.path, p.code, p.message, p.severity, p.line, p.entry, p.hint) for p in parsed.problems),
    )


def from_plain(data: tuple[Any, ...]) -> ParsedFile:
    """The inverse of `to_plain` (tuples stay tuples through marshal and pickle)."""
    path, notes, problems = data
    return ParsedFile(
        path,
        [
            Note(
                id=n[0], path=n[1], line=n[2], entry=n[3], date=dt.date.fromordinal(n[4]), kind=n[5], segment=n[6],
                participant=n[7], researchers=n[8], title=n[9], tags=n[10],
                blocks=tuple([Block(*b) for b in n[11]]), fields=n[12], attributes=n[13], date_line=n[14],
                segment_line=n[15],
            )
            for n in notes
        ],
        [Problem(*p) for p in problems],
    )
