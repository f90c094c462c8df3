"""`custlens churn`: which themes cancellations and lost deals (or any group of notes) say more than
the rest, with how sure that is (`pipeline.contrast`)."""

from __future__ import annotations

from custlens.commands.synthesis import ReportOptions, Run, synthesise
from custlens.errors import CustlensError, ExitCode
from custlens.infra.config import Config
from custlens.pipeline.contrast import GROUP_KEYS, Group, contrast, values_of
from custlens.reports import CompareReport, Synthesis

# the notes of customers who left, or who were lost before they came
LEAVING = Group((("kind", "cancellation"), ("tag", "lost-deal")), "cancellations and lost deals")


def parse_group(texts: list[str] | tuple[str, ...]) -> Group:
    """`--compare KEY=VALUE` options as one group (a note in it matches any of them); none: LEAVING."""
    if not texts:
        return LEAVING
    pairs = []
    for text in texts:
        key, sep, value = text.partition("=")
        key, value = key.strip().casefold(), value.strip()
        if not sep or key not in GROUP_KEYS or not value:
            raise CustlensError(
                f"invalid value for --compare: {text!r}",
                hint=f"write KEY=VALUE with KEY one of {', '.join(GROUP_KEYS)}, e.g. --compare segment=clinics",
                exit_code=ExitCode.USAGE,
            )
        pairs.append((key, value))
    return Group(tuple(dict.fromkeys(pairs)))


def _check_group(group: Group, synthesis: Synthesis, given: bool) -> None:
    from custlens.pipeline.parse import did_you_mean

    notes, naming = synthesis.notes, synthesis.naming
    if given:
        for key, value in group.pairs:
            present = sorted({v for note in synthesis.corpus.notes for v in values_of(note, key, naming)}, key=str.casefold)
            if value.casefold() not in {v.casefold() for v in present}:
                hint = did_you_mean(value, present, f"present: {', '.join(present) or 'none'}")
                raise CustlensError(f"no notes match --compare {key}={value}", hint=hint, exit_code=ExitCode.USAGE)
    inside = sum(1 for note in notes if group.holds(note, naming))
    everywhere = sum(1 for note in synthesis.corpus.notes if group.holds(note, naming))
    if not inside and everywhere:  # there are such notes: the filters left them out
        who = str(group) if given else "cancellations and lost deals"
        raise CustlensError(
            f"the filters keep none of the {everywhere} note{'s' * (everywhere != 1)} of {who}: nothing to compare",
            hint="widen --segment, --kind, --since or --until", exit_code=ExitCode.USAGE,
        )
    if not inside:
        raise CustlensError(
            "no cancellation notes and no notes tagged lost-deal: nothing to compare",
            hint="add the notes of customers who left (kind: cancellation) or tag a lost sales call `lost-deal`; "
                 "or compare another group, e.g. --compare segment=NAME",
            exit_code=ExitCode.USAGE,
        )
    if inside == len(notes):
        raise CustlensError(f"every note matches {group}: there is no rest to compare with",
                            hint="widen the notes (fewer --segment or --kind filters) or compare a smaller group",
                            exit_code=ExitCode.USAGE)


def churn(
    options: ReportOptions, config: Config, run: Run | None = None, *, compare: list[str] | tuple[str, ...] = (),
    top: int | None = 10,
) -> CompareReport:
    """Themes the group (default: cancellations and lost deals) says more than the rest, the most surely
    over-represented first; at most `top` shown (None: all)."""
    group = parse_group(compare)
    synthesis = synthesise(options, config, run)
    _check_group(group, synthesis, bool(compare))
    rows = contrast(synthesis.notes, synthesis.ranked, group, synthesis.naming)
    inside = [note for note in synthesis.notes if group.holds(note, synthesis.naming)]
    outside = [note for note in synthesis.notes if not group.holds(note, synthesis.naming)]
    return CompareReport(
        synthesis, group, rows, rows[:top] if top is not None else list(rows),
        group_notes=len(inside), group_participants=len({n.who for n in inside}),
        rest_notes=len(outside), rest_participants=len({n.who for n in outside}),
    )
