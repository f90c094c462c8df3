"""The parse cache: reused when a file is unchanged, refreshed when it changes, harmless when broken."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from custlens.cli import app
from custlens.infra.cache import cache_dir
from custlens.models import DEFAULT_KINDS
from custlens.pipeline.files import read_note_file, to_plain
from custlens.pipeline.parse import ParsedFile, ParseSettings
from custlens.pipeline.parsecache import ParseCache

from .conftest import note


def _texts(runner, *args: str) -> list[str]:
    result = runner.invoke(app, ["statements", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return [s["text"] for s in json.loads(result.stdout)["statements"]]


def read(cache: ParseCache, path: Path, display: str, parse: Callable[[], ParsedFile]) -> ParsedFile:
    """What `custlens` does with each file: the cached result if it is unchanged, else parse and keep it."""
    stamp, found = cache.lookup(path, display)
    if found is not None:
        return found
    result = parse()
    cache.store(path, display, stamp, to_plain(result))
    return result


def test_a_second_run_reads_from_the_cache_and_a_changed_file_is_parsed_again(tmp_path, runner) -> None:
    folder = tmp_path / "notes"
    path = note(folder, "a.md", needs=("Export to CSV",))
    settings = ParseSettings(kinds=DEFAULT_KINDS)
    calls = []

    def parse():
        calls.append(1)
        return read_note_file(path, settings, "notes/a.md")

    first = ParseCache([folder], settings)
    read(first, path, "notes/a.md", parse)
    first.save()
    second = ParseCache([folder], settings)
    cached = read(second, path, "notes/a.md", parse)
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
    parsed = read(first, path, "notes/a.yaml", lambda: read_note_file(path, settings, "notes/a.yaml"))
    assert parsed.notes[0].attributes == {"plan": {"tier": "pro", "seats": [1, 2]}}
    first.save()
    second = ParseCache([folder], settings, tmp_path / "cache")
    cached = read(second, path, "notes/a.yaml", lambda: (_ for _ in ()).throw(AssertionError("parsed again")))
    assert cached.notes[0].attributes == {"plan": {"tier": "pro", "seats": [1, 2]}}


def test_prune_drops_other_code_versions_leftovers_and_the_least_recently_used(tmp_path, monkeypatch) -> None:
    from custlens.infra import cache

    current = cache.code_version()
    monkeypatch.setattr(cache, "MAX_FILES", 3)
    old = tmp_path / f"groups-{'0' * 16}-{'a' * 24}.bin"  # the grouping results, as ResultCache names them
    old.write_bytes(b"x")
    mine = []
    for k in range(5):
        path = tmp_path / f"tags-{current}-{k:024x}.bin"
        path.write_bytes(b"x")
        os.utime(path, (1000 + k, 1000 + k))
        mine.append(path)
    leftover = tmp_path / f".parse-{current}-{'b' * 16}.bin.{'c' * 12}.tmp"
    leftover.write_bytes(b"x")
    os.utime(leftover, (1000, 1000))
    fresh_leftover = tmp_path / f".tags-{current}-{'d' * 24}.bin.{'e' * 12}.tmp"
    fresh_leftover.write_bytes(b"x")
    other = tmp_path / "notes.md"  # not custlens's: never touched
    other.write_text("keep me")
    removed = cache.prune(tmp_path)
    assert sorted(removed) == sorted([old.name, leftover.name, mine[0].name, mine[1].name])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [fresh_leftover.name, other.name] + [p.name for p in mine[2:]]
    )


def test_the_tagging_memo_keeps_only_this_runs_statements_per_folder(runner, tmp_path) -> None:
    a = tmp_path / "a"
    b = tmp_path / "b"
    note(a, "n.md", needs=("Export to CSV",), quotes=("I wish it were faster",))
    note(b, "n.md", needs=("Export to CSV",), quotes=("It keeps crashing on login",))
    for folder in (a, b, a):
        assert runner.invoke(app, ["themes", str(folder), "--format", "json"]).exit_code == 0
    memos = sorted(cache_dir().glob("tags-*.bin"))
    assert len(memos) == 2
    import marshal

    kept = [set(marshal.loads(path.read_bytes())[-1]) for path in memos]  # (..., kind, key, value)
    assert any("i wish it were faster" in texts and "it keeps crashing on login" not in texts for texts in kept)


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(runner, tmp_path) -> None:
    folder = tmp_path / "notes"
    path = note(folder, "a.md", needs=("Export to CSV",))
    assert runner.invoke(app, ["check", str(folder)]).exit_code == 0
    stat = path.stat()
    path.write_text(path.read_text().replace("interview", "intervxew"))  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as `touch -r` or `rsync -t` leave it
    result = runner.invoke(app, ["check", str(folder)])
    assert result.exit_code == 1 and "unknown kind" in result.stdout


def _statements_json(runner, folder) -> str:
    result = runner.invoke(app, ["statements", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_result_cache_entries_of_any_other_shape_are_misses(runner, tmp_path) -> None:
    """A partial write, a disk error or another version's entry never stops a run: it is a miss."""
    import marshal

    from .conftest import NOTES

    expected = _statements_json(runner, NOTES)  # fills the tags and grouping caches
    entries = sorted(cache_dir().glob("tags-*.bin")) + sorted(cache_dir().glob("meaning-*.bin"))
    assert {p.name.split("-")[0] for p in entries} == {"tags", "meaning"}
    wrong = [7, None, [1, 2], {"x": 5}, ("custlens-result",), {"invoice": ("pain", 3)}, ([0, 5], {0: 9}),
             ([0], {}), b"\x00garbage"]
    for value in wrong:
        for path in entries:
            path.write_bytes(value if isinstance(value, bytes) else marshal.dumps(value))
        assert _statements_json(runner, NOTES) == expected, value
    for path in entries:  # and, cut short, the right shape
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    assert _statements_json(runner, NOTES) == expected


def test_a_tags_entry_made_under_other_cues_never_types_a_statement(runner, in_tmp) -> None:
    """The entry says which cues it was made under; found under another configuration's name (a copied
    cache, a stale file), it is a miss."""
    note(in_tmp / "notes", "a.md", needs=("Export invoices",), quotes=("Paint the calendar cobalt blue",))

    def types() -> dict[str, str]:
        data = json.loads(runner.invoke(app, ["statements", "--format", "json"]).stdout)
        return {s["text"]: s["type"] for s in data["statements"]}

    assert types()["Paint the calendar cobalt blue"] == "other"
    plain = {p.name for p in cache_dir().glob("tags-*.bin")}
    (in_tmp / "custlens.yaml").write_text("cues:\n  need: {add: [cobalt blue]}\n")
    assert types()["Paint the calendar cobalt blue"] == "need"
    (added,) = {p.name for p in cache_dir().glob("tags-*.bin")} - plain
    (cache_dir() / next(iter(plain))).write_bytes((cache_dir() / added).read_bytes())  # the other cues' types
    (in_tmp / "custlens.yaml").unlink()
    assert types()["Paint the calendar cobalt blue"] == "other"


def test_the_cache_is_readable_by_its_owner_only(runner, tmp_path, monkeypatch) -> None:
    from .conftest import NOTES

    fresh = tmp_path / "new" / "cache"
    monkeypatch.setenv("CUSTLENS_CACHE_DIR", str(fresh))
    _statements_json(runner, NOTES)
    default = tmp_path / "xdg" / "custlens"
    default.mkdir(parents=True, mode=0o755)
    default.chmod(0o755)  # as an older version made it
    monkeypatch.delenv("CUSTLENS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    _statements_json(runner, NOTES)
    for folder in (fresh, default):
        assert folder.stat().st_mode & 0o777 == 0o700
        files = list(folder.iterdir())
        assert files and all(path.stat().st_mode & 0o777 == 0o600 for path in files), files
