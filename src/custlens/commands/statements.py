"""`custlens statements`: every statement, typed, with where it came from and its theme."""

from __future__ import annotations

from custlens.commands.synthesis import ReportOptions, Run, synthesise
from custlens.infra.config import Config
from custlens.reports import Synthesis


def statements(
    options: ReportOptions, config: Config, run: Run | None = None, only_type: str | None = None
) -> Synthesis:
    """Every statement in scope, typed, with the theme it ended up in (only one type, if given)."""
    synthesis = synthesise(options, config, run)
    if only_type is not None:
        synthesis.statements = [s for s in synthesis.statements if s.type == only_type]
    return synthesis
