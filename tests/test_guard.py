"""guard: the owner of the reading workers ends each one on every way out, keeps no more idle than allowed, holds
a caller to its count of workers, and lowers no limit it was given; real worker processes throughout."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from blankett import guard

EXAMPLES = Path(__file__).parents[1] / "data" / "exempel.json"


def _answered(worker: guard.Worker) -> None:
    """Wait until the worker is up: it answers one task (a light one: no reader imported)."""
    worker.send(guard.task_line("blankett.guard:cpu_message", [3]))
    assert worker.receive(60) == ("ok", guard.cpu_message(3))


def test_kill_ends_a_process_that_ignores_sigterm_with_sigkill_and_closes_its_pipe():
    """A worker whose SIGTERM is caught or ignored (a measuring tool's handler that hangs) still ends."""
    worker = guard.Worker.__new__(guard.Worker)
    worker.proc = subprocess.Popen(  # stdin None: a pipe the owner did not open is not closed
        [sys.executable, "-c", "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                               "print('redo', flush=True)\ntime.sleep(60)\n"], stdout=subprocess.PIPE)
    assert worker.proc.stdout is not None and worker.proc.stdout.readline() == b"redo\n"
    done = threading.Thread(target=worker.kill, daemon=True)
    begun = time.monotonic()
    done.start()
    done.join(10)
    assert not done.is_alive() and worker.proc.returncode == -9
    assert guard.KILL_SECONDS <= time.monotonic() - begun < 10
    assert worker.proc.stdout.closed


def test_a_killed_worker_answers_none_and_its_death_is_told_in_swedish():
    worker = guard.Worker(guard.MAX_MEMORY, guard.MAX_CPU_SECONDS)
    _answered(worker)
    worker.kill()
    assert worker.receive(5) is None  # its pipe is closed: no answer, no exception
    assert worker.death() == f"{guard.UNSAFE}: läsningen avbröts (den behövde för mycket minne, eller filen är trasig)"


def test_a_caller_at_its_count_of_workers_waits_for_one_instead_of_starting_another():
    """Guards(count=1) with its worker lent: a second reading waits, starts none, and reads once it is given back."""
    guards = guard.Guards(count=1)
    answers: list[int] = []
    with guards._worker() as held:  # an idle worker of this process, if there is one, or none (one started later)
        lent = set(guards._mine)
        reader = threading.Thread(target=lambda: answers.append(guards.run("blankett._api:count_records",
                                                                           str(EXAMPLES))), daemon=True)
        reader.start()
        time.sleep(0.5)
        assert reader.is_alive() and guards._mine == lent  # waiting, and no worker started for it
    reader.join(60)
    try:
        assert answers == [2] and len(guards._mine) == 1 and (held[0] is None or guards._mine == lent)
    finally:
        guards.kill()


def test_idle_workers_are_kept_up_to_max_readers_the_rest_end_in_good_order(monkeypatch):
    """The process keeps MAX_READERS idle workers for the next caller; another one given back leaves as it leaves
    on its own (exit 0: a measuring tool's data written), and one that already left is only cleaned up."""
    guard.stop_idle()
    monkeypatch.setattr(guard, "MAX_READERS", 1)
    kept, extra, gone = (guard.Worker(guard.MAX_MEMORY, guard.MAX_CPU_SECONDS) for _ in range(3))
    try:
        for worker in (kept, extra, gone):
            _answered(worker)
        assert gone.proc.stdin is not None
        gone.proc.stdin.close()  # it leaves its loop by itself (as after IDLE_SECONDS)
        assert gone.proc.wait(30) == 0
        guard._keep(gone)  # room for it, but it is gone: cleaned up, never lent again
        assert guard._IDLE == [] and gone.proc.stdout is not None and gone.proc.stdout.closed
        guard._keep(kept)
        guard._keep(extra)
        assert guard._IDLE == [kept]
        assert extra.proc.returncode == 0 and extra.proc.stdout is not None and extra.proc.stdout.closed
    finally:
        guard.stop_idle()
        for worker in (kept, extra, gone):
            worker.kill()
    assert kept.proc.returncode == 0 and guard._IDLE == []


@pytest.mark.parametrize("factor", [1, 2])
def test_a_worker_keeps_a_lower_hard_memory_limit_it_was_started_under(factor):
    """Started under ``ulimit -v`` (a hard limit at or below MAX_MEMORY): that limit stays, and the worker reads
    on instead of failing to raise it (raising a hard limit is refused to an unprivileged process)."""
    given = 512 * 2**20
    script = ("import resource\nfrom blankett import guard\n"
              f"resource.setrlimit(resource.RLIMIT_AS, ({given}, {given}))\n"
              f"guard._limit({given * factor})\n"
              "print(*resource.getrlimit(resource.RLIMIT_AS), *resource.getrlimit(resource.RLIMIT_CORE))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(given), str(given), "0", "0"]
    assert resource.RLIM_INFINITY not in (given, given * factor)


def test_a_task_sent_to_a_worker_that_was_leaving_is_read_by_a_new_one():
    """A kept worker that leaves in good order (idle too long) just as a task is written to it has read nothing:
    the task goes once more to a new worker, and its answer is the caller's, not a failure. The worker is held
    (SIGSTOP) between 'alive' and 'left' so that the task meets it exactly then."""
    with guard.Guards() as guards:
        assert guards.run("blankett.guard:cpu_message", 3) == guard.cpu_message(3)
        (leaving,) = guards._free
        os.kill(leaving.proc.pid, signal.SIGSTOP)
        assert leaving.proc.stdin is not None
        leaving.proc.stdin.close()  # as after IDLE_SECONDS: it leaves its loop once it runs again
        threading.Timer(0.3, os.kill, (leaving.proc.pid, signal.SIGCONT)).start()
        assert guards.run("blankett.guard:cpu_message", 4) == guard.cpu_message(4)
        assert leaving.proc.returncode == 0 and len(guards._mine) == 2



def test_a_reading_dropped_after_its_last_result_keeps_its_worker_and_one_stopped_early_ends_it(tmp_path):
    """Every result taken, then the reading dropped without its StopIteration (as the web page's extract does, and
    any caller of ``next``): the worker waits idle for the next call. Before, it was killed as on Ctrl-C, and every
    upload waited for a new one (a quarter of a second). Stopped before its last result, the reading ends it."""
    import blankett

    guard.stop_idle()
    form = tmp_path / "Bilaga5.docx"
    form.write_bytes(blankett.fill_docx({"handelse": "Ett hot"}))
    reading = blankett.extract_files([form])
    assert next(reading).status == "ok"
    reading.close()
    (kept,) = guard._IDLE
    for _ in range(2):  # the same worker each time: none started anew
        reading = blankett.extract_files([form])
        assert next(reading).record["handelse"] == "Ett hot"
        del reading
        assert guard._IDLE == [kept] and kept.alive()
    reading = blankett.extract_files([form, form])
    next(reading)
    reading.close()  # one result of two: stopped early
    assert guard._IDLE == []
    deadline = time.monotonic() + 10
    while kept.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not kept.alive()
