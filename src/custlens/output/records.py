"""Reports as records: the fields each output format shares (a statement or a theme as a mapping, the
summary, a problem's `path:line` form, counts as text), so JSON, CSV, Markdown, text and tables say the
same thing in the same words.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from custlens.errors import Problem
from custlens.infra.visible import visible
from custlens.models import Note, Statement
from custlens.pipeline.contrast import Contrast
from custlens.pipeline.competitors import CompetitorSummary
from custlens.pipeline.triangulate import Evidence, SegmentSummary, SegmentTheme
from custlens.reports import CompareReport, Synthesis


def problem_line(problem: Problem) -> str:
    """`path:line: error[code]: message`, the form editors and CI logs can jump to (control characters
    of the values it names written out)."""
    where = f"{problem.path}:{problem.line}" if problem.line is not None else problem.path
    entry = f" (batch entry {problem.entry})" if problem.entry is not None else ""
    return visible(f"{where}: {problem.severity}[{problem.code}]: {problem.message}{entry}")


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
            "competitors": evidence.competitors,
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


def summary(synthesis: Synthesis, themes: int) -> dict[str, Any]:
    return {
        "notes": len(synthesis.notes),
        "statements": len(synthesis.statements),
        "themes": themes,
        "themes_total": len(synthesis.ranked),
        "skipped_files": len(synthesis.corpus.skipped_files),
    }


def counts(by_name: dict[str, int]) -> str:
    """`name count, name count`: segments or kinds of source with how many say it."""
    return ", ".join(f"{name} {count}" for name, count in by_name.items())


def subthemes(evidence: Evidence) -> str:
    """`label (mentions); label (mentions)`: a theme's sub-themes, biggest first."""
    return "; ".join(f"{sub.label} ({len(sub.statements)})" for sub in evidence.theme.subthemes)


def also_in(seg: SegmentSummary, row: SegmentTheme) -> str:
    """Where else a segment's theme is said: other segments, else `only here`, or `near: <label>` when a
    theme said elsewhere is close to it."""
    others = [name for name in row.evidence.segments if name != seg.name]
    if others:
        return ", ".join(others)
    if row.nearest is not None and all(r is not row for r in seg.unique):
        return f"near: {row.nearest[0].theme.label}"
    return "only here"


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(counts: Iterable[int]) -> str:
    """One character per period: ▁ for none, up to █ for the theme's busiest period."""
    values = list(counts)
    top = max(values, default=0) or 1
    return "".join(SPARKS[0] if v == 0 else SPARKS[max(1, round(v / top * (len(SPARKS) - 1)))] for v in values)


# --- competitors ----------------------------------------------------------------------------------


def competitor_line(c: CompetitorSummary) -> str:
    """`Fresha: 2 notes (2 list it), 2 participants · salons 2 · cancellation 1, sales-call 1`."""
    return (f"{c.name}: {len(c.notes)} note{'s' * (len(c.notes) != 1)} ({c.listed} list{'s' * (c.listed == 1)} it), "
            f"{c.participants} participant{'s' * (c.participants != 1)} · {counts(c.segments)} · {counts(c.sources)}")


def note_place(note: Note) -> str:
    """A note's file, with its entry in a batch: `notes/export.yaml#3`."""
    return f"{note.path}#{note.entry}" if note.entry is not None else note.path


def competitor_dict(c: CompetitorSummary, notes: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": c.name,
        "spellings": list(c.spellings),
        "notes": [
            {"path": n.path, "entry": n.entry, "note": n.id, "date": n.date.isoformat(), "segment": n.segment,
             "kind": n.kind, "participant": n.participant}
            for n in c.notes
        ],
        "listed": c.listed,
        "participants": c.participants,
        "segments": c.segments,
        "sources": c.sources,
        "mentions": len(c.quotes),
        "themes": [
            {"id": t.evidence.theme.id, "label": t.evidence.theme.label, "type": t.evidence.theme.type,
             "participants": t.participants, "theme_participants": t.evidence.participants}
            for t in c.themes
        ],
        "quotes": [statement_dict(s, notes=notes) for s in c.quotes],
    }


def left_out(themes: int, statements: int) -> str:
    """What a competitor's text or Markdown leaves out beyond --top: `2 more themes and 1 more statement`."""
    parts = [f"{n} more {what}{'s' * (n != 1)}" for n, what in ((themes, "theme"), (statements, "statement")) if n > 0]
    return " and ".join(parts) + " (--top N shows more, --format json all)"


# --- one group against the rest -------------------------------------------------------------------


def points(share: float) -> str:
    """A difference of shares in percentage points, signed: `+46`, `-3`, `0`."""
    value = round(share * 100)
    return f"{value:+d}" if value else "0"


def interval(row: Contrast) -> str:
    return f"{points(row.low)} to {points(row.high)}"


def group_title(report: CompareReport) -> str:
    """Who is compared with whom: `cancellations and lost deals (kind=cancellation or tag=lost-deal): 6
    notes from 6 participants; the rest: 58 notes from 52 participants`."""
    group = report.group
    name = f"{group.name} ({group})" if group.name else f"notes where {group}"
    return (f"{name}: {report.group_notes} notes from {report.group_participants} participants; "
            f"the rest: {report.rest_notes} notes from {report.rest_participants} participants")


def contrast_dict(row: Contrast) -> dict[str, Any]:
    theme = row.evidence.theme
    return {
        "id": theme.id,
        "label": theme.label,
        "type": theme.type,
        "group": {"participants": row.group, "of": row.group_total,
                  "share": round(row.group / row.group_total, 4) if row.group_total else 0.0},
        "rest": {"participants": row.rest, "of": row.rest_total,
                 "share": round(row.rest / row.rest_total, 4) if row.rest_total else 0.0},
        "difference": round(row.difference, 4),
        "interval": [round(row.low, 4), round(row.high, 4)],
        "verdict": row.verdict,
    }


def share_of(said: int, total: int) -> str:
    """`3/6 50%`: participants who said it, out of how many, and the share."""
    return f"{said}/{total} {said / total:.0%}" if total else f"{said}/0"
