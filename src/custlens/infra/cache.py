"""Where caches live, and the result cache: results of pure steps (grouping, tagging) kept between runs.

The cache folder is outside the notes folder (`$CUSTLENS_CACHE_DIR`, else `$XDG_CACHE_HOME/custlens`,
else `~/.cache/custlens`). Caches hold only plain data (`marshal` of tuples and strings: nothing in
them can run code), are written atomically, keyed by a digest of custlens's own code, and safe to
delete at any time. They hold copies of private notes, so the folder is made readable by its owner
only (0700) and its files too (0600). A cache that cannot be read or written, or an entry of an
unexpected shape, is ignored: it only ever saves time. (The parse cache is `pipeline.parsecache`.)
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from custlens import __version__

FORMAT = 2
# What the cache keeps: files of older code versions go, then the least recently used beyond these.
MAX_FILES = 64
MAX_BYTES = 1 << 30
_OURS = re.compile(r"^(parse|groups|tags|meaning)-([0-9a-f]{16})-[0-9a-f]+\.bin$")
_LEFTOVER = re.compile(r"^\.(parse|groups|tags|meaning)-[0-9a-f-]+\.bin\.[0-9a-f]+\.tmp$")
_ENTRY = "custlens-result"  # the first item of every result-cache entry


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of custlens's own code (its Python and C sources, and the compiled module): any change
    to the code starts every cache afresh."""
    hasher = hashlib.sha1(f"{FORMAT}\n{__version__}".encode())
    package = Path(__file__).resolve().parents[1]
    for source in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".c", ".so", ".pyd")):
        hasher.update(source.relative_to(package).as_posix().encode() + b"\x00" + source.read_bytes())
    return hasher.hexdigest()[:16]


def cache_dir() -> Path:
    explicit = os.environ.get("CUSTLENS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "custlens"


def _private_folder(folder: Path) -> None:
    """Make the cache folder, readable by its owner only. The usual folder (not one named by
    $CUSTLENS_CACHE_DIR) is also closed if an older version made it open to everyone."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not os.environ.get("CUSTLENS_CACHE_DIR") and folder == cache_dir():
        info = folder.stat()
        if info.st_mode & 0o077 and info.st_uid == os.getuid():
            folder.chmod(0o700)


def _write_private(path: Path, data: bytes) -> None:
    from custlens.infra.storage import replace

    _private_folder(path.parent)
    replace(path, data, mode=0o600)


class ResultCache:
    """Results of pure steps (grouping, tagging) keyed by a digest of their inputs (the settings they
    depend on included), next to the parse cache. A run over unchanged notes then skips those steps too.

    Each entry holds its kind, the code version and its key with its value, and `get` gives the value
    only if all three are the ones asked for and `valid` (the caller's check of the value's shape)
    accepts it: an entry of another version, a partial write, a disk error or a file copied under
    another name is a miss, never a wrong result or a crash."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or cache_dir()

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / f"{kind}-{code_version()}-{key}.bin"

    def get(self, kind: str, key: str, valid: Callable[[Any], bool] | None = None) -> Any:
        path = self._path(kind, key)
        try:
            with open(path, "rb") as handle:
                entry = marshal.loads(handle.read())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if not (type(entry) is tuple and len(entry) == 5 and entry[:4] == (_ENTRY, code_version(), kind, key)):
            return None
        try:
            if valid is not None and not valid(entry[4]):
                return None
        except (ValueError, TypeError, IndexError, KeyError, AttributeError):
            return None
        try:
            os.utime(path)  # recently used: kept longest by prune()
        except OSError:
            pass
        return entry[4]

    def prune(self) -> None:
        """Remove cache files of other code versions, temporary files left by a killed run, and the
        least recently used files beyond MAX_FILES or MAX_BYTES. Only custlens's own file names are
        touched, so a cache folder shared with other files is safe."""
        prune(self.folder)

    def put(self, kind: str, key: str, value: Any) -> None:
        try:
            _write_private(self._path(kind, key), marshal.dumps((_ENTRY, code_version(), kind, key, value)))
        except (OSError, ValueError):
            pass


def prune(folder: Path, now: float | None = None) -> list[str]:
    """See ResultCache.prune; returns the names removed."""
    now = time.time() if now is None else now
    current = code_version()
    kept: list[tuple[float, int, Path]] = []
    doomed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        try:
            ours = _OURS.match(entry.name)
            if ours and entry.is_file(follow_symlinks=False):
                stat = entry.stat(follow_symlinks=False)
                if ours.group(2) != current:
                    doomed.append(Path(entry.path))
                else:
                    kept.append((stat.st_mtime, stat.st_size, Path(entry.path)))
            elif _LEFTOVER.match(entry.name) and now - entry.stat(follow_symlinks=False).st_mtime > 3600:
                doomed.append(Path(entry.path))
        except OSError:
            continue
    kept.sort(key=lambda item: item[0], reverse=True)
    total = 0
    for rank, (_, size, path) in enumerate(kept):
        total += size
        if rank >= MAX_FILES or total > MAX_BYTES:
            doomed.append(path)
    removed = []
    for path in doomed:
        try:
            path.unlink()
            removed.append(path.name)
        except OSError:
            pass
    return removed


def digest(*parts: Any) -> str:
    """A short, stable key for the inputs of a step (the cache file name adds the code version)."""
    hasher = hashlib.sha1()
    for part in parts:
        hasher.update(b"\x00" + repr(part).encode("utf-8", "surrogateescape"))
    return hasher.hexdigest()[:24]
