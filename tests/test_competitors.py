"""`custlens competitors`, each theme's competitor breakdown, and the competitors each segment names: on
a small corpus whose answer is known, and on the rule that decides when a statement names a competitor."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess
import time

import pytest

from custlens.cli import app
from custlens.models import Note, Statement
from custlens.pipeline.competitors import find_competitors

from .conftest import NOTES, note, write

PRICE = "The price per seat gets too expensive as the team grows"
DEPOSIT = "Take a card deposit when clients book online"
SYNC = "The Google calendar sync lags and we get double bookings"


def _note(listed: tuple[str, ...] = (), k: int = 1) -> Note:
    return Note(f"n{k}", f"notes/n{k}.md", 1, None, dt.date(2026, 1, 1), "interview", "smb", f"P-{k}", (), None, (), (),
                {"competitors": list(listed)} if listed else {})


LISTING = _note(("Fresha", "Square", "QuickBooks", "Jane App", "Harvest", "Calendly", "ServiceM8", "Toggl"), 1)
OTHER = _note((), 2)


@pytest.mark.parametrize(
    ("text", "in_listing", "elsewhere"),
    [
        ("FRESHA takes deposits", ["Fresha"], ["Fresha"]),  # any case
        ("fresha's deposit rules", ["Fresha"], ["Fresha"]),
        ("We tried Freshaa last year", ["Fresha"], ["Fresha"]),  # one typo in a name of 6+ letters
        ("Calendy just worked", ["Calendly"], ["Calendly"]),
        ("QuikBokos export", ["QuickBooks"], ["QuickBooks"]),  # two typos in a name of 10+ letters
        ("It keeps things fresh", [], []),  # an ordinary word is never a typo of a name
        ("Fresh a bit of paint", [], []),  # a run of a different length only when every word is capitalised
        ("We export to Quick Books weekly", ["QuickBooks"], ["QuickBooks"]),
        ("we export to quick books weekly", [], []),
        ("Jobs go to Service-M8 by hand", ["ServiceM8"], ["ServiceM8"]),
        ("jobs go to service m8 by hand", [], []),
        ("TOGGL for time, toggl.com", ["Toggl"], ["Toggl"]),
        ("To toggle the view", [], []),  # a short name: no typo; `To` only starts it
        ("Already on JaneApp", ["Jane App"], ["Jane App"]),
        ("Already on Jane App", ["Jane App"], ["Jane App"]),
        ("jane app is cheaper", [], []),  # a name of ordinary words counts only as written
        ("a square table by the door", [], []),
        ("The studio moved to Square in May", ["Square"], ["Square"]),
        ("Square takes the card at booking", ["Square"], []),  # first of a sentence: only where the note lists it
        ("We pay. Harvest tracks the hours", ["Harvest"], []),
        ("“Harvest season is busy”", ["Harvest"], []),
        ("They use Harvest too", ["Harvest"], ["Harvest"]),
        ("Squares and circles", [], []),
        ("Vagaro is cheaper", [], []),  # named by no note's front matter: not a competitor
    ],
)
def test_a_statement_names_a_competitor_by_the_documented_rule(text, in_listing, elsewhere) -> None:
    for owner, expected in ((LISTING, in_listing), (OTHER, elsewhere)):
        statement = Statement(text, "pains", 3, owner, "pain")
        naming = find_competitors([LISTING, OTHER], [statement])
        assert list(naming.mentions.get(id(statement), ())) == expected, (text, owner.id)


def test_spellings_of_one_competitor_are_one_and_shown_as_the_most_listed() -> None:
    notes = [_note(("Jane App",), 1), _note(("JaneApp",), 2), _note(("jane app",), 3), _note(("Jane App",), 4),
             _note(("Calendly",), 5), _note(("Calendy",), 6), _note(("Calendly",), 7), _note(("Xero",), 8)]
    naming = find_competitors(notes, [])
    assert naming.names == ("Calendly", "Jane App", "Xero")
    assert naming.spellings["Jane App"] == ("Jane App", "jane app", "JaneApp")
    assert naming.spellings["Calendly"] == ("Calendly", "Calendy")
    assert all(naming.of(n) for n in notes)


def _market(root) -> None:
    """Fresha: listed by P-1 (cancellation) and P-2 (as `fresha`), named with a typo by P-3; Square:
    listed by P-4, named mid-sentence by P-5; the word "square" and "fresh" name nothing (P-6), nor does
    the team's own follow-up to ask P-6 about Fresha."""
    n = root / "notes"
    note(n, "a.md", participant="P-1", segment="salons", kind="cancellation", pains=(PRICE, "Fresha takes deposits at booking and you don't"),
         needs=(DEPOSIT,), extra="competitors: [Fresha]")
    note(n, "b.md", participant="P-2", segment="salons", pains=(PRICE,), needs=(DEPOSIT,), extra="competitors: [fresha]")
    note(n, "c.md", participant="P-3", segment="clinics", pains=(SYNC,), quotes=("We almost went with Freshaa instead.",))
    note(n, "d.md", participant="P-4", segment="solo", kind="sales-call", needs=(DEPOSIT,), pains=(SYNC,),
         extra="competitors: [Square]")
    note(n, "e.md", participant="P-5", segment="solo", pains=(SYNC, "The studio moved to Square for the card reader"))
    f = note(n, "f.md", participant="P-6", segment="solo", pains=(SYNC, "A square table and a fresh coat of paint"),
             needs=(DEPOSIT,))
    f.write_text(f.read_text() + "## Follow-ups\n- Ask whether they have ever tried Fresha\n")


def _json(runner, *args: str) -> dict:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_competitors_lists_notes_participants_segments_sources_and_quotes(runner, tmp_path) -> None:
    _market(tmp_path)
    found = {c["name"]: c for c in _json(runner, "competitors", str(tmp_path / "notes"))["competitors"]}
    assert list(found) == ["Fresha", "Square"]  # most participants first
    fresha, square = found["Fresha"], found["Square"]
    assert [n["participant"] for n in fresha["notes"]] == ["P-1", "P-2", "P-3"]
    assert (fresha["listed"], fresha["participants"], fresha["mentions"]) == (2, 3, 2)
    assert fresha["spellings"] == ["Fresha", "fresha"]
    assert fresha["segments"] == {"salons": 2, "clinics": 1}
    assert fresha["sources"] == {"interview": 2, "cancellation": 1}
    assert [(q["path"].rsplit("/", 1)[1], q["line"], q["text"]) for q in fresha["quotes"]] == [
        ("a.md", 10, "Fresha takes deposits at booking and you don't"), ("c.md", 11, "We almost went with Freshaa instead.")]
    assert [n["participant"] for n in square["notes"]] == ["P-4", "P-5"]
    assert (square["listed"], square["mentions"]) == (1, 1)
    # the themes said in the notes that name it: how many of those participants said each, of how many in all
    said = {t["id"]: (t["participants"], t["theme_participants"]) for t in fresha["themes"]}
    themes = _json(runner, "themes", str(tmp_path / "notes"), "--all")["themes"]
    of = {text: next(t["id"] for t in themes if any(s["text"] == text for s in t["statements"]))
          for text in (PRICE, DEPOSIT, SYNC)}
    assert said[of[PRICE]] == (2, 2)  # both who said it name Fresha
    assert said[of[DEPOSIT]] == (2, 4)
    assert said[of[SYNC]] == (1, 4)
    assert list(said)[:2] == [of[PRICE], of[DEPOSIT]] or list(said)[:2] == [of[DEPOSIT], of[PRICE]]


def test_each_theme_counts_the_participants_per_competitor_in_json_show_and_segments(runner, tmp_path) -> None:
    _market(tmp_path)
    notes = str(tmp_path / "notes")
    themes = _json(runner, "themes", notes, "--all")["themes"]
    deposit = next(t for t in themes if any(s["text"] == DEPOSIT for s in t["statements"]))
    assert deposit["participants"] == 4 and deposit["competitors"] == {"Fresha": 2, "Square": 1}
    sync = next(t for t in themes if any(s["text"] == SYNC for s in t["statements"]))
    assert sync["competitors"] == {"Fresha": 1, "Square": 2}
    shown = runner.invoke(app, ["show", deposit["id"], notes])
    assert "competitors: Fresha 2, Square 1\n" in shown.stdout
    segments = {s["name"]: s["competitors"] for s in _json(runner, "segments", notes)["segments"]}
    assert segments == {"clinics": {"Fresha": 1}, "salons": {"Fresha": 2}, "solo": {"Square": 2}}
    table = runner.invoke(app, ["segments", notes]).stdout
    assert "competitors named (participants): Square 2\n" in table


def test_competitors_in_text_markdown_and_csv(runner, tmp_path) -> None:
    _market(tmp_path)
    notes = str(tmp_path / "notes")
    text = runner.invoke(app, ["competitors", notes, "--top", "1"])
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[0] == "Fresha: 3 notes (2 list it), 3 participants · salons 2, clinics 1 · interview 2, cancellation 1"
    assert any(line.endswith("a.md:10  2026-05-01  salons · cancellation · P-1") for line in lines)
    assert "    Fresha takes deposits at booking and you don't" in lines
    assert not any("Freshaa" in line for line in lines)  # beyond --top 1 ...
    assert any(line.endswith("and 1 more statement (--top N shows more, --format json all)") for line in lines)
    markdown = runner.invoke(app, ["competitors", notes, "--format", "markdown"]).stdout
    assert "## Fresha\n" in markdown and "| Theme | Type | Participants | Of all who said it |" in markdown
    assert '- "We almost went with Freshaa instead." (P-3, clinics, interview, 2026-05-01;' in markdown
    rows = runner.invoke(app, ["competitors", notes, "--format", "csv"]).stdout.splitlines()
    assert rows[0] == "competitor,spellings,notes,listed,participants,segments,sources,mentions,themes,quotes,note_paths"
    assert rows[1].startswith("Fresha,Fresha; fresha,3,2,3,")


def test_competitors_json_is_the_same_for_the_notes_in_any_order(runner, tmp_path) -> None:
    _market(tmp_path)
    files = sorted((tmp_path / "notes").iterdir())
    outputs = set()
    for seed in range(3):
        random.Random(seed).shuffle(files)
        outputs.add(runner.invoke(app, ["competitors", *map(str, files), "--format", "json"]).stdout)
    assert len(outputs) == 1 and '"Fresha"' in outputs.pop()


def test_redact_masks_what_quotes_hold_and_listed_names(runner, in_tmp) -> None:
    write(in_tmp / "custlens.yaml", "redact: [Marguerite, Fresha]\n")
    note(in_tmp / "notes", "a.md", participant="P-1", extra="competitors: [Fresha, Booksy]",
         pains=("Booksy answered marguerite@salon.example within the hour", "Fresha takes deposits"))
    note(in_tmp / "notes", "b.md", participant="P-2", pains=("Marguerite says Booksy is cheaper",))
    plain = runner.invoke(app, ["competitors", "--format", "json"]).stdout
    assert "marguerite@salon.example" in plain and "Fresha" in plain
    for fmt in ("json", "csv", "markdown", "table"):
        result = runner.invoke(app, ["competitors", "--format", fmt, "--redact"])
        assert result.exit_code == 0, result.output
        for secret in ("marguerite", "Fresha"):
            assert secret.lower() not in result.stdout.lower(), (fmt, result.stdout)
        assert "Booksy" in result.stdout and ("[email]" in result.stdout or fmt == "table" and "[name]" in result.stdout)
    data = json.loads(runner.invoke(app, ["competitors", "--format", "json", "--redact"]).stdout)
    booksy = next(c for c in data["competitors"] if c["name"] == "Booksy")
    assert booksy["participants"] == 2 and booksy["mentions"] == 2


def test_notes_that_name_no_competitor(runner, tmp_path) -> None:
    note(tmp_path / "n", "a.md", pains=("Slow exports",))
    result = runner.invoke(app, ["competitors", str(tmp_path / "n")])
    assert result.exit_code == 0 and result.stdout == ""
    assert "no competitors named" in result.stderr
    assert _json(runner, "competitors", str(tmp_path / "n"))["competitors"] == []


def test_the_sample_notes_name_competitors_and_the_ones_customers_left_for(runner) -> None:
    found = {c["name"]: c for c in _json(runner, "competitors", str(NOTES))["competitors"]}
    assert {"Fresha", "Harvest", "Jobber", "Jane App", "Calendly", "Xero"} <= set(found)
    for name in ("Fresha", "Harvest", "Jobber", "Jane App", "Calendly"):  # each has a cancellation note
        assert found[name]["sources"].get("cancellation") == 1, name
    assert "Square" not in found  # a word of a note, not a name any note lists


# --- the HTML report ----------------------------------------------------------------------------


@pytest.mark.slow
def test_the_html_report_has_a_competitor_section_that_renders_in_chromium(runner, tmp_path) -> None:
    from .test_integrations import CHROMIUM_FLAGS

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "install Debian's chromium for this test (bash .ci/run does)"
    _market(tmp_path)
    page = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(tmp_path / "notes"), "--html", str(page), "--all"])
    assert result.exit_code == 0, result.output
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                          page.as_uri()], capture_output=True, text=True, timeout=120, check=False).stdout
    assert 'data-ready="true"' in dom
    section = dom.split('id="competitors"', 1)[1]
    rows = section.split('<tr class="competitor">')[1:]
    assert [row.split("<strong>", 1)[1].split("<", 1)[0] for row in rows] == ["Fresha", "Square"]
    cells = [cell.split("</td>")[0] for cell in rows[0].split('<td class="num">')[1:3]]
    assert cells == ["3", "3"]  # notes, people
    assert "Fresha takes deposits at booking and you don't" in rows[0]
    themes = _json(runner, "themes", str(tmp_path / "notes"), "--all")["themes"]
    deposit = next(t for t in themes if any(s["text"] == DEPOSIT for s in t["statements"]))
    matrix = section.split("Competitors × themes", 1)[1]
    line = next(r for r in matrix.split("<tr>") if r.startswith(f"<td>{deposit['label']}</td>"))
    assert 'title="Fresha: 2 of the 4 participants who said it"' in line
    assert 'title="Square: 1 of the 4 participants who said it"' in line
    assert dom.index("Segments × themes") < dom.index('id="competitors"')  # next to the segment heat map


@pytest.mark.parametrize("command", [["competitors", "--top", "2"], ["churn", "--top", "4"]])
@pytest.mark.parametrize("columns", [80, 132])
def test_on_a_terminal_every_line_fits_and_the_headers_stay_whole(command, columns, runner, in_repo, monkeypatch) -> None:
    import re

    from custlens import cli

    monkeypatch.setattr(cli.console, "is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", str(columns))
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in result.stdout.splitlines()]
    assert all(len(line) <= columns for line in lines)
    headers = {"competitors": "Theme Type Ppl Of", "churn": "Theme Type Group Rest Diff 95% interval Verdict"}
    assert headers[command[0]] in [" ".join(line.split()) for line in lines]
    if command[0] == "competitors":  # a statement keeps its indent, and its place its spacing
        assert any(line.startswith("    ") and line.strip() for line in lines)
        assert any(re.match(r"notes/\S+:\d+  2026-\d\d-\d\d  ", line) for line in lines)
        # the notes that name a competitor are listed whole, wrapped, never cut with "…"
        listed = " ".join(lines).split("notes: ")[1].split("Theme ")[0]
        monkeypatch.setattr(cli.console, "is_terminal", lambda: False)  # in a pipe: each line whole
        whole = runner.invoke(app, command).stdout.split("notes: ")[1].splitlines()[0]
        assert listed.split() == whole.split()


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="the deadline needs SIGALRM and setitimer")
def test_naming_competitors_costs_time_linear_in_the_text(runner, tmp_path) -> None:
    """Lines of 99,000 characters built to make the name search work hard take a small multiple of the
    time an ordinary line takes, measured in the same run."""
    from .test_linear_time import FRONT, LENGTH, RATIO, _deadline, _repeat, _TooSlow

    def folder(name: str, line: str):  # the line in a note that lists no competitor, another note lists them
        (tmp_path / name).mkdir()
        (tmp_path / name / "list.md").write_text(
            FRONT + "competitors: [Square, Fresha, QuickBooks, Jane App, ServiceM8]\n---\n## Needs\n- Export\n")
        (tmp_path / name / "note.md").write_text(FRONT + "---\n## Needs\n- " + line + "\n", encoding="utf-8")
        return tmp_path / name

    def timed(path) -> float:
        started = time.perf_counter()
        result = runner.invoke(app, ["competitors", str(path), "--format", "json", "--no-cache"])
        assert result.exit_code == 0, result.output[-2000:]
        return time.perf_counter() - started

    ordinary = folder("ordinary", _repeat("lorem ipsum dolor ").strip())
    timed(ordinary)
    allowed = RATIO * min(timed(ordinary) for _ in range(3))
    hostile = {
        "Square again and again": _repeat("Square "), "sentences that start with Square": _repeat(". Square "),
        "spaces before a name": " " * (LENGTH - 10) + "Square", "halves of a joined name": _repeat("Quick "),
        "typos of a name": _repeat("Freshaa "), "the first word of a name": _repeat("Jane "),
        "one word as long as a line": "f" * LENGTH, "joined pieces": _repeat("Service M "),
    }
    slow = []
    for k, (name, line) in enumerate(hostile.items()):
        path = folder(f"hostile-{k}", line)
        for _ in range(3):
            try:
                with _deadline(allowed):
                    taken = timed(path)
            except _TooSlow:
                taken = float("inf")
            if taken <= allowed:
                break
        else:
            slow.append(name)
    assert not slow, slow


def test_type_keeps_the_statements_naming_a_competitor_of_that_type_only(runner, tmp_path) -> None:
    _market(tmp_path)
    note(tmp_path / "notes", "g.md", participant="P-7", segment="solo", needs=("Deposits like Fresha has, at booking",))
    both = {c["name"]: c for c in _json(runner, "competitors", str(tmp_path / "notes"))["competitors"]}
    assert {"pain", "need"} <= {q["type"] for q in both["Fresha"]["quotes"]}
    for kind in ("pain", "need"):
        found = {c["name"]: c for c in _json(runner, "competitors", str(tmp_path / "notes"), "--type", kind)["competitors"]}
        assert found["Fresha"]["quotes"] and {q["type"] for q in found["Fresha"]["quotes"]} == {kind}
        assert {t["type"] for t in found["Fresha"]["themes"]} == {kind}
