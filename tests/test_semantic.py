"""Grouping by meaning: the linkage rounds (compiled and numpy), candidates, cuts, and what users see."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import fcluster, linkage

from custlens import semantic
from custlens.embed import SCALE
from custlens.semantic import MeaningSettings, group_by_meaning


def _unit_ints(rng: np.random.Generator, n: int, d: int = 16, clusters: int = 4) -> np.ndarray:
    """Random unit vectors as integers, around a few centres (so that there are groups to find)."""
    centres = rng.normal(size=(clusters, d))
    points = centres[rng.integers(0, clusters, n)] + rng.normal(scale=0.6, size=(n, d))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return np.rint(points * SCALE).astype(np.int16)


def _partition(roots: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for node, root in enumerate(roots.tolist()):
        groups.setdefault(root, set()).add(node)
    return {frozenset(g) for g in groups.values()}


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60), threshold=st.floats(0.05, 0.9))
def test_compiled_and_numpy_rounds_merge_the_same_pairs(seed: int, n: int, threshold: float) -> None:
    if semantic._native is None:
        pytest.skip("the compiled module was not built")
    rng = np.random.default_rng(seed)
    vectors = _unit_ints(rng, n)
    weights = rng.integers(1, 4, n)
    a, b = semantic.candidates(vectors, MeaningSettings(neighbours=5, floor=-1.0, threshold=0.05))
    compiled = semantic.vector_linkage(vectors, weights, a, b, threshold)
    plain = semantic._vector_linkage_numpy(vectors, weights.astype(np.int64), a, b, threshold * SCALE**2)
    order = np.lexsort((compiled.keep, compiled.rounds))
    assert compiled.keep[order].tolist() == plain.keep.tolist()
    assert compiled.gone[order].tolist() == plain.gone.tolist()
    assert (compiled.sims[order] * SCALE**2).tolist() == plain.sims.tolist()


@pytest.mark.parametrize("seed", range(8))
def test_with_every_pair_a_candidate_the_rounds_are_exact_average_linkage(seed: int) -> None:
    rng = np.random.default_rng(seed)
    vectors = _unit_ints(rng, 40)
    n = len(vectors)
    a, b = np.triu_indices(n, 1)
    threshold = 0.3
    tree = semantic.vector_linkage(vectors, [1] * n, a.astype(np.int64), b.astype(np.int64), threshold)
    ours = _partition(tree.cut(n, threshold))
    unit = vectors.astype(np.float64) / SCALE
    reference = fcluster(linkage(unit, "average", metric="cosine"), 1 - threshold, "distance")
    assert ours == _partition(reference)


def test_cells_find_nearly_the_same_groups_as_exact_neighbours() -> None:
    rng = np.random.default_rng(7)
    vectors = _unit_ints(rng, 1500, d=32, clusters=30)
    texts = [f"text {k}" for k in range(len(vectors))]
    exact, _ = group_by_meaning(texts, vectors, MeaningSettings(exact_limit=10_000))
    cells, _ = group_by_meaning(texts, vectors, MeaningSettings(exact_limit=0, cell_size=100, probes=6))
    agree = sum(1 for i in range(0, 1500, 7) for j in range(i + 1, 1500, 11)
                if (exact.labels[i] == exact.labels[j]) == (cells.labels[i] == cells.labels[j]))
    total = sum(1 for i in range(0, 1500, 7) for j in range(i + 1, 1500, 11))
    assert agree / total > 0.97


def test_sub_themes_lie_inside_themes_and_the_same_texts_in_any_order_group_alike() -> None:
    rng = np.random.default_rng(3)
    vectors = _unit_ints(rng, 300, d=24, clusters=12)
    texts = [f"statement {k % 250}" for k in range(300)]  # some texts said twice
    by_text = {t: vectors[k] for k, t in enumerate(texts)}
    vectors = np.stack([by_text[t] for t in texts])
    first, _ = group_by_meaning(texts, vectors)
    for members in first.subgroups:
        assert len({first.labels[k] for k in members}) == 1
    order = list(range(300))
    random.Random(5).shuffle(order)
    second, _ = group_by_meaning([texts[k] for k in order], vectors[order])
    together = {(texts[k], texts[j]) for k in range(300) for j in range(k, 300, 17) if first.labels[k] == first.labels[j]}
    placed = {texts[k]: second.labels[position] for position, k in enumerate(order)}
    assert all(placed[x] == placed[y] for x, y in together)
    assert len(set(second.labels)) == len(set(first.labels))
    assert sorted(first.fit) == sorted(second.fit)


