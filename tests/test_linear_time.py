"""Hostile text costs time linear in its size: a line of ~100,000 characters of a shape that once made a
pattern backtrack (nested or overlapping repeats, a scan to the end of the text from each of many starts)
takes `check`, `statements` (as JSON and as a table) and `statements --redact` a small multiple of the time an ordinary line of the
same length takes, measured in the same run. No absolute time is asserted: the machine's speed cancels
out, and a deadline of that multiple stops a run that would otherwise go on for minutes."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from custlens.cli import app

LENGTH = 99_000  # just under the 100,000 characters a line may have
RATIO = 10  # the hostile line may take up to this many times the ordinary one

FRONT = "---\ndate: 2026-03-01\nkind: interview\nsegment: smb\nparticipant: P-1\n"


def _repeat(unit: str, length: int = LENGTH) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def _in_front_matter(line: str) -> str:
    key = line.split(":", 1)[0] + ":"  # the line takes the place of that key's ordinary value
    front = "".join(f"{kept}\n" for kept in FRONT.splitlines() if not kept.startswith(key))
    return front + line + "\n---\n## Needs\n- Export invoices to Xero\n"


def _in_the_body(line: str) -> str:
    # twice: as the first need (`check` reads it to see that the note states one) and under a heading
    # that names no section (an untyped statement, so the tagger reads it too)
    return FRONT + "---\n## Needs\n- " + line + "\n- Export invoices to Xero\n\n## Notes\n" + line + "\n"


ORDINARY: dict[str, str] = {
    "front matter": _in_front_matter("title: " + _repeat("lorem ipsum ", LENGTH - 8).strip()),
    "body": _in_the_body(_repeat("lorem ipsum dolor ").strip()),
}

# name -> (where it goes, the line)
HOSTILE: dict[str, tuple[str, str]] = {
    "flow list with spaces before commas and a comment": (
        "front matter", "tags: [" + _repeat("a , ", LENGTH - 20) + "a]  # c"),
    "flow list that never closes": ("front matter", "tags: [" + _repeat("a , ", LENGTH - 10)),
    "flow list of spaces": ("front matter", "tags: [" + " " * (LENGTH - 10) + "x"),
    "plain value with spaces then a comment": ("front matter", "title: a" + " " * (LENGTH - 10) + "#"),
    "a run of [": ("body", "[" * LENGTH),
    "a run of #tag": ("body", _repeat("#tag ") + "x."),
    "a run of [[x": ("body", _repeat("[[x")),
    "a run of <!--": ("body", "x " + _repeat("<!--")),
    "a run of [a](": ("body", _repeat("[a](")),
    "a heading of spaces": ("body", "# x" + " " * (LENGTH - 4) + "y"),
    "nested quote marks": ("body", _repeat("> ") + "x"),
    "a URL of 99,000 letters": ("body", "see https://example.com/" + "a" * (LENGTH - 30)),
    "a word of 99,000 letters": ("body", "a" * LENGTH),
    "a run of e-mail characters": ("body", _repeat("a.b+c-")),
    "a host name of 99,000 dotted words": ("body", "see " + _repeat("ab-c.") + "x"),
    "a run of bare web addresses": ("body", _repeat(" a.b/ www.")),
    "a run of @": ("body", _repeat("a@")),
    "a run of full stops in a denial": ("body", "it is not a problem" + "." * (LENGTH - 40) + "x keeps crashing"),
    "a sentence of denials": ("body", _repeat("isn't slow ", LENGTH - 40) + ". anymore it keeps crashing"),
    "a sentence of praise, then a contrast": ("body", _repeat("we liked the ", LENGTH - 40) + " but"),
    "a run of wishes with no end": ("body", _repeat("we would come back ", LENGTH - 40)),
    "a run of digits and dashes": ("body", _repeat("1-2 ")),
    "a run of emphasis marks": ("body", _repeat("*a")),
    "a run of backslashes": ("body", "x " + "\\" * LENGTH),
    "a value of backslashes": ("front matter", "kind: " + "\\" * (LENGTH - 10)),
}

COMMANDS: dict[str, list[str]] = {
    "check": ["check", "--no-cache"],
    "statements": ["statements", "--format", "json", "--no-cache"],
    "statements --redact": ["statements", "--format", "json", "--redact", "--no-cache"],
    "statements as a table": ["statements", "--no-cache"],
}


class _TooSlow(BaseException):
    """Raised by the deadline; a BaseException, so no handler in custlens takes it for an error of its own."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Stop what runs inside after `seconds` (a pattern match checks for signals as it goes)."""

    def stop(signum: int, frame: object) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _timed(run: Callable[[Path], object], folder: Path) -> float:
    started = time.perf_counter()
    run(folder)
    return time.perf_counter() - started


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "note.md").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="the deadline needs SIGALRM and setitimer (not on Windows)")
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_hostile_lines_cost_a_small_multiple_of_an_ordinary_line(command: str, runner, tmp_path) -> None:
    args = COMMANDS[command]

    def invoke(folder: Path) -> None:
        result = runner.invoke(app, [*args, str(folder)])
        assert result.exit_code in (0, 1) and "Traceback" not in result.output, result.output[-2000:]

    ordinary = {}
    for place, text in ORDINARY.items():
        folder = _folder(tmp_path, place.replace(" ", "-"), text)
        invoke(folder)  # imports and first-time set-up are not part of what is compared
        ordinary[place] = min(_timed(invoke, folder) for _ in range(3))
    slow = []
    for k, (name, (place, line)) in enumerate(HOSTILE.items()):
        assert len(line) < 100_000
        folder = _folder(tmp_path, f"hostile-{k}", _in_front_matter(line) if place == "front matter" else _in_the_body(line))
        allowed = RATIO * ordinary[place]
        for _ in range(3):  # another try or two, in case the machine was busy just then
            try:
                with _deadline(allowed):
                    taken = _timed(invoke, folder)
            except _TooSlow:
                taken = float("inf")
            if taken <= allowed:
                break
        else:
            slow.append(f"{name}: over {RATIO}x the {ordinary[place] * 1000:.0f} ms of an ordinary line")
    assert not slow, slow
