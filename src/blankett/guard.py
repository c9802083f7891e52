"""Read untrusted files in a guarded worker process: a ceiling on memory and CPU time for every file.

A returned form comes from outside, and a small file can be made to become big
when read (a 1.4 MB PDF whose object stream inflates to 1.5 GB, a 0.4 MB one of
whitespace that takes a minute to skip). So every file is read in a worker
process whose address space (:data:`MAX_MEMORY`, ``RLIMIT_AS``) and CPU time per
file (:data:`MAX_CPU_SECONDS`, ``RLIMIT_CPU``) are limited, both set by the
worker itself before it reads anything; it writes no core file. A worker that
goes past a limit fails the file or dies, is replaced, and the batch goes on; a
worker whose memory grew past :data:`RECYCLE_RSS` leaves after the file, so the
memory goes back to the system. The caller's process (the web server) never
holds what a file inflates to.

A worker is a plain ``python -m blankett.guard`` (never a fork of a threaded
server, and no re-import of the caller's main script); it speaks one JSON line
per task and per answer, so nothing it sends is unpickled. An idle worker is
kept for the next batch and leaves by itself after :data:`IDLE_SECONDS`. Where
``resource`` is missing (Windows) only the wall clock (:data:`MAX_SECONDS`) holds.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import os
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import IO, Any

from .errors import BlankettError

try:
    import resource
except ImportError:  # Windows: no resource limits, only the wall clock
    resource = None  # type: ignore[assignment]

#: Address space of a worker reading one file. A worker reading our fullest filled form (.docx or PDF) peaks at
#: 65 MB of address space (49 MB resident), Python, lxml and pypdf included; a PDF that inflates to 1.5 GB is
#: stopped here.
MAX_MEMORY = 1024 * 1024 * 1024
#: CPU seconds one file may take. A worker reads our fullest filled form in 0.2 s, its start included; a file that
#: takes 50 times longer is not a form.
MAX_CPU_SECONDS = 10
#: Seconds of wall-clock time one file may take (a loaded machine gives less CPU per second).
MAX_SECONDS = 60
#: A worker whose resident memory reached this leaves after its file, so that the memory is returned.
RECYCLE_RSS = 256 * 1024 * 1024
#: Files read at once in one process's workers, whoever asks (the server's jobs and requests together): at
#: most this many times MAX_MEMORY is ever used for reading.
MAX_READERS = max(2, os.cpu_count() or 2)
#: Seconds an idle worker waits for the next file before it leaves (and its memory with it).
IDLE_SECONDS = 30
#: The words every such failure starts with (the file's message).
UNSAFE = "filen kunde inte läsas säkert"

_READING = threading.BoundedSemaphore(MAX_READERS)
_IDLE: list[Worker] = []
_IDLE_LOCK = threading.Lock()
_POSIX = os.name == "posix"


class LimitError(BlankettError):
    """A file went past a limit while it was read; ``str()`` says which, in Swedish."""


def memory_message(memory: int | None = None) -> str:
    """The message of a file that needs more memory than the limit allows."""
    memory = MAX_MEMORY if memory is None else memory
    return f"{UNSAFE}: den behöver mer än {memory // 2**20} MB minne (gränsen för en fil)"


def cpu_message(cpu: float = MAX_CPU_SECONDS) -> str:
    """The message of a file that takes more CPU time than the limit allows."""
    return f"{UNSAFE}: den tog mer än {cpu:g} s processortid (gränsen för en fil)"


# --- the worker's side -------------------------------------------------------------------------------------


def _limit(memory: int) -> None:
    """The worker's own limits: its address space, and no core file (it holds answers)."""
    if resource is None:
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def _cpu_from_now(cpu: float) -> None:
    """Let the next task use ``cpu`` more seconds of CPU (the limit counts from the worker's start)."""
    if resource is None:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + cpu)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _outgrown() -> bool:
    """True when this worker's resident memory reached :data:`RECYCLE_RSS` (kB on Linux, bytes on macOS)."""
    if resource is None:
        return False
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return peak >= RECYCLE_RSS


def _waiting(stream: IO[bytes], seconds: float) -> bool:
    """True when a task arrives within ``seconds`` (always, where pipes cannot be waited on)."""
    if not _POSIX:
        return True
    ready, _, _ = select.select([stream], [], [], seconds)
    return bool(ready)


def _task(line: bytes) -> tuple[str, Any]:
    """Run one task line: ``{"run": "blankett.module:function", "args": [...]}``; its answer as (kind, value)."""
    task = json.loads(line)
    module, _, name = task["run"].partition(":")
    if not module.startswith("blankett."):
        return "error", "ValueError"
    try:
        if "cwd" in task:
            os.chdir(task["cwd"])
        return "ok", getattr(importlib.import_module(module), name)(*task["args"])
    except MemoryError:
        return "memory", None
    except Exception as exc:  # noqa: BLE001 - named to the parent, never raised here
        return "error", exc.__class__.__name__


def main(memory: int, cpu: float, idle: float) -> None:
    """The worker: one JSON task per line on stdin, one JSON answer per line on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it kills the worker, or closes its pipe
    _limit(memory)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while _waiting(stdin, idle):
        line = stdin.readline()
        if not line:
            return  # the parent is gone, or closed the pipe
        _cpu_from_now(cpu)
        kind, value = _task(line)
        try:
            answer = json.dumps([kind, value], ensure_ascii=False).encode() + b"\n"
        except MemoryError:
            kind, answer = "memory", b'["memory", null]\n'
        stdout.write(answer)
        stdout.flush()
        if kind == "memory" or _outgrown():
            return


# --- the caller's side -------------------------------------------------------------------------------------


class Worker:
    """One worker process, reading one file at a time under the limits."""

    def __init__(self, memory: int, cpu: float) -> None:
        self.memory, self.cpu = memory, cpu
        # the server's key is not the worker's business (it reads files, and answers through its pipe)
        env = {k: v for k, v in os.environ.items() if k != "BLANKETT_TOKEN"} | {"PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(  # -P: the current folder (of returned files, perhaps) is not on sys.path
            [sys.executable, "-P", "-m", "blankett.guard", str(memory), str(cpu), str(IDLE_SECONDS)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def ask(self, run: str, args: list[Any], seconds: float) -> tuple[str, Any] | None:
        """The worker's answer to one task; None when it died; :class:`LimitError` past ``seconds``."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            # the caller's working folder with each task: a kept worker must read a relative path as its caller
            # does now (a program may change folders between two files; the worker started in the first one)
            task = {"run": run, "args": args, "cwd": os.getcwd()}
            self.proc.stdin.write(json.dumps(task).encode() + b"\n")
            self.proc.stdin.flush()
            if not _waiting(self.proc.stdout, seconds):
                self.kill()
                raise LimitError(f"{UNSAFE}: den tog mer än {seconds:g} s att läsa (gränsen för en fil)")
            line = self.proc.stdout.readline()
        except (BrokenPipeError, OSError, ValueError):
            return None
        if not line:
            return None
        kind, value = json.loads(line)
        return kind, value

    def death(self) -> str:
        """Why the worker died, in words."""
        try:
            code = self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        if _POSIX and code in (-24, -9):  # SIGXCPU at the soft CPU limit, SIGKILL at the hard one
            return cpu_message(self.cpu)
        return f"{UNSAFE}: läsningen avbröts (den behövde för mycket minne, eller filen är trasig)"

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()


class Guards:
    """Up to ``count`` guarded workers for one caller; idle ones are kept for the next caller on leaving."""

    def __init__(self, count: int = 1, memory: int | None = None, cpu: float | None = None,
                 seconds: float | None = None) -> None:
        self.count = max(1, count)  # the limits as the module's constants say when made (tests lower them)
        self.memory = MAX_MEMORY if memory is None else memory
        self.cpu = MAX_CPU_SECONDS if cpu is None else cpu
        self.seconds = MAX_SECONDS if seconds is None else seconds
        self._free: list[Worker] = []
        self._mine: set[Worker] = set()  # every worker this caller has used: Ctrl-C kills them all, lent or not
        self._lent = 0
        self._lock = threading.Condition()
        self._stopped = False

    def _take(self) -> Worker | None:
        """An idle worker of the same limits from this caller or the process's idle ones, or None (start one)."""
        with self._lock:
            while not self._free and self._lent >= self.count:
                self._lock.wait()
            self._lent += 1
            if self._free:
                return self._free.pop()
        with _IDLE_LOCK:
            for worker in _IDLE:
                if (worker.memory, worker.cpu) == (self.memory, self.cpu):
                    _IDLE.remove(worker)
                    with self._lock:
                        self._mine.add(worker)
                    return worker
        return None

    def _give(self, worker: Worker | None) -> None:
        with self._lock:
            self._lent -= 1
            if worker is not None and not self._stopped:
                self._free.append(worker)
                worker = None
            self._lock.notify()
        if worker is not None:
            _keep(worker)

    @contextlib.contextmanager
    def _worker(self) -> Iterator[list[Worker | None]]:
        held: list[Worker | None] = [self._take()]
        try:
            yield held
        finally:
            self._give(held[0])

    def run(self, run: str, *args: Any) -> Any:
        """``run(*args)`` (``"blankett.module:function"``, JSON in and out) in a guarded worker.

        :class:`LimitError` when the file went past a limit (that worker is gone; the next file gets a new one).
        """
        with self._worker() as held, _READING:
            worker, kind, value = self._answer(held, run, list(args))
            if kind == "memory":
                held[0] = None
                worker.death()
                raise LimitError(memory_message(self.memory))
            if kind == "error":
                raise BlankettError(f"filen kan inte läsas (oväntat fel: {value})")
            if not worker.alive():  # it left after the file, having grown: not lent again
                held[0] = None
                worker.death()
            return value

    def _answer(self, held: list[Worker | None], run: str, args: list[Any]) -> tuple[Worker, str, Any]:
        """The worker that answered and its answer; a worker that died is replaced and the file failed."""
        for attempt in range(2):
            worker = held[0]
            if worker is None or not worker.alive():
                worker = held[0] = Worker(self.memory, self.cpu)
                with self._lock:
                    self._mine.add(worker)
            try:
                answer = worker.ask(run, args, self.seconds)
            except BaseException:
                held[0] = None  # timed out (killed), or Ctrl-C: never reused
                worker.kill()
                raise
            if answer is not None:
                return worker, answer[0], answer[1]
            held[0] = None
            why = worker.death()
            if worker.proc.returncode != 0 or attempt:
                raise LimitError(why)
            # it had just left, idle, so the file was never read: once more with a new one
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Give the idle workers back for the next caller (Ctrl-C: kill them, they may be deep in a file)."""
        with self._lock:
            self._stopped = True
            free, self._free = self._free, []
        for worker in free:
            _keep(worker)

    def kill(self) -> None:
        """End every worker of this caller now, those reading too (their callers get a ``LimitError`` at once)."""
        with self._lock:
            self._stopped = True
            mine, self._free = list(self._mine), []
        for worker in mine:
            worker.kill()

    def __enter__(self) -> Guards:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is None:
            self.stop()
        else:
            self.kill()


def _keep(worker: Worker) -> None:
    """Keep an idle worker for the next caller (it leaves by itself after IDLE_SECONDS), up to MAX_READERS."""
    if not worker.alive():
        worker.kill()
        return
    with _IDLE_LOCK:
        _IDLE[:] = [w for w in _IDLE if w.alive()]
        if len(_IDLE) < MAX_READERS:
            _IDLE.append(worker)
            return
    worker.kill()


def stop_idle() -> None:
    """End every idle worker now (the server's shutdown)."""
    with _IDLE_LOCK:
        idle, _IDLE[:] = list(_IDLE), []
    for worker in idle:
        worker.kill()


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]))
