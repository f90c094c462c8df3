"""The parse cache: reused when a file is unchanged, refreshed when it changes, harmless when broken."""

from __future__ import annotations

import json
import os

from custlens.cache import ParseCache, cache_dir
from custlens.cli import app
from custlens.models import DEFAULT_KINDS
from custlens.parse import ParseSettings, read_note_file

from .conftest import note


def _texts(runner, *args: str) -> list[str]:
    result = runner.invoke(app, ["statements", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return [s["text"] for s in json.loads(result.stdout)["statements"]]


def test_a_second_run_reads_from_the_cache_and_a_changed_file_is_parsed_again(tmp_path, runner) -> None:
    folder = tmp_path / "notes"
    path = note(folder, "a.md", needs=("Export to CSV",))
    settings = ParseSettings(kinds=DEFAULT_KINDS)
    calls = []

    def parse():
        calls.append(1)
        return read_note_file(path, settings, "notes/a.md")

    first = ParseCache([folder], settings)
    first.read(path, "notes/a.md", parse)
    first.save()
    second = ParseCache([folder], settings)
    cached = second.read(path, "notes/a.md", parse)
    assert len(calls) == 1
    assert [b.text for b in cached.notes[0].blocks] == ["Export to CSV"]
    note(folder, "a.md", needs=("Export to Excel", "and more"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert _texts(runner, str(folder)) == ["Export to Excel", "and more"]


def test_results_are_the_same_with_and_without_the_cache(runner, tmp_path) -> None:
    from .conftest import NOTES

    cold = runner.invoke(app, ["themes", str(NOTES), "--all", "--format", "json", "--no-cache"]).stdout
    runner.invoke(app, ["themes", str(NOTES), "--all", "--format", "json"])  # fills the cache
    warm = runner.invoke(app, ["themes", str(NOTES), "--all", "--format", "json"]).stdout
    assert cold == warm
    assert list(cache_dir().glob("parse-*.bin"))


def test_a_corrupt_cache_is_ignored(runner, tmp_path) -> None:
    folder = tmp_path / "notes"
    note(folder, "a.md", needs=("Export to CSV",))
    assert _texts(runner, str(folder)) == ["Export to CSV"]
    for path in cache_dir().glob("parse-*.bin"):
        path.write_bytes(b"\x00garbage")
    assert _texts(runner, str(folder)) == ["Export to CSV"]


def test_an_unwritable_cache_folder_only_costs_time(runner, tmp_path, monkeypatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("CUSTLENS_CACHE_DIR", str(blocked / "cache"))
    folder = tmp_path / "notes"
    note(folder, "a.md", needs=("Export to CSV",))
    assert _texts(runner, str(folder)) == ["Export to CSV"]


def test_no_cache_leaves_no_cache_file(runner, tmp_path) -> None:
    folder = tmp_path / "notes"
    note(folder, "a.md", needs=("Export to CSV",))
    runner.invoke(app, ["check", str(folder), "--no-cache"])
    assert not list(cache_dir().glob("parse-*.bin"))


def test_notes_with_nested_custom_attributes_are_cached_too(tmp_path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    path = folder / "a.yaml"
    path.write_text("date: 2026-03-01\nkind: survey\nsegment: smb\nneeds: [Export]\nplan: {tier: pro, seats: [1, 2]}\n")
    settings = ParseSettings(kinds=DEFAULT_KINDS, attributes=("plan",))
    first = ParseCache([folder], settings, tmp_path / "cache")
    parsed = first.read(path, "notes/a.yaml", lambda: read_note_file(path, settings, "notes/a.yaml"))
    assert parsed.notes[0].attributes == {"plan": {"tier": "pro", "seats": [1, 2]}}
    first.save()
    second = ParseCache([folder], settings, tmp_path / "cache")
    cached = second.read(path, "notes/a.yaml", lambda: (_ for _ in ()).throw(AssertionError("parsed again")))
    assert cached.notes[0].attributes == {"plan": {"tier": "pro", "seats": [1, 2]}}
