"""Redaction for reports shared outside the research team: e-mail addresses, phone numbers, tokens in
URLs, and the names a team lists in its config are masked in every text a report shows."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from custlens.models import Note, Statement
from custlens.pipeline.triangulate import Evidence

# Every pattern here costs time linear in the text: none is tried again from each character of a long
# word or URL. An e-mail address is found from its `@` (the domain by a pattern, the name before it by
# a walk back over its characters), a URL token only where a run of token characters starts.
EMAIL_DOMAIN = re.compile(r"@[\w-]+(?:\.[\w-]+)+")
# A phone number: digits with single spaces, dots, dashes or brackets between them, 7 to 15 digits in all
# (9 or more when nothing separates them), an optional leading "+". Dates and year ranges are not phones.
PHONE = re.compile(r"(?<![\w/+.-])(?:\+\s?)?(?:\(\d{1,5}\)\s?)?\d(?:[\s.-]?\(?\d\)?){5,18}(?![\w/])")
NOT_A_PHONE = re.compile(r"\d{4}-\d{2}-\d{2}|(?:19|20)\d\d\s?[-.\s]\s?(?:19|20)\d\d|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
URL = re.compile(r"https?://[^\s\"'<>)\]]+")
# A web address written without its scheme: `www.` and what follows, or a host with a dot then a path
# (`portal.example.com/invoice?id=88`). It starts only where no word, dot, slash or colon runs into it.
BARE_URL = re.compile(
    r"(?<![\w@./:-])(?:www\.[^\s\"'<>)\]]+|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}[/?#][^\s\"'<>)\]]*)")
TOKEN = re.compile(r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{16,}")
# An access token in free text: a known prefix (GitHub, Slack, Stripe, OpenAI, GitLab, AWS, Google, a JWT),
# or 20+ characters mixing upper case, lower case and digits.
SECRET = re.compile(
    r"(?<![\w-])(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|github_pat_\w{20,}|xox[abprs]-[A-Za-z0-9-]{10,}"
    r"|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|sk-[A-Za-z0-9_-]{20,}|glpat-[A-Za-z0-9_-]{20,}|AKIA[A-Z0-9]{16}"
    r"|AIza[A-Za-z0-9_-]{30,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"
    r"|(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{20,})(?![\w-])"
)


# a word as labels are read for masking: letters and digits only, so that `ghp_x1` is `ghp` and `x1`
PLAIN_WORD = re.compile(r"[^\W_]+")


def masked_words(pairs: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The words (case-folded) that redaction took out of texts and that no redacted text still shows,
    from (original, redacted) pairs.

    A theme's label is a phrase of its statements' original words, read without their punctuation:
    `ghp_...` or `ana.lopez@x.example` no longer look like a token or an address there, so a label
    is masked by these words as well as by the patterns."""
    removed: set[str] = set()
    shown: set[str] = set()
    for original, redacted in pairs:
        kept = {word.casefold() for word in PLAIN_WORD.findall(redacted)}
        shown |= kept
        if original != redacted:
            removed.update(word.casefold() for word in PLAIN_WORD.findall(original))
    return frozenset(removed - shown)


class Redactor:
    """Masks personal data in text. `names` are matched as whole words, in any case, with their words
    joined by spaces, `-`, `_` or `.` (as a file name or note id made from a title writes them)."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        cleaned = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
        self.names = (
            re.compile(r"(?<![^\W_])(?:" + "|".join(_name_pattern(n) for n in cleaned) + r")(?![^\W_])", re.IGNORECASE)
            if cleaned
            else None
        )

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        text = URL.sub(_url, text)
        text = BARE_URL.sub(_url, text)
        text = _mask_emails(text)
        text = SECRET.sub("[token]", text)
        text = PHONE.sub(_phone, text)
        if self.names is not None:
            text = self.names.sub("[name]", text)
        return text

    def label(self, label: str, masked: frozenset[str]) -> str:
        """A label masked by the patterns and by the words redaction took out of the statements
        (`masked_words`); masked words next to each other become one `[redacted]`."""
        text = self(label) or ""
        parts: list[str] = []
        done, joined = 0, -1  # the text is copied up to `done`; `joined`: where the last mask ends
        for found in PLAIN_WORD.finditer(text):
            if found.group(0).casefold() in masked:
                between = text[done:found.start()]
                if done != joined or between.strip(" -'’."):
                    parts += [between, "[redacted]"]
                done = joined = found.end()
        return "".join(parts) + text[done:]

    def value(self, value: Any) -> Any:
        """Redact every string inside a YAML value (custom attributes, note fields)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.value(v) for v in value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value


def _name_pattern(name: str) -> str:
    """A listed name as written, its words joined by spaces, `-`, `_` or `.`; and as a file name or note
    id writes it: accents dropped, any run of other characters between its parts (`jose-garcia`,
    `mary-jane-o-neil`)."""
    written = r"[\s._-]+".join(re.escape(word) for word in name.split())
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    parts = PLAIN_WORD.findall(plain)
    slug = r"[\W_]+".join(re.escape(part) for part in parts)
    return f"{written}|{slug}" if parts else written


def _mask_emails(text: str) -> str:
    """Every `name@domain.tld` as `[email]`; the name is the run of letters, digits and `.+-_` before
    the `@` (after the previous address, if they touch)."""
    if "@" not in text:
        return text
    parts: list[str] = []
    done = 0
    for found in EMAIL_DOMAIN.finditer(text):
        start = found.start()
        while start > done and (text[start - 1].isalnum() or text[start - 1] in "_.+-"):
            start -= 1
        if start < found.start():
            parts += [text[done:start], "[email]"]
            done = found.end()
    return "".join(parts) + text[done:] if parts else text


def _url(match: re.Match[str]) -> str:
    url = match.group(0)
    base, _, _query = url.partition("?")
    base, _, _fragment = base.partition("#")
    if not (_query or _fragment):  # nothing after a `?` or `#`: the address as written, tokens masked
        return TOKEN.sub("[token]", url)
    return TOKEN.sub("[token]", base) + "?[redacted]"


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if NOT_A_PHONE.fullmatch(text.strip()) or not 7 <= digits <= 15 or (text.isdigit() and digits < 9):
        return text
    return "[phone]"


def redact_notes(notes: Sequence[Note], redactor: Redactor) -> dict[int, Note]:
    """A redacted copy of each note, by id() of the original.

    Participants whose id had something masked become `[participant N]`, numbered in the order of the
    original ids, so that two people never turn into one and the counts stay what they were.
    """
    masked = sorted({n.participant for n in notes if n.participant and redactor(n.participant) != n.participant})
    number: dict[str, int] = {}  # ids that differ only in case are one participant, as in the counts
    for original in masked:
        number.setdefault(original.casefold(), len(number) + 1)
    stand_in = {original: f"[participant {number[original.casefold()]}]" for original in masked}
    out = {}
    for note in notes:
        out[id(note)] = dataclasses.replace(
            note,
            id=redactor(note.id) or note.id,
            path=redactor(note.path) or note.path,
            participant=stand_in.get(note.participant or "", note.participant),
            researchers=tuple(redactor(r) or "" for r in note.researchers),
            title=redactor(note.title),
            tags=tuple(redactor(t) or "" for t in note.tags),
            fields=redactor.value(note.fields),
            attributes=redactor.value(note.attributes),
        )
    return out


def redact_statement(statement: Statement, notes: dict[int, Note], redactor: Redactor) -> Statement:
    return dataclasses.replace(statement, text=redactor(statement.text) or "", note=notes[id(statement.note)])


def redact_evidence(ranked: Sequence[Evidence], statements: dict[int, Statement], redactor: Redactor,
                    originals: Iterable[Statement]) -> list[Evidence]:
    """Redacted copies of the evidence, with `statements` the redacted statements by id() of the
    `originals`; labels are masked by the words redaction took out of them too."""
    masked = masked_words((s.text, statements[id(s)].text) for s in originals)
    out = []
    for evidence in ranked:
        theme = evidence.theme
        representative = statements[id(theme.representative)] if theme.representative is not None else None
        new_theme = dataclasses.replace(
            theme,
            label=redactor.label(theme.label, masked),  # a named theme's sub-theme may carry its name
            statements=tuple(statements[id(s)] for s in theme.statements),
            representative=representative,
            quote=statements[id(theme.quote)] if theme.quote is not None else None,
            subthemes=tuple(
                dataclasses.replace(
                    sub, label=redactor.label(sub.label, masked), statements=tuple(statements[id(s)] for s in sub.statements),
                    representative=statements[id(sub.representative)] if sub.representative is not None else None,
                )
                for sub in theme.subthemes
            ),
        )
        out.append(
            dataclasses.replace(
                evidence,
                theme=new_theme,
                quote=statements[id(evidence.quote)],
                researchers=tuple(redactor(r) or "" for r in evidence.researchers),
            )
        )
    return out
