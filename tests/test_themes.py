"""`custlens themes`, `segments`, `show` and `statements` on the sample notes and on small fixtures."""

from __future__ import annotations

import csv
import io
import json
import random
import shutil

import pytest

from custlens.cli import app

from .conftest import NOTES, note, snapshot, write

THEME_KEYS = {"id", "label", "type", "strength", "mentions", "notes", "participants", "segments", "sources",
              "researchers", "first_seen", "last_seen", "statements"}
STATEMENT_KEYS = {"text", "type", "inferred", "section", "path", "line", "note", "segment", "kind", "participant",
                  "researcher", "date"}


def themes_json(runner, *args: str) -> dict:
    result = runner.invoke(app, ["themes", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_has_the_documented_keys(runner) -> None:
    data = themes_json(runner, str(NOTES))
    assert set(data) == {"themes", "summary"}
    assert {"notes", "statements", "themes", "skipped_files"} <= set(data["summary"])
    theme = data["themes"][0]
    assert THEME_KEYS <= set(theme)
    assert STATEMENT_KEYS <= set(theme["statements"][0])


def test_themes_rank_by_strength_then_participants(runner) -> None:
    themes = themes_json(runner, str(NOTES), "--all")["themes"]
    order = {"strong": 0, "moderate": 1, "anecdotal": 2}
    keys = [(order[t["strength"]], -t["participants"], -t["mentions"]) for t in themes]
    assert keys == sorted(keys)


def test_the_strongest_sample_themes_are_the_ones_customers_repeat(runner) -> None:
    top = themes_json(runner, str(NOTES), "--top", "8")["themes"]
    labels = " | ".join(t["label"].lower() for t in top)
    for words in ("reminder", "deposit", "xero"):
        assert words in labels, labels
    assert all(t["strength"] == "strong" for t in top)
    assert all(t["participants"] >= 5 for t in top[:4])


def test_strength_follows_the_documented_rule(runner) -> None:
    for t in themes_json(runner, str(NOTES), "--all")["themes"]:
        people, segments, sources = t["participants"], len(t["segments"]), len(t["sources"])
        if people >= 3 and (segments >= 2 or sources >= 2):
            assert t["strength"] == "strong"
        elif people >= 2:
            assert t["strength"] == "moderate"
        else:
            assert t["strength"] == "anecdotal"


def test_all_puts_every_pain_and_need_statement_in_exactly_one_theme_of_its_type(runner) -> None:
    themes = themes_json(runner, str(NOTES), "--all")["themes"]
    placed = [(s["path"], s["line"], s["text"]) for t in themes for s in t["statements"]]
    assert len(placed) == len(set(placed))
    assert all(s["type"] == t["type"] for t in themes for s in t["statements"] if not t.get("named"))
    result = runner.invoke(app, ["statements", str(NOTES), "--format", "json"])
    typed = [s for s in json.loads(result.stdout)["statements"] if s["type"] in ("pain", "need")]
    assert len(typed) == len(placed)


def test_default_hides_one_mention_themes_and_says_how_many(runner) -> None:
    result = runner.invoke(app, ["themes", str(NOTES)])
    assert result.exit_code == 0
    assert "themes shown" in result.stderr and "said only once" in result.stderr and "--all" in result.stderr
    data = themes_json(runner, str(NOTES), "--top", "100")
    assert all(t["mentions"] > 1 for t in data["themes"])


def test_same_notes_in_any_order_give_byte_identical_json(runner, tmp_path) -> None:
    files = sorted(NOTES.iterdir())
    outputs = set()
    for seed in range(3):
        shuffled = files[:]
        random.Random(seed).shuffle(shuffled)
        args = ["themes", *map(str, shuffled), "--all", "--format", "json"]
        outputs.add(runner.invoke(app, args).stdout)
    copy = tmp_path / "notes"
    for path in reversed(files):  # created in the opposite order
        copy.mkdir(exist_ok=True)
        shutil.copy(path, copy / path.name)
    assert len(outputs) == 1
    again = runner.invoke(app, ["themes", str(NOTES), "--all", "--format", "json"]).stdout
    assert again in outputs


def test_filters_by_segment_kind_and_dates(runner) -> None:
    data = themes_json(runner, str(NOTES), "--all", "--segment", "trades", "--kind", "interview",
                       "--since", "2026-04-01", "--until", "2026-09-30")
    statements = [s for t in data["themes"] for s in t["statements"]]
    assert statements
    assert {s["segment"] for s in statements} == {"trades"}
    assert {s["kind"] for s in statements} == {"interview"}
    assert all("2026-04-01" <= s["date"] <= "2026-09-30" for s in statements)


def test_type_and_min_strength_filters(runner) -> None:
    needs = themes_json(runner, str(NOTES), "--all", "--type", "need")["themes"]
    assert needs and {t["type"] for t in needs} == {"need"}
    strong = themes_json(runner, str(NOTES), "--all", "--min-strength", "strong")["themes"]
    assert strong and {t["strength"] for t in strong} == {"strong"}


def test_an_unknown_segment_filter_is_a_usage_error_with_a_suggestion(runner) -> None:
    result = runner.invoke(app, ["themes", str(NOTES), "--segment", "salon"])
    assert result.exit_code == 2
    assert "did you mean `salons`?" in result.stderr


def test_threshold_changes_how_many_themes(runner) -> None:
    loose = themes_json(runner, str(NOTES), "--all", "--threshold", "0.1")["summary"]["themes"]
    tight = themes_json(runner, str(NOTES), "--all", "--threshold", "0.6")["summary"]["themes"]
    assert tight > loose


def test_a_table_in_a_pipe_cuts_nothing_short_and_has_the_columns(runner) -> None:
    """In a pipe (`themes | less`) every label and quote is there in full, whatever $COLUMNS says: the
    pager wraps or scrolls. On a terminal, tables fit its width (test_golden)."""
    data = themes_json(runner, str(NOTES))
    for command in (["themes", str(NOTES)], ["segments", str(NOTES)], ["statements", str(NOTES)], ["trends", str(NOTES)]):
        result = runner.invoke(app, command)  # COLUMNS is 80 in the tests
        assert result.exit_code == 0, result.output
        assert all(line == line.rstrip() for line in result.stdout.splitlines())
    statements = runner.invoke(app, ["statements", str(NOTES)]).stdout
    texts = json.loads(runner.invoke(app, ["statements", str(NOTES), "--format", "json"]).stdout)["statements"]
    assert all(f"{s['text']} " in statements and f"{s['path']}:{s['line']}" in statements for s in texts)
    table = runner.invoke(app, ["themes", str(NOTES)]).stdout
    lines = table.splitlines()
    assert lines[0].split() == ["#", "Theme", "Type", "Strength", "Ppl", "Seg", "Src", "Sub", "Quote"]
    for theme in data["themes"]:
        assert theme["label"] in table and theme["quote"] in table
    assert max(len(line) for line in lines) > 80
    assert "\x1b[" not in table  # no colour in a pipe


def test_csv_and_markdown_outputs(runner) -> None:
    result = runner.invoke(app, ["themes", str(NOTES), "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 10 and rows[0]["rank"] == "1" and rows[0]["strength"] == "strong"
    markdown = runner.invoke(app, ["themes", str(NOTES), "--format", "markdown"]).stdout
    assert markdown.startswith("| # | Theme | Type | Strength |")
    assert sum(1 for line in markdown.splitlines() if line.startswith("| ")) == 11


def test_segments_report_coverage_unique_and_shared(runner) -> None:
    result = runner.invoke(app, ["segments", str(NOTES), "--format", "json"])
    assert result.exit_code == 0, result.output
    segments = {s["name"]: s for s in json.loads(result.stdout)["segments"]}
    assert set(segments) == {"agencies", "clinics", "salons", "solo", "trades"}
    for seg in segments.values():
        assert {"name", "notes", "participants", "sources", "themes", "unique_themes"} <= set(seg)
        for theme in seg["themes"]:
            assert 0 < theme["coverage"] <= 1
    def unique(name: str) -> list[str]:  # what only this segment says: whole themes, and parts of shared ones
        seg = segments[name]
        whole = [t["label"].lower() for t in seg["themes"] if t["id"] in seg["unique_themes"]]
        return whole + [sub["label"].lower() for sub in seg["unique_subthemes"]]

    assert any("intake" in label or "consent" in label for label in unique("clinics"))
    assert any("timesheet" in label or "hours" in label for label in unique("agencies"))
    assert not any("timesheet" in label or "consent" in label for label in unique("salons") + unique("solo"))
    # the spreadsheet says the same: a row per theme, then one per sub-theme only the segment says
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["segments", str(NOTES), "--format", "csv"]).stdout)))
    for name, seg in segments.items():
        mine = [row for row in rows if row["segment"] == name]
        assert [row["theme"] for row in mine if row["unique"] == "True" and not row["part_of"]] == seg["unique_themes"]
        assert [(row["theme"], row["part_of"]) for row in mine if row["part_of"]] == [
            (sub["id"], sub["theme"]) for sub in seg["unique_subthemes"]]
    assert any(row["part_of"] for row in rows if row["segment"] == "agencies")
    label_of = {t["id"]: t["label"] for seg in segments.values() for t in seg["themes"]}
    parts = [sub for seg in segments.values() for sub in seg["unique_subthemes"]]
    assert len(parts) >= 5 and all(sub["label"] != label_of[sub["theme"]] for sub in parts)  # never "X (part of: X)"


def test_a_theme_one_participant_said_is_not_called_only_here_in_any_format(runner, tmp_path) -> None:
    note(tmp_path, "a.md", segment="s1", participant="P-1", needs=("Support right-to-left text on receipts",))
    note(tmp_path, "b.md", segment="s2", participant="P-2", needs=("Export the timesheets to payroll as CSV",))
    note(tmp_path, "c.md", segment="s2", participant="P-3", needs=("Timesheets exported to payroll in CSV",))
    table = runner.invoke(app, ["segments", str(tmp_path)]).stdout
    markdown = runner.invoke(app, ["segments", str(tmp_path), "--format", "markdown"]).stdout
    data = json.loads(runner.invoke(app, ["segments", str(tmp_path), "--format", "json"]).stdout)
    s1, s2 = data["segments"]
    assert s1["unique_themes"] == [] and len(s2["unique_themes"]) == 1
    for shown in (table, markdown):
        first, second = shown.split("s2", 1)  # s1's part, then s2's
        assert "nowhere else (one participant)" in first and "only here" not in first.lower()
        assert "only here" in second


def test_segments_table_and_markdown(runner) -> None:
    table = runner.invoke(app, ["segments", str(NOTES)]).stdout
    assert "clinics: 13 notes, 12 participants (interview 4, survey 3, support-ticket 2, advisory-board 1" in table
    nearness = [float(line.rsplit(", ", 1)[1].rstrip(")")) for line in table.splitlines() if "(nearest elsewhere: " in line]
    assert nearness and max(nearness) < 0.6  # shown cut, not rounded up to the 0.60 that holds a theme back
    markdown = runner.invoke(app, ["segments", str(NOTES), "--format", "markdown"]).stdout
    assert "## trades" in markdown and "| Theme | Type | Coverage |" in markdown


def test_nearness_is_cut_to_hundredths_not_rounded_and_not_cut_below_what_it_is() -> None:
    from custlens.output.records import hundredths

    assert [hundredths(x) for x in (0.596, 0.57, 0.58, 0.29, 0.6, 0.999, 0.0)] == [
        "0.59", "0.57", "0.58", "0.29", "0.60", "0.99", "0.00"]


def test_segments_and_trends_take_the_theme_filters_that_keep_their_answers_true(runner) -> None:
    pains = json.loads(runner.invoke(app, ["segments", str(NOTES), "--type", "pain", "--format", "json"]).stdout)
    everything = json.loads(runner.invoke(app, ["segments", str(NOTES), "--format", "json"]).stdout)
    assert {t["type"] for seg in pains["segments"] for t in seg["themes"]} == {"pain"}
    assert {t["type"] for seg in everything["segments"] for t in seg["themes"]} == {"pain", "need"}
    # "only here" must see every theme said elsewhere, weak ones too: no strength filter on segments
    refused = runner.invoke(app, ["segments", str(NOTES), "--min-strength", "strong"])
    assert refused.exit_code == 2 and "--min-strength" in refused.stderr
    strong = json.loads(runner.invoke(app, ["trends", str(NOTES), "--min-strength", "strong", "--top", "50",
                                            "--format", "json"]).stdout)["themes"]
    every = json.loads(runner.invoke(app, ["trends", str(NOTES), "--top", "50", "--format", "json"]).stdout)["themes"]
    assert strong and {t["strength"] for t in strong} == {"strong"} and len(strong) < len(every)


def test_show_finds_a_theme_by_id_or_label_and_lists_every_statement_with_its_place(runner) -> None:
    top = themes_json(runner, str(NOTES), "--top", "1")["themes"][0]
    by_id = runner.invoke(app, ["show", top["id"], str(NOTES)])
    assert by_id.exit_code == 0
    for statement in top["statements"]:
        assert f"{statement['path']}:{statement['line']}" in by_id.stdout
    by_label = runner.invoke(app, ["show", top["label"][:25], str(NOTES)])
    assert by_label.stdout == by_id.stdout
    missing = runner.invoke(app, ["show", "zzzz qqqq", str(NOTES)])
    assert missing.exit_code == 2 and "no theme matches" in missing.stderr
    for other_way in (top["id"].upper(), top["id"][:8]):
        assert runner.invoke(app, ["show", other_way, str(NOTES)]).stdout == by_id.stdout
    kind = top["id"].split("-")[0]  # a bare "need-" is the start of every need's id, not the word "need"
    several = runner.invoke(app, ["show", f"{kind}-", str(NOTES)])
    assert several.exit_code == 2 and f"themes have ids starting '{kind}-'" in several.stderr
    assert all(word.startswith(kind) for word in several.stderr.split("give more of the id: ")[1].strip().split(", "))
    unknown = runner.invoke(app, ["show", f"{kind}-ffff9", str(NOTES)])
    assert unknown.exit_code == 2 and f"no theme has an id starting '{kind}-ffff9'" in unknown.stderr


def test_show_matches_words_with_typos_and_prefers_the_theme_that_has_them_all(runner, tmp_path) -> None:
    note(tmp_path, "a.md", participant="P-1", needs=("An overdue reminder on unpaid invoices",))
    for k in range(2, 5):
        note(tmp_path, f"n{k}.md", participant=f"P-{k}", needs=("SMS reminders to clients the day before",))
    for query in ("sms reminder", "sms remiders", "SMS REMINDERS"):
        shown = runner.invoke(app, ["show", query, str(tmp_path)])
        assert shown.exit_code == 0 and "SMS reminders to clients the day before" in shown.stdout, (query, shown.output)
        assert "overdue" not in shown.stdout
    overdue = runner.invoke(app, ["show", "overdue", str(tmp_path)]).stdout
    assert "An overdue reminder on unpaid invoices" in overdue and "SMS reminders to clients the day before" not in overdue


def test_statements_lists_type_inferred_section_place_and_theme(runner) -> None:
    data = json.loads(runner.invoke(app, ["statements", str(NOTES), "--format", "json"]).stdout)
    rows = data["statements"]
    assert STATEMENT_KEYS | {"theme"} <= set(rows[0])
    inferred = [r for r in rows if r["inferred"]]
    assert inferred and all(r["section"] in ("quotes", "observations", "insights", "body", "text") for r in inferred)
    assert all(r["theme"] for r in rows if r["type"] in ("pain", "need"))
    assert all(r["theme"] is None for r in rows if r["type"] == "other")
    only_needs = json.loads(runner.invoke(app, ["statements", str(NOTES), "--type", "need", "--format", "json"]).stdout)
    assert {r["type"] for r in only_needs["statements"]} == {"need"}


def test_synthesis_never_writes_into_the_notes_folder(runner, tmp_path) -> None:
    folder = tmp_path / "notes"
    shutil.copytree(NOTES, folder)
    before = snapshot(folder)
    for command in (["themes"], ["segments"], ["statements"], ["show", "deposit online"]):
        assert runner.invoke(app, [*command, str(folder), "--format", "json"]).exit_code == 0
    assert snapshot(folder) == before


def test_strict_makes_bad_files_fatal(runner, tmp_path) -> None:
    note(tmp_path, "good.md", needs=("Export to CSV",))
    write(tmp_path / "bad.md", "no front matter\n")
    assert runner.invoke(app, ["themes", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["themes", str(tmp_path), "--strict"])
    assert result.exit_code == 1 and "--strict" in result.stderr


def test_codebook_names_themes_and_write_codebook_adds_the_unnamed_ones(runner, in_tmp) -> None:
    notes = in_tmp / "notes"
    note(notes, "a.md", participant="P-1", needs=("We need SSO with Okta",))
    note(notes, "b.md", participant="P-2", needs=("Single sign-on for all staff",), segment="ent")
    note(notes, "c.md", participant="P-3", needs=("Export invoices to Xero",), pains=("Retyping invoices into Xero",))
    write(in_tmp / "themes.yaml", """
        # our themes
        sso:
          label: Single sign-on
          type: need
          match: ["SSO", "single sign-on", "Okta"]
        """)
    data = themes_json(runner, "--all")
    sso = [t for t in data["themes"] if t["id"] == "sso"]
    assert sso and sso[0]["label"] == "Single sign-on" and sso[0]["participants"] == 2
    before = (in_tmp / "themes.yaml").read_text()
    result = runner.invoke(app, ["themes", "--all", "--write-codebook"])
    assert result.exit_code == 0, result.output
    after = (in_tmp / "themes.yaml").read_text()
    assert after.startswith(before)  # what was there is kept as it was
    assert "Export invoices to Xero" in after
    again = themes_json(runner, "--all")
    assert {t["id"] for t in again["themes"]} == {t["id"] for t in data["themes"]}
    assert all(t["named"] for t in again["themes"])


def test_a_codebook_entry_without_a_type_makes_a_theme_of_each_type_so_stated_types_hold(runner, in_tmp) -> None:
    notes = in_tmp / "notes"
    note(notes, "a.md", participant="P-1", pains=("Without SSO our staff share one password",))
    note(notes, "b.md", participant="P-2", pains=("Logging in without single sign-on is a risk",))
    note(notes, "c.md", participant="P-3", needs=("Add SSO through Okta for the whole team",))
    write(in_tmp / "themes.yaml", 'sso:\n  label: Single sign-on\n  match: ["SSO", "single sign-on"]\n')
    themes = {t["id"]: t for t in themes_json(runner, "--all")["themes"]}
    assert themes["sso"]["type"] == "pain" and {s["type"] for s in themes["sso"]["statements"]} == {"pain"}
    assert themes["sso-need"]["type"] == "need" and themes["sso-need"]["label"] == "Single sign-on"
    assert [s["text"] for s in themes["sso-need"]["statements"]] == ["Add SSO through Okta for the whole team"]
    assert [t["id"] for t in themes_json(runner, "--all", "--type", "need")["themes"]] == ["sso-need"]


def test_a_broken_codebook_is_a_located_error_and_is_kept(runner, in_tmp) -> None:
    note(in_tmp / "notes", "a.md", needs=("Export",))
    write(in_tmp / "themes.yaml", "sso:\n  label: [unclosed\n")
    before = (in_tmp / "themes.yaml").read_bytes()
    result = runner.invoke(app, ["themes", "--write-codebook"])
    assert result.exit_code == 2
    assert "themes.yaml:2: invalid codebook" in result.stderr
    assert (in_tmp / "themes.yaml").read_bytes() == before


def test_codebook_phrases_match_whole_words_or_a_small_typo_not_scattered_words() -> None:
    from custlens.pipeline.codebook import Codebook, CodebookEntry, assign

    book = Codebook({
        "sso": CodebookEntry(label="Single sign-on", type="need", match=["single sign-on", "SSO"]),
        "csv": CodebookEntry(label="CSV export", match=["csv export"]),
    })
    texts = [
        "We need single sign-on",           # exact, punctuation ignored
        "we need single sing-on for staff",  # one typo in a two-word phrase
        "a single user wants to sign on",    # the words, scattered: not the phrase
        "SSO please",                        # one-word phrase
        "ssoft things",                      # one-word phrases match only whole words
        "CSV export for accountants",        # untyped entry, any type
        "We need single sign-on",            # the right words in a pain: the entry is for needs
    ]
    types = ["need", "need", "need", "need", "need", "pain", "pain"]
    assert assign(book, texts, types) == ["sso", "sso", None, "sso", None, "csv", None]


def test_statements_csv_has_the_same_header_with_or_without_rows(runner, tmp_path) -> None:
    note(tmp_path, "a.md", needs=("Export to CSV",))
    full = runner.invoke(app, ["statements", str(tmp_path), "--format", "csv"])
    empty = runner.invoke(app, ["statements", str(tmp_path), "--format", "csv", "--type", "pain"])
    assert full.exit_code == empty.exit_code == 0
    header = full.stdout.splitlines()[0]
    assert header.startswith("text,type,inferred,cue,confidence,why,section,path,line,") and header.endswith(",theme")
    assert empty.stdout.splitlines() == [header]


def test_participant_ids_ignore_case_and_count_in_every_segment_they_spoke_in(runner, tmp_path) -> None:
    note(tmp_path, "a.md", participant="P-1", segment="salons", needs=("Deposits taken when clients book online",))
    note(tmp_path, "b.md", participant="p-1", segment="clinics", needs=("Deposits taken when clients book online",))
    note(tmp_path, "c.md", participant="P-2", segment="clinics", needs=("Deposits taken when clients book online",))
    data = json.loads(runner.invoke(app, ["themes", str(tmp_path), "--format", "json"]).stdout)
    theme = data["themes"][0]
    assert theme["participants"] == 2
    assert theme["segments"] == {"clinics": 2, "salons": 1}


def test_csv_cells_hold_lists_as_semicolon_separated_text(runner, tmp_path) -> None:
    note(tmp_path, "a.md", needs=("Export to CSV",), extra="tags: [billing, export]")
    import csv
    import io

    out = runner.invoke(app, ["statements", str(tmp_path), "--format", "csv"]).stdout
    assert next(csv.DictReader(io.StringIO(out)))["tags"] == "billing; export"


def test_custom_attributes_kept_by_the_config_are_in_the_statements_output(runner, in_tmp) -> None:
    (in_tmp / "custlens.yaml").write_text("attributes: [plan]\n")
    note(in_tmp / "notes", "a.md", needs=("Export to CSV",), extra="plan: gold")
    data = json.loads(runner.invoke(app, ["statements", "--format", "json"]).stdout)
    assert data["statements"][0]["attributes"] == {"plan": "gold"}
    shown = json.loads(runner.invoke(app, ["themes", "--format", "json", "--all"]).stdout)
    assert shown["themes"][0]["statements"][0]["attributes"] == {"plan": "gold"}
    import csv
    import io

    row = next(csv.DictReader(io.StringIO(runner.invoke(app, ["statements", "--format", "csv"]).stdout)))
    assert row["attributes"] == '{"plan":"gold"}'


def test_a_theme_keeps_its_id_when_later_notes_join_it_and_move_its_centre(runner, tmp_path) -> None:
    note(tmp_path, "a.md", participant="P-1", date="2026-03-01", needs=("SMS reminders sent the day before",))
    note(tmp_path, "b.md", participant="P-2", date="2026-03-02", needs=("Text reminders to clients the day before",))
    before = themes_json(runner, str(tmp_path))["themes"][0]
    for k in range(3, 7):
        note(tmp_path, f"n{k}.md", participant=f"P-{k}", date="2026-04-01",
             needs=("Text reminders to clients sent automatically the day before",))
    after = themes_json(runner, str(tmp_path))["themes"][0]
    assert after["participants"] == 6 and after["representative"] != before["representative"]
    assert after["id"] == before["id"]


def test_the_quote_is_the_statement_most_like_the_whole_theme_not_one_at_its_edge() -> None:
    from custlens.models import DEFAULT_KINDS
    from custlens.pipeline.extract import extract
    from custlens.pipeline.parse import ParseSettings, parse_bytes
    from custlens.pipeline.themes import Theme
    from custlens.pipeline.triangulate import triangulate

    text = "---\ndate: 2026-03-01\nkind: interview\nsegment: smb\n---\n## Needs\n" + "".join(
        f"- {line}\n" for line in (
            "Outlook sync without delays",
            "Invoices sync to Xero without retyping.",  # shares words with the label, not with the rest
            "Outlook sync that never lets two patients into one slot",
            "Outlook sync that updates within a minute or so, in both directions.",
            "Real-time two-way sync with Outlook / Microsoft 365, so a busy slot is busy everywhere",
            "Calendar sync she never has to think about: if it's in Outlook, it's busy in Slotwise.",
        )
    )
    parsed = parse_bytes(text.encode(), "n.md", ".md", ParseSettings(kinds=DEFAULT_KINDS))
    found = extract(parsed.notes)
    theme = Theme("need-x", found[0].text, "need", tuple(found), False, found[0])
    assert "Xero" not in triangulate(theme).quote.text


def test_parallel_jobs_come_back_in_order_and_a_failure_in_one_reaches_the_caller() -> None:
    from custlens.infra import parallel

    def fails() -> int:
        raise ValueError("bad input in the second job")

    for run in (parallel.in_parallel, parallel._in_threads):
        assert run([lambda: 1, lambda: [2, 3], lambda: {"four": 4}]) == [1, [2, 3], {"four": 4}]
        with pytest.raises(ValueError, match="second job"):
            run([lambda: 1, fails])


def test_show_lists_the_themes_that_match_equally_instead_of_picking_one(runner) -> None:
    fuzzy = [str(NOTES), "--engine", "fuzzy"]  # the fuzzy engine keeps three themes that say "deposit"
    result = runner.invoke(app, ["show", "deposit", *fuzzy])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "error: 3 themes match 'deposit' equally well"
    assert lines[1].startswith("  hint: give the id of the one you mean, or more words: need-a131c3 (Clients pay a deposit")
    assert result.stdout == ""
    for theme_id in ("need-a131c3", "pain-06c4a0", "need-451bb1"):  # each one named, and each found by its id
        assert theme_id in result.stderr
        assert runner.invoke(app, ["show", theme_id, *fuzzy]).exit_code == 0
    assert runner.invoke(app, ["show", "deposit online", *fuzzy]).stdout.startswith(
        "Clients pay a deposit when they book online\n")


def test_an_empty_themes_table_says_why(runner, tmp_path) -> None:
    notes = tmp_path / "notes"
    note(notes, "a.md", participant="P-1", date="2026-03-01", needs=("Export invoices to Xero",))
    note(notes, "b.md", participant="P-2", date="2026-03-02", needs=("Dark mode for the calendar",),
         pains=("The app logs me out every hour",))
    note(notes, "c.md", participant="P-3", date="2026-03-03", kind="survey", quotes=("We tried it in March.",))

    def said(*args: str) -> str:
        result = runner.invoke(app, ["themes", str(notes), *args])
        assert result.exit_code == 0 and result.stdout.startswith("# Theme"), result.output
        return result.stderr.strip()

    assert said() == "no theme said more than once: 3 themes said only once; --all shows every theme"
    assert said("--since", "2027-01-01") == "no themes: none of the 3 notes matches the filters"
    assert said("--kind", "survey") == "no themes: no pains or needs in the 1 note"
    quotes = tmp_path / "quotes"  # inferred needs, each less sure than 1
    for k in (1, 2):
        note(quotes, f"q{k}.md", participant=f"P-{k}", quotes=("I wish the calendar would sync faster with Google.",))
    result = runner.invoke(app, ["themes", str(quotes), "--min-confidence", "1"])
    assert result.stderr.strip() == ("no themes: 2 inferred pain or need statements fell under the minimum confidence "
                                     "(--min-confidence, or min_confidence in custlens.yaml)"), result.output
    assert said("--min-strength", "moderate") == "no themes: --type or --min-strength left none"
    for command in ("themes", "trends", "segments"):  # a reversed range is a mistake, not an empty answer
        reversed_range = runner.invoke(app, [command, str(notes), "--since", "2026-10-01", "--until", "2026-03-31"])
        assert reversed_range.exit_code == 2
        assert "error: --since 2026-10-01 is after --until 2026-03-31\n" in reversed_range.stderr


def test_counts_of_one_are_singular_in_segments_show_and_markdown(runner, tmp_path) -> None:
    notes = tmp_path / "notes"
    note(notes, "a.md", participant="P-1", segment="solo", needs=("Export invoices to Xero",))
    segments = runner.invoke(app, ["segments", str(notes)]).stdout
    assert segments.startswith("solo: 1 note, 1 participant (interview 1)\n"), segments
    markdown = runner.invoke(app, ["segments", str(notes), "--format", "markdown"]).stdout
    assert "## solo\n\n1 note, 1 participant; sources: interview 1." in markdown
    [theme] = json.loads(runner.invoke(app, ["themes", str(notes), "--all", "--format", "json"]).stdout)["themes"]
    shown = runner.invoke(app, ["show", theme["id"], str(notes)]).stdout
    assert " · anecdotal · 1 participant · 1 mention in 1 note · " in shown, shown
    page = runner.invoke(app, ["report", str(notes), "--html", "-"]).stdout
    assert "1 note from 1 participant in 1 segment" in page


@pytest.mark.parametrize("command", ["themes", "segments", "trends", "statements"])
def test_a_report_on_a_folder_without_notes_says_so(command, runner, tmp_path) -> None:
    (tmp_path / "notes").mkdir()
    result = runner.invoke(app, [command, str(tmp_path / "notes")])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("warning: no notes in "), result.stderr
    assert "notes/: nothing to report\n" in result.stderr


@pytest.mark.parametrize(("config", "args", "said"), [
    ("", ["--subtheme-threshold", "0.1"], "--subtheme-threshold 0.1 is under the default --threshold 0.35"),
    ("threshold: 0.5\n", ["--subtheme-threshold", "0.45"], "--subtheme-threshold 0.45 is under the config's threshold 0.5"),
    ("threshold: 0.5\nsubtheme_threshold: 0.4\n", [], "custlens.yaml:2: subtheme_threshold 0.4 is under threshold 0.5"),
])
def test_a_subtheme_threshold_under_the_theme_threshold_is_a_usage_error_wherever_it_comes_from(
        config, args, said, runner, in_tmp) -> None:
    """Given by one option, or by the config, it used to end in `internal error: ValueError` (exit 3)."""
    note(in_tmp / "notes", "a.md", pains=("Exports time out",))
    if config:
        write(in_tmp / "custlens.yaml", config)
    result = runner.invoke(app, ["themes", *args])
    assert result.exit_code == 2 and said in result.stderr and "internal error" not in result.stderr


def test_writing_the_codebook_from_subthemes_leaves_a_codebook_the_next_run_reads(runner, in_tmp) -> None:
    """Sub-theme ids (`need-c535a2.c535`) were written as codebook keys, which every later run refused."""
    shutil.copytree(NOTES, in_tmp / "notes")
    shown = themes_json(runner, "--level", "subtheme", "--top", "3")["themes"]
    assert any("." in t["id"] for t in shown)  # sub-themes of a theme, as `--level subtheme` ranks them
    result = runner.invoke(app, ["themes", "--level", "subtheme", "--top", "3", "--write-codebook"])
    assert result.exit_code == 0, result.output
    keys = [line.split(":")[0] for line in (in_tmp / "themes.yaml").read_text().splitlines() if line[:1].isalnum()]
    assert keys == [t["id"].replace(".", "-") for t in shown]
    named = [t for t in themes_json(runner, "--all")["themes"] if t["named"]]
    assert sorted(t["id"] for t in named) == sorted(keys)


def test_a_codebook_the_config_names_that_does_not_exist_is_an_error_with_the_config_line(runner, in_tmp) -> None:
    """A typo in `codebook:` silently dropped every named theme."""
    note(in_tmp / "notes", "a.md", pains=("Exports time out",))
    write(in_tmp / "custlens.yaml", "engine: fuzzy\ncodebook: theme.yaml\n")
    write(in_tmp / "themes.yaml", "exports:\n  label: Exports\n  type: pain\n  match: [export]\n")
    result = runner.invoke(app, ["themes"])
    assert result.exit_code == 2
    assert "custlens.yaml:2: the codebook the config names, theme.yaml, does not exist" in result.stderr
    write(in_tmp / "custlens.yaml", "engine: fuzzy\ncodebook: named.yaml\n")  # --write-codebook creates it
    assert runner.invoke(app, ["themes", "--all", "--write-codebook"]).exit_code == 0
    assert "Exports time out" in (in_tmp / "named.yaml").read_text()


def test_the_config_init_writes_runs_before_any_codebook_exists(runner, in_tmp) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert "codebook: themes.yaml" in (in_tmp / "custlens.yaml").read_text()
    assert runner.invoke(app, ["themes", "--engine", "fuzzy"]).exit_code == 0


def test_show_as_csv_and_markdown_has_the_facts_the_text_and_json_have(runner) -> None:
    """Sub-themes, each statement's similarity, the most typical statement and the nearest themes were
    in the text and JSON only."""
    data = json.loads(runner.invoke(app, ["show", "deposit", str(NOTES), "--format", "json"]).stdout)
    assert data["subthemes"] and data["nearest_themes"]
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["show", "deposit", str(NOTES), "--format", "csv"]).stdout)))
    by_text = {s["text"]: s for s in data["statements"]}
    sub_of = {s["text"]: sub["id"] for sub in data["subthemes"] for s in sub["statements"]}
    assert [r["text"] for r in rows] == [s["text"] for s in data["statements"]]
    for row in rows:
        assert row["subtheme"] == sub_of[row["text"]]
        assert float(row["similarity"]) == pytest.approx(by_text[row["text"]]["similarity"])
    md = runner.invoke(app, ["show", "deposit", str(NOTES), "--format", "markdown"]).stdout
    assert f'Most typical: "{data["representative"]}"' in md.replace("\\", "")
    assert all(f"`{n['id']}` ({n['similarity']:.2f})" in md for n in data["nearest_themes"])
    assert all(f"`{sub['id']}` ({len(sub['statements'])})" in md for sub in data["subthemes"])
    assert md.count("; similarity 0.") == len(data["statements"])
