"""A process-wide setting our calls need changed (a library's logger, the csv module's cell limit), changed while
any of them runs and given back to the host program after the last one.

Calls overlap in a server's threads: each putting back what it saw when it began would leave the change in place
for good when two overlap (the second to end puts back the first's change). So the first saves the host's
setting, every call makes its change, and the last puts the saved setting back.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Held(Generic[T]):
    """One setting: ``read`` gives it, ``write`` puts it back."""

    def __init__(self, read: Callable[[], T], write: Callable[[T], object]) -> None:
        self.read, self.write = read, write
        self.lock = threading.Lock()
        self.depth = 0
        self.saved: T | None = None

    @contextlib.contextmanager
    def changed(self, change: Callable[[], object]) -> Iterator[None]:
        """The setting changed by ``change`` while the block runs; the host's own back after the last block."""
        with self.lock:
            first = self.depth == 0
            if first:
                self.saved = self.read()
            try:
                change()
            except BaseException:  # counted only once made: a failed first change puts the host's back at once
                if first:
                    self.write(self.saved)  # type: ignore[arg-type]  # read just above
                    self.saved = None
                raise
            self.depth += 1
        try:
            yield
        finally:
            with self.lock:
                self.depth -= 1
                if self.depth == 0:
                    self.write(self.saved)  # type: ignore[arg-type]  # set by the first block, which ran read
                    self.saved = None
