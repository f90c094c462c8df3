"""Reports to text: Rich tables on a terminal, plain text in pipes, JSON, CSV, Markdown, GitHub annotations.

Nothing here computes; it only lays out what the report already holds.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from custlens.errors import Problem
from custlens.infra.visible import visible
from custlens.models import Statement
from custlens.pipeline.themes import trim
from custlens.pipeline.triangulate import Evidence, SegmentSummary, SegmentTheme
from custlens.reports import (
    CheckReport,
    SegmentsReport,
    ShowReport,
    Synthesis,
    ThemesReport,
    TrendsReport,
)

if TYPE_CHECKING:  # rich is imported where a table is made: JSON, CSV and Markdown never load it
    from rich.table import Table


def problem_line(problem: Problem) -> str:
    """`path:line: error[code]: message`, the form editors and CI logs can jump to (control characters
    of the values it names written out)."""
    where = f"{problem.path}:{problem.line}" if problem.line is not None else problem.path
    entry = f" (batch entry {problem.entry})" if problem.entry is not None else ""
    return visible(f"{where}: {problem.severity}[{problem.code}]: {problem.message}{entry}")


def check_text(report: CheckReport, strict: bool) -> Iterable[tuple[str, str]]:
    """Lines of `custlens check` output, each with a style name for the terminal."""
    for parsed in report.files:
        for problem in parsed.problems:
            yield problem_line(problem), problem.severity
            if problem.hint:
                yield visible(f"    hint: {problem.hint}"), "hint"
    files = len(report.files)
    summary = (
        f"{files} file{'s' * (files != 1)}, {report.notes} note{'s' * (report.notes != 1)}: "
        f"{report.errors} error{'s' * (report.errors != 1)}, {report.warnings} warning{'s' * (report.warnings != 1)}"
    )
    code = report.exit_code(strict)
    yield ("ok: " if code == 0 else "failed: ") + summary, "ok" if code == 0 else "error"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def check_github(report: CheckReport) -> Iterable[str]:
    """GitHub Actions workflow commands: one `::error`/`::warning` annotation per problem."""
    for parsed in report.files:
        for problem in parsed.problems:
            props = [f"file={_escape_property(visible(problem.path))}"]
            if problem.line is not None:
                props.append(f"line={problem.line}")
            props.append(f"title={_escape_property('custlens ' + problem.code)}")
            message = problem.message
            if problem.entry is not None:
                message += f" (batch entry {problem.entry})"
            if problem.hint:
                message += f" (hint: {problem.hint})"
            yield f"::{problem.severity} {','.join(props)}::{_escape_data(visible(message))}"


def check_json(report: CheckReport, strict: bool, pretty: bool = True) -> str:
    def file_ok(problems: list[Problem]) -> bool:
        return not any(p.is_error or strict for p in problems)

    data: dict[str, Any] = {
        "ok": report.exit_code(strict) == 0,
        "files": [
            {
                "path": parsed.path,
                "ok": file_ok(parsed.problems),
                "notes": len(parsed.notes),
                "problems": [
                    {
                        "line": p.line,
                        "entry": p.entry,
                        "code": p.code,
                        "severity": p.severity,
                        "message": p.message,
                        "hint": p.hint,
                    }
                    for p in parsed.problems
                ],
            }
            for parsed in report.files
        ],
        "summary": {
            "files": len(report.files),
            "notes": report.notes,
            "errors": report.errors,
            "warnings": report.warnings,
        },
    }
    return _json(data, pretty)


# --- synthesis reports ----------------------------------------------------------------------------


STATEMENT_COLUMNS = (
    "text", "type", "inferred", "cue", "confidence", "why", "section", "path", "line",
    "entry", "note", "segment", "kind", "participant", "researcher", "date", "tags", "attributes",
)


def statement_dict(
    statement: Statement, theme: str | None = None, with_theme: bool = False,
    notes: dict[int, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A statement as JSON, keys in STATEMENT_COLUMNS order (then `theme`). `notes` keeps each note's
    part across the calls of one report (a note has many statements)."""
    note = statement.note
    data: dict[str, Any] = {
        "text": statement.text,
        "type": statement.type,
        "inferred": statement.inferred,
        "cue": statement.cue,
        "confidence": statement.confidence,
        "why": why_typed(statement),
        "section": statement.section,
        "path": note.path,
        "line": statement.line,
    }
    fields = notes.get(id(note)) if notes is not None else None
    if fields is None:
        fields = {
            "entry": note.entry,
            "note": note.id,
            "segment": note.segment,
            "kind": note.kind,
            "participant": note.participant,
            "researcher": ", ".join(note.researchers) or None,
            "date": note.date.isoformat(),
            "tags": list(note.tags),
            "attributes": note.attributes,  # the config's `attributes:` kept from the note
        }
        if notes is not None:
            notes[id(note)] = fields
    data.update(fields)
    if with_theme:
        data["theme"] = theme
    return data


def why_typed(statement: Statement) -> str:
    """How a statement got its type: where the note states it, or how the tagger decided."""
    if statement.inferred:
        return statement.why or (f'cue "{statement.cue}"' if statement.cue else "no cue")
    if statement.section in ("pains", "needs"):
        return f"stated: under {statement.section}"
    if statement.section == "follow-ups":
        return "stated: a follow-up"
    return f"stated: a {statement.type} line or tag"


def theme_dict(
    evidence: Evidence, rank: int | None = None, notes: dict[int, dict[str, Any]] | None = None
) -> dict[str, Any]:
    theme = evidence.theme
    notes = {} if notes is None else notes
    data: dict[str, Any] = {}
    if rank is not None:
        data["rank"] = rank
    data.update(
        {
            "id": theme.id,
            "label": theme.label,
            "type": theme.type,
            "named": theme.named,
            "strength": evidence.strength,
            "mentions": evidence.mentions,
            "notes": evidence.notes,
            "participants": evidence.participants,
            "segments": evidence.segments,
            "sources": evidence.sources,
            "researchers": list(evidence.researchers),
            "first_seen": evidence.first_seen.isoformat(),
            "last_seen": evidence.last_seen.isoformat(),
            "quote": evidence.quote.text,
            "representative": theme.representative.text if theme.representative is not None else None,
        }
    )
    rows = [statement_dict(s, notes=notes) for s in theme.statements]
    for row, similarity in zip(rows, theme.fit or [None] * len(rows)):
        row["similarity"] = similarity
    data["statements"] = rows
    row_of = {id(s): row for s, row in zip(theme.statements, rows)}
    data["subthemes"] = [
        {"id": sub.id, "label": sub.label, "statements": [row_of[id(s)] for s in sub.statements]}
        for sub in theme.subthemes
    ]
    return data


def _summary(synthesis: Synthesis, themes: int) -> dict[str, Any]:
    return {
        "notes": len(synthesis.notes),
        "statements": len(synthesis.statements),
        "themes": themes,
        "themes_total": len(synthesis.ranked),
        "skipped_files": len(synthesis.corpus.skipped_files),
    }


# JSON escapes the C0 controls itself. For a terminal (indented JSON) the C1 controls are escaped too
# (`\x9b` starts a control sequence on some terminals); no text in the reports holds a surrogate (file
# names are made valid text where they are read), but should one get this far it is written out as
# its byte (`\xff`), so a strict parser still reads it. For pipes and files the text is left as it
# is: a pass over megabytes of JSON would cost more than the rest of the output.
_NOT_JSON_TEXT = re.compile("[\x80-\x9f\ud800-\udfff]")


def _json_escape(found: re.Match[str]) -> str:
    char = found.group(0)
    if "\udc80" <= char <= "\udcff":
        return f"\\\\x{ord(char) - 0xDC00:02x}"
    return f"\\u{ord(char):04x}"


def _json(data: Any, pretty: bool = True) -> str:
    """Indented for people; compact (and several times faster to write) for pipes and files."""
    if not pretty:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return _NOT_JSON_TEXT.sub(_json_escape, text) if _NOT_JSON_TEXT.search(text) else text


def themes_json(report: ThemesReport, pretty: bool = True) -> str:
    notes: dict[int, dict[str, Any]] = {}
    return _json(
        {
            "themes": [theme_dict(e, rank, notes) for rank, e in enumerate(report.shown, 1)],
            "summary": _summary(report.synthesis, len(report.shown)),
        },
        pretty,
    )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counts.items())


# A spreadsheet runs a cell that starts with one of these as a formula (`=HYPERLINK(...)` from a note or
# an imported ticket): such a text gets a leading `'`, as OWASP advises, and shows as it was written.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text: control characters written out, a leading `'` where it would
    start a formula; plain numbers (`-3`, `+1.5`) stay numbers."""
    text = visible(text)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _cell(value: Any) -> Any:
    """A CSV cell: a list (tags) as "a; b", a mapping (attributes) as compact JSON, empty when empty;
    text that a spreadsheet would run as a formula made safe (`spreadsheet_safe`)."""
    if isinstance(value, (list, tuple)):
        value = "; ".join(map(str, value))
    elif isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) if value else ""
    return spreadsheet_safe(value) if isinstance(value, str) else value


def _csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:  # a list in a cell (tags) as "a; b", not Python's ['a', 'b']
        writer.writerow([_cell(cell) for cell in row])
    return buffer.getvalue()


def themes_csv(report: ThemesReport) -> str:
    rows: list[list[Any]] = [
        ["rank", "id", "label", "type", "strength", "mentions", "notes", "participants", "segments", "sources",
         "researchers", "first_seen", "last_seen", "quote", "subthemes"]
    ]
    for rank, e in enumerate(report.shown, 1):
        rows.append(
            [rank, e.theme.id, e.theme.label, e.theme.type, e.strength, e.mentions, e.notes, e.participants,
             _counts(e.segments), _counts(e.sources), ", ".join(e.researchers), e.first_seen.isoformat(),
             e.last_seen.isoformat(), e.quote.text, _subthemes(e)]
        )
    return _csv(rows)


def _subthemes(evidence: Evidence) -> str:
    """`label (mentions); label (mentions)`: a theme's sub-themes, biggest first."""
    return "; ".join(f"{sub.label} ({len(sub.statements)})" for sub in evidence.theme.subthemes)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _text_lines(lines: list[str]) -> str:
    """Lines of text output (Markdown, `show`), each with its control characters written out."""
    return "\n".join(visible(line) for line in lines) + "\n"


def themes_markdown(report: ThemesReport) -> str:
    lines = [
        "| # | Theme | Type | Strength | Participants | Segments | Sources | Quote | Sub-themes |",
        "|---:|---|---|---|---:|---|---|---|---|",
    ]
    for rank, e in enumerate(report.shown, 1):
        lines.append(
            f"| {rank} | {_md(e.theme.label)} `{e.theme.id}` | {e.theme.type} | {e.strength} | {e.participants} | "
            f"{_md(_counts(e.segments))} | {_md(_counts(e.sources))} | \"{_md(trim(e.quote.text, 120))}\" | "
            f"{_md(_subthemes(e))} |"
        )
    footer = themes_footer(report)
    if footer:
        lines += ["", f"_{footer}_"]
    return _text_lines(lines)


def themes_footer(report: ThemesReport) -> str | None:
    if not report.left_out:
        return None
    parts = f"{report.one_mention} said only once" if report.one_mention else ""
    more = report.left_out - report.one_mention
    if more:
        parts = f"{parts}, {more} beyond --top" if parts else f"{more} beyond --top"
    return (
        f"{len(report.shown)} of {len(report.synthesis.ranked)} themes shown "
        f"({report.left_out} left out: {parts}); --all shows every theme"
    )


STRENGTH_STYLE = {"strong": "bold green", "moderate": "yellow", "anecdotal": "dim"}


def _shown(text: str) -> str:
    """Text for a Rich table: control characters written out, markup escaped."""
    from rich.markup import escape

    return escape(visible(text))


def _table(terminal: bool, title: str | None = None) -> Table:
    from rich import box
    from rich.table import Table

    return Table(
        box=box.SIMPLE_HEAD if terminal else None,
        padding=(0, 0) if terminal else (0, 1),  # the box draws a one-space gap itself: same widths as in a pipe
        title=title,
        title_justify="left",
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        expand=False,
        header_style="bold" if terminal else "",
    )


def _flexible(width: int | None, fixed: list[int], shares: list[int]) -> list[int | None]:
    """Split what is left of `width` after the fixed columns (and one space between columns) by shares.
    Without a width (a pipe) no column is sized: each is as wide as its widest cell, nothing is cut."""
    if width is None:
        return [None] * len(shares)
    columns = len(fixed) + len(shares)
    left = max(10 * len(shares), width - sum(fixed) - (columns - 1))
    total = sum(shares)
    sizes = [left * share // total for share in shares]
    sizes[0] += left - sum(sizes)
    return list(sizes)


def _fixed(size: int, width: int | None) -> int | None:
    """A column's width on a terminal; none in a pipe, so that a large number is never cut."""
    return size if width is not None else None


def _fit(text: str, width: int | None) -> str:
    return trim(text, width) if width is not None else text


def themes_table(report: ThemesReport, terminal: bool, width: int | None = 80) -> Table:
    """Rank, label, type, strength, participants, segments, kinds of source and one short quote (fitted
    to `width`; without one, in a pipe, every cell in full)."""
    from rich.text import Text

    table = _table(terminal)
    rank_width = len(str(len(report.shown))) or 1
    label, quote = _flexible(width, [rank_width, 4, 9, 3, 3, 3, 3], [2, 3])
    table.add_column("#", justify="right", no_wrap=True, width=_fixed(rank_width, width))
    table.add_column("Theme", no_wrap=True, overflow="ellipsis", width=label)
    table.add_column("Type", no_wrap=True, width=_fixed(4, width))
    table.add_column("Strength", no_wrap=True, width=_fixed(9, width))
    table.add_column("Ppl", justify="right", no_wrap=True, width=_fixed(3, width))
    table.add_column("Seg", justify="right", no_wrap=True, width=_fixed(3, width))
    table.add_column("Src", justify="right", no_wrap=True, width=_fixed(3, width))
    table.add_column("Sub", justify="right", no_wrap=True, width=_fixed(3, width))
    table.add_column("Quote", no_wrap=True, overflow="ellipsis", width=quote)
    for rank, e in enumerate(report.shown, 1):
        style = STRENGTH_STYLE[e.strength] if terminal else ""
        table.add_row(
            str(rank), _shown(e.theme.label), e.theme.type, Text(e.strength, style=style), str(e.participants),
            str(len(e.segments)), str(len(e.sources)), str(len(e.theme.subthemes) or ""), _shown(f"“{e.quote.text}”"),
        )
    return table


def segments_json(report: SegmentsReport, pretty: bool = True) -> str:
    data = {
        "segments": [
            {
                "name": seg.name,
                "notes": seg.notes,
                "participants": seg.participants,
                "sources": seg.sources,
                "themes": [
                    {
                        "id": row.evidence.theme.id,
                        "label": row.evidence.theme.label,
                        "type": row.evidence.theme.type,
                        "strength": row.evidence.strength,
                        "participants": row.participants,
                        "coverage": round(row.coverage, 3),
                        "quote": row.quote.text,
                        "nearest_elsewhere": None if row.nearest is None else {
                            "id": row.nearest[0].theme.id, "label": row.nearest[0].theme.label,
                            "similarity": row.nearest[1],
                        },
                    }
                    for row in seg.themes
                ],
                "unique_themes": [row.evidence.theme.id for row in seg.unique if row.within is None],
                "unique_subthemes": [
                    {"id": row.evidence.theme.id, "label": row.evidence.theme.label, "theme": row.within.theme.id,
                     "participants": row.participants, "coverage": round(row.coverage, 3)}
                    for row in seg.unique if row.within is not None
                ],
                "shared_themes": [row.evidence.theme.id for row in seg.shared],
            }
            for seg in report.segments
        ],
        "summary": _summary(report.synthesis, len(report.synthesis.ranked)),
    }
    return _json(data, pretty)


def segments_markdown(report: SegmentsReport) -> str:
    lines: list[str] = []
    for seg in report.segments:
        lines.append(f"## {seg.name}")
        lines.append("")
        lines.append(
            f"{seg.notes} notes, {seg.participants} participants; sources: {_md(_counts(seg.sources))}."
        )
        lines.append("")
        lines.append("| Theme | Type | Coverage | Said by | Also in | Quote |")
        lines.append("|---|---|---:|---:|---|---|")
        for row in seg.themes[: report.top]:
            lines.append(_segment_md_row(seg, row))
        unique = seg.unique
        lines.append("")
        if unique:
            lines.append("Only this segment says: " + "; ".join(
                f"{_md(r.evidence.theme.label)} `{r.evidence.theme.id}` ({r.participants})"
                + (f", part of {_md(r.within.theme.label)}" if r.within is not None else "")
                for r in unique[: report.top]
            ) + ".")
        else:
            lines.append("Nothing said by two or more participants is unique to this segment.")
        lines.append("")
    return _text_lines(lines)[:-1]


def _also_in(seg: SegmentSummary, row: SegmentTheme) -> str:
    """Where else a segment's theme is said: other segments, else `only here`, or `near: <label>` when a
    theme said elsewhere is close to it."""
    others = [name for name in row.evidence.segments if name != seg.name]
    if others:
        return ", ".join(others)
    if row.nearest is not None and all(r is not row for r in seg.unique):
        return f"near: {row.nearest[0].theme.label}"
    return "only here"


def _segment_md_row(seg: SegmentSummary, row: SegmentTheme) -> str:
    return (
        f"| {_md(row.evidence.theme.label)} `{row.evidence.theme.id}` | {row.evidence.theme.type} | "
        f"{row.coverage:.0%} | {row.participants} of {seg.participants} | {_md(_also_in(seg, row))} | "
        f"\"{_md(trim(row.quote.text, 100))}\" |"
    )


def segments_csv(report: SegmentsReport) -> str:
    rows: list[list[Any]] = [
        ["segment", "theme", "label", "type", "strength", "participants", "coverage", "unique", "also_in", "quote",
         "nearest_elsewhere", "nearest_similarity"]
    ]
    for seg in report.segments:
        unique = {id(r) for r in seg.unique}
        for row in seg.themes:
            others = [name for name in row.evidence.segments if name != seg.name]
            rows.append(
                [seg.name, row.evidence.theme.id, row.evidence.theme.label, row.evidence.theme.type,
                 row.evidence.strength, row.participants, f"{row.coverage:.3f}", id(row) in unique,
                 "; ".join(others), row.quote.text, row.nearest[0].theme.id if row.nearest else "",
                 f"{row.nearest[1]:.3f}" if row.nearest else ""]
            )
    return _csv(rows)


def segments_tables(report: SegmentsReport, terminal: bool, width: int | None = 80) -> list[Any]:
    from rich.text import Text

    out: list[Any] = []
    label, also, quote = _flexible(width, [4, 5], [4, 2, 3])
    for seg in report.segments:
        title = _fit(f"{seg.name}: {seg.notes} notes, {seg.participants} participants ({_counts(seg.sources)})", width)
        table = _table(terminal, _shown(title))
        table.add_column("Theme", no_wrap=True, overflow="ellipsis", width=label)
        table.add_column("Type", no_wrap=True, width=_fixed(4, width))
        table.add_column("Cover", justify="right", no_wrap=True, width=_fixed(5, width))
        table.add_column("Also in", no_wrap=True, overflow="ellipsis", width=also)
        table.add_column("Quote", no_wrap=True, overflow="ellipsis", width=quote)
        for row in seg.themes[: report.top]:
            table.add_row(
                _shown(row.evidence.theme.label), row.evidence.theme.type,
                f"{row.coverage:.0%}", _shown(_also_in(seg, row)), _shown(f"“{row.quote.text}”"),
            )
        out.append(table)
        for row in seg.unique[: report.top]:
            line = f"only here ({row.participants} of {seg.participants}): {row.evidence.theme.label}"
            if row.within is not None:
                line += f" (part of: {row.within.theme.label})"
            elif row.nearest is not None:
                line += f" (nearest elsewhere: {row.nearest[0].theme.label}, {row.nearest[1]:.2f})"
            out.append(Text(visible(_fit(line, width)), no_wrap=True))
        out.append(Text(""))
    return out[:-1]


def show_lines(report: ShowReport) -> list[str]:
    e = report.evidence
    theme = e.theme
    lines = [
        f"{theme.label}",
        (f"id {theme.id} · {theme.type} · {e.strength} · {e.participants} participants · {e.mentions} mentions "
         f"in {e.notes} notes · {e.first_seen} to {e.last_seen}"),
        f"segments: {_counts(e.segments)}",
        f"sources: {_counts(e.sources)}",
        f"researchers: {', '.join(e.researchers) or 'none given'}",
    ]
    if theme.representative is not None:
        lines.append(f"most typical: {theme.representative.text}")
    if report.neighbours:
        lines.append("nearest themes: " + "; ".join(
            f"{other.theme.label} ({other.theme.id}, {similarity:.2f})" for other, similarity in report.neighbours))
    lines.append("")
    parts = [(f"{sub.label} ({sub.id}, {len(sub.statements)})", sub.statements) for sub in theme.subthemes]
    for title, statements in parts or [("", theme.statements)]:
        if title:
            lines.append(f"sub-theme: {title}")
        for s in statements:
            note = s.note
            who = note.participant or "no participant"
            inferred = f" [inferred: {why_typed(s)}]" if s.inferred else ""
            fit = theme.fit_of(s)
            similarity = f"  similarity {fit:.2f}" if fit is not None else ""
            lines.append(f"{s.place}  {note.date}  {note.segment} · {note.kind} · {who}{inferred}{similarity}")
            lines.append(f"    {s.text}")
        if title:
            lines.append("")
    if lines and lines[-1] == "":
        lines.pop()
    return [visible(line) for line in lines]


def show_json(report: ShowReport, pretty: bool = True) -> str:
    data = theme_dict(report.evidence)
    data["nearest_themes"] = [
        {"id": other.theme.id, "label": other.theme.label, "similarity": similarity}
        for other, similarity in report.neighbours
    ]
    return _json(data, pretty)


def show_markdown(report: ShowReport) -> str:
    e = report.evidence
    lines = [
        f"### {_md(e.theme.label)}",
        "",
        (f"`{e.theme.id}` · {e.theme.type} · **{e.strength}** · {e.participants} participants · "
         f"{e.mentions} mentions · {_md(_counts(e.segments))} · {_md(_counts(e.sources))}"),
        "",
    ]
    for s in e.theme.statements:
        lines.append(f"- \"{_md(s.text)}\" ({s.note.participant or s.note.id}, {s.note.segment}, {s.note.kind}, "
                     f"{s.note.date}; `{s.place}`)")
    return _text_lines(lines)


def show_csv(report: ShowReport) -> str:
    return statements_csv([(s, report.evidence.theme.id) for s in report.evidence.theme.statements])


def statements_json(synthesis: Synthesis, pretty: bool = True) -> str:
    notes: dict[int, dict[str, Any]] = {}
    return _json(
        {
            "statements": [
                statement_dict(s, synthesis.theme_of.get(id(s)), True, notes) for s in synthesis.statements
            ],
            "summary": _summary(synthesis, len(synthesis.ranked)),
        },
        pretty,
    )


def statements_csv(pairs: list[tuple[Statement, str | None]]) -> str:
    notes: dict[int, dict[str, Any]] = {}
    rows: list[list[Any]] = [[*STATEMENT_COLUMNS, "theme"]]
    for statement, theme in pairs:
        rows.append(list(statement_dict(statement, theme, True, notes).values()))
    return _csv(rows)


def statements_markdown(synthesis: Synthesis) -> str:
    lines = ["| Type | Inferred | Section | Statement | Theme | Place |", "|---|---|---|---|---|---|"]
    for s in synthesis.statements:
        lines.append(
            f"| {s.type} | {'yes' if s.inferred else 'no'} | {s.section} | {_md(s.text)} | "
            f"{synthesis.theme_of.get(id(s)) or ''} | `{s.place}` |"
        )
    return _text_lines(lines)


def statements_table(synthesis: Synthesis, terminal: bool, width: int | None = 80) -> Table:

    table = _table(terminal)
    text, place = _flexible(width, [5, 3, 11], [3, 2])
    table.add_column("Type", no_wrap=True, width=_fixed(5, width))
    table.add_column("Inf", no_wrap=True, width=_fixed(3, width))
    table.add_column("Statement", no_wrap=True, overflow="ellipsis", width=text)
    table.add_column("Theme", no_wrap=True, overflow="ellipsis", width=_fixed(11, width))
    table.add_column("Place", no_wrap=True, overflow="ellipsis", width=place)
    for s in synthesis.statements:
        table.add_row(
            s.type or "", "yes" if s.inferred else "", _shown(s.text), synthesis.theme_of.get(id(s)) or "",
            _shown(s.place),
        )
    return table


# --- trends ---------------------------------------------------------------------------------------

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(counts: Iterable[int]) -> str:
    """One character per period: ▁ for none, up to █ for the theme's busiest period."""
    values = list(counts)
    top = max(values, default=0) or 1
    return "".join(SPARKS[0] if v == 0 else SPARKS[max(1, round(v / top * (len(SPARKS) - 1)))] for v in values)


def trends_json(report: TrendsReport, pretty: bool = True) -> str:
    return _json(
        {
            "by": report.by,
            "periods": report.periods,
            "themes": [
                {
                    "id": row.evidence.theme.id,
                    "label": row.evidence.theme.label,
                    "type": row.evidence.theme.type,
                    "strength": row.evidence.strength,
                    "total": sum(row.counts),
                    "counts": list(row.counts),
                    "trend": row.direction,
                }
                for row in report.rows
            ],
        },
        pretty,
    )


def trends_csv(report: TrendsReport) -> str:
    rows: list[list[Any]] = [["id", "label", "type", "trend", "total", *report.periods]]
    for row in report.rows:
        rows.append([row.evidence.theme.id, row.evidence.theme.label, row.evidence.theme.type, row.direction,
                     sum(row.counts), *row.counts])
    return _csv(rows)


def trends_markdown(report: TrendsReport) -> str:
    first, last = (report.periods[0], report.periods[-1]) if report.periods else ("", "")
    lines = [f"| Theme | Type | Mentions | {first} … {last} | Trend |", "|---|---|---:|---|---|"]
    for row in report.rows:
        lines.append(f"| {_md(row.evidence.theme.label)} `{row.evidence.theme.id}` | {row.evidence.theme.type} | "
                     f"{sum(row.counts)} | `{sparkline(row.counts)}` | {row.direction} |")
    return _text_lines(lines)


TREND_STYLE = {"rising": "bold green", "fading": "red", "steady": ""}


def trends_table(report: TrendsReport, terminal: bool, width: int | None = 80) -> Table:
    from rich.text import Text

    header = "Months" if report.by == "month" else "Quarters"
    spark = max(len(report.periods), len(header))
    first, last = (report.periods[0], report.periods[-1]) if report.periods else ("", "")
    table = _table(terminal, _shown(f"mentions per {report.by}, {first} to {last}") if report.periods else None)
    (label,) = _flexible(width, [4, 5, spark, 7], [1])
    table.add_column("Theme", no_wrap=True, overflow="ellipsis", width=label)
    table.add_column("Type", no_wrap=True, width=_fixed(4, width))
    table.add_column("Total", justify="right", no_wrap=True, width=_fixed(5, width))
    table.add_column(header, no_wrap=True, width=_fixed(spark, width))
    table.add_column("Trend", no_wrap=True, width=_fixed(7, width))
    for row in report.rows:
        style = TREND_STYLE[row.direction] if terminal else ""
        table.add_row(_shown(row.evidence.theme.label), row.evidence.theme.type, str(sum(row.counts)),
                      sparkline(row.counts), Text(row.direction, style=style))
    return table
