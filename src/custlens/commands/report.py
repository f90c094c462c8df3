"""`custlens report`: everything a one-page HTML report shows."""

from __future__ import annotations

import datetime as dt

from custlens.commands.synthesis import ReportOptions, Run, repeated, synthesise
from custlens.infra.config import Config
from custlens.reports import HtmlReport


def html_report(
    options: ReportOptions, config: Config, run: Run | None = None, *, show_all: bool = False, top: int = 30,
) -> HtmlReport:
    """Ranked themes, segment coverage, mentions per month and the competitors named, for the HTML page."""
    from custlens.pipeline.competitors import summarise_competitors
    from custlens.pipeline.triangulate import summarise_segments
    from custlens.pipeline.triangulate import trends as count_trends

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
        competitors=summarise_competitors(synthesis.notes, synthesis.ranked, synthesis.statements, synthesis.naming),
    )
