"""Where each phrase of the cue tagger fires: a check that no cue is fitted to a few rows of one data set.

    python bench/cue_audit.py [--all]

Every cue in custlens/pipeline/cues.py (need, pain and fine) is split into its phrases: each top-level
alternative, and each alternative of a group inside it that is more than one word (the rest of the cue
kept as it is, an optional group made required). Each phrase is counted, as rows matched, over every
labelled data set of bench/tagging.py (tuned on and held out alike: this is an audit, nothing is chosen
on it) and over two sets of outside text with no pain/need labels (banking77 and hwu64 requests).

Printed: the phrases that fire on only one data set, and on at most two of its rows there, the shape
of the fitted phrases once removed (`nothappy`, `blinks on and off`), with the role of that set; and
how many phrases fire nowhere (general phrasing that none of these sets happens to use). Each flagged
phrase must be general language, not a row's words; ARCHITECTURE.md says where a cue comes from.
`--all` prints every phrase with its counts.
"""

from __future__ import annotations

import argparse
import bisect
import os
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import datasets_dir, describe
from tagging import _rows, load_sets

from custlens.pipeline import cues
from custlens.pipeline.normalise import for_cues

LOOKAROUND = ("(?!", "(?=", "(?<!", "(?<=")
Item = tuple  # ("lit", text) or ("grp", opener, alternatives, closer)


def parse(pattern: str, i: int = 0, depth: int = 0) -> tuple[list[list[Item]], int]:
    """A cue pattern (literals, classes, groups, alternation) as alternatives of item sequences."""
    alternatives: list[list[Item]] = []
    seq: list[Item] = []
    literal = ""
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            literal += pattern[i:i + 2]
            i += 2
        elif c == "[":
            j = i + 1 + (pattern[i + 1] == "^")
            j += pattern[j] == "]"
            while pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            literal += pattern[i:j + 1]
            i = j + 1
        elif c == "(":
            opener = re.match(r"\(\?(?::|!|=|<!|<=)|\(", pattern[i:]).group(0)  # type: ignore[union-attr]
            if literal:
                seq.append(("lit", literal))
                literal = ""
            inner, i = parse(pattern, i + len(opener), depth + 1)
            closer = re.match(r"\)(?:[?*+]|\{\d*,?\d*\})?\??", pattern[i:]).group(0)  # type: ignore[union-attr]
            seq.append(("grp", opener, inner, closer))
            i += len(closer)
        elif c == ")" and depth:
            break
        elif c == "|":
            if literal:
                seq.append(("lit", literal))
                literal = ""
            alternatives.append(seq)
            seq = []
            i += 1
        else:
            literal += c
            i += 1
    if literal:
        seq.append(("lit", literal))
    alternatives.append(seq)
    return alternatives, i


def render(seq: list[Item]) -> str:
    return "".join(item[1] if item[0] == "lit" else item[1] + "|".join(map(render, item[2])) + item[3] for item in seq)


def required(closer: str) -> str:
    return ")" if closer in (")?", ")*", ")??", ")*?") else closer


def phrases(seq: list[Item]):
    """(phrase, the cue with that phrase fixed) for every multi-word alternative of every group."""
    for k, item in enumerate(seq):
        if item[0] != "grp" or item[1] in LOOKAROUND:
            continue
        for alternative in item[2]:
            fixed = [*seq[:k], ("grp", "(?:", [alternative], required(item[3])), *seq[k + 1:]]
            text = render(alternative)
            if " " in text.strip():
                yield text, fixed
            for inner, inner_fixed in phrases(alternative):
                yield inner, [*seq[:k], ("grp", "(?:", [inner_fixed], required(item[3])), *seq[k + 1:]]


def corpora(root: str) -> dict[str, tuple[str, list[str]]]:
    out = {s.name: (s.role, s.texts) for s in load_sets(root) if s.name != "Twitter complaints, 9 domains"}
    out["banking77 requests"] = ("outside text", [r[0] for r in _rows(os.path.join(root, "banking77", "train.csv"), "utf-8", True)])
    out["hwu64 requests"] = ("outside text", [r[0] for r in _rows(os.path.join(root, "hwu64", "hwu64.csv"), "utf-8", True)])
    return out


def counts(patterns: list[tuple[str, str, str]], sets: dict[str, list[str]]) -> list[tuple[str, str, str, dict[str, int]]]:
    """(kind, cue, phrase, rows matched per set, sets with none left out) for every phrase of every cue."""
    joined: dict[str, tuple[str, list[int]]] = {}
    for name, texts in sets.items():
        plain = [for_cues(t).replace("\n", " ") for t in texts]
        starts = [0]
        for text in plain:
            starts.append(starts[-1] + len(text) + 1)
        joined[name] = ("\n".join(plain), starts)
    out = []
    for kind, cue, pattern in patterns:
        seen: set[str] = set()
        for branch in parse(pattern)[0]:
            for phrase, fixed in [(render(branch), branch), *phrases(branch)]:
                compiled = render(fixed)
                if compiled in seen:
                    continue
                seen.add(compiled)
                rx = re.compile(compiled, re.MULTILINE)
                rows = {}
                for name, (text, starts) in joined.items():
                    hit = {bisect.bisect_right(starts, m.start()) - 1 for m in rx.finditer(text)}
                    if hit:
                        rows[name] = len(hit)
                out.append((kind, cue, phrase, rows))
    return out


def fitted(found: list[tuple[str, str, str, dict[str, int]]]) -> list[tuple[str, str, str, str, int]]:
    """(set, kind, cue, phrase, rows) of the phrases that fire on one or two rows of one set and nowhere else."""
    return sorted((next(iter(rows)), kind, cue, phrase, sum(rows.values()))
                  for kind, cue, phrase, rows in found if len(rows) == 1 and sum(rows.values()) <= 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="print every phrase with the rows it fires on")
    parser.add_argument("--datasets", default=datasets_dir())
    args = parser.parse_args()
    print(describe())
    sets = corpora(args.datasets)
    patterns = [(kind, cue, pattern) for kind, table in (("need", cues.NEED_CUES), ("pain", cues.PAIN_CUES),
                                                          ("fine", cues.FINE_CUES)) for cue, pattern in table]
    found = counts(patterns, {name: texts for name, (_, texts) in sets.items()})
    if args.all:
        for kind, cue, phrase, rows in found:
            print(f"{kind:5} {cue:18} {phrase[:60]!r:64} {rows}")
    flagged = fitted(found)
    silent = sum(1 for *_, rows in found if not rows)
    print(f"{len(found)} phrases; {silent} fire on no row of any set; {len(flagged)} fire on one or two rows of one set only:")
    print()
    print("| set | role | kind | cue | phrase | rows |")
    print("|---|---|---|---|---|---:|")
    for name, kind, cue, phrase, count in flagged:
        shown = phrase[:70].replace("|", "\\|")
        print(f"| {name} | {sets[name][0]} | {kind} | {cue} | `{shown}` | {count} |")
    print()
    print("flagged per set:", dict(Counter(name for name, *_ in flagged)))


if __name__ == "__main__":
    main()
