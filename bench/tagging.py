"""Precision, recall and F1 of the tagger on public labelled data, with what was tuned on what.

    python bench/tagging.py [--errors N] [--cross]

The tagger (semantic engine) is a logistic regression over sentence vectors, trained only on the
project's own prototype statements (bench/train_tagger.py), combined with the cue phrases; two numbers
of the combination (the need bias and the weight of a firing cue) were chosen on the SemEval-2019
**train** split (forum sentences) and the sample notes' quotes and observations together (the best mean
F1 of a small grid). The sets marked "held out" below had no say in anything.
With --engine fuzzy the cue phrases type statements alone; they are listed for comparison.

- Need: SemEval-2019 Task 9 suggestions (train: tuned on; trial: held out) and HICSS-2023 Amazon review
  sentences (held out; its "need" label also counts praise, so it is reported, not targeted).
- Pain: tweets labelled as complaints (Preotiuc-Pietro et al. 2019), all rows and the nine annotated
  domains (held out).
- Pain, need and other: the quotes and observations of the sample notes in notes/, labelled by hand in
  bench/note-types.yaml (tuned on: the fine cues and the cues for spoken wishes were written from its
  mistakes, and the two numbers are the grid's best there too); the quotes and observations of
  ../shared/datasets/gold-notes-fieldservice (macro F1 over the three types; held out), and its
  Pains/Needs bullets. The bullets are the split the
  cue patterns of research-note shorthand were written against ("Would like ...", "The shop wants ...",
  "can't be recorded"): general patterns, never a phrase of a row; the quotes and observations of the
  same notes were never looked at row by row.

`--errors N` prints N mistakes of each tuning split (SemEval train, the gold bullets, the sample notes) only, never of a
held-out set: they are not to be tuned against. `--cross` chooses the two numbers again on each data set in turn (a small grid) and
scores the others: tuned on forum text, scored on tweets and reviews, and the other way round.
The data sets are read in place, never copied, and never at custlens run time.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import sys
import time
from dataclasses import dataclass

import numpy as np
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import datasets_dir, describe

from custlens.infra.cache import cache_dir
from custlens.pipeline import tagmodel
from custlens.pipeline.embed import Embedder, VectorStore
from custlens.pipeline.tag import Tagger


@dataclass
class Labelled:
    name: str
    texts: list[str]
    labels: list[str]  # pain / need / other, or for one-type sets: the type if positive, else "other"
    kind: str  # "need", "pain", or "three" (macro F1 over pain, need and other)
    role: str  # "tuned on" or "held out"
    note: str = ""


def _rows(path: str, encoding: str, header: bool) -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[1:] if header else rows


def load_sets(root: str) -> list[Labelled]:
    sem = os.path.join(root, "semeval2019_task9_suggestions", "subtaskA")
    train = [r for r in _rows(os.path.join(sem, "V1.4_Training.csv"), "utf-8", False) if len(r) >= 3]
    trial = _rows(os.path.join(sem, "SubtaskA_Trial_Test_Labeled.csv"), "latin-1", True)
    hicss = _rows(os.path.join(root, "amazon_customer_needs_hicss2023", "combined.csv"), "utf-8", True)
    tweets = _rows(os.path.join(root, "complaints_twitter", "complaints-data.csv"), "utf-8", False)
    annotated = [r for r in tweets if not r[3].startswith("random")]
    with open(os.path.join(root, "gold-notes-fieldservice", "GOLD.yaml"), encoding="utf-8") as handle:
        gold = yaml.safe_load(handle)

    def unquoted(text: str) -> str:
        return text.strip().strip('"“”').strip()

    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "note-types.yaml"), encoding="utf-8") as handle:
        ours = yaml.safe_load(handle)["statements"]
    said = [e for e in gold["entries"] if e["section"] in ("quotes", "observations")]
    bullets = [e for e in gold["entries"] if e["section"] in ("pains", "needs")]
    return [
        Labelled("SemEval-2019 suggestions, train (forum)", [r[1] for r in train],
                 ["need" if r[2] == "1" else "other" for r in train], "need", "tuned on"),
        Labelled("SemEval-2019 suggestions, trial (forum)", [r[1] for r in trial],
                 ["need" if r[2] == "1" else "other" for r in trial], "need", "held out", "goal F1 >= 0.75"),
        Labelled("HICSS-2023 Amazon needs (reviews)", [r[0] for r in hicss],
                 ["need" if r[1] == "1" else "other" for r in hicss], "need", "held out", "'need' includes praise"),
        Labelled("Twitter complaints, all", [r[1] for r in tweets], ["pain" if r[2] == "1" else "other" for r in tweets],
                 "pain", "held out", "goal F1 >= 0.70"),
        Labelled("Twitter complaints, 9 domains", [r[1] for r in annotated],
                 ["pain" if r[2] == "1" else "other" for r in annotated], "pain", "held out"),
        Labelled("gold notes, quotes and observations", [unquoted(e["text"]) for e in said], [e["type"] for e in said],
                 "three", "held out", "goal macro F1 >= 0.75"),
        Labelled("gold notes, Pains/Needs bullets", [unquoted(e["text"]) for e in bullets],
                 [e["type"] for e in bullets], "three", "cues written on", "typed by section in notes"),
        Labelled("sample notes, quotes and observations", [e["text"] for e in ours], [e["type"] for e in ours],
                 "three", "tuned on", "labelled by hand: bench/note-types.yaml"),
    ]


def f1(labels: list[str], predicted: list[str], kind: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of one type; for "three", macro averages over pain, need and other
    (over pain and need only where no statement is other)."""
    kinds = [kind] if kind != "three" else [k for k in ("pain", "need", "other") if k in labels]
    out = []
    for k in kinds:
        tp = sum(1 for t, p in zip(labels, predicted) if t == k and p == k)
        fp = sum(1 for t, p in zip(labels, predicted) if t != k and p == k)
        fn = sum(1 for t, p in zip(labels, predicted) if t == k and p != k)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        out.append((precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0))
    return tuple(float(np.mean([row[i] for row in out])) for i in range(3))  # type: ignore[return-value]  # three values


class Scorer:
    """Everything the decisions need for one data set, computed once: vectors and cues."""

    def __init__(self, data: Labelled, embedder: Embedder, tagger: Tagger) -> None:
        self.data = data
        self.vectors = embedder.vectors(data.texts)
        self.cues = [tagger.cues_of(text) for text in data.texts]

    def model(self, **params: float) -> list[str]:
        return [d.type for d in tagmodel.decide(self.vectors, self.cues, **params)]

    def cues_alone(self) -> list[str]:
        return ["need" if need else "pain" if pain else "other" for need, pain, _ in self.cues]


GRID = {"need_bias": [-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5], "cue_weight": [0.0, 1.0, 2.0, 3.0, 6.0]}


def tune(scorers: list[Scorer]) -> dict[str, float]:
    """The grid point with the best mean F1 over the given sets (ties to the first)."""
    best, best_score = {}, -1.0
    for need_bias, cue_weight in itertools.product(GRID["need_bias"], GRID["cue_weight"]):
        params = {"need_bias": need_bias, "cue_weight": cue_weight}
        score = float(np.mean([f1(s.data.labels, s.model(**params), s.data.kind)[2] for s in scorers]))
        if score > best_score + 1e-9:
            best, best_score = params, score
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=0, help="print this many mistakes of each tuning split")
    parser.add_argument("--cross", action="store_true", help="tune on each data set in turn, score the others")
    parser.add_argument("--datasets", default=datasets_dir())
    args = parser.parse_args()
    print(f"machine: {describe()}")
    print()
    embedder = Embedder(VectorStore(cache_dir()))
    tagger = Tagger()
    sets = load_sets(args.datasets)
    started = time.perf_counter()
    scorers = [Scorer(data, embedder, tagger) for data in sets]
    embedder.finish()
    print("| data set | role | scored type | rows | cues alone P / R / F1 | model + cues P / R / F1 | note |")
    print("|---|---|---|---:|---|---|---|")
    for scorer in scorers:
        data = scorer.data
        alone = f1(data.labels, scorer.cues_alone(), data.kind)
        combined = f1(data.labels, scorer.model(), data.kind)
        kind = "pain/need/other (macro)" if data.kind == "three" else data.kind
        print(f"| {data.name} | {data.role} | {kind} | {len(data.texts):,} | "
              f"{alone[0]:.3f} / {alone[1]:.3f} / **{alone[2]:.3f}** | "
              f"{combined[0]:.3f} / {combined[1]:.3f} / **{combined[2]:.3f}** | {data.note} |")
    print()
    tuned = [s for s in scorers if s.data.role == "tuned on"]
    chosen = tune(tuned)
    print(f"model + cues: need bias {tagmodel.NEED_BIAS}, cue weight {tagmodel.CUE_WEIGHT}; the grid's best mean F1 over "
          f"{' and '.join(s.data.name for s in tuned)}: need bias {chosen['need_bias']}, cue weight {chosen['cue_weight']}; "
          "weights trained on the project's prototypes only")
    total = sum(len(s.data.texts) for s in scorers)
    print(f"{total:,} sentences embedded or read from the store and typed in {time.perf_counter() - started:.1f} s")
    many = np.concatenate([scorers[3].vectors] * 30)[:100_000]
    many_cues = (scorers[3].cues * 30)[:100_000]
    took = []
    for _ in range(3):  # a shared machine: the best of three, and the worst beside it
        clock = time.perf_counter()
        tagmodel.decide(many, many_cues)
        took.append(time.perf_counter() - clock)
    print(f"the model's decision for 100,000 statements with their vectors and cues: {min(took):.3f} s "
          f"(best of 3; worst {max(took):.3f} s)")
    for train in [s for s in scorers if s.data.role != "held out"] if args.errors else []:
        print(f"mistakes on {train.data.name}:", file=sys.stderr)
        shown = 0
        for text, truth, guess in zip(train.data.texts, train.data.labels, train.model()):
            wrong = (truth == "need") != (guess == "need") if train.data.kind == "need" else truth != guess
            if wrong and shown < args.errors:
                print(f"  {truth} -> {guess}: {text[:150]}", file=sys.stderr)
                shown += 1
    if args.cross:
        cross(scorers)


def cross(scorers: list[Scorer]) -> None:
    print()
    print("Tuned on one kind of text, scored on the others (F1 of each set's scored type; the grid: need bias "
          f"{GRID['need_bias']}, cue weight {GRID['cue_weight']}):")
    print()
    groups = {"forum (SemEval train)": [scorers[0]], "tweets (complaints, all)": [scorers[3]],
              "reviews (HICSS)": [scorers[2]], "research notes (sample notes)": [scorers[7]]}
    print("| tuned on | chosen | " + " | ".join(s.data.name for s in scorers) + " |")
    print("|---|---|" + "---:|" * len(scorers))
    for name, tuned_on in groups.items():
        params = tune(tuned_on)
        cells = []
        for s in scorers:
            value = f1(s.data.labels, s.model(**params), s.data.kind)[2]
            cells.append(f"{value:.3f}{' T' if s in tuned_on else ''}")
        print(f"| {name} | need bias {params['need_bias']}, cue weight {params['cue_weight']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
