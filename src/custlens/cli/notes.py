"""The commands that read or write note files on the command line (check, add, init, import, schema):
wiring only, around the functions of `commands`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from custlens.cli import console
from custlens.cli.app import app
from custlens.cli.console import (
    emit,
    emit_written,
    err_console,
    handles_errors,
    out_console,
    running,
    styled,
    write_file,
    writing,
)
from custlens.cli.options import (
    CheckFormat,
    DateOrder,
    ImportType,
    NoCacheOpt,
    PathsArg,
    complete_kinds,
    complete_segments,
    config,
    parse_date,
)
from custlens.errors import CustlensError
from custlens.infra.visible import visible

DirOpt = Annotated[Path | None, typer.Option("--dir", help="Notes folder (default: the first from custlens.yaml).",
                                             show_default=False, metavar="FOLDER")]


@app.command()
@handles_errors
def check(
    paths: PathsArg = None,
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="Output: text, GitHub annotations or JSON.")] = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.", metavar="")] = False,
    allow_empty: Annotated[bool, typer.Option("--allow-empty", help="Pass when there is no note at all.", metavar="")] = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Check that every note is well formed and states at least one customer need (for CI).

    Exit code 0: no errors; 1: errors found (or warnings with --strict, or no note at all without --allow-empty);
    2: usage error.
    """
    from custlens.commands.check import NothingChecked
    from custlens.commands.check import check as check_notes
    from custlens.output import as_json, text

    with running(no_cache) as run:
        try:
            report = check_notes(paths, config(), run, allow_empty)
        except NothingChecked as nothing:  # a script still gets its JSON or annotation, saying so
            if format == "json":
                emit(as_json.nothing_checked(str(nothing), console.is_terminal()))
            elif format == "github":
                emit(text.github_error(str(nothing)))
            raise
        with run.stage("render"):
            if format == "json":
                emit(as_json.check(report, strict, console.is_terminal()))
            elif format == "github":
                emit("\n".join(text.github(report)))
            else:
                printer = out_console()
                styles = {"error": "red", "warning": "yellow", "hint": "dim", "ok": "green"}
                with writing():
                    for line, style in text.check(report, strict):
                        printer.print(styled((line, styles[style])))
    raise typer.Exit(int(report.exit_code(strict)))


@app.command()
@handles_errors
def add(
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Kind of source: interview, support-ticket, ...", show_default=False,
                     autocompletion=complete_kinds, metavar="KIND"),
    ] = None,
    segment: Annotated[
        str | None,
        typer.Option("--segment", help="Customer segment.", show_default=False, autocompletion=complete_segments,
                     metavar="SEGMENT"),
    ] = None,
    participant: Annotated[str | None, typer.Option("--participant", help="Pseudonymous participant id (not a name).",
                                                    show_default=False, metavar="ID")] = None,
    researcher: Annotated[list[str] | None, typer.Option("--researcher", help="Who took the note (repeatable).",
                                                         show_default=False, metavar="NAME")] = None,
    date: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD, today or yesterday (default: today).",
                                             show_default=False, metavar="DATE")] = None,
    title: Annotated[str | None, typer.Option("--title", help="A short title.", show_default=False, metavar="TEXT")] = None,
    pain: Annotated[list[str] | None, typer.Option("--pain", help="A pain the customer has (repeatable).",
                                                   show_default=False, metavar="TEXT")] = None,
    need: Annotated[list[str] | None, typer.Option("--need", help="A need the customer states (repeatable).",
                                                   show_default=False, metavar="TEXT")] = None,
    quote: Annotated[list[str] | None, typer.Option("--quote", help="The customer's own words (repeatable).",
                                                    show_default=False, metavar="TEXT")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag for the note (repeatable).", show_default=False,
                                                  metavar="TAG")] = None,
    folder: DirOpt = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; take everything from options.", metavar="")] = False,
    edit: Annotated[bool, typer.Option("--edit", help="Open the new note in $EDITOR afterwards.", metavar="")] = False,
) -> None:
    """Write a new note right after an interview: prompts on a terminal, options otherwise.

    The note is named `DATE-SEGMENT-PARTICIPANT.md` (or the title for the participant), never overwrites a file (a second one gets
    `-2`), and is written atomically. A note without a need is written, with a warning.
    """
    import datetime as dt

    from custlens.cli.prompts import Answers, ask, open_editor
    from custlens.commands.add import (
        NewNote,
        check_folder,
        default_researcher,
        existing_segments,
        misread,
        notes_folder,
    )
    from custlens.commands.add import add as write_note
    from custlens.pipeline.files import display_path

    settings = config()
    answers = Answers(kind=kind, segment=segment, participant=participant, researchers=tuple(researcher or ()),
                      day=parse_date(date, "--date"), title=title, pains=tuple(pain or ()), needs=tuple(need or ()),
                      quotes=tuple(quote or ()))
    if not no_input and sys.stdin.isatty():
        check_folder(notes_folder(settings, folder))  # before the interview, not after it
        answers = ask(answers, settings.kinds, existing_segments(settings), default_researcher(settings), dt.date.today(),
                      settings.segments, lambda kind, text: misread(kind, text, settings))
    else:
        missing = [name for name, value in (("--kind", kind), ("--segment", segment)) if not value]
        if missing:
            raise CustlensError(
                f"missing {' and '.join(missing)}",
                hint="without a terminal, `custlens add` takes everything from options: "
                "--kind interview --segment smb --need '...'",
            )
        if not answers.researchers:
            found = default_researcher(settings)
            answers.researchers = (found,) if found else ()
    new = NewNote(
        kind=answers.kind or "", segment=answers.segment or "", date=answers.day or dt.date.today(),
        participant=answers.participant, researchers=answers.researchers, title=answers.title, tags=tuple(tag or ()),
        pains=answers.pains, needs=answers.needs, quotes=answers.quotes,
    )
    path, warnings = write_note(new, settings, folder)
    for problem in warnings:
        if problem.code == "no-need":
            err_console().print(
                "[yellow]warning:[/] this note states no customer need; `custlens check` will report it "
                "(add a `## Needs` item)"
            )
        else:  # what `check` would say of it, as `check` says it
            err_console().print(styled(("warning:", "yellow"), " ", visible(problem.message)))
            if problem.hint:
                err_console().print(styled("  ", ("hint:", "dim"), " ", visible(problem.hint)))
    emit_written(display_path(path))
    if edit:
        open_editor(path)


@app.command()
@handles_errors
def init(
    folder: Annotated[Path, typer.Argument(help="Where to create custlens.yaml and notes/ (made if missing).",
                                           metavar="FOLDER")] = Path("."),
) -> None:
    """Start a notes repository: a commented custlens.yaml and an example note in notes/."""
    from custlens.commands.init import init as start
    from custlens.pipeline.files import display_path

    if os.path.lexists(folder) and not folder.is_dir():
        raise CustlensError(f"not a folder: {display_path(folder)}", hint="give a folder to start the notes repository in")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CustlensError(f"cannot create {display_path(folder)}: {(exc.strerror or str(exc)).lower()}") from None
    for path in start(folder):
        emit(f"wrote {display_path(path)}")


@app.command()
@handles_errors
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout (- for stdout).",
                                                show_default=False, metavar="FILE")] = None,
) -> None:
    """Print the JSON Schema of a note's front matter and of YAML notes (for editors and CI).

    Generated from the same model `custlens check` validates with, with the kinds, segments and extra keys of
    custlens.yaml.
    """
    from custlens.commands.schema import schema as make_schema
    from custlens.pipeline.files import display_path

    text = make_schema(config())
    if output is None or str(output) == "-":
        emit(text)
        return
    write_file(output, text)
    err_console().print(visible(f"wrote {display_path(output)}"), markup=False)


@app.command("import")
@handles_errors
def import_(
    source: Annotated[Path, typer.Argument(help="A CSV export (Typeform, Google Forms, Zendesk, Intercom...).",
                                           show_default=False, metavar="FILE")],
    text_column: Annotated[str, typer.Option("--text-column", help="The column with the customer's words.",
                                             show_default=False, metavar="COLUMN")],
    type_: Annotated[ImportType, typer.Option("--type", help="pain, need, or auto (free text, typed by the tagger).")] = "auto",
    segment_column: Annotated[str | None, typer.Option("--segment-column", help="The column with each row's segment.",
                                                       show_default=False, metavar="COLUMN")] = None,
    segment: Annotated[str | None, typer.Option("--segment", help="One segment for every row (or where the column is empty).",
                                                show_default=False, metavar="SEGMENT")] = None,
    date_column: Annotated[str | None, typer.Option("--date-column", help="The column with each row's date.",
                                                    show_default=False, metavar="COLUMN")] = None,
    date: Annotated[str | None, typer.Option("--date", help="One date for every row (default: today).", show_default=False,
                                             metavar="DATE")] = None,
    participant_column: Annotated[str | None, typer.Option("--participant-column", help="The column with a respondent or "
                                                           "ticket id.", show_default=False, metavar="COLUMN")] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="Kind of source: survey, support-ticket, in-app-feedback, ...",
                          autocompletion=complete_kinds, metavar="KIND")
    ] = "survey",
    folder: DirOpt = None,
    date_order: Annotated[DateOrder, typer.Option("--date-order", help="Dates like 03/05/2026: auto (from the column), "
                                                  "dmy or mdy.")] = "auto",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the note that would be written; write nothing.",
                                          metavar="")] = False,
) -> None:
    """Turn a survey or help-desk export (CSV) into one YAML batch note, one entry per row.

    Rows with no text are skipped and counted. The note is written atomically and never over a file.
    """
    from custlens.commands.importcsv import import_csv
    from custlens.pipeline.csvimport import ImportOptions
    from custlens.pipeline.files import display_path

    options = ImportOptions(
        text_column=text_column, type=type_, kind=kind, segment_column=segment_column, segment=segment,
        date_column=date_column, date=parse_date(date, "--date"), participant_column=participant_column,
        date_order=date_order,
    )
    settings = config()
    path, result = import_csv(source, options, settings, folder, dry_run)
    messages = err_console()
    skipped = result.skipped_empty + result.skipped_no_segment
    summary = f"{result.entries} of {result.rows} rows imported"
    if skipped:
        summary += f"; skipped {result.skipped_empty} with no text and {result.skipped_no_segment} with no segment"
    if result.future:
        dates = ", ".join(str(day) for day in result.future[:3]) + (", ..." if len(result.future) > 3 else "")
        messages.print(styled(("warning:", "yellow"), " ", visible(
            f"dated after today: {dates}; a typo in the year, or day and month read the wrong way round "
            "(--date-order)?")))
    if dry_run:
        emit(result.text)
        messages.print(visible(f"dry run: {summary}; would write {display_path(path)} (or a numbered name if taken); "
                               "nothing written"), markup=False)
        return
    emit_written(display_path(path))
    messages.print(summary)
    if type_ != "need" and settings.needs_a_need(kind):
        messages.print(
            "[yellow]note:[/] entries state no need outright, so `custlens check` reports them; for exports, set "
            "`require_need: \\[interview, ...]` (the kinds that must state a need) in custlens.yaml"
        )
