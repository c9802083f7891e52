"""Ctrl-C with worker processes: only the parent acts on it, so an interrupted run says one line and exits 130.

A terminal sends Ctrl-C (SIGINT) to every process of the command. Workers ignore it; the parent stops,
lets its workers end, removes its temporary files and says so (see ``cli``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

# Threads asked to stop (by their ident): a server's job threads, stopped with the server.
_STOPPING: set[int] = set()
_LOCK = threading.Lock()


@contextlib.contextmanager
def quiet_workers() -> Iterator[None]:
    """Hold Ctrl-C back while worker processes (or threads) start, so that none is hit before it ignores it.

    A worker inherits the blocked signal and, in :func:`ignore_interrupts`, ignores it before unblocking;
    a thread keeps it blocked, so the signal goes to the main thread. A Ctrl-C that came meanwhile reaches
    the main thread once the block ends.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C goes to the whole process group, but only the parent acts on it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def stop_thread(ident: int) -> None:
    """Ask the thread ``ident`` to stop as Ctrl-C stops a command: at its next step it raises KeyboardInterrupt.

    A step is a form filled, a file read or a LibreOffice start ended (see :func:`check`); what the thread
    waits for (LibreOffice, a reading worker) is ended by its owner. Not an exception raised into the thread
    from outside (``PyThreadState_SetAsyncExc``): while such an exception waits for a thread blocked on a lock,
    Python 3.11 under a tracer (coverage.py, a debugger) all but stops every other thread (a server's stop hung
    past 100 s with the tests' coverage).
    """
    with _LOCK:
        _STOPPING.add(ident)


def forget(ident: int) -> None:
    """The thread ``ident`` has ended its work (or starts new work): no stop is pending for it."""
    with _LOCK:
        _STOPPING.discard(ident)


def check() -> None:
    """Raise KeyboardInterrupt in a thread asked to stop (:func:`stop_thread`); between two steps of the library."""
    if _STOPPING and threading.get_ident() in _STOPPING:
        raise KeyboardInterrupt
