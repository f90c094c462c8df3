"""Work at the same time on every core: forked processes where the system forks safely, else threads.

Knows nothing about notes; results travel between processes as pickled plain values.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on every system
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether forking is safe here: on Linux, yes; macOS forks badly with system frameworks loaded."""
    return sys.platform.startswith("linux")


def in_parallel(jobs: Sequence[Callable[[], T]]) -> list[T]:
    """Every job's result, in order: the first job runs here, the others at the same time.

    Where the system forks safely (Linux), the others run in forked processes that send back their
    result (plain values, pickled through a pipe), so work that holds Python's lock runs truly at
    the same time; elsewhere in daemon threads. Either way Ctrl-C stops custlens at
    once: the processes die with the signal, and daemon threads do not hold up the exit.
    """
    if len(jobs) < 2:
        return [job() for job in jobs]
    if can_fork():
        return _in_processes(jobs)
    return _in_threads(jobs)


def _in_processes(jobs: Sequence[Callable[[], T]]) -> list[T]:
    import multiprocessing
    import signal

    context = multiprocessing.get_context("fork")
    children = []
    for job in jobs[1:]:
        receive, send = context.Pipe(duplex=False)

        def work(job: Callable[[], T] = job, send: Any = send) -> None:
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child quietly
            try:
                outcome: tuple[bool, Any] = (True, job())
            except BaseException as exc:  # noqa: BLE001  # handed to the main process below
                outcome = (False, exc)
            send.send(outcome)

        child = context.Process(target=work, daemon=True)
        child.start()
        send.close()
        children.append((child, receive))
    try:
        results = [jobs[0]()]
        for child, receive in children:
            try:
                ok, value = receive.recv()
            except EOFError:  # the child died without a word (killed, or out of memory)
                raise RuntimeError(f"a worker process stopped (exit code {child.exitcode})") from None
            if not ok:
                raise value
            results.append(value)
        return results
    finally:
        for child, receive in children:
            if child.is_alive():
                child.kill()
            child.join()
            receive.close()


def _in_threads(jobs: Sequence[Callable[[], T]]) -> list[T]:
    results: list[Any] = [None] * len(jobs)
    failures: list[BaseException] = []

    def work(k: int) -> None:
        try:
            results[k] = jobs[k]()
        except BaseException as exc:  # noqa: BLE001  # handed to the main thread below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(1, len(jobs))]
    for thread in threads:
        thread.start()
    results[0] = jobs[0]()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return results
