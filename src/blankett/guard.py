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

A batch of files (:meth:`Guards.run_each`) is pipelined: the next tasks wait in the
worker's pipe (:data:`AHEAD_BYTES`) while it reads one, so it never idles waiting
for the caller, who takes the answers back in order. The limits stay per file;
a file that kills its worker fails alone, and the tasks written after it go to a
new worker.
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
import time
from collections.abc import Iterator, Sequence
from typing import IO, Any

from .errors import BlankettError

try:
    import resource
except ImportError:  # pragma: no cover - Windows only (no resource module): no limits, only the wall clock
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
#: Seconds an idle worker has to leave once told to (its pipe closed) before it is killed.
END_SECONDS = 2.0
#: Seconds between the SIGTERM that ends a worker and the SIGKILL that ends one still there.
KILL_SECONDS = 0.5
#: Bytes of task lines written to a worker ahead of its answers (a pipelined batch). Far below the smallest pipe
#: buffer (16 kB on macOS, 64 kB on Linux), so writing a task never blocks while the worker waits to write an
#: answer; a form's task is about 200 bytes, so some 80 files wait in the pipe.
AHEAD_BYTES = 16 * 1024
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
    if resource is None:  # pragma: no cover - Windows only; the tests run on Linux
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def _cpu_from_now(cpu: float) -> None:
    """Let the next task use ``cpu`` more seconds of CPU (the limit counts from the worker's start)."""
    if resource is None:  # pragma: no cover - Windows only; the tests run on Linux
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + cpu)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _outgrown() -> bool:
    """True when this worker's resident memory reached :data:`RECYCLE_RSS` (kB on Linux, bytes on macOS)."""
    if resource is None:  # pragma: no cover - Windows only; the tests run on Linux
        return False
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return peak >= RECYCLE_RSS and _own_peak(peak) >= RECYCLE_RSS


def _own_peak(peak: int) -> int:
    """This process's own peak resident memory in bytes. Linux's ``ru_maxrss`` keeps the peak of the process that
    started the worker (it survives exec): a worker of a big caller (a long-running server, a test run) would
    leave after every file. ``VmHWM`` is the worker's own; ``peak`` where it cannot be read."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):  # pragma: no cover - no /proc (macOS); the tests run on Linux
        pass
    return peak


def _waiting(stream: IO[bytes] | int, seconds: float) -> bool:
    """True when a task arrives within ``seconds`` (always, where pipes cannot be waited on)."""
    if not _POSIX:  # pragma: no cover - Windows only; the tests run on Linux
        return True
    ready, _, _ = select.select([stream], [], [], max(0.0, seconds))
    return bool(ready)


class Lines:
    """Lines read from a pipe, each waited for at most so long.

    Not a buffered file's ``readline``: it reads ahead, and a line it already holds
    is invisible to ``select`` on the pipe, which would then wait for the next one
    (in a pipelined batch the worker's next task, and the caller's next answer,
    are often read ahead).
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream  # its descriptor asked for each time: ValueError once it is closed (a killed worker)
        self.buffer = bytearray()
        self.searched = 0  # bytes of the buffer known to hold no newline

    def next(self, seconds: float) -> bytes | None:
        """The next line (newline included); None when the pipe closed; :class:`TimeoutError` past ``seconds``."""
        deadline = time.monotonic() + seconds
        while (end := self.buffer.find(b"\n", self.searched)) < 0:
            self.searched = len(self.buffer)
            if not _waiting(self.stream.fileno(), deadline - time.monotonic()):
                raise TimeoutError
            data = os.read(self.stream.fileno(), 1 << 16)
            if not data:
                return None
            self.buffer += data
        line = bytes(self.buffer[:end + 1])
        del self.buffer[:end + 1]
        self.searched = 0
        return line


def _task(line: bytes) -> tuple[str, Any]:
    """Run one task line: ``{"run": "blankett.module:function", "args": [...]}``; its answer as (kind, value)."""
    task = json.loads(line)
    module, _, name = task["run"].partition(":")
    if not module.startswith("blankett."):
        return "error", "ValueError"
    try:
        os.chdir(task["cwd"])  # every task line has it (task_line, the only maker of tasks)
        return "ok", getattr(importlib.import_module(module), name)(*task["args"])
    except MemoryError:
        return "memory", None
    except Exception as exc:  # noqa: BLE001 - named to the parent, never raised here
        return "error", exc.__class__.__name__


def main(memory: int, cpu: float, idle: float) -> None:
    """The worker: one JSON task per line on stdin, one JSON answer per line on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it kills the worker, or closes its pipe
    _limit(memory)
    tasks, stdout = Lines(sys.stdin.buffer), sys.stdout.buffer
    while True:
        try:
            line = tasks.next(idle)
        except TimeoutError:
            return  # idle too long: leave, and the memory with it
        if not line:
            return  # the parent is gone, or closed the pipe
        _cpu_from_now(cpu)
        kind, value = _task(line)
        try:
            # a file name with bytes that are not UTF-8 is a lone surrogate in Python's text; json.loads(bytes) on the
            # caller's side reads it back ("surrogatepass"), where a plain encode() raised and killed the worker
            answer = json.dumps([kind, value], ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n"
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
        assert self.proc.stdout is not None
        self.answers = Lines(self.proc.stdout)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def send(self, line: bytes) -> None:
        """Write one task line (a worker that died meanwhile is found by :meth:`receive`)."""
        assert self.proc.stdin is not None
        with contextlib.suppress(OSError, ValueError):
            self.proc.stdin.write(line)
            self.proc.stdin.flush()

    def receive(self, seconds: float) -> tuple[str, Any] | None:
        """The answer to the oldest task not yet answered; None when the worker died; :class:`LimitError` (the
        worker killed) when it took more than ``seconds``."""
        try:
            line = self.answers.next(seconds)
        except TimeoutError:
            self.kill()
            raise LimitError(f"{UNSAFE}: den tog mer än {seconds:g} s att läsa (gränsen för en fil)") from None
        except (OSError, ValueError):
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
        """End the worker now, whatever it does: SIGTERM (which ends it at once: it installs no handler), SIGKILL
        after :data:`KILL_SECONDS` if it is still there (a measuring tool's handler may run first: the test run's
        coverage saves its data on SIGTERM, which a SIGKILL lost, with every file a reused worker had read)."""
        with contextlib.suppress(OSError):
            self.proc.terminate()
        try:
            self.proc.wait(KILL_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()


def task_line(run: str, args: Sequence[Any]) -> bytes:
    """A task as the worker reads it: one JSON line."""
    # the caller's working folder with each task: a kept worker must read a relative path as its caller does now
    # (a program may change folders between two files; the worker started in the first one)
    return json.dumps({"run": run, "args": list(args), "cwd": os.getcwd()}).encode() + b"\n"


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
        (outcome,) = self.run_each(run, [args])
        if isinstance(outcome, BlankettError):
            raise outcome
        return outcome

    def run_each(self, run: str, tasks: Sequence[Sequence[Any]]) -> list[Any]:
        """``run(*args)`` for each task's ``args``, pipelined through one guarded worker; the answers in order.

        A task that failed gives its error as its answer: :class:`LimitError` past a limit (a worker that died
        is replaced and the tasks after it go on in the new one), :class:`BlankettError` for an error.
        """
        lines = [task_line(run, args) for args in tasks]
        answers: list[Any] = [None] * len(lines)
        with self._worker() as held, _READING:
            first, bounced = 0, -1
            while first < len(lines):
                first, why, unread = self._stream(held, lines, first, answers)
                if why is None:
                    continue
                if unread and bounced != first:
                    bounced = first  # it had left (idle, or grown) before reading it: once more, in a new worker
                    continue
                answers[first] = LimitError(why)
                first += 1
                if self._stopped:  # killed with every worker of this caller (Ctrl-C): no new ones
                    answers[first:] = [LimitError(why)] * (len(lines) - first)
                    break
        return answers

    def _stream(self, held: list[Worker | None], lines: list[bytes], first: int,
                answers: list[Any]) -> tuple[int, str | None, bool]:
        """Tasks from ``first`` on through one worker, each written ahead of the answers (up to
        :data:`AHEAD_BYTES`), the answers set in ``answers``. Gives the first task not answered; why the worker
        stopped there (None: it did not, or it left after saying a file needed too much memory); and True when
        it left in good order without reading that task (it had been idle too long, or grew too big)."""
        worker = held[0]
        if worker is None or not worker.alive():
            worker = held[0] = Worker(self.memory, self.cpu)
            with self._lock:
                self._mine.add(worker)
        written, ahead = first, 0
        for n in range(first, len(lines)):
            while written < len(lines) and (written == n or ahead + len(lines[written]) <= AHEAD_BYTES):
                worker.send(lines[written])
                ahead += len(lines[written])
                written += 1
            try:
                answer = worker.receive(self.seconds)
            except LimitError as exc:  # past the wall clock: the worker was killed
                held[0] = None
                return n, str(exc), False
            except BaseException:  # Ctrl-C: never reused
                held[0] = None
                worker.kill()
                raise
            if answer is None:
                held[0] = None
                why = worker.death()
                return n, why, worker.proc.returncode == 0
            ahead -= len(lines[n])
            kind, value = answer
            answers[n] = value
            if kind == "error":
                answers[n] = BlankettError(f"filen kan inte läsas (oväntat fel: {value})")
            elif kind == "memory":  # it left after saying so; the tasks after this one go to a new worker
                held[0] = None
                worker.death()
                answers[n] = LimitError(memory_message(self.memory))
                return n + 1, None, False
        if not worker.alive():  # it left after the last file, having grown: not lent again
            held[0] = None
            worker.death()
        return len(lines), None, False

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
    _end([worker])


def stop_idle() -> None:
    """End every idle worker now (the server's shutdown, the overview once its forms are read)."""
    with _IDLE_LOCK:
        idle, _IDLE[:] = list(_IDLE), []
    _end(idle)


def _end(idle: list[Worker]) -> None:
    """End idle workers as they end on their own: their pipe closed, each leaves its loop and exits normally (what
    Python does at exit runs: a measuring tool's data is written); one still there after :data:`END_SECONDS` is
    killed. A SIGKILL lost the data of every file a long-lived worker had read (CI's coverage fell below 95 %)."""
    for worker in idle:
        with contextlib.suppress(OSError, ValueError):
            if worker.proc.stdin is not None:
                worker.proc.stdin.close()
    deadline = time.monotonic() + END_SECONDS
    for worker in idle:
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.proc.wait(max(0.0, deadline - time.monotonic()))
        worker.kill()


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]))
