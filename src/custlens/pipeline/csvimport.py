"""Survey and help-desk exports (CSV) to one YAML batch note: one entry per row.

Typeform, Google Forms, Zendesk and Intercom style exports: UTF-8 with or without a byte-order mark, any
delimiter the csv sniffer finds (`,` `;` tab `|`), cells quoted as spreadsheets quote them (`""` for a
quote inside a cell), a header row naming the columns. Rows with no text are skipped and
counted. Free text (`--type auto`) goes into `text:`, for the tagger to type at synthesis time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from custlens.errors import CustlensError, ExitCode
from custlens.infra.visible import quoted

DATE_FORMATS = (
    "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
    "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y",
)
_ISO_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]")
# 5/13/2026, 13.05.2026, 13-05-26, with or without a time after it (Google Forms: "5/13/2026 10:22:13")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T,].*)?$")
DATE_ORDERS = ("auto", "dmy", "mdy")


@dataclass(frozen=True)
class ImportOptions:
    text_column: str
    type: str = "auto"
    kind: str = "survey"
    segment_column: str | None = None
    segment: str | None = None
    date_column: str | None = None
    date: dt.date | None = None
    participant_column: str | None = None
    date_order: str = "auto"  # for dates like 03/05/2026: day first (dmy) or month first (mdy)


@dataclass
class ImportResult:
    """The YAML text of the batch and what happened to the rows."""

    text: str
    entries: int
    rows: int
    skipped_empty: int = 0
    skipped_no_segment: int = 0
    name: str = ""
    dates: list[str] = field(default_factory=list)
    future: list[dt.date] = field(default_factory=list)  # dates after today (a typo, or the wrong --date-order)


def date_order(values: list[str]) -> str | None:
    """How a column writes numeric dates: "dmy" if a first number is over 12 (13/05/2026), "mdy" if a
    second one is (5/13/2026); with no such date, "dmy" for dots (the European 03.05.2026); None if the
    column could be read both ways, or holds both."""
    seen: set[str] = set()
    dots = False
    ambiguous = False
    for value in values:
        found = _NUMERIC_DATE.match(value.strip())
        if not found:
            continue
        first, second = int(found.group(1)), int(found.group(3))
        dots = dots or found.group(2) == "."
        if first > 12:
            seen.add("dmy")
        elif second > 12:
            seen.add("mdy")
        elif first != second:
            ambiguous = True
    if len(seen) == 1:
        return seen.pop()
    if seen or (ambiguous and not dots):
        return None
    return "dmy"


def _order_evidence(dated: list[tuple[int, str]]) -> str:
    """Why a column's date order is unclear, with the lines that show it: day first on one line and
    month first on another, or a date that reads both ways."""
    day_first = month_first = both = None
    for line, value in dated:
        found = _NUMERIC_DATE.match(value)
        if not found:
            continue
        first, second = int(found.group(1)), int(found.group(3))
        if first > 12:
            day_first = day_first or (line, value)
        elif second > 12:
            month_first = month_first or (line, value)
        elif first != second:
            both = both or (line, value)
    if day_first and month_first:
        return (f"hold both day-first ({day_first[1]}, line {day_first[0]}) and month-first dates "
                f"({month_first[1]}, line {month_first[0]})")
    shown = both or day_first or month_first
    return "can be read day first or month first" + (f" ({shown[1]}, line {shown[0]})" if shown else "")


def parse_date(value: str, order: str = "dmy") -> dt.date | None:
    value = value.strip()
    numeric = _NUMERIC_DATE.match(value)
    if numeric:
        first, second, year = int(numeric.group(1)), int(numeric.group(3)), int(numeric.group(4))
        day, month = (first, second) if order == "dmy" else (second, first)
        try:
            return dt.date(year + 2000 if year < 100 else year, month, day)
        except ValueError:
            return None
    found = _ISO_PREFIX.match(value)
    if found:
        value = found.group(1)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _column(header: list[str], wanted: str | None, option: str) -> int | None:
    if wanted is None:
        return None
    exact = [k for k, name in enumerate(header) if name.strip() == wanted.strip()]
    if len(exact) == 1:  # `Text` and `text` are two columns: the one written exactly so is meant
        return exact[0]
    found = [k for k, name in enumerate(header) if name.strip().lower() == wanted.strip().lower()]
    if len(found) == 1:
        return found[0]
    if found:
        raise CustlensError(
            f"{len(found)} columns are named {wanted!r} (columns {', '.join(str(k + 1) for k in found)}): "
            f"which one {option} means is unclear",
            hint="rename one of them in the export's header row", exit_code=ExitCode.PROBLEMS,
        )
    from custlens.pipeline.parse import suggest

    close = suggest(wanted, header)
    raise CustlensError(
        f"no column {wanted!r} for {option}",
        hint=f"did you mean {close!r}?" if close else f"columns: {_listed(header)}",
        exit_code=ExitCode.USAGE,
    )


def _listed(header: list[str], most: int = 20) -> str:
    """The header's names for a hint: the first `most`, each cut to 40 characters."""
    names = [name if len(name) <= 40 else name[:39] + "…" for name in header[:most]]
    return ", ".join(names) + (f", and {len(header) - most:,} more" if len(header) > most else "")


_QUOTED = re.compile(r'"[^"]*"')


def _delimiter(text: str, header: str) -> str:
    """The delimiter of an export: the only one of `,` `;` tab `|` its header line holds; else the csv
    sniffer's guess; else the one the header holds most often. (The sniffer alone fails on exports
    with a line break inside a quoted cell, and fell back to a comma for semicolon exports.)"""
    outside = _QUOTED.sub("", header)  # `"Text (what, why)"` holds commas that delimit nothing
    counts = {mark: outside.count(mark) for mark in ",;\t|"}
    present = [mark for mark, count in counts.items() if count]
    if len(present) == 1:
        return present[0]
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
    except csv.Error:
        return max(counts, key=lambda mark: counts[mark])


def read_rows(data: bytes, path: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the rows of a CSV export; a clear error for what is not one."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CustlensError("the export is not UTF-8", path=path, line=line,
                            hint="export it again as UTF-8 CSV", exit_code=ExitCode.PROBLEMS) from None
    if not text.strip():
        raise CustlensError("the export is empty", path=path, exit_code=ExitCode.PROBLEMS)
    # The sniffer is asked for the delimiter only: the rest of its guess (no doubled quotes, another
    # quote character) turned `"no complaints ""at all""; keep going"` into broken text. Exports quote
    # as spreadsheets do: `"` around a cell, `""` for a quote inside it.
    first_line = next((line for line in text.split("\n") if line.strip()), "")  # the header's (blank lines before it)
    one_column = not any(mark in first_line for mark in ",;\t|")  # a comma in a row of one column is text
    if one_column:
        delimiter = "\x1f"  # the unit separator, which no export writes inside its text
    else:
        delimiter = _delimiter(text, first_line)
    rows: list[tuple[int, list[str]]] = []  # (line the row starts on, cells): a quoted cell may span lines
    # strict: a quote that never closes, or text after a closing quote, is an error with its line, not
    # the rest of the file read into one cell (or a quote dropped) without a word
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter, strict=True)
    ended = 0  # the line the previous row ended on
    try:
        for row in reader:
            rows.append((ended + 1, ["\x1f".join(row)] if one_column and len(row) > 1 else row))
            ended = reader.line_num
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise CustlensError("a quoted cell is never closed: the rest of the file would be one cell", path=path,
                                line=ended + 1, hint='close the cell with `"`, and write a `"` inside a cell as `""`',
                                exit_code=ExitCode.PROBLEMS) from None
        raise CustlensError(f"not a readable CSV file: {exc}", path=path, line=reader.line_num,
                            hint='a cell with quotes is written `"like ""this"""`', exit_code=ExitCode.PROBLEMS) from None
    first = next((k for k, (_, row) in enumerate(rows) if any(cell.strip() for cell in row)), None)
    if first is None:
        raise CustlensError("the export has no header row", path=path, exit_code=ExitCode.PROBLEMS)
    header, rows = rows[first][1], rows[first + 1 :]  # blank lines above the header are no rows
    shown = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}.get(delimiter, "delimiter")
    for line, row in rows:  # a cell cut at an unquoted delimiter would lose the rest of the customer's words
        if len(row) > len(header) and any(extra.strip() for extra in row[len(header):]):
            raise CustlensError(
                f"the row has {len(row)} cells but the header has {len(header)}: a cell with a {shown} in it "
                "that is not quoted?", path=path, line=line,
                hint=f'quote a cell that holds a {shown} ("like{delimiter} this"), as spreadsheets export it; '
                "nothing was written", exit_code=ExitCode.PROBLEMS,
            )
    return header, rows


def build_batch(data: bytes, source: str, options: ImportOptions, today: dt.date) -> ImportResult:
    """One YAML batch note from a CSV export: a mapping per row that has text."""
    header, rows = read_rows(data, source)
    text_at = _column(header, options.text_column, "--text-column")
    segment_at = _column(header, options.segment_column, "--segment-column")
    date_at = _column(header, options.date_column, "--date-column")
    participant_at = _column(header, options.participant_column, "--participant-column")
    if segment_at is None and not options.segment:
        raise CustlensError("every note needs a segment", hint="give --segment S or --segment-column C",
                            exit_code=ExitCode.USAGE)
    field_name = {"pain": "pains", "need": "needs", "auto": "text"}[options.type]
    result = ImportResult("", 0, len(rows))
    lines = [
        f"# Imported from {Path(source).name} on {today.isoformat()} by `custlens import`:",
        f"# one note per row; {{skipped}} of {len(rows)} rows skipped (no text or no segment).",
    ]

    def cell(row: list[str], at: int | None) -> str:
        return row[at].strip() if at is not None and at < len(row) else ""

    order = options.date_order
    if date_at is not None and order == "auto":
        found = date_order([cell(row, date_at) for _, row in rows])
        if found is None:
            dated = [(number, cell(row, date_at)) for number, row in rows]
            raise CustlensError(
                f"the dates in column {header[date_at]!r} {_order_evidence(dated)}",
                path=source, hint="give --date-order dmy (3 May) or --date-order mdy (March 5)",
                exit_code=ExitCode.USAGE,
            )
        order = found
    for number, row in rows:
        text = " ".join(cell(row, text_at).split())
        if not text:
            result.skipped_empty += 1
            continue
        segment = cell(row, segment_at) or (options.segment or "")
        if not segment:
            result.skipped_no_segment += 1
            continue
        date = options.date or today
        if date_at is not None and cell(row, date_at):
            parsed = parse_date(cell(row, date_at), order)
            if parsed is None:
                raise CustlensError(
                    f"{cell(row, date_at)!r} in column {header[date_at]!r} is not a date I can read",
                    path=source, line=number, hint="use YYYY-MM-DD, or leave --date-column out and give --date",
                    exit_code=ExitCode.PROBLEMS,
                )
            date = parsed
        lines.append(f"- date: {date.isoformat()}")
        lines.append(f"  kind: {quoted(options.kind)}")
        lines.append(f"  segment: {quoted(segment)}")
        participant = cell(row, participant_at)
        if participant:
            lines.append(f"  participant: {quoted(participant)}")
        lines.append(f"  {field_name}: {quoted(text)}")
        result.entries += 1
        result.dates.append(date.isoformat())
    skipped = result.skipped_empty + result.skipped_no_segment
    lines[1] = lines[1].replace("{skipped}", str(skipped))
    result.text = "\n".join(lines) + "\n"
    first = min(result.dates) if result.dates else today.isoformat()
    stem = re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower()).strip("-")[:40] or "export"
    result.name = f"{first}-import-{stem}"
    return result
