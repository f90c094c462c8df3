"""The parse cache: what each note file gave, keyed by its path, size, modification and change times,
inode and a digest of custlens's code, so a second run over unchanged notes skips parsing.

It lives outside the notes folder (`infra.cache.cache_dir`), holds only plain data (`marshal` of tuples
and strings: nothing in it can run code), is written atomically, and is safe to delete at any time. A
cache that cannot be read or written is ignored: it only ever saves time.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from custlens.infra.cache import _write_private, cache_dir, code_version
from custlens.pipeline.files import from_plain
from custlens.pipeline.parse import ParsedFile, ParseSettings


class ParseCache:
    """Cached parse results for one set of note folders and settings."""

    def __init__(self, roots: Sequence[Path], settings: ParseSettings, folder: Path | None = None) -> None:
        identity = repr((code_version(), sorted(os.path.abspath(r) for r in roots), settings))
        digest = hashlib.sha1(identity.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        self.path = (folder or cache_dir()) / f"parse-{code_version()}-{digest}.bin"
        self.entries: dict[str, tuple[tuple[int, ...], str, tuple[Any, ...]]] = {}
        self.used: dict[str, tuple[tuple[int, ...], str, tuple[Any, ...]]] = {}
        self.changed = False
        try:
            with open(self.path, "rb") as handle:
                data = marshal.loads(handle.read())  # one read: load(handle) reads piece by piece
            if isinstance(data, dict):
                self.entries = data
                os.utime(self.path)  # recently used: kept longest by prune()
        except (OSError, EOFError, ValueError, TypeError):
            self.entries = {}

    def lookup(self, path: Path, display: str) -> tuple[tuple[int, ...] | None, ParsedFile | None]:
        """The file's stamp, and its cached result if it is unchanged (else None).

        Unchanged means the same size, modification time, change time, inode and device: the change
        time moves on every write and permission change and cannot be set back (as `touch -r` or
        `rsync -t` set the modification time), and an edit that replaces the file gets a new inode."""
        key = os.path.abspath(path)
        try:
            stat = path.stat()
        except OSError:
            return None, None
        stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)
        found = self.entries.get(key)
        try:
            if type(found) is tuple and len(found) == 3 and tuple(found[0]) == stamp and found[1] == display:
                result = from_plain(found[2])
                self.used[key] = found
                return stamp, result
        except (ValueError, TypeError, IndexError, KeyError, AttributeError, OverflowError):
            pass  # an entry of another shape: parsed again, and replaced
        return stamp, None

    def store(self, path: Path, display: str, stamp: tuple[int, ...] | None, plain: tuple[Any, ...]) -> None:
        """Keep a fresh result (`files.to_plain`) for the next run, unless the file could not even be
        looked at."""
        if stamp is not None:
            self.used[os.path.abspath(path)] = (stamp, display, plain)
            self.changed = True

    def save(self) -> None:
        """Write the entries used in this run (dropping files that are gone), atomically; never fails."""
        if not self.changed and len(self.used) == len(self.entries):
            return
        try:
            _write_private(self.path, marshal.dumps(self.used))
        except (OSError, ValueError):
            pass
