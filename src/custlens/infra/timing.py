"""Stage timings: how long each step of a run took, for bench/run.py and CUSTLENS_TIMINGS=1."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator


@contextlib.contextmanager
def stage(timings: dict[str, float] | None, name: str) -> Iterator[None]:
    """Add the time spent in the `with` block to `timings[name]`; do nothing without a dict."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
