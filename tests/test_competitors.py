"""The rule that decides when a statement names a competitor."""

from __future__ import annotations

import datetime as dt

import pytest

from custlens.models import Note, Statement
from custlens.pipeline.competitors import find_competitors


def _note(listed: tuple[str, ...] = (), k: int = 1) -> Note:
    return Note(f"n{k}", f"notes/n{k}.md", 1, None, dt.date(2026, 1, 1), "interview", "smb", f"P-{k}", (), None, (), (),
                {"competitors": list(listed)} if listed else {})


LISTING = _note(("Fresha", "Square", "QuickBooks", "Jane App", "Harvest", "Calendly", "ServiceM8", "Toggl"), 1)
OTHER = _note((), 2)


@pytest.mark.parametrize(
    ("text", "in_listing", "elsewhere"),
    [
        ("FRESHA takes deposits", ["Fresha"], ["Fresha"]),  # any case
        ("fresha's deposit rules", ["Fresha"], ["Fresha"]),
        ("We tried Freshaa last year", ["Fresha"], ["Fresha"]),  # one typo in a name of 6+ letters
        ("Calendy just worked", ["Calendly"], ["Calendly"]),
        ("QuikBokos export", ["QuickBooks"], ["QuickBooks"]),  # two typos in a name of 10+ letters
        ("It keeps things fresh", [], []),  # an ordinary word is never a typo of a name
        ("Fresh a bit of paint", [], []),  # a run of a different length only when every word is capitalised
        ("We export to Quick Books weekly", ["QuickBooks"], ["QuickBooks"]),
        ("we export to quick books weekly", [], []),
        ("Jobs go to Service-M8 by hand", ["ServiceM8"], ["ServiceM8"]),
        ("jobs go to service m8 by hand", [], []),
        ("TOGGL for time, toggl.com", ["Toggl"], ["Toggl"]),
        ("To toggle the view", [], []),  # a short name: no typo; `To` only starts it
        ("Already on JaneApp", ["Jane App"], ["Jane App"]),
        ("Already on Jane App", ["Jane App"], ["Jane App"]),
        ("jane app is cheaper", [], []),  # a name of ordinary words counts only as written
        ("a square table by the door", [], []),
        ("The studio moved to Square in May", ["Square"], ["Square"]),
        ("Square takes the card at booking", ["Square"], []),  # first of a sentence: only where the note lists it
        ("We pay. Harvest tracks the hours", ["Harvest"], []),
        ("“Harvest season is busy”", ["Harvest"], []),
        ("They use Harvest too", ["Harvest"], ["Harvest"]),
        ("Squares and circles", [], []),
        ("Vagaro is cheaper", [], []),  # named by no note's front matter: not a competitor
    ],
)
def test_a_statement_names_a_competitor_by_the_documented_rule(text, in_listing, elsewhere) -> None:
    for owner, expected in ((LISTING, in_listing), (OTHER, elsewhere)):
        statement = Statement(text, "pains", 3, owner, "pain")
        naming = find_competitors([LISTING, OTHER], [statement])
        assert list(naming.mentions.get(id(statement), ())) == expected, (text, owner.id)


def test_spellings_of_one_competitor_are_one_and_shown_as_the_most_listed() -> None:
    notes = [_note(("Jane App",), 1), _note(("JaneApp",), 2), _note(("jane app",), 3), _note(("Jane App",), 4),
             _note(("Calendly",), 5), _note(("Calendy",), 6), _note(("Calendly",), 7), _note(("Xero",), 8)]
    naming = find_competitors(notes, [])
    assert naming.names == ("Calendly", "Jane App", "Xero")
    assert naming.spellings["Jane App"] == ("Jane App", "jane app", "JaneApp")
    assert naming.spellings["Calendly"] == ("Calendly", "Calendy")
    assert all(naming.of(n) for n in notes)
