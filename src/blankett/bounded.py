"""The bounded worker-pool loop: tasks handed to a pool in order, results given back in order, with only a few
tasks in flight, so that memory stays flat however long the input is. Used by the batch fill and by extract."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from .interrupt import check

T = TypeVar("T")
R = TypeVar("R")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last one shorter)."""
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def in_order(tasks: Iterable[T], submit: Callable[[T], Callable[[], Iterable[R]]], in_flight: int) -> Iterator[R]:
    """Each task's results, in task order; ``submit`` starts a task and gives what waits for its results.

    At most ``in_flight`` tasks are submitted and not yet taken back. A thread asked to stop
    (:func:`interrupt.stop_thread`) stops between two tasks.
    """
    pending: deque[Callable[[], Iterable[R]]] = deque()
    for task in tasks:
        check()
        pending.append(submit(task))
        if len(pending) >= in_flight:
            yield from pending.popleft()()
    while pending:
        check()
        yield from pending.popleft()()
