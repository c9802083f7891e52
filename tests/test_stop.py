"""A server that has run jobs stops at once: its idle job threads end when told, not when the wait for them ends.

Before, stopping dropped the waiting jobs by emptying the queue after it had put each thread's end-marker there,
so an idle job thread waited on until ``STOP_SECONDS`` (10 s) had passed: every ``blankett serve`` that had run
one job took ten seconds to stop on Ctrl-C, in service and in every test that started one.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import httpx2 as httpx
import pytest

import blankett
from blankett.web.app import STOP_SECONDS
from blankett.web.jobs import Job, Jobs

TOKEN = "stoppnyckel"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_jobs_that_ran_a_job_stop_their_idle_threads_at_once(tmp_path):
    jobs = Jobs()
    job = jobs.start(Job("extract"), lambda job: None, tempfile.TemporaryDirectory(dir=tmp_path))
    deadline = time.monotonic() + 30
    while job.state != "klar" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert job.state == "klar"
    started = time.monotonic()
    jobs.shutdown(timeout=STOP_SECONDS)
    assert time.monotonic() - started < 2  # was STOP_SECONDS
    assert jobs.join(0)


def test_blankett_serve_that_read_a_form_stops_on_ctrl_c_within_seconds(tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "BLANKETT_TOKEN": TOKEN, "BLANKETT_FILL_WORKERS": "0",
           "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        base = re.match(r"Öppna (http://[^/]+)/", proc.stdout.readline()).group(1)
        r = httpx.post(base + "/las-in", files={"filer": ("a.docx", blankett.fill_docx({"utsatt": "Anna"}))},
                       headers=AUTH | {"Accept": "application/json"}, timeout=60)
        assert r.status_code == 202, r.text
        deadline = time.monotonic() + 60
        while not httpx.get(f"{base}/api/jobb/{r.json()['id']}", headers=AUTH, timeout=60).json()["finished"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert time.monotonic() - started < 5, err  # took 10-14 s
        assert proc.returncode == 0 and "Servern har stoppats." in err and "Traceback" not in err
    finally:
        proc.kill()
        proc.wait()


def test_a_thread_that_never_ends_cannot_keep_a_stopped_server_process_alive(tmp_path):
    """After a fill worker was killed, a process pool's manager thread can hang, and Python's exit waits for it:
    a ``blankett serve`` that had stopped and cleaned up everything never ended after SIGTERM (CI, 60 s, then
    SIGKILL). ``blankett serve`` ends its process ``EXIT_SECONDS`` after everything is stopped, whatever thread
    is left; here a real process with such a thread, which without it waits for ever."""
    script = ("import threading, blankett.web as web\n"
              "threading.Thread(target=threading.Event().wait).start()  # never ends, as the hung pool's\n"
              "web.end_process_soon(1)\n"
              "print('stoppad', flush=True)\n")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout, done.stderr) == (0, "stoppad\n", "")
    assert time.monotonic() - started < 10
    hung = subprocess.Popen([sys.executable, "-c", script.replace("web.end_process_soon(1)\n", "")],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert hung.stdout.readline() == "stoppad\n"
        with pytest.raises(subprocess.TimeoutExpired):  # what the server did before: no end
            hung.wait(3)
    finally:
        hung.kill()
        hung.wait()


@pytest.mark.parametrize("delay", [0.0, 0.002, 0.005, 0.01, 0.02, 0.05])
def test_a_stop_signal_just_after_the_link_is_printed_stops_without_a_traceback(tmp_path, delay):
    """SIGINT right after the login link, while uvicorn builds its event loop: it used to raise KeyboardInterrupt
    inside ``asyncio.run``, and the half-made loop's ``__del__`` printed a traceback at exit (seen in a
    new user's run of the suite)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "BLANKETT_TOKEN": TOKEN, "BLANKETT_FILL_WORKERS": "0",
           "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().startswith("Öppna ")
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "Servern har stoppats." in err, err
        assert "Traceback" not in err and "never awaited" not in err and "Exception ignored" not in err, err
    finally:
        proc.kill()
        proc.wait()
