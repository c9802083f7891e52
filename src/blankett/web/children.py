"""The server's child processes, as the system lists them: to stop the LibreOffice starts of running jobs.

The library starts LibreOffice in its own process group (so that Ctrl-C and a
kill reach it whole) and stops it on Ctrl-C; but a job thread waiting for
LibreOffice only notices that it should stop once LibreOffice has ended. So the
server, stopping, kills every process group that one of its children leads.
The fill workers and multiprocessing's resource tracker share the server's own
group and are never touched here; the pool stops them.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

PROC = Path("/proc")


def children(parent: int | None = None) -> list[tuple[int, int]]:
    """``(pid, process group)`` of every living child of ``parent`` (this process); [] where there is no /proc."""
    parent = os.getpid() if parent is None else parent
    found = []
    try:
        entries = [e for e in os.scandir(PROC) if e.name.isdigit()]
    except OSError:
        return []
    for entry in entries:
        try:
            stat = (PROC / entry.name / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) ": state ppid pgrp session …
        if int(fields[1]) == parent and fields[0] != "Z":
            found.append((int(entry.name), int(fields[2])))
    return found


def stop_own_groups() -> int:
    """SIGKILL every process group led by a child of this process (LibreOffice and what it started); how many."""
    if not hasattr(os, "killpg"):
        return 0
    killed = 0
    for pid, group in children():
        if pid == group and group != os.getpgrp():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
                killed += 1
    return killed
