"""Reports to text: Rich tables on a terminal, plain text in pipes, JSON, CSV, Markdown, GitHub annotations.

Nothing here computes; it only lays out what the report already holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .commands import CheckReport
from .errors import Problem


def problem_line(problem: Problem) -> str:
    """`path:line: error[code]: message`, the form editors and CI logs can jump to."""
    where = f"{problem.path}:{problem.line}" if problem.line is not None else problem.path
    entry = f" (batch entry {problem.entry})" if problem.entry is not None else ""
    return f"{where}: {problem.severity}[{problem.code}]: {problem.message}{entry}"


def check_text(report: CheckReport, strict: bool) -> Iterable[tuple[str, str]]:
    """Lines of `custlens check` output, each with a style name for the terminal."""
    for parsed in report.files:
        for problem in parsed.problems:
            yield problem_line(problem), problem.severity
            if problem.hint:
                yield f"    hint: {problem.hint}", "hint"
    files = len(report.files)
    summary = (
        f"{files} file{'s' * (files != 1)}, {report.notes} note{'s' * (report.notes != 1)}: "
        f"{report.errors} error{'s' * (report.errors != 1)}, {report.warnings} warning{'s' * (report.warnings != 1)}"
    )
    code = report.exit_code(strict)
    yield ("ok: " if code == 0 else "failed: ") + summary, "ok" if code == 0 else "error"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def check_github(report: CheckReport) -> Iterable[str]:
    """GitHub Actions workflow commands: one `::error`/`::warning` annotation per problem."""
    for parsed in report.files:
        for problem in parsed.problems:
            props = [f"file={_escape_property(problem.path)}"]
            if problem.line is not None:
                props.append(f"line={problem.line}")
            props.append(f"title={_escape_property('custlens ' + problem.code)}")
            message = problem.message
            if problem.entry is not None:
                message += f" (batch entry {problem.entry})"
            if problem.hint:
                message += f" (hint: {problem.hint})"
            yield f"::{problem.severity} {','.join(props)}::{_escape_data(message)}"


def check_json(report: CheckReport, strict: bool) -> str:
    def file_ok(problems: list[Problem]) -> bool:
        return not any(p.is_error or strict for p in problems)

    data: dict[str, Any] = {
        "ok": report.exit_code(strict) == 0,
        "files": [
            {
                "path": parsed.path,
                "ok": file_ok(parsed.problems),
                "notes": len(parsed.notes),
                "problems": [
                    {
                        "line": p.line,
                        "entry": p.entry,
                        "code": p.code,
                        "severity": p.severity,
                        "message": p.message,
                        "hint": p.hint,
                    }
                    for p in parsed.problems
                ],
            }
            for parsed in report.files
        ],
        "summary": {
            "files": len(report.files),
            "notes": report.notes,
            "errors": report.errors,
            "warnings": report.warnings,
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
