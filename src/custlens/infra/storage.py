"""Atomic writes: a file appears whole or not at all, and a new file never replaces an existing one.

A write goes to a hidden temporary file beside the target (`.NAME.0123456789ab.tmp`), which is removed
whatever happens; one left by a process that was killed outright is removed by a later `add`, `import`
or `check` (`remove_stale_temporaries`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

STALE_SECONDS = 600  # a temporary file lives for milliseconds; untouched this long, its writer is gone
_TEMPORARY_FOR = (".md", ".markdown", ".yaml", ".yml")  # what add, import and init write into notes folders


@contextlib.contextmanager
def _temporary_beside(path: Path, content: str | bytes, mode: int | None = None) -> Iterator[Path]:
    """A fully written and synced temporary file in the same folder, with `mode` if given (else 0o644
    less the umask); removed afterwards, whatever happens."""
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    data = content.encode("utf-8") if isinstance(content, str) else content
    made = False
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644 if mode is None else mode & 0o600)
        made = True
        with os.fdopen(descriptor, "wb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)  # exactly this mode, whatever the umask
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        yield temporary
    finally:
        if made:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def is_own_temporary(name: str) -> bool:
    """Whether a file name is one `_temporary_beside` gives the temporary file of a note or a config
    (`.2026-03-04-smb-p-1.md.0123456789ab.tmp`): custlens's own, to remove once it is stale."""
    if not (name.startswith(".") and name.endswith(".tmp")):
        return False
    target, _, token = name[1:-4].rpartition(".")
    return (len(token) == 12 and all(ch in "0123456789abcdef" for ch in token)
            and target.lower().endswith(_TEMPORARY_FOR) and not target.startswith("."))


def temporaries_in(folder: Path) -> list[Path]:
    """custlens's own temporary files in one folder (none if it cannot be read)."""
    try:
        return [Path(entry.path) for entry in os.scandir(folder) if is_own_temporary(entry.name)]
    except OSError:
        return []


def remove_stale_temporaries(paths: Iterable[Path], now: float | None = None) -> list[Path]:
    """Remove those of `paths` that are custlens's own temporary files (by name), regular files (not
    links) and untouched for STALE_SECONDS: what a killed `add` or `import` left. Never fails; returns
    the files removed."""
    now = time.time() if now is None else now
    removed = []
    for path in paths:
        if not is_own_temporary(path.name):
            continue
        try:
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_SECONDS:
                os.unlink(path)
                removed.append(path)
        except OSError:
            continue
    return removed


def write_new(path: Path, text: str) -> None:
    """Create `path` with `text`; raise FileExistsError if it exists. Never half-written, never replacing.

    The text is written to a temporary file first and then hard-linked into place, which fails if the
    name is taken, even when another process takes it at the same moment.
    """
    with _temporary_beside(path, text) as temporary:
        try:
            os.link(temporary, path)
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                raise FileExistsError(errno.EEXIST, "file exists", str(path)) from None
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            _create_exclusive(path, text)  # a file system without hard links


def _create_exclusive(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise


def replace(path: Path, content: str | bytes, mode: int | None = None) -> None:
    """Write `path` atomically: readers see the old content or the new one, never a mix or nothing."""
    with _temporary_beside(path, content, mode) as temporary:
        os.replace(temporary, path)


def write_output(path: Path, content: str | bytes) -> None:
    """Write the file a command was asked to write (`report --html`, `schema -o`, the codebook).

    A symbolic link is written through, to the file it points to (made if it is missing); a named
    pipe or a device (`/dev/null`, a terminal) is written straight into, never replaced; a regular
    file is replaced atomically and keeps its permissions; a folder, a socket or a block device is
    refused (OSError)."""
    target = Path(os.path.realpath(path))
    try:
        info = os.stat(target)
    except FileNotFoundError:
        replace(target, content)
        return
    if stat.S_ISREG(info.st_mode):
        replace(target, content, stat.S_IMODE(info.st_mode))
        return
    if not (stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)):
        what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a file, a pipe or a character device"
        raise OSError(errno.EISDIR if stat.S_ISDIR(info.st_mode) else errno.EINVAL, what, str(path))
    data = content.encode("utf-8") if isinstance(content, str) else content
    descriptor = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))  # no O_CREAT, no O_TRUNC
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def write_unique(folder: Path, stem: str, suffix: str, text: str, limit: int = 1000) -> Path:
    """Write a new file `stem.suffix`, or `stem-2.suffix`, `stem-3.suffix`... if the name is taken."""
    for number in range(1, limit + 1):
        path = folder / (f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}")
        try:
            write_new(path, text)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free file name", str(folder / (stem + suffix)))
