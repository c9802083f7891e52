"""web.private: the LibreOffice a dead server left is stopped, and only that one: never another user's process,
nor one of ours working with another profile; the folder's owner lets go of it once, whatever asks twice."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from blankett.web import private


def _sleeper(*args: str, **popen: object) -> subprocess.Popen:
    """A process that sleeps with ``args`` on its command line (where LibreOffice has its profile)."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen)  # type: ignore[call-overload]


def _ended(proc: subprocess.Popen, seconds: float = 10) -> int | None:
    try:
        return proc.wait(seconds)
    except subprocess.TimeoutExpired:
        return None


def test_stop_office_in_kills_this_users_processes_with_that_profile_and_no_other(tmp_path, monkeypatch):
    folder = tmp_path / f"{private.PREFIX}dod"
    folder.mkdir(mode=0o700)
    profile = f"-env:UserInstallation={folder.as_uri()}/"
    own_group = _sleeper(profile + "lo", start_new_session=True)  # as LibreOffice runs: a group of its own
    same_group = _sleeper(profile + "lo")  # started in the caller's group: that process alone is killed
    other_profile = _sleeper(f"-env:UserInstallation={(tmp_path / 'annan').as_uri()}/lo", start_new_session=True)
    everyone = (own_group, same_group, other_profile)
    for proc in everyone:
        while not Path(f"/proc/{proc.pid}/cmdline").read_bytes().endswith(b"lo\0"):  # exec'd: its own command line
            time.sleep(0.01)
    try:
        with monkeypatch.context() as as_another_user:  # the same processes seen by another user: none are theirs
            as_another_user.setattr(os, "getuid", lambda: os.geteuid() + 1)
            private.stop_office_in(folder)
        assert all(_ended(proc, 0.3) is None for proc in everyone)
        private.stop_office_in(folder)
        assert _ended(own_group) == _ended(same_group) == -9
        assert _ended(other_profile, 0.5) is None
    finally:
        for proc in everyone:
            proc.kill()
            proc.wait()


def test_a_missing_temporary_folder_is_swept_of_nothing(tmp_path):
    assert private.sweep(tmp_path / "finns-inte") == 0


def test_closing_twice_removes_the_folder_and_lets_go_of_the_lock_once(tmp_path):
    root = private.PrivateRoot(tmp_path)
    (root.path / "svar.txt").write_text("hemligt")
    root.close()
    root.close()  # a second stop (a signal during the first) finds nothing left to do
    assert not root.path.exists() and root._lock is None
    again = private.PrivateRoot(tmp_path)  # the lock is free: a new server starts, and sweeps nothing of its own
    try:
        assert again.swept == 0 and again.path.is_dir()
    finally:
        again.close()
