"""Problems found in notes, the one error type custlens raises, and its exit codes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


class ExitCode(enum.IntEnum):
    """Exit codes with names, so that every command exits the same way."""

    OK = 0
    PROBLEMS = 1
    USAGE = 2
    INTERNAL = 3
    IO = 74  # the output could not be written (a full disk, a closed terminal): EX_IOERR of sysexits.h
    INTERRUPTED = 130
    TERMINATED = 143  # 128 + SIGTERM, as shells report a process ended by it


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a note file: where, what, and how to fix it.

    `line` is 1-based in the original file; `entry` is the 1-based position in a YAML batch.
    """

    path: str
    code: str
    message: str
    severity: Severity = "error"
    line: int | None = None
    entry: int | None = None
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the command is: it stops the way Ctrl-C does (a file being written is left
    whole or not at all, its temporary file removed), and exits with `ExitCode.TERMINATED`."""


class CustlensError(Exception):
    """An error the user can act on; printed as one line (plus a hint), never as a traceback."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
        exit_code: ExitCode = ExitCode.USAGE,
        setting: tuple[str | int, ...] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint
        self.exit_code = exit_code
        self.setting = setting  # the config setting at fault, e.g. ("cues", "need", "remove", 0): see Config.located

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "


def cannot_write(message: str, exc: OSError, *, path: str | None = None, hint: str | None = None) -> CustlensError:
    """`message: the reason` for a file or folder custlens could not write, with one exit code whichever
    command writes: a path that cannot hold it (a folder where a file goes, a file where a folder goes, a
    missing folder) is a usage error (2); a refused permission, a read-only or full disk, an I/O error (74)."""
    import errno

    usage = exc.errno in (errno.EISDIR, errno.EINVAL, errno.ENOENT, errno.ENOTDIR, errno.EEXIST)
    return CustlensError(f"{message}: {(exc.strerror or str(exc)).lower()}", path=path, hint=hint,
                         exit_code=ExitCode.USAGE if usage else ExitCode.IO)
