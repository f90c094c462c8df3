"""`custlens init`: a commented custlens.yaml and an example note, never over existing files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from custlens.commands.add import NewNote, note_markdown
from custlens.errors import CustlensError, ExitCode, cannot_write
from custlens.pipeline.files import display_path

CONFIG_TEMPLATE = """\
# custlens settings. Paths are relative to this file.

# Folders that hold notes (Markdown with YAML front matter, or YAML files with one note or a list).
notes: [notes]

# Kinds of source a note may come from.
kinds: [interview, observation, usability-test, survey, support-ticket, sales-call, advisory-board,
        focus-group, community, in-app-feedback, cancellation]

# Known customer segments. Leave it out to allow any; list them to catch typos in `custlens check`.
# segments: [smb-retail, mid-market, enterprise]

# Extra front matter keys your team uses; they are kept on each note instead of being warned about.
attributes: []

# `custlens check` fails on notes that state no customer need.
require_need: true

# Default researcher for `custlens add` (else `git config user.name`).
# researcher: ana

# Named themes, edited by hand or extended with `custlens themes --write-codebook`.
codebook: themes.yaml

# How statements are grouped into themes: `semantic` (by meaning, with a local model; the default) or
# `fuzzy` (by shared words and spelling, for machines without the model).
# engine: semantic

# How alike statements must be, on average, to share a theme (0-1): a cosine similarity for `semantic`
# (default 0.35; sub-themes 0.56), a word score for `fuzzy` (default 0.2). Higher: more, tighter themes.
# threshold: 0.35
# subtheme_threshold: 0.56

# Cue phrases for the pain/need tagger, added or removed.
# cues:
#   pain: {add: ["eats our margin"], remove: ["slow"]}
#   need: {add: ["would kill for"]}

# Names that `--redact` masks in reports shared outside the research team.
redact: []
"""


def init(folder: Path) -> list[Path]:
    """Write a commented custlens.yaml and an example note; refuse to overwrite either."""
    from custlens.infra.storage import write_new

    config_path = folder / "custlens.yaml"
    if config_path.exists():
        raise CustlensError(
            f"{display_path(config_path)} already exists; nothing was written",
            hint="edit it, or remove it first to start again",
            exit_code=ExitCode.PROBLEMS,
        )
    written = []
    try:
        write_new(config_path, CONFIG_TEMPLATE)
        written.append(config_path)
        example = NewNote(
            kind="interview",
            segment="example-segment",
            date=dt.date.today(),
            participant="P-001",
            title="Example interview: replace me",
            pains=("Copying last week's numbers into a spreadsheet takes most of Monday morning.",),
            needs=("A weekly summary she can forward to the owner without editing it.",),
            quotes=("Mondays are spreadsheet day, and I hate spreadsheet day.",),
        )
        notes = folder / "notes"
        notes.mkdir(exist_ok=True)
        from custlens.infra.storage import write_unique

        written.append(write_unique(notes, f"{example.date.isoformat()}-example-segment-p-001", ".md", note_markdown(example)))
    except OSError as exc:
        raise cannot_write(f"cannot write in {display_path(folder)}", exc) from None
    return written
