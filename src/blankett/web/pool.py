"""Forms filled in worker processes, so that the API uses every core (one Python process uses about one).

The workers are started with ``spawn`` (never forked from the threaded server),
ignore Ctrl-C and SIGHUP (the server stops them), end on their own when
the server is gone (even after a SIGKILL), and each loads the template once. A bad
record comes back as its problems, and is raised in the server as the same
:class:`blankett.RecordError` the library raises. A worker that dies (killed, out
of memory) breaks the whole pool; the pool is then replaced by a new one and the
request tried once more, so one dead worker costs at most one request, never the
service.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import blankett

_TEMPLATE: list[blankett.Template] = []


#: Seconds one form may take in a worker (with a new pool's start) before the pool counts as broken.
FILL_SECONDS = 30.0
#: Seconds between a worker's looks at whether the server that started it is still there.
PARENT_CHECK_SECONDS = 1.0


class WorkerLost(blankett.BlankettError):
    """A fill worker died while it filled the form (twice): the server answers 503, the next try works."""


LOST = ("Blanketten kunde inte fyllas i: processen som fyllde den avbröts oväntat på servern "
        "(till exempel slut på minne). Försök igen.")
STOPPED = "Blanketten kunde inte fyllas i: servern stängs just nu. Försök igen när den har startats på nytt."


def _start(server: int) -> None:
    # Ctrl-C reaches every process of the terminal, SIGHUP every process of a closed one: the server stops us.
    # Not SIGTERM: the executor ends a broken pool's workers with it (the README's unit sends it to the server only).
    for name in ("SIGINT", "SIGHUP"):
        if hasattr(signal, name):  # pragma: no branch - SIGHUP is missing on Windows only; the tests run on Linux
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    if hasattr(os, "getppid"):  # pragma: no branch - missing on Windows only; the tests run on Linux
        # the server's pid comes from the server: a worker still starting when the server is killed is already
        # the child of another process, and would otherwise watch that one
        threading.Thread(target=_watch_parent, args=(server,), daemon=True).start()
    _TEMPLATE.append(blankett.Template())


def _watch_parent(parent: int) -> None:
    """End this worker once the server is gone (killed with SIGKILL, it could not stop us)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)  # pragma: no cover - os._exit writes no coverage data (test_serve_process sees the worker end)


def _ready() -> None:
    """Nothing: submitted once per worker by :meth:`FillPool.start` to have the workers started."""


def _fill(record: Any, kind: str = "docx") -> bytes | list[blankett.Problem] | str:
    """The filled form (.docx, or the shipped blank PDF filled); or a bad record's problems; or another error's
    message."""
    try:
        if kind == "pdf":
            return blankett.fill_pdf(record, template=_TEMPLATE[0])
        return blankett.fill_docx(record, _TEMPLATE[0])
    except blankett.RecordError as exc:
        return exc.problems
    except blankett.BlankettError as exc:
        return str(exc)


def _kill(pool: ProcessPoolExecutor) -> None:
    """SIGKILL a pool's workers (the executor keeps them in ``_processes``; absent, nothing is done)."""
    processes: dict[int, multiprocessing.process.BaseProcess] = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(ValueError, OSError):  # ended, or closed by the executor meanwhile
            process.kill()


class FillPool:
    """A pool of ``workers`` processes that fill one record each; started on first use."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise WorkerLost(STOPPED)
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.workers, multiprocessing.get_context("spawn"),
                                                 initializer=_start, initargs=(os.getpid(),))
            return self._pool

    def start(self) -> None:
        """Start every worker now, so that the first form filled does not wait for them (returns at once)."""
        pool = self._executor()
        for _ in range(self.workers):
            pool.submit(_ready)

    def fill(self, record: Any, kind: str) -> bytes:
        """The filled form (``docx`` or ``pdf``), from a worker; tried once more on a new pool if a worker died."""
        for _ in range(2):
            pool = self._executor()
            try:
                future = pool.submit(_fill, record, kind)
            except RuntimeError:  # broken, or shut down by another request that replaced it just now
                self._replace(pool)
                continue
            try:
                result = future.result(FILL_SECONDS)
            except (BrokenProcessPool, TimeoutError):  # a hung pool (rare, seen after a kill) is replaced too
                self._replace(pool)
                continue
            except CancelledError:  # the server stops: shutdown() cancelled the fills not begun
                raise WorkerLost(STOPPED) from None
            break
        else:
            raise WorkerLost(LOST)
        if isinstance(result, list):
            raise blankett.RecordError([p.message for p in result], result)
        if isinstance(result, str):
            raise blankett.BlankettError(result)
        return result

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """Drop a broken pool (once, whichever request saw it first); the next fill starts a new one."""
        with self._lock:
            if self._pool is not broken:
                return
            self._pool = None
        _kill(broken)  # the executor stops them too, but a hung one would not, and would hold up the exit
        broken.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        """Stop every worker (waiting for the forms they are filling); fills from now on raise :class:`WorkerLost`."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
