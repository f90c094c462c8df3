"""The command line's options: their types (choices as Literals, so `--help` and completion list them),
the options every report shares, declared once, and what they are parsed into (`ReportOptions`).

`report_command` gives a command function the shared options: its own parameters come first, then the
notes to read and the filters, then how statements are grouped; the function receives them gathered
into one `options: ReportOptions`, and `cache: bool`.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, cast

import typer

from custlens.errors import CustlensError
from custlens.infra.visible import visible

if TYPE_CHECKING:
    from custlens.commands.synthesis import Filters, ReportOptions
    from custlens.infra.config import Config
    from custlens.pipeline.themes import ThemeSettings

ReportFormat = Literal["table", "json", "csv", "markdown"]
ShowFormat = Literal["text", "json", "csv", "markdown"]
CheckFormat = Literal["text", "github", "json"]
ThemeType = Literal["pain", "need"]
StatementKind = Literal["pain", "need", "other"]
ImportType = Literal["pain", "need", "auto"]
Strength = Literal["strong", "moderate", "anecdotal"]
Level = Literal["theme", "subtheme"]
Engine = Literal["semantic", "fuzzy"]
Period = Literal["month", "quarter"]
DateOrder = Literal["auto", "dmy", "mdy"]


def config() -> Config:
    from custlens.infra.config import find_config

    return find_config()


# --- shell completion: it must never break the shell -------------------------------------------------

def complete_kinds(incomplete: str) -> list[str]:
    try:
        return [visible(k) for k in config().kinds if k.startswith(incomplete)]
    except Exception:  # noqa: BLE001  # completion must never break the shell
        return []


def complete_segments(incomplete: str) -> list[str]:
    try:
        from custlens.commands.add import existing_segments

        return [visible(name) for name in existing_segments(config()) if name.startswith(incomplete)]
    except Exception:  # noqa: BLE001  # completion must never break the shell
        return []


def complete_themes(incomplete: str) -> list[tuple[str, str]]:
    try:
        from custlens.commands.synthesis import ReportOptions, synthesise

        ranked = synthesise(ReportOptions(), config()).ranked
        return [(e.theme.id, visible(e.theme.label[:60])) for e in ranked if e.theme.id.startswith(incomplete)]
    except Exception:  # noqa: BLE001  # completion must never break the shell
        return []


# --- values ----------------------------------------------------------------------------------------

def parse_day(value: str) -> dt.date:
    """A date written YYYY-MM-DD, `today` or `yesterday`; ValueError for anything else."""
    word = value.strip().casefold()
    if word in ("today", "yesterday"):
        return dt.date.today() - dt.timedelta(days=1 if word == "yesterday" else 0)
    return dt.date.fromisoformat(value.strip())


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError:
        raise CustlensError(f"invalid value for {option}: {value!r}",
                            hint="write dates as YYYY-MM-DD, today or yesterday") from None


# written as a date, but not a real one or not YYYY-MM-DD: 2026-9-1, 2026-02-30, 01/09/2026 (not 1.2.3, a version)
_DATE_LIKE = re.compile(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}|\d{1,2}[-/]\d{1,2}[-/]\d{4}")


def revision_or_date(value: str, option: str) -> dt.date | str:
    """A date (YYYY-MM-DD, `today`, `yesterday`), else a git revision: a tag, a branch or a commit. A
    revision named like a date is given in full (`refs/tags/2026-09-01`); what looks like a date but is
    not a real one in that form is refused as a date, not looked up as a revision."""
    try:
        return parse_day(value)
    except ValueError:
        if _DATE_LIKE.fullmatch(value.strip()):
            raise CustlensError(f"invalid value for {option}: {value!r} is not a date",
                                hint="write a real day as YYYY-MM-DD, e.g. 2026-09-01 "
                                "(a tag named like a date: refs/tags/<name>)") from None
        if not value.strip() or value.startswith("-"):
            raise CustlensError(f"invalid value for {option}: {value!r}",
                                hint="give a git tag, branch or commit, or a date (YYYY-MM-DD)") from None
        return value


def share(value: float | None, option: str, least: float = 0.0, above: bool = True) -> float | None:
    """A number over `least` (or at least it, with `above` False) and at most 1; nan is refused too."""
    if value is not None and not ((value > least if above else value >= least) and value <= 1):
        lower = "over 0" if above else "from 0"
        raise CustlensError(f"invalid value for {option}: {value}", hint=f"give a number {lower} to 1, e.g. 0.35")
    return value


# --- the options every report shares --------------------------------------------------------------

PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Note files or folders (default: the notes folders from custlens.yaml, else notes/).",
                   show_default=False, metavar="PATH"),
]
SegmentOpt = Annotated[
    list[str] | None,
    typer.Option("--segment", "-s", help="Only notes from this segment (repeatable).", show_default=False,
                 autocompletion=complete_segments, metavar="SEGMENT"),
]
KindOpt = Annotated[
    list[str] | None,
    typer.Option("--kind", "-k", help="Only notes of this kind of source (repeatable).", show_default=False,
                 autocompletion=complete_kinds, metavar="KIND"),
]
SinceOpt = Annotated[str | None, typer.Option("--since", help="Only notes on or after this date (YYYY-MM-DD).",
                                             show_default=False, metavar="DATE")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Only notes on or before this date (YYYY-MM-DD).",
                                             show_default=False, metavar="DATE")]
TypeOpt = Annotated[ThemeType | None, typer.Option("--type", "-t", help="Only pain or need themes.", show_default=False)]
StrengthOpt = Annotated[Strength | None, typer.Option("--min-strength", help="Only themes at least this strong.",
                                                      show_default=False)]
LevelOpt = Annotated[Level, typer.Option("--level", help="Rank the themes, or the sub-themes inside them.")]
EngineOpt = Annotated[
    Engine | None,
    typer.Option("--engine", help="Group by meaning, with a local model (semantic, the default), or by shared words "
                 "and spelling (fuzzy, no model).", show_default=False),
]
ThresholdOpt = Annotated[
    float | None,
    typer.Option("--threshold", help="How alike statements must be, on average, to share a theme (0-1; default 0.35 "
                 "by meaning, 0.2 with --engine fuzzy). Higher: more, tighter themes.", show_default=False, metavar="T"),
]
SubThresholdOpt = Annotated[
    float | None,
    typer.Option("--subtheme-threshold", help="How alike statements must be to share a sub-theme (0-1; default 0.56).",
                 show_default=False, metavar="T"),
]
ConfidenceOpt = Annotated[
    float | None,
    typer.Option("--min-confidence", help="How sure an inferred pain or need must be to count (0-1; semantic engine; "
                 "default 0, or min_confidence in custlens.yaml).", show_default=False, metavar="C"),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Stop on notes with errors instead of skipping them.", metavar="")]
RedactOpt = Annotated[
    bool,
    typer.Option("--redact", help="Mask e-mail addresses, phone numbers, access tokens, URL tokens and the names listed "
                 "under `redact:` in custlens.yaml, for reports shared outside the research team.", metavar=""),
]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Read and embed every note again instead of using the "
                                          "caches.", metavar="")]

# name, annotation, default: the shared options, in the order --help lists them (after a command's own)
_FILTERS: list[tuple[str, Any, Any]] = [
    ("segment", SegmentOpt, None), ("kind", KindOpt, None), ("since", SinceOpt, None), ("until", UntilOpt, None),
]
_THEME_FILTERS: dict[str, tuple[str, Any, Any]] = {
    "type": ("type_", TypeOpt, None), "min_strength": ("min_strength", StrengthOpt, None),
    "level": ("level", LevelOpt, "theme"),
}
_GROUPING: list[tuple[str, Any, Any]] = [
    ("min_confidence", ConfidenceOpt, None), ("engine", EngineOpt, None), ("threshold", ThresholdOpt, None),
    ("subtheme_threshold", SubThresholdOpt, None), ("strict", StrictOpt, False), ("redact", RedactOpt, False),
    ("no_cache", NoCacheOpt, False),
]

F = TypeVar("F", bound=Callable[..., Any])


def report_command(*filters: Literal["type", "min_strength", "level"], dates: bool = True) -> Callable[[F], F]:
    """Give a command the shared report options (and the theme filters named), gathered into one
    `options: ReportOptions` argument and a `cache: bool` one. Without `dates`, the command has its own
    `--since` and `--until` (a revision or a date: `changes`, `report`), and they filter nothing."""

    def decorate(function: F) -> F:
        own = inspect.signature(function)
        kept = [_evaluated(p, function) for p in own.parameters.values() if p.name not in ("options", "cache")]
        dated = _FILTERS if dates else [f for f in _FILTERS if f[0] not in ("since", "until")]
        shared = [("paths", PathsArg, None), *dated, *(_THEME_FILTERS[name] for name in filters), *_GROUPING]
        names = [name for name, _, _ in shared]
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
                 for name, annotation, default in shared]
        keyword = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in kept]
        arguments = [p for p in keyword if _is_argument(p)]
        options = [p for p in keyword if not _is_argument(p)]
        signature = own.replace(parameters=[*arguments, added[0], *options, *added[1:]])

        @functools.wraps(function)
        def command(**values: Any) -> Any:
            given = {name: values.pop(name) for name in names}
            return function(options=report_options(given), cache=not given["no_cache"], **values)

        command.__signature__ = signature  # type: ignore[attr-defined]  # what typer reads the options from
        command.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
        return cast(F, command)

    return decorate


def _evaluated(parameter: inspect.Parameter, function: Callable[..., Any]) -> inspect.Parameter:
    """The parameter with its annotation evaluated (they are text under `from __future__ import annotations`)."""
    annotation = parameter.annotation
    if isinstance(annotation, str):
        annotation = eval(annotation, function.__globals__)  # custlens's own annotations, not input
    return parameter.replace(annotation=annotation)


def _is_argument(parameter: inspect.Parameter) -> bool:
    """Whether a parameter is a positional argument on the command line (typer.Argument)."""
    from typer.models import ArgumentInfo

    return any(isinstance(meta, ArgumentInfo) for meta in getattr(parameter.annotation, "__metadata__", ()))


def grouping(engine: str | None, threshold: float | None, sub_threshold: float | None = None) -> ThemeSettings:
    """How statements are grouped, from the options (what is not given comes from the config)."""
    from custlens.pipeline.themes import ThemeSettings

    threshold = share(threshold, "--threshold")
    sub_threshold = share(sub_threshold, "--subtheme-threshold")
    return ThemeSettings(engine=cast(Engine | None, engine), threshold=threshold, sub_threshold=sub_threshold)


def report_filters(given: dict[str, Any]) -> Filters:
    from custlens.commands.synthesis import Filters, check_order

    since, until = parse_date(given.get("since"), "--since"), parse_date(given.get("until"), "--until")
    check_order(since, until)
    return Filters(
        segments=tuple(given["segment"] or ()), kinds=tuple(given["kind"] or ()),
        since=since, until=until,
        type=given.get("type_"), min_strength=given.get("min_strength"), level=given.get("level") or "theme",
        min_confidence=share(given["min_confidence"], "--min-confidence", above=False),
    )


def report_options(given: dict[str, Any]) -> ReportOptions:
    """The one options object of a report, from the shared options as the command line gave them."""
    from custlens.commands.synthesis import ReportOptions

    return ReportOptions(
        paths=tuple(given["paths"] or ()), filters=report_filters(given),
        grouping=grouping(given["engine"], given["threshold"], given["subtheme_threshold"]),
        strict=given["strict"], redact=given["redact"],
    )
