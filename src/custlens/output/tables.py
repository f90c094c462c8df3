"""Reports as Rich tables: boxed, coloured and fitted to the width on a terminal; without a box or
colour, and every cell in full, in a pipe. Rich is imported only when a table is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from custlens.infra.visible import visible
from custlens.output.records import (
    also_in,
    competitor_line,
    counts,
    group_title,
    hundredths,
    interval,
    left_out,
    note_place,
    plural,
    points,
    quoted,
    share_of,
    sparkline,
    trend_notes,
    trend_p,
)
from custlens.pipeline.themes import trim
from custlens.reports import (
    CompareReport,
    CompetitorsReport,
    SegmentsReport,
    Synthesis,
    ThemesReport,
    TrendsReport,
)

if TYPE_CHECKING:
    from rich.table import Table


STRENGTH_STYLE = {"strong": "bold green", "moderate": "yellow", "anecdotal": "dim"}


TREND_STYLE = {"rising": "bold green", "fading": "red", "steady": ""}


def _shown(text: str) -> Any:
    """Text for a Rich table: control characters written out, never read as markup (Rich's markup parser
    tries each backslash of a long run again: quadratic time)."""
    from rich.text import Text

    return Text(visible(text))


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


def themes(report: ThemesReport, terminal: bool, width: int | None = 80) -> list[Any]:
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
            str(len(e.segments)), str(len(e.sources)), str(len(e.theme.subthemes) or ""), _shown(quoted(e.quote)),
        )
    return [table]


def segments(report: SegmentsReport, terminal: bool, width: int | None = 80) -> list[Any]:
    from rich.text import Text

    out: list[Any] = []
    label, also, quote = _flexible(width, [4, 5], [4, 2, 3])
    for seg in report.segments:
        title = _fit(f"{seg.name}: {plural(seg.notes, 'note')}, {plural(seg.participants, 'participant')} "
                     f"({counts(seg.sources)})", width)
        table = _table(terminal, _shown(title))
        table.add_column("Theme", no_wrap=True, overflow="ellipsis", width=label)
        table.add_column("Type", no_wrap=True, width=_fixed(4, width))
        table.add_column("Cover", justify="right", no_wrap=True, width=_fixed(5, width))
        table.add_column("Also in", no_wrap=True, overflow="ellipsis", width=also)
        table.add_column("Quote", no_wrap=True, overflow="ellipsis", width=quote)
        for row in seg.themes[: report.top]:
            table.add_row(
                _shown(row.evidence.theme.label), row.evidence.theme.type,
                f"{row.coverage:.0%}", _shown(also_in(seg, row)), _shown(quoted(row.quote)),
            )
        out.append(table)
        for row in seg.unique[: report.top]:
            line = f"only here ({row.participants} of {seg.participants}): {row.evidence.theme.label}"
            if row.within is not None:
                line += f" (part of: {row.within.theme.label})"
            elif row.nearest is not None:
                line += f" (nearest elsewhere: {row.nearest[0].theme.label}, {hundredths(row.nearest[1])})"
            out.append(Text(visible(line)))  # facts, wrapped at the terminal's width, never cut
        if seg.competitors:
            out.append(Text(visible(f"competitors named (participants): {counts(seg.competitors)}")))
        out.append(Text(""))
    return out[:-1]


def statements(synthesis: Synthesis, terminal: bool, width: int | None = 80) -> list[Any]:
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
    return [table]


def trends(report: TrendsReport, terminal: bool, width: int | None = 80) -> list[Any]:
    from rich.text import Text

    header = "Months" if report.by == "month" else "Quarters"
    spark = max(len(report.periods), len(header))
    first, last = (report.periods[0], report.periods[-1]) if report.periods else ("", "")
    table = _table(terminal, _shown(f"mentions per {report.by}, {first} to {last}") if report.periods else None)
    notes = max([len(trend_notes(row)) for row in report.rows] + [5])
    (label,) = _flexible(width, [4, 5, spark, notes, 7, 6], [1])
    table.add_column("Theme", no_wrap=True, overflow="ellipsis", width=label)
    table.add_column("Type", no_wrap=True, width=_fixed(4, width))
    table.add_column("Total", justify="right", no_wrap=True, width=_fixed(5, width))
    table.add_column(header, no_wrap=True, width=_fixed(spark, width))
    table.add_column("Notes", justify="right", no_wrap=True, width=_fixed(notes, width))
    table.add_column("Trend", no_wrap=True, width=_fixed(7, width))
    table.add_column("p", justify="right", no_wrap=True, width=_fixed(6, width))
    for row in report.rows:
        style = TREND_STYLE[row.direction] if terminal else ""
        table.add_row(_shown(row.evidence.theme.label), row.evidence.theme.type, str(sum(row.counts)),
                      sparkline(row.counts), trend_notes(row), Text(row.direction, style=style), trend_p(row))
    return [table]


VERDICT_STYLE = {"more": "bold red", "less": "green", "unclear": "dim"}


def competitors(report: CompetitorsReport, terminal: bool, width: int | None = 80) -> list[Any]:
    """Per competitor: a line of counts, its notes, the themes said in them, and the statements naming it."""
    from rich.text import Text

    def line(text: str, style: str = "", wrap: bool = False) -> Text:  # a quote is cut to the terminal's width,
        text = visible(text)                                            # its spaces kept; a list of facts wraps
        if width is not None and len(text) > width and not wrap:
            text = text[: width - 1] + "…"
        return Text(text, style=style if terminal else "", no_wrap=not wrap)

    out: list[Any] = []
    (label,) = _flexible(width, [4, 3, 5], [1])
    for c in report.competitors:
        out.append(line(competitor_line(c), "bold", wrap=True))
        out.append(line("notes: " + ", ".join(note_place(n) for n in c.notes), wrap=True))
        if c.themes:
            table = _table(terminal)
            table.add_column("Theme", no_wrap=True, overflow="ellipsis", width=label)
            table.add_column("Type", no_wrap=True, width=_fixed(4, width))
            table.add_column("Ppl", justify="right", no_wrap=True, width=_fixed(3, width))
            table.add_column("Of", justify="right", no_wrap=True, width=_fixed(5, width))
            for t in c.themes[: report.top]:
                table.add_row(_shown(t.evidence.theme.label), t.evidence.theme.type, str(t.participants),
                              str(t.evidence.participants))
            out.append(table)
        for s in c.quotes[: report.top]:
            note = s.note
            out.append(line(f"{s.place}  {note.date}  {note.segment} · {note.kind} · {note.participant or 'no participant'}"))
            out.append(line(f"    {s.text}"))
        more = (len(c.themes) - report.top, len(c.quotes) - report.top)
        if max(more) > 0:
            out.append(line(left_out(*more), "dim"))
        out.append(Text(""))
    return out[:-1]


def churn(report: CompareReport, terminal: bool, width: int | None = 80) -> list[Any]:
    """The group and the rest, then each theme: who said it on each side, the difference and its interval."""
    from rich.text import Text

    table = _table(terminal)
    (label,) = _flexible(width, [4, 9, 9, 4, 12, 7], [1])
    table.add_column("Theme", no_wrap=True, overflow="ellipsis", width=label)
    table.add_column("Type", no_wrap=True, width=_fixed(4, width))
    table.add_column("Group", justify="right", no_wrap=True, width=_fixed(9, width))
    table.add_column("Rest", justify="right", no_wrap=True, width=_fixed(9, width))
    table.add_column("Diff", justify="right", no_wrap=True, width=_fixed(4, width))
    table.add_column("95% interval", justify="right", no_wrap=True, width=_fixed(12, width))
    table.add_column("Verdict", no_wrap=True, width=_fixed(7, width))
    for row in report.shown:
        table.add_row(_shown(row.evidence.theme.label), row.evidence.theme.type, share_of(row.group, row.group_total),
                      share_of(row.rest, row.rest_total), points(row.difference), interval(row),
                      Text(row.verdict, style=VERDICT_STYLE[row.verdict] if terminal else ""))
    return [Text(visible(group_title(report))), table]  # the title wraps on a terminal: it says what is compared
