"""Reports as CSV (`--format csv`): one header row, one row per theme or statement, every cell safe to
open in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from custlens.infra.visible import visible
from custlens.models import Statement
from custlens.output.records import (
    STATEMENT_COLUMNS,
    counts,
    note_place,
    statement_dict,
    subthemes,
)
from custlens.reports import (
    ChangesReport,
    CompareReport,
    CompetitorsReport,
    SegmentsReport,
    ShowReport,
    Synthesis,
    ThemesReport,
    TrendsReport,
)

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


def themes(report: ThemesReport) -> str:
    rows: list[list[Any]] = [
        ["rank", "id", "label", "type", "strength", "mentions", "notes", "participants", "segments", "sources",
         "researchers", "first_seen", "last_seen", "quote", "subthemes", "competitors"]
    ]
    for rank, e in enumerate(report.shown, 1):
        rows.append(
            [rank, e.theme.id, e.theme.label, e.theme.type, e.strength, e.mentions, e.notes, e.participants,
             counts(e.segments), counts(e.sources), ", ".join(e.researchers), e.first_seen.isoformat(),
             e.last_seen.isoformat(), e.quote.text, subthemes(e), counts(e.competitors)]
        )
    return _csv(rows)


def segments(report: SegmentsReport) -> str:
    rows: list[list[Any]] = [
        ["segment", "theme", "label", "type", "strength", "participants", "coverage", "unique", "also_in", "quote",
         "nearest_elsewhere", "nearest_similarity", "part_of"]
    ]
    for seg in report.segments:
        unique = {id(r) for r in seg.unique}
        # its themes, then the sub-themes only it says inside themes it shares (part_of: that theme)
        for row in [*seg.themes, *(r for r in seg.unique if r.within is not None)]:
            others = [name for name in row.evidence.segments if name != seg.name]
            rows.append(
                [seg.name, row.evidence.theme.id, row.evidence.theme.label, row.evidence.theme.type,
                 row.evidence.strength, row.participants, f"{row.coverage:.3f}", id(row) in unique,
                 "; ".join(others), row.quote.text, row.nearest[0].theme.id if row.nearest else "",
                 f"{row.nearest[1]:.3f}" if row.nearest else "", row.within.theme.id if row.within else ""]
            )
    return _csv(rows)


def show(report: ShowReport) -> str:
    """One row per statement of the theme, with its sub-theme and its similarity to the theme, as the text
    and JSON give them."""
    theme = report.evidence.theme
    sub_of = {id(s): sub for sub in theme.subthemes for s in sub.statements}
    fits = theme.fits()
    notes: dict[int, dict[str, Any]] = {}
    rows: list[list[Any]] = [[*STATEMENT_COLUMNS, "theme", "subtheme", "subtheme_label", "similarity"]]
    for statement in theme.statements:
        sub = sub_of.get(id(statement))
        rows.append([*statement_dict(statement, theme.id, True, notes).values(), sub.id if sub else "",
                     sub.label if sub else "", fits.get(id(statement), "")])
    return _csv(rows)


def statements(synthesis: Synthesis) -> str:
    return _statement_rows([(s, synthesis.theme_of.get(id(s))) for s in synthesis.statements])


def _statement_rows(pairs: list[tuple[Statement, str | None]]) -> str:
    notes: dict[int, dict[str, Any]] = {}
    rows: list[list[Any]] = [[*STATEMENT_COLUMNS, "theme"]]
    for statement, theme in pairs:
        rows.append(list(statement_dict(statement, theme, True, notes).values()))
    return _csv(rows)


def trends(report: TrendsReport) -> str:
    rows: list[list[Any]] = [["id", "label", "type", "trend", "p", "notes_earlier", "notes_later", "total",
                              *report.periods]]
    for row in report.rows:
        rows.append([row.evidence.theme.id, row.evidence.theme.label, row.evidence.theme.type, row.direction,
                     None if row.p is None else round(row.p, 4), row.notes[0], row.notes[1], sum(row.counts), *row.counts])
    return _csv(rows)


def changes(report: ChangesReport) -> str:
    """One row per statement behind a change, with its theme's counts then and now beside it."""
    rows: list[list[Any]] = [
        ["change", "id", "label", "type", "strength_then", "strength_now", "mentions_then", "mentions_now",
         "participants_then", "participants_now", "new_segments", "new_sources", "status", "path", "line", "date",
         "segment", "kind", "participant", "commit", "text"]
    ]
    for change in report.shown:
        e, then, now = change.evidence, change.then, change.now
        theme = [change.change, e.theme.id, e.theme.label, e.theme.type,
                 then.strength if then else "", now.strength if now else "", then.mentions if then else "",
                 now.mentions if now else "", then.participants if then else "", now.participants if now else "",
                 "; ".join(change.new_segments), "; ".join(change.new_sources)]
        for traced in change.traced:
            s = traced.statement
            rows.append([*theme, traced.status, s.note.path, s.line, s.note.date.isoformat(), s.note.segment,
                         s.note.kind, s.note.participant or "", report.commit(traced) or "", s.text])
    return _csv(rows)


def competitors(report: CompetitorsReport) -> str:
    rows: list[list[Any]] = [
        ["competitor", "spellings", "notes", "listed", "participants", "segments", "sources", "mentions", "themes",
         "quotes", "note_paths"]
    ]
    for c in report.competitors:
        themes = "; ".join(f"{t.evidence.theme.label} [{t.evidence.theme.type}] ({t.participants})" for t in c.themes)
        quotes = " | ".join(f"{s.text} ({s.place})" for s in c.quotes)
        rows.append([c.name, "; ".join(c.spellings), len(c.notes), c.listed, c.participants, counts(c.segments),
                     counts(c.sources), len(c.quotes), themes, quotes, "; ".join(note_place(n) for n in c.notes)])
    return _csv(rows)


def churn(report: CompareReport) -> str:
    rows: list[list[Any]] = [
        ["id", "label", "type", "group_participants", "group_total", "rest_participants", "rest_total", "difference",
         "low", "high", "verdict"]
    ]
    for row in report.shown:
        theme = row.evidence.theme
        rows.append([theme.id, theme.label, theme.type, row.group, row.group_total, row.rest, row.rest_total,
                     f"{row.difference:.4f}", f"{row.low:.4f}", f"{row.high:.4f}", row.verdict])
    return _csv(rows)
