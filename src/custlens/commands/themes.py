"""`custlens themes`: pains and needs grouped into themes, strongest evidence first."""

from __future__ import annotations

import os
from pathlib import Path

from custlens.commands.synthesis import ReportOptions, Run, repeated, synthesise
from custlens.infra.config import Config
from custlens.reports import ThemesReport


def themes(
    options: ReportOptions, config: Config, run: Run | None = None, *, top: int | None = 10, show_all: bool = False,
    writes_codebook: bool = False,
) -> ThemesReport:
    """Themes strongest first. Without `show_all`, one-mention themes are left out and at most `top` shown."""
    synthesis = synthesise(options, config, run, writes_codebook=writes_codebook)
    ranked = synthesis.ranked
    if show_all:
        return ThemesReport(synthesis, list(ranked), 0, 0)
    said_again = repeated(ranked)
    shown = said_again[:top] if top is not None else said_again
    return ThemesReport(synthesis, shown, len(ranked) - len(shown), len(ranked) - len(said_again))


def write_codebook(report: ThemesReport, config: Config) -> tuple[Path, list[str]]:
    """Add the report's unnamed themes to the codebook file, keeping what is there; return the new ids."""
    from custlens.pipeline.codebook import CodebookEntry, add_entries, load_codebook

    path = Path(os.path.realpath(config.codebook_path()))  # a linked codebook is written where it lives
    existing = load_codebook(path)  # a broken codebook stops here, before anything is written
    new: dict[str, CodebookEntry] = {}
    for evidence in report.shown:
        theme = evidence.theme
        entry_id = theme.id.replace(".", "-")  # a sub-theme (--level subtheme): need-c535a2.c535 -> need-c535a2-c535
        if theme.named or entry_id in existing.entries:
            continue
        new[entry_id] = CodebookEntry(label=theme.label, type=theme.type, match=sorted({s.text for s in theme.statements}))
    return path, add_entries(path, new)
