"""`custlens check`: located problems, three output formats, exit codes, nothing modified."""

from __future__ import annotations

import json

import pytest

from custlens.cli import app

from .conftest import NOTES, note, snapshot, write


def test_the_sample_notes_are_all_valid(runner) -> None:
    result = runner.invoke(app, ["check", str(NOTES)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1].startswith("ok: 46 files, 64 notes: 0 errors")


def test_check_defaults_to_the_notes_folder_of_the_current_directory(runner, in_repo) -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "46 files" in result.stdout


def test_a_missing_path_is_a_usage_error_with_exit_2(runner, in_tmp) -> None:
    result = runner.invoke(app, ["check", "no-such-folder"])
    assert result.exit_code == 2
    assert "no such file or folder: no-such-folder" in result.stderr
    assert "Traceback" not in result.output


def test_no_notes_folder_and_no_paths_is_a_usage_error(runner, in_tmp) -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2
    assert "no notes folder found" in result.stderr


def test_text_output_is_path_line_severity_code_message_then_hint(runner, in_tmp) -> None:
    write(in_tmp / "notes" / "a.md", """
        ---
        date: 2026-01-02
        kind: interveiw
        segment: smb
        ---
        ## Needs
        - Something
        """)
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "notes/a.md:3: error[unknown-kind]: unknown kind `interveiw`"
    assert lines[1] == "    hint: did you mean `interview`?"
    assert lines[-1] == "failed: 1 file, 0 notes: 1 error, 0 warnings"


def test_github_format_prints_workflow_annotations(runner, in_tmp) -> None:
    note(in_tmp / "notes", "no-need.md", pains=("It breaks, 100%: really",))
    result = runner.invoke(app, ["check", "--format", "github"])
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=notes/no-need.md,line=1,title=custlens no-need::no stated customer need")


def test_json_format_has_exactly_the_documented_shape_and_lists_clean_files(runner, in_tmp) -> None:
    note(in_tmp / "notes", "good.md", needs=("A faster export",))
    note(in_tmp / "notes", "bad.md", pains=("Slow export",))
    result = runner.invoke(app, ["check", "--format", "json"])
    data = json.loads(result.stdout)
    assert set(data) == {"ok", "files", "summary"}
    assert data["ok"] is False
    assert set(data["summary"]) == {"files", "notes", "errors", "warnings"}
    assert data["summary"] == {"files": 2, "notes": 2, "errors": 1, "warnings": 0}
    files = {f["path"]: f for f in data["files"]}
    assert files["notes/good.md"] == {"path": "notes/good.md", "ok": True, "notes": 1, "problems": []}
    problem = files["notes/bad.md"]["problems"][0]
    assert set(problem) == {"line", "entry", "code", "severity", "message", "hint"}
    assert problem["code"] == "no-need" and problem["severity"] == "error"


def test_warnings_pass_unless_strict(runner, in_tmp) -> None:
    note(in_tmp / "notes", "a.md", needs=("x",), extra="segmnet_owner: me\nsegmet: typo")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "warning[unknown-key]: unknown key `segmet`" in result.stdout
    assert "did you mean `segment`?" in result.stdout
    assert runner.invoke(app, ["check", "--strict"]).exit_code == 1


def test_the_config_can_turn_off_the_stated_need_rule(runner, in_tmp) -> None:
    note(in_tmp / "notes", "a.md", pains=("Slow",))
    assert runner.invoke(app, ["check"]).exit_code == 1
    write(in_tmp / "custlens.yaml", "require_need: false\n")
    assert runner.invoke(app, ["check"]).exit_code == 0


def test_config_kinds_segments_and_custom_attributes(runner, in_tmp) -> None:
    write(in_tmp / "custlens.yaml", """
        kinds: [interview, diary-study]
        segments: [retail, enterprise]
        attributes: [plan]
        """)
    note(in_tmp / "notes", "a.md", kind="diary-study", segment="retail", needs=("x",), extra="plan: pro")
    note(in_tmp / "notes", "b.md", kind="survey", segment="retial", needs=("x",))
    result = runner.invoke(app, ["check", "--format", "json"])
    problems = {f["path"]: f["problems"] for f in json.loads(result.stdout)["files"]}
    assert problems["notes/a.md"] == []
    codes = {p["code"]: p["hint"] for p in problems["notes/b.md"]}
    assert "unknown-kind" in codes
    assert codes["unknown-segment"] == "did you mean `retail`?"


@pytest.mark.parametrize(("config", "said"), [
    ("notes: [notes]\nrequire_need: sometimes\n", "custlens.yaml:2: invalid config: require_need"),
    # a mistyped kind would turn the rule off for that kind without a word
    ("notes: [notes]\nrequire_need: [interveiw]\n", "unknown kind 'interveiw' (did you mean 'interview'?)"),
    ("max_file_bytes: true\n", "custlens.yaml:1: invalid config: max_file_bytes"),  # not 1 byte
    ("kinds: []\n", "custlens.yaml:1: invalid config: kinds"),
    ("notes: [notes]\n# café\n", "custlens.yaml:2: the config is not UTF-8: byte 0xe9"),  # written as Latin-1
    ("\ufeffnotes:\n  - notes\n# café\n", "custlens.yaml:3: the config is not UTF-8: byte 0xe9"),  # after a BOM
    ("segments: []\n", "custlens.yaml:1: invalid config: segments"),  # no segment would be allowed at all
    # the line of the nested key or item at fault, not of the setting that holds it
    ("notes: [notes]\ncues:\n  pain:\n    add: [x]\n    remov: [slow]\n", "custlens.yaml:5: invalid config: cues.pain.remov"),
    ("kinds:\n  - interview\n  - 5\n", "custlens.yaml:3: invalid config: kinds.1"),
])
def test_invalid_config_is_a_clear_error_with_its_line(config, said, runner, in_tmp) -> None:
    bom = config.startswith("\ufeff")  # a UTF-8 byte-order mark, then Latin-1 text
    (in_tmp / "custlens.yaml").write_bytes(b"\xef\xbb\xbf" * bom + config[bom:].encode("latin-1"))
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2
    assert said in result.stderr, result.stderr


def test_check_refuses_a_cue_change_the_tagger_would_refuse_at_the_next_report(runner, in_tmp) -> None:
    write(in_tmp / "custlens.yaml", 'cues:\n  pain:\n    remove:\n      - slow\n      - sloow\n')
    (in_tmp / "notes").mkdir()
    for command in (["check", "--allow-empty"], ["themes"]):  # at the line of the phrase, in check and in reports
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "custlens.yaml:5: invalid config: cues.pain.remove: no pain cue fires on 'sloow'" in result.stderr


def test_a_setting_in_pyproject_is_named_with_its_line(runner, in_tmp) -> None:
    write(in_tmp / "pyproject.toml", '[project]\nname = "x"\n\n[tool.custlens]\nnotes = ["notes"]\nthreshold = 7\n')
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2 and "pyproject.toml:6: invalid config: threshold" in result.stderr
    write(in_tmp / "pyproject.toml", '[tool]\ncustlens = "notes"\n')  # not a table: said, not ignored
    refused = runner.invoke(app, ["check"])
    assert refused.exit_code == 2 and "`tool.custlens` in pyproject.toml must be a table" in refused.stderr


def test_a_listed_notes_folder_that_is_missing_is_a_warning_beside_ones_that_are_there(runner, in_tmp) -> None:
    write(in_tmp / "custlens.yaml", "notes: [notes, old-notes]\n")
    note(in_tmp / "notes", "a.md", needs=("Export to Xero",))
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0 and "old-notes: warning[missing-folder]" in result.stdout
    assert "ok: 1 file, 1 note: 0 errors, 1 warning" in result.stdout  # the folder is not counted as a file
    assert json.loads(runner.invoke(app, ["check", "--format", "json"]).stdout)["summary"]["files"] == 1
    assert runner.invoke(app, ["check", "--strict"]).exit_code == 1


def test_config_in_pyproject_is_found_by_walking_up(runner, in_tmp, monkeypatch) -> None:
    write(in_tmp / "pyproject.toml", '[tool.custlens]\nnotes = ["research"]\nrequire_need = false\n')
    note(in_tmp / "research", "a.md", pains=("Slow",))
    (in_tmp / "sub").mkdir()
    monkeypatch.chdir(in_tmp / "sub")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "1 file, 1 note" in result.stdout


def test_check_never_modifies_notes(runner, in_tmp) -> None:
    note(in_tmp / "notes", "a.md", needs=("x",))
    write(in_tmp / "notes" / "b.yaml", "- {date: 2026-01-01, kind: survey, segment: s, needs: 42}\n")
    before = snapshot(in_tmp / "notes")
    for fmt in ("text", "json", "github"):
        runner.invoke(app, ["check", "--format", fmt])
    assert snapshot(in_tmp / "notes") == before


def test_readme_files_are_skipped_in_folders_but_checked_when_named(runner, in_tmp) -> None:
    note(in_tmp / "notes", "a.md", needs=("x",))
    write(in_tmp / "notes" / "README.md", "# What this folder is\n")
    assert runner.invoke(app, ["check"]).exit_code == 0
    assert runner.invoke(app, ["check", "notes/README.md"]).exit_code == 1


def test_unknown_format_is_a_usage_error(runner, in_repo) -> None:
    result = runner.invoke(app, ["check", "--format", "xml"])
    assert result.exit_code == 2
    message = " ".join(result.stderr.replace("│", " ").split())
    assert "Invalid value for '--format' / '-f'" in message and "'xml' is not one of 'text', 'github', 'json'" in message


def test_a_segment_spelled_two_ways_is_a_warning_on_the_rarer_spelling(runner, tmp_path) -> None:
    note(tmp_path, "a.md", segment="salons", needs=("x",))
    note(tmp_path, "b.md", segment="salons", needs=("y",))
    note(tmp_path, "c.md", segment="Salons", needs=("z",))
    result = runner.invoke(app, ["check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0
    found = [(f["path"].rsplit("/", 1)[-1], p["code"], p["severity"], p["line"]) for f in json.loads(result.stdout)["files"]
             for p in f["problems"]]
    assert found == [("c.md", "segment-spelling", "warning", 4)]  # the line of `segment:`, as GitHub marks it


def test_a_folder_without_notes_fails_with_a_clear_message_unless_allowed(runner, in_tmp) -> None:
    (in_tmp / "notes").mkdir()
    (in_tmp / "notes" / "README.md").write_text("# Notes go here\n")  # skipped in folders: no note at all
    for args in (["check"], ["check", "notes"], ["check", "notes", "--format", "json"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, (args, result.output)
        assert "error: no notes found in notes: nothing was checked" in result.stderr
        assert "ok:" not in result.stdout
    # a script reading the JSON, or GitHub reading the annotations, sees the failure too
    data = json.loads(runner.invoke(app, ["check", "--format", "json"]).stdout)
    assert data["ok"] is False and data["summary"]["errors"] == 1 and "nothing was checked" in data["error"]
    github = runner.invoke(app, ["check", "--format", "github"]).stdout
    assert github.startswith("::error title=custlens no-notes::no notes found in notes")
    allowed = runner.invoke(app, ["check", "--allow-empty"])
    assert allowed.exit_code == 0 and allowed.stdout.strip() == "ok: 0 files, 0 notes: 0 errors, 0 warnings"


def test_a_note_dated_in_the_future_is_a_warning_and_today_is_not(runner, tmp_path) -> None:
    import datetime as dt

    from custlens.commands.check import check
    from custlens.infra.config import Config

    note(tmp_path, "a.md", date="2206-03-15", needs=("x",))  # 2026 with a typo in the year
    note(tmp_path, "b.md", date="2026-03-16", needs=("y",))
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 0 and "a.md:2: warning[future-date]: `date` 2206-03-15 is in the future" in result.stdout
    assert "b.md" not in result.stdout and runner.invoke(app, ["check", str(tmp_path), "--strict"]).exit_code == 1
    found = check([tmp_path], Config(root=tmp_path), today=dt.date(2026, 3, 15))  # a day's grace for time zones
    assert [(p.path.rsplit("/", 1)[-1], p.code) for f in found.files for p in f.problems] == [("a.md", "future-date")]
    found = check([tmp_path], Config(root=tmp_path), today=dt.date(2026, 3, 14))
    assert sorted(p.path.rsplit("/", 1)[-1] for f in found.files for p in f.problems) == ["a.md", "b.md"]


@pytest.mark.parametrize(("args", "said"), [
    (["themes", "--top", "0"], "error: Invalid value for '--top' / '-n': Input should be greater than or equal to 1"),
    (["changes", "notes"], "error: Missing option '--since'."),
    (["show", "x", "--format", "table"], ("error: Invalid value for '--format' / '-f': 'table' is not one of 'text', "
                                          "'json', 'csv', 'markdown'.")),
    (["nosuch"], "error: No such command 'nosuch'."),
])
def test_a_command_line_typer_refuses_is_one_line_and_a_hint_in_a_pipe(args, said) -> None:
    import subprocess
    import sys

    from .conftest import REPO

    done = subprocess.run([sys.executable, "-m", "custlens", *args], capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 2 and done.stdout == ""
    first, hint = done.stderr.splitlines()
    assert first == said and hint.startswith("  hint: Usage: ") and hint.endswith(" -h` lists the options")


def test_a_refused_command_line_into_a_closed_pipe_still_exits_2() -> None:
    import os
    import subprocess
    import sys

    from .conftest import REPO

    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written: `custlens frob 2>&1 | head -0`
    done = subprocess.run([sys.executable, "-m", "custlens", "frob"], stdout=subprocess.DEVNULL, stderr=write,
                          cwd=REPO, check=False)
    os.close(write)
    assert done.returncode == 2
