"""The server's private temporary folder: one per server process, owner-only, removed on every stop.

Everything the server writes (uploads, filled forms, LibreOffice's profiles,
Starlette's spooled uploads) goes under one folder ``blankett-serve-*`` in the
system's temporary folder (mode 0700), which holds a lock (``fcntl.flock``) for
as long as the server runs. A stop removes the folder. A crash (SIGKILL, power
loss) cannot, so each start removes what a dead server left: only folders named
as ours that are real folders (not symbolic links), owned by this user, mode 0700,
whose lock nobody holds. Anything else, another program's or another user's, is
left alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, so no sweep (a folder there may belong to a running server)
    fcntl = None  # type: ignore[assignment]

PREFIX = "blankett-serve-"
LOCK = ".lock"
#: A folder of ours without its lock file may be a server starting this very moment (between creating the
#: folder and its lock); it is removed only once it is older than this.
STARTING_SECONDS = 60.0


class PrivateRoot:
    """One server's private temporary folder and its lock; :meth:`close` removes both."""

    def __init__(self, parent: str | Path | None = None) -> None:
        parent = Path(parent or tempfile.gettempdir())
        self.swept = sweep(parent)
        self.path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))  # 0700, a new name: never an existing folder
        self._lock: int | None = None
        if fcntl is not None:  # pragma: no branch - None on Windows only; the tests run on Linux
            self._lock = os.open(self.path / LOCK, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def close(self) -> None:
        """Remove the folder with everything in it, then let go of the lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def sweep(parent: Path) -> int:
    """Remove the private folders that dead servers of this user left in ``parent``; how many were removed."""
    if fcntl is None:  # pragma: no cover - Windows only; the tests run on Linux
        return 0
    removed = 0
    try:
        entries = [e for e in os.scandir(parent) if e.name.startswith(PREFIX)]
    except OSError:
        return 0
    for entry in entries:
        with contextlib.suppress(OSError):
            removed += _remove_if_dead(Path(entry.path))
    return removed


def _ours(info: os.stat_result) -> bool:
    """A real folder (lstat: a symbolic link is not), owned by this user, that only this user can enter."""
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and stat.S_IMODE(info.st_mode) == 0o700)


def _remove_if_dead(folder: Path) -> int:
    """1 after removing ``folder`` if it is ours and its server is gone; else 0, and nothing touched."""
    assert fcntl is not None
    if not _ours(os.lstat(folder)):
        return 0
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        opened = os.fstat(fd)
        if not _ours(opened):  # swapped between lstat and open
            return 0
        try:
            lock = os.open(LOCK, os.O_RDWR | os.O_NOFOLLOW, dir_fd=fd)
        except FileNotFoundError:
            if time.time() - opened.st_mtime < STARTING_SECONDS:
                return 0
            shutil.rmtree(folder)
            return 1
        try:
            held = os.fstat(lock)
            if not stat.S_ISREG(held.st_mode) or held.st_uid != os.getuid():
                return 0
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # a running server holds it
                return 0
            stop_office_in(folder)
            shutil.rmtree(folder)  # never follows a symbolic link inside (see shutil.rmtree.avoids_symlink_attacks)
            return 1
        finally:
            os.close(lock)
    finally:
        os.close(fd)


def stop_office_in(folder: Path) -> None:
    """Kill every LibreOffice converting with its profile inside ``folder`` (a server's private folder).

    At a stop: a job waiting for LibreOffice notices that it should stop only once LibreOffice has ended.
    At the next start after a crash: the server that kept LibreOffice's time limit is gone, and LibreOffice
    would convert on and write into the folder being removed. Only processes of this user whose command line
    names a profile in this (unguessable) folder, so never another program, nor a browser ``--open`` started.
    """
    if not hasattr(os, "killpg"):  # pragma: no cover - Windows only; the tests run on Linux
        return
    profile = f"-env:UserInstallation={folder.as_uri()}/"
    for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()) if os.path.isdir("/proc") else ():
        with contextlib.suppress(OSError):
            if os.stat(f"/proc/{pid}").st_uid != os.getuid():
                continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if not any(arg.decode(errors="replace").startswith(profile) for arg in f.read().split(b"\0")):
                    continue
            group = os.getpgid(pid)
            if group == os.getpgrp():  # never our own group (LibreOffice is started in a group of its own)
                os.kill(pid, signal.SIGKILL)
            else:
                os.killpg(group, signal.SIGKILL)
