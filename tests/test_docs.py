"""The README tells the truth: its commands and options exist, its outputs are real, CI runs its commands."""

from __future__ import annotations

import re
import shlex

import pytest
import typer.main

from custlens.cli import app

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands() -> dict[str, set[str]]:
    group = typer.main.get_command(app)
    out = {}
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        out[name] = {opt for param in command.params for opt in getattr(param, "opts", []) + getattr(param, "secondary_opts", [])}
    return out


def _readme_command_lines() -> list[list[str]]:
    """Every `custlens ...` in code spans and at the start of lines (continued lines joined), as words."""
    joined = README.replace(" \\\n", " ")
    spans = re.findall(r"`(custlens [^`]+)`", joined)
    blocks = "\n".join(re.findall(r"```[a-z]*\n(.*?)```", joined, flags=re.DOTALL))
    lines = re.findall(r"^(custlens .*)$", blocks, flags=re.MULTILINE)
    headings = re.findall(r"^### (custlens [a-z]+)$", joined, flags=re.MULTILINE)
    return [shlex.split(text) for text in spans + lines + headings]


def test_every_command_in_the_readme_exists_with_its_options() -> None:
    commands = _commands()
    seen = set()
    for words in _readme_command_lines():
        if words[1].startswith("-"):
            continue
        assert words[1] in commands or words[1].isupper(), f"README mentions `custlens {words[1]}`"
        seen.add(words[1])
        for word in words[2:]:
            if word.startswith("--") and words[1] in commands:
                assert word.split("=")[0] in commands[words[1]], f"{' '.join(words)}: {word}"
    assert {"check", "add", "init", "themes", "segments", "show", "statements"} <= seen


def test_options_described_in_the_readme_exist() -> None:
    commands = _commands()
    every = set().union(*commands.values()) | {"--version", "--help"}
    for option in set(re.findall(r"`(--[a-z-]+)", README)):
        assert option in every, option


def test_the_first_screen_has_exactly_two_commands_and_ci_runs_them() -> None:
    first = README.split("## Contents")[0]
    blocks = re.findall(r"```sh\n(.*?)```", first, flags=re.DOTALL)
    assert len(blocks) == 2
    install, tests = (block.strip() for block in blocks)
    assert install.endswith("custlens themes notes/")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    pip = re.search(r"pip install (-e \"\.\[test\]\")", install).group(1)
    assert f"pip install --quiet --disable-pip-version-check {pip}" in ci
    assert tests == ".venv/bin/python -m pytest"
    assert '"$work/venv/bin/python" -m pytest\n' in ci
    assert "-eq 5" in ci


@pytest.mark.parametrize("command", re.findall(r"<!-- output: (custlens [^>]+?) -->", README))
def test_readme_outputs_are_what_the_commands_print(command: str, runner, in_repo) -> None:
    block = README.split(f"<!-- output: {command} -->\n```text\n", 1)[1].split("```", 1)[0]
    result = runner.invoke(app, shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    footer = f"\n_{result.stderr.strip()}_\n" if "markdown" in command and result.stderr else ""
    assert result.stdout == block or result.stdout + footer == block, (
        f"README output of `{command}` is out of date:\n{result.stdout}"
    )


def test_every_commands_help_shows_its_whole_text_and_no_python_type_names(runner) -> None:
    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        shown = " ".join(result.stdout.split())
        for paragraph in (command.help or "").split("\n\n"):  # Markdown may drop a mark, never a word
            said = " ".join(paragraph.replace("`", "").replace("**", "").split())
            assert said in shown, f"custlens {name} --help shows {said!r} otherwise"
        assert not re.search(r"<(?:bool|str|int|float|path)>|list\[", shown, re.IGNORECASE), name
