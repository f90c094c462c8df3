"""The command line: parse options, call a command in `commands`, print what it returns.

Errors are one exception type (`CustlensError`), caught once here and printed as one line with a
hint, never a traceback. Exit codes are the named constants of `errors.ExitCode`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from custlens import __version__
from custlens.errors import CustlensError, ExitCode, Terminated
from custlens.infra.visible import visible

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
    console.print(f"[bold red]error:[/] {escape(visible(error.location() + error.message))}")
    if error.hint:
        console.print(f"  [dim]hint:[/] {escape(visible(error.hint))}")


def _quiet_broken_pipe() -> None:
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
def _writing() -> Iterator[None]:
    """Around every write to standard output, so that its errors are told from other ones."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _OutputFailed(error.errno, error.strerror) from None


def _print_io_error(error: OSError, output: bool) -> None:
    """An error of the system, not of custlens: the output could not be written (a full disk, a
    terminal that went away), or a file could not be read or written."""
    from rich.markup import escape

    reason = (error.strerror or str(error)).lower()
    if output:
        _quiet_broken_pipe()  # what is left in the buffer goes nowhere, instead of failing again at exit
        message, hint = f"cannot write the output: {reason}", "check the free space where the output goes"
    elif error.filename is not None:
        from custlens.pipeline.parse import display_path

        message, hint = f"{display_path(Path(os.fsdecode(error.filename)))}: {reason}", None
    else:
        message, hint = f"input/output error: {reason}", None
    console = _err_console()
    console.print(f"[bold red]error:[/] {escape(visible(message))}")
    if hint:
        console.print(f"  [dim]hint:[/] {escape(hint)}")


def handles_errors(command: F) -> F:
    """Run a command, turning custlens errors, Ctrl-C and closed pipes into messages and exit codes."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            result = command(*args, **kwargs)
            with _writing():
                sys.stdout.flush()  # a closed pipe or a full disk shows here, inside this handler, not at exit
            return result
        except CustlensError as error:
            _print_error(error)
            raise typer.Exit(int(error.exit_code)) from None
        except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM (`Terminated`)
            terminated = isinstance(stop, Terminated)
            _err_console().print("terminated" if terminated else "interrupted")
            raise typer.Exit(int(ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED)) from None
        except EOFError:  # Ctrl-D at a prompt: the user gave up, as with Ctrl-C
            _err_console().print("cancelled (end of input): nothing was written")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            _quiet_broken_pipe()
            raise typer.Exit(int(ExitCode.OK)) from None
        except OSError as error:  # a full disk, a closed terminal: not a bug in custlens
            _print_io_error(error, isinstance(error, _OutputFailed))
            raise typer.Exit(int(ExitCode.IO)) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as error:  # a bug in custlens: one line, not a traceback, unless asked for
            if os.environ.get("CUSTLENS_DEBUG"):
                raise
            from rich.markup import escape

            _err_console().print(
                f"[bold red]internal error:[/] {type(error).__name__}: {escape(visible(str(error)))}\n"
                "  hint: this is a bug in custlens; run again with CUSTLENS_DEBUG=1 for the details"
            )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None

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
                console=_err_console(), transient=True,
            )
            self.bar.start()
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@contextlib.contextmanager
def _run(no_cache: bool) -> Any:
    """The Run for a command: cache on unless --no-cache, progress on a terminal, timings if asked for."""
    from custlens.commands import Run

    progress = _LazyProgress() if sys.stderr.isatty() else None
    run = Run(cache=not no_cache and not os.environ.get("CUSTLENS_NO_CACHE"), progress=progress)
    try:
        yield run
    finally:
        if progress is not None:
            progress.stop()
        if os.environ.get("CUSTLENS_TIMINGS"):
            import json

            sys.stderr.write("custlens-timings " + json.dumps(run.timings) + "\n")


def _config() -> Any:
    from custlens.infra.config import find_config

    return find_config()


RedactOpt = Annotated[
    bool,
    typer.Option("--redact", help="Mask e-mail addresses, phone numbers, access tokens, URL tokens and the names listed under "
                 "`redact:` in custlens.yaml, for reports shared outside the research team."),
]
def _complete_kinds(incomplete: str) -> list[str]:
    try:
        return [visible(k) for k in _config().kinds if k.startswith(incomplete)]
    except Exception:  # noqa: BLE001  # completion must never break the shell
        return []


def _complete_segments(incomplete: str) -> list[str]:
    try:
        from custlens.commands import existing_segments

        return [visible(name) for name in existing_segments(_config()) if name.startswith(incomplete)]
    except Exception:  # noqa: BLE001  # completion must never break the shell
        return []


def _complete_themes(incomplete: str) -> list[tuple[str, str]]:
    try:
        from custlens.commands import Filters, synthesise

        ranked = synthesise(None, _config(), Filters()).ranked
        return [(e.theme.id, visible(e.theme.label[:60])) for e in ranked if e.theme.id.startswith(incomplete)]
    except Exception:  # noqa: BLE001  # completion must never break the shell
        return []


NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Parse every note again instead of using the parse cache.")]
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
    allow_empty: Annotated[bool, typer.Option("--allow-empty", help="Pass when there is no note at all.")] = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Check that every note is well formed and states at least one customer need (for CI).

    Exit code 0: no errors; 1: errors found (or warnings with --strict, or no note at all without
    --allow-empty); 2: usage error.
    """
    from custlens import commands
    from custlens.output import render

    _choose(format, ("text", "github", "json"), "--format")
    with _run(no_cache) as run:
        report = commands.check(paths, _config(), run, allow_empty)
        with run.stage("render"):
            if format == "json":
                _emit(render.check_json(report, strict, _is_terminal()))
            elif format == "github":
                _emit("\n".join(render.check_github(report)))
            else:
                from rich.markup import escape

                console = _out_console()
                styles = {"error": "red", "warning": "yellow", "hint": "dim", "ok": "green"}
                with _writing():
                    for line, style in render.check_text(report, strict):
                        console.print(f"[{styles[style]}]{escape(line)}[/]")
    raise typer.Exit(int(report.exit_code(strict)))


SegmentOpt = Annotated[
    list[str] | None,
    typer.Option("--segment", "-s", help="Only notes from this segment (repeatable).", show_default=False,
                 autocompletion=_complete_segments),
]
KindOpt = Annotated[
    list[str] | None,
    typer.Option("--kind", "-k", help="Only notes of this kind of source (repeatable).", show_default=False,
                 autocompletion=_complete_kinds),
]
SinceOpt = Annotated[str | None, typer.Option("--since", help="Only notes on or after this date (YYYY-MM-DD).", show_default=False)]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Only notes on or before this date (YYYY-MM-DD).", show_default=False)]
TypeOpt = Annotated[str | None, typer.Option("--type", "-t", help="Only [bold]pain[/] or [bold]need[/] themes.", show_default=False)]
StrengthOpt = Annotated[
    str | None,
    typer.Option("--min-strength", help="Only themes at least this strong: strong, moderate or anecdotal.", show_default=False),
]
ThresholdOpt = Annotated[
    float | None,
    typer.Option("--threshold", help="How alike statements must be, on average, to share a theme (0-1; default 0.35 "
                 "by meaning, 0.2 with --engine fuzzy). Higher: more, tighter themes.", show_default=False),
]
SubThresholdOpt = Annotated[
    float | None,
    typer.Option("--subtheme-threshold", help="How alike statements must be to share a sub-theme (0-1; default 0.56).",
                 show_default=False),
]
EngineOpt = Annotated[
    str | None,
    typer.Option("--engine", help="Group by [bold]semantic[/] meaning (a local model; the default) or by [bold]fuzzy[/] "
                 "word matches (no model).", show_default=False),
]
LevelOpt = Annotated[str, typer.Option("--level", help="Rank [bold]theme[/]s or the [bold]subtheme[/]s inside them.")]
ConfidenceOpt = Annotated[
    float | None,
    typer.Option("--min-confidence", help="How sure an inferred pain or need must be to count (0-1; semantic engine; "
                 "default 0, or min_confidence in custlens.yaml).", show_default=False),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Stop on notes with errors instead of skipping them.")]
REPORT_FORMATS = ("table", "json", "csv", "markdown")
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Output: table, json, csv or markdown.")]


def _threshold(value: float | None, option: str = "--threshold") -> float | None:
    if value is not None and not 0 < value <= 1:  # also refuses nan
        raise CustlensError(f"invalid value for {option}: {value}", hint="give a number over 0 and at most 1, e.g. 0.35")
    return value


def _grouping(engine: str | None, threshold: float | None, sub_threshold: float | None = None) -> Any:
    """How statements are grouped, from the options (what is not given comes from the config)."""
    from custlens.pipeline.themes import ENGINES, ThemeSettings

    if engine is not None:
        _choose(engine, ENGINES, "--engine")
    threshold = _threshold(threshold)
    sub_threshold = _threshold(sub_threshold, "--subtheme-threshold")
    if threshold is not None and sub_threshold is not None and sub_threshold < threshold:
        raise CustlensError(f"--subtheme-threshold {sub_threshold} is under --threshold {threshold}",
                            hint="sub-themes are tighter than themes: give a higher value")
    return ThemeSettings(engine=engine, threshold=threshold, sub_threshold=sub_threshold)  # type: ignore[arg-type]  # checked above


def _day(value: str) -> Any:
    """A date written YYYY-MM-DD, `today` or `yesterday`; ValueError for anything else."""
    import datetime as dt

    word = value.strip().casefold()
    if word in ("today", "yesterday"):
        return dt.date.today() - dt.timedelta(days=1 if word == "yesterday" else 0)
    return dt.date.fromisoformat(value.strip())


def _date(value: str | None, option: str) -> Any:
    if value is None:
        return None
    try:
        return _day(value)
    except ValueError:
        raise CustlensError(f"invalid value for {option}: {value!r}",
                            hint="write dates as YYYY-MM-DD, today or yesterday") from None


def _ask_date(console: Any, default: Any) -> Any:
    """Ask for the date until the answer is one (a typo must not end the session and lose the note)."""
    from rich.markup import escape
    from rich.prompt import Prompt

    while True:
        answer = Prompt.ask("Date (YYYY-MM-DD, today or yesterday)", default=default.isoformat(), console=console)
        try:
            return _day(answer)
        except ValueError:
            console.print(f"[red]not a date:[/] {escape(visible(repr(answer)))}; write YYYY-MM-DD, today or yesterday")


def _filters(
    segment: list[str] | None, kind: list[str] | None, since: str | None, until: str | None,
    type_: str | None = None, min_strength: str | None = None, level: str = "theme",
    min_confidence: float | None = None,
) -> Any:
    from custlens.commands import Filters

    _choose(level, ("theme", "subtheme"), "--level")
    if min_confidence is not None and not 0 <= min_confidence <= 1:  # also refuses nan
        raise CustlensError(f"invalid value for --min-confidence: {min_confidence}", hint="give a number from 0 to 1, e.g. 0.6")
    if type_ is not None:
        _choose(type_, ("pain", "need"), "--type")
    if min_strength is not None:
        _choose(min_strength, ("strong", "moderate", "anecdotal"), "--min-strength")
    return Filters(
        segments=tuple(segment or ()), kinds=tuple(kind or ()), since=_date(since, "--since"),
        until=_date(until, "--until"), type=type_, min_strength=min_strength, level=level,
        min_confidence=min_confidence,
    )


def _warn_skipped(synthesis: Any) -> None:
    if not synthesis.problems:
        return
    from rich.markup import escape

    from custlens.output.render import problem_line

    console = _err_console()
    for problem in synthesis.problems:
        console.print(f"[yellow]warning:[/] {escape(problem_line(problem))} (skipped)")


def _is_terminal() -> bool:
    return sys.stdout.isatty()


def _width() -> int | None:
    """Terminal width on a terminal. None in a pipe: nothing is cut to fit (`themes | less` shows every
    label and quote in full, and the pager wraps or scrolls)."""
    if _is_terminal():
        import shutil

        return max(40, shutil.get_terminal_size().columns)
    return None


def _print_table(renderables: list[Any]) -> None:
    from rich.console import Console

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:  # Rich would exit 1; a closed pipe ends custlens quietly, with 0
            self.quiet = True
            raise BrokenPipeError

    terminal = _is_terminal()
    if not terminal:  # plain text, each row in full: rendered wide, spaces at line ends dropped
        import io

        rendered = io.StringIO()
        console = Console(file=rendered, highlight=False, width=1 << 20, no_color=True, soft_wrap=False)
        for renderable in renderables:
            title = getattr(renderable, "title", None)
            if title:  # a line of its own: a table's title would wrap at the table's width
                console.print(title, soft_wrap=True)
                renderable.title = None
            console.print(renderable)
        _emit("\n".join(line.rstrip() for line in rendered.getvalue().splitlines()))
        return
    console = PipeConsole(highlight=False, width=_width(), no_color=not terminal or None, soft_wrap=False)
    with _writing():
        for renderable in renderables:
            console.print(renderable)


def _output(format: str, writers: dict[str, Callable[[], Any]]) -> None:
    """Print a report in the chosen format: writers give text (json, csv, markdown) or Rich tables."""
    made = writers[format]()
    if isinstance(made, str):
        _emit(made)
    else:
        _print_table(made)


def _emit(text: str) -> None:
    with _writing():
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command()
@handles_errors
def themes(
    paths: PathsArg = None,
    segment: SegmentOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    type_: TypeOpt = None,
    min_strength: StrengthOpt = None,
    top: Annotated[int, typer.Option("--top", "-n", help="Show at most this many themes.", min=1)] = 10,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Show every theme, one-mention themes too.")] = False,
    level: LevelOpt = "theme",
    engine: EngineOpt = None,
    threshold: ThresholdOpt = None,
    subtheme_threshold: SubThresholdOpt = None,
    min_confidence: ConfidenceOpt = None,
    format: FormatOpt = "table",
    strict: StrictOpt = False,
    write_codebook: Annotated[
        bool,
        typer.Option("--write-codebook", help="Add the themes shown that have no name yet to the codebook file "
                     "(themes.yaml), keeping what is there."),
    ] = False,
    redact: RedactOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Pains and needs grouped into themes, strongest evidence first.

    Strength: [bold]strong[/] = 3+ participants from 2+ segments or through 2+ kinds of source;
    [bold]moderate[/] = 2+ participants; [bold]anecdotal[/] = one participant.
    """
    from custlens import commands
    from custlens.output import render

    _choose(format, REPORT_FORMATS, "--format")
    filters = _filters(segment, kind, since, until, type_, min_strength, level, min_confidence)
    if write_codebook and redact:
        raise CustlensError(
            "--write-codebook writes the team's own codebook from the notes as they are; leave out --redact",
            hint="run `custlens themes --write-codebook`, then share reports made with --redact",
        )
    config = _config()
    with _run(no_cache) as run:
        report = commands.themes(
            paths, config, filters, top=top, show_all=all_, grouping=_grouping(engine, threshold, subtheme_threshold),
            strict=strict, run=run,
            redact=redact,
        )
        _warn_skipped(report.synthesis)
        if write_codebook:
            from custlens.pipeline.parse import display_path

            path, added = commands.write_codebook(report, config)
            _err_console().print(
                f"added {len(added)} theme{'s' * (len(added) != 1)} to {display_path(path)}" if added
                else f"nothing to add: every theme shown is already in {display_path(path)}"
            )
        with run.stage("render"):
            _output(format, {
                "json": lambda: render.themes_json(report, _is_terminal()),
                "csv": lambda: render.themes_csv(report),
                "markdown": lambda: render.themes_markdown(report),
                "table": lambda: [render.themes_table(report, _is_terminal(), _width())],
            })
            if format == "table":
                footer = render.themes_footer(report) if report.shown else "no themes: no pains or needs in the notes"
                if footer:
                    _err_console().print(footer)


@app.command()
@handles_errors
def segments(
    paths: PathsArg = None,
    segment: SegmentOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    top: Annotated[int, typer.Option("--top", "-n", help="Themes shown per segment.", min=1)] = 5,
    level: LevelOpt = "theme",
    engine: EngineOpt = None,
    threshold: ThresholdOpt = None,
    subtheme_threshold: SubThresholdOpt = None,
    min_confidence: ConfidenceOpt = None,
    format: FormatOpt = "table",
    strict: StrictOpt = False,
    redact: RedactOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Per segment: what it says (coverage = share of its participants), what it shares, what only it says."""
    from custlens import commands
    from custlens.output import render

    _choose(format, REPORT_FORMATS, "--format")
    filters = _filters(segment, kind, since, until, level=level, min_confidence=min_confidence)
    with _run(no_cache) as run:
        report = commands.segments(
            paths, _config(), filters, top=top, grouping=_grouping(engine, threshold, subtheme_threshold), strict=strict,
            run=run, redact=redact,
        )
        _warn_skipped(report.synthesis)
        with run.stage("render"):
            _output(format, {
                "json": lambda: render.segments_json(report, _is_terminal()),
                "csv": lambda: render.segments_csv(report),
                "markdown": lambda: render.segments_markdown(report),
                "table": lambda: render.segments_tables(report, _is_terminal(), _width()),
            })


@app.command()
@handles_errors
def show(
    theme: Annotated[
        str, typer.Argument(help="A theme id, or words from its label.", show_default=False, autocompletion=_complete_themes)
    ],
    paths: PathsArg = None,
    segment: SegmentOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    engine: EngineOpt = None,
    threshold: ThresholdOpt = None,
    subtheme_threshold: SubThresholdOpt = None,
    min_confidence: ConfidenceOpt = None,
    format: Annotated[str, typer.Option("--format", "-f", help="Output: text, json, csv or markdown.")] = "text",
    strict: StrictOpt = False,
    redact: RedactOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """One theme with every statement behind it: note path:line, participant, segment, kind, date."""
    from custlens import commands
    from custlens.output import render

    _choose(format, ("text", "json", "csv", "markdown"), "--format")
    with _run(no_cache) as run:
        report = commands.show(
            theme, paths, _config(), _filters(segment, kind, since, until, min_confidence=min_confidence),
            _grouping(engine, threshold, subtheme_threshold),
            strict, run, redact,
        )
    _warn_skipped(report.synthesis)
    _output(format, {
        "json": lambda: render.show_json(report, _is_terminal()),
        "csv": lambda: render.show_csv(report),
        "markdown": lambda: render.show_markdown(report),
        "text": lambda: "\n".join(render.show_lines(report)),
    })


@app.command()
@handles_errors
def statements(
    paths: PathsArg = None,
    segment: SegmentOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    type_: Annotated[str | None, typer.Option("--type", "-t", help="Only pain, need or other statements.", show_default=False)] = None,
    level: LevelOpt = "theme",
    engine: EngineOpt = None,
    threshold: ThresholdOpt = None,
    subtheme_threshold: SubThresholdOpt = None,
    min_confidence: ConfidenceOpt = None,
    format: FormatOpt = "table",
    strict: StrictOpt = False,
    redact: RedactOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Every statement with its type (stated or inferred, and the cue), section, place and theme."""
    from custlens import commands
    from custlens.output import render

    _choose(format, REPORT_FORMATS, "--format")
    if type_ is not None:
        _choose(type_, ("pain", "need", "other"), "--type")
    with _run(no_cache) as run:
        synthesis = commands.statements(
            paths, _config(), _filters(segment, kind, since, until, level=level, min_confidence=min_confidence),
            _grouping(engine, threshold, subtheme_threshold), strict, run, redact, type_,
        )
    _warn_skipped(synthesis)
    _output(format, {
        "json": lambda: render.statements_json(synthesis, _is_terminal()),
        "csv": lambda: render.statements_csv([(s, synthesis.theme_of.get(id(s))) for s in synthesis.statements]),
        "markdown": lambda: render.statements_markdown(synthesis),
        "table": lambda: [render.statements_table(synthesis, _is_terminal(), _width())],
    })


def _ask_list(prompt: str) -> tuple[str, ...]:
    from rich.prompt import Prompt

    items: list[str] = []
    console = _err_console()
    console.print(f"[bold]{prompt}[/] (one per line, an empty line to finish)")
    while True:
        answer = Prompt.ask("  -", default="", show_default=False, console=console)
        if not answer.strip():
            return tuple(items)
        items.append(answer.strip())


@app.command()
@handles_errors
def add(
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Kind of source: interview, support-ticket, ...", show_default=False,
                     autocompletion=_complete_kinds),
    ] = None,
    segment: Annotated[
        str | None,
        typer.Option("--segment", help="Customer segment.", show_default=False, autocompletion=_complete_segments),
    ] = None,
    participant: Annotated[str | None, typer.Option("--participant", help="Pseudonymous participant id (not a name).", show_default=False)] = None,
    researcher: Annotated[list[str] | None, typer.Option("--researcher", help="Who took the note (repeatable).", show_default=False)] = None,
    date: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD, today or yesterday (default: today).", show_default=False)] = None,
    title: Annotated[str | None, typer.Option("--title", help="A short title.", show_default=False)] = None,
    pain: Annotated[list[str] | None, typer.Option("--pain", help="A pain the customer has (repeatable).", show_default=False)] = None,
    need: Annotated[list[str] | None, typer.Option("--need", help="A need the customer states (repeatable).", show_default=False)] = None,
    quote: Annotated[list[str] | None, typer.Option("--quote", help="The customer's own words (repeatable).", show_default=False)] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag for the note (repeatable).", show_default=False)] = None,
    folder: Annotated[Path | None, typer.Option("--dir", help="Notes folder (default: the first from custlens.yaml).", show_default=False)] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; take everything from options.")] = False,
    edit: Annotated[bool, typer.Option("--edit", help="Open the new note in $EDITOR afterwards.")] = False,
) -> None:
    """Write a new note right after an interview: prompts on a terminal, options otherwise.

    The note is named <date>-<segment>-<participant or title>.md, never overwrites a file (a second
    one gets -2), and is written atomically. A note without a need is written, with a warning.
    """
    import datetime as dt

    from custlens import commands
    from custlens.pipeline.parse import display_path

    config = _config()
    interactive = not no_input and sys.stdin.isatty()
    day = _date(date, "--date") or dt.date.today()
    researchers = tuple(researcher or ())
    if interactive:
        from rich.prompt import Prompt

        console = _err_console()
        kind = kind or Prompt.ask("Kind of source", choices=list(config.kinds), default=config.kinds[0], console=console)
        known = commands.existing_segments(config)
        if known and not segment:
            console.print(f"[dim]segments so far: {', '.join(known[:12])}[/]")
        while not segment:
            segment = Prompt.ask("Segment", default=known[0] if known else None, console=console) or ""
            segment = segment.strip()
        participant = participant or Prompt.ask("Participant id", default="", show_default=False, console=console) or None
        if not researchers:
            who = Prompt.ask("Researcher", default=commands.default_researcher(config) or "", console=console)
            researchers = (who,) if who else ()
        if date is None:
            day = _ask_date(console, day)
        title = title or Prompt.ask("Title", default="", show_default=False, console=console) or None
        pains = tuple(pain or ()) or _ask_list("Pains")
        needs = tuple(need or ()) or _ask_list("Needs")
        quotes = tuple(quote or ()) or _ask_list("Quotes")
    else:
        missing = [name for name, value in (("--kind", kind), ("--segment", segment)) if not value]
        if missing:
            raise CustlensError(
                f"missing {' and '.join(missing)}",
                hint="without a terminal, `custlens add` takes everything from options: "
                "--kind interview --segment smb --need '...'",
            )
        if not researchers:
            found = commands.default_researcher(config)
            researchers = (found,) if found else ()
        pains, needs, quotes = tuple(pain or ()), tuple(need or ()), tuple(quote or ())
    new = commands.NewNote(
        kind=kind or "", segment=segment or "", date=day, participant=participant, researchers=researchers,
        title=title, tags=tuple(tag or ()), pains=pains, needs=needs, quotes=quotes,
    )
    path, warnings = commands.add(new, config, folder)
    for problem in warnings:
        if problem.code == "no-need":
            _err_console().print(
                "[yellow]warning:[/] this note states no customer need; `custlens check` will report it "
                "(add a `## Needs` item)"
            )
        else:  # what `check` would say of it, as `check` says it
            from rich.markup import escape

            _err_console().print(f"[yellow]warning:[/] {escape(visible(problem.message))}")
            if problem.hint:
                _err_console().print(f"  [dim]hint:[/] {escape(visible(problem.hint))}")
    _emit(display_path(path))
    if edit:
        _open_editor(path)


def _open_editor(path: Path) -> None:
    import shlex
    import subprocess

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise CustlensError("no editor: set $EDITOR", hint=f"the note was written to {path}")
    try:
        subprocess.run([*shlex.split(editor), str(path)], check=False)
    except OSError as exc:
        raise CustlensError(f"cannot start the editor {editor!r}: {exc.strerror}", hint=f"the note is at {path}") from None


@app.command()
@handles_errors
def init(
    folder: Annotated[Path, typer.Argument(help="Where to create custlens.yaml and notes/ (made if missing).")] = Path("."),
) -> None:
    """Start a notes repository: a commented custlens.yaml and an example note in notes/."""
    from custlens import commands
    from custlens.pipeline.parse import display_path

    if os.path.lexists(folder) and not folder.is_dir():
        raise CustlensError(f"not a folder: {display_path(folder)}", hint="give a folder to start the notes repository in")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CustlensError(f"cannot create {display_path(folder)}: {(exc.strerror or str(exc)).lower()}") from None
    for path in commands.init(folder):
        _emit(f"wrote {display_path(path)}")


@app.command()
@handles_errors
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout (- for stdout).", show_default=False)] = None,
) -> None:
    """Print the JSON Schema of a note's front matter and of YAML notes (for editors and CI).

    Generated from the same model `custlens check` validates with, with the kinds, segments and extra
    keys of custlens.yaml.
    """
    import json

    from custlens.models import note_schema
    from custlens.pipeline.parse import display_path

    config = _config()
    text = json.dumps(note_schema(config.kinds, config.segments, config.attributes), indent=2) + "\n"
    if output is None or str(output) == "-":
        _emit(text)
        return
    _write_output(output, text)
    _err_console().print(f"wrote {display_path(output)}")


def _write_output(path: Path, text: str) -> None:
    """Write a file the user named: through a link, into a pipe or device, atomically over a file. A
    path that cannot take a file is a usage error; a full disk or a refused permission, an I/O error."""
    import errno

    from custlens.infra.storage import write_output
    from custlens.pipeline.parse import display_path

    try:
        write_output(path, text)
    except BrokenPipeError:
        raise
    except OSError as exc:
        usage = exc.errno in (errno.EISDIR, errno.EINVAL, errno.ENOENT, errno.ENOTDIR)
        raise CustlensError(f"cannot write {display_path(path)}: {(exc.strerror or str(exc)).lower()}",
                            hint="give a file name, or - for standard output" if usage else None,
                            exit_code=ExitCode.USAGE if usage else ExitCode.IO) from None


@app.command("import")
@handles_errors
def import_(
    source: Annotated[Path, typer.Argument(help="A CSV export (Typeform, Google Forms, Zendesk, Intercom...).", show_default=False)],
    text_column: Annotated[str, typer.Option("--text-column", help="The column with the customer's words.", show_default=False)],
    type_: Annotated[str, typer.Option("--type", help="pain, need, or auto (free text, typed by the tagger).")] = "auto",
    segment_column: Annotated[str | None, typer.Option("--segment-column", help="The column with each row's segment.", show_default=False)] = None,
    segment: Annotated[str | None, typer.Option("--segment", help="One segment for every row (or where the column is empty).", show_default=False)] = None,
    date_column: Annotated[str | None, typer.Option("--date-column", help="The column with each row's date.", show_default=False)] = None,
    date: Annotated[str | None, typer.Option("--date", help="One date for every row (default: today).", show_default=False)] = None,
    participant_column: Annotated[str | None, typer.Option("--participant-column", help="The column with a respondent or ticket id.", show_default=False)] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="Kind of source: survey, support-ticket, in-app-feedback, ...",
                          autocompletion=_complete_kinds)
    ] = "survey",
    folder: Annotated[Path | None, typer.Option("--dir", help="Notes folder (default: the first from custlens.yaml).", show_default=False)] = None,
    date_order: Annotated[str, typer.Option("--date-order", help="Dates like 03/05/2026: auto (from the column), dmy or mdy.")] = "auto",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the note that would be written; write nothing.")] = False,
) -> None:
    """Turn a survey or help-desk export (CSV) into one YAML batch note, one entry per row.

    Rows with no text are skipped and counted. The note is written atomically and never over a file.
    """
    from custlens import commands
    from custlens.pipeline.csvimport import DATE_ORDERS, ImportOptions
    from custlens.pipeline.parse import display_path

    _choose(type_, ("pain", "need", "auto"), "--type")
    _choose(date_order, DATE_ORDERS, "--date-order")
    options = ImportOptions(
        text_column=text_column, type=type_, kind=kind, segment_column=segment_column, segment=segment,
        date_column=date_column, date=_date(date, "--date"), participant_column=participant_column,
        date_order=date_order,
    )
    config = _config()
    path, result = commands.import_csv(source, options, config, folder, dry_run)
    console = _err_console()
    skipped = result.skipped_empty + result.skipped_no_segment
    summary = f"{result.entries} of {result.rows} rows imported"
    if skipped:
        summary += f"; skipped {result.skipped_empty} with no text and {result.skipped_no_segment} with no segment"
    if dry_run:
        _emit(result.text)
        console.print(f"dry run: {summary}; would write {display_path(path)} (or a numbered name if taken); "
                      "nothing written")
        return
    _emit(display_path(path))
    console.print(summary)
    if type_ != "need" and config.needs_a_need(kind):
        console.print(
            "[yellow]note:[/] entries state no need outright, so `custlens check` reports them; for exports, set "
            "`require_need: \\[interview, ...]` (the kinds that must state a need) in custlens.yaml"
        )


@app.command()
@handles_errors
def trends(
    paths: PathsArg = None,
    by: Annotated[str, typer.Option("--by", help="Count per month or quarter.")] = "month",
    top: Annotated[int, typer.Option("--top", "-n", help="The most mentioned themes to show.", min=1)] = 10,
    segment: SegmentOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    type_: TypeOpt = None,
    level: LevelOpt = "theme",
    engine: EngineOpt = None,
    threshold: ThresholdOpt = None,
    subtheme_threshold: SubThresholdOpt = None,
    min_confidence: ConfidenceOpt = None,
    format: FormatOpt = "table",
    strict: StrictOpt = False,
    redact: RedactOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """How often each theme came up per month or quarter, with a sparkline, and which are rising or fading.

    Rising: the later half of the periods has at least twice the mentions of the earlier half (and two
    more); fading: the other way round; steady otherwise.
    """
    from custlens import commands
    from custlens.output import render

    _choose(by, ("month", "quarter"), "--by")
    _choose(format, REPORT_FORMATS, "--format")
    filters = _filters(segment, kind, since, until, type_, level=level, min_confidence=min_confidence)
    with _run(no_cache) as run:
        report = commands.trends(paths, _config(), filters, by=by, top=top,
                                 grouping=_grouping(engine, threshold, subtheme_threshold), strict=strict, run=run,
                                 redact=redact)
        _warn_skipped(report.synthesis)
        with run.stage("render"):
            _output(format, {
                "json": lambda: render.trends_json(report, _is_terminal()),
                "csv": lambda: render.trends_csv(report),
                "markdown": lambda: render.trends_markdown(report),
                "table": lambda: [render.trends_table(report, _is_terminal(), _width())],
            })


@app.command()
@handles_errors
def report(
    paths: PathsArg = None,
    html_file: Annotated[Path, typer.Option("--html", help="Write a self-contained HTML page to this file (- for stdout).", show_default=False)] = Path("custlens-report.html"),
    segment: SegmentOpt = None,
    kind: KindOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    type_: TypeOpt = None,
    min_strength: StrengthOpt = None,
    top: Annotated[int, typer.Option("--top", "-n", help="Themes to include.", min=1)] = 30,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Include every theme.")] = False,
    level: LevelOpt = "theme",
    engine: EngineOpt = None,
    threshold: ThresholdOpt = None,
    subtheme_threshold: SubThresholdOpt = None,
    min_confidence: ConfidenceOpt = None,
    strict: StrictOpt = False,
    redact: RedactOpt = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Write a one-page HTML report for people who never open a terminal.

    Ranked themes with strength badges, filters by segment and kind, a segment x theme heat map,
    mentions over time, and every quote with its note and date. The page is self-contained (no CDN,
    no network) and written atomically.
    """
    from custlens import commands
    from custlens.output.html import render_html
    from custlens.pipeline.parse import display_path

    filters = _filters(segment, kind, since, until, type_, min_strength, level, min_confidence)
    with _run(no_cache) as run:
        data = commands.html_report(paths, _config(), filters, show_all=all_, top=top,
                                    grouping=_grouping(engine, threshold, subtheme_threshold),
                                    strict=strict, run=run, redact=redact)
        _warn_skipped(data.synthesis)
        with run.stage("render"):
            page = render_html(data)
    if str(html_file) == "-":
        _emit(page)
        return
    _write_output(html_file, page)
    _emit(display_path(html_file))


def _choose(value: str, choices: tuple[str, ...], option: str) -> None:
    if value not in choices:
        raise CustlensError(
            f"invalid value for {option}: {value!r}", hint=f"choose one of: {', '.join(choices)}"
        )


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _stop_on_sigterm() -> None:
    """SIGTERM (what `kill`, systemd and CI runners send) stops a command the way Ctrl-C does: a note
    being written is left whole or not at all, and its temporary file is removed."""
    import signal

    try:
        signal.signal(signal.SIGTERM, _terminate)
    except (ValueError, OSError):  # not the main thread: the default action stays
        pass


def invoke() -> int:
    """Run the command line in `sys.argv`; return the exit code."""
    # Pydantic plugins are installed packages that watch every validation, so they would see every
    # note. None of them runs here (unless PYDANTIC_DISABLE_PLUGINS is set otherwise), and looking
    # for them, through every installed package's metadata, took a tenth of the start-up.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # The work is already shared out one process per core (pains and needs are grouped at the same
    # time), so numpy's own threads would only fight over the cores: grouping 100,000 statements took
    # 10.4 s of processor time with two threads each, 5.6 s with one. (Set before numpy is imported;
    # a user's own setting wins.)
    for variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    # A run is short and frees its objects by reference counting: the cyclic collector would only scan
    # the objects that imports and parsing pile up, again and again (it cost about 15% of `check` on
    # 10,000 notes). The process ends soon after, so it stays off.
    import gc

    gc.disable()
    _stop_on_sigterm()
    try:
        app()
    except BrokenPipeError:  # --help or --version into `head`
        _quiet_broken_pipe()
        return int(ExitCode.OK)
    except OSError as error:  # --help or --version into a full disk
        _print_io_error(error, True)
        return int(ExitCode.IO)
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        sys.stderr.write(f"{stop.code}\n")
        return 1
    return 0


def main() -> None:
    """Console-script entry point."""
    code = invoke()
    # Everything is written; the process ends without freeing its objects one by one, which took 0.1 s
    # after 10,000 statements and 0.2 s after 100,000. Not under coverage or a debugger: their own exit
    # handlers must run.
    if sys.gettrace() is None and "coverage" not in sys.modules:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it anyway
                pass
        os._exit(code)
    sys.exit(code)
