"""Short labels for groups of statements: a few of the group's own words that set it apart.

First the group's key words: each word stem scores the share of the group's statements that use it
times how rare it is in the other groups of the same kind (c-TF-IDF: inverse group frequency). Then the
label is the phrase of one to four words, taken as written from one clause of a statement, that carries
the most key-word weight for its length: the sum of its distinct words' scores over the square root of
its length to the power 0.3 (so a phrase of two strong words beats one strong word, and filler
costs), times one half
plus the share of the statements that use the whole phrase. A phrase starts and
ends with a word that carries meaning (not a function word, not a number). Two groups of a kind never
get the same label: the later one (in the order given) adds its next best phrase. Everything is decided
by the texts alone, so the same groups always get the same labels.

Where the engine knows what the groups mean, a group of two or more statements takes, of its
CANDIDATES best phrases by words, the one whose meaning is closest to the group's centre and farthest
from the other groups' (`themes` scores them with the embedding model).

Each group is read from at most SAMPLE of its statements, evenly through it (its most central first),
so labelling stays cheap for groups of thousands of statements.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from custlens.pipeline.normalise import FILLER, stem

SAMPLE = 40
LABEL_CHARS = 60
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")  # one alternation, no nested quantifier over the same text
# words that may sit inside a phrase but never start or end one
_INNER_ONLY = FILLER | frozenset(
    ["don't", "doesn't", "didn't", "can't", "won't", "isn't", "aren't", "wasn't", "weren't", "cannot", "same", "one", "two", "via", "per", "want", "wants", "wanted", "need", "needs", "needed", "wish", "would", "like", "able", "lets", "let", "use", "using", "make", "makes", "made", "time", "times", "day", "days", "week", "weeks", "month", "months", "year", "years", "every", "that's", "there's", "what's", "it's", "isn't", "he's", "she's", "they'd", "we'd", "i'd", "you'd", "who's", "let's", "takes", "take", "took", "before", "after", "later", "until", "first", "back", "now", "soon", "already", "yet", "ago", "today", "tomorrow", "yesterday", "once", "twice", "without", "instead", "right", "left", "next", "last", "out", "up", "down", "off", "away", "around", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "half",
     "went", "goes", "going", "gone", "works", "worked", "working", "keeps", "kept", "gets", "got", "says", "said",
     "does", "did", "done", "has", "had", "never", "always", "often", "sometimes", "usually", "anymore", "ever", "rather",
     "since", "unless", "though", "although", "whether", "i'll", "we'll", "you'll", "they'll", "he'll", "she'll",
     "it'll", "that'll", "itself", "themselves", "myself", "yourself", "ourselves", "himself", "herself",
     # prepositions and conjunctions a phrase is cut at ("Gift cards online through")
     "through", "throughout", "across", "between", "during", "within", "against", "among", "behind",
     "beside", "beyond", "along", "toward", "towards", "upon", "despite", "except", "unlike", "onto", "nor",
     "whereas"]
)
# words that may start a phrase and carry its meaning ("Nobody shows up", "Few clients pay online", "Past
# due invoices") but never end one ("Station escalators sit under")
_NEVER_LAST = frozenset(["under", "inside", "near", "past", "below", "above", "someone", "anyone", "everyone",
                         "nobody", "somebody", "everybody", "none", "several", "few", "enough", "such"])
MAX_WORDS = 4


# where a clause ends: a label is taken from one clause, never across "underground. Paper"
_CLAUSE_END = re.compile(r"[.;:!?,()\[\]{}…—–]|\s-\s")


def _tokens(text: str) -> list[list[str]]:
    """The words of a text, clause by clause, leaving out addresses (e-mail, web), which make poor labels."""
    kept = " ".join(part for part in text.split() if "@" not in part and "://" not in part and not part.startswith("www."))
    return [words for clause in _CLAUSE_END.split(kept) if (words := _WORD.findall(clause))]


def _boundary(word: str) -> bool:
    """Whether a phrase may start or end with this (lower-cased) word: not a function word, a common
    verb or an adverb in -ly, not a number."""
    return (len(word) > 1 and word not in _INNER_ONLY and not any(c.isdigit() for c in word)
            and not (word.endswith("ly") and len(word) > 4))


def _phrases(words: list[str]) -> list[tuple[tuple[str, ...], str]]:
    """Candidate phrases of one text: (their stems, the words as written)."""
    lowered = [w.lower().replace("’", "'") for w in words]
    stems = [stem(w) for w in lowered]
    out = []
    for i, first in enumerate(lowered):
        if not _boundary(first):
            continue
        for n in range(1, MAX_WORDS + 1):
            j = i + n - 1
            if j >= len(lowered):
                break
            if _boundary(lowered[j]) and lowered[j] not in _NEVER_LAST:
                out.append((tuple(stems[i : j + 1]), " ".join(words[i : j + 1])))
    return out


def _sample(texts: Sequence[str]) -> list[str]:
    step = max(1, len(texts) // SAMPLE)
    return list(texts[::step][:SAMPLE])


CANDIDATES = 8  # phrases per group that the meaning of the group chooses among, where it can

Scorer = Callable[[Sequence[Sequence[str]]], Sequence[Sequence[float]]]


def short_labels(groups: Sequence[Sequence[str]], meaning: Scorer | None = None, taken: Iterable[str] = ()) -> list[str]:
    """A label for each group of texts (its most central text first); groups of one kind together.

    With `meaning` (given each group's candidate phrases, a score for each: how well it says what the
    group means), a group of two or more statements takes its best scored candidate; else the best by
    words alone. No two labels are the same, nor the same as one of `taken` (the themes' labels, when
    these are their sub-themes)."""
    ranked = _candidates(groups)
    order: list[list[int]] = [list(range(len(r))) for r in ranked]
    if meaning is not None:
        asked = [g for g, texts in enumerate(groups) if len(texts) > 1 and ranked[g]]
        scored = meaning([[form for _, form in ranked[g][:CANDIDATES]] for g in asked])
        for g, scores in zip(asked, scored):
            top = sorted(range(len(scores)), key=lambda k: (-round(float(scores[k]), 6), k))
            order[g] = top + list(range(len(scores), len(ranked[g])))
    labels: list[str] = []
    used = {label.casefold() for label in taken}  # labels given and chosen, in any case
    for g, phrases in enumerate(ranked):
        if not phrases:
            label = _fallback(groups[g])
        else:
            first_stems, label = phrases[order[g][0]]
            for k in order[g][1:]:
                if label.casefold() not in used:
                    break
                extra_stems, extra = phrases[k]
                if not set(extra_stems) & set(first_stems):
                    label = f"{phrases[order[g][0]][1]}, {extra}"
        if label.casefold() in used:
            label = f"{label} #{sum(1 for t in used if t.startswith(label.casefold())) + 1}"  # not (2): a count
        used.add(label.casefold())
        labels.append(label)
    return labels


def _candidates(groups: Sequence[Sequence[str]]) -> list[list[tuple[tuple[str, ...], str]]]:
    """Each group's phrases, best by words first (c-TF-IDF over the groups given)."""
    samples = [_sample(texts) for texts in groups]
    tokenised = [[_tokens(text) for text in texts] for texts in samples]
    word_share: list[Counter[str]] = []
    spread: Counter[str] = Counter()  # stem -> groups that use it
    for texts in tokenised:
        uses: Counter[str] = Counter()
        for clauses in texts:
            uses.update({stem(w.lower().replace("’", "'")) for words in clauses for w in words})
        word_share.append(uses)
        spread.update(uses.keys())
    total = len(groups)
    rarity = {word: math.log((total + 1) / count) + 0.05 for word, count in spread.items()}
    out = []
    for texts, uses in zip(tokenised, word_share):
        weight = {w: (count / len(texts)) * rarity[w] for w, count in uses.items() if w not in _INNER_STEMS}
        out.append(_ranked(texts, weight))
    return out


_INNER_STEMS = frozenset(stem(w) for w in _INNER_ONLY)


def _ranked(texts: list[list[list[str]]], weight: dict[str, float]) -> list[tuple[tuple[str, ...], str]]:
    """The group's phrases, best first, each with its most used written form (capitalised). Ties:
    fewer words, then alphabetical, so the order is fixed."""
    scores: dict[tuple[str, ...], float] = {}
    forms: dict[tuple[str, ...], Counter[str]] = {}
    said: Counter[tuple[str, ...]] = Counter()  # statements that say the phrase
    for clauses in texts:
        found = [phrase for words in clauses for phrase in _phrases(words)]
        said.update({key for key, _ in found})
        for key, form in found:
            if key not in scores:
                content = {w for w in key if w not in _INNER_STEMS}
                scores[key] = sum(weight.get(w, 0.0) for w in content) / len(key) ** 0.3
            forms.setdefault(key, Counter())[form] += 1
    # a phrase several statements use reads as the group's own words
    scores = {key: score * (0.5 + said[key] / len(texts)) for key, score in scores.items()}
    order = sorted(scores, key=lambda key: (-round(scores[key], 9), len(key), key))
    return [(key, _form(forms[key])) for key in order]


def _form(forms: Counter[str]) -> str:
    """The phrase as the statements write it most often (ties: the first alphabetically), capitalised."""
    written = min(forms.items(), key=lambda item: (-item[1], item[0]))[0]
    label = written[:1].upper() + written[1:]
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _fallback(texts: Sequence[str]) -> str:
    """For texts with no word to build a phrase from: the start of the first one."""
    text = " ".join(texts[0].split()) if texts else ""
    return (text[: LABEL_CHARS - 1].rstrip() + "…") if len(text) > LABEL_CHARS else text
