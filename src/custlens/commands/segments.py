"""`custlens segments`: per segment, what it says, what it shares with the others, what only it says,
and the competitors it names."""

from __future__ import annotations

import dataclasses

from custlens.commands.synthesis import ReportOptions, Run, synthesise
from custlens.infra.config import Config
from custlens.reports import SegmentsReport


def segments(options: ReportOptions, config: Config, run: Run | None = None, *, top: int = 5) -> SegmentsReport:
    """Per segment: what it says (coverage), what it shares with others, what only it says, and the
    competitors its notes name (participants per competitor)."""
    from custlens.pipeline.competitors import named_in
    from custlens.pipeline.triangulate import summarise_segments

    synthesis = synthesise(options, config, run)
    summaries = summarise_segments(synthesis.notes, synthesis.ranked)
    summaries = [
        dataclasses.replace(seg, competitors=named_in((n for n in synthesis.notes if n.segment == seg.name),
                                                      synthesis.naming))
        for seg in summaries
    ]
    return SegmentsReport(synthesis, summaries, top)
