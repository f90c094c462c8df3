"""`custlens report`: everything a one-page HTML report (or its Markdown summary) shows."""

from __future__ import annotations

import datetime as dt

from custlens.commands.synthesis import ReportOptions, Run, repeated, synthesise
from custlens.infra.config import Config
from custlens.reports import ChangesReport, HtmlReport


def html_report(
    options: ReportOptions, config: Config, run: Run | None = None, *, show_all: bool = False, top: int = 30,
    since: dt.date | str | None = None, until: dt.date | str | None = None,
) -> HtmlReport:
    """Ranked themes, segment coverage, mentions per month and the competitors named, for the HTML page; with `since` (a date or
    a git revision: the last planning), what changed since then too (`commands.changes`). The themes are
    those of the notes up to `until` (a date or a revision; None: the notes as they are)."""
    from custlens.pipeline.competitors import summarise_competitors
    from custlens.pipeline.triangulate import summarise_segments
    from custlens.pipeline.triangulate import trends as count_trends

    found: ChangesReport | None = None
    if since is not None:
        from custlens.commands.changes import changes

        found = changes(options, config, run, since=since, until=until, top=None if show_all else min(top, 10),
                        show_all=show_all)
        synthesis = found.now
    elif until is not None:
        from custlens.commands.changes import synthesis_until

        synthesis = synthesis_until(options, config, run, until)
    else:
        synthesis = synthesise(options, config, run)
    shown = list(synthesis.ranked) if show_all else repeated(synthesis.ranked)[:top]
    periods, rows = count_trends(shown, synthesis.notes, "month")
    return HtmlReport(
        synthesis=synthesis,
        shown=shown,
        segments=summarise_segments(synthesis.notes, synthesis.ranked),
        periods=periods,
        counts={row.evidence.theme.id: row.counts for row in rows},
        generated=dt.date.today(),
        changes=found,
        competitors=summarise_competitors(synthesis.notes, synthesis.ranked, synthesis.statements, synthesis.naming),
    )
