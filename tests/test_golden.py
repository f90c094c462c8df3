"""Golden files: the text output of `check` and `themes` pinned, so a renderer change is seen and made on
purpose. Regenerate with `CUSTLENS_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`."""

from __future__ import annotations

import os

import pytest

from custlens.cli import app

from .conftest import BAD_NOTES, GOLDEN

CASES = {
    "check-bad-notes.txt": ["check", str(BAD_NOTES)],
    "check-bad-notes.github.txt": ["check", str(BAD_NOTES), "--format", "github"],
    "themes-notes.txt": ["themes", "notes"],
    "segments-notes.txt": ["segments", "notes", "--top", "2"],
    "show-notes.txt": ["show", "quote into invoice", "notes"],
    "trends-notes.md": ["trends", "notes", "--format", "markdown"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_matches_the_golden_file(name: str, runner, in_repo) -> None:
    if "bad-notes" in name and not BAD_NOTES.is_dir():
        pytest.skip("../shared/bad-notes is not beside the repository")
    result = runner.invoke(app, CASES[name])
    output = result.stdout.replace(str(BAD_NOTES), "../shared/bad-notes")
    golden = GOLDEN / name
    if os.environ.get("CUSTLENS_UPDATE_GOLDEN"):
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8"), f"{name} changed; regenerate it if that was meant"


@pytest.mark.parametrize(
    ("command", "headers"),
    [
        (["themes", "--top", "3"], ["#", "Theme", "Type", "Strength", "Ppl", "Seg", "Src", "Sub", "Quote"]),
        (["segments", "--top", "2"], ["Theme", "Type", "Cover", "Also in", "Quote"]),
        (["statements"], ["Type", "Inf", "Statement", "Theme", "Place"]),
        (["trends", "--top", "3"], ["Theme", "Type", "Total", "Months", "Notes", "Trend", "p"]),
    ],
)
@pytest.mark.parametrize("columns", [80, 100, 132])
def test_terminal_tables_keep_every_column_readable(command, headers, columns, runner, in_repo, monkeypatch) -> None:
    import re

    from custlens import cli

    monkeypatch.setattr(cli.console, "is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", str(columns))
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in result.stdout.splitlines()]
    header = next(line for line in lines if line.split()[:1] == [headers[0]])
    assert header.split() == " ".join(headers).split(), header  # no header cut to "P…"
    assert all(len(line) <= columns for line in lines)
    if command[0] == "themes":
        assert [line.split()[0] for line in lines[2:5]] == ["1", "2", "3"]  # the rank column is there


@pytest.mark.parametrize("name", sorted(name for name in CASES if "bad-notes" not in name))
def test_without_the_compiled_step_the_output_is_the_same_and_says_so_once(name: str, runner, in_repo, monkeypatch) -> None:
    """As where custlens was installed without a C compiler: the compiled module does not load, both engines
    run their numpy code, and a command that groups says so on stderr, once."""
    import sys

    from custlens.cli.console import FALLBACK_NOTE
    from custlens.pipeline.engines import fuzzy, semantic

    monkeypatch.setitem(sys.modules, "custlens.pipeline.engines._native", None)  # importing it fails
    monkeypatch.setattr(fuzzy, "_native", None)
    monkeypatch.setattr(semantic, "_native", None)
    result = runner.invoke(app, CASES[name])
    assert result.exit_code == 0, result.output
    assert result.stdout == (GOLDEN / name).read_text(encoding="utf-8")
    assert result.stderr.count(FALLBACK_NOTE) == 1
    assert "\ngrouping: numpy " in runner.invoke(app, ["--version"]).stdout
