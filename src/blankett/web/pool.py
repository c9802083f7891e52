"""Forms filled in worker processes, so that the API uses every core (one Python process uses about one).

The workers are started with ``spawn`` (never forked from the threaded server),
ignore Ctrl-C (the server stops them), and each loads the template once. A bad
record comes back as its problems, and is raised in the server as the same
:class:`blankett.RecordError` the library raises.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import blankett

_TEMPLATE: list[blankett.Template] = []


def _start() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _TEMPLATE.append(blankett.Template())


def _ready() -> None:
    """Nothing: submitted once per worker by :meth:`FillPool.start` to have the workers started."""


def _fill(record: Any) -> bytes | list[blankett.Problem] | str:
    """The filled form; or a bad record's problems; or another error's message."""
    try:
        return blankett.fill_docx(record, _TEMPLATE[0])
    except blankett.RecordError as exc:
        return exc.problems
    except blankett.BlankettError as exc:
        return str(exc)


class FillPool:
    """A pool of ``workers`` processes that fill one record each; started on first use."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.workers, multiprocessing.get_context("spawn"),
                                                 initializer=_start)
            return self._pool

    def start(self) -> None:
        """Start every worker now, so that the first form filled does not wait for them (returns at once)."""
        pool = self._executor()
        for _ in range(self.workers):
            pool.submit(_ready)

    def fill_docx(self, record: Any) -> bytes:
        result = self._executor().submit(_fill, record).result()
        if isinstance(result, list):
            raise blankett.RecordError([p.message for p in result], result)
        if isinstance(result, str):
            raise blankett.BlankettError(result)
        return result

    def shutdown(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
