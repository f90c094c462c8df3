"""Files to Notes: find note files, decode them, read front matter and YAML notes, split Markdown bodies.

This module knows bytes, encodings, YAML and Markdown syntax. It knows nothing about themes. Every
problem it finds is a `Problem` with the file, a 1-based line where there is one, and a hint; it never
raises on the content of a file.
"""

from __future__ import annotations

import datetime as dt
import errno
import fnmatch
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from custlens.errors import CustlensError, ExitCode, Problem, Severity
from custlens.infra.config import DEFAULT_MAX_FILE_BYTES, Config
from custlens.infra.parallel import can_fork, cores, shared
from custlens.infra.visible import name_text
from custlens.infra.yamlsafe import (
    YamlError,
    YamlList,
    errors_in,
    load_yaml,
    plain_data,
)
from custlens.models import NOTE_KEYS, STATEMENT_FIELDS, Block, Note, NoteFields

MARKDOWN_SUFFIXES = (".md", ".markdown")
YAML_SUFFIXES = (".yaml", ".yml")
NOTE_SUFFIXES = MARKDOWN_SUFFIXES + YAML_SUFFIXES
MAX_LINE_CHARS = 100_000


@dataclass(frozen=True)
class ParseSettings:
    """What parsing needs from the config, as plain values."""

    kinds: tuple[str, ...]
    segments: tuple[str, ...] | None = None
    attributes: tuple[str, ...] = ()
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES

    @classmethod
    def from_config(cls, config: Config) -> ParseSettings:
        return cls(
            kinds=tuple(config.kinds),
            segments=tuple(config.segments) if config.segments is not None else None,
            attributes=tuple(config.attributes),
            max_file_bytes=config.max_file_bytes,
        )


@dataclass
class ParsedFile:
    """What one file gave: its valid notes and every problem found, in line order."""

    path: str
    notes: list[Note] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(problem.is_error for problem in self.problems)


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
    paths: list[Path], exclude: tuple[str, ...] = (), hidden_tmp: list[Path] | None = None
) -> tuple[list[Path], list[Problem]]:
    """Every note file under `paths`, sorted, each once however it is reached; a missing path is a
    usage error, and a folder that cannot be read is a problem.

    Folders are walked without following symbolic links to folders (so link loops cannot trap it);
    hidden files and folders (`.git`, `.obsidian`) are skipped (hidden `.tmp` files are added to
    `hidden_tmp`, if given: a killed write may have left them); `exclude` holds glob patterns.
    """
    found: dict[object, Path] = {}
    problems: list[Problem] = []
    excluded = _exclusion(exclude)

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
        else:
            add(root)
    return sorted(found.values(), key=lambda p: str(p)), problems


def _exclusion(patterns: tuple[str, ...]) -> Callable[[str, str], bool] | None:
    """Whether a file (by its path inside the notes folder, with `/`, and by its name) matches one of
    the glob patterns, as `fnmatch` matches them (`*` also crosses `/`); None without patterns."""
    if not patterns:
        return None
    combined = re.compile("|".join(fnmatch.translate(os.path.normcase(pattern)) for pattern in patterns))

    def excluded(relative: str, name: str) -> bool:
        return bool(combined.match(os.path.normcase(relative)) or combined.match(os.path.normcase(name)))

    return excluded


def read_note_file(path: Path, settings: ParseSettings, display: str | None = None) -> ParsedFile:
    """Read and parse one file; unreadable, oversized and odd files become problems, never exceptions.

    The file is opened without blocking and checked to be a regular file before reading, so a named
    pipe or a device in the notes folder cannot hang custlens.
    """
    shown = display or display_path(path)
    result = ParsedFile(shown)
    suffix = path.suffix.lower()
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            return result
        reason = "a symbolic link loop" if exc.errno == errno.ELOOP else (exc.strerror or str(exc)).lower()
        result.problems.append(Problem(shown, "unreadable", f"cannot read the file: {reason}"))
        return result
    with os.fdopen(descriptor, "rb") as handle:
        try:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                return result
            if not stat.S_ISREG(info.st_mode):
                result.problems.append(
                    Problem(shown, "unreadable", "not a regular file (a pipe, socket or device)",
                            hint="keep only note files in the notes folder")
                )
                return result
            if info.st_size > settings.max_file_bytes:
                result.problems.append(
                    Problem(
                        shown,
                        "too-large",
                        f"file is {info.st_size:,} bytes, over the limit of {settings.max_file_bytes:,}",
                        hint="split it into smaller notes, or raise `max_file_bytes` in custlens.yaml",
                    )
                )
                return result
            data = handle.read(settings.max_file_bytes + 1)
        except OSError as exc:
            result.problems.append(Problem(shown, "unreadable", f"cannot read the file: {(exc.strerror or str(exc)).lower()}"))
            return result
    if suffix not in NOTE_SUFFIXES:
        result.problems.append(
            Problem(shown, "not-a-note", f"{suffix or 'a file without a suffix'} is not a note file",
                    hint="notes are .md files with front matter, or .yaml/.yml files")
        )
        return result
    return parse_bytes(data, shown, suffix, settings, base_id=name_text(path.stem))


# --- many files at once ----------------------------------------------------------------------------

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
        n.title, n.tags, tuple(_plain_block(b) for b in n.blocks), n.fields, n.attributes,
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
                blocks=tuple([Block(*b) for b in n[11]]), fields=n[12], attributes=n[13],
            )
            for n in notes
        ],
        [Problem(*p) for p in problems],
    )


def parse_bytes(data: bytes, path: str, suffix: str, settings: ParseSettings, base_id: str = "note") -> ParsedFile:
    """Parse the bytes of one note file (`suffix` says Markdown or YAML). A pure function, for tests."""
    result = ParsedFile(path)
    text = _decode(data, path, settings, result.problems)
    if text is None:
        return result
    if suffix in YAML_SUFFIXES:
        _parse_yaml_note(text, path, settings, base_id, result)
    else:
        _parse_markdown_note(text, path, settings, base_id, result)
    result.problems.sort(key=lambda p: (p.entry or 0, p.line or 0))
    return result


def _decode(data: bytes, path: str, settings: ParseSettings, problems: list[Problem]) -> str | None:
    if len(data) > settings.max_file_bytes:
        problems.append(Problem(path, "too-large", f"file is over the limit of {settings.max_file_bytes:,} bytes"))
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(
            Problem(path, "encoding", "the note is UTF-16, not UTF-8", line=1, hint="save the file as UTF-8")
        )
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        problems.append(Problem(path, "empty", "empty note", hint="write front matter and at least one need"))
        return None
    nul = data.find(b"\x00")
    if nul >= 0 or _looks_binary(data[:8192]):
        if nul >= 0 and data[1::2].count(0) > len(data) // 4:
            message, hint = "the note looks like UTF-16 without a byte-order mark", "save the file as UTF-8"
        else:
            message, hint = "not a text note (binary data)", "notes are UTF-8 text; remove this file from the notes folder"
        problems.append(Problem(path, "binary", message, hint=hint))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(
            Problem(
                path,
                "encoding",
                f"not UTF-8: byte 0x{data[exc.start]:02x} on line {line} (Latin-1 or Windows-1252?)",
                line=line,
                hint="save the file as UTF-8 (nothing was changed or guessed)",
            )
        )
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    longest = max((len(line) for line in text.split("\n")), default=0)
    if longest > MAX_LINE_CHARS:
        line = next(i for i, l in enumerate(text.split("\n"), 1) if len(l) > MAX_LINE_CHARS)
        problems.append(
            Problem(path, "line-too-long", f"line is over {MAX_LINE_CHARS:,} characters", line=line,
                    hint="split the line; a note line this long is usually pasted data")
        )
        return None
    return text


_CONTROL_BYTES = bytes(range(9)) + bytes(range(14, 32))


def _looks_binary(head: bytes) -> bool:
    control = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return control > max(8, len(head) // 20)


def _yaml_errors(value: Any, path: str, entry: int | None, result: ParsedFile) -> bool:
    """Report the errors the YAML loader recorded on a note (or a batch entry); True if there were any."""
    errors = errors_in(value)
    for error in errors:
        result.problems.append(Problem(path, error.code, error.message, line=error.line, entry=entry, hint=error.hint))
    return bool(errors)


# --- YAML notes -----------------------------------------------------------------------------------


def _parse_yaml_note(text: str, path: str, settings: ParseSettings, base_id: str, result: ParsedFile) -> None:
    try:
        data = load_yaml(text)
    except YamlError as exc:
        result.problems.append(Problem(path, exc.code, exc.message, line=exc.line, hint=exc.hint))
        return
    if data is None:
        result.problems.append(Problem(path, "empty", "empty note: the YAML file holds no note"))
        return
    if _yaml_errors(data, path, None, result):
        return
    if isinstance(data, dict):
        _add_note(data, path, settings, base_id, None, (), result)
        return
    if isinstance(data, YamlList):
        if not data:
            result.problems.append(Problem(path, "empty", "empty batch: the YAML list holds no notes", line=data.line))
        for entry, item in enumerate(data, 1):
            line = data.item_lines[entry - 1]
            if _yaml_errors(item, path, entry, result):
                continue
            if not isinstance(item, dict):
                result.problems.append(
                    Problem(path, "not-a-note", "a batch entry must be a mapping of note fields",
                            line=line, entry=entry, hint="each list item needs date, kind, segment, ...")
                )
                continue
            _add_note(item, path, settings, f"{base_id}#{entry}", entry, (), result)
        return
    result.problems.append(
        Problem(path, "not-a-note", "a YAML note must be a mapping of fields or a list of them", line=1,
                hint="start with `date:`, `kind:`, `segment:` ...")
    )


# --- Markdown notes -------------------------------------------------------------------------------

# Each pattern is matched at the start of one line, and no two of its repeats can take the same
# characters (the pseudo-heading's title is bounded instead, at 40 characters), so a line costs time
# linear in its length, whatever it holds: tests feed lines of 99,000 hostile characters.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)(.*)$")  # the text and closing #s: `_heading_title`
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BREAK = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_BULLET = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]+([^ \t].*))?$")
_TASK = re.compile(r"^\[[ xX]\][ \t]+")
_QUOTE = re.compile(r"^ {0,3}>(.*)$")
_MORE_QUOTE_MARKS = re.compile(r"^[\s>]+")  # `> > >` of a nested quote
_LABEL = re.compile(r"^(?:\*\*|__)?(pain point|pain|need)s?(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]+([^ \t].*)$", re.IGNORECASE)
TYPE_TAG = re.compile(r"(?<![\w#&/])#(pain|need)s?(?![\w/-])", re.IGNORECASE)  # `#pain`, `#needs`, not `#pain-point`
# Obsidian-style tags: `#calendar-sync`, `#billing/xero`; not `#1`, not a heading, not #pain/#need.
BODY_TAG = re.compile(r"(?<![\w#&/])#([A-Za-z][\w/-]*)")
_PSEUDO_HEADING = re.compile(r"^(?:\*\*|__)?([A-Za-z][\w /&-]{0,40}?)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?$")
PSEUDO_HEADING_LEVEL = 7


def _parse_markdown_note(text: str, path: str, settings: ParseSettings, base_id: str, result: ParsedFile) -> None:
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        result.problems.append(
            Problem(path, "front-matter-missing", "no front matter: the note must start with '---'", line=1,
                    hint="start the note with '---', the fields date, kind and segment, and another '---'")
        )
        return
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        result.problems.append(
            Problem(path, "front-matter-unclosed", "front matter not closed: the opening '---' has no closing '---'",
                    line=1, hint="add a line with '---' after the last field")
        )
        return
    front = "\n".join(lines[1:close])
    if not front.strip():
        result.problems.append(
            Problem(path, "missing-field", "front matter is empty: missing required fields `date`, `kind`, `segment`",
                    line=1, hint="add date, kind and segment between the '---' lines")
        )
        return
    try:
        data = load_yaml(front, line_offset=1)
    except YamlError as exc:
        result.problems.append(Problem(path, exc.code, exc.message, line=exc.line, hint=exc.hint))
        return
    if _yaml_errors(data, path, None, result):
        return
    if not isinstance(data, dict):
        result.problems.append(
            Problem(path, "front-matter-not-mapping", "front matter must be a mapping of `key: value` fields",
                    line=2, hint="write `date: 2026-01-31`, `kind: interview`, `segment: ...` on their own lines")
        )
        return
    blocks = parse_body(lines[close + 1 :], close + 2)
    _add_note(data, path, settings, base_id, None, blocks, result, body_tags(blocks))


def parse_body(lines: list[str], first_line: int) -> tuple[Block, ...]:
    """Split a Markdown body into blocks: bullets, paragraphs and blockquotes, with their headings.

    Skips fenced code, HTML comments, tables and thematic breaks. `first_line` is the line of `lines[0]`.
    """
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    current: list[Any] | None = None  # [origin, first line, [texts], label]
    fence: str | None = None
    in_comment = False

    def flush() -> None:
        nonlocal current
        if current is not None:
            text = " ".join(part for part in current[2] if part)
            if text.strip():
                blocks.append(Block(text.strip(), current[1], current[0], tuple(headings), current[3]))
        current = None

    def start(origin: str, line: int, content: str) -> None:
        nonlocal current
        flush()
        label = None
        found = _LABEL.match(content.strip())
        if found:
            label, content = found.group(1).lower(), found.group(2)
        current = [origin, line, [content.strip()], label]

    def push_heading(level: int, title: str) -> None:
        while headings and headings[-1][0] >= level:
            headings.pop()
        headings.append((level, title.strip()))

    for offset, raw in enumerate(lines):
        lineno = first_line + offset
        line = raw.rstrip()
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if in_comment:
            in_comment = "-->" not in line
            continue
        if not stripped:
            flush()
            continue
        found = _FENCE.match(line)
        if found:
            flush()
            fence = found.group(1)
            continue
        if stripped.startswith("<!--"):
            flush()
            in_comment = "-->" not in stripped[4:]
            continue
        found = _ATX.match(line)
        if found:
            flush()
            push_heading(len(found.group(1)), _heading_title(found.group(2)))
            continue
        if (
            _SETEXT.match(line)
            and current is not None
            and current[0] == "paragraph"
            and len(current[2]) == 1
            and current[3] is None
        ):
            title = current[2][0]
            current = None
            push_heading(1 if stripped.startswith("=") else 2, title)
            continue
        if _BREAK.match(line):
            flush()
            continue
        if stripped.startswith("|"):
            flush()
            continue
        found = _QUOTE.match(line)
        if found:
            content = _MORE_QUOTE_MARKS.sub("", found.group(1), count=1)
            if current is not None and current[0] == "blockquote":
                current[2].append(content.strip())
            else:
                start("blockquote", lineno, content)
            continue
        found = _BULLET.match(line)
        if found:
            start("bullet", lineno, _TASK.sub("", found.group(2) or ""))
            continue
        found = _PSEUDO_HEADING.match(stripped)
        if found and (current is None or current[0] != "paragraph"):
            flush()
            push_heading(PSEUDO_HEADING_LEVEL, found.group(1))
            continue
        if _LABEL.match(stripped) or (TYPE_TAG.search(stripped) and current is not None):
            start("paragraph", lineno, stripped)  # a labelled or tagged line is a statement of its own
            continue
        if current is not None:
            current[2].append(stripped)
        else:
            start("paragraph", lineno, stripped)
    flush()
    return tuple(blocks)


def _heading_title(rest: str) -> str:
    """An ATX heading's text without its closing sequence (`## Needs ##`): hashes after a space or tab.
    Done by hand: the pattern that did it (a lazy title before optional spaces and hashes) went back
    over every space once per character, quadratic on a heading line of many spaces."""
    text = rest.strip(" \t")
    bare = text.rstrip("#")
    if bare != text and bare.endswith((" ", "\t")):
        return bare.rstrip(" \t")
    return text


# --- Fields to a Note -----------------------------------------------------------------------------


def body_tags(blocks: tuple[Block, ...]) -> tuple[str, ...]:
    """`#tags` written in the body (as in an Obsidian vault), in order, without #pain and #need."""
    found: dict[str, None] = {}
    for block in blocks:
        if "#" in block.text:
            for tag in BODY_TAG.findall(block.text):
                if tag.lower() not in ("pain", "pains", "need", "needs"):
                    found.setdefault(tag, None)
    return tuple(found)


def suggest(value: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The closest choice to a mistyped value, if one is close enough to be what was meant."""
    from rapidfuzz import fuzz, process, utils

    if not choices or not value:
        return None
    found = process.extractOne(value, choices, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=80)
    return found[0] if found else None


def did_you_mean(value: str, choices: tuple[str, ...] | list[str], otherwise: str) -> str:
    """The hint for a mistyped value: the closest choice, else `otherwise`."""
    close = suggest(value, choices)
    return f"did you mean `{close}`?" if close else otherwise


def _add_note(
    data: dict[Any, Any],
    path: str,
    settings: ParseSettings,
    base_id: str,
    entry: int | None,
    body: tuple[Block, ...],
    result: ParsedFile,
    extra_tags: tuple[str, ...] = (),
) -> None:
    key_lines: dict[Any, int] = getattr(data, "key_lines", {})
    start = int(getattr(data, "line", 1)) if entry is not None else 1
    problems: list[Problem] = []

    def problem(
        code: str, message: str, line: int | None, hint: str | None = None, severity: Severity = "error"
    ) -> None:
        problems.append(Problem(path, code, message, severity, line, entry, hint))

    known: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for key, value in data.items():
        if key in NOTE_KEYS:
            known[key] = value
        elif str(key) in settings.attributes:
            attributes[str(key)] = plain_data(value)
        else:
            hint = did_you_mean(str(key), NOTE_KEYS + settings.attributes,
                                "list it under `attributes:` in custlens.yaml to keep it")
            problem("unknown-key", f"unknown key `{key}`", key_lines.get(key, start), hint, "warning")
    try:
        fields = NoteFields.model_validate(known)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "?"
            line = key_lines.get(name, start)
            if error["type"] == "missing":
                problem("missing-field", f"missing required field `{name}`", start,
                        f"add `{name}: ...` to the {'entry' if entry else 'front matter'}")
                continue
            position = (error.get("ctx") or {}).get("position")
            value = data.get(name)
            if position and isinstance(value, list) and hasattr(value, "item_lines"):
                line = value.item_lines[position - 1]
            if name == "date":
                problem("invalid-date", f"`date` {error['msg']}", line, "write the date as YYYY-MM-DD, e.g. 2026-03-31")
            else:
                problem("invalid-field", f"`{name}` {error['msg']}", line, _field_hint(name))
        result.problems.extend(problems)
        return
    if fields.kind not in settings.kinds:
        hint = did_you_mean(fields.kind, settings.kinds, f"kinds: {', '.join(settings.kinds)}")
        problem("unknown-kind", f"unknown kind `{fields.kind}`", key_lines.get("kind", start), hint)
    if settings.segments is not None and fields.segment not in settings.segments:
        hint = did_you_mean(fields.segment, settings.segments, "add it to `segments:` in custlens.yaml")
        problem("unknown-segment", f"unknown segment `{fields.segment}`", key_lines.get("segment", start), hint)
    identifies = fields.participant and identifies_a_person(fields.participant)
    if identifies:
        problem("participant-name", f"participant `{fields.participant}` looks like {identifies}, not a pseudonymous id",
                key_lines.get("participant", start),
                "give a pseudonymous id such as P-014 and keep who it is outside the notes", "warning")
    result.problems.extend(problems)
    if any(p.is_error for p in problems):
        return
    field_blocks = []
    for name in STATEMENT_FIELDS:
        texts = getattr(fields, name)
        raw = data.get(name)
        lines = getattr(raw, "item_lines", None)
        for position, text in enumerate(texts):
            if not text:
                continue
            line = lines[position] if lines and position < len(lines) else key_lines.get(name, start)
            field_blocks.append(Block(text, line, "field", field=name))
    field_blocks.sort(key=lambda b: b.line)
    result.notes.append(
        Note(
            id=fields.id or base_id,
            path=path,
            line=start,
            entry=entry,
            date=fields.date,
            kind=fields.kind,
            segment=fields.segment,
            participant=fields.participant,
            researchers=tuple(fields.researcher),
            title=fields.title,
            tags=tuple(dict.fromkeys((*fields.tags, *extra_tags))),
            blocks=tuple(field_blocks) + body,
            fields=fields.model_dump(mode="json", exclude=set(STATEMENT_FIELDS), exclude_none=True),
            attributes=attributes,
        )
    )


_HONORIFICS = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame", "herr", "frau", "mme", "mlle"})


def identifies_a_person(participant: str) -> str | None:
    """What a participant id that names a person looks like (`Dr. Jane Smith`: "a person's name",
    `jane@acme.example`: "an e-mail address"), or None for a pseudonymous id (`P-014`, `R-102`, `anna`).

    A name is a title and a word, or two to four capitalised words of letters; one word alone is not
    taken for a name (`Owner`, `Pilot`)."""
    words = participant.split()
    if "@" in participant and len(words) == 1 and "." in participant.rsplit("@", 1)[1]:
        return "an e-mail address"
    if words and words[0].rstrip(".").casefold() in _HONORIFICS and len(words) >= 2:
        words = words[1:]
        if len(words) == 1 and _capitalised(words[0]):
            return "a person's name"
    if 2 <= len(words) <= 4 and all(_capitalised(word) for word in words):
        return "a person's name"
    return None


def _capitalised(word: str) -> bool:
    """`Jane`, `Mary-Jane`, `O'Brien`, an initial `J.`."""
    if len(word) == 2 and word[1] == "." and word[0].isupper():
        return True
    parts = word.replace("’", "-").replace("'", "-").split("-")
    return all(part[:1].isupper() and (part[1:] == "" or (part[1:].isalpha() and part[1:].islower())) for part in parts)


def _field_hint(name: str) -> str:
    if name in STATEMENT_FIELDS or name in ("tags", "competitors", "researcher"):
        return f'write `{name}:` as text or as a list of texts, e.g. {name}: ["..."]'
    return f"write `{name}:` as text"
