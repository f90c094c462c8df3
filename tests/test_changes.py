"""`custlens changes`: themes now against themes at a git revision or a date, paired by identity."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np

from custlens.cli import app
from custlens.models import Note, Statement
from custlens.pipeline.compare import compare
from custlens.pipeline.themes import Theme
from custlens.pipeline.triangulate import triangulate

from .conftest import CALENDAR, CRASHES, DEPOSITS, XERO, XERO_LATER, git, note, snapshot


def changes_json(runner, *args: str) -> dict:
    result = runner.invoke(app, ["changes", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def texts(change: dict) -> set[str]:
    return {s["text"] for s in change["statements"]}


def test_changes_between_two_tags_names_exactly_the_new_grown_and_faded_themes(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)
    data = changes_json(runner, "--since", "v1", "--until", "v2")
    by_kind = {kind: [c for c in data["changes"] if c["change"] == kind] for kind in ("new", "grew", "shrank", "faded")}
    assert [texts(c) for c in by_kind["new"]] == [set(DEPOSITS)]
    assert [texts(c) for c in by_kind["grew"]] == [set(XERO_LATER)]  # the statements that made it grow
    assert [texts(c) for c in by_kind["faded"]] == [set(CRASHES)]
    assert by_kind["shrank"] == []
    grew = by_kind["grew"][0]
    assert (grew["then"]["participants"], grew["now"]["participants"]) == (2, 4)
    assert (grew["then"]["strength"], grew["now"]["strength"]) == ("moderate", "strong")
    assert grew["new_segments"] == ["trades"] and grew["new_sources"] == ["support-ticket"]
    assert grew["matched_by"] == "statements"
    themes = json.loads(runner.invoke(app, ["themes", "--format", "json"]).stdout)["themes"]
    calendar = [t["id"] for t in themes if {s["text"] for s in t["statements"]} == set(CALENDAR)]
    assert data["summary"]["unchanged"] == 1 and data["unchanged"] == calendar
    v1, v2 = git(planned, "rev-parse", "--short", "v1"), git(planned, "rev-parse", "--short", "v2")
    assert {(s["path"], s["line"], s["status"], s["commit"]) for s in grew["statements"]} == {
        ("notes/2026-02-03-t-8.md", 8, "added", v2), ("notes/2026-02-09-p-9.md", 8, "added", v2)}
    assert {(s["status"], s["commit"]) for s in by_kind["faded"][0]["statements"]} == {("removed", v1)}
    assert data["since"]["kind"] == "revision" and data["since"]["short"] == v1 and data["until"]["short"] == v2
    assert changes_json(runner, "--since", "v1")["changes"] == data["changes"]  # the work tree is v2


def test_text_output_says_what_changed_and_where_it_came_from(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)
    result = runner.invoke(app, ["changes", "--since", "v1"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    v2 = git(planned, "rev-parse", "--short", "v2")
    assert out.startswith("then: 7 notes as committed at v1 (")
    assert "; now: 9 notes in the work tree\n" in out
    assert "mentions 2 → 4 · participants 2 → 4 · moderate → strong · segments 1 → 2 · new segments: trades · " \
           "new sources: support-ticket" in out
    assert f"    added notes/2026-02-03-t-8.md:8  2026-02-03  trades · support-ticket · P-8  {v2}\n" \
           f"        {XERO_LATER[0]}\n" in out
    assert "shrank: none\n" in out and out.endswith("unchanged: 1 theme\n")
    assert runner.invoke(app, ["changes", "--since", "v1"]).stdout == out  # deterministic


def test_a_note_moved_to_another_file_keeps_its_statements(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)
    (planned / "notes" / "archive").mkdir()
    git(planned, "mv", "notes/2026-01-05-p-1.md", "notes/archive/p-1.md")
    git(planned, "commit", "-qm", "archive a note")
    data = changes_json(runner, "--since", "v2", "--all")
    assert data["changes"] == [] and data["summary"]["unchanged"] == 3


def test_the_fuzzy_engine_pairs_by_statements_only(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)
    semantic = runner.invoke(app, ["changes", "--since", "v1"]).stdout.splitlines()[1]
    fuzzy = runner.invoke(app, ["changes", "--since", "v1", "--engine", "fuzzy"]).stdout.splitlines()[1]
    assert semantic == "Themes are paired by their statements, or by centres at least 0.80 alike"
    assert fuzzy == "Themes are paired by their statements"


def test_changes_reads_git_without_touching_the_work_tree_or_the_index(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)
    note(planned / "notes", "2026-03-01-p-12.md", participant="P-12", date="2026-03-01", needs=(DEPOSITS[0] + ".",))
    status = git(planned, "status", "--porcelain")
    before = snapshot(planned)
    data = changes_json(runner, "--since", "v1")
    assert snapshot(planned) == before and git(planned, "status", "--porcelain") == status
    new = [c for c in data["changes"] if c["change"] == "new"]
    uncommitted = [s for c in new for s in c["statements"] if s["path"] == "notes/2026-03-01-p-12.md"]
    assert uncommitted and uncommitted[0]["commit"] is None  # in the work tree, not committed yet
    assert "2026-03-01-p-12.md" not in json.dumps(changes_json(runner, "--since", "v1", "--until", "v2"))


def test_a_note_with_errors_at_the_revision_is_named_where_it_is_skipped(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)
    (planned / "notes" / "2026-02-20-broken.md").write_text("---\ndate: someday\nkind: interview\n---\n", encoding="utf-8")
    git(planned, "add", "-A")
    git(planned, "commit", "-qm", "a broken note")
    git(planned, "tag", "v3")
    result = runner.invoke(app, ["changes", "--since", "v3"])
    assert result.exit_code == 0, result.output
    assert "warning: 1 file with errors at v3 skipped: notes/2026-02-20-broken.md" in result.stderr


def test_an_unknown_revision_is_a_usage_error(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)
    before = snapshot(planned)
    for args in (["--since", "planning-q9"], ["--since", "v1", "--until", "nope"], ["--since", "--all"]):
        result = runner.invoke(app, ["changes", *args])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    result = runner.invoke(app, ["changes", "--since", "planning-q9"])
    assert "error: unknown revision 'planning-q9' in the git repository" in result.stderr
    assert "hint: give a tag, a branch or a commit" in result.stderr
    assert snapshot(planned) == before


def test_a_segment_or_kind_whose_notes_were_all_removed_since_is_what_faded(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)  # at v2 the trades interviews about crashes are gone; the work tree drops the survey too
    git(planned, "rm", "-q", "notes/2026-01-15-p-5.md")
    data = changes_json(runner, "--since", "v1", "--kind", "survey", "--all")
    assert [(c["change"], texts(c)) for c in data["changes"]] == [("faded", {CALENDAR[2]})]
    assert data["summary"]["now"]["notes"] == 0
    refused = runner.invoke(app, ["changes", "--since", "v1", "--kind", "surveys"])  # at neither end: a typo
    assert refused.exit_code == 2 and "no notes match --kind surveys" in refused.stderr
    assert "hint: did you mean `survey`?" in refused.stderr


def test_a_mistyped_date_is_refused_as_a_date_not_looked_up_as_a_revision(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)
    for command, option, value in (("changes", "--since", "2026-9-1"), ("changes", "--since", "2026-02-30"),
                                   ("report", "--until", "01/02/2026")):
        args = [command, option, value] + (["--markdown", "-"] if command == "report" else [])
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert f"error: invalid value for {option}: '{value}' is not a date\n" in result.stderr
        assert "hint: write a real day as YYYY-MM-DD" in result.stderr


def test_a_revision_without_notes_is_said_not_mistaken_for_a_quiet_start(runner, tmp_path, monkeypatch) -> None:
    repo = tmp_path / "research"
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    (repo / "README.md").write_text("research\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    git(repo, "tag", "v0")
    note(repo / "notes", "a.md", participant="P-1", needs=(XERO[0],))
    note(repo / "notes", "b.md", participant="P-2", needs=(XERO[1],))
    monkeypatch.chdir(repo)
    result = runner.invoke(app, ["changes", "--since", "v0"])
    assert result.exit_code == 0, result.output
    short = git(repo, "rev-parse", "--short", "v0")
    assert f"warning: no notes at v0 ({short}) in the notes folders: every theme is new" in result.stderr
    assert "warning: no notes at" not in runner.invoke(app, ["changes", "--since", "2026-01-01"]).stderr
    dated = runner.invoke(app, ["changes", "--since", "2026-01-01", "--until", "v0"])  # a date, read at v0
    assert dated.exit_code == 0 and "warning: no notes at" not in dated.stderr, dated.output
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "notes")
    git(repo, "tag", "v1")
    for name in ("a.md", "b.md"):
        (repo / "notes" / name).unlink()
    gone = runner.invoke(app, ["changes", "--since", "v1"])  # every note removed since: the themes faded
    assert gone.exit_code == 0 and "faded: 1 theme" in gone.stdout, gone.output
    assert "nothing to report" not in gone.stderr


def test_a_statement_added_to_an_older_note_names_the_commit_of_its_line(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)  # the note came in v1; since v2 one more need was written into it
    path = planned / "notes" / "2026-01-05-p-1.md"
    path.write_text(path.read_text().replace(f"- {XERO[0]}\n", f"- {XERO[0]}\n- Xero should get each invoice the moment it is sent\n"))
    line = path.read_text().splitlines().index("- Xero should get each invoice the moment it is sent") + 1

    def commit_of_added() -> str:
        data = changes_json(runner, "--since", "v2", "--all")
        [found] = [s for c in data["changes"] for s in c["statements"]
                   if s["status"] == "added" and s["path"].endswith("p-1.md")]
        assert found["line"] == line
        text = runner.invoke(app, ["changes", "--since", "v2", "--all"]).stdout
        assert f"added notes/2026-01-05-p-1.md:{line}  2026-01-05" in text
        return found["commit"]

    assert commit_of_added() is None  # in the work tree only: not committed (not v1, which added the note)
    assert "not committed" in runner.invoke(app, ["changes", "--since", "v2", "--all"]).stdout
    git(planned, "commit", "-qam", "one more need from P-1")
    assert commit_of_added() == git(planned, "rev-parse", "--short", "HEAD")


def test_a_revision_outside_a_repository_is_a_usage_error_but_a_date_works(runner, tmp_path) -> None:
    notes = tmp_path / "notes"
    note(notes, "a.md", participant="P-1", date="2026-01-05", needs=(XERO[0],))
    note(notes, "b.md", participant="P-2", date="2026-01-12", needs=(XERO[1],))
    note(notes, "c.md", participant="P-3", date="2026-02-03", needs=(XERO_LATER[0],))
    result = runner.invoke(app, ["changes", str(notes), "--since", "v1"])
    assert result.exit_code == 2 and "is not in a git repository" in result.stderr
    assert "a date (--since 2026-09-01) compares with the notes dated before it" in result.stderr
    data = changes_json(runner, str(notes), "--since", "2026-02-01")
    assert data["since"]["kind"] == "date" and data["since"]["notes_before"] == "2026-02-01"
    assert data["summary"]["then"]["notes"] == 2 and data["summary"]["now"]["notes"] == 3
    [grew] = data["changes"]
    assert grew["change"] == "grew" and texts(grew) == {XERO_LATER[0]} and grew["statements"][0]["commit"] is None


def test_a_date_means_the_notes_dated_before_it_and_until_the_notes_on_or_before(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)
    data = changes_json(runner, "--since", "2026-02-10", "--until", "2026-02-12")
    assert data["summary"]["then"]["notes"] == 7 and data["summary"]["now"]["notes"] == 8  # v2 (the work tree) has 9
    assert data["until"]["notes_through"] == "2026-02-12"
    assert [c["change"] for c in data["changes"]] == []  # one new deposit note is one mention: said once
    data = changes_json(runner, "--since", "2026-02-10", "--until", "2026-02-12", "--all")
    assert [(c["change"], texts(c)) for c in data["changes"]] == [("new", {DEPOSITS[0]})]
    result = runner.invoke(app, ["changes", "--since", "2026-02-12", "--until", "2026-02-10"])
    assert result.exit_code == 2 and "--since 2026-02-12 is after --until 2026-02-10" in result.stderr


def test_csv_and_markdown_name_each_change_with_its_places(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)
    csv = runner.invoke(app, ["changes", "--since", "v1", "--format", "csv"]).stdout.splitlines()
    assert csv[0].startswith("change,id,label,type,strength_then,strength_now,") and csv[0].endswith(",commit,text")
    assert sorted(line.split(",")[0] for line in csv[1:]) == ["faded", "faded", "grew", "grew", "new", "new"]
    md = runner.invoke(app, ["changes", "--since", "v1", "--format", "markdown"]).stdout
    assert md.startswith("## Changes since v1\n") and "### New: 1 theme\n" in md and "### Faded: 1 theme\n" in md
    assert "`notes/2026-02-11-p-10.md:8` (added, " in md and "`notes/2026-01-25-p-6.md:8` (removed, " in md


# --- pairing, on themes made by hand ----------------------------------------------------------------


def _statement(text: str, who: str, segment: str = "smb", day: int = 1) -> Statement:
    note = Note(id=who, path=f"notes/{who}.md", line=1, entry=None, date=dt.date(2026, 1, day), kind="interview",
                segment=segment, participant=who, researchers=(), title=None, tags=(), blocks=())
    return Statement(text, "needs", 8, note, "need")


def _evidence(statements: list[Statement], centre: list[float] | None = None, label: str = "t"):
    vector = None if centre is None else np.asarray(centre, np.float32) / np.linalg.norm(centre)
    return triangulate(Theme(f"need-{label}", label, "need", tuple(statements), centre=vector))


def test_statements_that_only_moved_between_themes_make_no_theme_grow() -> None:
    a, b, c = _statement("a", "P-1"), _statement("b", "P-2"), _statement("c", "P-3")
    then = [_evidence([a, b], label="ab"), _evidence([c], label="c")]
    now = [_evidence([a, b, c], label="abc")]
    [change] = compare(then, now, [a, b, c], [a, b, c])
    assert change.change == "unchanged" and change.then.participants == 3 and not change.traced
    assert [(e.theme.label, count) for e, count in change.regrouped_from] == [("c", 1)]


def test_a_reworded_theme_pairs_by_its_centre_and_a_distant_one_does_not() -> None:
    old = [_statement("export to xero", "P-1"), _statement("xero export", "P-2")]
    new = [_statement("export invoices to Xero", "P-1"), _statement("Xero export, please", "P-2")]
    then = [_evidence(old, [1.0, 0.1, 0.0], "old")]
    [change] = compare(then, [_evidence(new, [1.0, 0.2, 0.0], "new")], old, new)
    assert (change.change, change.matched_by) == ("unchanged", "centre") and change.similarity > 0.8
    assert [t.status for t in change.traced] == ["added", "added", "removed", "removed"]
    far = compare(then, [_evidence(new, [0.2, 1.0, 0.0], "new")], old, new)
    assert sorted(c.change for c in far) == ["faded", "new"]


def test_a_theme_shrinks_when_its_notes_are_removed_and_fades_when_most_are() -> None:
    a, b, c, d = (_statement(t, f"P-{k}") for k, t in enumerate("abcd", 1))
    [change] = compare([_evidence([a, b, c], label="abc")], [_evidence([a, b], label="ab")], [a, b, c], [a, b])
    assert change.change == "shrank" and [(t.statement.text, t.status) for t in change.traced] == [("c", "removed")]
    changes = compare([_evidence([a, b, c], label="abc"), _evidence([d], label="d")], [_evidence([d], label="d")],
                      [a, b, c, d], [d])
    assert [(c.change, c.evidence.theme.label) for c in changes] == [("faded", "abc"), ("unchanged", "d")]


# --- report --since and --markdown ------------------------------------------------------------------


def test_report_markdown_has_the_top_themes_with_a_quote_each_and_the_changes_since(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)
    result = runner.invoke(app, ["report", "--since", "v1", "--markdown", "plan.md"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "plan.md\n" and not (planned / "custlens-report.html").exists()
    text = (planned / "plan.md").read_text(encoding="utf-8")
    assert text.startswith("## Customer evidence: top themes\n\n9 notes from 9 participants in 5 segments, "
                           "2026-01-05 to 2026-02-16; 3 of 3 themes, strongest evidence first.\n")
    rows = [line for line in text.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == 3
    xero = next(row for row in rows if "Xero" in row.split("|")[2])
    assert "| need | strong | 4 | agencies 2, trades 2 |" in xero
    # its most typical statement (no one was quoted: needs only), with who said it and where, not in quotation marks
    assert any(f"| {need} (" in xero for need in XERO + XERO_LATER) and '"' not in xero
    assert "\n## Changes since v1\n" in text and "### New: 1 theme" in text and "### Faded: 1 theme" in text
    assert runner.invoke(app, ["changes", "--since", "v1", "--format", "markdown"]).stdout in text
    both = runner.invoke(app, ["report", "--since", "v1", "--markdown", "-", "--html", "page.html"])
    assert both.exit_code == 0 and both.stdout == text and (planned / "page.html").exists()
    assert runner.invoke(app, ["report", "--markdown", "-", "--html", "-"]).exit_code == 2


def test_report_without_since_has_no_changes_and_until_reports_on_a_revision(runner, planned, monkeypatch) -> None:
    monkeypatch.chdir(planned)
    plain = runner.invoke(app, ["report", "--markdown", "-"]).stdout
    assert "## Changes since" not in plain and "3 of 3 themes" in plain
    at_v1 = runner.invoke(app, ["report", "--until", "v1", "--markdown", "-"]).stdout
    assert "7 notes from 7 participants" in at_v1 and "Deposit" not in at_v1
    # a date against a revision: the changes are since the date, read at the revision
    dated = runner.invoke(app, ["report", "--since", "2026-01-20", "--until", "v1", "--markdown", "-"]).stdout
    assert "\n## Changes since 2026-01-20\n" in dated and "Changes since v1" not in dated
    assert "<h2>Since 2026-01-20: what changed</h2>" in runner.invoke(
        app, ["report", "--since", "2026-01-20", "--until", "v1", "--html", "-"]).stdout
    since = changes_json(runner, "--since", "2026-01-20", "--until", "v1")["since"]
    assert (since["kind"], since["given"], since["notes_before"]) == ("date", "2026-01-20", "2026-01-20")
    page = runner.invoke(app, ["report", "--html", "-"]).stdout
    assert 'id="since"' not in page and 'href="#since"' not in page and 'href="#heatmap"' in page
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 0 and result.stdout == "custlens-report.html\n"
