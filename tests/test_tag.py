"""The tagger: cue phrases for pains and needs, negation, advice, and the team's own cues."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlens.errors import CustlensError
from custlens.pipeline.tag import Tagger

TAGGER = Tagger()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The app keeps crashing when I upload photos.", "pain"),
        ("Exporting takes forever.", "pain"),
        ("It is so frustrating to redo the schedule every week.", "pain"),
        ("I can't find the invoice settings.", "pain"),
        ("We retype every invoice into Xero by hand.", "pain"),
        ("iPhone app signs me out in the basement and the report is gone.", "pain"),
        ("I wish it would text them the day before.", "need"),
        ("It would help if invoices went straight to Xero.", "need"),
        ("We need a way to block time for lunch.", "need"),
        ("Please add a dark mode.", "need"),
        ("Clients should be able to reschedule online.", "need"),
        ("Add a button to duplicate a booking.", "need"),
        ("The booking page looks great.", "other"),
        ("She runs two salons with eleven staff.", "other"),
        # a research note's report of what someone wants, with or without the subject
        ("The practice manager wants a weekly summary of no-shows.", "need"),
        ("Would like reminders to go out by text.", "need"),
        ("Asked for a way to copy last month's rota.", "need"),
        ("Nobody wants to learn another tool.", "other"),
        ("It wants me to log in again every morning.", "other"),
        ("Needs to bill each clinic separately at the end of the month.", "need"),
        # a problem the wish would spare is not the statement's pain
        ("Bookings should reach the calendar without anyone retyping them.", "need"),
        # what cannot be done, or does not run, is a problem
        ("Room changes can't be recorded, so the rota is guesswork.", "pain"),
        ("The app won't run on the front desk's old laptop.", "pain"),
        ("Out in the car park nothing loads.", "pain"),
        # wishes as people say them out loud
        ("If I could see the whole week on one screen, that would be enough.", "need"),
        ("Ideally the rota would build itself.", "need"),
        ("All I need from it is a reliable reminder.", "need"),
        ("I just want to know who's on shift tomorrow.", "need"),
        ("I'd rather the system sent the reminders.", "need"),
        ("Asked to be told when the export is ready.", "need"),
        ("Won't renew unless the reports get faster.", "need"),
        ("She'd come back if the app worked offline.", "need"),
        ("The app needs to cope with a weak signal.", "need"),
        ("If I had known, I'd have booked earlier.", "other"),
        # complaints as people say them out loud
        ("Half my week is chasing unpaid invoices.", "pain"),
        ("I'm basically a full-time receptionist now.", "pain"),
        ("Double the price and half the features. Thanks for nothing.", "pain"),
        ("Why can't it just remember the last address?", "need"),
        ("If there was a way to copy last week's rota, I'd use it daily.", "need"),
        ("The one thing I'd change is the search.", "need"),
        ("We end up calling every client the day before.", "pain"),
        ("Orders fall through the cracks when Sam is off.", "pain"),
        ("Nobody knows which version is the latest.", "pain"),
        ("We type every order twice, once in each system.", "pain"),
    ],
)
def test_cues(text: str, expected: str) -> None:
    assert TAGGER.classify(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    ["Price was not a problem for them.", "Never had any issues with the calendar.", "We don't need a mobile app."],
)
def test_negation_cancels_a_cue(text: str) -> None:
    assert TAGGER.classify(text)[0] == "other"


@pytest.mark.parametrize(
    ("text", "fine"),
    [
        ("Liked the new calendar view.", True),
        ("Finished the set-up in under five minutes.", True),
        ("Works really well on my phone.", True),
        ("Price didn't come up as an issue.", True),
        ("Didn't like the new calendar view.", False),
        ("Set it up in a minute, but the reminders never went out.", False),
        ("The export keeps failing.", False),
        ("It was better before the update.", False),
        ("It's clear nobody tested this.", False),
        ("It's easy to lose track of who paid.", False),
    ],
)
def test_praise_ease_and_denied_problems_are_fine_cues(text: str, fine: bool) -> None:
    assert (TAGGER.cues_of(text)[2] is not None) is fine


# Everyday sentences the spoken-wish, complaint and fine cues must not misread: (text, which of the
# three cues (need, pain, fine) must stay silent)
MISREAD = [
    ("I want to cancel my subscription.", 0), ("I want to speak to a manager about this charge.", 0),
    ("I need to find my invoice from March.", 0), ("If you had told me earlier, I would have cancelled.", 0),
    ("I'll pay as soon as I get the corrected invoice.", 0), ("I'd recommend it if anyone asks.", 0),
    ("The app won't open unless I reinstall it.", 0), ("If I had a pound for every time it crashed I'd be rich.", 0),
    ("Ideally it should have arrived on Monday.", 0), ("I'd give it zero stars if I could.", 0),
    ("It has to restart every time I switch tabs.", 0), ("I'd rather not say.", 0),
    ("The agent asked me to check my spam folder.", 0),
    ("Thanks a lot for your help!", 1), ("The kids had so much fun with it.", 1), ("We're now a team of five.", 1),
    ("I have a part-time job as well.", 1),
    ("None of the users like the new menu.", 2), ("The link expires in under a minute.", 2),
    ("Works fine, though the export is slow.", 2), ("It worked fine until the last update.", 2),
    ("It used to work perfectly.", 2), ("It was great before the redesign.", 2), ("Far from happy with the service.", 2),
    ("No issues at first, then it crashed constantly.", 2), ("Setup was easy, I'd like a dark mode though.", 2),
    ("I'd be happy with just a CSV export.", 2), ("Support was quick to close my ticket without fixing anything.", 2),
    ("We ended up choosing you because of the price.", 1), ("Nobody knows the product better than her.", 1),
    ("I check it twice a day.", 1), ("The team works in the dark early mornings in winter.", 1),
]


@pytest.mark.parametrize(("text", "silent"), MISREAD)
def test_everyday_sentences_do_not_fire_the_spoken_and_fine_cues(text: str, silent: int) -> None:
    assert TAGGER.cues_of(text)[silent] is None, TAGGER.cues_of(text)


def test_teams_remove_a_fine_cue_by_its_words_too() -> None:
    custom = Tagger(added={"fine": ["spot on"]}, removed={"fine": ["liked the", "didn't come up"]})
    assert custom.cues_of("Liked the demo.")[2] is None
    assert custom.cues_of("Price didn't come up as an issue.")[2] is None
    assert custom.cues_of("The new rota is spot on.")[2] == "spot on"
    with pytest.raises(CustlensError, match="no fine cue fires on 'liked teh'"):
        Tagger(removed={"fine": ["liked teh"]})


def test_cue_patterns_hold_no_control_characters() -> None:
    """A `\\b` written in a plain string is a backspace, and a pattern with one never matches."""
    from custlens.pipeline.cues import FINE_CUES, NEED_CUES, PAIN_CUES

    for name, pattern in NEED_CUES + PAIN_CUES + FINE_CUES:
        assert not any(ord(char) < 32 for char in pattern), name


def test_advice_to_others_is_not_a_need() -> None:
    assert TAGGER.classify("You should try restarting the app first.")[0] != "need"
    assert TAGGER.classify("Try using the web version instead.")[0] != "need"


def test_the_cue_that_fired_is_returned() -> None:
    assert TAGGER.classify("Exporting takes forever.") == ("pain", "takes forever")


def test_informal_spelling_of_negations() -> None:
    assert TAGGER.classify("sync doesnt work since the update")[0] == "pain"


def test_teams_add_and_remove_cues() -> None:
    custom = Tagger(added={"pain": ["no-shows eat our margin"]}, removed={"pain": ["slow"], "need": ["i wish"]})
    assert custom.classify("Honestly, no-shows eat our margin")[0] == "pain"
    assert custom.classify("The slow cooker class is popular")[0] == "other"
    assert custom.classify("I wish for nothing")[0] == "other"
    assert custom.classify("The export takes forever") == ("pain", "takes forever")  # only the phrase goes


def test_removing_a_phrase_no_cue_fires_on_is_an_error() -> None:
    with pytest.raises(CustlensError, match="no pain cue fires on 'sloow'"):
        Tagger(removed={"pain": ["sloow"]})


def test_added_cues_match_whole_words_even_with_punctuation_at_their_ends() -> None:
    custom = Tagger(added={"need": ["c++ support"], "pain": ["#fail"]})
    assert custom.classify("They asked about C++ support today") == ("need", "c++ support")
    assert custom.classify("another #fail from the sync") == ("pain", "#fail")
    assert custom.classify("the #failover worked") == ("other", None)


def test_a_blank_added_cue_is_a_config_error_not_a_match_for_everything(tmp_path) -> None:
    import pytest

    from custlens.errors import CustlensError
    from custlens.infra.config import load_config

    (tmp_path / "custlens.yaml").write_text('cues:\n  need:\n    add: ["  "]\n')
    with pytest.raises(CustlensError, match="cues.need.add"):
        load_config(tmp_path / "custlens.yaml")


@pytest.mark.parametrize(
    "text",
    [
        "Double booking is not a problem.",
        "Slow sync is not a problem for us.",
        "No-shows are not a problem since the deposits.",
        "The app never crashes.",
        "It doesn't keep crashing anymore.",
        "Price didn't come up as an issue.",
        "Slow exports are no longer an issue.",
    ],
)
def test_a_clause_that_denies_a_problem_is_not_a_pain(text: str) -> None:
    assert TAGGER.classify(text) == ("other", None)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("Sync is not a problem for us, but the export keeps crashing.", "keeps crashing"),
        ("The card reader was not working, yet buying was not a problem.", "not working"),
        ("We have problems with the site. Support says there are no issues on their side.", "problems"),
        ("It does not work anymore.", "does not work"),
    ],
)
def test_a_denial_leaves_the_pains_of_other_clauses(text: str, cue: str) -> None:
    assert TAGGER.classify(text) == ("pain", cue)


SENTENCES = st.lists(
    st.sampled_from(
        "i wish it would sync please add export the app keeps crashing it is not a problem never crashes "  # noqa: SIM905
        "slow frustrating can't find would be nice if you should try we need a way to invoices are late "
        "but , . and the booking calendar really takes forever it would help if don't need".split(" ")
    ),
    min_size=1, max_size=14,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(SENTENCES)
def test_the_one_pass_shortcut_types_exactly_like_trying_every_cue(text: str) -> None:
    quick = Tagger(removed={"pain": ["slow"]})
    thorough = Tagger(removed={"pain": ["slow"]})
    thorough._counts = lambda kind, cue, text, match: (  # type: ignore[method-assign]
        match.re is cue.pattern and Tagger._counts(thorough, kind, cue, text, match)
    )  # the shortcut's match is never one cue's own: it is never taken, every cue searches on its own
    assert quick.classify(text) == thorough.classify(text)


def test_texts_typed_by_worker_processes_get_the_types_one_process_gives(monkeypatch) -> None:
    from custlens.pipeline import tag as tagging

    texts = [f"{a} {b} number {k}" for k, (a, b) in enumerate(
        [("it keeps crashing", "on export"), ("i wish", "it synced"), ("the weather", "was fine"),
         ("not a problem", "at all"), ("please add", "dark mode")] * 4)]
    alone = [Tagger().classify(text) for text in texts]
    monkeypatch.setattr(tagging, "PARALLEL_TEXTS", 1)
    monkeypatch.setattr(tagging, "cores", lambda: 2)
    shared = Tagger()
    shared.prepare(texts)
    assert shared.fresh == len(texts)  # all typed up front, by the workers
    assert [shared.classify(text) for text in texts] == alone
    assert shared.fresh == len(texts)  # and none typed again
