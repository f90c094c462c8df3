"""Grouping by meaning: the linkage rounds (compiled and numpy), candidates, cuts, and what users see."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import fcluster, linkage

from custlens.cli import app
from custlens.pipeline.embed import SCALE
from custlens.pipeline.engines import semantic
from custlens.pipeline.engines.semantic import MeaningSettings, group_by_meaning

from .conftest import NOTES, note


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


def _themes(runner, folder, *args: str) -> list[dict]:
    result = runner.invoke(app, ["themes", str(folder), "--format", "json", "--all", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["themes"]


def _theme_of(themes: list[dict], text: str) -> str:
    return next(t["id"] for t in themes for s in t["statements"] if s["text"] == text)


def _sub_of(themes: list[dict], text: str) -> str:
    for t in themes:
        for sub in t["subthemes"]:
            if any(s["text"] == text for s in sub["statements"]):
                return str(sub["id"])
    return _theme_of(themes, text)


def test_paraphrases_share_a_theme_and_shared_words_do_not(runner, tmp_path) -> None:
    paraphrases = [
        ("The app crashes when I upload photos", "Uploading pictures makes the application close"),
        ("Honestly the no-shows are killing us", "No-shows cost us a fortune every month"),
        ("Exporting a report takes forever", "Generating the monthly export is painfully slow"),
    ]
    decoys = [
        ("The online booking page is confusing on phones", "Receptionist phones every patient the day before to confirm"),
        ("Patients can reschedule online without calling", "Take a deposit when clients book online"),
    ]
    k = 0
    for pair in paraphrases + decoys:
        for text in pair:
            note(tmp_path, f"n{k}.md", participant=f"P-{k}", pains=(text,), needs=("We need a dark mode",))
            k += 1
    note(tmp_path, "offline.md", participant="P-99", needs=("We need an offline mode",))
    themes = _themes(runner, tmp_path)
    for a, b in paraphrases:
        assert _theme_of(themes, a) == _theme_of(themes, b), (a, b)
    for a, b in decoys:
        assert _theme_of(themes, a) != _theme_of(themes, b), (a, b)
    assert _sub_of(themes, "We need a dark mode") != _sub_of(themes, "We need an offline mode")


def test_the_sample_notes_group_what_means_the_same(runner) -> None:
    retyping = ("Retyping all our invoices into Xero every Friday", "His wife retypes every single invoice into QuickBooks, around 60 a month.")
    themes = _themes(runner, NOTES)
    assert _theme_of(themes, retyping[0]) == _theme_of(themes, retyping[1])
    fuzzy = _themes(runner, NOTES, "--engine", "fuzzy")
    assert _theme_of(fuzzy, retyping[0]) != _theme_of(fuzzy, retyping[1])  # what words alone miss
    outlook = [s["text"] for t in themes for s in t["statements"] if t["type"] == "pain" and "Outlook" in s["text"]]
    assert len(outlook) >= 3 and len({_theme_of(themes, text) for text in outlook}) == 1


def test_every_theme_lists_its_sub_themes_with_the_same_statement_objects(runner) -> None:
    themes = _themes(runner, NOTES)
    with_parts = [t for t in themes if t["subthemes"]]
    assert with_parts
    for theme in themes:
        if not theme["subthemes"]:
            continue
        inside = [json.dumps(s, sort_keys=True) for sub in theme["subthemes"] for s in sub["statements"]]
        assert sorted(inside) == sorted(json.dumps(s, sort_keys=True) for s in theme["statements"])
        assert {"id", "label", "statements"} <= set(theme["subthemes"][0])
        assert all(sub["id"].startswith(theme["id"] + ".") for sub in theme["subthemes"])
        assert all(0 < s["similarity"] <= 1.0001 for s in theme["statements"])
    labels = [t["label"] for t in themes if t["mentions"] > 1]
    assert len(labels) == len(set(labels)) or len({(t["label"], t["type"]) for t in themes}) == len(themes)
    assert all(len(label.split()) <= 8 for label in labels)


def test_level_subtheme_ranks_the_sub_themes(runner) -> None:
    themes = _themes(runner, NOTES)
    subs = _themes(runner, NOTES, "--level", "subtheme")
    expected = {sub["id"] for t in themes for sub in t["subthemes"]} | {t["id"] for t in themes if not t["subthemes"]}
    assert {t["id"] for t in subs} == expected
    assert sum(t["mentions"] for t in subs) == sum(t["mentions"] for t in themes)


def test_show_gives_each_statements_similarity_and_the_nearest_themes(runner) -> None:
    shown = runner.invoke(app, ["show", "deposit", str(NOTES)])
    assert shown.exit_code == 0 and "nearest themes:" in shown.stdout and "similarity 0." in shown.stdout
    data = json.loads(runner.invoke(app, ["show", "deposit", str(NOTES), "--format", "json"]).stdout)
    assert data["nearest_themes"] and all(0 < n["similarity"] < 1 for n in data["nearest_themes"])
    sub = data["subthemes"][0]["id"] if data["subthemes"] else data["id"]
    by_sub = runner.invoke(app, ["show", sub, str(NOTES)])
    assert by_sub.exit_code == 0 and sub in by_sub.stdout


def test_only_here_needs_no_close_theme_elsewhere(runner, tmp_path) -> None:
    said = {
        "clinics": ["Patients keep missing their appointments", "Too many patients just don't show up",
                    "Missed appointments cost the clinic every week"],
        "salons": ["Clients often fail to turn up for their booking", "No-shows leave empty chairs on Saturdays"],
        "trades": ["The van needs a rack for ladders", "We have nowhere to store ladders on the van",
                   "Ladder storage on the work van is a mess"],
    }
    for segment, texts in said.items():
        for k, text in enumerate(texts):
            note(tmp_path, f"{segment}{k}.md", segment=segment, participant=f"{segment}-{k}", pains=(text,),
                 needs=("Something else entirely",))
    data = json.loads(runner.invoke(app, ["segments", str(tmp_path), "--format", "json"]).stdout)
    segments = {s["name"]: s for s in data["segments"]}
    trades_only = [t["label"] for t in segments["trades"]["themes"] if t["id"] in segments["trades"]["unique_themes"]]
    assert trades_only, segments["trades"]
    assert not segments["clinics"]["unique_themes"]  # said in salons too, in other words


def test_codebook_phrases_pull_statements_that_mean_the_same(runner, in_tmp) -> None:
    (in_tmp / "themes.yaml").write_text(
        'no-shows:\n  label: "No-shows"\n  type: pain\n  match: ["patients do not turn up for appointments"]\n',
        encoding="utf-8",
    )
    note(in_tmp / "notes", "a.md", participant="P-1", pains=("Patients miss their appointments without telling us",))
    note(in_tmp / "notes", "b.md", participant="P-2", pains=("Patients do not turn up for appointments",))
    note(in_tmp / "notes", "c.md", participant="P-3", pains=("The invoice PDF has the wrong logo",))
    themes = _themes(runner, in_tmp / "notes")
    named = next(t for t in themes if t["id"] == "no-shows")
    assert {s["text"] for s in named["statements"]} == {"Patients miss their appointments without telling us",
                                                        "Patients do not turn up for appointments"}
    fuzzy = _themes(runner, in_tmp / "notes", "--engine", "fuzzy")
    named = next(t for t in fuzzy if t["id"] == "no-shows")
    assert [s["text"] for s in named["statements"]] == ["Patients do not turn up for appointments"]
