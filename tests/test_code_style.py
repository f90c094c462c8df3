"""The code is kept `ruff` clean and `mypy --strict` clean (settings in pyproject.toml); the versions
are pinned in the test extras, so the same rules apply on every machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.parametrize("tool, args", [("ruff", ["check", "src", "tests", "bench", "scripts"]), ("mypy", [])])
def test_the_code_passes_its_linters(tool: str, args: list[str]) -> None:
    pytest.importorskip(tool)
    done = subprocess.run([sys.executable, "-m", tool, *args], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
