"""Interactive `custlens add`: the questions asked on a terminal, each asked again until it has an answer
it can use (a typo must not end the session and lose the note), and opening the note in an editor.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from custlens.cli.console import err_console, styled
from custlens.cli.options import parse_day
from custlens.errors import CustlensError
from custlens.infra.visible import visible


@dataclass
class Answers:
    """What `add` asks for, as far as the options gave it (None or empty: ask)."""

    kind: str | None
    segment: str | None
    participant: str | None
    researchers: tuple[str, ...]
    day: dt.date | None
    title: str | None
    pains: tuple[str, ...]
    needs: tuple[str, ...]
    quotes: tuple[str, ...]


def ask(given: Answers, kinds: list[str], known_segments: list[str], researcher: str | None, today: dt.date,
        segments: list[str] | None = None, misread: Callable[[str, str], str | None] = lambda kind, text: None,
        ) -> Answers:
    """Ask for everything the options did not give; `segments`: the ones custlens.yaml allows, if it lists
    them; `misread(kind, text)`: why an item would not read back from the note as typed (it is asked again)."""
    from rich.prompt import Prompt

    console = err_console()
    kind = given.kind
    if kind and kind not in kinds:  # checked now: at the end it would cost the interview
        _unknown(console, "kind", kind, kinds)
        kind = None
    kind = kind or Prompt.ask("Kind of source", choices=list(kinds), default=kinds[0], console=console)
    if known_segments and not given.segment:
        console.print(styled((f"segments so far: {visible(', '.join(known_segments[:12]))}", "dim")))
    segment = ask_segment(console, known_segments[0] if known_segments else None, segments, given.segment)
    participant = given.participant or ask_participant(console)
    researchers = given.researchers
    if not researchers:
        who = Prompt.ask("Researcher", default=researcher or "", console=console)
        researchers = (who,) if who else ()
    day = given.day or ask_date(console, today)
    title = given.title or Prompt.ask("Title", default="", show_default=False, console=console) or None
    return Answers(
        kind=kind, segment=segment, participant=participant, researchers=researchers, day=day, title=title,
        pains=given.pains or ask_list("Pains", lambda text: misread("pain", text)),
        needs=given.needs or ask_list("Needs", lambda text: misread("need", text)),
        quotes=given.quotes or ask_list("Quotes", lambda text: misread("quote", text)),
    )


def ask_participant(console: Any) -> str | None:
    """A participant id, asked again once when it looks like a person's name or contact (the note would
    carry it, and its file name too); the same answer twice is taken as meant."""
    from rich.prompt import Prompt

    from custlens.pipeline.parse import identifies_a_person

    answer = Prompt.ask("Participant id", default="", show_default=False, console=console).strip()
    identifies = answer and identifies_a_person(answer)
    if identifies:
        console.print(styled(("warning:", "yellow"), " ", visible(f"`{answer}` looks like {identifies}, not a "
                                                                  "pseudonymous id such as P-014; it would be in the "
                                                                  "note and its file name")))
        answer = Prompt.ask("Participant id (the same again to keep it)", default="", show_default=False,
                            console=console).strip()
    return answer or None


def ask_segment(console: Any, default: str | None, allowed: list[str] | None, given: str | None = None) -> str:
    """The segment `--segment` gave, or asked for until there is one; and one custlens.yaml allows where
    it lists them (the check `add` makes before writing, made here, so that a typo costs one answer,
    not the interview)."""
    from rich.prompt import Prompt

    segment = given
    while True:
        if segment is None:
            segment = (Prompt.ask("Segment", default=default, console=console) or "").strip()
        if segment and (allowed is None or segment in allowed):
            return segment
        if segment:
            _unknown(console, "segment", segment, allowed or [])
        segment = None


def _unknown(console: Any, what: str, value: str, allowed: list[str]) -> None:
    """`unknown kind: 'intervew'; did you mean `interview`?`, before the question is asked again."""
    from custlens.pipeline.parse import did_you_mean

    hint = did_you_mean(value, allowed, f"one of: {', '.join(allowed)}")
    console.print(styled((f"unknown {what}:", "red"), f" {visible(repr(value))}; {visible(hint)}"))


def ask_date(console: Any, default: dt.date) -> dt.date:
    """Ask for the date until the answer is one."""
    from rich.prompt import Prompt

    while True:
        answer = Prompt.ask("Date (YYYY-MM-DD, today or yesterday)", default=default.isoformat(), console=console)
        try:
            return parse_day(answer)
        except ValueError:
            console.print(styled(("not a date:", "red"), f" {visible(repr(answer))}; write YYYY-MM-DD, today or yesterday"))


def ask_list(prompt: str, misread: Callable[[str], str | None] = lambda text: None) -> tuple[str, ...]:
    """Items one per line, until an empty line; one that would not read back as typed is asked again."""
    from rich.prompt import Prompt

    items: list[str] = []
    console = err_console()
    console.print(f"[bold]{prompt}[/] (one per line, an empty line to finish)")
    while True:
        answer = Prompt.ask("  -", default="", show_default=False, console=console)
        if not answer.strip():
            return tuple(items)
        problem = misread(answer.strip())
        if problem:
            console.print(styled(("not kept:", "red"), f" {visible(problem)}; type it again in other words"))
            continue
        items.append(answer.strip())


def open_editor(path: Path) -> None:
    import shlex
    import subprocess

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise CustlensError("no editor: set $EDITOR", hint=f"the note was written to {path}")
    try:
        command = shlex.split(editor)
    except ValueError as exc:  # an unbalanced quote in $EDITOR
        raise CustlensError(f"cannot read $EDITOR {editor!r}: {exc}", hint=f"the note was written to {path}") from None
    try:
        subprocess.run([*command, str(path)], check=False)
    except OSError as exc:
        raise CustlensError(f"cannot start the editor {editor!r}: {exc.strerror}", hint=f"the note is at {path}") from None
