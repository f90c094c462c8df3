"""The team's tools: JSON Schema with check-jsonschema, CSV imports, trends, the HTML report in a real
headless Chromium, shell completion, Obsidian-style notes, pre-commit and the GitHub Actions workflow."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
import yaml

from custlens.cli import app

from .conftest import NOTES, REPO, note, write

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]' (bash .ci/run does)"
    return found


# --- JSON Schema ------------------------------------------------------------------------------------


def test_schema_validates_the_sample_notes_with_check_jsonschema(runner, tmp_path) -> None:
    result = runner.invoke(app, ["schema", "--output", str(tmp_path / "schema.json")])
    assert result.exit_code == 0, result.output
    front = []
    for path in sorted(NOTES.glob("*.md")):
        target = tmp_path / (path.stem + ".front.yaml")
        target.write_text(path.read_text(encoding="utf-8").split("---\n")[1], encoding="utf-8")
        front.append(str(target))
    files = front + [str(p) for p in sorted(NOTES.glob("*.yaml"))]
    ok = subprocess.run([_tool("check-jsonschema"), "--schemafile", str(tmp_path / "schema.json"), *files],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = write(tmp_path / "bad.yaml", "- date: 2026-01-01\n  kind: interveiw\n  segment: x\n  needs: 42\n")
    refused = subprocess.run([_tool("check-jsonschema"), "--schemafile", str(tmp_path / "schema.json"), str(bad)],
                             capture_output=True, text=True, check=False)
    assert refused.returncode == 1 and "needs" in refused.stdout
    numbers = write(tmp_path / "numbers.yaml", "date: 2026-01-01\nkind: survey\nsegment: 2024\nneeds: [42, ok]\n")
    both = subprocess.run([_tool("check-jsonschema"), "--schemafile", str(tmp_path / "schema.json"), str(numbers)],
                          capture_output=True, text=True, check=False)
    assert both.returncode == 0, both.stdout  # what check accepts, the schema accepts
    assert runner.invoke(app, ["check", str(numbers)]).exit_code == 0


def test_schema_follows_the_config(runner, in_tmp) -> None:
    write(in_tmp / "custlens.yaml", "kinds: [interview, diary-study]\nsegments: [retail]\nattributes: [plan]\n")
    schema = json.loads(runner.invoke(app, ["schema"]).stdout)
    note_schema = schema["$defs"]["note"]
    assert note_schema["properties"]["kind"]["enum"] == ["interview", "diary-study"]
    assert note_schema["properties"]["segment"]["enum"] == ["retail"]
    assert "plan" in note_schema["properties"] and set(note_schema["required"]) == {"date", "kind", "segment"}


# --- imports ----------------------------------------------------------------------------------------

TYPEFORM = (
    "\ufeffSubmitted At;Plan;What should we improve?;Respondent\n"
    '2026-03-04 10:22:00;Pro;"Please add SSO; we use Okta";R-1\n'
    "2026-03-05 11:00:00;Free;;R-2\n"
    "05 Mar 2026;Pro;The calendar sync is too slow;R-3\n"
)


def test_import_turns_a_csv_export_into_one_batch_note(runner, in_tmp) -> None:
    (in_tmp / "typeform.csv").write_text(TYPEFORM, encoding="utf-8")
    args = ["import", "typeform.csv", "--text-column", "What should we improve?", "--segment-column", "plan",
            "--date-column", "submitted at", "--participant-column", "Respondent"]
    dry = runner.invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0 and "2 of 3 rows imported; skipped 1 with no text" in dry.stderr
    assert not (in_tmp / "notes").exists()
    first = runner.invoke(app, args)
    second = runner.invoke(app, args)  # the same rows again would count every customer twice
    assert first.stdout.strip() == "notes/2026-03-04-import-typeform.yaml"
    assert second.exit_code == 1 and not second.stdout and [p.name for p in (in_tmp / "notes").iterdir()] == [
        "2026-03-04-import-typeform.yaml"]
    assert "these rows were imported before, as notes/2026-03-04-import-typeform.yaml: nothing written" in second.stderr
    (in_tmp / "typeform.csv").write_text(TYPEFORM + "2026-03-06;Pro;Bulk edit please;R-9\n", encoding="utf-8")
    third = runner.invoke(app, args)  # an export with more rows is not the same import
    assert third.exit_code == 0 and third.stdout.strip() == "notes/2026-03-04-import-typeform-2.yaml"
    assert (in_tmp / first.stdout.strip()).read_text() == dry.stdout
    statements = json.loads(runner.invoke(app, ["statements", "notes/2026-03-04-import-typeform.yaml", "--format", "json"]).stdout)
    found = [(s["text"], s["type"], s["inferred"], s["segment"], s["participant"], s["date"]) for s in statements["statements"]]
    assert found == [
        ("Please add SSO; we use Okta", "need", True, "Pro", "R-1", "2026-03-04"),
        ("The calendar sync is too slow", "pain", True, "Pro", "R-3", "2026-03-05"),
    ]
    write(in_tmp / "custlens.yaml", "require_need: [interview]\n")
    assert runner.invoke(app, ["check"]).exit_code == 0


def test_import_with_a_fixed_type_segment_and_kind(runner, in_tmp) -> None:
    (in_tmp / "tickets.csv").write_text("id,body\n7,Export keeps failing\n8,Login loops\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "tickets.csv", "--text-column", "body", "--type", "pain", "--segment",
                                 "smb", "--kind", "support-ticket", "--participant-column", "id", "--date", "2026-02-01"])
    assert result.exit_code == 0, result.output
    text = (in_tmp / result.stdout.strip()).read_text()
    assert 'pains: "Export keeps failing"' in text and 'kind: "support-ticket"' in text


def test_import_errors_are_clear(runner, in_tmp) -> None:
    (in_tmp / "a.csv").write_text("when,what\nyesterday,x\n", encoding="utf-8")
    missing = runner.invoke(app, ["import", "a.csv", "--text-column", "wat", "--segment", "s"])
    assert missing.exit_code == 2 and "did you mean 'what'?" in missing.stderr
    bad_date = runner.invoke(app, ["import", "a.csv", "--text-column", "what", "--segment", "s", "--date-column", "when"])
    assert bad_date.exit_code == 1 and "a.csv:2: 'yesterday' in column 'when'" in bad_date.stderr
    (in_tmp / "b.csv").write_text('when,what\n2026-01-02,"two\nlines"\nsoon,x\n', encoding="utf-8")
    spanning = runner.invoke(app, ["import", "b.csv", "--text-column", "what", "--segment", "s", "--date-column", "when"])
    assert spanning.exit_code == 1 and "b.csv:4: 'soon'" in spanning.stderr  # the line in the file, not the row
    (in_tmp / "latin.csv").write_bytes("what\ncaf\xe9\n".encode("latin-1"))
    assert runner.invoke(app, ["import", "latin.csv", "--text-column", "what", "--segment", "s"]).exit_code == 1
    assert not (in_tmp / "notes").exists()


def test_import_refuses_what_it_would_misread_or_could_not_hold(runner, in_tmp) -> None:
    args = ["--text-column", "text", "--segment-column", "seg", "--segment", "s", "--dry-run"]
    (in_tmp / "quote.csv").write_text('text,seg\nfine,s\n"never closed,s\nx,y\n', encoding="utf-8")
    unclosed = runner.invoke(app, ["import", "quote.csv", *args])
    assert unclosed.exit_code == 1 and "quote.csv:3: a quoted cell is never closed" in unclosed.stderr
    (in_tmp / "after.csv").write_text('text,seg\n"said "twice,s\n', encoding="utf-8")
    assert "after.csv:2: not a readable CSV file" in runner.invoke(app, ["import", "after.csv", *args]).stderr
    (in_tmp / "twice.csv").write_text("text,text,seg\na,b,s\n", encoding="utf-8")
    twice = runner.invoke(app, ["import", "twice.csv", *args])
    assert twice.exit_code == 1 and "2 columns are named 'text' (columns 1, 2)" in twice.stderr
    (in_tmp / "ragged.csv").write_text("text,seg\nfine,s\nThe sync lags, and we double-book,s\nok,s,,\n", encoding="utf-8")
    ragged = runner.invoke(app, ["import", "ragged.csv", *args])  # the words after the comma would be lost
    assert ragged.exit_code == 1, ragged.output
    assert "ragged.csv:3: the row has 3 cells but the header has 2: a cell with a comma in it that is not quoted?" \
        in ragged.stderr and 'hint: quote a cell that holds a comma ("like, this")' in ragged.stderr
    (in_tmp / "blank.csv").write_text("\n\ntext,seg\nok,s\nThe sync lags, and we double-book,s\n", encoding="utf-8")
    blank = runner.invoke(app, ["import", "blank.csv", *args])  # blank lines above the header: lines still count
    assert blank.exit_code == 1 and "blank.csv:5: the row has 3 cells but the header has 2" in blank.stderr, blank.output
    (in_tmp / "blank1.csv").write_text("\ntext\nok, fine\n", encoding="utf-8")
    assert 'text: "ok, fine"' in runner.invoke(app, ["import", "blank1.csv", "--text-column", "text", "--segment", "s",
                                                     "--dry-run"]).stdout
    (in_tmp / "trailing.csv").write_text("text,seg\nok,s,,\n", encoding="utf-8")  # empty cells past the header: fine
    assert runner.invoke(app, ["import", "trailing.csv", *args]).exit_code == 0
    (in_tmp / "one.csv").write_bytes("\ufefftext\r\nThe sync lags, and we double-book\r\n".encode())
    one = runner.invoke(app, ["import", "one.csv", "--text-column", "text", "--segment", "s", "--dry-run"])
    assert one.exit_code == 0 and 'text: "The sync lags, and we double-book"' in one.stdout, one.output
    (in_tmp / "cased.csv").write_text("Text,text,seg\na,b,s\n", encoding="utf-8")  # the exact name decides
    cased = runner.invoke(app, ["import", "cased.csv", *args])
    assert cased.exit_code == 0 and "text: \"b\"" in cased.stdout, cased.output
    (in_tmp / "custlens.yaml").write_text("max_file_bytes: 1000\n", encoding="utf-8")
    (in_tmp / "big.csv").write_text("text,seg\n" + "a,s\n" * 6_000, encoding="utf-8")
    big = runner.invoke(app, ["import", "big.csv", *args])
    assert big.exit_code == 2 and "big.csv is 24,009 bytes, over the limit of 20,000 for an export" in big.stderr
    if hasattr(os, "mkfifo"):  # not on Windows
        os.mkfifo(in_tmp / "pipe.csv")  # nothing writes to it: reading it would wait for ever
        piped = runner.invoke(app, ["import", "pipe.csv", *args])
        assert piped.exit_code == 2 and "pipe.csv is not a file (a folder, pipe or device)" in piped.stderr
    (in_tmp / "wide.csv").write_text(",".join(f"column {k}" for k in range(500)) + "\na\n", encoding="utf-8")
    wide = runner.invoke(app, ["import", "wide.csv", "--text-column", "zzz", "--segment", "s"])
    assert wide.exit_code == 2 and "and 480 more" in wide.stderr and len(wide.stderr) < 600
    assert not (in_tmp / "notes").exists()


# --- trends -----------------------------------------------------------------------------------------


def test_trends_call_a_direction_only_on_several_notes_and_say_how_sure(runner, in_tmp) -> None:
    notes = in_tmp / "notes"
    months = ["01", "01", "02", "02", "03", "03", "04", "04", "05", "05", "06", "06"]
    for k, month in enumerate(months):
        needs = ["Export the client list to CSV"]
        pains = ["The mobile app logs me out"] if k in (0, 1, 2, 4) else []
        needs += ["Export invoices to Xero"] if k in (7, 8, 9, 10, 11) else []
        needs += ["Bulk SMS to every client", "Send one SMS to all clients at once"] if k == 11 else []
        note(notes, f"n{k:02d}.md", participant=f"P-{k}", date=f"2026-{month}-1{k % 2}", needs=tuple(needs),
             pains=tuple(pains))
    data = json.loads(runner.invoke(app, ["trends", "--format", "json"]).stdout)
    assert data["periods"] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert data["summary"]["notes"] == 12 and data["summary"]["skipped_files"] == 0  # as every report has
    by_label = {t["label"].lower(): t for t in data["themes"]}
    xero, = (t for label, t in by_label.items() if "xero" in label)
    logs_out, = (t for label, t in by_label.items() if "logs" in label)
    sms, = (t for label, t in by_label.items() if "sms" in label)
    csv_theme, = (t for label, t in by_label.items() if "csv" in label)
    assert xero["counts"] == [0, 0, 0, 1, 2, 2] and xero["notes"] == [0, 5] and xero["notes_in_scope"] == [6, 6]
    assert xero["trend"] == "rising" and xero["p"] == round(7 / 924, 4)  # Fisher: 5 of the 6 later notes, none before
    assert logs_out["trend"] == "fading" and logs_out["p"] == round(28 / 924, 4)
    assert sms["counts"] == [0, 0, 0, 0, 0, 2] and sms["trend"] == "steady"  # two mentions, one note
    assert sms["p"] == 0.5 and csv_theme["trend"] == "steady" and csv_theme["p"] == 1.0
    quarters = json.loads(runner.invoke(app, ["trends", "--by", "quarter", "--format", "json"]).stdout)
    assert quarters["periods"] == ["2026-Q1", "2026-Q2"]
    table = runner.invoke(app, ["trends"]).stdout
    assert "▁" in table and "Export invoices to Xero" in table
    assert re.search(r"Export invoices to Xero +need +5 ▁▁▁▅██ +0/6 → 5/6 rising +0\.0076", table), table
    csv_out = runner.invoke(app, ["trends", "--format", "csv"]).stdout.splitlines()
    assert csv_out[0] == "id,label,type,trend,p,notes_earlier,notes_later,total,2026-01,2026-02,2026-03,2026-04," \
                         "2026-05,2026-06"


def test_a_theme_said_by_one_participant_in_many_notes_is_no_trend(runner, in_tmp) -> None:
    notes = in_tmp / "notes"
    for k in range(8):
        needs = ["Export the client list to CSV"] + (["Export invoices to Xero"] if k >= 4 else [])
        note(notes, f"n{k}.md", participant="P-1" if k >= 4 else f"P-{k + 2}", date=f"2026-0{k + 1}-10",
             needs=tuple(needs))
    data = json.loads(runner.invoke(app, ["trends", "--format", "json"]).stdout)
    xero, = (t for t in data["themes"] if "xero" in t["label"].lower())
    assert xero["notes"] == [0, 4] and xero["p"] < 0.05 and xero["trend"] == "steady"  # four notes, one customer


# --- the HTML report --------------------------------------------------------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered rows of an 8-bit RGB/RGBA PNG (enough to check a screenshot)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, width = 8, [], 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], (previous[x - channels] if x >= channels else 0)
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, rows


@pytest.mark.slow
def test_html_report_renders_in_headless_chromium(runner, tmp_path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "install Debian's chromium for this test (bash .ci/run does)"
    page = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(NOTES), "--html", str(page), "--redact", "--all"])
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert "http://" not in text.replace("http://www.w3.org", "") and "https://" not in text  # nothing fetched
    assert "frontdesk@example.com" not in text and "[email]" in text
    profile = tmp_path / "profile"
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120, check=False)
    assert 'data-ready="true"' in dom.stdout, dom.stderr[-2000:]  # the page's script ran
    themes = json.loads(runner.invoke(app, ["themes", str(NOTES), "--all", "--format", "json"]).stdout)["themes"]
    for theme in themes:
        assert f'id="{theme["id"]}"' in dom.stdout
    assert dom.stdout.count('class="theme"') == len(themes)
    assert "Segments × themes" in dom.stdout and 'class="badge strong"' in dom.stdout
    shot = tmp_path / "report.png"
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,1600",
                    f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=False)
    width, height, rows = _png_pixels(shot.read_bytes())
    assert (width, height) == (1280, 1600)
    colours = {row[x : x + 3] for row in rows[::20] for x in range(0, len(row), 3 * 7)}
    assert len(colours) > 50, "the screenshot is blank"


def _chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "install Debian's chromium for this test (bash .ci/run does)"
    return subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_html_report_since_section_quotes_axes_and_width_in_headless_chromium(runner, planned, tmp_path,
                                                                               monkeypatch) -> None:
    monkeypatch.chdir(planned)
    page = tmp_path / "since.html"
    result = runner.invoke(app, ["report", "--since", "v1", "--html", str(page)])
    assert result.exit_code == 0, result.output
    dom = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert 'data-ready="true"' in dom.stdout, dom.stderr[-2000:]
    html = dom.stdout
    changes = json.loads(runner.invoke(app, ["changes", "--since", "v1", "--format", "json"]).stdout)["changes"]
    assert changes and '<section class="since" id="since"><h2>Since v1: what changed</h2>' in html
    since = html.split('id="since"', 1)[1].split("</section>", 1)[0]
    for kind in ("new", "grew", "faded"):  # the same themes as `changes` names, each with its statements
        ids = [c["id"] for c in changes if c["change"] == kind]
        assert re.findall(rf'data-change="{kind}" data-theme="([^"]+)"', since) == ids and ids
        for c in (c for c in changes if c["change"] == kind):
            for s in c["statements"]:
                assert f'{s["status"]} {s["path"]}:{s["line"]}' in since and s["commit"] in since
    assert "mentions 2 → 4 · participants 2 → 4 · moderate → strong" in since
    for anchor in ("since", "themes", "heatmap", "competitors"):  # the nav at the top reaches every part
        assert f'href="#{anchor}"' in html.split("</header>")[0] and f'id="{anchor}"' in html
    assert re.search(r'<span id="visible-themes">3</span> <span id="of-total"[^>]*>of 3 shown</span>', html)
    for row in re.findall(r'<tr class="theme".*?</tr>', html, flags=re.DOTALL):  # a quote seen without opening
        before = row.split("<details", 1)[0]
        assert 'class="quote"' in before or 'class="typical"' in before
        assert re.search(r"<svg class=\"spark\".*?<text[^>]*>\d+</text>.*?<text[^>]*>2026-01</text>", row), row
    shot = tmp_path / "since.png"
    _chromium(page, tmp_path / "profile", "--window-size=1920,1200", f"--screenshot={shot}")
    width, height, rows = _png_pixels(shot.read_bytes())
    assert (width, height) == (1920, 1200)
    channels = len(rows[0]) // width
    x = (width - 60) * channels  # 60 pixels from the right edge: inside the page's boxes when it uses the width
    white = [y for y in range(300, height) if rows[y][x : x + 3] == b"\xff\xff\xff"]
    assert len(white) > 300, "the page does not use the window's width"


def test_html_report_escapes_what_notes_contain(runner, tmp_path) -> None:
    note(tmp_path / "n", "a.md", participant="P-1", needs=('<script>alert("x")</script> export',))
    note(tmp_path / "n", "b.md", participant="P-2", needs=('<script>alert("x")</script> export',))
    page = tmp_path / "r.html"
    assert runner.invoke(app, ["report", str(tmp_path / "n"), "--html", str(page)]).exit_code == 0
    text = page.read_text()
    assert "<script>alert" not in text and "&lt;script&gt;alert" in text


# --- shell completion -------------------------------------------------------------------------------


def _complete(words: str, cwd: Path) -> list[str]:
    env = dict(os.environ, _CUSTLENS_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(len(words.split()) - 1))
    proc = subprocess.run([str(BIN / "custlens")], capture_output=True, text=True, env=env, cwd=cwd, check=False)
    return proc.stdout.split()


def test_completion_of_commands_options_kinds_segments_and_theme_ids() -> None:
    assert "themes" in _complete("custlens th", REPO)
    assert "--min-strength" in _complete("custlens themes --min", REPO)
    assert _complete("custlens themes --kind inter", REPO) == ["interview"]
    assert _complete("custlens segments --segment s", REPO) == ["salons", "solo"]
    ids = _complete("custlens show need-", REPO)
    assert ids and all(i.startswith("need-") for i in ids)


# --- Obsidian ---------------------------------------------------------------------------------------


def test_obsidian_links_and_tags_are_read(runner, tmp_path) -> None:
    vault = tmp_path / "vault"
    write(vault / "research" / "call.md", """
        ---
        date: 2026-03-01
        kind: interview
        segment: smb
        tags: [q1]
        ---
        Met [[People/Dana|Dana's team]] about #billing.
        ## Needs
        - Invoices synced to [[Xero]] #integrations/xero
        """)
    (vault / ".obsidian").mkdir()
    (vault / ".obsidian" / "workspace.md").write_text("not a note")
    data = json.loads(runner.invoke(app, ["statements", str(vault), "--format", "json"]).stdout)
    texts = [s["text"] for s in data["statements"]]
    assert texts == ["Met Dana's team about billing.", "Invoices synced to Xero"]  # an inline tag keeps its word
    assert data["statements"][0]["tags"] == ["q1", "billing", "integrations/xero"]


# --- pre-commit and CI ------------------------------------------------------------------------------


@pytest.mark.slow
def test_pre_commit_hook_fails_a_note_without_a_need_and_passes_a_good_one(tmp_path) -> None:
    pre_commit = _tool("pre-commit")
    repo = tmp_path / "team-notes"
    repo.mkdir()
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    good = note(repo / "notes", "good.md", needs=("Export to CSV",))
    bad = note(repo / "notes", "bad.md", pains=("Slow export",))
    subprocess.run(["git", "add", "."], cwd=repo, check=True)

    def hook(*files: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(REPO), "custlens-check", "--files", *(str(f.relative_to(repo)) for f in files)],
            cwd=repo, capture_output=True, text=True, env=env, timeout=900, check=False
        )

    passed = hook(good)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    failed = hook(good, bad)
    assert failed.returncode == 1
    assert "notes/bad.md:1: error[no-need]: no stated customer need" in failed.stdout


def test_the_documented_github_workflow_runs_commands_that_exist(runner) -> None:
    workflow = yaml.safe_load((REPO / "docs" / "github-actions.yml").read_text())
    runs = [step["run"] for step in workflow["jobs"]["check"]["steps"] if "run" in step]
    commands = [line for run in runs for line in run.splitlines() if line.startswith("custlens ")]
    assert "custlens check --format github" in commands
    for command in commands:
        words = command.split()
        result = runner.invoke(app, [words[1], "--help"])
        assert result.exit_code == 0, command
        for word in words[2:]:
            if word.startswith("--"):
                assert word in result.stdout, f"{command}: {word}"
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["id"] == "custlens-check" and hooks[0]["entry"] == "custlens check"
    assert re.search(hooks[0]["files"], "notes/2026-01-01-a.md") and not re.search(hooks[0]["files"], "src/app.py")


def test_import_reads_google_forms_and_european_dates_and_asks_when_the_order_is_unclear(runner, in_tmp) -> None:
    args = ["--text-column", "Text", "--segment", "s", "--date-column", "When", "--dry-run"]
    (in_tmp / "forms.csv").write_text("When,Text\n5/13/2026 10:22:13,Faster export\n5/2/2026 09:00:00,SSO\n")
    forms = runner.invoke(app, ["import", "forms.csv", *args])
    assert forms.exit_code == 0 and "- date: 2026-05-13" in forms.stdout and "- date: 2026-05-02" in forms.stdout
    assert "would write notes/" in forms.stderr
    (in_tmp / "eu.csv").write_text("When,Text\n03.05.2026,Faster export\n")
    assert "- date: 2026-05-03" in runner.invoke(app, ["import", "eu.csv", *args]).stdout
    (in_tmp / "unclear.csv").write_text("When,Text\n03/05/2026,Faster export\n")
    unclear = runner.invoke(app, ["import", "unclear.csv", *args])
    assert unclear.exit_code == 2 and "--date-order" in unclear.stderr
    assert "- date: 2026-03-05" in runner.invoke(app, ["import", "unclear.csv", *args, "--date-order", "mdy"]).stdout
    assert not (in_tmp / "notes").exists()


# Exports as the tools write them (as csv.writer writes them): a cell with a quote, a delimiter or a line
# break in it is quoted, and a quote inside it doubled. Free text with both quotes and the delimiter in
# it is what the csv sniffer's whole guess read wrong, taking it for a file without doubled quotes.
def _export(rows: list[list[str]], delimiter: str = ",", bom: bool = False, quote_all: bool = False) -> str:
    import csv
    import io

    out = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=quoting).writerows(rows)
    return ("\ufeff" if bom else "") + out.getvalue()


TYPEFORM_ROWS = [
    ["#", "What should we improve?", "Plan", "Start Date (UTC)", "Submit Date (UTC)", "Network ID"],
    ["a1b2c3", 'We pressed "Sync now" twice, nothing happened', "Pro", "2026-03-04 10:20:00", "2026-03-04 10:22:13", "n1"],
    ["d4e5f6", 'Two things, both small:\n1) the "Export" button\n2) dark mode', "Free", "2026-03-05 09:00:00",
     "2026-03-05 09:01:02", "n2"],
]
GOOGLE_FORMS_ROWS = [
    ["Timestamp", "What's the one thing you'd change?", "Which plan are you on?", "Email Address"],
    ["5/13/2026 10:22:13", 'The app says "synced" but it isn\'t, so I check by hand', "Pro", "r1@example.com"],
    ["5/14/2026 08:01:55", 'We were told "next week" again, then nothing', "Team", "r2@example.com"],
]
ZENDESK_ROWS = [
    ["Id", "Subject", "Description", "Requester", "Organization", "Created at", "Tags"],
    ["5008", "SMS reminders", 'We set up reminders, but only "email" goes out.\nCan Slotwise text the patients?',
     "T-5008", "clinics", "2026-09-11 09:12:44 +0200", "reminders sms"],
    ["5009", "Invoices", 'Xero says "duplicate" for every invoice, so we retype them', "T-5009", "trades",
     "2026-09-12 14:00:00 +0200", ""],
]
EUROPEAN_EXCEL_ROWS = [["Id", "Text", "Segment"], ["1", 'no complaints "at all" here; keep going', "smb"], ["2", "Plain text", "smb"]]


@pytest.mark.parametrize(
    ("export", "args", "texts"),
    [
        (_export(TYPEFORM_ROWS, bom=True), ["--text-column", "What should we improve?", "--segment-column", "Plan",
                                       "--date-column", "Submit Date (UTC)", "--participant-column", "#"],
         [row[1] for row in TYPEFORM_ROWS[1:]]),
        (_export(GOOGLE_FORMS_ROWS, quote_all=True), ["--text-column", "What's the one thing you'd change?", "--segment-column",
                                 "Which plan are you on?", "--date-column", "Timestamp"],
         [row[1] for row in GOOGLE_FORMS_ROWS[1:]]),
        (_export(ZENDESK_ROWS), ["--text-column", "Description", "--segment-column", "Organization", "--date-column",
                            "Created at", "--participant-column", "Requester", "--kind", "support-ticket"],
         [row[2] for row in ZENDESK_ROWS[1:]]),
        (_export(EUROPEAN_EXCEL_ROWS, ";"), ["--text-column", "Text", "--segment-column", "Segment", "--date", "2026-01-02"],
         [row[1] for row in EUROPEAN_EXCEL_ROWS[1:]]),
    ],
    ids=["typeform", "google-forms", "zendesk", "excel-semicolons"],
)
def test_import_keeps_quotes_inside_cells_as_the_customer_wrote_them(export, args, texts, runner, in_tmp) -> None:
    (in_tmp / "export.csv").write_text(export, encoding="utf-8")
    result = runner.invoke(app, ["import", "export.csv", *args])
    assert result.exit_code == 0, result.output
    data = json.loads(runner.invoke(app, ["statements", result.stdout.strip(), "--format", "json"]).stdout)
    assert [s["text"] for s in data["statements"]] == [" ".join(text.split()) for text in texts]  # lines joined


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_import_reads_semicolon_and_tab_exports_with_a_line_break_inside_a_cell(delimiter, runner, in_tmp) -> None:
    """The csv sniffer gives up on such files, and a comma was assumed: `no column 'Text'`."""
    export = delimiter.join(["Date", "Plan", "Text"]) + "\r\n" + delimiter.join(
        ["2026-05-13", "Pro", '"Sync is slow\r\nreally slow, every day"']) + "\r\n" + delimiter.join(
        ["2026-05-14", "Basic", "Deposits please"]) + "\r\n"
    (in_tmp / "export.csv").write_text(export, encoding="utf-8")
    result = runner.invoke(app, ["import", "export.csv", "--text-column", "Text", "--segment-column", "Plan",
                                 "--date-column", "Date", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert 'text: "Sync is slow really slow, every day"' in result.stdout and 'segment: "Basic"' in result.stdout


def test_exclude_applies_to_files_named_on_the_command_line_as_a_pre_commit_hook_names_them(runner, in_tmp) -> None:
    note(in_tmp / "notes", "a.md", needs=("Export to Xero",))
    write(in_tmp / "notes" / "templates" / "interview.md", "---\ndate: 2026-01-01\n---\n")
    write(in_tmp / "notes" / "_draft.md", "---\ndate: 2026-01-01\n---\n")
    write(in_tmp / "custlens.yaml", 'exclude: ["templates/*", "_*.md"]\n')
    assert runner.invoke(app, ["check"]).exit_code == 0
    named = runner.invoke(app, ["check", "notes/templates/interview.md", "notes/_draft.md", "notes/a.md"])
    assert named.exit_code == 0 and "1 file, 1 note" in named.stdout


def test_the_config_and_codebook_are_never_read_as_notes(runner, in_tmp) -> None:
    """With `notes: [.]`, custlens.yaml was reported as a note missing its date."""
    note(in_tmp, "a.md", needs=("Export to Xero",))
    write(in_tmp / "custlens.yaml", "notes: [.]\nengine: fuzzy\n")
    write(in_tmp / "themes.yaml", "exports:\n  label: Exports\n  type: need\n  match: [export]\n")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0 and "1 file, 1 note: 0 errors, 0 warnings" in result.stdout, result.output


def test_import_names_the_lines_that_make_a_date_order_unclear_and_warns_of_dates_after_today(runner, in_tmp) -> None:
    (in_tmp / "mixed.csv").write_text("Date,Text,Plan\n13/05/2026,Slow sync,Pro\n05/14/2026,Bulk edit,Pro\n",
                                      encoding="utf-8")
    args = ["--text-column", "Text", "--segment-column", "Plan", "--date-column", "Date"]
    mixed = runner.invoke(app, ["import", "mixed.csv", *args])
    assert mixed.exit_code == 2 and ("hold both day-first (13/05/2026, line 2) and month-first dates "
                                     "(05/14/2026, line 3)") in mixed.stderr
    (in_tmp / "typo.csv").write_text("Date,Text,Plan\n1/2/99,Slow sync,Pro\n", encoding="utf-8")
    typo = runner.invoke(app, ["import", "typo.csv", *args, "--date-order", "dmy", "--dry-run"])
    assert typo.exit_code == 0 and "- date: 2099-02-01" in typo.stdout
    assert "warning: dated after today: 2099-02-01; a typo in the year" in typo.stderr


def test_report_refuses_to_write_the_page_and_the_summary_into_one_file(runner, in_tmp) -> None:
    """The Markdown silently replaced the HTML page."""
    note(in_tmp / "notes", "a.md", needs=("Export to Xero",))
    for html, markdown in (("out.txt", "./out.txt"), ("out.txt", str(in_tmp / "out.txt"))):
        result = runner.invoke(app, ["report", "--engine", "fuzzy", "--html", html, "--markdown", markdown])
        assert result.exit_code == 2 and "--html and --markdown name the same file, out.txt" in result.stderr
        assert not (in_tmp / "out.txt").exists()


@pytest.mark.slow
def test_html_report_fits_the_window_with_a_long_link_in_a_quote(runner, tmp_path) -> None:
    """A 110-character link made the page 1,499 pixels wide in a 1,280-pixel window, and a long word more."""
    link = "https://drive.example.com/file/d/" + "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" * 3 + "/view"
    for k in range(3):
        note(tmp_path / "n", f"{k}.md", participant=f"P-{k}", segment=("smb", "mid")[k % 2],
             pains=(f"The export link {link} expires before anyone opens it " + "x" * 180,))
    page = tmp_path / "r.html"
    assert runner.invoke(app, ["report", str(tmp_path / "n"), "--html", str(page), "--engine", "fuzzy"]).exit_code == 0
    probe = tmp_path / "probe.html"  # the page, every theme opened, with its width written into the body
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", (
        "<script>window.addEventListener('load', () => { document.querySelectorAll('details').forEach(d => d.open = true);"
        " document.body.setAttribute('data-width', document.documentElement.scrollWidth); });</script></body>")),
        encoding="utf-8")
    dom = _chromium(probe, tmp_path / "profile", "--window-size=1280,800", "--dump-dom")
    width = re.search(r'data-width="(\d+)"', dom.stdout)
    assert width, dom.stderr[-2000:]
    assert int(width.group(1)) <= 1280


@pytest.mark.slow
def test_html_report_says_what_its_segment_and_kind_boxes_change_and_what_they_do_not(runner, tmp_path) -> None:
    """Unticking segments hid statements but left every count, rank and the heading's arithmetic as they
    were, without a word ("21 of 74 shown; 29 said only once, 15 beyond the top 30")."""
    page = tmp_path / "r.html"
    assert runner.invoke(app, ["report", str(NOTES), "--html", str(page)]).exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert 'id="filter-note" class="muted hidden"' in text  # nothing ticked off: no note
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("</body>", (
        "<script>window.addEventListener('load', () => { document.querySelectorAll('input[name=segment]').forEach("
        "(box, k) => { if (k) { box.checked = false; box.dispatchEvent(new Event('change')); } }); });</script></body>")),
        encoding="utf-8")
    dom = _chromium(probe, tmp_path / "profile", "--dump-dom").stdout
    assert 'id="filter-note" class="muted"' in dom and "still count every note" in dom
    heading = re.search(r'<span id="visible-themes">(\d+)</span> <span id="of-total"[^>]*>([^<]*)</span>', dom)
    assert heading and heading.group(2) == "of 30 shown have statements of the segments and kinds chosen"
    assert 0 < int(heading.group(1)) < 30


@pytest.mark.parametrize(("p", "shown"), [(0.0528, "0.053"), (0.0504, "0.0504"), (0.05, "0.05"), (0.0076, "0.0076"),
                                          (0.050004, "0.050004"),
                                          (0.2, "0.20"), (0.0004, "<0.001")])
def test_a_trends_p_is_never_shown_on_the_wrong_side_of_0_05(p, shown) -> None:
    """0.0528 read `0.05` beside "steady", as if it met the rule a trend needs (p at most 0.05)."""
    from types import SimpleNamespace

    from custlens.output.records import trend_p

    assert trend_p(SimpleNamespace(p=p)) == shown


def test_import_reads_a_header_whose_quoted_cell_holds_commas_and_refuses_rows_imported_under_another_name(
        runner, in_tmp) -> None:
    export = 'Date;Plan;"Text (what, why, how)"\r\n2026-05-13;Pro;"Sync is slow\r\nreally slow, every day"\r\n'
    (in_tmp / "eu.csv").write_text(export, encoding="utf-8")
    args = ["--text-column", "Text (what, why, how)", "--segment-column", "Plan", "--date-column", "Date"]
    first = runner.invoke(app, ["import", "eu.csv", *args])
    assert first.exit_code == 0, first.output
    (in_tmp / "eu (1).csv").write_text(export, encoding="utf-8")  # the same export, downloaded twice
    for extra in (["--dry-run"], []):
        again = runner.invoke(app, ["import", "eu (1).csv", *args, *extra])
        assert again.exit_code == 1 and "these rows were imported before, as notes/2026-05-13-import-eu.yaml" in again.stderr
    assert len(list((in_tmp / "notes").iterdir())) == 1


def test_a_codebook_named_through_a_link_to_nothing_is_refused(runner, in_tmp) -> None:
    note(in_tmp / "notes", "a.md", pains=("Exports time out",))
    write(in_tmp / "custlens.yaml", "engine: fuzzy\ncodebook: book.yaml\n")
    (in_tmp / "book.yaml").symlink_to(in_tmp / "missing" / "book.yaml")
    result = runner.invoke(app, ["themes"])
    assert result.exit_code == 2 and "the codebook the config names, book.yaml, does not exist" in result.stderr


def test_the_config_is_no_note_at_a_git_revision_either(runner, in_tmp) -> None:
    note(in_tmp, "a.md", needs=("Export to Xero",))
    write(in_tmp / "custlens.yaml", "notes: [.]\nengine: fuzzy\n")
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=in_tmp, check=True, capture_output=True)
    result = runner.invoke(app, ["changes", "--since", "HEAD"])
    assert result.exit_code == 0, result.output
    assert "custlens.yaml" not in result.stderr and "skipped" not in result.stderr


def test_exclude_matches_a_named_file_by_the_path_it_is_given_even_through_a_link(runner, in_tmp) -> None:
    note(in_tmp / "notes", "a.md", needs=("Export to Xero",))
    write(in_tmp / "shared" / "tpl.md", "---\ndate: 2026-01-01\n---\n")
    (in_tmp / "notes" / "templates").mkdir()
    (in_tmp / "notes" / "templates" / "tpl.md").symlink_to(in_tmp / "shared" / "tpl.md")
    write(in_tmp / "custlens.yaml", 'exclude: ["templates/*"]\n')
    named = runner.invoke(app, ["check", "notes/templates/tpl.md", "notes/a.md"])
    assert named.exit_code == 0 and "1 file, 1 note" in named.stdout, named.output
