"""The command line: parse options, call a command in `commands`, print what it returns.

Errors are one exception type (`CustlensError`), caught once here and printed as one line with a
hint, never a traceback. Exit codes are the named constants of `errors.ExitCode`.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from . import __version__
from .errors import CustlensError, ExitCode

app = typer.Typer(
    name="custlens",
    help="Turn customer research notes into evidence: stated pains and needs, grouped into themes, "
    "with how many participants, segments and kinds of source back each one.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

F = TypeVar("F", bound=Callable[..., Any])


def _err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def _out_console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _print_error(error: CustlensError) -> None:
    from rich.markup import escape

    console = _err_console()
    console.print(f"[bold red]error:[/] {escape(error.location() + error.message)}")
    if error.hint:
        console.print(f"  [dim]hint:[/] {escape(error.hint)}")


def _quiet_broken_pipe() -> None:
    # Python flushes stdout again at exit; point it at /dev/null so that flush cannot fail too.
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def handles_errors(command: F) -> F:
    """Run a command, turning custlens errors, Ctrl-C and closed pipes into messages and exit codes."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CustlensError as error:
            _print_error(error)
            raise typer.Exit(int(error.exit_code)) from None
        except KeyboardInterrupt:
            _err_console().print("interrupted")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            _quiet_broken_pipe()
            raise typer.Exit(int(ExitCode.OK)) from None

    return run  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"custlens {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", help="Show the version and exit.", callback=_version, is_eager=True),
    ] = False,
) -> None:
    """custlens: what do our customers actually need, and how sure are we?"""


def _config() -> Any:
    from .config import find_config

    return find_config()


PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Note files or folders (default: the notes folders from custlens.yaml, else notes/).",
                   show_default=False),
]


@app.command()
@handles_errors
def check(
    paths: PathsArg = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="Output: [bold]text[/], [bold]github[/] annotations or [bold]json[/].")
    ] = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Check that every note is well formed and states at least one customer need (for CI).

    Exit code 0: no errors; 1: errors found (or warnings with --strict); 2: usage error.
    """
    from . import commands, render

    _choose(format, ("text", "github", "json"), "--format")
    report = commands.check(paths, _config())
    if format == "json":
        typer.echo(render.check_json(report, strict))
    elif format == "github":
        for line in render.check_github(report):
            typer.echo(line)
    else:
        from rich.markup import escape

        console = _out_console()
        styles = {"error": "red", "warning": "yellow", "hint": "dim", "ok": "green"}
        for line, style in render.check_text(report, strict):
            console.print(f"[{styles[style]}]{escape(line)}[/]")
    raise typer.Exit(int(report.exit_code(strict)))


def _choose(value: str, choices: tuple[str, ...], option: str) -> None:
    if value not in choices:
        raise CustlensError(
            f"invalid value for {option}: {value!r}", hint=f"choose one of: {', '.join(choices)}"
        )


def main() -> None:
    """Console-script entry point."""
    app()
