"""The note format: front matter, YAML notes and batches, sections and markers, lines that stay true."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from custlens.models import DEFAULT_KINDS
from custlens.pipeline.body import parse_body
from custlens.pipeline.extract import extract, section_of_heading, states_a_need
from custlens.pipeline.parse import ParseSettings, parse_bytes

SETTINGS = ParseSettings(kinds=DEFAULT_KINDS)


def statements(text: str, suffix: str = ".md", settings: ParseSettings = SETTINGS):
    parsed = parse_bytes(text.encode("utf-8"), "n" + suffix, suffix, settings)
    assert parsed.ok, parsed.problems
    return extract(parsed.notes)


FRONT = "---\ndate: 2026-03-01\nkind: interview\nsegment: smb\n---\n"


def test_sections_by_heading_with_synonyms_case_insensitive() -> None:
    body = """# Call with an owner
Context paragraph.

## Pain Points
- Slow export
## WISHES:
- Faster export
## Key takeaways
- They batch work on Mondays
## Next steps
- Send the prototype
### Frustrations
Paragraph one
continues here.
"""
    found = [(s.section, s.type, s.text, s.line) for s in statements(FRONT + body)]
    assert found == [
        ("body", None, "Context paragraph.", 7),
        ("pains", "pain", "Slow export", 10),
        ("needs", "need", "Faster export", 12),
        ("insights", None, "They batch work on Mondays", 14),
        ("follow-ups", "other", "Send the prototype", 16),
        ("pains", "pain", "Paragraph one continues here.", 18),
    ]


def test_unknown_subheadings_stay_in_their_section_and_same_level_ones_end_it() -> None:
    body = "## Needs\n### Billing\n- Split invoices\n## Context\n- Runs two shops\n"
    found = [(s.section, s.type) for s in statements(FRONT + body)]
    assert found == [("needs", "need"), ("body", None)]


def test_pain_and_need_lines_and_tags_anywhere_mark_statements() -> None:
    body = "Pain: the sync lags\nNeed: real-time sync\n- **Need:** bulk edit\nThe report is late again #pain\nwould love a dark mode #need\n"
    found = [(s.type, s.text, s.inferred) for s in statements(FRONT + body)]
    assert found == [
        ("pain", "the sync lags", False),
        ("need", "real-time sync", False),
        ("need", "bulk edit", False),
        ("pain", "The report is late again", False),
        ("need", "would love a dark mode", False),
    ]


def test_blockquotes_are_quotes_without_their_quote_marks() -> None:
    body = '## Observations\n> "Mondays are spreadsheet day."\n\n> It\n> continues.\n\n- Keeps paper lists\n'
    found = [(s.section, s.text) for s in statements(FRONT + body)]
    assert found == [
        ("quotes", "Mondays are spreadsheet day."),
        ("quotes", "It continues."),
        ("observations", "Keeps paper lists"),
    ]


def test_code_comments_tables_and_markup_are_not_statements() -> None:
    body = "```\n- not a bullet\n```\n<!-- a comment\n- hidden -->\n| a | b |\n|---|---|\n- A [link](http://x) and **bold** and [[Wiki Page|page]]\n"
    assert [s.text for s in statements(FRONT + body)] == ["A link and bold and page"]


def test_bom_and_crlf_keep_lines_true() -> None:
    raw = ("\ufeff" + FRONT + "## Needs\n- One\n\n- Two\n").replace("\n", "\r\n").encode("utf-8")
    parsed = parse_bytes(raw, "n.md", ".md", SETTINGS)
    assert [(s.text, s.line) for s in extract(parsed.notes)] == [("One", 7), ("Two", 9)]


def test_yaml_note_fields_as_text_or_lists_with_their_lines() -> None:
    text = """date: 2026-03-01
kind: survey
segment: smb
needs: Faster export
pains:
  - Slow export
  - Lost data
text: "free text"
"""
    found = [(s.section, s.type, s.text, s.line) for s in statements(text, ".yaml")]
    assert found == [
        ("needs", "need", "Faster export", 4),
        ("pains", "pain", "Slow export", 6),
        ("pains", "pain", "Lost data", 7),
        ("text", None, "free text", 8),
    ]


def test_batch_entries_keep_entry_numbers_and_lines() -> None:
    text = """# export
- date: 2026-03-01
  kind: survey
  segment: a
  needs: [one]
- {date: 2026-03-02, kind: survey, segment: b, needs: [two]}
"""
    parsed = parse_bytes(text.encode(), "b.yaml", ".yaml", SETTINGS, base_id="b")
    assert [(n.id, n.entry, n.line) for n in parsed.notes] == [("b#1", 1, 2), ("b#2", 2, 6)]
    assert [(s.text, s.line) for s in extract(parsed.notes)] == [("one", 5), ("two", 6)]


def test_impossible_dates_and_wrong_types_are_located_errors() -> None:
    text = "date: 2026-02-30\nkind: survey\nsegment: smb\nneeds: [ok, {a: b}]\nresearcher: 7\n"
    parsed = parse_bytes(text.encode(), "b.yaml", ".yaml", SETTINGS)
    found = {(p.code, p.line): p.message for p in parsed.problems}
    assert found[("invalid-date", 1)] == "`date` 2026-02-30 is not a real date"
    assert found[("invalid-field", 4)] == "`needs` item 2 must be text, not a mapping"
    assert ("invalid-field", 5) in found


def test_unknown_keys_warn_with_did_you_mean_or_are_kept_as_attributes() -> None:
    text = FRONT.replace("segment: smb\n", "segment: smb\nparticipnt: P-1\nplan: pro\n") + "## Needs\n- x\n"
    parsed = parse_bytes(text.encode(), "n.md", ".md", SETTINGS)
    assert (parsed.problems[0].severity, parsed.problems[0].code, parsed.problems[0].hint) == (
        "warning", "unknown-key", "did you mean `participant`?"
    )
    kept = parse_bytes(text.encode(), "n.md", ".md", ParseSettings(kinds=DEFAULT_KINDS, attributes=("plan",)))
    assert kept.notes[0].attributes == {"plan": "pro"}


def test_researcher_may_be_one_or_a_list_and_participant_a_number() -> None:
    text = FRONT.replace("segment: smb\n", "segment: smb\nresearcher: [ana, ben]\nparticipant: 14\n") + "## Needs\n- x\n"
    note = parse_bytes(text.encode(), "n.md", ".md", SETTINGS).notes[0]
    assert note.researchers == ("ana", "ben") and note.participant == "14"


def test_markdown_without_front_matter_or_with_an_empty_one() -> None:
    missing = parse_bytes(b"# Notes\n- x\n", "n.md", ".md", SETTINGS)
    assert [(p.code, p.line) for p in missing.problems] == [("front-matter-missing", 1)]
    empty = parse_bytes(b"---\n---\n- x\n", "n.md", ".md", SETTINGS)
    assert [p.code for p in empty.problems] == ["missing-field"]


def test_encodings_other_than_utf8_are_named() -> None:
    utf16 = parse_bytes("---\ndate: 2026-01-01\n".encode("utf-16"), "n.md", ".md", SETTINGS)
    assert utf16.problems[0].code == "encoding" and "UTF-16" in utf16.problems[0].message
    for encoding in ("utf-16-le", "utf-16-be"):
        no_bom = parse_bytes("---\ndate: 2026-01-01\n".encode(encoding), "n.md", ".md", SETTINGS)
        assert no_bom.problems[0].code == "binary" and "UTF-16" in no_bom.problems[0].message, encoding
    utf32 = parse_bytes("---\ndate: 2026-01-01\n".encode("utf-32"), "n.md", ".md", SETTINGS)
    assert utf32.problems[0].code == "encoding" and "UTF-32" in utf32.problems[0].message


def test_setext_headings_and_pseudo_headings() -> None:
    body = "Needs\n-----\n- Export\n\nPains:\n- Slow\n"
    found = [(s.section, s.text) for s in statements(FRONT + body)]
    assert found == [("needs", "Export"), ("pains", "Slow")]


def test_section_names() -> None:
    assert section_of_heading("Pain points:") == "pains"
    assert section_of_heading("Jobs to be done") == "needs"
    assert section_of_heading("Next Steps") == "follow-ups"
    assert section_of_heading("Background") is None


def test_body_blocks_record_their_headings() -> None:
    blocks = parse_body(["# Title", "## Needs", "- a"], 10)
    assert blocks[0].headings == ((1, "Title"), (2, "Needs")) and blocks[0].line == 12


def test_a_duplicate_key_in_one_batch_entry_names_that_entry_and_the_others_load() -> None:
    text = """- date: 2026-03-01
  kind: survey
  segment: a
  needs: [one]
- date: 2026-03-02
  kind: survey
  segment: b
  segment: c
  needs: [two]
- date: 2026-03-03
  kind: survey
  segment: d
  needs: [three]
"""
    parsed = parse_bytes(text.encode(), "b.yaml", ".yaml", SETTINGS, base_id="b")
    assert [(p.code, p.line, p.entry) for p in parsed.problems] == [("yaml-duplicate-key", 8, 2)]
    assert [n.segment for n in parsed.notes] == ["a", "d"]


def test_longer_tags_that_start_with_pain_or_need_are_plain_tags() -> None:
    found = statements(FRONT + "The export button is hidden #pain-point\n\nThe #needs-review backlog grew. #need\n")
    assert [(s.text, s.type) for s in found] == [
        ("The export button is hidden", None),  # a tag after the sentence is the note's tag, not a type
        ("The needs-review backlog grew.", "need"),  # a tag inside the sentence keeps its word
    ]
    assert found[0].note.tags == ("pain-point", "needs-review")


def test_emphasis_marks_go_on_both_sides() -> None:
    found = statements(FRONT + "## Needs\n- Export with *stars* and _under_ and **bold**, keep snake_case\n")
    assert found[0].text == "Export with stars and under and bold, keep snake_case"


def test_unicode_line_separators_inside_values_do_not_shift_lines() -> None:
    text = 'date: 2026-01-02\nkind: interview\nsegment: "x\u2028y"\nnote: "a\x85b"\nneeds:\n  - need\n'
    parsed = parse_bytes(text.encode(), "c.yaml", ".yaml", SETTINGS)
    assert [(p.code, p.line) for p in parsed.problems] == [("unknown-key", 4)]
    assert [(s.text, s.line) for s in extract(parsed.notes)] == [("need", 6)]
    front = FRONT.replace("segment: smb", 'segment: "x\x85y"\nfoo: 1') + "## Needs\n- a\n"
    assert [(p.code, p.line) for p in parse_bytes(front.encode(), "d.md", ".md", SETTINGS).problems] == [("unknown-key", 5)]


def test_worker_processes_read_notes_exactly_as_one_process_does(monkeypatch, tmp_path) -> None:
    from custlens.pipeline import files as note_files
    from custlens.pipeline.files import find_note_files, read_note_files

    from .conftest import NOTES

    broken = tmp_path / "broken"  # files with problems of every kind, so that problems cross too
    broken.mkdir()
    for name, data in {"no-front.md": b"## Needs\n- x\n", "bad-date.md": b"---\ndate: soon\nkind: interview\nsegment: s\n---\n",
                       "binary.md": bytes(range(256)) * 4, "latin1.md": "---\nsegment: caf\xe9\n---\n".encode("latin-1"),
                       "batch.yaml": b"- {date: 2026-01-01, kind: survey, segment: s, needs: 42}\n- 7\n",
                       "no-need.md": b"---\ndate: 2026-01-01\nkind: interview\nsegment: s\n---\n## Pains\n- Slow\n"}.items():
        (broken / name).write_bytes(data)
    files, _ = find_note_files([NOTES, broken])
    displays = [str(path) for path in files]
    settings = ParseSettings(kinds=DEFAULT_KINDS)
    alone = [note_files.to_plain(parsed) for _, parsed, _ in read_note_files(files, settings, displays, workers=1)]
    monkeypatch.setattr(note_files, "PARALLEL_FILES", 1)
    monkeypatch.setattr(note_files, "_CHUNK", 7)  # many jobs, shared out between the processes as they go
    together = sorted(read_note_files(files, settings, displays, workers=2), key=lambda found: found[0])
    assert [k for k, _, _ in together] == list(range(len(files)))  # every file once
    assert [plain for _, _, plain in together if plain is not None] == [  # what the worker sent ...
        want for (_, _, plain), want in zip(together, alone) if plain is not None
    ]
    assert any(plain is None for _, _, plain in together) and any(plain is not None for _, _, plain in together)
    assert [note_files.to_plain(parsed) for _, parsed, _ in together] == alone  # ... and what every file gave
    assert len(alone) == len(files) > 40 and any(plain[2] for plain in alone)  # notes and problems both crossed


def test_a_file_reached_by_two_paths_is_read_once(tmp_path) -> None:
    import os

    from custlens.pipeline.files import find_note_files

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("---\ndate: 2026-01-01\nkind: survey\nsegment: s\n---\n## Needs\n- x\n")
    os.symlink("a.md", folder / "link-to-a.md")
    os.symlink("missing.md", folder / "broken.md")  # cannot be looked at: still listed, to be reported
    files, _ = find_note_files([folder, folder / "a.md"])
    assert [p.name for p in files] == ["a.md", "broken.md"]


_BODY_LINES = [
    "## Needs", "## Pains", "## Follow-ups", "## Quotes", "## Notes", "# Call", "Needs:", "- a need", "- #need",
    "- #pain it breaks", "- **Need:** export", "- Need: **", "Pain: slow", "> we need this", "> #need", "- []()",
    "- `x`", "plain words", "", "- [[Xero]]", "- follow up with #need", "<!-- hidden -->", "- ** **",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_BODY_LINES), max_size=8), st.sampled_from(["", "needs: [export]\n", "needs: ['']\n"]))
def test_check_finds_a_stated_need_exactly_where_extract_does(lines: list[str], field: str) -> None:
    text = FRONT.replace("---\n", "---\n" + field, 1) if field else FRONT
    notes = parse_bytes((text + "\n".join(lines) + "\n").encode(), "n.md", ".md", SETTINGS).notes
    for note in notes:
        assert states_a_need(note) == any(s.type == "need" for s in extract([note]))


def test_excluded_files_are_skipped_by_their_path_or_their_name(tmp_path) -> None:
    from custlens.pipeline.files import find_note_files

    for relative in ("README.md", "a.md", "drafts/b.md", "drafts/old/c.md", "team/README.md", "team/d.yaml",
                     "team/x-template.md", "e.yml"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")

    def found(*patterns: str) -> list[str]:
        return sorted(p.relative_to(tmp_path).as_posix() for p in find_note_files([tmp_path], patterns)[0])

    everything = ["README.md", "a.md", "drafts/b.md", "drafts/old/c.md", "e.yml", "team/README.md", "team/d.yaml",
                  "team/x-template.md"]
    assert found() == everything
    assert found("README.md") == [p for p in everything if not p.endswith("README.md")]  # by name, in any folder
    assert found("drafts/*") == ["README.md", "a.md", "e.yml", "team/README.md", "team/d.yaml", "team/x-template.md"]
    assert found("*-template.md", "*.y?ml") == ["README.md", "a.md", "drafts/b.md", "drafts/old/c.md", "e.yml", "team/README.md"]
    assert found("team/[d]*", "[!a-z]*") == ["a.md", "drafts/b.md", "drafts/old/c.md", "e.yml", "team/x-template.md"]


def test_a_yaml_value_is_plain_text_not_markdown() -> None:
    # an imported ticket says what it says: `#need`, `**`, `<!-- -->` are the customer's characters
    text = ('date: 2026-03-01\nkind: survey\nsegment: smb\nneeds: ["Export with **bold** and a #tag"]\n'
            'text: "#need please add deposits <!-- hidden --> visible"\n')
    found = [(s.section, s.type, s.text) for s in statements(text, ".yaml")]
    assert found == [("needs", "need", "Export with **bold** and a #tag"),
                     ("text", None, "#need please add deposits <!-- hidden --> visible")]  # the tagger types it


def test_a_statement_written_as_a_block_is_located_on_its_words() -> None:
    text = "- date: 2026-09-01\n  kind: survey\n  segment: s\n  needs: |\n\n    Deposits when clients book.\n  text: >\n    The sync\n    lags.\n"
    parsed = parse_bytes(text.encode(), "b.yaml", ".yaml", SETTINGS, base_id="b")
    assert [(s.text, s.line) for s in extract(parsed.notes)] == [("Deposits when clients book.", 6), ("The sync lags.", 8)]
