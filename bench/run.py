"""Speed and memory of custlens at 1k, 10k and 100k statements, with the machine they ran on.

    python bench/run.py [--sizes 1000 10000 100000] [--stretch] [--skip-banking]

For each size it generates a synthetic notes folder with bench/make_corpus.py (cached in bench/corpora/)
and runs the real command, `custlens themes DIR --format json --all`, as a separate process: once with
an empty parse cache and once with a warm one, printing wall time, peak memory (the child's max RSS)
and the time per stage. It also times `custlens check` on the largest folder and `custlens --help`,
compares custlens's grouping with a naive baseline (rapidfuzz `cdist` over every pair, then threshold
grouping) on the largest size the baseline fits in memory, and prints the banking77 ARI of the fast
path next to the exact one. `--stretch` adds 1,000,000 statements.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _machine import describe

STAGES = ["read/parse", "extract", "tag", "candidates", "scoring", "grouping", "triangulate", "render"]
NAIVE_MAX_PAIRS = 2_000_000_000  # all pairs of one type, scored in blocks of rows (a few GB at most)


def corpus(size: int) -> Path:
    folder = HERE / "corpora" / str(size)
    if not (folder.is_dir() and any(folder.iterdir())):
        subprocess.run([sys.executable, str(HERE / "make_corpus.py"), str(size), "--out", str(folder)], check=True,
                       stdout=subprocess.DEVNULL)
    return folder


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, str, int]:
    """Run a command; return wall seconds, peak memory in MiB, stderr, and the exit code."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return wall, usage.ru_maxrss / 1024, err.read().decode("utf-8", "replace"), proc.returncode


def stage_times(stderr: str) -> dict[str, float]:
    for line in stderr.splitlines():
        if line.startswith("custlens-timings "):
            return json.loads(line.split(" ", 1)[1])
    return {}


def custlens(*args: str) -> list[str]:
    return [sys.executable, "-m", "custlens", *args]


def run_sizes(sizes: list[int]) -> list[dict[str, object]]:
    rows = []
    for size in sizes:
        folder = corpus(size)
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, CUSTLENS_CACHE_DIR=cache, CUSTLENS_TIMINGS="1")
            cold, memory, err, code = timed(custlens("themes", str(folder), "--format", "json", "--all"), env)
            if code != 0:
                raise SystemExit(f"custlens failed on {folder}:\n{err}")
            warm, warm_memory, _, _ = timed(custlens("themes", str(folder), "--format", "json", "--all"), env)
        notes = sum(1 for _ in folder.rglob("*.md")) + sum(1 for _ in folder.rglob("*.yaml"))
        rows.append({"size": size, "files": notes, "cold": cold, "warm": warm, "memory": max(memory, warm_memory),
                     "stages": stage_times(err)})
        print(f"  {size:>9,} statements: cold {cold:6.2f} s, warm {warm:6.2f} s, peak {memory:7.0f} MiB", file=sys.stderr)
    return rows


def _root(parent: list[int], k: int) -> int:
    while parent[k] != k:
        parent[k] = parent[parent[k]]
        k = parent[k]
    return k


def naive_baseline(size: int) -> tuple[float, float, int]:
    """Seconds for custlens's grouping and for the naive baseline on the statements of one corpus."""
    import numpy as np
    from rapidfuzz import fuzz, process

    from custlens.cluster import GroupingSettings, group, normalise
    from custlens.commands import Run, load
    from custlens.config import Config
    from custlens.tag import Tagger, tag

    statements = tag(load([corpus(size)], Config(), Run(cache=False)).statements, Tagger())
    by_type = {kind: [s.text for s in statements if s.type == kind] for kind in ("pain", "need")}
    started = time.perf_counter()
    for texts in by_type.values():
        group(texts, GroupingSettings())
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for texts in by_type.values():
        plain = [normalise(t) for t in texts]
        parent = list(range(len(plain)))  # threshold grouping: pairs at or over 80 are joined
        for start in range(0, len(plain), 2000):
            scores = process.cdist(plain[start : start + 2000], plain, scorer=fuzz.token_sort_ratio, workers=-1,
                                   dtype=np.uint8)
            for a, b in zip(*np.nonzero(scores >= 80)):
                if start + a < b:
                    parent[_root(parent, int(start + a))] = _root(parent, int(b))
    naive = time.perf_counter() - started
    return ours, naive, sum(len(t) for t in by_type.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    parser.add_argument("--stretch", action="store_true", help="also 1,000,000 statements")
    parser.add_argument("--skip-banking", action="store_true")
    args = parser.parse_args()
    sizes = sorted(set(args.sizes + ([1_000_000] if args.stretch else [])))
    print(f"machine: {describe()}")
    print()
    rows = run_sizes(sizes)
    print("`custlens themes DIR --format json --all`, a fresh process each time:")
    print()
    print("| statements | files | cold cache s | warm cache s | peak MiB | " + " | ".join(STAGES) + " |")
    print("|---:|---:|---:|---:|---:|" + "---:|" * len(STAGES))
    for row in rows:
        stages = row["stages"]
        assert isinstance(stages, dict)
        print(
            f"| {row['size']:,} | {row['files']:,} | {row['cold']:.2f} | {row['warm']:.2f} | {row['memory']:.0f} | "
            + " | ".join(f"{stages.get(name, 0.0):.2f}" for name in STAGES) + " |"
        )
    print()
    for small, large in zip(rows, rows[1:]):
        assert isinstance(small["cold"], float) and isinstance(large["cold"], float)
        print(f"growth from {small['size']:,} to {large['size']:,} statements: "
              f"{large['cold'] / small['cold']:.1f}x the time for {int(large['size']) / int(small['size']):.0f}x the statements")
    for size in sizes[-2:] if len(sizes) > 2 else sizes[-1:]:
        folder = corpus(size)
        notes = sum(1 for _ in folder.rglob("*.md")) + sum(1 for _ in folder.rglob("*.yaml"))
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, CUSTLENS_CACHE_DIR=cache)
            check, check_memory, out, _ = timed(custlens("check", str(folder), "--format", "json"), env)
        print(f"`custlens check` on {notes:,} files ({size:,} statements): {check:.2f} s, peak {check_memory:.0f} MiB")
    helps = [timed(custlens("--help"), dict(os.environ))[0] for _ in range(5)]
    print(f"`custlens --help`: {min(helps):.3f} s (best of 5)")
    fits = [size for size in sizes if size * size // 8 <= NAIVE_MAX_PAIRS]  # about 40% of statements per type
    if fits:
        ours, naive, count = naive_baseline(fits[-1])
        print(f"grouping {count:,} pain and need statements of the {fits[-1]:,}-statement folder: custlens {ours:.2f} s, "
              f"naive cdist over every pair + threshold grouping {naive:.2f} s ({naive / ours:.1f}x custlens's time)")
    if not args.skip_banking:
        sys.argv = [sys.argv[0], "--exact"]
        from themes import main as banking

        print()
        print("banking77 (bench/themes.py --exact):")
        banking()


if __name__ == "__main__":
    main()
