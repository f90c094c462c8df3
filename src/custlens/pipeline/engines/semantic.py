"""Group texts by meaning: average linkage of their sentence vectors, cut at two levels.

This module knows vectors and texts, nothing about notes or files. The steps:

1. Distinct texts are nodes (a repeated text is one node with a weight); their vectors are integers
   (`embed.SCALE` per unit), so sums and dot products are exact and every run groups the same way.
2. Candidates: each node's `neighbours` most similar nodes, at least `floor` alike. Up to
   `exact_limit` nodes they are its exact nearest; beyond, nodes are put into cells (a few rounds of
   k-means from evenly spaced starts) and each cell's nodes are compared with the nodes of its `probes`
   nearest cells: never an n x n matrix.
3. Average linkage over the candidates: the average similarity of two groups (the mean cosine over all
   pairs across them) is the dot product of their vector sums over the product of their sizes, exact
   whatever the groups, so pairs that were not candidates still count at their true value. In rounds,
   every two groups that are each other's best candidate merge, while their average is at least the
   theme threshold; merged groups inherit both candidate lists. Average linkage is reducible (a merge
   never brings a third group closer than its closer half was), so merging every mutual best pair at
   once gives the same tree as merging one best pair at a time. The rounds are compiled (`_native`);
   without the compiled module the same rounds run in numpy.
4. Two cuts of that one tree: themes (average at least `threshold`) and, inside each, sub-themes (at
   least `sub_threshold`). A statement's fit is the cosine between it and its theme's centre.

Results do not depend on input order: nodes are sorted by text, and ties go to the lower node.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from custlens.pipeline.embed import SCALE

try:
    from custlens.pipeline.engines import _native
except ImportError:  # pragma: no cover - depends on the build
    _native = None  # type: ignore[assignment]  # the numpy rounds below check for None


@dataclass(frozen=True)
class MeaningSettings:
    """The knobs of grouping by meaning; `threshold` is the one users tune (`--threshold`)."""

    threshold: float = 0.35  # themes: the least average cosine similarity inside a theme
    sub_threshold: float = 0.56  # sub-themes, inside a theme
    neighbours: int = 20  # candidates per text
    floor: float = 0.25  # candidates less alike than this are not kept
    exact_limit: int = 6_000  # up to this many distinct texts, candidates are exact nearest neighbours
    cell_size: int = 200  # beyond it, texts per cell (on average) ...
    probes: int = 10  # ... and the nearest cells each cell's texts are compared with
    rounds: int = 6  # of k-means

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        if not self.threshold <= self.sub_threshold <= 1:
            raise ValueError("sub_threshold must be in [threshold, 1]")


@dataclass(frozen=True)
class Tree:
    """Average linkage merges over nodes: `keep[k]` absorbed `gone[k]` at average `sims[k]` in round
    `rounds[k]` (merges in order)."""

    keep: np.ndarray
    gone: np.ndarray
    sims: np.ndarray
    rounds: np.ndarray

    def cut(self, n: int, threshold: float) -> np.ndarray:
        """The root node of each node's group, with the merges at or above `threshold`."""
        parent = np.arange(n, dtype=np.int64)
        use = self.sims >= threshold
        for x, y in zip(self.keep[use].tolist(), self.gone[use].tolist()):
            parent[y] = x
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                return parent
            parent = grand


@dataclass(frozen=True)
class MeaningGroups:
    """The result, per input text: `labels[i]` its theme (numbered 0.. in order of first member),
    `sublabels[i]` its sub-theme (numbered 0.. the same way, across themes), `fit[i]` the cosine with
    its theme's centre; `medoids[g]` / `submedoids[s]` the input index of each theme's / sub-theme's
    most central text; `centres[g]` each theme's unit centre (float32)."""

    labels: list[int]
    sublabels: list[int]
    medoids: list[int]
    submedoids: list[int]
    fit: list[float]
    centres: np.ndarray

    @property
    def groups(self) -> list[list[int]]:
        """Each group's members (built from `labels` at each use: keep it rather than read it again)."""
        return _members(self.labels, len(self.medoids))

    @property
    def subgroups(self) -> list[list[int]]:
        """Each sub-group's members (built from `sublabels` at each use, as `groups`)."""
        return _members(self.sublabels, len(self.submedoids))


def _members(labels: list[int], count: int) -> list[list[int]]:
    out: list[list[int]] = [[] for _ in range(count)]
    for index, label in enumerate(labels):
        out[label].append(index)
    return out


# --- candidates -----------------------------------------------------------------------------------


def _top(sims: np.ndarray, rows: np.ndarray, cols: np.ndarray, k: int, floor: float) -> tuple[np.ndarray, ...]:
    """For each row of a block of similarities, its `k` highest at least `floor` (ties to the lower
    column): pairs (row, col, sim)."""
    if sims.shape[1] > k:
        kth = -np.partition(-sims, k - 1, axis=1)[:, k - 1]
        r, c = np.nonzero(sims >= np.maximum(kth, floor)[:, None])
    else:
        r, c = np.nonzero(sims >= floor)
    s = sims[r, c]
    order = np.lexsort((cols[c], -s, r))
    r, c, s = r[order], c[order], s[order]
    starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]]) if len(r) else np.zeros(0, dtype=np.int64)
    rank = np.arange(len(r)) - np.repeat(starts, np.diff(np.r_[starts, len(r)]))
    keep = rank < k
    return rows[r[keep]], cols[c[keep]], s[keep]


def _exact_candidates(vectors: np.ndarray, settings: MeaningSettings, block: int = 1024) -> tuple[np.ndarray, ...]:
    """Every node's nearest nodes, by comparing it with all of them (a block of rows at a time)."""
    n = len(vectors)
    values = vectors.astype(np.float64)
    everyone = np.arange(n, dtype=np.int64)
    out: list[tuple[np.ndarray, ...]] = []
    for start in range(0, n, block):
        rows = everyone[start : start + block]
        sims = values[rows] @ values.T / SCALE**2  # integer dot products: exact in float64
        sims[np.arange(len(rows)), rows] = -np.inf
        out.append(_top(sims, rows, everyone, settings.neighbours, settings.floor))
    return tuple(np.concatenate(parts) for parts in zip(*out))


def _cells(values: np.ndarray, count: int, rounds: int) -> np.ndarray:
    """The cell of each node: k-means on unit vectors from `count` evenly spaced starting nodes."""
    n = len(values)
    centres = values[np.linspace(0, n - 1, count).round().astype(np.int64)]
    for _ in range(rounds):
        cell = np.argmax(values @ centres.T, axis=1)
        order = np.argsort(cell, kind="stable")
        starts = np.searchsorted(cell[order], np.arange(count))
        filled = np.flatnonzero(np.diff(np.r_[starts, n]) > 0)
        sums = np.add.reduceat(values[order], starts[filled], axis=0)
        centres[filled] = sums / np.linalg.norm(sums, axis=1, keepdims=True)
    return np.asarray(np.argmax(values @ centres.T, axis=1), dtype=np.int64)


def _cell_candidates(vectors: np.ndarray, settings: MeaningSettings) -> tuple[np.ndarray, ...]:
    """Each node's nearest among the nodes of the cells nearest to its own (see the module docstring).
    Similarities here only choose candidates (linkage computes every average exactly), so float32 does."""
    n = len(vectors)
    values = vectors.astype(np.float32) / SCALE
    count = max(2, math.ceil(n / settings.cell_size))
    cell = _cells(values, count, settings.rounds)
    order = np.argsort(cell, kind="stable")
    starts = np.searchsorted(cell[order], np.arange(count + 1))
    members = [order[starts[c] : starts[c + 1]] for c in range(count)]
    filled = [c for c in range(count) if len(members[c])]
    centres = np.zeros((count, values.shape[1]), dtype=np.float32)
    centres[filled] = np.add.reduceat(values[order], starts[filled], axis=0)
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
    closeness = centres @ centres.T
    probes = min(settings.probes, count)
    out: list[tuple[np.ndarray, ...]] = []
    for c in filled:
        rows = members[c]
        near = np.lexsort((np.arange(count), -closeness[c]))[:probes]
        pool = np.sort(np.concatenate([members[k] for k in near]))
        sims = values[rows] @ values[pool].T
        sims[np.arange(len(rows)), np.searchsorted(pool, rows)] = -np.inf  # a node is not its own candidate
        out.append(_top(sims, rows, pool, settings.neighbours, settings.floor))
    return tuple(np.concatenate(parts) for parts in zip(*out))


def candidates(vectors: np.ndarray, settings: MeaningSettings) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (a < b), each once."""
    n = len(vectors)
    if n < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    rows, cols, _ = (_exact_candidates if n <= settings.exact_limit else _cell_candidates)(vectors, settings)
    a, b = np.minimum(rows, cols), np.maximum(rows, cols)
    key = np.unique(a * n + b)
    return key // n, key % n


# --- average linkage ------------------------------------------------------------------------------


def vector_linkage(
    vectors: np.ndarray, weights: Sequence[int], a: np.ndarray, b: np.ndarray, threshold: float
) -> Tree:
    """Average linkage of weighted integer vectors over candidate pairs (a < b); see the module docstring.
    `threshold` and the averages of the result are cosines (dot products over SCALE**2)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.int16)
    weight = np.ascontiguousarray(weights, dtype=np.int64)
    a = np.ascontiguousarray(a, dtype=np.int64)
    b = np.ascontiguousarray(b, dtype=np.int64)
    raw = float(threshold) * SCALE**2  # the rounds compare exact integer dot products
    if _native is not None:
        keep, gone, sums, rounds = _native.vector_linkage(vectors, weight, a, b, vectors.shape[1], raw)
        tree = Tree(np.frombuffer(keep, np.int64), np.frombuffer(gone, np.int64), np.frombuffer(sums, np.float64),
                    np.frombuffer(rounds, np.int64))
    else:
        tree = _vector_linkage_numpy(vectors, weight, a, b, raw)
    return Tree(tree.keep, tree.gone, tree.sims / SCALE**2, tree.rounds)


def _average(sums: np.ndarray, size: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    """The average similarity of each pair of groups: exact integer dot products of their sums."""
    out = np.empty(len(a))
    for start in range(0, len(a), chunk):
        x, y = a[start : start + chunk], b[start : start + chunk]
        dots = np.einsum("ij,ij->i", sums[x], sums[y])
        out[start : start + chunk] = dots.astype(np.float64) / (size[x].astype(np.float64) * size[y].astype(np.float64))
    return out


def _vector_linkage_numpy(vectors: np.ndarray, weight: np.ndarray, a: np.ndarray, b: np.ndarray, threshold: float) -> Tree:
    """`_native.vector_linkage` in numpy: the same rounds, the same merges."""
    n = len(weight)
    sums = vectors.astype(np.int64) * weight[:, None]
    size = weight.copy()
    sim = _average(sums, size, a, b)
    out_keep, out_gone, out_sim, out_round = [], [], [], []
    round_number = 0
    while len(a):
        round_number += 1
        src = np.concatenate([a, b])
        dst = np.concatenate([b, a])
        val = np.concatenate([sim, sim])
        order = np.lexsort((dst, -val, src))
        src, dst, val = src[order], dst[order], val[order]
        first = np.flatnonzero(np.r_[True, src[1:] != src[:-1]])
        nodes, best, best_value = src[first], dst[first], val[first]
        partner = np.full(n, -1, dtype=np.int64)
        partner[nodes] = best
        alive = best_value >= threshold
        merge = alive & (partner[best] == nodes) & (nodes < best)
        keep, gone = nodes[merge], best[merge]
        if not len(keep):
            break
        out_keep.append(keep)
        out_gone.append(gone)
        out_sim.append(best_value[merge])
        out_round.append(np.full(len(keep), round_number, dtype=np.int64))
        sums[keep] += sums[gone]
        size[keep] += size[gone]
        dead = np.zeros(n, dtype=bool)
        dead[nodes[~alive]] = True
        relabel = np.arange(n)
        relabel[gone] = keep
        changed = np.zeros(n, dtype=bool)
        changed[keep] = True
        x, y = relabel[a], relabel[b]
        usable = (x != y) & ~dead[x] & ~dead[y]
        x, y, old = x[usable], y[usable], sim[usable]
        lo, hi = np.minimum(x, y), np.maximum(x, y)
        key, first_seen = np.unique(lo * n + hi, return_index=True)
        a, b, sim = key // n, key % n, old[first_seen]
        again = np.flatnonzero(changed[a] | changed[b])
        sim[again] = _average(sums, size, a[again], b[again])
    if not out_keep:
        empty = np.zeros(0, dtype=np.int64)
        return Tree(empty, empty, np.zeros(0), empty)
    keep_all, gone_all = np.concatenate(out_keep), np.concatenate(out_gone)
    rounds, sims = np.concatenate(out_round), np.concatenate(out_sim)
    order = np.lexsort((keep_all, rounds))
    return Tree(keep_all[order], gone_all[order], sims[order], rounds[order])


# --- the whole step -------------------------------------------------------------------------------


def link(vectors: np.ndarray, weights: Sequence[int], settings: MeaningSettings) -> tuple[np.ndarray, np.ndarray]:
    """Theme and sub-theme roots of each node."""
    a, b = candidates(vectors, settings)
    tree = vector_linkage(vectors, weights, a, b, settings.threshold)
    if _native is not None:  # the compiled rounds list a round's merges as they come: in node order here
        order = np.lexsort((tree.keep, tree.rounds))
        tree = Tree(tree.keep[order], tree.gone[order], tree.sims[order], tree.rounds[order])
    n = len(vectors)
    return tree.cut(n, settings.threshold), tree.cut(n, settings.sub_threshold)


def group_by_meaning(
    texts: Sequence[str], vectors: np.ndarray, settings: MeaningSettings | None = None,
    memo_roots: tuple[list[int], list[int]] | None = None,
) -> tuple[MeaningGroups, tuple[list[int], list[int]]]:
    """Group texts (with their integer vectors, one row each) into themes and sub-themes.

    Returns the groups and the node roots (for the result cache: `memo_roots` gives them back)."""
    settings = settings or MeaningSettings()
    nodes = sorted(set(texts))
    node_of = {text: k for k, text in enumerate(nodes)}
    index = [node_of[text] for text in texts]
    weights = np.bincount(np.asarray(index, dtype=np.int64), minlength=len(nodes)) if texts else np.zeros(0, np.int64)
    first_row: dict[int, int] = {}
    for row, node in enumerate(index):
        first_row.setdefault(node, row)
    node_vectors = np.asarray(vectors, dtype=np.int16)[[first_row[k] for k in range(len(nodes))]] if nodes else \
        np.zeros((0, np.asarray(vectors).shape[1] if np.asarray(vectors).ndim == 2 else 0), dtype=np.int16)
    if memo_roots is not None:
        roots, subroots = np.asarray(memo_roots[0], dtype=np.int64), np.asarray(memo_roots[1], dtype=np.int64)
    else:
        roots, subroots = link(node_vectors, weights.tolist(), settings)
    # a sub-theme lies inside one theme (so by construction; kept so whatever a cache says)
    subkey = roots * max(1, len(nodes)) + subroots
    groups = _number(index, roots)
    subgroups = _number(index, subkey)
    if nodes:
        found, units, fit = _centres(node_vectors, weights, roots)
        subfit = _centres(node_vectors, weights, subkey)[2]
        centres = units[np.searchsorted(found, groups[0])].astype(np.float32)
    else:
        fit = subfit = np.zeros(0)
        centres = np.zeros((0, 0), np.float32)
    result = MeaningGroups(
        labels=[groups[1][node] for node in index],
        sublabels=[subgroups[1][node] for node in index],
        medoids=_medoid_rows(index, groups, fit, texts),
        submedoids=_medoid_rows(index, subgroups, subfit, texts),
        fit=[float(fit[node]) for node in index],
        centres=centres,
    )
    return result, (roots.tolist(), subroots.tolist())


def _number(index: list[int], roots: np.ndarray) -> tuple[list[int], dict[int, int]]:
    """Groups numbered 0.. by their first member in input order: (root of each group, group of each node)."""
    order: list[int] = []
    group_of_root: dict[int, int] = {}
    for node in index:
        root = int(roots[node])
        if root not in group_of_root:
            group_of_root[root] = len(order)
            order.append(root)
    return order, {node: group_of_root[int(roots[node])] for node in set(index)}


def _centres(vectors: np.ndarray, weights: np.ndarray, roots: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The roots, each root's unit centre (float64, in the order of the roots) and each node's cosine
    with its group's centre (rounded to 6 places)."""
    found, inverse = np.unique(roots, return_inverse=True)
    sums = np.zeros((len(found), vectors.shape[1]))
    np.add.at(sums, inverse, vectors.astype(np.float64) * weights[:, None])
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    units = sums / norms
    fit = np.einsum("ij,ij->i", vectors.astype(np.float64) / SCALE, units[inverse])
    return found, units, np.round(fit, 6)


def _medoid_rows(index: list[int], groups: tuple[list[int], dict[int, int]], fit: np.ndarray, texts: Sequence[str]) -> list[int]:
    """Per group, the input row of its most central text (the highest fit; then the shorter, then by text)."""
    best: dict[int, tuple[float, int, str, int]] = {}
    for row, node in enumerate(index):
        group = groups[1][node]
        key = (-float(fit[node]), len(texts[row]), texts[row], row)
        if group not in best or key < best[group]:
            best[group] = key
    return [best[g][3] for g in range(len(groups[0]))]
