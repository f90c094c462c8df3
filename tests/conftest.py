"""Shared fixtures: the repository, the shared bad-notes corpus (read in place), and a CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
NOTES = REPO / "notes"
SHARED = REPO.parent / "shared"
BAD_NOTES = SHARED / "bad-notes"
DATASETS = SHARED / "datasets"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="session")
def _vectors(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sentence vectors made by any test so far (the model is the slow part of a run)."""
    return tmp_path_factory.mktemp("vectors")


@pytest.fixture(autouse=True)
def _isolated(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, _vectors: Path
) -> Iterator[None]:
    """Every test runs with a fixed terminal width, no colour, and a cache folder of its own, which starts
    with the vectors earlier tests made (and hands its new ones on): each test's cache is its own, but
    no text is embedded twice in a run of the tests."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("TERMINAL_WIDTH", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("CUSTLENS_CACHE_DIR", str(cache))
    monkeypatch.delenv("CUSTLENS_CONFIG", raising=False)
    monkeypatch.delenv("CUSTLENS_MODEL_FILE", raising=False)
    for shared in _vectors.glob("vectors-*.bin"):
        shutil.copyfile(shared, cache / shared.name)
    yield
    for mine in cache.glob("vectors-*.bin"):
        shared = _vectors / mine.name
        if not shared.exists() or mine.stat().st_size > shared.stat().st_size:
            shutil.copyfile(mine, shared)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    return REPO


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def note(
    folder: Path,
    name: str,
    *,
    segment: str = "smb",
    kind: str = "interview",
    date: str = "2026-05-01",
    participant: str | None = "P-1",
    researcher: str | None = None,
    pains: tuple[str, ...] = (),
    needs: tuple[str, ...] = (),
    quotes: tuple[str, ...] = (),
    extra: str = "",
) -> Path:
    """Write a small Markdown note."""
    lines = ["---", f"date: {date}", f"kind: {kind}", f"segment: {segment}"]
    if participant:
        lines.append(f"participant: {participant}")
    if researcher:
        lines.append(f"researcher: {researcher}")
    lines += [extra.strip()] if extra.strip() else []
    lines.append("---")
    if pains:
        lines += ["## Pains", *[f"- {p}" for p in pains], ""]
    if needs:
        lines += ["## Needs", *[f"- {n}" for n in needs], ""]
    if quotes:
        lines += ["## Quotes", *[f'> "{q}"' for q in quotes], ""]
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file under a folder with its size, mtime and bytes, to prove nothing was modified."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            out[str(path)] = (stat.st_size, stat.st_mtime_ns, path.read_bytes())
    return out


def env_without_colour() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"NO_COLOR": "1", "COLUMNS": "80"})
    return env


# --- a notes repository with two planning tags (changes, report --since) -----------------------------

GIT_ENV = {"GIT_AUTHOR_NAME": "ana", "GIT_AUTHOR_EMAIL": "ana@example.com", "GIT_COMMITTER_NAME": "ana",
           "GIT_COMMITTER_EMAIL": "ana@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

XERO = ("Export our invoices to Xero automatically", "Send every invoice straight into Xero without retyping")
XERO_LATER = ("Invoices should go to Xero by themselves", "Push each invoice to Xero automatically")
CALENDAR = ("The calendar sync lags and clients get double-booked",
            "Google calendar sync is slow, so we get double bookings",
            "Double bookings happen because the calendar sync is late")
CRASHES = ("The mobile app crashes when there is no signal on site",
           "The app crashed again with no signal in the basement")
DEPOSITS = ("Take a deposit when clients book online", "Charge a card deposit when someone books online")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
                          env=dict(os.environ, **GIT_ENV))
    return done.stdout.strip()


@pytest.fixture
def planned(tmp_path: Path) -> Path:
    """A notes repository with two planning tags: v1 (January) and v2 (February: two more participants
    ask for the Xero export, from a new segment and through a new kind of source; two ask for deposits,
    which nobody had; the notes about offline crashes were removed once the crash was fixed)."""
    repo = tmp_path / "research"
    notes = repo / "notes"
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    note(notes, "2026-01-05-p-1.md", segment="agencies", participant="P-1", date="2026-01-05", needs=(XERO[0],))
    note(notes, "2026-01-12-p-2.md", segment="agencies", participant="P-2", date="2026-01-12", needs=(XERO[1],))
    for k, (segment, text) in enumerate(zip(("salons", "clinics", "salons"), CALENDAR), 3):
        note(notes, f"2026-01-1{k}-p-{k}.md", segment=segment, participant=f"P-{k}", date=f"2026-01-1{k}",
             kind="survey" if k == 5 else "interview", pains=(text,))
    note(notes, "2026-01-25-p-6.md", segment="trades", participant="P-6", date="2026-01-25", pains=(CRASHES[0],))
    note(notes, "2026-01-28-p-7.md", segment="trades", participant="P-7", date="2026-01-28", pains=(CRASHES[1],))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "January interviews")
    git(repo, "tag", "v1")
    note(notes, "2026-02-03-t-8.md", segment="trades", participant="P-8", date="2026-02-03", kind="support-ticket",
         needs=(XERO_LATER[0],))
    note(notes, "2026-02-09-p-9.md", segment="trades", participant="P-9", date="2026-02-09", needs=(XERO_LATER[1],))
    note(notes, "2026-02-11-p-10.md", segment="salons", participant="P-10", date="2026-02-11", needs=(DEPOSITS[0],))
    note(notes, "2026-02-16-p-11.md", segment="solo", participant="P-11", date="2026-02-16", needs=(DEPOSITS[1],))
    git(repo, "rm", "-q", "notes/2026-01-25-p-6.md", "notes/2026-01-28-p-7.md")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "February interviews; the offline crash is fixed")
    git(repo, "tag", "v2")
    return repo
