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
    emit_written,
    err_console,
    handles_errors,
    output,
    running,
    warn_skipped,
    warn_skipped_then,
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
    revision_or_date,
)
from custlens.errors import CustlensError
from custlens.infra.visible import visible

if TYPE_CHECKING:
    from custlens.commands.synthesis import ReportOptions

FormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="Output: a table (plain text in a pipe), JSON, "
                                                 "CSV or Markdown.")]


def _same_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file: the same path written two ways, or two links to one file."""
    import os

    if os.path.realpath(first) == os.path.realpath(second):  # one path written two ways, or through links
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


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
        report = make_themes(options, settings, run, top=top, show_all=all_, writes_codebook=write_codebook)
        warn_skipped(report.synthesis)
        if write_codebook:
            from custlens.pipeline.files import display_path

            path, added = add_to_codebook(report, settings)
            err_console().print(visible(
                f"added {len(added)} theme{'s' * (len(added) != 1)} to {display_path(path)}" if added
                else f"nothing to add: every theme shown is already in {display_path(path)}"
            ), markup=False)
        with run.stage("render"):
            output(format, report, Formats(as_json.themes, as_csv.themes, markdown.themes, tables.themes))
            if format == "table":
                footer = text.themes_footer(report) if report.shown else text.no_themes(report)
                if footer:
                    err_console().print(footer)


@app.command()
@handles_errors
@report_command("type", "level")
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
@report_command("type", "min_strength", "level")
def trends(
    options: ReportOptions,
    cache: bool,
    by: Annotated[Period, typer.Option("--by", help="Count per month or quarter.")] = "month",
    top: Annotated[int, typer.Option("--top", "-n", help="The most mentioned themes to show.", min=1, metavar="N")] = 10,
    format: FormatOpt = "table",
) -> None:
    """How often each theme came up per month or quarter, with a sparkline, and which are rising or fading.

    Notes: how many notes say the theme, of the notes in the earlier and in the later half of the periods.
    Rising: a larger share of the later half's notes say it, at least 3 notes from 2 participants, and p at
    most 0.05; fading: the other way round; steady otherwise. p: how often a split at least this uneven
    would come up if the theme were said at the same rate in both halves (one-sided Fisher exact test on
    notes; a note that says it twice counts once).
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
@report_command("type", dates=False)
def changes(
    options: ReportOptions,
    cache: bool,
    since: Annotated[str, typer.Option("--since", help="The last planning: a git tag, branch or commit (the notes as "
                                       "committed there), or a date (the notes dated before it).", show_default=False,
                                       metavar="REF|DATE")],
    until: Annotated[str | None, typer.Option("--until", help="Compare with a revision, or a date (the notes dated on "
                                              "or before it), instead of the notes as they are now.",
                                              show_default=False, metavar="REF|DATE")] = None,
    top: Annotated[int, typer.Option("--top", "-n", help="Show at most this many themes of each kind of change.",
                                     min=1, metavar="N")] = 10,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Show every change, of themes said once too.",
                                       metavar="")] = False,
    format: Annotated[ShowFormat, typer.Option("--format", "-f", help="Output: text, JSON, CSV or Markdown.")] = "text",
) -> None:
    """What changed since the last planning: new themes, themes that grew or shrank, themes that faded.

    Themes are paired by what they hold, not by their labels: the same statements (who said them, when, and
    their text), or centres at least 0.80 alike. Each change lists the statements that made it (path:line and the commit
    that added the note). A revision (--since v1) is read from git, with nothing checked out; a date
    compares with the notes dated before it.
    """
    from custlens.commands.changes import changes as make_changes
    from custlens.output import as_csv, as_json, markdown, text

    with running(not cache) as run:
        report = make_changes(options, config(), run, since=revision_or_date(since, "--since"),
                              until=revision_or_date(until, "--until") if until is not None else None,
                              top=top, show_all=all_)
    warn_skipped(report.now, report.then)
    warn_skipped_then(report)
    output(format, report, Formats(as_json.changes, as_csv.changes, markdown.changes, text=text.changes))


@app.command()
@handles_errors
@report_command("type", "min_strength", "level", dates=False)
def report(
    options: ReportOptions,
    cache: bool,
    html_file: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML page to this file (- for "
                                                   "stdout; custlens-report.html when no --markdown is given).",
                                                   show_default=False, metavar="FILE")] = None,
    markdown_file: Annotated[Path | None, typer.Option("--markdown", help="Write a Markdown summary to paste into a "
                                                       "planning document or an issue (- for stdout).",
                                                       show_default=False, metavar="FILE")] = None,
    since: Annotated[str | None, typer.Option("--since", help="The last planning: a git tag, branch or commit, or a "
                                              "date; adds what changed since then (see `custlens changes`).",
                                              show_default=False, metavar="REF|DATE")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Report on the notes as committed at a revision, or "
                                              "dated on or before a date.", show_default=False,
                                              metavar="REF|DATE")] = None,
    top: Annotated[int, typer.Option("--top", "-n", help="Themes to include.", min=1, metavar="N")] = 30,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Include every theme.", metavar="")] = False,
) -> None:
    """Write a one-page HTML report for people who never open a terminal, or a Markdown summary.

    Ranked themes with strength badges and a quote each, filters by segment and kind, a segment x theme heat
    map, mentions over time, and every statement with its note and date; with --since, what changed since the
    last planning. The page is self-contained (no CDN, no network) and written atomically. --markdown writes
    the top themes with their strength, segments and a quote, and the changes since --since.
    """
    from custlens.commands.report import html_report
    from custlens.output.html import render_html
    from custlens.output.markdown import planning
    from custlens.pipeline.files import display_path

    targets = [(path, render) for path, render in ((html_file, render_html), (markdown_file, planning)) if path]
    if sum(1 for path, _ in targets if str(path) == "-") > 1:
        raise CustlensError("--html - and --markdown - both ask for standard output", hint="write one to a file")
    if html_file and markdown_file and str(html_file) != "-" and _same_file(html_file, markdown_file):
        raise CustlensError(f"--html and --markdown name the same file, {display_path(html_file)}: the page would "
                            "be written over", hint="give each its own file")
    with running(not cache) as run:
        data = html_report(options, config(), run, show_all=all_, top=top,
                           since=revision_or_date(since, "--since") if since is not None else None,
                           until=revision_or_date(until, "--until") if until is not None else None)
        warn_skipped(data.synthesis, data.changes.then if data.changes is not None else None)
        if data.changes is not None:
            warn_skipped_then(data.changes)
        with run.stage("render"):
            pages = [(path, render(data)) for path, render in targets or [(Path("custlens-report.html"), render_html)]]
    to_stdout = any(str(path) == "-" for path, _ in pages)
    for path, page in pages:
        if str(path) == "-":
            emit(page)
        else:
            write_file(path, page)
            if to_stdout:  # the page is on standard output: the file's name goes beside it, on stderr
                err_console().print(visible(display_path(path)), markup=False)
            else:
                emit_written(display_path(path))


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
