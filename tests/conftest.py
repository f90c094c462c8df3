"""Shared fixtures: the repository, the shared bad-notes corpus (read in place), and a CLI runner."""

from __future__ import annotations

import os
import shutil
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
