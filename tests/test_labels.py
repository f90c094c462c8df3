"""Short labels: a few of a group's own words, taken from one clause, that set it apart from the others."""

from __future__ import annotations

from custlens.pipeline.labels import short_labels

OFFLINE = [
    "I don't trust it underground. Paper never logs you out.",
    "Down in the basement I don't trust it underground. Paper works.",
    "No signal underground. Paper it is.",
]
INVOICES = ["Retyping invoices into Xero every Friday", "Invoices into Xero by hand", "Xero invoices typed twice"]


def test_labels_come_from_the_groups_own_words_and_differ() -> None:
    labels = short_labels([OFFLINE, INVOICES])
    for label, texts in zip(labels, (OFFLINE, INVOICES)):
        said = " ".join(texts).lower()
        assert all(word in said for word in label.lower().split()), label
    assert "xero" in labels[1].lower()
    assert labels[0] != labels[1]


def test_a_label_is_never_one_already_taken_by_a_theme() -> None:
    first = short_labels([OFFLINE, INVOICES])
    again = short_labels([OFFLINE, INVOICES], taken=[first[1].upper()])  # any case
    assert again[0] == first[0] and again[1].casefold() != first[1].casefold()
    assert all(word in " ".join(INVOICES).lower() for word in again[1].lower().replace(",", "").split())


def test_a_label_never_runs_across_the_end_of_a_sentence_or_clause() -> None:
    offline, _ = short_labels([OFFLINE, INVOICES])
    assert "underground paper" not in offline.lower(), offline
    (listed,) = short_labels([["Prices in EUR, GBP and USD", "Invoices in EUR, GBP or USD please"]])
    assert "," not in listed and "eur gbp" not in listed.lower(), listed


def test_a_label_neither_starts_nor_ends_on_a_clause_word() -> None:
    clause_words = {"unless", "since", "i'll", "itself"}
    for texts in (["Won't come back unless both points change", "Unless both points change we leave"],
                  ["The calendar itself lags", "Sync of the calendar itself is slow"]):
        (label,) = short_labels([texts])
        words = label.lower().split()
        assert words[0] not in clause_words and words[-1] not in clause_words, label


def test_no_candidate_label_starts_or_ends_on_a_preposition_or_a_word_of_time() -> None:
    """"Gift cards online through", "Item codes differ between" and "Year pushed the per-user" were
    labels: the meaning of a group chooses among candidate phrases, and these were candidates."""
    from custlens.pipeline.labels import _phrases

    for text in ("Track billable hours against each project", "Sell gift cards online through the booking page",
                 "Item codes differ between the two systems", "This year pushed the per-user price up",
                 "Field crews lose signal across the county"):
        for _, phrase in _phrases(text.split()):
            words = phrase.lower().split()
            assert not {words[0], words[-1]} & {"against", "through", "between", "across", "year"}, phrase


def test_two_groups_that_can_only_be_told_apart_by_number_are_numbered_unlike_a_count() -> None:
    """"Tractors were sidelined (2) (1)": the suffix read like the count beside it."""
    same = ["Tractors were sidelined", "Tractors were sidelined"]
    assert short_labels([same, same]) == ["Tractors were sidelined", "Tractors were sidelined #2"]


def test_a_word_that_carries_the_meaning_may_start_a_label() -> None:
    """"Nobody shows up" lost its "Nobody" (and read "Shows") when such words could start no label."""
    labels = short_labels([["Nobody shows up to the onboarding call", "nobody shows up for onboarding", "Nobody shows up"],
                           ["Few clients pay online", "few clients pay online today", "Few clients pay online at all"],
                           ["Past due invoices pile up", "past due invoices", "Past due invoices again"]])
    assert labels == ["Nobody shows", "Few clients pay online", "Past due invoices"]
