"""Bytes to Notes: decode a note file, read its front matter or its YAML entries, check every field,
and make a `Note` of each valid one, with its body split into blocks (`body`).

This module knows encodings, YAML and the note format. It knows nothing about themes. Every problem it
finds is a `Problem` with the file, a 1-based line where there is one, and a hint; it never raises on
the content of a file. Finding and reading the files is `files`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from custlens.errors import Problem, Severity
from custlens.infra.config import DEFAULT_MAX_FILE_BYTES, Config
from custlens.infra.yamlsafe import (
    YamlError,
    YamlList,
    errors_in,
    load_yaml,
    plain_data,
)
from custlens.models import NOTE_KEYS, STATEMENT_FIELDS, Block, Note, NoteFields
from custlens.pipeline.body import body_tags, parse_body

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
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # before UTF-16, whose mark starts UTF-32LE's
        problems.append(Problem(path, "encoding", "the note is UTF-32, not UTF-8", line=1, hint="save the file as UTF-8"))
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
        if nul >= 0 and max(data[1::2].count(0), data[0::2].count(0)) > len(data) // 4:  # little or big endian
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
            line = (lines[position] if lines and position < len(lines)
                    else getattr(data, "text_lines", {}).get(name) or key_lines.get(name, start))
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
            date_line=key_lines.get("date"),
            segment_line=key_lines.get("segment"),
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
