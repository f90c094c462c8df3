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
