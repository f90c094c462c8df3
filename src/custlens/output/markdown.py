"""Reports as Markdown (`--format markdown`): tables to paste into a wiki, an issue or a pull request."""

from __future__ import annotations

import re

from custlens.infra.visible import visible
from custlens.models import Statement
from custlens.output.records import (
    CHANGES_SHOWN,
    also_in,
    change_facts,
    change_heading,
    comparison_line,
    competitor_line,
    counts,
    group_title,
    interval,
    left_out,
    note_place,
    pairing_line,
    plural,
    points,
    quoted,
    share_of,
    sparkline,
    subthemes,
    trend_notes,
    trend_p,
)
from custlens.output.text import themes_footer
from custlens.pipeline.triangulate import SegmentSummary, SegmentTheme
from custlens.reports import (
    ChangesReport,
    CompareReport,
    CompetitorsReport,
    HtmlReport,
    SegmentsReport,
    ShowReport,
    Synthesis,
    ThemesReport,
    TrendsReport,
)

# what Markdown (and the HTML it lets through) would read as markup in a customer's words: `**`, `_`,
# `<!-- -->`, `&lt;`, a table's `|`, and the `[` that opens a link (an open `[` also stops GitHub from
# linking the web addresses after it); each is written with a backslash, so it shows as typed
_MARKUP = re.compile(r"([\\`*_<>~|&\[])")
# an address GitHub makes a link of by itself, from the raw text: a backslash inside it would be part of
# the link, so only a table's `|` is escaped there (a fixed start, then no backtracking: linear time)
_ADDRESS = re.compile(r"((?:https?://|www\.)[^\s<>|]+)")


def _md(text: str) -> str:
    """Text as it reads, for Markdown: markup characters escaped (web addresses left whole), on one line."""
    parts = _ADDRESS.split(text)  # text, address, text, ...: the addresses at odd places
    escaped = "".join(part if k % 2 else _MARKUP.sub(r"\\\1", part) for k, part in enumerate(parts))
    return escaped.replace("\r", " ").replace("\n", " ")


def _code(text: str, table: bool = False) -> str:
    """A code span (`path:line`): backslashes are literal inside it, so nothing is escaped but a table's
    `|`; a text with a backtick is fenced with two."""
    text = " ".join(text.split("\n"))
    if table:
        text = text.replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def text_lines(lines: list[str]) -> str:
    """Lines of text output (Markdown, `show`), each with its control characters written out."""
    return "\n".join(visible(line) for line in lines) + "\n"


def themes(report: ThemesReport) -> str:
    lines = [
        "| # | Theme | Type | Strength | Participants | Segments | Sources | Quote | Sub-themes |",
        "|---:|---|---|---|---:|---|---|---|---|",
    ]
    for rank, e in enumerate(report.shown, 1):
        lines.append(
            f"| {rank} | {_md(e.theme.label)} `{e.theme.id}` | {e.theme.type} | {e.strength} | {e.participants} | "
            f"{_md(counts(e.segments))} | {_md(counts(e.sources))} | {_quoted(e.quote)} | "
            f"{_md(subthemes(e))} |"
        )
    footer = themes_footer(report)
    if footer:
        lines += ["", f"_{footer}_"]
    return text_lines(lines)


def segments(report: SegmentsReport) -> str:
    lines: list[str] = []
    for seg in report.segments:
        lines.append(f"## {_md(seg.name)}")
        lines.append("")
        lines.append(
            f"{plural(seg.notes, 'note')}, {plural(seg.participants, 'participant')}; sources: {_md(counts(seg.sources))}."
        )
        if seg.competitors:
            lines += ["", f"Competitors named (participants): {_md(counts(seg.competitors))}."]
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
    return text_lines(lines)[:-1]


def _segment_md_row(seg: SegmentSummary, row: SegmentTheme) -> str:
    return (
        f"| {_md(row.evidence.theme.label)} `{row.evidence.theme.id}` | {row.evidence.theme.type} | "
        f"{row.coverage:.0%} | {row.participants} of {seg.participants} | {_md(also_in(seg, row))} | "
        f"{_quoted(row.quote)} |"
    )


def show(report: ShowReport) -> str:
    e = report.evidence
    lines = [
        f"### {_md(e.theme.label)}",
        "",
        (f"`{e.theme.id}` · {e.theme.type} · **{e.strength}** · {plural(e.participants, 'participant')} · "
         f"{plural(e.mentions, 'mention')} · {_md(counts(e.segments))} · {_md(counts(e.sources))}"),
        "",
    ]
    if e.competitors:
        lines += [f"Competitors named (participants): {_md(counts(e.competitors))}", ""]
    theme = e.theme
    if theme.representative is not None:
        lines += [f"Most typical: \"{_md(theme.representative.text)}\"", ""]
    if report.neighbours:
        lines += ["Nearest themes: " + "; ".join(f"{_md(other.theme.label)} `{other.theme.id}` ({similarity:.2f})"
                                                 for other, similarity in report.neighbours), ""]
    fits = theme.fits()
    parts = [(f"#### {_md(sub.label)} `{sub.id}` ({len(sub.statements)})", sub.statements) for sub in theme.subthemes]
    for heading, said in parts or [("", theme.statements)]:
        if heading:
            lines += [heading, ""]
        lines += [_quote_item(s, fits.get(id(s))) for s in said]
        if heading:
            lines.append("")
    return text_lines(lines[:-1] if lines[-1] == "" else lines)


def statements(synthesis: Synthesis) -> str:
    lines = ["| Type | Inferred | Section | Statement | Theme | Place |", "|---|---|---|---|---|---|"]
    for s in synthesis.statements:
        lines.append(
            f"| {s.type} | {'yes' if s.inferred else 'no'} | {s.section} | {_md(s.text)} | "
            f"{synthesis.theme_of.get(id(s)) or ''} | {_code(s.place, table=True)} |"
        )
    return text_lines(lines)


def trends(report: TrendsReport) -> str:
    first, last = (report.periods[0], report.periods[-1]) if report.periods else ("", "")
    lines = [f"| Theme | Type | Mentions | {first} … {last} | Notes | Trend | p |", "|---|---|---:|---|---:|---|---:|"]
    for row in report.rows:
        lines.append(f"| {_md(row.evidence.theme.label)} `{row.evidence.theme.id}` | {row.evidence.theme.type} | "
                     f"{sum(row.counts)} | `{sparkline(row.counts)}` | {trend_notes(row)} | {row.direction} | "
                     f"{trend_p(row)} |")
    return text_lines(lines)


def changes(report: ChangesReport) -> str:
    """The changes since then as Markdown: a heading per kind of change, a bullet per theme with what
    changed and the places (and commits) of the statements that made it."""
    since = report.since.given or "then"  # a revision or a date, as written
    lines = [f"## Changes since {_md(since)}", "", f"{_md(comparison_line(report))}. {pairing_line(report)}.", ""]
    for kind in CHANGES_SHOWN:
        lines += [f"### {_md(change_heading(report, kind)).capitalize()}", ""]
        for change in (c for c in report.shown if c.change == kind):
            e = change.evidence
            places = ", ".join(
                f"`{t.statement.place}` ({', '.join(filter(None, (t.status, report.commit(t))))})" for t in change.traced)
            lines.append(f"- **{_md(e.theme.label)}** `{e.theme.id}`: {_md(' · '.join(change_facts(change)))}. "
                         f"{places}")
        if lines[-1] != "":
            lines.append("")
    lines.append(f"_Unchanged: {plural(report.count('unchanged')[1], 'theme')}._")
    return text_lines(lines)


def planning(report: HtmlReport) -> str:
    """A summary to paste into a planning document or a GitHub issue: the top themes with their strength,
    segments and a quote each, and, with --since, what changed since the last planning."""
    synthesis = report.synthesis
    notes = synthesis.notes
    people = len({n.who for n in notes})
    segments = len({n.segment for n in notes})
    scope = f"{plural(len(notes), 'note')} from {plural(people, 'participant')} in {plural(segments, 'segment')}"
    if notes:
        scope += f", {min(n.date for n in notes)} to {max(n.date for n in notes)}"
    lines = [
        "## Customer evidence: top themes", "",
        f"{scope}; {len(report.shown)} of {len(synthesis.ranked)} themes, strongest evidence first.", "",
        "| # | Theme | Type | Strength | Participants | Segments | Quote |",
        "|---:|---|---|---|---:|---|---|",
    ]
    for rank, e in enumerate(report.shown, 1):
        quote = e.quote
        who = quote.note.participant or quote.note.id
        lines.append(
            f"| {rank} | {_md(e.theme.label)} `{e.theme.id}` | {e.theme.type} | {e.strength} | {e.participants} | "
            f"{_md(counts(e.segments))} | {_quoted(quote)} ({_md(who)}, {_md(quote.note.segment)}, "
            f"{_code(quote.place, table=True)}) |"
        )
    strength = ("Strength: **strong** = 3+ participants from 2+ segments or through 2+ kinds of source; "
                "**moderate** = 2+ participants; **anecdotal** = one participant. A quote in quotation marks is the "
                "customer's own words; without them, the theme's most typical statement (no one was quoted).")
    text = text_lines([*lines, "", strength])
    if report.changes is not None:
        text += "\n" + changes(report.changes)
    return text


def _quoted(s: Statement) -> str:
    """`records.quoted` for Markdown (`"` is no markup, so the marks stay as they are)."""
    return _md(quoted(s, ('"', '"')))


def _quote_item(s: Statement, similarity: float | None = None) -> str:
    fit = f"; similarity {similarity:.2f}" if similarity is not None else ""
    return (f"- \"{_md(s.text)}\" ({_md(s.note.participant or s.note.id)}, {_md(s.note.segment)}, {_md(s.note.kind)}, "
            f"{s.note.date}; {_code(s.place)}{fit})")


def competitors(report: CompetitorsReport) -> str:
    lines: list[str] = []
    for c in report.competitors:
        lines += [f"## {_md(c.name)}", "", _md(competitor_line(c).split(": ", 1)[1]) + ".", "",
                  "Notes: " + ", ".join(_code(note_place(n)) for n in c.notes) + ".", ""]
        if c.themes:
            lines += ["| Theme | Type | Participants | Of all who said it |", "|---|---|---:|---:|"]
            lines += [f"| {_md(t.evidence.theme.label)} `{t.evidence.theme.id}` | {t.evidence.theme.type} | "
                      f"{t.participants} | {t.evidence.participants} |" for t in c.themes[: report.top]]
            lines.append("")
        lines += [_quote_item(s) for s in c.quotes[: report.top]]
        left = (len(c.themes) - report.top, len(c.quotes) - report.top)
        if max(left) > 0:
            lines += ["", f"_{_md(left_out(*left))}_"]
        lines.append("")
    return text_lines(lines[:-1])


def churn(report: CompareReport) -> str:
    lines = [
        f"_{_md(group_title(report))}_",
        "",
        "| Theme | Type | Group | Rest | Difference (points) | 95% interval | Verdict |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for row in report.shown:
        theme = row.evidence.theme
        lines.append(f"| {_md(theme.label)} `{theme.id}` | {theme.type} | {share_of(row.group, row.group_total)} | "
                     f"{share_of(row.rest, row.rest_total)} | {points(row.difference)} | {interval(row)} | "
                     f"{row.verdict} |")
    return text_lines(lines)
