"""Text as a person should see it: control characters written out (`\\x1b`), never sent to a terminal.

A note, a participant id, a file name or an imported ticket can hold escape sequences that clear the
screen, set the window title or make a link (OSC 8). Every human-readable output passes its text
through `visible`; JSON escapes them itself.
"""

from __future__ import annotations

import os
import re

# C0 and C1 controls and DEL; the characters that reorder text across a span (bidi embeddings,
# overrides and isolates, U+202A-E and U+2066-9: "Trojan Source"); line and paragraph separators;
# surrogates (bytes of a file name that were not UTF-8). The directional marks (U+200E, U+200F,
# U+061C) stay: Arabic, Hebrew and Persian text copied from apps is full of them, and they reorder
# nothing beyond the neutral characters next to them.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2028\u2029\u2066-\u2069\ud800-\udfff]")


def _written_out(found: re.Match[str]) -> str:
    char = found.group(0)
    if "\udc80" <= char <= "\udcff":  # a byte of a file name that was not UTF-8: as the byte
        return f"\\x{ord(char) - 0xDC00:02x}"
    return repr(char)[1:-1]


def visible(text: str) -> str:
    """`text` with each control character written out as an escape (`\\x1b`, `\\n`, `\\u202e`)."""
    if text.isprintable() or _CONTROL.search(text) is None:  # the first test is the quick one
        return text
    return _CONTROL.sub(_written_out, text)


# JSON escapes the C0 controls itself; `json_safe` escapes the other characters a terminal acts on, the
# set `visible` writes out: DEL and the C1 controls (`\x9b` starts a control sequence on some
# terminals), and the marks that reorder or hide text. A surrogate (a byte of a file name that was not
# UTF-8) should never get this far; if one does, it is written out as its byte (`\xff`), so a strict
# parser still reads the JSON.
_NOT_JSON_TEXT = re.compile("[\x7f-\x9f\u202a-\u202e\u2028\u2029\u2066-\u2069\ud800-\udfff]")


def _json_escape(found: re.Match[str]) -> str:
    char = found.group(0)
    if "\udc80" <= char <= "\udcff":
        return f"\\\\x{ord(char) - 0xDC00:02x}"
    return f"\\u{ord(char):04x}"


def json_safe(text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`, also as YAML's double-quoted strings) with
    every character a terminal would act on escaped (`\u202e`), so `| jq` or `| cat` shows it, harmless.
    Text that is all ASCII, the usual case, is not searched."""
    if text.isascii() or _NOT_JSON_TEXT.search(text) is None:
        return text
    return _NOT_JSON_TEXT.sub(_json_escape, text)


def quoted(text: str) -> str:
    """`text` as a double-quoted string, JSON's and YAML's alike, safe to show (`json_safe`)."""
    import json

    return json_safe(json.dumps(text, ensure_ascii=False))


def name_text(name: str) -> str:
    """A file name (as the system gives it, bytes that are not UTF-8 as surrogates) as valid text: such
    bytes written out (`\\xff`), so that JSON, terminals and strict parsers can take it."""
    try:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    except UnicodeError:  # not from the file system after all
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
