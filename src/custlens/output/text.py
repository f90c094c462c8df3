"""Reports as lines of plain text: `check` (and its GitHub Actions annotations), `show`, and the note
under the themes table. Every value from a note has its control characters written out.
"""

from __future__ import annotations

from collections.abc import Iterable

from custlens.infra.visible import visible
from custlens.output.records import (
    CHANGES_SHOWN,
    change_facts,
    change_heading,
    comparison_line,
    counts,
    pairing_line,
    plural,
    problem_line,
    traced_line,
    why_typed,
)
from custlens.reports import (
    ChangesReport,
    CheckReport,
    CompareReport,
    ShowReport,
    ThemesReport,
)


def check(report: CheckReport, strict: bool) -> Iterable[tuple[str, str]]:
    """Lines of `custlens check` output, each with a style name for the terminal."""
    for parsed in report.files:
        for problem in parsed.problems:
            yield problem_line(problem), problem.severity
            if problem.hint:
                yield visible(f"    hint: {problem.hint}"), "hint"
    summary = (f"{plural(report.file_count, 'file')}, {plural(report.notes, 'note')}: "
               f"{plural(report.errors, 'error')}, {plural(report.warnings, 'warning')}")
    code = report.exit_code(strict)
    yield ("ok: " if code == 0 else "failed: ") + summary, "ok" if code == 0 else "error"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(report: CheckReport) -> Iterable[str]:
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


def github_error(message: str) -> str:
    """One `::error` annotation for what stopped `check` before any note was read."""
    return f"::error title={_escape_property('custlens no-notes')}::{_escape_data(visible(message))}"


def no_themes(report: ThemesReport) -> str:
    """Why a themes table is empty: no note matches the filters, the notes state no pain or need, every
    theme was said only once, or --type or --min-strength left none."""
    synthesis = report.synthesis
    if not synthesis.corpus.notes:
        return "no themes: no notes"
    if not synthesis.notes:
        return f"no themes: none of the {plural(len(synthesis.corpus.notes), 'note')} matches the filters"
    if not any(statement.type in ("pain", "need") for statement in synthesis.statements):
        from custlens.models import UNDER_MINIMUM

        held_back = sum(1 for s in synthesis.statements if s.why is not None and UNDER_MINIMUM in s.why)
        if held_back:
            return (f"no themes: {plural(held_back, 'inferred pain or need statement')} fell under the "
                    "minimum confidence (--min-confidence, or min_confidence in custlens.yaml)")
        return f"no themes: no pains or needs in the {plural(len(synthesis.notes), 'note')}"
    if synthesis.ranked:
        return (f"no theme said more than once: {plural(len(synthesis.ranked), 'theme')} said only once; "
                "--all shows every theme")
    return "no themes: --type or --min-strength left none"


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


def show(report: ShowReport) -> list[str]:
    e = report.evidence
    theme = e.theme
    lines = [
        f"{theme.label}",
        (f"id {theme.id} · {theme.type} · {e.strength} · {plural(e.participants, 'participant')} · "
         f"{plural(e.mentions, 'mention')} in {plural(e.notes, 'note')} · {e.first_seen} to {e.last_seen}"),
        f"segments: {counts(e.segments)}",
        f"sources: {counts(e.sources)}",
        f"competitors: {counts(e.competitors) or 'none named'}",
        f"researchers: {', '.join(e.researchers) or 'none given'}",
    ]
    if theme.representative is not None:
        lines.append(f"most typical: {theme.representative.text}")
    if report.neighbours:
        lines.append("nearest themes: " + "; ".join(
            f"{other.theme.label} ({other.theme.id}, {similarity:.2f})" for other, similarity in report.neighbours))
    lines.append("")
    parts = [(f"{sub.label} ({sub.id}, {len(sub.statements)})", sub.statements) for sub in theme.subthemes]
    fits = theme.fits()
    for title, statements in parts or [("", theme.statements)]:
        if title:
            lines.append(f"sub-theme: {title}")
        for s in statements:
            note = s.note
            who = note.participant or "no participant"
            inferred = f" [inferred: {why_typed(s)}]" if s.inferred else ""
            fit = fits.get(id(s))
            similarity = f"  similarity {fit:.2f}" if fit is not None else ""
            lines.append(f"{s.place}  {note.date}  {note.segment} · {note.kind} · {who}{inferred}{similarity}")
            lines.append(f"    {s.text}")
        if title:
            lines.append("")
    if lines and lines[-1] == "":
        lines.pop()
    return [visible(line) for line in lines]


def changes(report: ChangesReport) -> list[str]:
    """What changed since then, kind by kind: each theme with what changed, then every statement that
    made the change (where it is, the commit that added its note) and its text."""
    lines = [comparison_line(report),
             pairing_line(report), ""]
    for kind in CHANGES_SHOWN:
        lines.append(change_heading(report, kind))
        for change in (c for c in report.shown if c.change == kind):
            e = change.evidence
            lines.append(f"  {e.theme.label} ({e.theme.id}): {' · '.join(change_facts(change))}")
            for traced in change.traced:
                lines.append(f"    {traced_line(report, traced)}")
                lines.append(f"        {traced.statement.text}")
        lines.append("")
    lines.append(f"unchanged: {plural(report.count('unchanged')[1], 'theme')}")
    return [visible(line) for line in lines]


def churn_footer(report: CompareReport) -> str | None:
    """How many themes the comparison left out, and how to see them."""
    left = len(report.rows) - len(report.shown)
    if not left:
        return None
    return f"{len(report.shown)} of {len(report.rows)} themes shown ({left} beyond --top); --all shows every theme"
