"""The machine a benchmark ran on, printed with every figure so that numbers can be compared fairly."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata


def describe() -> str:
    versions = []
    for package in ("custlens", "rapidfuzz", "numpy", "pyyaml", "pydantic"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            pass
    try:
        import yaml

        libyaml = "libyaml" if getattr(yaml, "__with_libyaml__", False) else "pure-Python YAML"
    except ImportError:
        libyaml = "no YAML"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        pass
    try:
        from custlens.pipeline.engines import fuzzy

        loops = "compiled grouping loops" if fuzzy._native is not None else "numpy grouping loops (not compiled)"
    except ImportError:
        loops = "custlens not importable"
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}){memory}; "
        f"Python {sys.version.split()[0]}; {', '.join(versions)}; {libyaml}; {loops}"
    )


def datasets_dir() -> str:
    """`../shared/datasets` beside the repository, or $CUSTLENS_DATASETS."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("CUSTLENS_DATASETS", os.path.join(here, "..", "..", "shared", "datasets"))
