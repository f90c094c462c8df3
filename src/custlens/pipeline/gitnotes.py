"""Notes as they were at a git revision, read straight from the repository: no checkout, nothing in the
work tree or the index touched. `git ls-tree` lists the files of the revision under the notes folders,
one `git cat-file --batch` reads them all, and `parse.parse_bytes` parses them as if they were on disk.
One `git log` says which commit added each note file; `git blame` which one changed a line of a note
that was edited since.

Git runs as a subprocess with a list of arguments (never a shell), with its optional locks off.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from custlens.errors import CustlensError, ExitCode, Problem
from custlens.infra.visible import name_text
from custlens.pipeline.files import display_path, note_file_filter
from custlens.pipeline.parse import ParsedFile, ParseSettings, parse_bytes

_BLOB_MODES = (b"100644", b"100755")  # files; links (120000) and submodules (160000) are not notes


@dataclass(frozen=True)
class Revision:
    """A commit the user named (a tag, a branch, a commit): what they wrote, the commit, its date."""

    given: str
    commit: str  # the full object name
    short: str
    date: dt.date


@dataclass(frozen=True)
class _Root:
    """A notes folder (or file) as given, and where it is inside the repository (`/`-separated, "" for the top)."""

    given: Path
    inside: str


class Repository:
    """The git repository that holds the notes folders."""

    def __init__(self, top: Path) -> None:
        self.top = top

    def git(self, *args: str, input: bytes | None = None) -> bytes:
        """Run git in the repository; its own error, as one line, if it fails."""
        return _run_git(["-C", str(self.top), *args], input)

    def revision(self, given: str) -> Revision:
        """The commit a tag, branch or commit name stands for; a usage error if there is none."""
        if not given or given.startswith("-"):
            raise CustlensError(f"not a git revision: {given!r}", hint="give a tag, a branch or a commit, or a date "
                                "(YYYY-MM-DD)")
        try:
            commit = self.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{given}^{{commit}}").decode().strip()
        except CustlensError:
            commit = ""
        if not commit:
            raise CustlensError(
                f"unknown revision {given!r} in the git repository {name_text(str(self.top))}",
                hint="give a tag, a branch or a commit of the notes repository (`git tag` lists the tags), "
                "or a date (YYYY-MM-DD)",
            )
        short, day = self.git("show", "-s", "--no-show-signature", "--format=%h%x00%cs", commit).decode().strip().split("\0")
        return Revision(given, commit, short, dt.date.fromisoformat(day))

    def roots(self, paths: Sequence[Path]) -> list[_Root]:
        out = []
        top = os.path.realpath(self.top)
        for path in paths:
            inside = os.path.relpath(os.path.realpath(path), top)
            if inside == os.pardir or inside.startswith(os.pardir + os.sep):
                raise CustlensError(f"{display_path(path)} is not in the git repository {display_path(self.top)}",
                                    hint="give notes folders of one repository")
            out.append(_Root(path, "" if inside == os.curdir else inside.replace(os.sep, "/")))
        return out

    def read_notes(self, revision: Revision, paths: Sequence[Path], settings: ParseSettings,
                   exclude: tuple[str, ...] = (), own: tuple[Path, ...] = ()) -> list[ParsedFile]:
        """Every note file under `paths` as committed at `revision`, parsed, in path order: the files
        `find_note_files` would read there (hidden files, other suffixes and `exclude` left out), each
        shown by the path it has in the work tree; `own` files (the config, the codebook) are no notes."""
        reads = note_file_filter(exclude)
        own_files = {os.path.abspath(path) for path in own}
        wanted: dict[str, tuple[str, bytes, int]] = {}  # display path -> (suffix, object, size)
        listing = self.git("ls-tree", "-r", "-z", "-l", "--full-tree", revision.commit)
        roots = self.roots(paths)
        for entry in listing.split(b"\0"):
            if not entry:
                continue
            meta, _, raw_name = entry.partition(b"\t")
            mode, kind, obj, size = meta.split()
            if kind != b"blob" or mode not in _BLOB_MODES:
                continue
            name = os.fsdecode(raw_name)
            for root in roots:
                display = _under(root, name, reads)
                if display is not None and os.path.abspath(display) not in own_files:
                    wanted.setdefault(display, (os.path.splitext(name)[1].lower(), obj, int(size)))
        results: dict[str, ParsedFile] = {}
        small = {}
        for display, (suffix, obj, length) in wanted.items():
            if length > settings.max_file_bytes:
                results[display] = ParsedFile(display, [], [Problem(
                    display, "too-large", f"file is {length:,} bytes, over the limit of {settings.max_file_bytes:,}",
                    hint="split it into smaller notes, or raise `max_file_bytes` in custlens.yaml")])
            else:
                small[display] = (suffix, obj)
        contents = self._blobs(sorted({obj for _, obj in small.values()}))
        for display, (suffix, obj) in small.items():
            stem = name_text(os.path.splitext(os.path.basename(display))[0])
            results[display] = parse_bytes(contents[obj], display, suffix, settings, base_id=stem)
        return [results[display] for display in sorted(results)]

    def _blobs(self, objects: list[bytes]) -> dict[bytes, bytes]:
        """The contents of many blobs, from one `git cat-file --batch`."""
        if not objects:
            return {}
        out = self.git("cat-file", "--batch", input=b"".join(obj + b"\n" for obj in objects))
        contents, pos = {}, 0
        for obj in objects:
            header_end = out.index(b"\n", pos)
            header = out[pos:header_end].split()
            if len(header) != 3 or header[0] != obj:
                raise CustlensError(f"git could not read the object {obj.decode()} ({b' '.join(header).decode()})")
            size = int(header[2])
            contents[obj] = out[header_end + 1 : header_end + 1 + size]
            pos = header_end + 1 + size + 1  # the contents end with a newline of git's own
        return contents

    def line_commits(self, shown: str, revision: Revision | None = None) -> dict[int, str]:
        """The commit (short name) that last changed each line of one note file (by the path shown for
        it), as of `revision` (None: the work tree; a line not committed yet maps to ""). One `git blame`;
        a file git does not know there gives nothing."""
        inside = os.path.relpath(os.path.realpath(shown), os.path.realpath(self.top)).replace(os.sep, "/")
        try:
            out = self.git("blame", "--porcelain", *([revision.commit] if revision else []), "--", inside)
        except CustlensError:
            return {}
        lines: dict[int, str] = {}
        for row in out.split(b"\n"):
            head = row.split(b" ")  # a line's header: the commit, its line then, its line now (and a count)
            if len(head) in (3, 4) and len(head[0]) == 40 and all(part.isdigit() for part in head[1:]):
                commit = head[0].decode("ascii", "replace")
                lines[int(head[2])] = "" if not commit.strip("0") else commit  # all zeros: not committed yet
        commits = sorted({commit for commit in lines.values() if commit})
        short: dict[str, str] = {}
        if commits:  # the short names, as `added_by` gives them
            listed = self.git("log", "--no-walk=unsorted", "--no-show-signature", "--format=%H %h", *commits)
            short = dict(row.split(" ", 1) for row in listed.decode().split("\n") if " " in row)
        return {line: short.get(commit, commit[:7]) if commit else "" for line, commit in lines.items()}

    def added_by(self, paths: Sequence[Path], revision: Revision | None = None) -> dict[str, str]:
        """The commit (short name) that added each note file now under `paths`, as of `revision` (None:
        HEAD), keyed by the path shown for the file; one `git log` for all of them. A file added again
        after it was removed, or renamed, counts from that commit; a file never committed is absent."""
        roots = self.roots(paths)
        specs = [":(literal)" + (root.inside or ".") for root in roots]
        try:
            log = self.git("log", "--no-renames", "--diff-filter=A", "--name-only", "-z", "--format=%x00%h",
                           "--no-show-signature", revision.commit if revision else "HEAD", "--", *specs)
        except CustlensError:  # a repository without a commit yet
            return {}
        added: dict[str, str] = {}
        commit, first = "", False
        tokens = log.split(b"\0")
        for k, token in enumerate(tokens):
            if not token:
                if k + 1 < len(tokens) and tokens[k + 1]:
                    commit, first = "", True
                continue
            if not commit:
                commit = token.decode()
                continue
            if first:
                token, first = token[1:] if token.startswith(b"\n") else token, False
            name = os.fsdecode(token)
            for root in roots:
                display = _under(root, name, None)
                if display is not None:
                    added.setdefault(display, commit)  # newest first: the commit that added this version
        return added


def _under(root: _Root, name: str, reads: Callable[[str], bool] | None) -> str | None:
    """The path shown for the repository file `name` if it is under `root` (and, with `reads`, one that
    is read as a note there), else None."""
    if root.inside and name != root.inside:
        if not name.startswith(root.inside + "/"):
            return None
        relative = name[len(root.inside) + 1 :]
    elif root.inside:
        return display_path(root.given)  # the root is this file
    else:
        relative = name
    if reads is not None and not reads(relative):
        return None
    return display_path(root.given / relative)


def find_repository(paths: Sequence[Path]) -> Repository:
    """The git repository that holds every one of `paths`; a usage error outside one."""
    tops = set()
    for path in paths:
        folder = path if path.is_dir() else path.parent
        try:
            top = _run_git(["-C", str(folder), "rev-parse", "--show-toplevel"], None)
        except CustlensError as error:
            reason = "" if "not a git repository" in error.message else f" git can read ({error.message})"
            raise CustlensError(
                f"{display_path(path)} is not in a git repository{reason}",
                hint="a revision (--since v1) needs the notes in git; a date (--since 2026-09-01) compares with "
                "the notes dated before it, in git or not",
            ) from None
        tops.add(os.fsdecode(top.rstrip(b"\n")))
    if len(tops) > 1:
        raise CustlensError("the notes folders are in different git repositories",
                            hint="compare one repository's notes at a time")
    return Repository(Path(tops.pop()))


def _run_git(args: list[str], input: bytes | None) -> bytes:
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        done = subprocess.run(["git", "--no-pager", "-c", "core.fsmonitor=false", *args], input=input,
                              capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise CustlensError("git is not installed", hint="install git, or give a date (YYYY-MM-DD) instead of a "
                            "revision") from None
    except OSError as exc:
        raise CustlensError(f"cannot run git: {(exc.strerror or str(exc)).lower()}") from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        message = lines[0].removeprefix("fatal: ") if lines else f"git exited with {done.returncode}"
        raise CustlensError(message, exit_code=ExitCode.USAGE)
    return done.stdout
