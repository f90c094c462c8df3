"""Group short texts that say the same thing: candidate pairs, fuzzy scores, average linkage.

This module knows strings and scores, nothing about notes or files. The steps:

1. Normalise (`normalise.for_grouping`): lower case, no punctuation, no filler or function words. Texts
   that are the same after this are one node with a weight, so repeats cost nothing.
2. Features: each word gives its character 3- and 4-grams (together weighing NGRAM_WEIGHT, so long
   words do not drown short ones) and its stem (WORD_WEIGHT), weighted by TF-IDF.
3. Candidates: pairs that share a feature, found through an inverted index (for each text, the dot
   products with every text that shares a feature, accumulated feature by feature), never an n x n
   matrix. Only features rare enough to fit a work budget propose pairs (the commonest would pair
   everything), but every feature counts in the cosine of the pairs found. Each text keeps its
   `max_candidates` candidates with the highest cosine. This loop and the linkage rounds are compiled
   (`_native`); without the compiled module the same steps run in numpy and scipy.
4. Score each candidate pair: the geometric mean of the cosine and rapidfuzz's `token_sort_ratio`
   (an edit-distance ratio over the sorted words: word order does not matter, typos cost little,
   extra or missing words lower the score; `token_set_ratio`, which scores any subset 100, grouped
   unrelated statements that share two common words). Pairs under `floor` count as unlike (0), and
   each text keeps its `max_neighbours` strongest pairs: a sparse similarity graph.
5. Group by average linkage on that graph: repeatedly merge the two groups with the highest average
   score over all their cross pairs (unlike pairs count 0), while that average is at least
   `threshold`. A text joins a group only if it is like the group as a whole, not one member of it.
   In groups small enough (at most 1/threshold texts) for one strong pair to carry the average, every
   pair must be alike: A~B and B~C do not pull A and C together when they are unlike.

The straightforward path (`exact=True`) scores every pair instead of the candidates; on small inputs
the two are the same by construction, and on banking77 they differ by about 0.001 ARI (bench/themes.py).
Everything is deterministic and independent of input order: nodes are sorted by text first and ties
go to the lower node.

Why one module of this length: the five steps share one sparse layout (`_Rows`, `_Matrix`, node
weights, integer scores on SCALE) and each numpy fallback sits beside the compiled loop it stands in
for, so that the two can be read, and kept, the same; split apart, every piece would need the others.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from custlens.infra.timing import stage
from custlens.pipeline.normalise import for_grouping, stem

# the compiled inner loops; where they were not built, the numpy code below does the same
try:
    from custlens.pipeline.engines import _native
except ImportError:  # pragma: no cover - depends on the build
    _native = None  # type: ignore[assignment]  # the numpy fallbacks below check for None

SCALE = 10_000  # scores are integers 0..SCALE so that sums are exact and runs are repeatable

@dataclass(frozen=True)
class GroupingSettings:
    """The knobs of grouping. `threshold` is the one users tune (`--threshold`)."""

    threshold: float = 0.20
    floor: float = 0.25
    pair_budget: int = 300_000_000  # products spent on proposing candidate pairs
    min_max_df: int = 200  # features in up to this many texts always propose pairs
    max_candidates: int = 400  # per text, the candidates with the highest cosine that get scored
    max_neighbours: int = 200  # per text, the strongest scored pairs kept
    direct_limit: int = 10_000  # beyond this many distinct texts, link a sample and assign the rest ...
    sample_size: int = 4_000  # ... of this many texts
    assign_candidates: int = 100  # per other text, the sample texts it is compared with

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")


@dataclass(frozen=True)
class Grouping:
    """The result: `labels[i]` is the group of text i (numbered 0.. in order of first member),
    `medoids[g]` the index of the most representative text of group g, and `normalised[i]` text i as
    it was compared (`normalise.for_grouping`)."""

    labels: list[int]
    medoids: list[int]
    normalised: list[str]

    @property
    def groups(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in self.medoids]
        for index, label in enumerate(self.labels):
            out[label].append(index)
        return out


# --- features -------------------------------------------------------------------------------------


NGRAM_WEIGHT = 3.0  # all character n-grams of one word together weigh this much ...
WORD_WEIGHT = 2.0  # ... and the (stemmed) word itself this much, so long words do not dominate


def _word_features(word: str) -> list[tuple[str, float]]:
    padded = f" {word} "
    grams = [padded[i : i + n] for n in (3, 4) for i in range(max(1, len(padded) - n + 1))]
    share = NGRAM_WEIGHT / len(grams)
    return [(gram, share) for gram in grams] + [("w:" + stem(word), WORD_WEIGHT)]


@dataclass(frozen=True)
class _Rows:
    """Sparse rows (CSR: row r holds indices[indptr[r]:indptr[r+1]], ascending, and their data) of
    `width` columns. Plain numpy, so grouping needs no scipy where the compiled loops are built."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    width: int

    @property
    def count(self) -> int:
        return len(self.indptr) - 1

    def rows(self, lo: int, hi: int) -> _Rows:
        a, b = int(self.indptr[lo]), int(self.indptr[hi])
        return _Rows(self.indptr[lo : hi + 1] - a, self.indices[a:b], self.data[a:b], self.width)

    def columns(self, keep: np.ndarray) -> _Rows:
        """Only the columns where `keep` is true, numbered 0.. in their order."""
        kept = keep[self.indices]
        indptr = np.zeros(self.count + 1, dtype=np.int64)
        np.cumsum(np.bincount(self._row_of()[kept], minlength=self.count), out=indptr[1:])
        number = np.cumsum(keep) - 1
        return _Rows(indptr, number[self.indices[kept]], self.data[kept], int(keep.sum()))

    def transposed(self) -> _Rows:
        """Columns as rows; each one's entries in row order."""
        order = np.argsort(self.indices, kind="stable")
        indptr = np.zeros(self.width + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.indices, minlength=self.width), out=indptr[1:])
        return _Rows(indptr, self._row_of()[order], self.data[order], self.count)

    def _row_of(self) -> np.ndarray:
        return np.repeat(np.arange(self.count, dtype=np.int64), np.diff(self.indptr))

    def scipy(self) -> Any:
        from scipy import sparse

        return sparse.csr_matrix((self.data, self.indices, self.indptr), shape=(self.count, self.width))


@dataclass(frozen=True)
class _Matrix:
    """Sparse TF-IDF rows and each feature's document frequency."""

    rows: _Rows
    df: np.ndarray


def _tfidf(texts: Sequence[str]) -> _Matrix:
    """TF-IDF rows (smooth idf, unit length). Each word's features are computed once, however often it occurs."""
    vocab: dict[str, int] = {}
    word_ids: dict[str, int] = {}
    word_feats: list[int] = []
    word_weights: list[float] = []
    word_start: list[int] = [0]
    occurrences: list[int] = []
    text_lengths: list[int] = []
    for text in texts:
        words = text.split()
        for word in words:
            found = word_ids.get(word)
            if found is None:
                found = word_ids[word] = len(word_ids)
                for feature, weight in _word_features(word):
                    word_feats.append(vocab.setdefault(feature, len(vocab)))
                    word_weights.append(weight)
                word_start.append(len(word_feats))
            occurrences.append(found)
        text_lengths.append(len(words))
    n, width = len(texts), len(vocab)
    if not word_feats or not occurrences:
        zero = np.zeros(0, dtype=np.int64)
        return _Matrix(_Rows(np.zeros(n + 1, dtype=np.int64), zero, np.zeros(0), width), np.zeros(width, np.int64))
    # every occurrence of a word stands for all of that word's features, in order
    word_of = np.asarray(occurrences, dtype=np.int64)
    starts = np.asarray(word_start, dtype=np.int64)
    per_word = np.diff(starts)[word_of]
    text_of = np.repeat(np.repeat(np.arange(n, dtype=np.int64), text_lengths), per_word)
    offsets = np.arange(int(per_word.sum()), dtype=np.int64) - np.repeat(np.cumsum(per_word) - per_word, per_word)
    position = np.repeat(starts[word_of], per_word) + offsets
    feats = np.asarray(word_feats, dtype=np.int64)[position]
    weights = np.asarray(word_weights)[position]
    key, inverse = np.unique(text_of * width + feats, return_inverse=True)
    tf = np.bincount(inverse.ravel(), weights=weights)
    row_of, ind = key // width, key % width
    df = np.bincount(ind, minlength=width)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    data = np.sqrt(tf) * idf[ind]  # sublinear: a repeated word adds less than a new one
    norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=n))
    norms[norms == 0] = 1.0
    data = data / norms[row_of]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of, minlength=n), out=indptr[1:])
    return _Matrix(_Rows(indptr, ind, data, width), df)


# --- candidate pairs and scores -------------------------------------------------------------------


def _best_first(groups: np.ndarray, values: np.ndarray, ties: np.ndarray, top: int) -> np.ndarray:
    """Indices of the `top` highest values in each group (ties to the lower `ties`), groups in order.

    One sort of a single integer key (values quantised to 1e-6 of their range): much faster than lexsort.
    """
    if not len(groups):
        return np.zeros(0, dtype=np.int64)
    scale = float(values.max()) or 1.0
    quantised = np.rint(values / scale * 1_000_000).astype(np.int64)
    width = int(ties.max()) + 1
    key = (groups.astype(np.int64) * 1_000_001 + (1_000_000 - quantised)) * width + ties.astype(np.int64)
    order = np.argsort(key)
    grouped = groups[order]
    starts = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1])))
    lengths = np.diff(np.append(starts, len(grouped)))
    rank = np.arange(len(order)) - np.repeat(starts, lengths)  # place within its group
    return order[rank < top]


def _rare_limit(df: np.ndarray, budget: int, minimum: int) -> int:
    """The largest document frequency D such that pairing texts through every feature in at most D
    texts costs no more than `budget` products (each such feature costs df**2), but at least `minimum`."""
    if not len(df):
        return minimum
    counts = np.bincount(df)
    cost = np.cumsum(counts * np.arange(len(counts), dtype=np.float64) ** 2)
    affordable = np.flatnonzero(cost <= budget)
    return max(minimum, int(affordable[-1]) if len(affordable) else 0)


def _by_rarity(m: _Matrix, settings: GroupingSettings) -> tuple[_Rows, _Rows | None]:
    """The texts x rarer features (those that propose pairs) and texts x commonest features (None if
    there are none): see `_cosine_pairs`."""
    limit = _rare_limit(m.df, settings.pair_budget, settings.min_max_df)
    common = m.df > limit
    if not common.any():
        return m.rows, None
    return m.rows.columns(~common), m.rows.columns(common)


def _no_pairs() -> tuple[np.ndarray, ...]:
    empty = np.zeros(0, dtype=np.int64)
    return empty, empty, np.zeros(0)


def _least_cosine(settings: GroupingSettings) -> float:
    """The cosine under which a pair cannot reach the floor (the fuzzy ratio is at most 1; the floor is
    lowered by one quantum for rounding), for the candidates and the scorer alike."""
    return (settings.floor - 1.0 / SCALE) ** 2


PRE_CANDIDATES = 3  # x max_candidates: the candidates per text ranked by their rarer features first


def _best_per_row(rows: np.ndarray, cols: np.ndarray, sims: np.ndarray, top: int) -> np.ndarray:
    """Indices (ascending) of each row's `top` best pairs: the highest sims, ties to the lower column.
    `rows` comes grouped (a sparse product's rows in order); only rows with more than `top` pairs are
    looked at, each with a partial sort."""
    order = np.argsort(rows, kind="stable") if len(rows) > 1 and (rows[1:] < rows[:-1]).any() else None
    grouped = rows if order is None else rows[order]
    starts = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1])))
    ends = np.append(starts[1:], len(grouped))
    keep = np.ones(len(rows), dtype=bool)
    for lo, hi in zip(starts[ends - starts > top].tolist(), ends[ends - starts > top].tolist()):
        at = np.arange(lo, hi) if order is None else order[lo:hi]
        values = sims[at]
        cut = -np.partition(-values, top - 1)[top - 1]  # the top-th highest value
        above = values > cut
        tied = np.flatnonzero(values == cut)
        tied = tied[np.argsort(cols[at[tied]], kind="stable")][: top - int(above.sum())]  # lower columns first
        keep[at] = False
        keep[at[above]] = True
        keep[at[tied]] = True
    return np.flatnonzero(keep)


def _flat(array: Any, dtype: type) -> np.ndarray:
    """A contiguous array of `dtype`, as the compiled loops take it (no copy when it already is one)."""
    return np.ascontiguousarray(array, dtype=dtype)


def _candidates_numpy(
    queries: _Rows, targets_t: _Rows, common: _Rows | None, offset: int, pre: int, top: int, minimum: float,
    skip_self: bool, rows_per_chunk: int = 1000,
) -> tuple[np.ndarray, ...]:
    """`_native.candidates` in numpy and scipy (used when the compiled module was not built): the same pairs."""
    by_query, by_feature = queries.scipy(), targets_t.scipy()
    by_common = common.scipy() if common is not None else None
    out_r, out_c, out_s = [], [], []
    for start in range(0, queries.count, rows_per_chunk):
        block = (by_query[start : start + rows_per_chunk] @ by_feature).tocoo()
        rows = block.row.astype(np.int64) + start + offset
        cols = block.col.astype(np.int64)
        sims = block.data.astype(np.float64)
        if skip_self:
            other = cols != rows
            rows, cols, sims = rows[other], cols[other], sims[other]
        if by_common is None:  # nothing is added after the lead: one selection does (as in the C code)
            pre, top = 0, (top if 0 < top < pre else pre) if pre else top
        if pre and len(rows):
            lead = _best_per_row(rows, cols, sims, pre)
            rows, cols, sims = rows[lead], cols[lead], sims[lead]
        if by_common is not None and len(rows):
            for lo in range(0, len(rows), 250_000):
                part = slice(lo, lo + 250_000)
                both = by_common[rows[part]].multiply(by_common[cols[part]])
                # summed in order, as the compiled loop does (`.sum(axis=1)` sums pairwise)
                sims[part] += both @ np.ones(both.shape[1])
        good = sims >= minimum
        rows, cols, sims = rows[good], cols[good], sims[good]
        if top and len(rows):
            best = _best_per_row(rows, cols, sims, top)
            rows, cols, sims = rows[best], cols[best], sims[best]
        out_r.append(rows)
        out_c.append(cols)
        out_s.append(sims)
    if not out_r:
        return _no_pairs()
    return np.concatenate(out_r), np.concatenate(out_c), np.concatenate(out_s)


def _candidates(
    queries: _Rows, targets: _Rows, common: _Rows | None, offset: int, pre: int, top: int, minimum: float,
    skip_self: bool,
) -> tuple[np.ndarray, ...]:
    """For each query row (id `offset` + its row), the targets (ids 0..) that share a feature with it:
    where there are more than `pre`, the `pre` with the largest product of those features; then the
    product of the common features added (rows of `common`, over all ids); then those under `minimum`
    dropped and the `top` best kept (0: all). Best: the higher cosine, ties to the lower id."""
    targets_t = targets.transposed()
    if _native is None:
        return _candidates_numpy(queries, targets_t, common, offset, pre, top, minimum, skip_self)
    none = _Rows(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), 0)
    q, p, c = (
        (_flat(part.indptr, np.int64), _flat(part.indices, np.int64), _flat(part.data, np.float64))
        for part in (queries, targets_t, common or none)
    )
    rows, cols, sims = _native.candidates(
        *q, *p, *c, offset, targets.count, common.width if common is not None else 0, pre, top, minimum, skip_self
    )
    return np.frombuffer(rows, np.int64), np.frombuffer(cols, np.int64), np.frombuffer(sims, np.float64)


def _cosine_pairs(m: _Matrix, n: int, settings: GroupingSettings) -> tuple[np.ndarray, ...]:
    """Candidate pairs (i < j) with their full cosine, each text keeping its `max_candidates` best.

    Pairs are proposed by the rarer features (those in at most D texts, D chosen so that the work stays
    within `pair_budget` products); the commonest features would pair almost everything, so they do
    not propose pairs, but they still count in the cosine of the pairs found. Where a text has very
    many candidates (texts of few, common words), the common features are added only for the
    PRE_CANDIDATES x max_candidates that lead on the rarer ones, so that part of the work stays bounded.
    """
    by_rare, by_common = _by_rarity(m, settings)
    top = settings.max_candidates
    rows, cols, sims = _candidates(by_rare, by_rare, by_common, 0, PRE_CANDIDATES * top, top,
                                   _least_cosine(settings), skip_self=True)
    if not len(rows):
        return _no_pairs()
    i, j = np.minimum(rows, cols), np.maximum(rows, cols)
    _, first = np.unique(i * n + j, return_index=True)
    return i[first], j[first], sims[first]


def _cross_pairs(m: _Matrix, k: int, n: int, settings: GroupingSettings) -> tuple[np.ndarray, ...]:
    """Candidate pairs between the first `k` texts (i) and the others (j >= k), each other text keeping
    the `assign_candidates` that share the most weight in the rarer features; full cosine as in
    `_cosine_pairs`."""
    by_rare, by_common = _by_rarity(m, settings)
    rows, cols, sims = _candidates(by_rare.rows(k, n), by_rare.rows(0, k), by_common, k, settings.assign_candidates, 0,
                                   _least_cosine(settings), skip_self=False)
    return cols, rows, sims


def _all_pairs(m: _Matrix, n: int, rows_per_chunk: int = 500) -> tuple[np.ndarray, ...]:
    """The straightforward path: the cosine of every pair (pairs that share no feature have cosine 0
    and so can never score above the floor). No feature is left out and no text's list is cut."""
    matrix = m.rows.scipy()
    transposed = matrix.T.tocsr()
    out_i, out_j, out_s = [], [], []
    for start in range(0, n, rows_per_chunk):
        block = (matrix[start : start + rows_per_chunk] @ transposed).tocoo()
        rows = block.row.astype(np.int64) + start
        upper = block.col > rows
        out_i.append(rows[upper])
        out_j.append(block.col[upper].astype(np.int64))
        out_s.append(block.data[upper])
    if not out_i:
        return _no_pairs()
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_s)


def _score(texts: Sequence[str], i: np.ndarray, j: np.ndarray, cos: np.ndarray, settings: GroupingSettings) -> tuple[np.ndarray, ...]:
    """Scores of candidate pairs, as integers 0..SCALE; pairs under the floor are dropped."""
    from rapidfuzz import fuzz, process

    # token_sort_ratio is at most 2*min(len)/(len1+len2) (an edit needs at least the length difference),
    # so cos * that bound >= floor**2 is necessary for a pair to score over the floor: pairs that cannot
    # are never sent to the fuzzy scorer. (The floor is lowered by one quantum for rounding.)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.float64, count=len(texts))
    short, long = np.minimum(lengths[i], lengths[j]), np.maximum(lengths[i], lengths[j])
    bound = np.where(short + long > 0, 2.0 * short / np.maximum(short + long, 1.0), 1.0)
    worth = cos * bound >= _least_cosine(settings)
    i, j, cos = i[worth], j[worth], cos[worth]
    if len(i) == 0:
        return i, j, np.zeros(0, dtype=np.int64)
    # token_sort_ratio is the plain ratio of the texts with their words sorted: sort each text once,
    # not once per pair it is in (5x faster, the same scores)
    sorted_words = np.empty(len(texts), dtype=object)
    sorted_words[:] = [" ".join(sorted(text.split())) for text in texts]
    ratio = process.cpdist(sorted_words[i], sorted_words[j], scorer=fuzz.ratio, workers=-1, dtype=np.float64) / 100.0
    score = np.sqrt(np.clip(cos, 0.0, 1.0) * ratio)
    quantised = np.rint(score * SCALE).astype(np.int64)
    keep = quantised >= round(settings.floor * SCALE)
    return i[keep], j[keep], quantised[keep]


def _cap_neighbours(n: int, i: np.ndarray, j: np.ndarray, s: np.ndarray, cap: int) -> tuple[np.ndarray, ...]:
    """Keep a pair if it is among the `cap` strongest of either of its texts."""
    if len(i) == 0 or cap <= 0:
        return i, j, s
    degree = np.bincount(np.concatenate([i, j]), minlength=n)
    if degree.max() <= cap:
        return i, j, s
    pair = np.arange(len(i))
    ends = np.concatenate([i, j])
    pairs = np.concatenate([pair, pair])
    scores = np.concatenate([s, s])
    kept = np.zeros(len(i), dtype=bool)
    kept[pairs[_best_first(ends, scores.astype(np.float64), pairs, cap)]] = True
    return i[kept], j[kept], s[kept]


# --- average linkage ------------------------------------------------------------------------------


def average_linkage(weights: Sequence[int], i: np.ndarray, j: np.ndarray, s: np.ndarray, threshold: int) -> np.ndarray:
    """Average linkage over a sparse graph; returns the root node of each node's group.

    Repeatedly merges the two groups with the highest average pair score (pairs not listed count 0)
    while that average is >= `threshold`. `weights[k]` is how many identical texts node k stands for.
    Done in rounds: every pair of groups that are each other's best partner merges at once. Average
    linkage is reducible (a merge never brings another group closer than its closer half was), so this
    gives the same groups as merging one best pair at a time; a group whose best partner is under the
    threshold can never merge again and is set aside. Ties go to the lower node number.
    """
    n = len(weights)
    if _native is not None:
        roots = _native.average_linkage(_flat(weights, np.int64), _flat(i, np.int64), _flat(j, np.int64),
                                        _flat(s, np.int64), int(threshold))
        return np.frombuffer(roots, np.int64).copy()
    size = np.asarray(weights, dtype=np.int64).copy()
    a = np.asarray(i, dtype=np.int64)
    b = np.asarray(j, dtype=np.int64)
    total = np.asarray(s, dtype=np.int64) * size[a] * size[b]
    parent = np.arange(n)
    while len(a):
        average = total / (size[a] * size[b])
        src = np.concatenate([a, b])
        dst = np.concatenate([b, a])
        val = np.concatenate([average, average])
        # each node's best partner: the highest average, ties to the lower partner
        order = np.argsort(src, kind="stable")
        src_sorted, val_sorted, dst_sorted = src[order], val[order], dst[order]
        starts = np.flatnonzero(np.r_[True, src_sorted[1:] != src_sorted[:-1]])
        nodes = src_sorted[starts]
        best_value = np.maximum.reduceat(val_sorted, starts)
        at_best = val_sorted == np.repeat(best_value, np.diff(np.append(starts, len(order))))
        best = np.minimum.reduceat(np.where(at_best, dst_sorted, n), starts)
        partner = np.full(n, -1, dtype=np.int64)
        partner[nodes] = best
        alive = best_value >= threshold
        merge = alive & (partner[best] == nodes) & (nodes < best)
        if not merge.any():
            break
        keep_node = nodes[merge]
        gone = best[merge]
        parent[gone] = keep_node
        size[keep_node] += size[gone]
        relabel = np.arange(n)
        relabel[gone] = keep_node
        dead = np.zeros(n, dtype=bool)
        dead[nodes[~alive]] = True
        a, b = relabel[a], relabel[b]
        usable = (a != b) & ~dead[a] & ~dead[b]
        a, b, total = a[usable], b[usable], total[usable]
        if not len(a):
            break
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        key = lo * n + hi
        order = np.argsort(key, kind="stable")
        key = key[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        a, b = lo[order][starts], hi[order][starts]
        total = np.add.reduceat(total[order], starts)
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return parent
        parent = grand


def _split_chains(
    roots: np.ndarray, weights: Sequence[int], i: np.ndarray, j: np.ndarray, s: np.ndarray, limit: int
) -> np.ndarray:
    """Small groups (at most `limit` texts) must be alike pair by pair; split those that are not.

    With a threshold of T, one text can join a group of up to 1/T texts by being like a single member
    (A~B, B~C, A and C unlike). Such a group is re-formed by complete linkage: the strongest pairs
    first, joining two parts only when every pair across them is alike.
    """
    roots = roots.copy()
    size = np.bincount(roots, weights=np.asarray(weights, dtype=np.float64), minlength=len(roots))
    members: dict[int, list[int]] = {}
    for node, r in enumerate(roots.tolist()):
        if 1 < size[r] <= limit:
            members.setdefault(r, []).append(node)
    if not members:
        return roots
    inside = roots[i] == roots[j]
    alike: dict[int, list[tuple[int, int, int]]] = {}
    for a, b, score in zip(i[inside].tolist(), j[inside].tolist(), s[inside].tolist()):
        if roots[a] in members:
            alike.setdefault(int(roots[a]), []).append((score, a, b))
    for r, nodes in members.items():
        edges = alike.get(r, [])
        if len(edges) == len(nodes) * (len(nodes) - 1) // 2:
            continue
        pairs = {(a, b) for _, a, b in edges}
        part = {node: node for node in nodes}
        groups = {node: [node] for node in nodes}
        for _, a, b in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
            pa, pb = part[a], part[b]
            if pa == pb:
                continue
            if all((min(x, y), max(x, y)) in pairs for x in groups[pa] for y in groups[pb]):
                keep, drop = min(pa, pb), max(pa, pb)
                for x in groups.pop(drop):
                    part[x] = keep
                    groups[keep].append(x)
        for node in nodes:
            roots[node] = min(groups[part[node]])
    return roots


# --- the whole step -------------------------------------------------------------------------------


class _Clock:
    """Stage timings for a caller's dict (bench/run.py); does nothing without one."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    def __call__(self, name: str) -> contextlib.AbstractContextManager[None]:
        return stage(self.timings, name)


class Memo(Protocol):
    """Somewhere to keep results between runs (the result cache); `get` returns None when it has none,
    or none that `valid` accepts."""

    def get(self, kind: str, key: str, valid: Callable[[Any], bool] | None = None) -> Any: ...

    def put(self, kind: str, key: str, value: Any) -> None: ...


def group(
    texts: Sequence[str],
    settings: GroupingSettings | None = None,
    *,
    exact: bool = False,
    timings: dict[str, float] | None = None,
    memo: Memo | None = None,
) -> Grouping:
    """Group texts that say the same thing.

    `exact=True` is the straightforward path: every pair is scored instead of the candidates the index
    proposes, and nothing is condensed; the rest (each text's `max_neighbours` strongest pairs, average
    linkage) is the same.
    """
    settings = settings or GroupingSettings()
    clock = _Clock(timings)
    plain: dict[str, str] = {}  # the same text is often said many times: normalised once
    normal = [plain[t] if t in plain else plain.setdefault(t, for_grouping(t)) for t in texts]
    nodes = sorted(set(normal))
    node_of = {text: k for k, text in enumerate(nodes)}
    weights = [0] * len(nodes)
    for text in normal:
        weights[node_of[text]] += 1
    if not nodes:
        return Grouping([], [], [])
    key = ""
    remembered = None
    if memo is not None:
        identity = hashlib.sha1(repr((settings, exact, weights)).encode())
        for text in nodes:
            identity.update(text.encode("utf-8", "surrogateescape") + b"\x00")
        key = identity.hexdigest()[:24]
        remembered = memo.get("groups", key, functools.partial(_is_grouping, len(nodes)))
    if remembered is not None:
        roots, medoid_of_root = list(remembered[0]), dict(remembered[1])
    else:
        roots, medoid_of_root = _link(nodes, weights, settings, exact, clock)
        if memo is not None:
            memo.put("groups", key, (roots, medoid_of_root))
    # number groups by their first member in input order, so output follows the caller's order
    labels: list[int] = []
    group_of_root: dict[int, int] = {}
    medoids: list[int] = []
    first_input: dict[int, int] = {}
    for index, text in enumerate(normal):
        first_input.setdefault(node_of[text], index)
    for text in normal:
        r = roots[node_of[text]]
        if r not in group_of_root:
            group_of_root[r] = len(medoids)
            medoids.append(first_input[medoid_of_root[r]])
        labels.append(group_of_root[r])
    return Grouping(labels, medoids, normal)


def _is_grouping(n: int, value: Any) -> bool:
    """Whether a remembered grouping of `n` nodes has the shape `_link` gives: each node's root (a node
    that is its own root), and each root's medoid (a node of its group)."""
    if not (type(value) is tuple and len(value) == 2 and type(value[0]) is list and type(value[1]) is dict):
        return False
    roots, medoids = value
    if len(roots) != n or not all(type(r) is int and 0 <= r < n for r in roots):
        return False
    return all(roots[r] == r and type(medoids.get(r)) is int and 0 <= medoids[r] < n and roots[medoids[r]] == r
               for r in set(roots)) and len(medoids) == len(set(roots))


def _link(
    nodes: list[str], weights: list[int], settings: GroupingSettings, exact: bool, clock: _Clock
) -> tuple[list[int], dict[int, int]]:
    """Each node's group root, and each root's medoid node.

    Up to `direct_limit` distinct texts (or with `exact`), average linkage runs on the scored candidate
    pairs of all texts. Beyond that, it runs on a sample of `sample_size` texts (the most repeated first,
    then by a hash of the text, so the sample does not depend on input order), and every other text joins
    the sample group it is most like on average, if that average reaches the threshold (and, for a small
    group, it is like every member); texts that join no group are grouped among themselves the same way.
    """
    n = len(nodes)
    if exact or n <= settings.direct_limit:
        return _link_directly(nodes, weights, settings, exact, clock)
    order = sorted(range(n), key=lambda k: (-weights[k], hashlib.sha1(nodes[k].encode()).digest()))
    size = min(settings.sample_size, settings.direct_limit)
    sample = sorted(order[:size])
    rest = sorted(order[size:])
    sample_roots, sample_medoids = _link_directly(
        [nodes[k] for k in sample], [weights[k] for k in sample], settings, False, clock
    )
    roots = [-1] * n
    for position, node in enumerate(sample):
        roots[node] = sample[sample_roots[position]]
    medoid_of_root = {sample[r]: sample[m] for r, m in sample_medoids.items()}
    joined = _assign(nodes, weights, sample, rest, roots, settings, clock)
    left = [node for node in rest if joined[node] < 0]
    for node in rest:
        if joined[node] >= 0:
            roots[node] = joined[node]
    if left:
        left_roots, left_medoids = _link([nodes[k] for k in left], [weights[k] for k in left], settings, False, clock)
        for position, node in enumerate(left):
            roots[node] = left[left_roots[position]]
        medoid_of_root.update({left[r]: left[m] for r, m in left_medoids.items()})
    return roots, medoid_of_root


def _link_directly(
    nodes: list[str], weights: list[int], settings: GroupingSettings, exact: bool, clock: _Clock
) -> tuple[list[int], dict[int, int]]:
    """Average linkage over the scored candidate pairs of all the nodes (or every pair, with `exact`)."""
    n = len(nodes)
    with clock("candidates"):
        matrix = _tfidf(nodes)
        i, j, cos = _all_pairs(matrix, n) if exact else _cosine_pairs(matrix, n, settings)
    with clock("scoring"):
        i, j, s = _score(nodes, i, j, cos, settings)
        i, j, s = _cap_neighbours(n, i, j, s, settings.max_neighbours)
    with clock("grouping"):
        roots = average_linkage(weights, i, j, s, round(settings.threshold * SCALE))
        roots = _split_chains(roots, weights, i, j, s, int(1 / settings.threshold))
        root_list = roots.tolist()
        return root_list, _medoids(root_list, weights, i, j, s, nodes)


def _assign(
    nodes: list[str], weights: list[int], sample: list[int], rest: list[int], roots: list[int],
    settings: GroupingSettings, clock: _Clock,
) -> list[int]:
    """For each node of `rest`, the root of the sample group it joins, or -1."""
    joined = [-1] * len(nodes)
    with clock("candidates"):
        everything = sample + rest
        matrix = _tfidf([nodes[k] for k in everything])
        i, j, cos = _cross_pairs(matrix, len(sample), len(everything), settings)
    with clock("scoring"):
        texts = [nodes[k] for k in everything]
        i, j, s = _score(texts, i, j, cos, settings)
    with clock("grouping"):
        if not len(i):
            return joined
        member = np.asarray(sample)[i]  # i indexes the sample, j the rest (offset by len(sample))
        other = np.asarray(rest)[j - len(sample)]
        group = np.asarray(roots)[member]
        weight = np.asarray(weights, dtype=np.int64)
        group_size = np.bincount(np.asarray([roots[k] for k in sample]), weights=weight[sample], minlength=len(nodes))
        members = np.bincount(np.asarray([roots[k] for k in sample]), minlength=len(nodes))
        key = other * len(nodes) + group
        unique, inverse = np.unique(key, return_inverse=True)
        total = np.bincount(inverse, weights=(s * weight[member]).astype(np.float64))
        alike = np.bincount(inverse)
        who, where = unique // len(nodes), unique % len(nodes)
        average = total / group_size[where]
        small = group_size[where] + weight[who] <= int(1 / settings.threshold)
        ok = (average >= settings.threshold * SCALE) & (~small | (alike == members[where]))
        order = np.lexsort((where, -average, who))
        who, where, ok = who[order], where[order], ok[order]
        for node, root, good in zip(who.tolist(), where.tolist(), ok.tolist()):
            if good and joined[node] < 0:
                joined[node] = root
    return joined


def _medoids(roots: list[int], weights: list[int], i: np.ndarray, j: np.ndarray, s: np.ndarray, nodes: list[str]) -> dict[int, int]:
    """For each group, its most representative node: the shortest of those whose summed score to the
    rest of the group is at least 80% of the highest (identical texts count fully)."""
    n = len(roots)
    if not n:
        return {}
    root = np.asarray(roots, dtype=np.int64)
    weight = np.asarray(weights, dtype=np.int64)
    # a member's summed score to the rest of its group: its identical copies, then the other nodes
    # (sums of integers under 2**53, so exact in float64)
    centrality = ((weight - 1) * SCALE).astype(np.float64)
    if len(i):
        same = root[i] == root[j]
        a, b, score = i[same], j[same], np.asarray(s[same], dtype=np.float64)
        centrality += np.bincount(a, weights=score * weight[b], minlength=n)
        centrality += np.bincount(b, weights=score * weight[a], minlength=n)
    top = np.zeros(n)
    np.maximum.at(top, root, centrality)
    # the label should read well: among members nearly as central as the most central one, the
    # shortest, then the most central, then the first by text
    eligible = np.flatnonzero(~(centrality < 0.8 * top[root]))
    lengths = np.fromiter((len(text) for text in nodes), dtype=np.int64, count=n)
    by_text = np.empty(n, dtype=np.int64)
    by_text[sorted(range(n), key=nodes.__getitem__)] = np.arange(n)
    order = eligible[np.lexsort((by_text[eligible], -centrality[eligible], lengths[eligible], root[eligible]))]
    first = np.concatenate(([True], root[order][1:] != root[order][:-1]))
    return dict(zip(root[order][first].tolist(), order[first].tolist()))
