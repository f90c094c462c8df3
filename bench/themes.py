"""Theme quality on banking77 (train split): each customer query is one pain statement.

    python bench/themes.py [--threshold T ...] [--exact]

Prints the Adjusted Rand Index, NMI and the number of themes for each threshold, without being told
the number of intents (77). NMI alone flatters many tiny themes, so ARI and the theme count matter.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import datasets_dir, describe

from custlens.cluster import GroupingSettings, group


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


def load_banking(root: str) -> tuple[list[str], list[str]]:
    with open(os.path.join(root, "banking77", "train.csv"), encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [r["category"] for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, nargs="*", default=[GroupingSettings().threshold])
    parser.add_argument("--exact", action="store_true", help="also score every pair (slow, memory-hungry)")
    parser.add_argument("--datasets", default=datasets_dir())
    parser.add_argument("--limit", type=int, default=0, help="use only the first N queries")
    args = parser.parse_args()
    texts, truth = load_banking(args.datasets)
    if args.limit:
        texts, truth = texts[: args.limit], truth[: args.limit]
    print(f"machine: {describe()}")
    print(f"banking77 train: {len(texts):,} queries, {len(set(truth))} intents (not given to custlens)")
    print()
    print("| method | threshold | ARI | NMI | themes | seconds |")
    print("|---|---:|---:|---:|---:|---:|")
    for threshold in args.threshold:
        for exact in ([False, True] if args.exact else [False]):
            settings = GroupingSettings(threshold=threshold)
            started = time.perf_counter()
            labels = group(texts, settings, exact=exact).labels
            seconds = time.perf_counter() - started
            name = "exact (all pairs)" if exact else "custlens (candidate pairs)"
            print(
                f"| {name} | {threshold:.2f} | {adjusted_rand_index(truth, labels):.3f} | "
                f"{normalised_mutual_information(truth, labels):.3f} | {len(set(labels))} | {seconds:.1f} |"
            )


if __name__ == "__main__":
    main()
