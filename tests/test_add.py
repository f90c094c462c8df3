"""`custlens add` and `custlens init`: safe, atomic, never overwriting, and what they write passes check."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from custlens.cli import app

from .conftest import REPO, write


def test_add_with_flags_writes_a_note_that_passes_check(runner, in_tmp) -> None:
    result = runner.invoke(app, [
        "add", "--kind", "interview", "--segment", "Café owners", "--participant", "P-7", "--researcher", "ana",
        "--date", "2026-05-04", "--title", "Owner of two cafés", "--pain", "Prices differ between tills",
        "--need", "Menu prices reach every till at once", "--need", "A price history", "--quote", 'It drives me "mad"',
        "--tag", "pricing",
    ])
    assert result.exit_code == 0, result.output
    path = in_tmp / "notes" / "2026-05-04-cafe-owners-p-7.md"
    assert result.stdout.strip() == "notes/2026-05-04-cafe-owners-p-7.md"
    text = path.read_text(encoding="utf-8")
    assert "segment: Café owners" in text and "## Needs\n- Menu prices reach every till at once\n- A price history" in text
    assert '> "It drives me "mad""' in text
    check = runner.invoke(app, ["check", "--format", "json"])
    assert check.exit_code == 0, check.stdout
    statements = runner.invoke(app, ["statements", "--format", "json"]).stdout
    assert "Menu prices reach every till at once" in statements


def test_add_never_overwrites_a_second_note_gets_a_number(runner, in_tmp) -> None:
    args = ["add", "--kind", "interview", "--segment", "smb", "--participant", "P-1", "--date", "2026-01-02", "--need", "x"]
    first = runner.invoke(app, args).stdout.strip()
    original = Path(first).read_bytes()
    second = runner.invoke(app, [*args[:-1], "y"]).stdout.strip()
    assert first == "notes/2026-01-02-smb-p-1.md" and second == "notes/2026-01-02-smb-p-1-2.md"
    assert Path(first).read_bytes() == original


def test_add_without_a_need_writes_and_warns(runner, in_tmp) -> None:
    result = runner.invoke(app, ["add", "--kind", "survey", "--segment", "smb", "--pain", "slow"])
    assert result.exit_code == 0
    assert "states no customer need" in result.stderr
    assert Path(result.stdout.strip()).exists()


def test_add_defaults_date_to_today_and_file_name_to_the_title(runner, in_tmp) -> None:
    result = runner.invoke(app, ["add", "--kind", "survey", "--segment", "smb", "--title", "Q3 pulse / NPS", "--need", "x"])
    assert result.stdout.strip() == f"notes/{dt.date.today().isoformat()}-smb-q3-pulse-nps.md"


def test_add_refuses_what_check_would_refuse_before_writing(runner, in_tmp) -> None:
    result = runner.invoke(app, ["add", "--kind", "interveiw", "--segment", "smb", "--need", "x"])
    assert result.exit_code == 2 and "did you mean `interview`?" in result.stderr
    bad_date = runner.invoke(app, ["add", "--kind", "interview", "--segment", "smb", "--date", "2026-02-30"])
    assert bad_date.exit_code == 2
    missing = runner.invoke(app, ["add", "--kind", "interview"])
    assert missing.exit_code == 2 and "missing --segment" in missing.stderr
    assert not (in_tmp / "notes").exists() or not list((in_tmp / "notes").iterdir())


@pytest.mark.parametrize(("option", "text", "said"), [
    ("--need", "Pain: the sync is slow", "would be read as a pain: 'the sync is slow'"),
    ("--pain", "Need: faster sync", "would be read as a need: 'faster sync'"),
    ("--need", "Invoices that sync to #Xero", "would be read as 'Invoices that sync to'"),
    ("--need", "#need", "would not be read as one need"),
    ("--need", "<!-- later -->", "would not be read as one need"),
    ("--need", "---", "would not be read as one need"),
    ("--need", "[the report](https://x.example/r)", "would be read as 'the report'"),
    ("--need", "  ", "an empty need"),
])
def test_add_refuses_an_item_the_note_would_not_read_back_as_typed(option, text, said, runner, in_tmp) -> None:
    result = runner.invoke(app, ["add", "--kind", "interview", "--segment", "smb", "--need", "Export to Xero",
                                 option, text])
    assert result.exit_code == 2 and said in result.stderr, result.stderr
    assert not (in_tmp / "notes").exists() or not list((in_tmp / "notes").iterdir())


def test_what_add_writes_reads_back_as_it_was_typed(runner, in_tmp) -> None:
    typed = {"pain": ["Run `sync --all` by hand every night", "Prices differ between tills", "The _important_ invoices are late"],
             "need": ["A price history, per till", "Menu prices reach every till at once"],
             "quote": ['"Cheap" is not "free"', '"Every Monday I lose an hour"', "It drives me mad"]}
    args = [arg for kind, items in typed.items() for item in items for arg in (f"--{kind}", item)]
    path = runner.invoke(app, ["add", "--kind", "interview", "--segment", "smb", *args]).stdout.strip()
    data = json.loads(runner.invoke(app, ["statements", path, "--format", "json", "--engine", "fuzzy"]).stdout)
    back = {s["text"]: s for s in data["statements"]}
    assert back["Run sync --all by hand every night"]["type"] == "pain"  # code marks go, the words stay
    assert back["The important invoices are late"]["type"] == "pain"  # `_emphasis_` as `*emphasis*`
    assert back["Prices differ between tills"]["type"] == "pain"
    assert {back[t]["type"] for t in typed["need"]} == {"need"}
    assert {'"Cheap" is not "free"', "Every Monday I lose an hour", "It drives me mad"} <= set(back)


def test_add_writes_into_dir_and_config_notes_folder(runner, in_tmp) -> None:
    write(in_tmp / "custlens.yaml", "notes: [research/notes]\nresearcher: dara\n")
    out = runner.invoke(app, ["add", "--kind", "interview", "--segment", "smb", "--need", "x"]).stdout.strip()
    assert out.startswith("research/notes/") and "researcher: dara" in Path(out).read_text()
    elsewhere = runner.invoke(app, ["add", "--kind", "interview", "--segment", "smb", "--need", "x", "--dir", "inbox"])
    assert elsewhere.stdout.strip().startswith("inbox/")


def test_add_edit_opens_the_editor_on_the_new_note(runner, in_tmp, monkeypatch) -> None:
    log = in_tmp / "editor.log"
    script = write(in_tmp / "fake-editor.sh", f"#!/bin/sh\necho \"$1\" > {log}\n")
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    result = runner.invoke(app, ["add", "--kind", "interview", "--segment", "smb", "--need", "x", "--edit"])
    assert result.exit_code == 0
    assert Path(log.read_text().strip()) == (in_tmp / result.stdout.strip()).resolve()
    monkeypatch.setenv("EDITOR", "vim '-c")  # an unbalanced quote: one line, not an internal error
    broken = runner.invoke(app, ["add", "--kind", "interview", "--segment", "smb", "--need", "y", "--edit"])
    assert broken.exit_code == 2 and "cannot read $EDITOR" in broken.stderr and "the note was written to" in broken.stderr


@pytest.mark.slow
def test_two_adds_at_the_same_moment_write_two_notes(in_tmp) -> None:
    args = [sys.executable, "-m", "custlens", "add", "--no-input", "--kind", "interview", "--segment", "smb",
            "--participant", "P-1", "--date", "2026-01-02"]
    procs = [subprocess.Popen([*args, "--need", f"need {k}"], stdout=subprocess.PIPE, text=True) for k in range(6)]
    outputs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert len(set(outputs)) == 6
    texts = {Path(o).read_text() for o in outputs}
    assert {f"need {k}" for k in range(6)} == {t.split("## Needs\n- ")[1].strip() for t in texts}
    assert not [p for p in (in_tmp / "notes").iterdir() if p.name.startswith(".")]  # no temporary files left


@pytest.mark.slow
def _answer_prompts(in_tmp, answers: list[bytes], args: tuple[str, ...] = ("--date", "2026-03-03")) -> tuple[subprocess.Popen, bytes]:
    """Run `custlens add` on a real pseudo-terminal and type each answer when a prompt shows."""
    main, child = pty.openpty()
    env = dict(os.environ, COLUMNS="100", NO_COLOR="1", TERM="dumb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "custlens", "add", *args], stdin=child, stdout=subprocess.PIPE,
        stderr=child, cwd=in_tmp, env=env, close_fds=True,
    )
    os.close(child)
    shown = b""
    for answer in answers:
        seen = b""
        deadline = time.time() + 20
        while time.time() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:
                    break
                seen += chunk
                if seen.rstrip().endswith((b":", b")", b"-")):
                    break
        shown += seen
        os.write(main, answer)
    proc.wait(timeout=30)
    try:
        while select.select([main], [], [], 0.2)[0]:
            shown += os.read(main, 4096)
    except OSError:
        pass
    os.close(main)
    return proc, shown


def test_ctrl_d_at_a_prompt_cancels_cleanly(in_tmp) -> None:
    proc, shown = _answer_prompts(in_tmp, [b"survey\n", b"smb\n", b"\x04"])
    assert proc.returncode == 130
    assert b"cancelled" in shown and b"Traceback" not in shown and b"internal error" not in shown
    assert not (in_tmp / "notes").exists() or not list((in_tmp / "notes").iterdir())


def test_interactive_add_on_a_terminal(in_tmp) -> None:
    """Drive the prompts through a real pseudo-terminal."""
    answers = ["survey", "smb", "R-9", "dara", "Pulse survey", "Slow export", "", "Faster export", "", "", ""]
    proc, _ = _answer_prompts(in_tmp, [answer.encode() + b"\n" for answer in answers])
    out = proc.stdout.read()
    assert proc.returncode == 0
    path = in_tmp / out.decode().strip()
    text = path.read_text()
    assert "kind: survey" in text and "participant: R-9" in text and "- Faster export" in text and "- Slow export" in text


def test_interactive_add_asks_again_for_a_date_it_cannot_read_and_for_a_name_given_as_participant(in_tmp) -> None:
    """A typo in the date no longer ends the session (and loses everything typed); `today` and
    `yesterday` are dates; a participant written as a name is asked for again before it reaches the
    note and its file name."""
    answers = ["survey", "smb", "Dr. Jane Smith", "P-7", "dara", "last tuesday", "yesterday", "Pulse survey", "",
               "Faster export", "", ""]
    proc, shown = _answer_prompts(in_tmp, [answer.encode() + b"\n" for answer in answers], args=())
    out = proc.stdout.read()
    assert proc.returncode == 0, shown
    assert b"not a date" in shown and shown.count(b"Date (YYYY-MM-DD, today or yesterday)") == 2
    assert b"`Dr. Jane Smith` looks like a person's name, not a pseudonymous id such as P-014" in shown
    written = out.decode().strip()
    text = (in_tmp / written).read_text()
    assert f"date: {dt.date.today() - dt.timedelta(days=1)}" in text and "- Faster export" in text
    assert "participant: P-7" in text and "jane" not in written.lower() and "Jane" not in text


def test_interactive_add_keeps_a_participant_typed_the_same_twice_with_the_warning_check_gives(in_tmp) -> None:
    answers = ["survey", "smb", "Dr. Jane Smith", "Dr. Jane Smith", "dara", "Pulse survey", "", "Faster export", "", ""]
    proc, shown = _answer_prompts(in_tmp, [answer.encode() + b"\n" for answer in answers])
    out = proc.stdout.read()
    assert proc.returncode == 0, shown
    assert b"participant `Dr. Jane Smith` looks like a person's name, not a pseudonymous id" in shown
    assert "participant: Dr. Jane Smith" in (in_tmp / out.decode().strip()).read_text()


def test_interactive_add_refuses_a_folder_it_cannot_write_before_the_first_question(in_tmp) -> None:
    """A file where the notes folder should be used to be found after the whole interview, losing it."""
    (in_tmp / "notes").write_text("not a folder\n", encoding="utf-8")
    proc, shown = _answer_prompts(in_tmp, [b"survey\n"])
    assert proc.returncode == 2, shown
    assert b"cannot create the notes folder notes: file exists" in shown
    assert b"Kind of source" not in shown and (in_tmp / "notes").read_text() == "not a folder\n"


def test_interactive_add_asks_again_for_a_segment_the_config_does_not_list(in_tmp) -> None:
    """A typo in the segment costs one answer, not the interview: it used to be found only after the
    last quote, and nothing was written."""
    (in_tmp / "custlens.yaml").write_text("segments: [salons, clinics]\n", encoding="utf-8")
    answers = ["survey", "salon", "salons", "R-9", "dara", "Pulse survey", "Slow export", "", "Faster export", "", ""]
    proc, shown = _answer_prompts(in_tmp, [answer.encode() + b"\n" for answer in answers])
    out = proc.stdout.read()
    assert proc.returncode == 0, shown
    assert b"unknown segment: 'salon'; did you mean `salons`?" in shown and shown.count(b"Segment") == 2
    text = (in_tmp / out.decode().strip()).read_text()
    assert "segment: salons" in text and "- Slow export" in text and "- Faster export" in text


def test_interactive_add_asks_again_for_a_mistyped_kind_and_an_item_it_would_misread(in_tmp) -> None:
    answers = ["survey", "smb", "R-9", "dara", "Pulse survey", "Need: faster sync", "Slow export", "", "Faster export",
               "", ""]
    proc, shown = _answer_prompts(in_tmp, [answer.encode() + b"\n" for answer in answers],
                                  args=("--kind", "surveyy", "--date", "2026-03-03"))
    out = proc.stdout.read()
    assert proc.returncode == 0, shown
    assert b"unknown kind: 'surveyy'; did you mean `survey`?" in shown
    assert b"not kept: the pain 'Need: faster sync' would be read as a need" in shown
    text = (in_tmp / out.decode().strip()).read_text()
    assert "kind: survey" in text and "## Pains\n- Slow export\n" in text and "Need: faster" not in text


def test_check_and_add_warn_of_a_participant_written_as_a_name(runner, in_tmp) -> None:
    from .conftest import note

    note(in_tmp / "notes", "a.md", participant="Dr. Jane Smith", needs=("Export to Xero",))
    note(in_tmp / "notes", "b.md", participant="P-014", needs=("Export to Xero",))
    note(in_tmp / "notes", "c.md", participant="jane.smith@acme.example", needs=("Export to Xero",))
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output  # a warning: --strict makes it fail
    assert result.stdout.splitlines()[:4] == [
        ("notes/a.md:5: warning[participant-name]: participant `Dr. Jane Smith` looks like a person's name, not a "
        "pseudonymous id"),
        "    hint: give a pseudonymous id such as P-014 and keep who it is outside the notes",
        ("notes/c.md:5: warning[participant-name]: participant `jane.smith@acme.example` looks like an e-mail address, "
        "not a pseudonymous id"),
        "    hint: give a pseudonymous id such as P-014 and keep who it is outside the notes",
    ]
    assert runner.invoke(app, ["check", "--strict"]).exit_code == 1
    added = runner.invoke(app, ["add", "--kind", "interview", "--segment", "smb", "--participant", "Dr. Jane Smith",
                                "--need", "x", "--date", "today"])
    assert added.exit_code == 0, added.output
    assert "warning: participant `Dr. Jane Smith` looks like a person's name, not a pseudonymous id" in added.stderr
    assert added.stdout.strip() == f"notes/{dt.date.today()}-smb-dr-jane-smith.md"


def test_init_writes_a_commented_config_and_an_example_note_that_pass_check(runner, in_tmp) -> None:
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert "wrote custlens.yaml" in result.stdout
    assert "#" in (in_tmp / "custlens.yaml").read_text()
    assert runner.invoke(app, ["check"]).exit_code == 0
    again = runner.invoke(app, ["init"])
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_init_creates_the_folder_it_is_given(runner, in_tmp) -> None:
    result = runner.invoke(app, ["init", "research/team-notes"])
    assert result.exit_code == 0, result.output
    assert "wrote research/team-notes/custlens.yaml" in result.stdout
    assert runner.invoke(app, ["check", "research/team-notes/notes"]).exit_code == 0
    (in_tmp / "a-file").write_text("x")
    refused = runner.invoke(app, ["init", "a-file"])
    assert refused.exit_code == 2 and "not a folder: a-file" in refused.stderr


def test_python_m_custlens_and_version() -> None:
    out = subprocess.run([sys.executable, "-m", "custlens", "--version"], capture_output=True, text=True, cwd=REPO, check=False)
    assert out.returncode == 0 and out.stdout.startswith("custlens ")


def test_add_warns_of_a_missing_need_only_where_the_config_asks_for_one(runner, in_tmp) -> None:
    (in_tmp / "custlens.yaml").write_text("require_need: [interview]\n")
    survey = runner.invoke(app, ["add", "--kind", "survey", "--segment", "smb", "--pain", "slow"])
    assert survey.exit_code == 0 and "no customer need" not in survey.stderr
    interview = runner.invoke(app, ["add", "--kind", "interview", "--segment", "smb", "--pain", "slow"])
    assert interview.exit_code == 0 and "states no customer need" in interview.stderr
    assert runner.invoke(app, ["check"]).exit_code == 1  # and check agrees: the interview is the one it reports


# --- SIGTERM and what a killed write leaves ----------------------------------------------------------

# `custlens` with fsync made slow, so that a signal arrives while the temporary file is being written
_SLOW_WRITE = (
    "import os, sys, time\n"
    "os.fsync = lambda descriptor: time.sleep(60)\n"
    "from custlens.cli import main\n"
    "sys.argv = ['custlens', *sys.argv[1:]]\n"
    "main()\n"
)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["add", "import"])
def test_sigterm_while_a_note_is_written_stops_like_ctrl_c_and_leaves_nothing(command, in_tmp) -> None:
    import signal

    (in_tmp / "export.csv").write_text("id,text\n1,Export to Xero\n", encoding="utf-8")
    args = {
        "add": ["add", "--no-input", "--kind", "interview", "--segment", "smb", "--need", "Export to Xero"],
        "import": ["import", "export.csv", "--text-column", "text", "--segment", "smb"],
    }[command]
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITE, *args], cwd=in_tmp, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    notes = in_tmp / "notes"
    deadline = time.time() + 30
    while time.time() < deadline and not (notes.is_dir() and any(p.name.endswith(".tmp") for p in notes.iterdir())):
        time.sleep(0.05)
    assert notes.is_dir() and [p for p in notes.iterdir() if p.name.endswith(".tmp")], "the write never started"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and err.strip() == "terminated", (proc.returncode, err)
    assert out == "" and list(notes.iterdir()) == []  # no note, no temporary file


def _left_behind(folder: Path, age: float) -> dict[str, Path]:
    """Files like those a killed write leaves, and others that only look like them; `age` seconds old."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {
        "ours": ".2026-01-02-smb-p-1.md.0123456789ab.tmp",
        "ours yaml": ".2026-01-02-import-x.yaml.a1b2c3d4e5f6.tmp",
        "not a note": ".report.html.0123456789ab.tmp",
        "no token": ".2026-01-02-smb-p-1.md.tmp",
        "not hidden": "2026-01-02-smb-p-1.md.0123456789ab.tmp",
        "someone else's": ".notes.md.swp",
    }
    made = {}
    for what, name in names.items():
        made[what] = folder / name
        made[what].write_text("half a note")
    made["link"] = folder / ".linked.md.fedcba987654.tmp"
    made["link"].symlink_to(made["not hidden"])
    for path in made.values():
        os.utime(path, (time.time() - age, time.time() - age), follow_symlinks=False)
    return made


@pytest.mark.parametrize("command", ["check", "add"])
def test_check_and_add_remove_the_stale_temporary_files_of_a_killed_write_and_nothing_else(command, runner, in_tmp) -> None:
    from .conftest import note

    note(in_tmp / "notes", "a.md", needs=("Export to Xero",))
    stale = _left_behind(in_tmp / "notes", age=3600)
    fresh = _left_behind(in_tmp / "notes" / "recent", age=5)  # a write that may still be going on
    nested = _left_behind(in_tmp / "notes" / "2025", age=3600)
    args = {"check": ["check"], "add": ["add", "--kind", "interview", "--segment", "smb", "--need", "x"]}[command]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    gone = {what for what, path in stale.items() if not os.path.lexists(path)}
    assert gone == {"ours", "ours yaml"}
    assert all(os.path.lexists(path) for path in fresh.values())
    nested_gone = {what for what, path in nested.items() if not os.path.lexists(path)}
    assert nested_gone == ({"ours", "ours yaml"} if command == "check" else set())  # add cleans the folder it writes to


def test_a_destination_that_cannot_be_written_has_one_exit_code_whichever_command_writes() -> None:
    """add, import, init and --write-codebook exited 2 (usage) on a read-only disk; reports exited 74."""
    import errno

    from custlens.errors import ExitCode, cannot_write

    for code in (errno.EROFS, errno.EACCES, errno.ENOSPC):
        assert cannot_write("cannot write the note in notes", OSError(code, os.strerror(code))).exit_code == ExitCode.IO
    refused = cannot_write("cannot create the notes folder notes", OSError(errno.EEXIST, os.strerror(errno.EEXIST)))
    assert refused.exit_code == ExitCode.USAGE and refused.message == "cannot create the notes folder notes: file exists"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_note_written_whose_name_cannot_be_printed_says_it_was_written(in_tmp) -> None:
    """Into a full disk, `add` said `cannot write the output` of a note it had written: a script that
    tried again wrote it twice."""
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "custlens", "add", "--kind", "interview", "--segment", "smb",
                               "--need", "Export to Xero"], stdout=full, stderr=subprocess.PIPE, text=True, cwd=in_tmp,
                              check=False)
    written = list((in_tmp / "notes").iterdir())
    assert proc.returncode == 74 and len(written) == 1
    assert f"notes/{written[0].name} was written, but its name could not be printed: no space left on device" in proc.stderr
    assert "do not write it again" in proc.stderr and "Traceback" not in proc.stderr


def test_interactive_add_refuses_a_notes_folder_that_links_to_nothing_before_the_first_question(in_tmp) -> None:
    (in_tmp / "notes").symlink_to(in_tmp / "gone" / "notes")
    proc, shown = _answer_prompts(in_tmp, [b"survey\n"])
    assert proc.returncode == 2 and b"cannot create the notes folder notes" in shown and b"Kind of source" not in shown
