"""Ctrl-C with worker processes: only the parent acts on it, so an interrupted run says one line and exits 130.

A terminal sends Ctrl-C (SIGINT) to every process of the command. Workers ignore it; the parent stops,
lets its workers end, removes its temporary files and says so (see ``cli``).
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


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
