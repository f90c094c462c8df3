"""How custlens compares text, in one place: three normal forms, each named for what it is used for.

They differ on purpose, and each is applied to both sides of a comparison:

- `for_cues`: what the tagger's cue phrases are matched against. Lower case, straight apostrophes, single
  spaces, and `dont` read as `don't`; punctuation stays, because cues read it ("c++", "why can't").
- `for_phrases`: what a codebook `match:` phrase is looked for in. Lower case words with no punctuation
  between them, so "Single sign-on!" contains "single sign on".
- `for_grouping`: what the fuzzy engine compares, and what a theme's id is made from. As `for_phrases`,
  with apostrophes dropped (`don't` is one word, `dont`) and the filler of spoken notes left out (all
  kept if all are filler), so "Um, I really just want the export" and "want export" are the same.

`stem` is the light suffix stripper the fuzzy engine and the labels share.
"""

from __future__ import annotations

import re

# Function words and the filler of spoken notes; they make unrelated statements look alike.
FILLER = frozenset(
    """a an the and or but so of to in on at by for with from as into onto about over than then that this
    these those it its it's is are was were be been being am do does did doing has have had having i i'm
    i've me my mine we we're we've us our ours you you're your yours they they're them their he she him
    her his hers there here what which who whom whose when where why how all any some just really very
    quite pretty actually basically literally honestly totally like kind sort um uh er well okay ok yeah
    yes no not also too still even much many more most can could would should will shall may might must
    get got gets getting if because while just only own same other another each every both either
    again always ever lot lots thing things stuff way something anything everything said says say
    tell told think thought feel felt im ive weve youre theyre""".split()  # noqa: SIM905
)

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_SPACES = re.compile(r"\s+")
_CONTRACTIONS = re.compile(
    r"\b(dont|doesnt|didnt|cant|wont|isnt|wasnt|arent|werent|havent|hasnt|hadnt|couldnt|wouldnt|shouldnt|im|ive|youre|theyre|thats|whats|wheres|its)\b"
)
_EXPANSIONS = {
    "dont": "don't", "doesnt": "doesn't", "didnt": "didn't", "cant": "can't", "wont": "won't", "isnt": "isn't",
    "wasnt": "wasn't", "arent": "aren't", "werent": "weren't", "havent": "haven't", "hasnt": "hasn't",
    "hadnt": "hadn't", "couldnt": "couldn't", "wouldnt": "wouldn't", "shouldnt": "shouldn't", "im": "i'm",
    "ive": "i've", "youre": "you're", "theyre": "they're", "thats": "that's", "whats": "what's",
    "wheres": "where's", "its": "its",
}
_NOT_WORD = re.compile(r"[^\w]+")  # for_phrases: an apostrophe splits a word
_NOT_WORD_OR_SPACE = re.compile(r"[^\w\s]+")  # for_grouping: after apostrophes are dropped
_SUFFIXES = ("ings", "ing", "edly", "ed", "ies", "es", "s", "ly")


def for_cues(text: str) -> str:
    """Lower case, straight apostrophes, single spaces, and `dont` read as `don't`."""
    text = _SPACES.sub(" ", text.translate(_APOSTROPHES).lower()).strip()
    return _CONTRACTIONS.sub(lambda m: _EXPANSIONS[m.group(1)], text)


def for_phrases(text: str) -> str:
    """Lower case, words separated by single spaces, no punctuation: how codebook phrases are compared."""
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


def for_grouping(text: str) -> str:
    """Text as the fuzzy engine compares it: lower case, no punctuation, no filler words (all kept if all
    are filler)."""
    words = _NOT_WORD_OR_SPACE.sub(" ", text.lower().replace("'", "")).split()
    kept = [w for w in words if w not in FILLER]
    return " ".join(kept or words)


def stem(word: str) -> str:
    """A light suffix stripper: `bookings`, `booked` and `booking` all become `book`."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word
