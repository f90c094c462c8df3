"""Reports as JSON (`--format json`): indented on a terminal, compact in pipes and files.

To add an output format, add a module like this one, with one function per report, a field for it in
`cli.console.Formats` (and its branch in `output`), and its name in `cli.options.ReportFormat`.
"""

from __future__ import annotations

import json
from typing import Any

from custlens.errors import Problem
from custlens.infra.visible import json_safe
from custlens.output.records import (
    change_dict,
    changes_summary,
    competitor_dict,
    contrast_dict,
    moment_dict,
    statement_dict,
    summary,
    theme_dict,
)
from custlens.reports import (
    ChangesReport,
    CheckReport,
    CompareReport,
    CompetitorsReport,
    SegmentsReport,
    ShowReport,
    Synthesis,
    ThemesReport,
    TrendsReport,
)


def _json(data: Any, pretty: bool = True) -> str:
    """Indented for people; compact (and several times faster to write) for pipes and files."""
    if pretty:
        text = json.dumps(data, indent=2, ensure_ascii=False)
    else:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return json_safe(text)


def nothing_checked(message: str, pretty: bool = True) -> str:
    """`check`'s JSON when there was no note to check: not ok, with the reason."""
    return _json({"ok": False, "files": [], "summary": {"files": 0, "notes": 0, "errors": 1, "warnings": 0},
                  "error": message}, pretty)


def check(report: CheckReport, strict: bool, pretty: bool = True) -> str:
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
            "files": report.file_count,
            "notes": report.notes,
            "errors": report.errors,
            "warnings": report.warnings,
        },
    }
    return _json(data, pretty)


def themes(report: ThemesReport, pretty: bool = True) -> str:
    notes: dict[int, dict[str, Any]] = {}
    return _json(
        {
            "themes": [theme_dict(e, rank, notes) for rank, e in enumerate(report.shown, 1)],
            "summary": summary(report.synthesis, len(report.shown)),
        },
        pretty,
    )


def segments(report: SegmentsReport, pretty: bool = True) -> str:
    data = {
        "segments": [
            {
                "name": seg.name,
                "notes": seg.notes,
                "participants": seg.participants,
                "sources": seg.sources,
                "competitors": seg.competitors,
                "themes": [
                    {
                        "id": row.evidence.theme.id,
                        "label": row.evidence.theme.label,
                        "type": row.evidence.theme.type,
                        "strength": row.evidence.strength,
                        "participants": row.participants,
                        "coverage": round(row.coverage, 3),
                        "quote": row.quote.text,
                        "nearest_elsewhere": None if row.nearest is None else {
                            "id": row.nearest[0].theme.id, "label": row.nearest[0].theme.label,
                            "similarity": row.nearest[1],
                        },
                    }
                    for row in seg.themes
                ],
                "unique_themes": [row.evidence.theme.id for row in seg.unique if row.within is None],
                "unique_subthemes": [
                    {"id": row.evidence.theme.id, "label": row.evidence.theme.label, "theme": row.within.theme.id,
                     "participants": row.participants, "coverage": round(row.coverage, 3)}
                    for row in seg.unique if row.within is not None
                ],
                "shared_themes": [row.evidence.theme.id for row in seg.shared],
            }
            for seg in report.segments
        ],
        "summary": summary(report.synthesis, len(report.synthesis.ranked)),
    }
    return _json(data, pretty)


def show(report: ShowReport, pretty: bool = True) -> str:
    data = theme_dict(report.evidence)
    data["nearest_themes"] = [
        {"id": other.theme.id, "label": other.theme.label, "similarity": similarity}
        for other, similarity in report.neighbours
    ]
    return _json(data, pretty)


def statements(synthesis: Synthesis, pretty: bool = True) -> str:
    notes: dict[int, dict[str, Any]] = {}
    return _json(
        {
            "statements": [
                statement_dict(s, synthesis.theme_of.get(id(s)), True, notes) for s in synthesis.statements
            ],
            "summary": summary(synthesis, len(synthesis.ranked)),
        },
        pretty,
    )


def trends(report: TrendsReport, pretty: bool = True) -> str:
    return _json(
        {
            "by": report.by,
            "periods": report.periods,
            "themes": [
                {
                    "id": row.evidence.theme.id,
                    "label": row.evidence.theme.label,
                    "type": row.evidence.theme.type,
                    "strength": row.evidence.strength,
                    "total": sum(row.counts),
                    "counts": list(row.counts),
                    "trend": row.direction,
                    "notes": list(row.notes),
                    "notes_in_scope": list(row.scope),
                    "p": None if row.p is None else round(row.p, 4),
                }
                for row in report.rows
            ],
            "summary": summary(report.synthesis, len(report.rows)),
        },
        pretty,
    )


def changes(report: ChangesReport, pretty: bool = True) -> str:
    return _json(
        {
            "since": moment_dict(report.since),
            "until": moment_dict(report.until),
            "centre_match": report.centre_match,
            "changes": [change_dict(report, change) for change in report.shown],
            "unchanged": [c.evidence.theme.id for c in report.changes if c.change == "unchanged"],
            "summary": changes_summary(report),
        },
        pretty,
    )


def competitors(report: CompetitorsReport, pretty: bool = True) -> str:
    notes: dict[int, dict[str, Any]] = {}
    return _json(
        {
            "competitors": [competitor_dict(c, notes) for c in report.competitors],
            "summary": summary(report.synthesis, len(report.synthesis.ranked)),
        },
        pretty,
    )


def churn(report: CompareReport, pretty: bool = True) -> str:
    return _json(
        {
            "group": {"name": report.group.name or None, "matches": [f"{k}={v}" for k, v in report.group.pairs],
                      "notes": report.group_notes, "participants": report.group_participants},
            "rest": {"notes": report.rest_notes, "participants": report.rest_participants},
            "counted": "participants",
            "interval": "95%, Newcombe hybrid score with continuity correction",
            "themes": [contrast_dict(row) for row in report.shown],
            "summary": summary(report.synthesis, len(report.shown)),
        },
        pretty,
    )
