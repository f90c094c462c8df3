"""Printing, for the command line: output for people and pipes on stdout, warnings and progress on
stderr, and every error turned into one line, a hint and a named exit code (never a traceback).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, ParamSpec, TypeVar

import typer

from custlens.errors import CustlensError, ExitCode, Terminated, cannot_write
from custlens.infra.visible import visible

P = ParamSpec("P")
R = TypeVar("R")


def err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def out_console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def styled(*parts: str | tuple[str, str]) -> Any:
    """A line of plain text and (text, style) parts. Text from notes is never read as Rich markup: its
    parser tries each backslash of a long run again (a line of 99,000 took 20 s), and `[b]` is not markup."""
    from rich.text import Text

    return Text.assemble(*parts)


def print_error(error: CustlensError) -> None:
    console = err_console()
    console.print(styled(("error:", "bold red"), " ", visible(error.location() + error.message)))
    if error.hint:
        console.print(styled("  ", ("hint:", "dim"), " ", visible(error.hint)))


def quiet_broken_pipe() -> None:
    # Python flushes stdout again at exit; point it at /dev/null so that flush cannot fail too.
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


class _OutputFailed(OSError):
    """Writing to standard output failed: a full disk, a terminal that went away."""


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Around every write to standard output, so that its errors are told from other ones."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _OutputFailed(error.errno, error.strerror) from None


def print_io_error(error: OSError, output: bool) -> None:
    """An error of the system, not of custlens: the output could not be written (a full disk, a
    terminal that went away), or a file could not be read or written."""
    reason = (error.strerror or str(error)).lower()
    if output:
        quiet_broken_pipe()  # what is left in the buffer goes nowhere, instead of failing again at exit
        message, hint = f"cannot write the output: {reason}", "check the free space where the output goes"
    elif error.filename is not None:
        from custlens.pipeline.files import display_path

        message, hint = f"{display_path(Path(os.fsdecode(error.filename)))}: {reason}", None
    else:
        message, hint = f"input/output error: {reason}", None
    console = err_console()
    console.print(styled(("error:", "bold red"), " ", visible(message)))
    if hint:
        console.print(styled("  ", ("hint:", "dim"), " ", hint))


def handles_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Run a command, turning custlens errors, Ctrl-C and closed pipes into messages and exit codes."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = command(*args, **kwargs)
            with writing():
                sys.stdout.flush()  # a closed pipe or a full disk shows here, inside this handler, not at exit
            return result
        except CustlensError as error:
            print_error(error)
            raise typer.Exit(int(error.exit_code)) from None
        except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (`Terminated`)
            terminated = isinstance(stop, Terminated)
            err_console().print("terminated" if terminated else "interrupted")
            raise typer.Exit(int(ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED)) from None
        except EOFError:  # Ctrl-D at a prompt: the user gave up, as with Ctrl-C
            err_console().print("cancelled (end of input): nothing was written")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            quiet_broken_pipe()
            raise typer.Exit(int(ExitCode.OK)) from None
        except OSError as error:  # a full disk, a closed terminal: not a bug in custlens
            print_io_error(error, isinstance(error, _OutputFailed))
            raise typer.Exit(int(ExitCode.IO)) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as error:  # a bug in custlens: one line, not a traceback, unless asked for
            if os.environ.get("CUSTLENS_DEBUG"):
                raise
            err_console().print(styled(
                ("internal error:", "bold red"), f" {type(error).__name__}: {visible(str(error))}\n"
                "  hint: this is a bug in custlens; run again with CUSTLENS_DEBUG=1 for the details"
            ))
            raise typer.Exit(int(ExitCode.INTERNAL)) from None

    return run


class _LazyProgress:
    """A Rich progress bar on stderr, shown only on a terminal and only once work has taken a second."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            if time.perf_counter() - self.started < 1.0:
                return
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                console=err_console(), transient=True,
            )
            self.bar.start()
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


FALLBACK_NOTE = ("note: custlens's compiled grouping step was not built when it was installed, so grouping runs in "
                 "numpy: the same themes, slower (install a wheel, or install where a C compiler is found, to have it)")


@contextlib.contextmanager
def running(no_cache: bool) -> Any:
    """The Run for a command: cache on unless --no-cache, progress on a terminal, timings if asked for."""
    from custlens.commands.synthesis import Run

    progress = _LazyProgress() if sys.stderr.isatty() else None
    run = Run(cache=not no_cache and not os.environ.get("CUSTLENS_NO_CACHE"), progress=progress)
    try:
        yield run
    finally:
        if progress is not None:
            progress.stop()
        if "grouping" in run.timings:
            from custlens.pipeline.engines import compiled

            if not compiled():
                sys.stderr.write(FALLBACK_NOTE + "\n")
        if os.environ.get("CUSTLENS_TIMINGS"):
            import json

            sys.stderr.write("custlens-timings " + json.dumps(run.timings) + "\n")


def usage_error(error: Any) -> int:
    """A command line Typer refuses (a missing option, a value out of range): on a terminal, Typer's own
    panel; in a pipe or a CI log, one line and a hint, as custlens's own errors are said. Its exit code."""
    if type(error).__name__ == "NoArgsIsHelpError":  # no command: the help was printed
        return int(error.exit_code)
    if sys.stderr.isatty():
        from typer import rich_utils

        rich_utils.rich_format_error(error)
        return int(error.exit_code)
    ctx = getattr(error, "ctx", None)
    message = " ".join(error.format_message().replace("Value error, ", "").split())
    try:
        sys.stderr.write(visible(f"error: {message}") + "\n")
        if ctx is not None:
            sys.stderr.write(visible(f"  hint: {ctx.get_usage()}; `{ctx.command_path} -h` lists the options") + "\n")
        sys.stderr.flush()
    except BrokenPipeError:  # `custlens frob 2>&1 | head -1`: the reader has gone, the error stands
        quiet_broken_pipe()
    return int(error.exit_code)


def warn_skipped(synthesis: Any, then: Any = None) -> None:
    """The files a report skipped for their errors, one warning each; or that there were no notes at all
    (where a comparison's other end, `then`, has none either: else its themes faded, which it reports)."""
    if not synthesis.corpus.notes and not synthesis.problems and (then is None or not then.corpus.notes):
        from custlens.pipeline.files import display_path

        where = ", ".join(display_path(root) + ("/" if root.is_dir() else "") for root in synthesis.corpus.roots)
        err_console().print(styled(("warning:", "yellow"), f" no notes in {where or 'the notes folders'}: nothing to report"))
        return
    if not synthesis.problems:
        return
    from custlens.output.records import problem_line

    console = err_console()
    for problem in synthesis.problems:
        console.print(styled(("warning:", "yellow"), f" {problem_line(problem)} (skipped)"))


def warn_skipped_then(report: Any) -> None:
    """One line for the notes read at a revision that had errors then (they were skipped), and one when
    the revision has no notes at all (the notes folder came later, or the wrong tag)."""
    if report.since.kind == "revision" and not report.then.corpus.notes and report.now.corpus.notes:
        err_console().print(visible(f"warning: no notes at {report.since.given} ({report.since.revision.short}) "
                                    "in the notes folders: every theme is new"), markup=False)
    files = sorted({p.path for p in report.then.problems})
    if files and report.since.revision is not None:
        named = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
        err_console().print(visible(f"warning: {len(files)} file{'s' * (len(files) != 1)} with errors at "
                                    f"{report.since.given} skipped: {named}"), markup=False)


def is_terminal() -> bool:
    return sys.stdout.isatty()


def width() -> int | None:
    """Terminal width on a terminal. None in a pipe: nothing is cut to fit (`themes | less` shows every
    label and quote in full, and the pager wraps or scrolls)."""
    if is_terminal():
        import shutil

        return max(40, shutil.get_terminal_size().columns)
    return None


def plain_table(table: Any, console: Any = None) -> list[str] | None:
    """A table as Rich writes it in a pipe (no box, one space between columns, each column as wide as
    its widest cell, spaces at line ends dropped), written directly: Rich measures and crops every
    cell, 0.2 ms a row (12 s for 40,000 statements). None for what this does not handle (a column of
    fixed width, a cell that is not text), which Rich then writes. A `str` cell is read as Rich reads it
    (`console`'s markup and emoji codes)."""
    from rich.cells import cell_len
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console(highlight=False, no_color=True)
    if not isinstance(table, Table) or table.title or table.box is not None or not table.show_header:
        return None
    columns = table.columns
    if any(column.width is not None or column.justify not in ("left", "right") for column in columns):
        return None
    cells: list[list[str]] = []
    for column in columns:
        plain: list[str] = []
        for cell in (column.header, *column.cells):
            if isinstance(cell, Text):
                plain.append(cell.plain)
            elif isinstance(cell, str):
                plain.append(console.render_str(cell).plain if "[" in cell or ":" in cell else cell)
            else:
                return None
        cells.append(plain)
    if any("\n" in cell for column_cells in cells for cell in column_cells):
        return None
    widths = [max(map(cell_len, column_cells)) for column_cells in cells]
    lines = []
    for row in range(len(cells[0]) if cells else 0):
        parts = []
        for column, column_cells, width in zip(columns, cells, widths):
            cell = column_cells[row]
            gap = " " * (width - cell_len(cell))
            parts.append(gap + cell if column.justify == "right" else cell + gap)
        lines.append(" ".join(parts).rstrip())
    return lines


def print_table(renderables: list[Any]) -> None:
    from rich.console import Console

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:  # Rich would exit 1; a closed pipe ends custlens quietly, with 0
            self.quiet = True
            raise BrokenPipeError

    terminal = is_terminal()
    if not terminal:  # plain text, each row in full: rendered wide, spaces at line ends dropped
        import io

        rendered = io.StringIO()
        console = Console(file=rendered, highlight=False, width=1 << 20, no_color=True, soft_wrap=False)
        for renderable in renderables:
            title = getattr(renderable, "title", None)
            if title:  # a line of its own: a table's title would wrap at the table's width
                console.print(title, soft_wrap=True)
                renderable.title = None
            written = plain_table(renderable, console)
            if written is not None:
                rendered.write("".join(line + "\n" for line in written))
            else:
                console.print(renderable)
        emit("\n".join(line.rstrip() for line in rendered.getvalue().splitlines()))
        return
    console = PipeConsole(highlight=False, width=width(), no_color=not terminal or None, soft_wrap=False)
    with writing():
        for renderable in renderables:
            console.print(renderable)


@dataclass(frozen=True)
class Formats(Generic[R]):
    """One report's writer in each output format (a module of `output/` each): JSON is indented on a
    terminal; a table is fitted to the terminal's width, and whole in a pipe; `text` stands for the
    table where a report is lines of text (`show`)."""

    json: Callable[[R, bool], str]
    csv: Callable[[R], str]
    markdown: Callable[[R], str]
    table: Callable[[R, bool, int | None], list[Any]] | None = None
    text: Callable[[R], list[str]] | None = None


def output(format: str, report: R, formats: Formats[R]) -> None:
    """Print a report in the chosen format (`--format`)."""
    if format == "json":
        emit(formats.json(report, is_terminal()))
    elif format == "csv":
        emit(formats.csv(report))
    elif format == "markdown":
        emit(formats.markdown(report))
    elif formats.text is not None:
        emit("\n".join(formats.text(report)))
    elif formats.table is not None:
        print_table(formats.table(report, is_terminal(), width()))


def emit(text: str) -> None:
    with writing():
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def emit_written(shown: str) -> None:
    """The path of a file custlens has just written, on standard output. If it cannot be printed (a full
    disk), the error says the file is there, so that a script does not write it a second time."""
    try:
        with writing():
            sys.stdout.write(shown + "\n")
            sys.stdout.flush()
    except _OutputFailed as error:
        quiet_broken_pipe()
        raise CustlensError(f"{shown} was written, but its name could not be printed: {(error.strerror or '').lower()}",
                            hint="the file is there: do not write it again", exit_code=ExitCode.IO) from None


def write_file(path: Path, text: str) -> None:
    """Write a file the user named: through a link, into a pipe or device, atomically over a file. A
    path that cannot take a file is a usage error; a full disk or a refused permission, an I/O error."""

    from custlens.infra.storage import write_output
    from custlens.pipeline.files import display_path

    try:
        write_output(path, text)
    except BrokenPipeError:
        raise
    except OSError as exc:
        error = cannot_write(f"cannot write {display_path(path)}", exc)
        if error.exit_code == ExitCode.USAGE:
            error.hint = "give a file name, or - for standard output"
        raise error from None


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def stop_on_sigterm() -> None:
    """SIGTERM (what `kill`, systemd and CI runners send) stops a command the way Ctrl-C does: a note
    being written is left whole or not at all, and its temporary file is removed."""
    import signal

    try:
        signal.signal(signal.SIGTERM, _terminate)
    except (ValueError, OSError):  # not the main thread: the default action stays
        pass


