"""`custlens import`: a survey or help-desk export (CSV) to one YAML batch note."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from custlens.commands.add import notes_folder
from custlens.commands.check import latest_date
from custlens.errors import CustlensError, ExitCode, cannot_write
from custlens.infra.config import Config
from custlens.pipeline.files import display_path
from custlens.pipeline.parse import ParseSettings

if TYPE_CHECKING:
    from custlens.pipeline.csvimport import ImportOptions, ImportResult


EXPORT_TIMES_NOTE = 20  # an export may be this many times `max_file_bytes`: most columns stay behind


def import_csv(
    source: Path, options: ImportOptions, config: Config, folder: Path | None = None, dry_run: bool = False
) -> tuple[Path, ImportResult]:
    """Turn a CSV export into one YAML batch note in the notes folder (never over an existing file)."""
    from custlens.infra.storage import (
        remove_stale_temporaries,
        temporaries_in,
        write_unique,
    )
    from custlens.pipeline.csvimport import build_batch
    from custlens.pipeline.files import Refused, read_regular
    from custlens.pipeline.parse import parse_bytes

    limit = EXPORT_TIMES_NOTE * config.max_file_bytes
    try:
        data = read_regular(source, limit)
    except Refused as refused:
        if refused.why == "too-large":
            raise CustlensError(f"{display_path(source)} is {refused.size:,} bytes, over the limit of {limit:,} for an export",
                                hint=f"the note it makes may hold {config.max_file_bytes:,} (`max_file_bytes`): "
                                "split the export by date or by segment", exit_code=ExitCode.USAGE) from None
        raise CustlensError(f"{display_path(source)} is not a file (a folder, pipe or device)",
                            hint="save the export as a CSV file and import that", exit_code=ExitCode.USAGE) from None
    except OSError as exc:
        raise CustlensError(f"cannot read {display_path(source)}: {(exc.strerror or str(exc)).lower()}",
                            exit_code=ExitCode.USAGE) from None
    if options.kind not in config.kinds:
        from custlens.pipeline.parse import did_you_mean

        raise CustlensError(f"unknown kind `{options.kind}`",
                            hint=did_you_mean(options.kind, config.kinds, f"kinds: {', '.join(config.kinds)}"))
    result = build_batch(data, display_path(source), options, dt.date.today())
    if not result.entries:
        raise CustlensError("no row has text: nothing to import", path=display_path(source),
                            hint="check --text-column", exit_code=ExitCode.PROBLEMS)
    parsed = parse_bytes(result.text.encode("utf-8"), result.name + ".yaml", ".yaml", ParseSettings.from_config(config))
    errors = [p for p in parsed.problems if p.is_error]
    if errors:  # e.g. a segment the config does not know: say so before writing anything
        first = errors[0]
        raise CustlensError(f"the import would not pass `custlens check`: {first.message}", hint=first.hint,
                            exit_code=ExitCode.PROBLEMS)
    latest = latest_date()  # as `check` warns of them
    result.future = sorted({note.date for note in parsed.notes if note.date > latest})
    target = notes_folder(config, folder)
    before = _imported_before(target, result) if target.is_dir() else None
    if before is not None:  # a dry run says so too
        raise CustlensError(f"these rows were imported before, as {display_path(before)}: nothing written",
                            hint="a second copy would count every customer twice; remove that note to import "
                            "them again, or import only the new rows", exit_code=ExitCode.PROBLEMS)
    if dry_run:
        return target / f"{result.name}.yaml", result
    try:
        target.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(temporaries_in(target))  # what a killed add or import left
        return write_unique(target, result.name, ".yaml", result.text), result
    except OSError as exc:
        raise cannot_write(f"cannot write into {display_path(target)}", exc) from None


def _imported_before(target: Path, result: ImportResult) -> Path | None:
    """A note in `target` from an earlier import of the same rows, whatever the export was called then:
    an imported note (`*-import-*.yaml`) whose text but the first line (which says what was imported
    when) is the same."""
    body = result.text.split("\n", 1)[-1]
    for path in sorted(target.glob("*-import-*.yaml")):
        try:
            if path.read_text(encoding="utf-8").split("\n", 1)[-1] == body:
                return path
        except (OSError, UnicodeDecodeError):
            continue
    return None
