"""`custlens competitors`: every competitor the notes name, who names it, and what they say."""

from __future__ import annotations

from custlens.commands.synthesis import ReportOptions, Run, synthesise
from custlens.infra.config import Config
from custlens.reports import CompetitorsReport


def competitors(options: ReportOptions, config: Config, run: Run | None = None, *, top: int = 5) -> CompetitorsReport:
    """Each competitor with its notes, participants, segments, kinds of source, the themes said in the
    notes that name it, and the statements naming it."""
    from custlens.pipeline.competitors import summarise_competitors

    synthesis = synthesise(options, config, run)
    kind = options.filters.type  # --type: the themes and the statements naming it are of that type only
    statements = [s for s in synthesis.statements if s.type == kind] if kind else synthesis.statements
    found = summarise_competitors(synthesis.notes, synthesis.ranked, statements, synthesis.naming)
    return CompetitorsReport(synthesis, found, top)
