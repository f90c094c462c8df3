"""`custlens segments`: per segment, what it says, what it shares with the others, what only it says."""

from __future__ import annotations

from custlens.commands.synthesis import ReportOptions, Run, synthesise
from custlens.infra.config import Config
from custlens.reports import SegmentsReport


def segments(options: ReportOptions, config: Config, run: Run | None = None, *, top: int = 5) -> SegmentsReport:
    """Per segment: what it says (coverage), what it shares with others, what only it says."""
    from custlens.pipeline.triangulate import summarise_segments

    synthesis = synthesise(options, config, run)
    return SegmentsReport(synthesis, summarise_segments(synthesis.notes, synthesis.ranked), top)
