"""The values that flow through custlens: the fields of a note, a Note, a Block of its body, a Statement.

`NoteFields` is the pydantic model `check` validates front matter and YAML notes with, and the one
`custlens schema` turns into a JSON Schema, so editors and CI check the same rules.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

StatementType = Literal["pain", "need", "other"]

DEFAULT_KINDS: tuple[str, ...] = (
    "interview",
    "observation",
    "usability-test",
    "survey",
    "support-ticket",
    "sales-call",
    "advisory-board",
    "focus-group",
    "community",
    "in-app-feedback",
    "cancellation",
)

# Keys of a note that hold statements, in the order they are read.
STATEMENT_FIELDS: tuple[str, ...] = ("pains", "needs", "quotes", "observations", "insights", "text")

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"true/false ({value})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return repr(value)


def _as_written(value: str | int) -> str:
    """Text as the note has it: a number in YAML (`participant: 0042`) as written, not as read (34)."""
    return getattr(value, "written", None) or str(value)


def _text(value: Any, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise PydanticCustomError("wrong_type", "must be {what}, not {got}", {"what": what, "got": _describe(value)})
    return _as_written(value).strip()


def _required_text(value: Any) -> str:
    text = _text(value, "text")
    if not text:
        raise PydanticCustomError("empty", "must not be empty")
    return text


def _optional_text(value: Any) -> str | None:
    if value is None:
        return None
    return _text(value, "text") or None


def _text_list(value: Any) -> list[str]:
    """Accept one text or a list of texts; anything else is a clear error."""
    if value is None:
        return []
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        if isinstance(value, int):
            raise PydanticCustomError(
                "wrong_type", "must be text or a list of texts, not {got}", {"got": _describe(value)}
            )
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        out = []
        for position, item in enumerate(value, 1):
            if isinstance(item, bool) or not isinstance(item, (str, int)):
                raise PydanticCustomError(
                    "wrong_type",
                    "item {position} must be text, not {got}",
                    {"position": position, "got": _describe(item)},
                )
            out.append(_as_written(item).strip())
        return out
    raise PydanticCustomError("wrong_type", "must be text or a list of texts, not {got}", {"got": _describe(value)})


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError(
                "impossible_date", "{value} is not a real date", {"value": value.strip()}
            ) from None
    raise PydanticCustomError("not_a_date", "is not a date (YYYY-MM-DD): {got}", {"got": _describe(value)})


# The schema accepts what `check` accepts: a number where text is expected is read as that text.
_TEXT_LIST_SCHEMA = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": ["string", "integer"]}}]}
Text = Annotated[
    str, BeforeValidator(_required_text),
    WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]}),
]
OptionalText = Annotated[
    str | None, BeforeValidator(_optional_text), WithJsonSchema({"type": ["string", "integer", "null"]})
]
TextList = Annotated[list[str], BeforeValidator(_text_list), WithJsonSchema(_TEXT_LIST_SCHEMA)]
NoteDate = Annotated[
    dt.date, BeforeValidator(_date), WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE.pattern})
]


class NoteFields(BaseModel):
    """The fields of one note: the front matter of a Markdown note, or one mapping of a YAML note."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, title="custlens note")

    date: NoteDate = Field(description="When the conversation happened, YYYY-MM-DD.")
    kind: Text = Field(description="Kind of source: interview, support-ticket, survey, ...")
    segment: Text = Field(description="The customer segment this participant belongs to.")
    participant: OptionalText = Field(None, description="A pseudonymous participant id, not a name.")
    researcher: TextList = Field(default_factory=list, description="Who took the note: one name or a list.")
    title: OptionalText = None
    account: OptionalText = None
    role: OptionalText = None
    tags: TextList = Field(default_factory=list)
    competitors: TextList = Field(default_factory=list)
    source: OptionalText = Field(None, description="Link to the recording, ticket or transcript.")
    consent: bool | str | None = Field(None, description="Whether (or how) the participant consented.")
    id: OptionalText = Field(None, description="A stable id for the note; defaults to the file name.")
    pains: TextList = Field(default_factory=list, description="Problems the customer has.")
    needs: TextList = Field(default_factory=list, description="What the customer needs or asks for.")
    quotes: TextList = Field(default_factory=list, description="The customer's own words.")
    observations: TextList = Field(default_factory=list)
    insights: TextList = Field(default_factory=list)
    text: TextList = Field(default_factory=list, description="Free text; pains and needs in it are tagged.")

    @field_validator("consent", mode="before")
    @classmethod
    def _consent(cls, value: Any) -> Any:
        if value is None or isinstance(value, (bool, str)):
            return value
        raise PydanticCustomError("wrong_type", "must be true/false or text, not {got}", {"got": _describe(value)})


NOTE_KEYS: tuple[str, ...] = tuple(NoteFields.model_fields)
UNDER_MINIMUM = "under the minimum confidence"  # in the `why` of a pain or need --min-confidence made other


@dataclass(frozen=True, slots=True)
class Block:
    """One statement-sized piece of a note as written: a bullet, a paragraph, a blockquote or a field item.

    `headings` are the Markdown headings it sits under, outermost first, as (level, text); `label` is the
    word before a colon that marks it (`Pain: ...`), lower-cased; `field` is the YAML key it came from.
    """

    text: str
    line: int
    origin: Literal["bullet", "paragraph", "blockquote", "field"]
    headings: tuple[tuple[int, str], ...] = ()
    label: str | None = None
    field: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Note:
    """One valid note: who said it, when, through which kind of source, and its blocks in file order."""

    id: str
    path: str
    line: int
    entry: int | None
    date: dt.date
    kind: str
    segment: str
    participant: str | None
    researchers: tuple[str, ...]
    title: str | None
    tags: tuple[str, ...]
    blocks: tuple[Block, ...]
    fields: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)
    date_line: int | None = None  # the line of its `date:` (None: the note's own line)
    segment_line: int | None = None  # the line of its `segment:` (None: the note's own line)

    @property
    def who(self) -> str:
        """The participant, or the note itself when no participant is given (one respondent per note):
        keyed by its file and batch entry, which no other note shares. Ids ignore case: P-7 is p-7."""
        return self.participant.casefold() if self.participant else f"note:{self.path}#{self.entry or 0}"


@dataclass(frozen=True, slots=True, eq=False)
class Statement:
    """One thing a customer said or the team observed, with its type and where it came from.

    `type` is None until the tagger has run; `inferred` says whether the type was inferred by the tagger
    (with the `cue` that fired, its `confidence` and `why`) or stated by the note (a Needs section, a
    `Need:` line, a `#need` tag).
    """

    text: str
    section: str
    line: int
    note: Note
    type: StatementType | None
    inferred: bool = False
    cue: str | None = None
    confidence: float | None = None  # how sure the tagger is of an inferred type (the semantic engine's)
    why: str | None = None  # how an inferred type was decided: `cue "i wish", model 0.83`, `model 0.71`

    @property
    def place(self) -> str:
        return f"{self.note.path}:{self.line}"


def note_schema(
    kinds: tuple[str, ...] | list[str], segments: list[str] | None = None, attributes: list[str] | tuple[str, ...] = ()
) -> dict[str, Any]:
    """The JSON Schema of a note's fields, from `NoteFields`, with the team's kinds, segments and extra
    keys: a mapping (front matter, or a YAML note) or a list of them (a YAML batch)."""
    note = NoteFields.model_json_schema()
    note["properties"]["kind"]["enum"] = list(kinds)
    if segments is not None:
        note["properties"]["segment"]["enum"] = list(segments)
    for name in attributes:
        note["properties"].setdefault(name, {"description": "A custom attribute from custlens.yaml."})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "custlens note",
        "description": "The front matter of a custlens Markdown note, or a YAML note file: one note or a list of notes.",
        "$defs": {"note": note},
        "anyOf": [{"$ref": "#/$defs/note"}, {"type": "array", "items": {"$ref": "#/$defs/note"}, "minItems": 1}],
    }
