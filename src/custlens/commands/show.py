"""`custlens show`: one theme, with every statement behind it and the themes nearest to it."""

from __future__ import annotations

import dataclasses

from custlens.commands.synthesis import ReportOptions, Run, synthesise
from custlens.infra.config import Config
from custlens.reports import ShowReport


def show(query: str, options: ReportOptions, config: Config, run: Run | None = None) -> ShowReport:
    """One theme, found by id or (fuzzily) by label, with every statement behind it."""
    from custlens.pipeline.themes import find_theme
    from custlens.pipeline.triangulate import nearest_themes

    if "." in query and options.filters.level == "theme":  # a sub-theme's id
        options = dataclasses.replace(options, filters=dataclasses.replace(options.filters, level="subtheme"))
    synthesis = synthesise(options, config, run)
    found = find_theme(query, synthesis.ranked)
    return ShowReport(synthesis, found, nearest_themes(found, synthesis.ranked))
