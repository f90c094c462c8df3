"""The command line: parse options, call a command in `commands`, print what it returns through `output`.

- `app`: the Typer application and `--version`;
- `options`: the options' types and the options every report shares, gathered into one `ReportOptions`;
- `console`: printing for people and pipes, errors as one line and a named exit code, progress;
- `reports`: themes, segments, show, statements, trends, report;
- `notes`: check, add, init, import, schema (with `prompts` for interactive `add`).

Errors are one exception type (`CustlensError`), caught once (`console.handles_errors`) and printed as
one line with a hint, never a traceback. Exit codes are the named constants of `errors.ExitCode`.
"""

from __future__ import annotations

import os
import sys

from custlens.cli import notes, reports  # noqa: F401  # the commands, registered on the app
from custlens.cli.app import app
from custlens.cli.console import (
    print_io_error,
    quiet_broken_pipe,
    stop_on_sigterm,
    usage_error,
)
from custlens.errors import ExitCode


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
    stop_on_sigterm()
    try:
        # not standalone: a usage error comes back here, to be said as custlens says its own errors
        code = app(standalone_mode=False)
    except BrokenPipeError:  # --help or --version into `head`
        quiet_broken_pipe()
        return int(ExitCode.OK)
    except OSError as error:  # --help or --version into a full disk
        print_io_error(error, True)
        return int(ExitCode.IO)
    except Exception as error:  # click's (Typer bundles its own copy): a usage error, or end of input at a prompt
        if hasattr(error, "format_message") and isinstance(getattr(error, "exit_code", None), int):
            return usage_error(error)
        if type(error).__name__ == "Abort":  # as Typer says it when it runs standalone
            sys.stderr.write("Aborted!\n")
            return 1
        raise
    except SystemExit as stop:
        if isinstance(stop.__context__, BrokenPipeError):  # Rich meets `--help | head` with exit 1; every
            quiet_broken_pipe()  # other output into a closed pipe ends as a success, so this does too
            return int(ExitCode.OK)
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        sys.stderr.write(f"{stop.code}\n")
        return 1
    return code if isinstance(code, int) else 0


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
