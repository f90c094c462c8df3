"""Reports as records: the fields each output format shares (a statement or a theme as a mapping, the
summary, a problem's `path:line` form, counts as text), so JSON, CSV, Markdown, text and tables say the
same thing in the same words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from custlens.errors import Problem
from custlens.infra.visible import visible
from custlens.models import Note, Statement
from custlens.pipeline.compare import ThemeChange, Traced
from custlens.pipeline.competitors import CompetitorSummary
from custlens.pipeline.contrast import Contrast
from custlens.pipeline.triangulate import Evidence, SegmentSummary, SegmentTheme, Trend
from custlens.reports import ChangesReport, CompareReport, Moment, Synthesis


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
    if statement.section in ("pains", "needs") and statement.section == f"{statement.type}s":
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
    """Where else a segment's theme is said: other segments; else `only here` when it is one of the
    segment's unique themes, `near: <label>` when a theme said elsewhere is close to it, and `nowhere
    else (one participant)` when one person said it (one person is not what a segment says)."""
    others = [name for name in row.evidence.segments if name != seg.name]
    if others:
        return ", ".join(others)
    if any(r is row for r in seg.unique):
        return "only here"
    if row.nearest is not None:
        return f"near: {row.nearest[0].theme.label}"
    return "nowhere else (one participant)"


def trend_notes(row: Trend) -> str:
    """`13/35 → 7/29`: the notes that say a theme of the notes in the earlier half, then the later half."""
    return f"{row.notes[0]}/{row.scope[0]} → {row.notes[1]}/{row.scope[1]}"


def quoted(statement: Statement, marks: tuple[str, str] = ("“", "”")) -> str:
    """A theme's quote in quotation marks when it is one (a statement of a note's quotes); its most
    typical statement, used where the theme has no quote, without them: not the customer's own words."""
    text = statement.text
    return f"{marks[0]}{text}{marks[1]}" if statement.section == "quotes" else text


def trend_p(row: Trend) -> str:
    """How sure a trend is, as the test's p to two significant digits (`0.03`, `0.0076`, `0.12`, `<0.001`),
    with a third where two would put it on the other side of the 0.05 a trend needs (0.0528 is `0.053`,
    never `0.05`); empty where nothing could be compared."""
    if row.p is None:
        return ""
    if row.p < 0.001:
        return "<0.001"
    shown = f"{row.p:.2g}" if row.p < 0.1 else f"{row.p:.2f}"
    digits = 3
    while row.p > 0.05 and float(shown) <= 0.05 and digits < 17:  # 0.050004 is 0.050004, not 0.05
        shown, digits = f"{row.p:.{digits}g}", digits + 1
    return shown


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(counts: Iterable[int]) -> str:
    """One character per period: ▁ for none, up to █ for the theme's busiest period."""
    values = list(counts)
    top = max(values, default=0) or 1
    return "".join(SPARKS[0] if v == 0 else SPARKS[max(1, round(v / top * (len(SPARKS) - 1)))] for v in values)


# --- changes since a planning ---------------------------------------------------------------------

CHANGES_SHOWN = ("new", "grew", "shrank", "faded")  # the kinds of change listed (unchanged themes are counted)


def hundredths(value: float) -> str:
    """A similarity cut (not rounded) to two decimals: 0.596 is under the 0.60 that would hold a theme
    back and must not read 0.60; 0.57 (a value kept to three decimals) stays 0.57."""
    return f"{math.floor(round(value * 100, 6)) / 100:.2f}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def change_facts(change: ThemeChange) -> list[str]:
    """What changed in a theme, in words: counts then → now, strength, new segments and sources; for a
    new or faded theme, its evidence as it is or was."""
    now, then = change.now, change.then
    if now is None or then is None:
        e = change.evidence
        return [e.theme.type, e.strength, plural(e.participants, "participant"), plural(e.mentions, "mention"),
                counts(e.segments)]
    facts = [f"mentions {then.mentions} → {now.mentions}", f"participants {then.participants} → {now.participants}",
             f"{then.strength} → {now.strength}" if then.strength != now.strength else now.strength]
    if len(then.segments) != len(now.segments):
        facts.append(f"segments {len(then.segments)} → {len(now.segments)}")
    if change.new_segments:
        facts.append("new segments: " + ", ".join(change.new_segments))
    if change.new_sources:
        facts.append("new sources: " + ", ".join(change.new_sources))
    if change.counterpart is not None and change.counterpart.theme.label != now.theme.label:
        facts.append(f"then labelled {change.counterpart.theme.label} ({change.counterpart.theme.id})")
    if change.counterpart is None or change.regrouped_from:
        held = "; ".join(f"{e.theme.label} ({count})" for e, count in change.regrouped_from) or "no theme"
        facts.append(f"then in: {held}" if change.counterpart is None else f"then partly in: {held}")
    if change.matched_by == "centre" and change.similarity is not None:
        facts.append(f"paired by centre, {change.similarity:.2f} alike")
    return facts


def change_heading(report: ChangesReport, change: str) -> str:
    """`grew: 12 themes (3 shown)`: a kind of change with how many there are and are shown."""
    shown, total = report.count(change)
    once = report.said_once(change) if shown != total else 0
    more = f" ({shown} shown" + (f"; {once} said only once" if once else "") + ")" if shown != total else ""
    return f"{change}: {plural(total, 'theme')}{more}" if total else f"{change}: none"


def comparison_line(report: ChangesReport) -> str:
    """`then: N notes <which>; now: M notes <which>`."""
    return (f"then: {plural(len(report.then.notes), 'note')} {report.since.describe()}; "
            f"now: {plural(len(report.now.notes), 'note')} {report.until.describe()}")


def pairing_line(report: ChangesReport) -> str:
    """How the themes of the two runs were paired (by centres only where the engine has them)."""
    centres = any(e.theme.centre is not None for e in (*report.now.ranked, *report.then.ranked))
    return ("Themes are paired by their statements, or by centres at least "
            f"{report.centre_match:.2f} alike" if centres else "Themes are paired by their statements")


def moment_dict(moment: Moment) -> dict[str, Any]:
    revision = moment.revision
    return {
        "kind": moment.kind,
        "given": moment.given,
        "commit": revision.commit if revision else None,
        "short": revision.short if revision else None,
        "commit_date": revision.date.isoformat() if revision else None,
        "notes_before": moment.before.isoformat() if moment.before else None,
        "notes_through": moment.through.isoformat() if moment.through else None,
        "describe": moment.describe(),
    }


def _side(evidence: Evidence | None) -> dict[str, Any] | None:
    if evidence is None:
        return None
    return {"id": evidence.theme.id, "label": evidence.theme.label, "strength": evidence.strength,
            "mentions": evidence.mentions, "notes": evidence.notes, "participants": evidence.participants,
            "segments": evidence.segments, "sources": evidence.sources}


def traced_dict(report: ChangesReport, traced: Traced) -> dict[str, Any]:
    s = traced.statement
    return {"status": traced.status, "text": s.text, "path": s.note.path, "line": s.line, "entry": s.note.entry,
            "date": s.note.date.isoformat(), "segment": s.note.segment, "kind": s.note.kind,
            "participant": s.note.participant, "commit": report.commit(traced)}


def change_dict(report: ChangesReport, change: ThemeChange) -> dict[str, Any]:
    e = change.evidence
    return {
        "change": change.change, "id": e.theme.id, "label": e.theme.label, "type": e.theme.type,
        "then": _side(change.then), "now": _side(change.now), "matched_by": change.matched_by,
        "similarity": change.similarity,
        "counterpart": None if change.counterpart is None else {
            "id": change.counterpart.theme.id, "label": change.counterpart.theme.label},
        "regrouped_from": [{"id": e.theme.id, "label": e.theme.label, "statements": count}
                           for e, count in change.regrouped_from],
        "new_segments": list(change.new_segments), "new_sources": list(change.new_sources),
        "statements": [traced_dict(report, t) for t in change.traced],
    }


def changes_summary(report: ChangesReport) -> dict[str, Any]:
    data: dict[str, Any] = {
        side: {"notes": len(synthesis.notes), "statements": len(synthesis.statements), "themes": len(synthesis.ranked)}
        for side, synthesis in (("then", report.then), ("now", report.now))
    }
    for kind in ("new", "grew", "shrank", "faded", "unchanged"):
        data[kind] = report.count(kind)[1]
    data["shown"] = len(report.shown)
    return data


def traced_line(report: ChangesReport, traced: Traced) -> str:
    """`added notes/x.md:12  2026-09-16  trades · interview · P-034  a135da9`: where a statement behind a
    change is, and the commit that added its note."""
    s = traced.statement
    who = s.note.participant or "no participant"
    commit = report.commit(traced) or ("not committed" if report.added_now else "")
    return f"{traced.status} {s.place}  {s.note.date}  {s.note.segment} · {s.note.kind} · {who}  {commit}".rstrip()


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
    return (f"{name}: {plural(report.group_notes, 'note')} from {plural(report.group_participants, 'participant')}; "
            f"the rest: {plural(report.rest_notes, 'note')} from {plural(report.rest_participants, 'participant')}")


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
