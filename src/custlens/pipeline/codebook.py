"""The codebook: themes a team has named, with the phrases that put a statement into each.

`themes.yaml` maps a theme id to `{label, type, match}`:

    sso:
      label: Single sign-on
      type: need
      match: ["SSO", "single sign-on", "Okta", "SAML"]

A statement joins the entry whose phrase it contains (as whole words, ignoring case and punctuation;
phrases of two or more words also match with small typos). When several entries match, the longest
matching phrase wins, then the entry that comes first in the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from custlens.errors import CustlensError, cannot_write
from custlens.infra.visible import quoted
from custlens.infra.yamlsafe import YamlError, load_yaml_strictly, settings_text
from custlens.pipeline.normalise import for_phrases

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
FUZZY_CUTOFF = 90


class CodebookEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1)
    type: Literal["pain", "need"] | None = None
    match: list[str] = Field(default_factory=list)

    @field_validator("match", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


@dataclass(frozen=True)
class Codebook:
    """Named themes, in file order."""

    entries: dict[str, CodebookEntry]

    def __bool__(self) -> bool:
        return bool(self.entries)


CODEBOOK_BYTES = 5_000_000


def codebook_text(path: Path) -> str | None:
    """A codebook file's text (None when there is none); one that is not a regular file, is too large
    or is not UTF-8 is an error that names it."""
    from custlens.pipeline.files import Refused, read_regular

    if not path.exists():
        return None
    try:
        raw = read_regular(path, CODEBOOK_BYTES)
    except Refused as refused:
        raise CustlensError("the codebook is not a file (a folder, pipe or device)" if refused.why != "too-large"
                            else f"the codebook is {refused.size:,} bytes, over the limit of {CODEBOOK_BYTES:,}",
                            path=str(path), hint="point `codebook:` in custlens.yaml at a YAML file") from None
    except OSError as exc:
        raise CustlensError(f"cannot read the codebook: {(exc.strerror or str(exc)).lower()}", path=str(path)) from None
    return settings_text(raw, str(path), "the codebook")


def load_codebook(path: Path) -> Codebook:
    """Read a codebook; a missing file is an empty codebook, a broken one a located error."""
    text = codebook_text(path)
    if text is None:
        return Codebook({})
    try:
        data = load_yaml_strictly(text, "the codebook")
    except YamlError as exc:
        raise CustlensError(f"invalid codebook: {exc.message}", path=str(path), line=exc.line, hint=exc.hint) from None
    if data is None:
        return Codebook({})
    if not isinstance(data, dict):
        raise CustlensError("invalid codebook: it must map theme ids to {label, type, match}", path=str(path), line=1)
    entries: dict[str, CodebookEntry] = {}
    key_lines = getattr(data, "key_lines", {})
    for key, value in data.items():
        line = key_lines.get(key)
        if not isinstance(key, str) or not _ID.match(key):
            raise CustlensError(
                f"invalid codebook: theme id {key!r} must be lower-case letters, digits, '-' or '_'",
                path=str(path), line=line,
            )
        try:
            entries[key] = CodebookEntry.model_validate(value)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in (key, *error["loc"]))
            raise CustlensError(
                f"invalid codebook: {where}: {error['msg']}", path=str(path), line=line,
                hint='each theme needs `label:`, and optionally `type: pain|need` and `match: ["phrase", ...]`',
            ) from None
    return Codebook(entries)


def assign(codebook: Codebook, texts: Sequence[str], types: Sequence[str]) -> list[str | None]:
    """For each text, the id of the codebook entry it belongs to, or None.

    A phrase is looked for only in the texts that contain its rarest word (or, for the typo match,
    its two rarest words: a phrase with one mistyped word still has all its other words right), so
    the work grows with the matches, not with phrases x texts.
    """
    if not codebook:
        return [None] * len(texts)
    plains = [for_phrases(t) for t in texts]
    postings: dict[str, list[int]] = {}
    for k, text in enumerate(plains):
        for word in set(text.split()):
            postings.setdefault(word, []).append(k)
    best: list[tuple[int, int, str] | None] = [None] * len(texts)

    def offer(k: int, length: int, order: int, key: str) -> None:
        current = best[k]
        if current is None or (-length, order) < (-current[0], current[1]):
            best[k] = (length, order, key)

    from rapidfuzz import fuzz, process

    padded = [f" {text} " for text in plains]
    for order, (key, entry) in enumerate(codebook.entries.items()):
        for raw in entry.match:
            phrase = for_phrases(raw)
            if not phrase:
                continue
            words = sorted(set(phrase.split()), key=lambda w: len(postings.get(w, ())))
            needle = f" {phrase} "
            for k in postings.get(words[0], ()):
                if needle in padded[k] and (entry.type is None or types[k] == entry.type):
                    offer(k, len(phrase), order, key)
            if " " not in phrase:
                continue
            candidates = sorted(
                k for k in set(postings.get(words[0], ())).union(postings.get(words[1], ()) if len(words) > 1 else ())
                if entry.type is None or types[k] == entry.type
            )
            found = process.extract(
                phrase, [plains[k] for k in candidates], scorer=fuzz.partial_ratio,
                score_cutoff=FUZZY_CUTOFF, limit=None,
            )
            for _, _, index in found:
                offer(candidates[index], len(phrase), order, key)
    return [b[2] if b else None for b in best]


def entries_yaml(entries: dict[str, CodebookEntry]) -> str:
    """YAML text for new codebook entries, to append to the file a team edits by hand."""
    lines = []
    for key, entry in entries.items():
        lines.append(f"{key}:")
        lines.append(f"  label: {quoted(entry.label)}")
        if entry.type:
            lines.append(f"  type: {entry.type}")
        lines.append("  match:")
        for phrase in entry.match:
            lines.append(f"    - {quoted(phrase)}")
    return "\n".join(lines) + "\n"


CODEBOOK_HEADER = """\
# Named themes. Each key is a theme id; statements that contain one of its `match` phrases join it.
# Rename a theme by editing its label, merge two by moving phrases, split one by adding an entry.
"""


def add_entries(path: Path, new: dict[str, CodebookEntry]) -> list[str]:
    """Append new entries to the codebook file, keeping what is there, atomically; return their ids.
    A file whose text does not end in a mapping of themes is refused, and nothing is written."""
    from custlens.infra.storage import write_output
    from custlens.infra.yamlsafe import YamlError, load_yaml
    from custlens.pipeline.files import display_path

    if not new:
        return []
    old = codebook_text(path)
    old = CODEBOOK_HEADER if old is None else old
    text = old + ("" if old.endswith("\n") or not old else "\n") + "\n" + entries_yaml(new)
    try:
        combined = load_yaml(text)
    except YamlError:
        combined = None
    if not isinstance(combined, dict) or not set(new) <= set(combined):
        raise CustlensError(
            "cannot add themes to the codebook: its text does not end in a list of themes",
            path=display_path(path),
            hint="the file must map theme ids to {label, type, match}; nothing was written",
        )
    try:
        write_output(path, text)
    except OSError as exc:
        raise cannot_write("cannot write the codebook", exc, path=display_path(path)) from None
    return list(new)
