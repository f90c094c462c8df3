"""The version, written where people copy it from, kept equal to the package's.

    python scripts/release.py check [vX.Y.Z]   every place agrees with custlens.__version__ (and with the tag)
    python scripts/release.py bump X.Y.Z       writes X.Y.Z in every place; CHANGELOG's Unreleased becomes X.Y.Z

The version is written once, in src/custlens/__init__.py (pyproject.toml reads it from there). The other
places are what users copy: the pre-commit pin and `rev:` in README.md and docs/integrations.md, the
pinned install in docs/github-actions.yml, and the CHANGELOG section. The release workflow runs `check`
with the tag it was started by, so a tag that does not match them publishes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION_FILE = Path("src/custlens/__init__.py")
VERSION_LINE = re.compile(r'^__version__ = "([^"\n]+)"$', re.MULTILINE)
SEMVER = re.compile(r"\d+\.\d+\.\d+")
# where users copy a version from: (file, pattern whose group 1 is the version)
PINS = [
    (Path("README.md"), re.compile(r"custlens==(\d+\.\d+\.\d+)")),
    (Path("README.md"), re.compile(r"rev: v(\d+\.\d+\.\d+)")),
    (Path("docs/integrations.md"), re.compile(r"custlens==(\d+\.\d+\.\d+)")),
    (Path("docs/integrations.md"), re.compile(r"rev: v(\d+\.\d+\.\d+)")),
    (Path("docs/github-actions.yml"), re.compile(r"custlens==(\d+\.\d+\.\d+)")),
]
CHANGELOG = Path("CHANGELOG.md")
UNRELEASED = "## [Unreleased]"


def package_version(root: Path = ROOT) -> str:
    found = VERSION_LINE.search(_read(root, VERSION_FILE))
    if not found:
        raise SystemExit(f"{VERSION_FILE}: no line `__version__ = \"X.Y.Z\"`")
    return found.group(1)


def _read(root: Path, path: Path) -> str:
    try:
        return (root / path).read_text(encoding="utf-8")
    except OSError as error:
        raise SystemExit(f"release: cannot read {path}: {error.strerror}") from None


def disagreements(root: Path, version: str) -> list[str]:
    """Each place that names another version than `version`, or none at all."""
    problems = []
    for path, pattern in PINS:
        text = _read(root, path)
        found = [(text.count("\n", 0, match.start()) + 1, match.group(1)) for match in pattern.finditer(text)]
        if not found:
            problems.append(f"{path}: no `{pattern.pattern}`")
        problems += [f"{path}:{line}: {seen}, not {version}" for line, seen in found if seen != version]
    changelog = _read(root, CHANGELOG)
    if UNRELEASED not in changelog:
        problems.append(f"{CHANGELOG}: no `{UNRELEASED}` section")
    if not re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.MULTILINE):
        problems.append(f"{CHANGELOG}: no `## [{version}] - YYYY-MM-DD` section")
    return problems


def check(root: Path, tag: str | None) -> int:
    version = package_version(root)
    problems = disagreements(root, version)
    if tag is not None and tag != f"v{version}":
        problems.insert(0, f"the tag {tag} is not v{version}, the version in {VERSION_FILE}")
    for problem in problems:
        print(f"release: {problem}", file=sys.stderr)
    if not problems:
        print(f"release: {version} everywhere" + (f", as the tag {tag} says" if tag else ""))
    return 1 if problems else 0


def bump(root: Path, new: str, today: dt.date) -> int:
    if not SEMVER.fullmatch(new):
        print(f"release: {new!r} is not a version such as 1.2.3", file=sys.stderr)
        return 2
    old = package_version(root)
    changelog = _read(root, CHANGELOG)
    if f"## [{new}]" in changelog:
        print(f"release: {CHANGELOG} already has a section for {new}", file=sys.stderr)
        return 2
    if UNRELEASED not in changelog:
        print(f"release: {CHANGELOG} has no `{UNRELEASED}` section to release", file=sys.stderr)
        return 2
    files = {VERSION_FILE: VERSION_LINE.sub(f'__version__ = "{new}"', _read(root, VERSION_FILE))}
    for path, pattern in PINS:
        text = files.get(path) or _read(root, path)
        files[path] = pattern.sub(lambda match: match.group(0).replace(match.group(1), new), text)
    files[CHANGELOG] = changelog.replace(UNRELEASED, f"{UNRELEASED}\n\n## [{new}] - {today.isoformat()}", 1)
    for path, text in files.items():
        (root / path).write_text(text, encoding="utf-8")
    print(f"release: {old} -> {new}; commit, then tag v{new} and push the tag")
    return check(root, None)


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"] and len(argv) <= 2:
        return check(ROOT, argv[1] if len(argv) == 2 else None)
    if argv[:1] == ["bump"] and len(argv) == 2:
        return bump(ROOT, argv[1], dt.date.today())
    print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
