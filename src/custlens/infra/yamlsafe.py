"""A YAML loader for notes that only builds plain data, and says where each value came from.

It walks the parser's event stream itself instead of using PyYAML's composer and constructor, so that:
- nothing is ever executed: any tag other than the standard scalar, list and mapping tags is refused;
- a duplicate mapping key is an error (PyYAML silently keeps the last one);
- nesting depth and alias expansion are bounded (deep nesting crashes PyYAML's recursive composer and an
  alias bomb can expand to billions of items, or one long value repeated to gigabytes of text);
- every mapping key and list item keeps its 1-based line.
libyaml's parser is used where it is installed (`yaml.CSafeLoader`), the pure-Python one otherwise.

Why one module of this length: it is one safety boundary (every YAML custlens reads, notes, config and
codebook, comes through it), and its checks, limits and line bookkeeping are read and tested together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from custlens.errors import CustlensError

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self is Python 3.11+

Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 64
MAX_ALIAS_NODES = 10_000
MAX_ALIAS_CHARS = 1_000_000  # the text aliases may add: one long value repeated by aliases is a bomb too

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
_CONTAINER_TAGS = {_CORE + "seq", _CORE + "map", _CORE + "omap"}
_resolver = Resolver()
_constructor = SafeConstructor()


@dataclass
class YamlError(Exception):
    """A YAML document custlens refuses, with a stable code, a 1-based line and a hint."""

    code: str
    message: str
    line: int | None = None
    hint: str | None = None

    def __str__(self) -> str:
        return self.message


class YamlMap(dict):  # type: ignore[type-arg]  # a dict that also remembers lines
    """A mapping with the 1-based line of itself and of each key, and the errors found inside it; and
    `text_lines`, the line a block of text (`key: |`) starts its words on, where it is not the key's."""

    line: int
    key_lines: dict[Any, int]
    errors: list[YamlError]
    text_lines: dict[Any, int]


class YamlList(list):  # type: ignore[type-arg]  # a list that also remembers lines
    """A list with the 1-based line of itself and of each item, and the errors found inside it."""

    line: int
    item_lines: list[int]
    errors: list[YamlError]


class YamlInt(int):
    """An integer that remembers how it was written. YAML 1.1 reads `0042` as 34 (octal), `0x7` and `+7`
    as 7 and `12:30` as 750; where custlens expects text (a participant id, a segment), it takes the text
    as written, so that participants 007 and 7 stay two people. Pickled and copied as a plain int."""

    written: str

    def __new__(cls, number: int, written: str) -> Self:
        made = super().__new__(cls, number)
        made.written = written
        return made

    def __reduce__(self) -> tuple[type, tuple[int]]:
        return int, (int(self),)


def plain_data(value: Any) -> Any:
    """The same value as plain dicts, lists and ints (no line bookkeeping), safe to cache and to print as JSON."""
    if isinstance(value, dict):
        return {key: plain_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_data(item) for item in value]
    if isinstance(value, YamlInt):
        return int(value)
    return value


def _scalar(event: Any, line: int, what: str) -> Any:
    tag = event.tag
    value: str = event.value
    if tag in (None, "!"):
        if tag == "!" or not event.implicit[0]:
            return value
        tag = _resolver.resolve(ScalarNode, value, (True, False))
    return _construct(tag, value, line, what)


def _construct(tag: str, value: str, line: int, what: str = "a note") -> Any:
    if tag == _CORE + "merge":
        raise YamlError("yaml-syntax", f"YAML merge keys (<<) are not supported in {what}", line,
                        "write the fields out where they are used")
    if tag not in _SCALAR_TAGS:
        raise _tag_error(tag, line, what)
    if tag in (_CORE + "str", _CORE + "timestamp"):
        # Dates stay text here; the note model checks them and reports impossible ones clearly.
        return value
    if tag == _CORE + "int" and len(value) > 100:
        return value  # no count is written with 100 characters: an id, as text (Python would refuse the int)
    node = ScalarNode(tag, value)
    try:
        if tag == _CORE + "int":
            return YamlInt(_constructor.construct_yaml_int(node), value)
        if tag == _CORE + "float":
            return _constructor.construct_yaml_float(node)
        if tag == _CORE + "bool":
            return _constructor.construct_yaml_bool(node)
        return None
    except (ValueError, KeyError, IndexError, ConstructorError) as exc:  # PyYAML raises all of these
        shown = value if len(value) <= 40 else value[:39] + "…"
        raise YamlError("yaml-syntax", f"{shown!r} is not a valid {tag.removeprefix(_CORE)}", line,
                        "put the value in quotes to keep it as text, or leave out the tag") from exc


def _tag_error(tag: str, line: int, what: str) -> YamlError:
    shown = "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
    return YamlError(
        "yaml-tag",
        f"YAML tag {shown} is not allowed in {what}",
        line,
        "custlens reads plain data only: remove the tag (it never runs anything a file contains)",
    )


_YAML_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


class _Lines:
    """1-based file lines for YAML marks. YAML also breaks lines at U+0085, U+2028 and U+2029, which
    editors and `grep` do not; where the text has them, marks are mapped back to the file's lines."""

    def __init__(self, text: str, offset: int) -> None:
        self.offset = offset
        self.map: list[int] | None = None
        if any(ch in text for ch in "\x85\u2028\u2029"):
            real = 0
            self.map = [0]
            for match in _YAML_BREAK.finditer(text):
                if match.group(0) not in "\x85\u2028\u2029":
                    real += 1
                self.map.append(real)

    def __call__(self, mark_line: int) -> int:
        if self.map is not None and mark_line < len(self.map):
            mark_line = self.map[mark_line]
        return mark_line + 1 + self.offset


def _too_deep(depth: int, line: int | None, what: str) -> YamlError:
    return YamlError("yaml-too-deep", f"YAML is nested more than {depth} levels deep", line,
                     f"{what} needs only a few levels; flatten the structure")


def _syntax_error(exc: yaml.YAMLError, text: str, lines_of: _Lines, what: str) -> YamlError:
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(exc.position, 0)) + 1 + lines_of.offset
        return YamlError(
            "yaml-syntax",
            f"character #x{exc.character:04x} is not allowed in YAML",
            line,
            "remove the control character",
        )
    problem = str(getattr(exc, "problem", "") or exc).strip()
    problem_mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if problem_mark is not None:
        lines = text.split("\n")
        real = lines_of(problem_mark.line) - 1 - lines_of.offset
        bad = lines[real] if real < len(lines) else ""
        indent = bad[: len(bad) - len(bad.lstrip(" \t"))]
        if "tab" in problem or "\t" in indent:
            return YamlError(
                "yaml-tab", "a tab is used for indentation", lines_of(problem_mark.line),
                "indent YAML with spaces, not tabs",
            )
    mark = context_mark or problem_mark
    where = lines_of(mark.line) if mark else None
    if "maximum nesting depth" in problem:  # newer PyYAML stops deep nesting in its scanner, before us
        return _too_deep(MAX_DEPTH, where, what)
    message = f"invalid YAML: {problem}"
    if context and context_mark is not None and problem_mark is not None:
        message += f" ({context} that starts here; the parser gave up on line {lines_of(problem_mark.line)})"
    hint = "check brackets, quotes and indentation on this line"
    return YamlError("yaml-syntax", message, where, hint)


def load_yaml(
    text: str,
    *,
    line_offset: int = 0,
    max_depth: int = MAX_DEPTH,
    max_alias_nodes: int = MAX_ALIAS_NODES,
    what: str = "a note",
) -> Any:
    """Parse one YAML document into plain data (`YamlMap`, `YamlList`, str, int, float, bool, None).

    `line_offset` is added to every line, for front matter that starts after line 1. `what` names the
    file in messages ("a note", "the config"). Raises `YamlError`.
    """
    simple = _simple_mapping(text, line_offset)
    if simple is not None:
        return simple
    return _parse(text, line_offset, max_depth, max_alias_nodes, what)


def _parse(text: str, line_offset: int, max_depth: int, max_alias_nodes: int, what: str = "a note") -> Any:
    loader = Loader(text)
    lines_of = _Lines(text, line_offset)
    try:
        return _build(loader, lines_of, max_depth, max_alias_nodes, what)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text, lines_of, what) from None
    finally:
        loader.dispose()


# The usual front matter, one `key: value` a line, is read without the YAML parser (which builds an
# event object per token): only lines whose meaning is beyond doubt, and anything else goes to the
# parser, whole. A value is a plain scalar with no YAML indicator in it, quoted text without escapes,
# or a one-line list of such plain scalars; a plain scalar is resolved (int, bool, null, ...) exactly
# as the parser's events are. A test compares the two on generated documents.
# Each character of a line can be matched in one way only (a space inside a value only where a word
# follows it, never where the spaces around a comma or a bracket could take it too), so a line that
# does not match fails in time linear in its length: `tags: [a , b , c ... ]  # note` once took
# minutes, trying every way of sharing the spaces out.
_START = r"[\w(./+]"  # no YAML indicator can start it
_FLOW_CHAR = r"[\w.()/+'&=-]"  # nothing that could end or nest a flow value
_FLOW_PLAIN = rf"{_START}(?:{_FLOW_CHAR}| +(?={_FLOW_CHAR}))*"  # a list item: words with single runs of spaces
_SIMPLE_LINE = re.compile(
    r"([A-Za-z_][\w-]*):(?: +(?:"
    rf"({_START}(?:[^\s:]|:(?=\S)| +(?=[^\s#]))*)"  # plain: `: ` would start a mapping, ` #` a comment
    r"|\"([^\"\\]*)\"|'([^']*)'"  # quoted, without escapes
    rf"|(\[) *(?:({_FLOW_PLAIN}(?: *, *{_FLOW_PLAIN})*(?: *,)?) *)?\]"  # a flow list of plain scalars
    r"))? *"
)
_FLOW_ITEM = re.compile(rf"({_FLOW_PLAIN}) *(?:,|$) *")
_NOT_SIMPLE = ("\t", "\r", "\x85", "\u2028", "\u2029")


def _simple_mapping(text: str, line_offset: int) -> YamlMap | None:
    """`text` as `load_yaml` reads it, if every line is a simple `key: value`; else None."""
    if any(mark in text for mark in _NOT_SIMPLE):
        return None
    result = YamlMap()
    result.errors = []
    result.key_lines = {}
    result.text_lines = {}  # no block scalars here
    try:
        for number, line in enumerate(text.split("\n"), line_offset + 1):
            if not line or line.isspace():
                continue
            found = _SIMPLE_LINE.fullmatch(line)
            if found is None:
                return None
            key, plain, double, single, bracket, items = found.groups()
            if key in result:
                return None
            if not result.key_lines:
                result.line = number
            result.key_lines[key] = number
            if plain is not None:
                if not plain.isprintable():  # YAML refuses some characters that the pattern lets through
                    return None
                result[key] = _construct(_resolver.resolve(ScalarNode, plain, (True, False)), plain, number)
            elif double is not None or single is not None:
                quoted = double if double is not None else single
                if not quoted.isprintable():
                    return None
                result[key] = quoted
            elif bracket is not None:
                listed = YamlList()
                listed.line, listed.errors, listed.item_lines = number, [], []
                for item in _FLOW_ITEM.findall(items or ""):
                    listed.append(_construct(_resolver.resolve(ScalarNode, item, (True, False)), item, number))
                    listed.item_lines.append(number)
                result[key] = listed
            else:
                return None  # `key:` alone: null, or the start of a nested block
    except YamlError:
        return None  # the parser says what is wrong, and where
    return result if result.key_lines else None


_SKIP = object()  # the pending key of a mapping whose next value is dropped (after a duplicate key)


def _build(loader: Any, lines_of: _Lines, max_depth: int, max_alias_nodes: int, what: str) -> Any:
    """Build plain data from parser events.

    Errors that concern one value (a duplicate key, a refused tag, a bad scalar) are recorded on the
    outermost mapping that holds them: the document, or for a batch the entry, so one bad entry does not
    hide the others. Errors that make the rest unreadable or unsafe (syntax, depth, aliases) raise.
    """
    # Each frame: [container, pending_key, has_pending_key, anchor, node_count_at_start, chars_at_start]
    stack: list[list[Any]] = []
    anchors: dict[str, tuple[Any, int, int]] = {}  # the value, its nodes and the characters of its text
    nodes = 0  # nodes built, counting every alias as the size of what it stands for
    chars = 0  # characters of scalars built, counted the same way
    alias_nodes = alias_chars = 0
    documents = 0
    result: Any = None

    def record(error: YamlError) -> None:
        if not stack:
            raise error
        owner = stack[1][0] if len(stack) > 1 and isinstance(stack[0][0], YamlList) else stack[0][0]
        owner.errors.append(error)

    def expecting_key() -> bool:
        return bool(stack) and isinstance(stack[-1][0], YamlMap) and not stack[-1][2]

    def attach(value: Any, line: int) -> Any:
        if not stack:
            return value
        frame = stack[-1]
        container = frame[0]
        if isinstance(container, YamlList):
            container.append(value)
            container.item_lines.append(line)
        elif not frame[2]:
            if isinstance(value, (dict, list)):
                record(YamlError("yaml-syntax", "a mapping key must be plain text", line, None))
                frame[1], frame[2] = _SKIP, True
            elif value in container.key_lines:
                first = container.key_lines[value]
                record(
                    YamlError(
                        "yaml-duplicate-key",
                        f"duplicate key {value!r} (first on line {first})",
                        line,
                        "YAML parsers silently keep the last value; remove one of them",
                    )
                )
                frame[1], frame[2] = _SKIP, True
            else:
                frame[1], frame[2] = value, True
                container.key_lines[value] = line
        else:
            if frame[1] is not _SKIP:
                container[frame[1]] = value
                if line != container.key_lines[frame[1]] and not isinstance(value, (dict, list)):
                    container.text_lines[frame[1]] = line  # a block scalar's words, after its `|` or `>`
            frame[2] = False
        return None

    while loader.check_event():
        event = loader.get_event()
        kind = type(event).__name__
        line = lines_of(event.start_mark.line)
        if kind == "ScalarEvent":
            if event.style in ("|", ">") and not expecting_key():
                # a block scalar's text starts on the line after its `|` or `>`, after any blank lines
                line = lines_of(event.start_mark.line + 1 + len(event.value) - len(event.value.lstrip("\n")))
            nodes += 1
            chars += len(event.value)
            if expecting_key() and event.tag is None:
                value: Any = event.value  # keys are text as written: `1:` and `true:` are different keys
            else:
                try:
                    value = _scalar(event, line, what)
                except YamlError as error:
                    record(error)
                    value = None
            if event.anchor:
                anchors[event.anchor] = (value, 1, len(event.value))
            out = attach(value, line)
            if not stack:
                result = out
        elif kind in ("MappingStartEvent", "SequenceStartEvent"):
            if event.tag not in (None, "!") and event.tag not in _CONTAINER_TAGS:
                record(_tag_error(event.tag, line, what))
            if len(stack) >= max_depth:
                raise _too_deep(max_depth, line, what)
            nodes += 1
            container: Any = YamlMap() if kind == "MappingStartEvent" else YamlList()
            container.line = line
            container.errors = []
            if isinstance(container, YamlMap):
                container.key_lines = {}
                container.text_lines = {}
            else:
                container.item_lines = []
            stack.append([container, None, False, event.anchor, nodes, chars])
        elif kind in ("MappingEndEvent", "SequenceEndEvent"):
            container, _, _, anchor, started, chars_started = stack.pop()
            if anchor:
                anchors[anchor] = (container, nodes - started + 1, chars - chars_started)
            out = attach(container, container.line)
            if not stack:
                result = out if out is not None else container
        elif kind == "AliasEvent":
            if event.anchor not in anchors:
                raise YamlError("yaml-syntax", f"alias *{event.anchor} is used before its anchor", line, None)
            value, size, length = anchors[event.anchor]
            alias_nodes += size
            nodes += size
            alias_chars += length
            chars += length
            if alias_nodes > max_alias_nodes or alias_chars > MAX_ALIAS_CHARS:
                raise YamlError(
                    "yaml-alias-bomb",
                    f"YAML aliases expand to more than {max_alias_nodes:,} values" if alias_nodes > max_alias_nodes
                    else f"YAML aliases expand to more than {MAX_ALIAS_CHARS:,} characters of text",
                    line,
                    "this looks like an alias expansion bomb; write the values out instead of using aliases",
                )
            out = attach(value, line)
            if not stack:
                result = out
        elif kind == "DocumentStartEvent":
            documents += 1
            if documents > 1:
                raise YamlError(
                    "yaml-syntax",
                    f"more than one YAML document in {what}",
                    line,
                    "a YAML file holds one document (a note file: one note or a list of notes); remove the extra '---'",
                )
    return result


def settings_text(raw: bytes, path: str, what: str) -> str:
    """The text of a settings file (`what`: "the config", "the codebook"), with Windows line ends made
    Unix ones; bytes that are not UTF-8 are an error naming their line and byte (counted in the file,
    a byte-order mark included)."""
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        at = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)  # counted after the mark
        raise CustlensError(f"{what} is not UTF-8: byte 0x{raw[at]:02x}", path=path,
                            line=raw.count(b"\n", 0, at) + 1, hint="save it as UTF-8") from None


def load_yaml_strictly(text: str, what: str) -> Any:
    """`load_yaml` for a file that must be right as a whole (`what`: "the config", "the codebook"): the
    first error recorded inside it (a duplicate key, a refused tag) is raised too."""
    data = load_yaml(text, what=what)
    for error in errors_in(data):
        raise error
    return data


def errors_in(value: Any) -> list[YamlError]:
    """The errors recorded on a mapping or list built by `load_yaml` (none for plain values)."""
    return list(getattr(value, "errors", ()))
