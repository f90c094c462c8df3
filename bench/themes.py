"""Theme quality, both engines, with the default settings and without being told the number of groups.

    python bench/themes.py [--sweep] [--skip-fuzzy]

- banking77 (train, 10,003 customer queries in 77 close intents), scored on sub-themes (the fuzzy
  engine has none: its themes): each query is one pain statement.
- hwu64 (11,029 home-assistant requests in 64 intents of 18 scenarios), scored on themes.
- gold-notes-fieldservice (48 hand-written notes, 114 statements in 14 paraphrased themes), scored on
  themes by its own `eval.py`, through the whole pipeline (`custlens statements DIR --format json`:
  tagging decides which statements are themed at all).

Prints the Adjusted Rand Index and the number of groups beside each (NMI alone flatters many small
groups). `--sweep` also prints each set at other thresholds, and hwu64 split by scenario into two
halves: the threshold best on one half, scored on the other, which no choice was made on.
The data sets are read in place from ../shared/datasets (or $CUSTLENS_DATASETS).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import datasets_dir, describe

from custlens.infra.cache import cache_dir
from custlens.pipeline.embed import Embedder, VectorStore
from custlens.pipeline.engines.fuzzy import GroupingSettings, group
from custlens.pipeline.engines.semantic import MeaningSettings, group_by_meaning


def adjusted_rand_index(truth: list[str], predicted: list[int]) -> float:
    pairs = Counter(zip(truth, predicted))
    a, b, n = Counter(truth), Counter(predicted), len(truth)
    index = sum(math.comb(v, 2) for v in pairs.values())
    sum_a = sum(math.comb(v, 2) for v in a.values())
    sum_b = sum(math.comb(v, 2) for v in b.values())
    expected = sum_a * sum_b / math.comb(n, 2)
    maximum = (sum_a + sum_b) / 2
    return (index - expected) / (maximum - expected) if maximum != expected else 1.0


def normalised_mutual_information(truth: list[str], predicted: list[int]) -> float:
    n = len(truth)
    pairs, a, b = Counter(zip(truth, predicted)), Counter(truth), Counter(predicted)
    mutual = sum(v / n * math.log(v * n / (a[x] * b[y])) for (x, y), v in pairs.items())
    ha = -sum(v / n * math.log(v / n) for v in a.values())
    hb = -sum(v / n * math.log(v / n) for v in b.values())
    return 2 * mutual / (ha + hb) if ha + hb else 1.0


def _csv(path: str, text: str, label: str) -> tuple[list[str], list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r[text] for r in rows], [r[label] for r in rows]


def load_banking(root: str) -> tuple[list[str], list[str]]:
    return _csv(os.path.join(root, "banking77", "train.csv"), "text", "category")


def load_hwu(root: str) -> tuple[list[str], list[str]]:
    return _csv(os.path.join(root, "hwu64", "hwu64.csv"), "text", "label")


def semantic_labels(texts: list[str], level: str, settings: MeaningSettings, embedder: Embedder) -> list[int]:
    found, _ = group_by_meaning(texts, embedder.vectors(texts), settings)
    return found.sublabels if level == "subthemes" else found.labels


def fuzzy_labels(texts: list[str]) -> list[int]:
    """The fuzzy engine's themes (it has no sub-themes: its themes are scored on both levels)."""
    return group(texts, GroupingSettings()).labels


def gold_notes(root: str, engine: str, threshold: float | None = None) -> dict[str, object]:
    """The whole pipeline on the gold notes, scored by their own eval.py (ARI over themed statements)."""
    folder = Path(root) / "gold-notes-fieldservice"
    command = [sys.executable, "-m", "custlens", "statements", str(folder / "notes"), "--format", "json",
               "--engine", engine]
    if threshold is not None:
        command += ["--threshold", str(threshold)]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
        subprocess.run(command, stdout=out, check=True)
    scored = subprocess.run([sys.executable, str(folder / "eval.py"), out.name, "--json"], capture_output=True,
                            text=True, check=True)
    os.unlink(out.name)
    return dict(json.loads(scored.stdout))


def row(name: str, engine: str, level: str, truth: list[str], predicted: list[int], seconds: float, goal: str) -> None:
    ari = adjusted_rand_index(truth, predicted)
    print(f"| {name} | {engine} | {level} | {ari:.3f} | {normalised_mutual_information(truth, predicted):.3f} | "
          f"{len(set(predicted)):,} | {len(set(truth))} | {seconds:.1f} | {goal} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=datasets_dir())
    parser.add_argument("--sweep", action="store_true", help="also other thresholds, and hwu64 halves")
    parser.add_argument("--skip-fuzzy", action="store_true")
    args = parser.parse_args()
    root = args.datasets
    embedder = Embedder(VectorStore(cache_dir()))
    sets = {"banking77 train": (*load_banking(root), "subthemes", "ARI >= 0.47"),
            "hwu64": (*load_hwu(root), "themes", "ARI >= 0.40")}
    print(f"machine: {describe()}")
    print()
    print("| data set | engine | scored on | ARI | NMI | groups | true groups | seconds | goal |")
    print("|---|---|---|---:|---:|---:|---:|---:|---|")
    engines = ["semantic"] if args.skip_fuzzy else ["semantic", "fuzzy"]
    for name, (texts, truth, level, goal) in sets.items():
        for engine in engines:
            embedder.vectors(texts)  # embedding is timed by bench/run.py; here only the grouping
            started = time.perf_counter()
            if engine == "semantic":
                predicted = semantic_labels(texts, level, MeaningSettings(), embedder)
            else:
                predicted = fuzzy_labels(texts)
            row(name, engine, level, truth, predicted, time.perf_counter() - started, goal if engine == "semantic" else "")
    for engine in engines:
        found = gold_notes(root, engine)
        goal = "ARI >= 0.22" if engine == "semantic" else ""
        print(f"| gold-notes-fieldservice | {engine} | themes | {found['ari']:.3f} | | {found['predicted_themes']} "
              f"| {found['gold_themes']} | | {goal} |")
    embedder.finish()
    if args.sweep:
        sweep(root, embedder)


def sweep(root: str, embedder: Embedder) -> None:
    """ARI at other thresholds (semantic engine), and a tuned-on / held-out split of hwu64."""
    print()
    print("Semantic engine at other thresholds (themes and sub-themes are two cuts of one tree):")
    print()
    cuts = [0.30, 0.35, 0.40, 0.45, 0.50, 0.56, 0.60]
    print("| data set | scored on | " + " | ".join(f"{c:.2f}" for c in cuts) + " |")
    print("|---|---|" + "---:|" * len(cuts))
    for name, (texts, truth) in {"banking77 train": load_banking(root), "hwu64": load_hwu(root)}.items():
        cells = []
        for cut in cuts:
            labels = semantic_labels(texts, "themes", MeaningSettings(threshold=cut, sub_threshold=cut), embedder)
            cells.append(f"{adjusted_rand_index(truth, labels):.3f} ({len(set(labels)):,})")
        print(f"| {name} | a cut at that value | " + " | ".join(cells) + " |")
    gold = [gold_notes(root, "semantic", cut) for cut in cuts]
    print("| gold-notes-fieldservice | themes | " + " | ".join(f"{g['ari']:.3f} ({g['predicted_themes']})" for g in gold)
          + " |")
    texts, truth = load_hwu(root)
    scenarios = sorted({label.split("_")[0] for label in truth})
    halves = (set(scenarios[0::2]), set(scenarios[1::2]))
    print()
    print("hwu64 by scenario, two halves: the theme threshold best on one half, scored on the other:")
    for tuned, held in ((0, 1), (1, 0)):
        def part(which: int) -> tuple[list[str], list[str]]:
            keep = [k for k, label in enumerate(truth) if label.split("_")[0] in halves[which]]
            return [texts[k] for k in keep], [truth[k] for k in keep]

        tune_texts, tune_truth = part(tuned)
        scores = {cut: adjusted_rand_index(tune_truth, semantic_labels(
            tune_texts, "themes", MeaningSettings(threshold=cut, sub_threshold=cut), embedder)) for cut in cuts}
        best = max(scores, key=lambda cut: scores[cut])
        held_texts, held_truth = part(held)
        held_default = adjusted_rand_index(held_truth, semantic_labels(held_texts, "themes", MeaningSettings(), embedder))
        held_best = adjusted_rand_index(held_truth, semantic_labels(
            held_texts, "themes", MeaningSettings(threshold=best, sub_threshold=max(best, 0.56)), embedder))
        print(f"- tuned on half {tuned + 1} ({len(tune_texts):,} texts): best threshold {best:.2f} (ARI {scores[best]:.3f}); "
              f"on half {held + 1} ({len(held_texts):,} texts, held out): {held_best:.3f} with it, "
              f"{held_default:.3f} with the default 0.35")


if __name__ == "__main__":
    main()
