"""Precision, recall and F1 of the pain/need tagger on public labelled data in ../shared/datasets.

    python bench/tagging.py [--errors N]

Need: SemEval-2019 Task 9 suggestions (trial split, and the training split as a second look) and the
HICSS-2023 Amazon need sentences (reported only: its "need" label also counts praise). Pain: tweets
labelled as complaints (Preotiuc-Pietro et al. 2019), all rows and only the nine annotated domains.
The data sets are read in place, never copied, and never at custlens run time.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import datasets_dir, describe

from custlens.tag import Tagger


def _rows(path: str, encoding: str, header: bool) -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[1:] if header else rows


def load_sets(root: str) -> list[tuple[str, str, list[tuple[str, bool]], str]]:
    """(name, type, [(text, is_positive)], note) for each evaluation set."""
    sets = []
    sem = os.path.join(root, "semeval2019_task9_suggestions", "subtaskA")
    trial = _rows(os.path.join(sem, "SubtaskA_Trial_Test_Labeled.csv"), "latin-1", True)
    sets.append(("SemEval-2019 suggestions, trial", "need", [(r[1], r[2] == "1") for r in trial], "goal F1 >= 0.80"))
    train = _rows(os.path.join(sem, "V1.4_Training.csv"), "utf-8", False)
    sets.append(("SemEval-2019 suggestions, train", "need", [(r[1], r[2] == "1") for r in train if len(r) >= 3], ""))
    hicss = _rows(os.path.join(root, "amazon_customer_needs_hicss2023", "combined.csv"), "utf-8", True)
    sets.append(("HICSS-2023 Amazon needs", "need", [(r[0], r[1] == "1") for r in hicss],
                 "reported only: 'need' includes praise"))
    complaints = _rows(os.path.join(root, "complaints_twitter", "complaints-data.csv"), "utf-8", False)
    sets.append(("Twitter complaints, all", "pain", [(r[1], r[2] == "1") for r in complaints], "goal F1 >= 0.65"))
    annotated = [(r[1], r[2] == "1") for r in complaints if not r[3].startswith("random")]
    sets.append(("Twitter complaints, 9 domains", "pain", annotated, ""))
    return sets


def score(tagger: Tagger, kind: str, rows: list[tuple[str, bool]]) -> tuple[float, float, float, Counter, list]:
    tp = fp = fn = 0
    cues: Counter = Counter()
    mistakes = []
    for text, positive in rows:
        predicted, cue = tagger.classify(text)
        hit = predicted == kind
        if hit and positive:
            tp += 1
        elif hit:
            fp += 1
            cues[cue] += 1
            mistakes.append(("FP", cue, text))
        elif positive:
            fn += 1
            mistakes.append(("FN", predicted, text))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, cues, mistakes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=0, help="print this many mistakes per data set")
    parser.add_argument("--datasets", default=datasets_dir())
    args = parser.parse_args()
    tagger = Tagger()
    print(f"machine: {describe()}")
    print()
    print("| data set | type | rows | precision | recall | F1 | note |")
    print("|---|---|---:|---:|---:|---:|---|")
    started = time.perf_counter()
    total = 0
    for name, kind, rows, note in load_sets(args.datasets):
        precision, recall, f1, cues, mistakes = score(tagger, kind, rows)
        total += len(rows)
        print(f"| {name} | {kind} | {len(rows):,} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {note} |")
        if args.errors:
            print(f"  false positives by cue: {cues.most_common(8)}", file=sys.stderr)
            for mistake in mistakes[: args.errors]:
                print(f"  {mistake[0]} [{mistake[1]}] {mistake[2][:150]}", file=sys.stderr)
    elapsed = time.perf_counter() - started
    print()
    print(f"tagged {total:,} sentences in {elapsed:.2f} s ({total / elapsed:,.0f} per second)")


if __name__ == "__main__":
    main()
