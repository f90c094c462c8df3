"""`custlens trends`: how often each theme came up per month or quarter, and which way it goes."""

from __future__ import annotations

from custlens.commands.synthesis import ReportOptions, Run, repeated, synthesise
from custlens.infra.config import Config
from custlens.reports import TrendsReport


def trends(options: ReportOptions, config: Config, run: Run | None = None, *, by: str = "month", top: int = 10) -> TrendsReport:
    """How often each of the most mentioned themes came up per month or quarter, and which way it goes."""
    from custlens.pipeline.triangulate import trends as count_trends

    synthesis = synthesise(options, config, run)
    most = sorted(repeated(synthesis.ranked), key=lambda e: (-e.mentions, e.rank_key))
    periods, rows = count_trends(most[:top], synthesis.notes, by)
    return TrendsReport(synthesis, periods, rows, by)
