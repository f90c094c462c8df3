"""Work at the same time on every core: forked processes where the system forks safely, else threads.

Knows nothing about notes; results travel between processes as pickled plain values.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
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
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # and so does SIGTERM
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
        _stop(children)


def _stop(children: list[tuple[Any, Any]]) -> None:
    """End the worker processes (a worker still at it is killed) and close their pipes."""
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


def shared(
    count: int, here: Callable[[int], Any], there: Callable[[int], Any], workers: int, ready: Callable[[], object] | None = None
) -> Iterator[tuple[int, Any, bool]]:
    """Jobs 0 to `count - 1`, shared out as they go: this process and `workers - 1` forked ones each
    take the next job from one counter, so a process that is busier (this one, with the results to
    take in) simply takes fewer. Yields `(job, result, sent)` as they come, not in order: `here(job)`
    for the jobs done here (`sent` False), `there(job)` for those a worker did and sent back, pickled
    through a pipe (so `there` returns plain values). `ready` is called once, when the workers have
    started. Needs `can_fork()`; Ctrl-C ends the workers with the signal or when this process stops."""
    import multiprocessing
    import pickle
    import queue
    import signal

    context = multiprocessing.get_context("fork")
    counter = context.RawValue("q", 0)
    lock = context.Lock()

    def take() -> int | None:
        with lock:
            job = int(counter.value)
            if job >= count:
                return None
            counter.value = job + 1
        return job

    def work(send: Any) -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the worker quietly
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # and so does SIGTERM
        try:
            while (job := take()) is not None:
                send.send_bytes(pickle.dumps((job, True, there(job)), pickle.HIGHEST_PROTOCOL))
        except BaseException as exc:  # noqa: BLE001  # handed to the main process
            send.send_bytes(pickle.dumps((-1, False, exc)))
        send.send_bytes(b"")  # done

    inbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()

    def listen(receive: Any) -> None:  # a thread: the pipe never fills while this process works
        try:
            while message := receive.recv_bytes():
                inbox.put(message)
            inbox.put(b"")
        except (EOFError, OSError):
            inbox.put(None)

    children = []
    for _ in range(workers - 1):
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=work, args=(send,), daemon=True)
        child.start()
        send.close()
        children.append((child, receive))
    for _, receive in children:  # threads only once every worker is forked
        threading.Thread(target=listen, args=(receive,), daemon=True).start()
    running = len(children)

    def arrived(message: bytes | None) -> tuple[int, Any, bool] | None:
        nonlocal running
        if message is None:
            raise RuntimeError("a worker process stopped before it finished (killed, or out of memory)")
        if not message:
            running -= 1
            return None
        job, ok, value = pickle.loads(message)
        if not ok:
            raise value
        return job, value, True

    try:
        if ready is not None:
            ready()
        while (job := take()) is not None:
            yield job, here(job), False
            while True:
                try:
                    message = inbox.get_nowait()
                except queue.Empty:
                    break
                if (result := arrived(message)) is not None:
                    yield result
        while running:
            if (result := arrived(inbox.get())) is not None:
                yield result
    finally:
        _stop(children)
