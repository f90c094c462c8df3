"""Statements to Themes: codebook entries first, then groups of what is left, per type; each theme
with its sub-themes, a short label and a quote.

Two engines group statements. `semantic` (the default) groups by meaning: sentence vectors from a
local model (`pipeline.embed`) and average linkage cut at two levels (`engines.semantic`): themes, and sub-themes inside
each, with short labels. `fuzzy` groups by shared words and spelling (`engines.fuzzy`), for machines without
the model, as custlens always did: no sub-themes, and each theme labelled by its most representative
statement.

A theme holds statements of one type (pain or need) that say the same thing. Its label is a short
phrase of its own words that sets it apart (`pipeline.labels`; with the fuzzy engine its most representative
statement), or the codebook label; beside it, its most
representative statement (the medoid) and a quote. Its id is the codebook key, or a short hash of the
type and the normalised text (`normalise.for_grouping`) of its first statement (earliest date, then text), so it stays the same
when later notes join the theme; a sub-theme's id is its theme's id and a hash of its own first
statement. Results do not depend on the order notes were read in.

Why one module of this length: ids, quotes and labels are chosen the same way for codebook themes,
the semantic engine's and the fuzzy engine's, and the draft each engine returns (`_Drafted`: plain
data, so that pains and needs are grouped in worker processes at once) is made and read here. A new
similarity engine is a module in `engines/` that returns groups of indices, and one `_<engine>_drafts`
function here that turns them into a `_Drafted` (see ARCHITECTURE.md).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from custlens.errors import CustlensError, ExitCode
from custlens.infra.parallel import in_parallel
from custlens.infra.timing import stage
from custlens.models import Statement
from custlens.pipeline.codebook import Codebook, assign
from custlens.pipeline.normalise import for_grouping, for_phrases

if TYPE_CHECKING:  # the engines (and numpy) are imported when themes are built: `check` and `add` never load it
    import numpy as np

    from custlens.pipeline.engines.fuzzy import GroupingSettings, Memo
    from custlens.pipeline.engines.semantic import MeaningGroups, MeaningSettings

THEMED_TYPES = ("pain", "need")
LABEL_CHARS = 90
ENGINES = ("semantic", "fuzzy")
Engine = Literal["semantic", "fuzzy"]
CODEBOOK_MEANING = 0.70  # semantic engine: a statement this alike to a codebook phrase joins its entry


@dataclass(frozen=True, eq=False)
class Subtheme:
    """A tighter group inside a theme: statements that say the same thing in nearly the same sense."""

    id: str
    label: str
    statements: tuple[Statement, ...]
    representative: Statement | None = None
    centre: Any = None  # semantic engine: its unit centre vector (numpy float32)


@dataclass(frozen=True, eq=False)
class Theme:
    """A group of statements of one type that say the same thing."""

    id: str
    label: str
    type: str
    statements: tuple[Statement, ...]
    named: bool = False  # from the codebook
    representative: Statement | None = None
    quote: Statement | None = None  # the statement shown as its evidence (`choose_quote`), once chosen
    subthemes: tuple[Subtheme, ...] = ()
    fit: tuple[float, ...] = ()  # semantic engine: each statement's cosine with the theme's centre
    centre: Any = None  # semantic engine: the theme's unit centre vector (numpy float32)

    def fits(self) -> dict[int, float]:
        """How close each statement is to the theme's centre (cosine), by the statement's id(), where the
        engine knows it (else empty)."""
        return {id(s): fit for s, fit in zip(self.statements, self.fit)}


@dataclass(frozen=True)
class ThemeSettings:
    """How statements are grouped: the engine and its thresholds (None: the engine's default)."""

    engine: Engine | None = None  # None: semantic
    threshold: float | None = None
    sub_threshold: float | None = None

    def fuzzy(self) -> GroupingSettings:
        from custlens.pipeline.engines.fuzzy import GroupingSettings

        return GroupingSettings(threshold=self.threshold) if self.threshold is not None else GroupingSettings()

    def meaning(self) -> MeaningSettings:
        from custlens.pipeline.engines.semantic import MeaningSettings

        default = MeaningSettings()
        threshold = self.threshold if self.threshold is not None else default.threshold
        sub = self.sub_threshold if self.sub_threshold is not None else max(threshold, default.sub_threshold)
        return MeaningSettings(threshold=threshold, sub_threshold=sub)


def statement_key(statement: Statement) -> tuple[str, str, int, str]:
    """A canonical order for statements, independent of the order files were read in."""
    return (statement.text, statement.note.path, statement.line, statement.note.id)


def trim(text: str, limit: int = LABEL_CHARS) -> str:
    """Shorten to `limit` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-")
    return (cut or text[: limit - 1]) + "…"


QUOTE_PEERS = 40  # a quote is compared with at most this many statements of its theme ...
QUOTE_CANDIDATES = 200  # ... and chosen among at most this many (evenly through a large theme)


def _evenly(items: Sequence[Statement], most: int) -> list[Statement]:
    """At most `most` of the items, taken at even steps through them (they are in date order)."""
    return list(items[:: max(1, len(items) // most)][:most])


def choose_quote(theme: Theme) -> Statement:
    """The customer's own words where there are some (a quote), else another statement than the medoid;
    of those, the one most like the theme as a whole: the closest to its centre where the engine knows
    it, else the most like its medoid and its other statements on average (fuzzy scores),
    so the quote shows what the theme is about rather than a statement at its edge."""
    if theme.fit:
        return _closest_quote(theme)
    from rapidfuzz import fuzz, process, utils

    centre = theme.representative or theme.statements[0]
    quotes = [s for s in theme.statements if s.section == "quotes"]
    others = [s for s in theme.statements if s is not centre and s.text != centre.text]
    candidates = quotes or others
    if not candidates:
        return centre
    peers = [centre.text] + [s.text for s in _evenly(theme.statements, QUOTE_PEERS)]
    candidates = _evenly(candidates, QUOTE_CANDIDATES)
    scores = process.cdist(
        [s.text for s in candidates], peers, scorer=fuzz.token_sort_ratio, processor=utils.default_process,
        dtype=None, workers=1,
    )
    likeness = [float(row.sum()) for row in scores]
    best = min(
        range(len(candidates)),
        key=lambda k: (-round(likeness[k], 6), len(candidates[k].text) > 140, candidates[k].note.date,
                       candidates[k].note.path, candidates[k].line),
    )
    return candidates[best]


def _closest_quote(theme: Theme) -> Statement:
    """Semantic engine: of the quotes (else all statements), the one closest to the theme's centre."""
    places = [k for k, s in enumerate(theme.statements) if s.section == "quotes"] or range(len(theme.statements))
    best = min(places, key=lambda k: (-theme.fit[k], len(theme.statements[k].text) > 140,
                                       theme.statements[k].note.date, theme.statements[k].note.path,
                                       theme.statements[k].line))
    return theme.statements[best]


def _digest_id(prefix: str, kind: str, text: str, taken: set[str], shortest: int) -> str:
    digest = hashlib.sha1(f"{kind}\n{for_grouping(text)}".encode()).hexdigest()
    for length in range(shortest, 41):
        candidate = f"{prefix}{digest[:length]}"
        if candidate not in taken:
            return candidate
    raise AssertionError("sha1 collision")  # pragma: no cover


def _theme_id(kind: str, text: str, taken: set[str]) -> str:
    return _digest_id(f"{kind}-", kind, text, taken, 6)


def _chronological(statements: Iterable[Statement]) -> tuple[Statement, ...]:
    return tuple(sorted(statements, key=lambda s: (s.note.date, s.note.path, s.line)))


def _first(statements: Sequence[Statement]) -> Statement:
    """The statement an id is made from: the earliest, then the first by text."""
    return min(statements, key=lambda s: (s.note.date, for_grouping(s.text), s.text))


@dataclass(frozen=True)
class _Drafted:
    """One type's themes as plain data (they come back from a worker process): member indices into
    that type's statements, and what was chosen for each theme."""

    groups: list[list[int]]
    medoids: list[int]
    subgroups: list[list[list[int]]]  # per theme, its sub-themes' members
    submedoids: list[list[int]]
    labels: list[str]
    sublabels: list[list[str]]
    quotes: list[int]
    fit: list[float] | None = None  # per statement: cosine with its theme's centre (semantic engine)
    centres: Any = None  # per theme: its unit centre (semantic engine)
    subcentres: Any = None  # per theme, its sub-themes' unit centres (semantic engine)


Vectors = Callable[[Sequence[str]], "np.ndarray"]


def build_themes(
    statements: Sequence[Statement],
    settings: ThemeSettings | None = None,
    codebook: Codebook | None = None,
    timings: dict[str, float] | None = None,
    memo: Memo | None = None,
    vectors: Vectors | None = None,
) -> list[Theme]:
    """Every pain and need statement in exactly one theme of its type (one-mention themes included).

    The semantic engine needs `vectors` (texts to integer sentence vectors, `embed.Embedder.vectors`)."""
    settings = settings or ThemeSettings()
    semantic = settings.engine != "fuzzy"
    if semantic and vectors is None:
        raise ValueError("the semantic engine needs vectors")
    ordered = sorted((s for s in statements if s.type in THEMED_TYPES), key=statement_key)
    themes: list[Theme] = []
    taken: set[str] = set()
    named: dict[str, list[Statement]] = {}
    rest: dict[str, list[Statement]] = {kind: [] for kind in THEMED_TYPES}
    if codebook:
        with stage(timings, "codebook"):
            keys = assign(codebook, [s.text for s in ordered], [s.type or "" for s in ordered])
            if semantic and vectors is not None:
                keys = _assign_by_meaning(codebook, ordered, keys, vectors)
        for statement, key in zip(ordered, keys):
            if key is None:
                rest[statement.type or ""].append(statement)
            else:
                named.setdefault(key, []).append(statement)
        for key, entry in codebook.entries.items():
            found = named.get(key, [])
            # a theme has one type: an entry without one makes a theme of each type it took, its key
            # for the commoner (pain on a tie) and `<key>-<type>` for the other
            said_as = sorted({s.type or "" for s in found}, key=lambda t: (-sum(1 for s in found if s.type == t),
                                                                           THEMED_TYPES.index(t)))
            for n, of_type in enumerate(said_as):
                theme_id = key if n == 0 else _free_id(f"{key}-{of_type}", taken, codebook.entries)
                taken.add(theme_id)
                own = [s for s in found if s.type == of_type]
                themes.append(_named_theme(theme_id, entry.label, of_type, own, settings, vectors, taken))
    else:
        for statement in ordered:
            rest[statement.type or ""].append(statement)
    kinds = [kind for kind in THEMED_TYPES if rest[kind]]
    # the model runs here, before the work is shared out: each type's grouping then needs only numbers
    with stage(timings, "embed"):
        matrices = {kind: vectors([s.text for s in rest[kind]]) for kind in kinds} if semantic and vectors else {}

    # pains and needs are grouped apart, so they are grouped at the same time. Each keeps its own
    # timings, sent back with its themes and added up here.
    def grouped(kind: str) -> tuple[_Drafted, dict[str, float]]:
        clock: dict[str, float] = {}
        if semantic:
            drafted = _meaning_drafts(kind, rest[kind], matrices[kind], settings.meaning(), clock, memo)
        else:
            drafted = _fuzzy_drafts(kind, rest[kind], settings.fuzzy(), clock, memo)
        return drafted, clock

    done = in_parallel([functools.partial(grouped, kind) for kind in kinds])
    for _, clock in done:
        for name, seconds in clock.items():
            if timings is not None:
                timings[name] = timings.get(name, 0.0) + seconds
    for kind, (drafted, _) in zip(kinds, done):
        if semantic and vectors is not None:
            with stage(timings, "labels"):
                drafted = _with_meaning_labels(rest[kind], drafted, matrices[kind], vectors)
        themes.extend(_assemble(kind, rest[kind], drafted, taken))
    return themes


def _with_meaning_labels(members: list[Statement], drafted: _Drafted, matrix: np.ndarray, vectors: Vectors) -> _Drafted:
    """Labels for a type's themes and sub-themes, chosen by meaning (here, where the model runs)."""
    texts = [s.text for s in members]
    fit = drafted.fit or [0.0] * len(members)
    labels = _meaning_labels(texts, drafted.groups, drafted.medoids, fit, _unit_centres(matrix, drafted.groups), vectors)
    flat = [indices for subs in drafted.subgroups for indices in subs]
    flat_medoids = [m for ms in drafted.submedoids for m in ms]
    flat_centres = _unit_centres(matrix, flat)
    # a sub-theme never reads like a theme ("Patients e-mail or leave (part of: Patients e-mail or leave)")
    flat_labels = _meaning_labels(texts, flat, flat_medoids, fit, flat_centres, vectors, labels) if flat else []
    sublabels, subcentres, position = [], [], 0
    for subs in drafted.subgroups:
        sublabels.append(flat_labels[position : position + len(subs)])
        subcentres.append([flat_centres[position + k].astype("float32") for k in range(len(subs))])
        position += len(subs)
    return dataclasses.replace(drafted, labels=labels, sublabels=sublabels, subcentres=subcentres)


def _assemble(kind: str, members: list[Statement], drafted: _Drafted, taken: set[str]) -> Iterator[Theme]:
    """Themes from a type's drafted groups: ids (from each theme's first statement, so notes added
    later leave them as they are, even when they move the centre), sub-themes, quotes."""
    for g, indices in enumerate(drafted.groups):
        said = [members[k] for k in indices]
        theme_id = _theme_id(kind, _first(said).text, taken)
        taken.add(theme_id)
        subthemes = []
        sub_taken: set[str] = set()
        centres = drafted.subcentres[g] if drafted.subcentres is not None else [None] * len(drafted.subgroups[g])
        for sub_indices, sub_medoid, sub_label, centre in zip(
            drafted.subgroups[g], drafted.submedoids[g], drafted.sublabels[g], centres
        ):
            sub_said = [members[k] for k in sub_indices]
            sub_id = _digest_id(f"{theme_id}.", kind, _first(sub_said).text, sub_taken, 4)
            sub_taken.add(sub_id)
            subthemes.append(Subtheme(sub_id, sub_label, _chronological(sub_said), members[sub_medoid], centre))
        statements = _chronological(said)
        fit: tuple[float, ...] = ()
        if drafted.fit is not None:
            place = {id(members[k]): drafted.fit[k] for k in indices}
            fit = tuple(place[id(s)] for s in statements)
        yield Theme(
            id=theme_id, label=drafted.labels[g], type=kind, statements=statements, named=False,
            representative=members[drafted.medoids[g]], quote=members[drafted.quotes[g]],
            subthemes=tuple(sorted(subthemes, key=lambda sub: (-len(sub.statements), sub.id))),
            fit=fit, centre=drafted.centres[g] if drafted.centres is not None else None,
        )


def _central_first(texts: Sequence[str], groups: Sequence[Sequence[int]], medoids: Sequence[int],
                   order: Callable[[int], Any]) -> list[list[str]]:
    """Each group's texts, its medoid first, then the rest in `order` (most central first)."""
    return [[texts[m]] + [texts[k] for k in sorted(indices, key=order) if k != m] for indices, m in zip(groups, medoids)]


def _labelled(texts: Sequence[str], groups: Sequence[Sequence[int]], medoids: Sequence[int],
              order: Callable[[int], Any], taken: Sequence[str] = ()) -> list[str]:
    """Short labels for groups of texts, by their words alone; none of them one of `taken`."""
    from custlens.pipeline.labels import short_labels

    return short_labels(_central_first(texts, groups, medoids, order), taken=taken)


LABEL_ELSEWHERE = 0.5  # how much a phrase's closeness to other groups counts against it
LABEL_WORDS = 0.02  # a little weight for phrases of two or three words, which read best


def _unit_centres(matrix: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Each group's unit centre: the sum of its members' vectors, scaled to length one."""
    import numpy as np

    centres = np.zeros((len(groups), matrix.shape[1]))
    for g, indices in enumerate(groups):
        total = matrix[list(indices)].astype(np.float64).sum(axis=0)
        centres[g] = total / (np.linalg.norm(total) or 1.0)
    return centres


def _meaning_labels(texts: Sequence[str], groups: Sequence[Sequence[int]], medoids: Sequence[int],
                    fit: Sequence[float], centres: np.ndarray, vectors: Vectors, taken: Sequence[str] = ()) -> list[str]:
    """Short labels for one type's groups, each chosen among its candidate phrases by meaning: close to
    its own centre, far from the other groups' centres (see `labels`); none of them one of `taken`."""
    import numpy as np

    from custlens.pipeline.embed import SCALE
    from custlens.pipeline.labels import short_labels

    asked_groups: list[int] = [g for g, indices in enumerate(groups) if len(indices) > 1]

    def meaning(candidates: Sequence[Sequence[str]]) -> list[list[float]]:
        flat = [phrase for phrases in candidates for phrase in phrases]
        if not flat:
            return [[] for _ in candidates]
        phrase_vectors = vectors(flat).astype(np.float64) / SCALE
        sims = phrase_vectors @ centres.T
        out: list[list[float]] = []
        position = 0
        for g, phrases in zip(asked_groups, candidates):
            rows = sims[position : position + len(phrases)]
            position += len(phrases)
            own = rows[:, g].copy()
            rows = rows.copy()
            rows[:, g] = -1.0
            elsewhere = rows.max(axis=1) if rows.shape[1] > 1 else np.zeros(len(phrases))
            words = np.array([min(3, len(p.split())) for p in phrases])
            out.append((own - LABEL_ELSEWHERE * elsewhere + LABEL_WORDS * words).tolist())
        return out

    inputs = _central_first(texts, groups, medoids, lambda k: (-fit[k], texts[k]))
    return short_labels(inputs, meaning, taken)


def _meaning_drafts(
    kind: str, members: list[Statement], vectors: np.ndarray, settings: MeaningSettings,
    clock: dict[str, float], memo: Memo | None,
) -> _Drafted:
    from custlens.pipeline.embed import MODEL_ID
    from custlens.pipeline.engines.semantic import group_by_meaning

    texts = [s.text for s in members]
    key = ""
    remembered = None
    with stage(clock, "grouping"):
        if memo is not None:
            identity = hashlib.sha1(repr(("meaning", MODEL_ID, settings)).encode())
            for text in sorted(texts):
                identity.update(text.encode("utf-8", "surrogateescape") + b"\x00")
            key = identity.hexdigest()[:24]
            nodes = len(set(texts))
            found_roots = memo.get("meaning", key, lambda value: _valid_roots(value, nodes) is not None)
            remembered = _valid_roots(found_roots, nodes)
        found, roots = group_by_meaning(texts, vectors, settings, remembered)
        if memo is not None and remembered is None:
            memo.put("meaning", key, roots)
    subgroups, submedoids = _subthemes_of(found)
    fit = found.fit
    groups = found.groups
    with stage(clock, "triangulate"):
        quotes = []
        for indices in groups:
            pool = [k for k in indices if members[k].section == "quotes"] or indices
            quotes.append(min(pool, key=lambda k: (-fit[k], len(texts[k]) > 140, members[k].note.date,
                                                  members[k].note.path, members[k].line)))
    single = [not subs or len(subs) == 1 for subs in subgroups]
    return _Drafted(
        groups=groups, medoids=found.medoids,
        subgroups=[[] if one else subs for one, subs in zip(single, subgroups)],
        submedoids=[[] if one else ms for one, ms in zip(single, submedoids)],
        labels=[], sublabels=[], quotes=quotes, fit=fit, centres=found.centres,
    )


def _subthemes_of(found: MeaningGroups) -> tuple[list[list[list[int]]], list[list[int]]]:
    """Each theme's sub-themes (member indices) and their medoids, biggest first."""
    members = found.subgroups  # built from the labels at each use: once here, not once per look-up
    subs_of: dict[int, list[int]] = {}
    for sub, indices in enumerate(members):
        subs_of.setdefault(found.labels[indices[0]], []).append(sub)
    subgroups, submedoids = [], []
    for g in range(len(found.medoids)):
        subs = sorted(subs_of.get(g, []), key=lambda sub: (-len(members[sub]), sub))
        subgroups.append([members[sub] for sub in subs])
        submedoids.append([found.submedoids[sub] for sub in subs])
    return subgroups, submedoids


def _valid_roots(value: Any, nodes: int) -> tuple[list[int], list[int]] | None:
    """A remembered grouping, if it has the shape this run needs (else it is recomputed)."""
    if (isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(part, (list, tuple)) for part in value)
            and all(len(part) == nodes for part in value)
            and all(isinstance(x, int) and 0 <= x < nodes for part in value for x in part)):
        return list(value[0]), list(value[1])
    return None


def _fuzzy_drafts(
    kind: str, members: list[Statement], settings: GroupingSettings, clock: dict[str, float], memo: Memo | None
) -> _Drafted:
    """The fuzzy engine's themes, as they always were: labelled by their most representative statement,
    with no sub-themes (grouping them again would cost as much as grouping them once)."""
    from custlens.pipeline.engines.fuzzy import group

    texts = [s.text for s in members]
    grouping = group(texts, settings, timings=clock, memo=memo)
    groups = grouping.groups
    labels = [trim(texts[m]) for m in grouping.medoids]
    with stage(clock, "triangulate"):
        quotes = []
        for indices, medoid, label in zip(groups, grouping.medoids, labels):
            draft = Theme("", label, kind, _chronological(members[k] for k in indices), False, members[medoid])
            quote = choose_quote(draft)
            quotes.append(next(k for k in indices if members[k] is quote))
    return _Drafted(groups, grouping.medoids, [[] for _ in groups], [[] for _ in groups], labels,
                    [[] for _ in groups], quotes)


def _assign_by_meaning(codebook: Codebook, ordered: Sequence[Statement], keys: list[str | None], vectors: Vectors) -> list[str | None]:
    """Statements no codebook phrase matched join the entry one of whose phrases means the same (its
    vector at least CODEBOOK_MEANING alike), the closest entry first."""
    import numpy as np

    phrases = [(key, raw) for key, entry in codebook.entries.items() for raw in entry.match if for_phrases(raw)]
    open_ = [k for k, key in enumerate(keys) if key is None]
    if not phrases or not open_:
        return keys
    phrase_vectors = vectors([raw for _, raw in phrases]).astype(np.float64)
    statement_vectors = vectors([ordered[k].text for k in open_]).astype(np.float64)
    from custlens.pipeline.embed import SCALE

    sims = statement_vectors @ phrase_vectors.T / SCALE**2
    out = list(keys)
    for row, k in enumerate(open_):
        entry_types = [codebook.entries[key].type for key, _ in phrases]
        allowed = [j for j, kind in enumerate(entry_types) if kind is None or kind == ordered[k].type]
        if not allowed:
            continue
        best = max(allowed, key=lambda j: (round(float(sims[row, j]), 9), -j))
        if sims[row, best] >= CODEBOOK_MEANING:
            out[k] = phrases[best][0]
    return out


def _free_id(wanted: str, taken: set[str], keys: Collection[str]) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`... if a theme or a codebook entry has it already."""
    out, n = wanted, 1
    while out in taken or out in keys:
        n += 1
        out = f"{wanted}-{n}"
    return out


def _named_theme(
    key: str, label: str, kind: str, found: list[Statement], settings: ThemeSettings, vectors: Vectors | None,
    taken: set[str],
) -> Theme:
    """A codebook theme, with sub-themes grouped inside it as the semantic engine would."""
    statements = _chronological(found)
    texts = [s.text for s in statements]
    fit: tuple[float, ...] = ()
    centre = None
    parts: list[tuple[list[int], int]] = []
    if settings.engine != "fuzzy" and vectors is not None and len(set(texts)) > 1:
        import numpy as np

        from custlens.pipeline.engines.semantic import MeaningSettings, group_by_meaning

        matrix = vectors(texts)
        meaning = settings.meaning()
        inner, _ = group_by_meaning(texts, matrix, MeaningSettings(threshold=meaning.sub_threshold,
                                                                  sub_threshold=meaning.sub_threshold))
        parts = [(inner.groups[g], inner.medoids[g]) for g in range(len(inner.medoids))]
        total = matrix.astype(np.float64).sum(axis=0)
        centre = (total / (np.linalg.norm(total) or 1.0)).astype(np.float32)
        from custlens.pipeline.embed import SCALE

        fit = tuple(float(x) for x in np.round(matrix.astype(np.float64) @ centre.astype(np.float64) / SCALE, 6))
    subthemes: list[Subtheme] = []
    if len(parts) > 1:
        parts.sort(key=lambda part: (-len(part[0]), part[0][0]))
        sub_labels = _labelled(texts, [p for p, _ in parts], [m for _, m in parts], lambda k: (0, texts[k]), [label])
        sub_taken: set[str] = set()
        for (indices, medoid), sub_label in zip(parts, sub_labels):
            said = [statements[k] for k in indices]
            sub_id = _digest_id(f"{key}.", kind, _first(said).text, sub_taken, 4)
            sub_taken.add(sub_id)
            subthemes.append(Subtheme(sub_id, sub_label, _chronological(said), statements[medoid]))
    theme = Theme(key, label, kind, statements, True, found[0], None, tuple(subthemes), fit, centre)
    return dataclasses.replace(theme, quote=choose_quote(theme))


def subtheme_level(themes: Sequence[Theme]) -> list[Theme]:
    """Sub-themes as themes of their own (for `--level subtheme`); a theme without sub-themes stays whole."""
    out: list[Theme] = []
    for theme in themes:
        if not theme.subthemes:
            out.append(theme)
            continue
        out.extend(subthemes_as_themes(theme))
    return out


def subthemes_as_themes(theme: Theme) -> list[Theme]:
    """Each of a theme's sub-themes as a theme of its own, with its quote (the theme's fits looked up
    once for all of them)."""
    fits = theme.fits()
    out = []
    for sub in theme.subthemes:
        fit = tuple(fits.get(id(s), 0.0) for s in sub.statements) if theme.fit else ()
        part = Theme(sub.id, sub.label, theme.type, sub.statements, theme.named, sub.representative, None, (), fit,
                     sub.centre)
        out.append(dataclasses.replace(part, quote=choose_quote(part)))
    return out


class _Ranked(Protocol):
    @property
    def theme(self) -> Theme: ...


R = TypeVar("R", bound=_Ranked)


def find_theme(query: str, ranked: Sequence[R]) -> R:
    """The theme a user means: its id (any case), a unique start of an id, else the theme whose label
    and statements hold the query's words best (each word matched fuzzily, so typos and plurals are
    fine). When several hold them equally well, none is picked: the error lists them, with their ids."""
    from rapidfuzz import fuzz, process, utils

    wanted = query.strip().casefold()
    for evidence in ranked:
        if evidence.theme.id.casefold() == wanted:
            return evidence
    if re.fullmatch(r"(?:pain|need)-[0-9a-f]*(?:\.[0-9a-f]*)?", wanted):  # an id, or its start ("need-")
        starts = [e for e in ranked if e.theme.id.casefold().startswith(wanted)]
        if len(starts) == 1:
            return starts[0]
        if len(starts) > 1:
            raise CustlensError(
                f"{len(starts)} themes have ids starting {query!r}",
                hint="give more of the id: " + ", ".join(e.theme.id for e in starts[:5]), exit_code=ExitCode.USAGE,
            )
        raise CustlensError(f"no theme has an id starting {query!r}",
                            hint="`custlens themes --all` lists them, or give words from a theme's label",
                            exit_code=ExitCode.USAGE)
    words = utils.default_process(query).split()
    texts = [
        (utils.default_process(e.theme.label).split(),
         {w for s in e.theme.statements for w in utils.default_process(s.text).split()})
        for e in ranked
    ]
    vocabulary = sorted({w for label, said in texts for w in (*label, *said)})
    close = [  # per query word: the score of each word of the notes that is like it
        {vocabulary[k]: score for _, score, k in process.extract(word, vocabulary, scorer=fuzz.ratio,
                                                                  score_cutoff=75, limit=None)}
        for word in words
    ]

    def fit(found: Iterable[str]) -> float:
        present = set(found)
        return sum(max((score for w, score in near.items() if w in present), default=0.0) for near in close)

    best: list[R] = []
    best_key = (0.0, 0.0)
    for evidence, (label, said) in zip(ranked, texts):
        key = (fit([*label, *said]), fit(label))
        if key > best_key:
            best, best_key = [evidence], key
        elif key == best_key and best:
            best.append(evidence)
    if not best or not words or best_key[0] < 60 * len(words):
        raise CustlensError(
            f"no theme matches {query!r}",
            hint="give a theme id or words from its label; `custlens themes --all` lists them",
            exit_code=ExitCode.USAGE,
        )
    if len(best) > 1:  # in rank order, strongest first
        listed = "; ".join(f"{e.theme.id} ({trim(e.theme.label, 50)})" for e in best[:5])
        more = f"; and {len(best) - 5} more" if len(best) > 5 else ""
        raise CustlensError(
            f"{len(best)} themes match {query!r} equally well",
            hint=f"give the id of the one you mean, or more words: {listed}{more}",
            exit_code=ExitCode.USAGE,
        )
    return best[0]
