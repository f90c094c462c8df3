"""The three normal forms custlens compares text in, side by side: each keeps what its user needs."""

from __future__ import annotations

from custlens.pipeline.normalise import for_cues, for_grouping, for_phrases, stem

SAID = "Um, I DONT want the Single Sign-On!  It’s   slow"


def test_cues_keep_punctuation_and_spell_out_contractions() -> None:
    assert for_cues(SAID) == "um, i don't want the single sign-on! it's slow"


def test_codebook_phrases_compare_words_only() -> None:
    assert for_phrases(SAID) == "um i dont want the single sign on it s slow"
    assert "single sign on" in for_phrases("We need SINGLE sign-on.")


def test_grouping_drops_filler_but_never_everything() -> None:
    assert for_grouping("Um, I really just want the EXPORT to work!") == "want export work"
    assert for_grouping("it is what it is") == "it is what it is"
    assert for_grouping("I don't like it") == for_grouping("I dont like it")


def test_stem_joins_word_forms() -> None:
    assert {stem("bookings"), stem("booked"), stem("booking")} == {"book"}
    assert stem("companies") == "company"
    assert stem("bus") == "bus"
