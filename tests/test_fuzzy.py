"""Grouping: order-independent, no chaining, and the fast path groups exactly like the straightforward one."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custlens.pipeline.engines import fuzzy
from custlens.pipeline.engines.fuzzy import (
    Grouping,
    GroupingSettings,
    average_linkage,
    group,
)
from custlens.pipeline.normalise import for_grouping


def partition(labels: list[int]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, set()).add(index)
    return {frozenset(g) for g in groups.values()}


PARAPHRASES = [
    "Automatic SMS reminders the day before the appointment",
    "Send automatic text reminders a day before appointments",
    "SMS reminder sent automatically before each appointment",
    "Export invoices to Xero without retyping",
    "Invoices should go to Xero automatically",
    "Push every invoice to Xero",
    "Clients reschedule their own booking online",
    "Let clients reschedule a booking themselves online",
    "Dark mode",
]


def test_paraphrases_group_and_unrelated_statements_do_not() -> None:
    groups = partition(group(PARAPHRASES).labels)
    assert frozenset({0, 1, 2}) in groups
    assert frozenset({3, 4, 5}) in groups
    assert frozenset({6, 7}) in groups
    assert frozenset({8}) in groups


def test_the_same_texts_in_any_order_give_the_same_groups_and_medoids() -> None:
    base = group(PARAPHRASES)
    expected = {frozenset(PARAPHRASES[i] for i in g) for g in partition(base.labels)}
    medoids = {PARAPHRASES[m] for m in base.medoids}
    rng = random.Random(7)
    for _ in range(5):
        shuffled = PARAPHRASES[:]
        rng.shuffle(shuffled)
        result = group(shuffled)
        assert {frozenset(shuffled[i] for i in g) for g in partition(result.labels)} == expected
        assert {shuffled[m] for m in result.medoids} == medoids


def test_a_like_b_like_c_does_not_pull_a_and_c_together() -> None:
    a = "Invoices go to Xero automatically every night"
    b = "Invoices go to Xero automatically and reminders go out by SMS"
    c = "Reminders go out by SMS the day before"
    result = group([a, b, c])
    assert result.labels[0] != result.labels[2]


def test_a_chain_of_small_steps_does_not_collapse_into_one_group() -> None:
    words = ["calendar", "sync", "invoice", "reminder", "deposit", "export", "portal", "timesheet", "offline", "quote"]
    chain = [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]  # each shares two words with the next
    result = group(chain)
    assert len(set(result.labels)) > 1
    assert result.labels[0] != result.labels[-1]


def test_identical_and_near_identical_texts_share_a_group() -> None:
    texts = ["Double bookings from Google Calendar", "double bookings from google calendar!", "Double-bookings from Google Calender"]
    assert len(set(group(texts).labels)) == 1


def test_normalise_drops_filler_and_punctuation() -> None:
    assert for_grouping("Um, I really just want the EXPORT to work!") == "want export work"


def test_threshold_controls_how_tight_groups_are() -> None:
    loose = group(PARAPHRASES, GroupingSettings(threshold=0.1))
    tight = group(PARAPHRASES, GroupingSettings(threshold=0.6))
    assert len(set(tight.labels)) >= len(set(loose.labels))


words = st.sampled_from(
    "invoice invoices xero sync calendar google outlook reminder sms text deposit booking online client "  # noqa: SIM905
    "clients reschedule cancel export slow crash app mobile offline staff rota price seat".split()
)
texts = st.lists(st.lists(words, min_size=1, max_size=7).map(" ".join), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(texts, st.sampled_from([0.15, 0.2, 0.3]))
def test_fast_path_groups_exactly_like_the_straightforward_path_on_small_inputs(sample: list[str], threshold: float) -> None:
    chosen = GroupingSettings(threshold=threshold)
    fast = group(sample, chosen)
    exact = group(sample, chosen, exact=True)
    assert partition(fast.labels) == partition(exact.labels)
    assert fast.medoids == exact.medoids


def graphs(nodes: int, weight: int, scores: st.SearchStrategy[int], pairs: int) -> st.SearchStrategy[Any]:
    """Up to `nodes` weighted nodes and up to `pairs` distinct scored pairs (a < b) between them."""
    return st.integers(min_value=1, max_value=nodes).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(1, weight), min_size=n, max_size=n),
            st.dictionaries(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] < p[1]),
                scores,
                max_size=pairs,
            ),
        )
    )


def edges(pairs: dict[tuple[int, int], int]) -> tuple[np.ndarray, ...]:
    return (np.array([a for a, _ in pairs], dtype=np.int64), np.array([b for _, b in pairs], dtype=np.int64),
            np.array(list(pairs.values()), dtype=np.int64))


def reference_average_linkage(weights: list[int], pairs: dict[tuple[int, int], int], threshold: int) -> list[int]:
    """Textbook average linkage, one merge at a time over all groups: O(n^3), for checking only."""
    groups = {k: [k] for k in range(len(weights))}

    def average(x: int, y: int) -> float:
        total = sum(pairs.get((min(a, b), max(a, b)), 0) * weights[a] * weights[b] for a in groups[x] for b in groups[y])
        return total / (sum(weights[a] for a in groups[x]) * sum(weights[b] for b in groups[y]))

    while True:
        best = None
        for x in sorted(groups):
            for y in sorted(groups):
                if x < y:
                    value = average(x, y)
                    if best is None or value > best[0]:
                        best = (value, x, y)
        if best is None or best[0] < threshold:
            break
        _, x, y = best
        groups[x] += groups.pop(y)
    roots = [0] * len(weights)
    for root, members in groups.items():
        for member in members:
            roots[member] = root
    return roots


@settings(max_examples=100, deadline=None)
@given(
    graphs(12, 3, st.integers(2500, 10_000), 30),
    st.sampled_from([2000, 3000, 5000]),
)
def test_round_based_average_linkage_matches_one_merge_at_a_time(case, threshold: int) -> None:
    weights, pairs = case
    i, j, s = edges(pairs)
    fast = average_linkage(weights, i, j, s, threshold)
    slow = reference_average_linkage(weights, pairs, threshold)
    assert partition(list(fast)) == partition(slow)


def _paraphrase_set() -> list[str]:
    bases = [
        ("automatic sms reminders before appointments", ["automatic", "sms", "text", "reminder", "appointment", "day", "before"]),
        ("export invoices to xero without retyping", ["export", "invoice", "xero", "accounting", "push", "sync"]),
        ("clients reschedule bookings online themselves", ["client", "reschedule", "booking", "online", "move", "cancel"]),
        ("charge a deposit by card upfront", ["deposit", "card", "payment", "fee", "charge", "upfront"]),
    ]
    rng = random.Random(5)
    texts = []
    for base, words in bases:
        for _ in range(15):
            extra = " ".join(rng.sample(words, 2))
            texts.append(f"{base} {extra}")
    return texts


def test_the_sampled_path_for_large_inputs_is_order_independent_and_finds_the_same_themes() -> None:
    texts = _paraphrase_set()
    small = GroupingSettings(direct_limit=30, sample_size=20)
    sampled = group(texts, small)
    direct = group(texts, GroupingSettings())
    assert partition(sampled.labels) == partition(direct.labels)
    assert len(set(sampled.labels)) == 4
    shuffled = texts[:]
    random.Random(9).shuffle(shuffled)
    again = group(shuffled, small)
    assert {frozenset(shuffled[i] for i in g) for g in partition(again.labels)} == {
        frozenset(texts[i] for i in g) for g in partition(sampled.labels)
    }


def test_a_sample_larger_than_the_direct_limit_is_capped() -> None:
    texts = _paraphrase_set()
    result = group(texts, GroupingSettings(direct_limit=25, sample_size=1000))
    assert len(set(result.labels)) == 4


# --- the compiled loops and their numpy fallback -------------------------------------------------

compiled_only = pytest.mark.skipif(fuzzy._native is None, reason="the compiled module was not built (no C compiler)")


def grouped_both_ways(texts: list[str], chosen: GroupingSettings) -> tuple[Grouping, Grouping]:
    compiled = group(texts, chosen)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fuzzy, "_native", None)
        plain = group(texts, chosen)
    return compiled, plain


@compiled_only
@settings(max_examples=100, deadline=None)
@given(
    graphs(60, 4, st.sampled_from([2500, 3000, 4000, 5000, 7500, 10_000]), 200),  # few scores: many ties
    st.sampled_from([2000, 3000, 5000]),
)
def test_compiled_linkage_merges_exactly_like_the_numpy_one(case, threshold: int) -> None:
    weights, pairs = case
    i, j, s = edges(pairs)
    compiled = average_linkage(weights, i, j, s, threshold)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fuzzy, "_native", None)
        plain = average_linkage(weights, i, j, s, threshold)
    assert compiled.tolist() == plain.tolist()


@compiled_only
@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(words, min_size=1, max_size=7).map(" ".join), min_size=1, max_size=150),
    st.sampled_from([
        GroupingSettings(),
        # common features, a bounded lead on the rarer ones, few candidates: every branch of the search
        GroupingSettings(pair_budget=2_000, min_max_df=3, max_candidates=4, max_neighbours=3),
        # the sampled path, with its assignment of the other texts
        GroupingSettings(direct_limit=20, sample_size=12, assign_candidates=3, pair_budget=5_000, min_max_df=4),
    ]),
)
def test_compiled_candidates_and_grouping_match_the_numpy_fallback(sample: list[str], chosen: GroupingSettings) -> None:
    compiled, plain = grouped_both_ways(sample, chosen)
    assert compiled.labels == plain.labels
    assert compiled.medoids == plain.medoids


def candidate_pairs(texts: list[str], chosen: GroupingSettings) -> tuple[set[tuple[int, int, float]], ...]:
    nodes = sorted(set(map(for_grouping, texts)))
    matrix = fuzzy._tfidf(nodes)
    within = fuzzy._cosine_pairs(matrix, len(nodes), chosen)
    across = fuzzy._cross_pairs(matrix, len(nodes) // 2, len(nodes), chosen)
    return tuple({(int(a), int(b), float(c)) for a, b, c in zip(*pairs)} for pairs in (within, across))


@compiled_only
@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(words, min_size=1, max_size=7).map(" ".join), min_size=2, max_size=150),
    st.sampled_from([
        GroupingSettings(max_candidates=5, assign_candidates=3),
        GroupingSettings(pair_budget=2_000, min_max_df=3, max_candidates=4, assign_candidates=2),
        GroupingSettings(pair_budget=500, min_max_df=2, max_candidates=1, assign_candidates=1),
    ]),
)
def test_compiled_candidate_search_finds_exactly_the_pairs_numpy_does(sample: list[str], chosen: GroupingSettings) -> None:
    compiled = candidate_pairs(sample, chosen)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fuzzy, "_native", None)
        plain = candidate_pairs(sample, chosen)
    assert compiled == plain


@compiled_only
def test_compiled_and_numpy_paths_agree_on_a_realistic_set() -> None:
    compiled, plain = grouped_both_ways(_paraphrase_set() * 3 + PARAPHRASES, GroupingSettings(direct_limit=40, sample_size=25))
    assert compiled.labels == plain.labels
    assert len(set(compiled.labels)) >= 4


@compiled_only
def test_the_compiled_loops_refuse_out_of_range_ids_instead_of_reading_past_an_array() -> None:
    ints, floats, none = (lambda *v: np.array(v, dtype=np.int64)), (lambda *v: np.array(v, dtype=np.float64)), np.zeros(0)
    with pytest.raises(IndexError):
        fuzzy._native.candidates(ints(0, 1), ints(5), floats(1.0), ints(0, 1), ints(0), floats(1.0),
                                   ints(), ints(), none, 0, 1, 0, 0, 0, 0.0, True)
    with pytest.raises(IndexError):
        fuzzy._native.average_linkage(ints(1, 1), ints(0), ints(7), ints(5000), 2000)


def test_sparse_rows_keep_columns_and_transpose_like_scipy() -> None:
    from scipy import sparse

    dense = np.array([[0, 1.5, 0, 2], [0, 0, 0, 0], [3, 0, 0.5, 0], [0, 0, 0, 0]])
    full = sparse.csr_matrix(dense)
    rows = fuzzy._Rows(full.indptr.astype(np.int64), full.indices.astype(np.int64), full.data, 4)
    keep = np.array([True, False, True, True])
    assert (rows.columns(keep).scipy().toarray() == dense[:, keep]).all()  # empty rows, last one too
    assert (rows.transposed().scipy().toarray() == dense.T).all()
    assert (rows.rows(1, 3).scipy().toarray() == dense[1:3]).all()
