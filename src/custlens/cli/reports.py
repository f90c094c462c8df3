"""The report commands on the command line: wiring only. Each parses its own options, calls its command
with the shared `ReportOptions` (see `options.report_command`), and prints the report in the chosen
format through `output`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from custlens.cli.app import app
from custlens.cli.console import (
    Formats,
    emit,
    err_console,
    handles_errors,
    output,
    running,
    warn_skipped,
    write_file,
)
from custlens.cli.options import (
    Period,
    ReportFormat,
    ShowFormat,
    StatementKind,
    complete_themes,
    config,
    report_command,
)
from custlens.errors import CustlensError

if TYPE_CHECKING:
    from custlens.commands.synthesis import ReportOptions

FormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="Output: a table (plain text in a pipe), JSON, "
                                                 "CSV or Markdown.")]


@app.command()
@handles_errors
@report_command("type", "min_strength", "level")
def themes(
    options: ReportOptions,
    cache: bool,
    top: Annotated[int, typer.Option("--top", "-n", help="Show at most this many themes.", min=1, metavar="N")] = 10,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Show every theme, one-mention themes too.", metavar="")] = False,
    format: FormatOpt = "table",
    write_codebook: Annotated[
        bool,
        typer.Option("--write-codebook", help="Add the themes shown that have no name yet to the codebook file "
                     "(themes.yaml), keeping what is there.", metavar=""),
    ] = False,
) -> None:
    """Pains and needs grouped into themes, strongest evidence first.

    Strength: **strong** = 3+ participants from 2+ segments or through 2+ kinds of source; **moderate** = 2+
    participants; **anecdotal** = one participant.
    """
    from custlens.commands.themes import themes as make_themes
    from custlens.commands.themes import write_codebook as add_to_codebook
    from custlens.output import as_csv, as_json, markdown, tables, text

    if write_codebook and options.redact:
        raise CustlensError(
            "--write-codebook writes the team's own codebook from the notes as they are; leave out --redact",
            hint="run `custlens themes --write-codebook`, then share reports made with --redact",
        )
    settings = config()
    with running(not cache) as run:
        report = make_themes(options, settings, run, top=top, show_all=all_)
        warn_skipped(report.synthesis)
        if write_codebook:
            from custlens.pipeline.files import display_path

            path, added = add_to_codebook(report, settings)
            err_console().print(
                f"added {len(added)} theme{'s' * (len(added) != 1)} to {display_path(path)}" if added
                else f"nothing to add: every theme shown is already in {display_path(path)}"
            )
        with run.stage("render"):
            output(format, report, Formats(as_json.themes, as_csv.themes, markdown.themes, tables.themes))
            if format == "table":
                footer = text.themes_footer(report) if report.shown else "no themes: no pains or needs in the notes"
                if footer:
                    err_console().print(footer)


@app.command()
@handles_errors
@report_command("level")
def segments(
    options: ReportOptions,
    cache: bool,
    top: Annotated[int, typer.Option("--top", "-n", help="Themes shown per segment.", min=1, metavar="N")] = 5,
    format: FormatOpt = "table",
) -> None:
    """Per segment: what it says (coverage = share of its participants), what it shares, what only it says."""
    from custlens.commands.segments import segments as make_segments
    from custlens.output import as_csv, as_json, markdown, tables

    with running(not cache) as run:
        report = make_segments(options, config(), run, top=top)
        warn_skipped(report.synthesis)
        with run.stage("render"):
            output(format, report, Formats(as_json.segments, as_csv.segments, markdown.segments, tables.segments))


@app.command()
@handles_errors
@report_command()
def show(
    options: ReportOptions,
    cache: bool,
    theme: Annotated[
        str, typer.Argument(help="A theme or sub-theme id, or words from its label.", show_default=False,
                            autocompletion=complete_themes, metavar="THEME")
    ],
    format: Annotated[ShowFormat, typer.Option("--format", "-f", help="Output: text, JSON, CSV or Markdown.")] = "text",
) -> None:
    """One theme with every statement behind it: note path:line, participant, segment, kind, date."""
    from custlens.commands.show import show as make_show
    from custlens.output import as_csv, as_json, markdown, text

    with running(not cache) as run:
        report = make_show(theme, options, config(), run)
    warn_skipped(report.synthesis)
    output(format, report, Formats(as_json.show, as_csv.show, markdown.show, text=text.show))


@app.command()
@handles_errors
@report_command("level")
def statements(
    options: ReportOptions,
    cache: bool,
    type_: Annotated[StatementKind | None, typer.Option("--type", "-t", help="Only pain, need or other statements.",
                                                         show_default=False)] = None,
    format: FormatOpt = "table",
) -> None:
    """Every statement with its type (stated or inferred, and why), section, place and theme."""
    from custlens.commands.statements import statements as make_statements
    from custlens.output import as_csv, as_json, markdown, tables

    with running(not cache) as run:
        synthesis = make_statements(options, config(), run, type_)
    warn_skipped(synthesis)
    output(format, synthesis, Formats(as_json.statements, as_csv.statements, markdown.statements, tables.statements))


@app.command()
@handles_errors
@report_command("type", "level")
def trends(
    options: ReportOptions,
    cache: bool,
    by: Annotated[Period, typer.Option("--by", help="Count per month or quarter.")] = "month",
    top: Annotated[int, typer.Option("--top", "-n", help="The most mentioned themes to show.", min=1, metavar="N")] = 10,
    format: FormatOpt = "table",
) -> None:
    """How often each theme came up per month or quarter, with a sparkline, and which are rising or fading.

    Rising: the later half of the periods has at least twice the mentions of the earlier half (and two more);
    fading: the other way round; steady otherwise.
    """
    from custlens.commands.trends import trends as make_trends
    from custlens.output import as_csv, as_json, markdown, tables

    with running(not cache) as run:
        report = make_trends(options, config(), run, by=by, top=top)
        warn_skipped(report.synthesis)
        with run.stage("render"):
            output(format, report, Formats(as_json.trends, as_csv.trends, markdown.trends, tables.trends))


@app.command()
@handles_errors
@report_command("type", "min_strength", "level")
def report(
    options: ReportOptions,
    cache: bool,
    html_file: Annotated[Path, typer.Option("--html", help="Write a self-contained HTML page to this file (- for stdout).",
                                            show_default=False, metavar="FILE")] = Path("custlens-report.html"),
    top: Annotated[int, typer.Option("--top", "-n", help="Themes to include.", min=1, metavar="N")] = 30,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Include every theme.", metavar="")] = False,
) -> None:
    """Write a one-page HTML report for people who never open a terminal.

    Ranked themes with strength badges, filters by segment and kind, a segment x theme heat map, mentions
    over time, and every quote with its note and date. The page is self-contained (no CDN, no network) and
    written atomically.
    """
    from custlens.commands.report import html_report
    from custlens.output.html import render_html
    from custlens.pipeline.files import display_path

    with running(not cache) as run:
        data = html_report(options, config(), run, show_all=all_, top=top)
        warn_skipped(data.synthesis)
        with run.stage("render"):
            page = render_html(data)
    if str(html_file) == "-":
        emit(page)
        return
    write_file(html_file, page)
    emit(display_path(html_file))


@app.command()
@handles_errors
@report_command("type", "min_strength", "level")
def competitors(
    options: ReportOptions,
    cache: bool,
    top: Annotated[int, typer.Option("--top", "-n", help="Themes and statements shown per competitor (JSON and CSV "
                                     "hold them all).", min=1, metavar="N")] = 5,
    format: FormatOpt = "table",
) -> None:
    """Every competitor the notes name: its notes, participants, segments and kinds of source, the themes said
    in the notes that name it, and each statement naming it with its path:line.

    A note names the competitors its front matter lists under `competitors:` and those its statements name
    (any case, a small typo; a name that is also an ordinary word only as written, with its capitals).
    """
    from custlens.commands.competitors import competitors as make_competitors
    from custlens.output import as_csv, as_json, markdown, tables

    with running(not cache) as run:
        report = make_competitors(options, config(), run, top=top)
        warn_skipped(report.synthesis)
        with run.stage("render"):
            if not report.competitors and format == "table":
                err_console().print("no competitors named: list them under `competitors:` in the notes' front matter")
                return
            output(format, report, Formats(as_json.competitors, as_csv.competitors, markdown.competitors,
                                           tables.competitors))


@app.command()
@handles_errors
@report_command("type", "min_strength", "level")
def churn(
    options: ReportOptions,
    cache: bool,
    compare: Annotated[
        list[str] | None,
        typer.Option("--compare", "-c", help="The notes to compare with the rest, as KEY=VALUE with KEY kind, segment, "
                     "tag, competitor or researcher (repeatable: a note matching any is in). Default: "
                     "kind=cancellation and tag=lost-deal.", show_default=False, metavar="KEY=VALUE"),
    ] = None,
    top: Annotated[int, typer.Option("--top", "-n", help="Show at most this many themes.", min=1, metavar="N")] = 10,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Show every theme.", metavar="")] = False,
    format: FormatOpt = "table",
) -> None:
    """Why customers leave: the themes cancellations and lost deals say more than every other note, most
    surely first.

    Counts are participants on each side; the difference of the two shares comes with its 95% interval
    (Newcombe's hybrid score, continuity corrected), so a few notes never look like a strong signal.
    **more**: the interval is above zero; **less**: below; **unclear**: it holds zero.
    """
    from custlens.commands.churn import churn as make_churn
    from custlens.output import as_csv, as_json, markdown, tables, text

    with running(not cache) as run:
        report = make_churn(options, config(), run, compare=compare or (), top=None if all_ else top)
        warn_skipped(report.synthesis)
        with run.stage("render"):
            output(format, report, Formats(as_json.churn, as_csv.churn, markdown.churn, tables.churn))
            footer = text.churn_footer(report) if format == "table" else None
            if footer:
                err_console().print(footer)
