"""Every row of ../shared/bad-notes/README.md holds, read in place."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from custlens.cli import app
from custlens.models import DEFAULT_KINDS
from custlens.pipeline.files import read_note_file
from custlens.pipeline.parse import ParseSettings

from .conftest import BAD_NOTES, snapshot

pytestmark = pytest.mark.skipif(not BAD_NOTES.is_dir(), reason="../shared/bad-notes is not beside the repository")

# file -> (code or None for valid, line, words the message must contain)
EXPECTED: dict[str, tuple[str | None, int | None, str]] = {
    "good-interview.md": (None, None, ""),
    "bom-crlf.md": (None, None, ""),
    "unterminated-front-matter.md": ("front-matter-unclosed", 1, "not closed"),
    "invalid-yaml.md": ("yaml-syntax", 4, "invalid YAML"),
    "tab-indent.md": ("yaml-tab", 4, "tab"),
    "python-tag.md": ("yaml-tag", 4, "python/object/apply"),
    "alias-bomb.yaml": ("yaml-alias-bomb", None, "aliases"),
    "latin1.md": ("encoding", 4, "not UTF-8"),
    "binary.md": ("binary", None, "not a text note"),
    "empty.md": ("empty", None, "empty note"),
    "front-matter-is-a-list.md": ("front-matter-not-mapping", 2, "must be a mapping"),
    "bad-date.md": ("invalid-date", 2, "not a date (YYYY-MM-DD)"),
    "missing-segment.md": ("missing-field", 1, "missing required field `segment`"),
    "no-stated-need.md": ("no-need", 1, "no stated customer need"),
    "unknown-kind.md": ("unknown-kind", 3, "interveiw"),
    "duplicate-key.md": ("yaml-duplicate-key", 5, "duplicate key 'segment'"),
    "batch-with-one-bad-entry.yaml": ("invalid-field", 11, "`needs` must be text or a list of texts"),
}


def readme_rows() -> list[str]:
    text = (BAD_NOTES / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\| ([\w.-]+\.(?:md|yaml|yml)) \|", text, flags=re.MULTILINE)


def test_every_file_in_the_readme_table_has_an_expectation_here() -> None:
    assert sorted(readme_rows()) == sorted(EXPECTED)


def test_check_names_every_bad_file_with_code_and_line_and_exits_1(runner) -> None:
    before = snapshot(BAD_NOTES)
    started = time.perf_counter()
    result = runner.invoke(app, ["check", str(BAD_NOTES), "--format", "json"])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    by_name = {Path(f["path"]).name: f for f in data["files"]}
    for name, (code, line, words) in EXPECTED.items():
        entry = by_name[name]
        if code is None:
            assert entry["ok"] and entry["problems"] == [], (name, entry)
            continue
        errors = [p for p in entry["problems"] if p["severity"] == "error"]
        assert errors, name
        first = errors[0]
        assert first["code"] == code, (name, first)
        assert words in first["message"], (name, first)
        if line is not None:
            assert first["line"] == line, (name, first)
        assert first["hint"], name
    assert snapshot(BAD_NOTES) == before, "check modified the bad-notes folder"
    assert "Traceback" not in result.output
    assert elapsed < 30  # a sanity bound against hangs; speed itself is measured in bench/


def test_alias_bomb_is_refused_with_a_line_in_well_under_a_second() -> None:
    settings = ParseSettings(kinds=DEFAULT_KINDS)
    started = time.perf_counter()
    parsed = read_note_file(BAD_NOTES / "alias-bomb.yaml", settings)
    assert time.perf_counter() - started < 5
    assert [p.code for p in parsed.problems] == ["yaml-alias-bomb"]
    assert parsed.problems[0].line is not None


def test_python_tag_runs_nothing(runner, tmp_path) -> None:
    marker = Path("/tmp/custlens-was-exploited")
    existed = marker.exists()
    result = runner.invoke(app, ["check", str(BAD_NOTES / "python-tag.md")])
    assert result.exit_code == 1
    assert marker.exists() == existed


def test_valid_notes_have_the_statements_the_readme_lists() -> None:
    from custlens.pipeline.extract import extract

    settings = ParseSettings(kinds=DEFAULT_KINDS)
    good = read_note_file(BAD_NOTES / "good-interview.md", settings)
    statements = extract(good.notes)
    assert [s.type for s in statements if s.type] == ["pain", "pain", "need"]
    assert [s.section for s in statements].count("quotes") == 1
    crlf = read_note_file(BAD_NOTES / "bom-crlf.md", settings)
    typed = [(s.type, s.line) for s in extract(crlf.notes)]
    assert typed == [("pain", 8), ("need", 11)]


def test_a_bad_batch_entry_does_not_hide_the_good_ones() -> None:
    parsed = read_note_file(BAD_NOTES / "batch-with-one-bad-entry.yaml", ParseSettings(kinds=DEFAULT_KINDS))
    assert [n.participant for n in parsed.notes] == ["R-001", "R-003"]
    assert [(p.entry, p.line) for p in parsed.problems] == [(2, 11)]


def test_synthesis_warns_about_bad_files_and_goes_on_with_the_good_ones(runner) -> None:
    before = snapshot(BAD_NOTES)
    result = runner.invoke(app, ["themes", str(BAD_NOTES), "--all", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    texts = [s["text"] for t in data["themes"] for s in t["statements"]]
    assert "Barcode scanner pairing drops twice a day." in texts  # the no-need note's pain still counts
    assert "A way to schedule staff from my phone" in texts  # good batch entries still load
    assert "latin1.md" in result.stderr and "warning" in result.stderr
    assert data["summary"]["skipped_files"] >= 12
    assert snapshot(BAD_NOTES) == before
