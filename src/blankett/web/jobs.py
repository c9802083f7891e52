"""Long jobs (a thousand forms) in a background thread, with progress the page asks for; nothing kept on disk.

A job's uploads live in a private temporary folder that is removed as soon as
the job is done. What the person downloads afterwards (the .zip of forms, or
the read answers) stays in memory only, until they remove it, the job expires
(:data:`KEEP_SECONDS` after it is done), newer results need the room (:data:`RESULTS_BUDGET`)
or the server stops.
"""

from __future__ import annotations

import io
import json
import queue
import secrets
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import blankett

from .. import interrupt
from ..guard import Guards
from ..package import write_zip
from .uploads import MB, Limits, Staged, UploadRefused, expand_zips

#: How long a finished job's results stay in memory for download, counted from when the job is done.
KEEP_SECONDS = 30 * 60
#: Jobs running or waiting at once; more are refused with 503. Finished results do not count: they only take memory.
MAX_JOBS = 20
#: Memory for the results of finished jobs, together; past it the oldest results are removed first.
RESULTS_BUDGET = 512 * MB
#: Rows (records) one fill upload may hold, in all its files: checked before any form is filled.
MAX_FILL_ROWS = 2000
#: Size of one fill job's .zip of forms (2 000 forms in Word took 76 MB: the row limit comes first for those).
MAX_RESULT_BYTES = 256 * MB
#: Removed jobs remembered, so that their pages can say why they are gone (their ids only, nothing else).
_REMEMBERED = 1000

GONE = ("Resultatet finns inte (längre). Det kan ha tagits bort med knappen \"Ta bort resultatet från servern\"; "
        f"annars tas resultat bort {KEEP_SECONDS // 60} minuter efter att arbetet blev klart och när servern stängs.")
CROWDED = ("Resultatet togs bort från servern för att ge plats åt nyare resultat: servern behåller högst "
           f"{RESULTS_BUDGET // MB} MB resultat åt gången och tar bort de äldsta först. Ladda upp filerna igen.")

QUEUED, RUNNING, DONE, FAILED = "köad", "pågår", "klar", "fel"
STOPPING = "Servern stängs just nu. Ladda upp filerna igen när den har startats på nytt."


@dataclass
class Job:
    """One batch: what it is, how far it got, and its results (in memory)."""

    kind: str  # "fill" or "extract"
    id: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    created: float = field(default_factory=time.monotonic)
    finished: float | None = None  # when it was done (its results are kept from then on)
    size: int = 0  # bytes its results take, about (the archive, or the answers as JSON)
    state: str = QUEUED
    done: int = 0
    total: int = 0
    error: str | None = None
    pdf: bool = False
    # fill
    problems: list[str] = field(default_factory=list)  # errors: rows (or files) that were not filled
    notes: list[str] = field(default_factory=list)  # to know: the rows were filled all the same
    written: int = 0  # forms filled (.docx)
    failed: int = 0  # rows or files that could not be filled
    pdf_written: int = 0
    pdf_failed: int = 0
    archive: bytes | None = None
    forms: int = 0  # files in the archive
    # extract
    results: list[blankett.ExtractResult] = field(default_factory=list)
    counter: Callable[[], int] | None = None

    def status(self) -> dict[str, Any]:
        """The job's progress as JSON for the page (no file names, no answers)."""
        state, counter = self.state, self.counter  # the state first: a job that ends meanwhile is counted whole
        done = counter() if counter is not None and state == RUNNING else self.done
        done = min(done, self.total) if self.total else done
        return {"id": self.id, "kind": self.kind, "state": state, "done": done, "total": self.total,
                "finished": state in (DONE, FAILED), "message": describe(self.kind, state, done, self.total)}


def describe(kind: str, state: str, done: int, total: int) -> str:
    """The progress in words, as the page shows and announces it."""
    what = "filer" if kind == "fill" else "blanketter"
    if state == QUEUED:
        return "Väntar på att ett annat arbete ska bli klart."
    if state == RUNNING:
        return f"Arbetet pågår: {done} av {total} {what} klara." if total else "Arbetet pågår."
    if state == DONE:
        return "Klart."
    return "Arbetet kunde inte slutföras."


_Queued = tuple[Job, Callable[[Job], None], "tempfile.TemporaryDirectory[str]"]


class Jobs:
    """The server's jobs: worker threads run them in turn; the page polls their status; :meth:`stop` ends them."""

    def __init__(self, workers: int = 1, keep: float = KEEP_SECONDS, max_jobs: int = MAX_JOBS,
                 budget: int = RESULTS_BUDGET, max_rows: int = MAX_FILL_ROWS,
                 max_result: int = MAX_RESULT_BYTES) -> None:
        self._jobs: dict[str, Job] = {}
        self._crowded_out: OrderedDict[str, None] = OrderedDict()  # ids of results removed for newer ones
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[_Queued | None] = queue.SimpleQueue()
        self._workers = workers
        self._threads: list[threading.Thread] = []
        self._running: dict[int, Job] = {}  # by the ident of the thread running it
        self._stopped = False
        self.keep = keep
        self.max_jobs = max_jobs
        self.budget = budget
        self.max_rows = max_rows
        self.max_result = max_result

    def get(self, job_id: str) -> Job | None:
        self._purge()
        with self._lock:
            return self._jobs.get(job_id)

    def gone(self, job_id: str) -> str:
        """Why there is no job ``job_id`` (any more), in words for its page."""
        with self._lock:
            return CROWDED if job_id in self._crowded_out else GONE

    def remove(self, job_id: str) -> None:
        with self._lock:
            self._jobs.pop(job_id, None)

    def full(self) -> bool:
        """Whether as many jobs as allowed are running or waiting (finished ones take memory, not turns)."""
        self._purge()
        with self._lock:
            return sum(1 for j in self._jobs.values() if j.state in (QUEUED, RUNNING)) >= self.max_jobs

    def start(self, job: Job, work: Callable[[Job], None], folder: tempfile.TemporaryDirectory[str]) -> Job:
        """Run ``work(job)`` in the background; the folder is removed when it ends, however it ends."""
        with self._lock:
            if self._stopped:  # a request that came in while the server stops
                folder.cleanup()
                job.error, job.state = STOPPING, FAILED
                return job
            self._jobs[job.id] = job
            if len(self._threads) < self._workers:
                thread = threading.Thread(target=self._work, name=f"blankett-jobb-{len(self._threads) + 1}",
                                          daemon=True)  # never holds the process up at exit: stop() ends it first
                self._threads.append(thread)
                thread.start()
        self._queue.put((job, work, folder))
        return job

    def stop(self) -> None:
        """End every job: waiting ones are dropped, running ones interrupted as Ctrl-C interrupts a command.

        The library stops on Ctrl-C (``KeyboardInterrupt``): it kills its LibreOffice starts and lets its
        workers end. A job's thread raises that same exception itself at its next step
        (:func:`blankett.interrupt.stop_thread`); see :meth:`join` for waiting until it has.
        """
        with self._lock:
            self._stopped = True
            running = list(self._running)
            self._jobs.clear()
        for ident in running:
            interrupt.stop_thread(ident)
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[2].cleanup()
        # after the waiting jobs are dropped: that loop took these back too, and an idle thread then waited for
        # its None until join() gave up (a server that had run one job took 10 s to stop)
        for _ in self._threads:
            self._queue.put(None)

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the job threads to end after :meth:`stop`; whether they all have."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop every job and wait for them (see :meth:`stop`)."""
        self.stop()
        self.join(timeout)

    def _work(self) -> None:
        try:
            while not self._stopped and (item := self._queue.get()) is not None:
                self._run(*item)
                # the work holds the job's password (if any): dropped now, not when the next job comes
                del item
        except KeyboardInterrupt:  # sent by stop(): the job has ended and its folder is removed
            pass

    def _run(self, job: Job, work: Callable[[Job], None], folder: tempfile.TemporaryDirectory[str]) -> None:
        with self._lock:
            if self._stopped:
                folder.cleanup()
                return
            self._running[threading.get_ident()] = job
            interrupt.forget(threading.get_ident())
        job.state = state = RUNNING
        try:
            work(job)
            state = DONE
        except blankett.BlankettError as exc:
            job.error, state = str(exc), FAILED
        except Exception as exc:  # noqa: BLE001 - a job never takes the server down
            job.error, state = f"oväntat fel ({exc.__class__.__name__})", FAILED
        finally:
            job.counter = None
            with self._lock:
                self._running.pop(threading.get_ident(), None)
                if not self._stopped:
                    interrupt.forget(threading.get_ident())
            folder.cleanup()
            # its results are kept from now on: the time it waited or ran is not taken from them
            job.size = _size(job)
            job.finished = time.monotonic()
            # told done (or failed) only now that its folder of uploads is gone: a page, or a test, that sees
            # "klar" finds nothing of the job left on disk
            job.state = state
            self._purge()

    def _purge(self) -> None:
        """Remove results kept :attr:`keep` seconds since their job was done, then the oldest past the budget."""
        now = time.monotonic()
        with self._lock:
            done = sorted((j for j in self._jobs.values() if j.finished is not None), key=lambda j: j.finished or 0)
            for job in [j for j in done if now - (j.finished or now) > self.keep]:
                del self._jobs[job.id]
                done.remove(job)
            kept = sum(j.size for j in done)
            for job in done:
                if kept <= self.budget:
                    break
                del self._jobs[job.id]
                kept -= job.size
                self._crowded_out[job.id] = None
                while len(self._crowded_out) > _REMEMBERED:
                    self._crowded_out.popitem(last=False)


def _size(job: Job) -> int:
    """About how many bytes a finished job's results take: its archive, or its answers as JSON."""
    answers = sum(len(json.dumps(r.as_dict(), ensure_ascii=False, default=str)) for r in job.results)
    return len(job.archive or b"") + answers


def scrub(text: str, folder: Path) -> str:
    """A message without the private folder's path (only the file's own name stays)."""
    text = text.replace(str(folder) + "/", "").replace(str(folder), "")
    return text


# --- the two batch jobs ------------------------------------------------------------------


def fill_job(staged: list[Staged], folder: Path, pdf: bool, max_rows: int = MAX_FILL_ROWS,
             max_result: int = MAX_RESULT_BYTES, archive: bool = False, password: str | None = None,
             password_column: str | None = None) -> Callable[[Job], None]:
    """The work of filling every record of the uploaded input files (Word, or Word and PDF), zipped.

    ``archive``: the PDFs are archive copies (PDF/A-3a with the record embedded). ``password`` encrypts every
    form and opens an encrypted workbook; ``password_column`` names the column of each row's own password."""

    def work(job: Job) -> None:
        inputs = [s.path for s in staged]
        out = folder / "ut"
        rows = _count_guarded(staged, password)
        if rows > max_rows:  # before any form is filled
            raise blankett.BlankettError(
                f"För många rader: filerna har {rows} rader, och högst {max_rows} fylls i per uppladdning. "
                "Dela upp raderna på flera uppladdningar.")
        job.total = rows * (2 if pdf else 1)
        job.counter = lambda: _count(out)
        if pdf:
            summaries = blankett.fill_files_pdf(inputs, out, jobs=1, archive=archive, password=password,
                                                password_column=password_column)
        else:
            summaries = [blankett.fill_files(inputs, out, jobs=1, password=password, password_column=password_column)]
        job.notes = [scrub(scrub(line, folder / "in"), folder) for s in summaries for line in s.notes]
        job.problems = [scrub(scrub(line, folder / "in"), folder) for s in summaries for line in s.errors]
        job.written, job.failed = summaries[0].counts[blankett.FillStatus.WRITTEN], summaries[0].counts[blankett.FillStatus.FAILED]
        if pdf:
            job.pdf_written = summaries[-1].counts[blankett.FillStatus.WRITTEN]
            job.pdf_failed = summaries[-1].counts[blankett.FillStatus.FAILED]
        files = sorted(p for p in out.glob("*") if p.is_file() and not p.name.startswith(".")) if out.is_dir() else []
        job.forms = len(files)
        job.done = job.total
        if files:
            job.archive = _archive(files, max_result)
        shutil.rmtree(out, ignore_errors=True)

    return work


def _count_guarded(staged: list[Staged], password: str | None = None) -> int:
    """How many rows the uploaded input files hold, read first in a guarded worker (as returned forms are).

    A spreadsheet or CSV made to be costly to read (millions of rows, a workbook that swells) then fails
    here, at the reading worker's limits of memory and CPU time, naming the file, instead of taking the
    server's memory or holding its interpreter for minutes. Within them, the fill reads it again.
    """
    total = 0
    with Guards() as guards:
        for s in staged:
            try:
                # the password goes to the worker on its stdin pipe, never in its arguments
                total += int(guards.run("blankett._api:count_records", str(s.path), password))
            except blankett.BlankettError as exc:
                raise blankett.BlankettError(f"{s.name}: {exc}") from None
    return total


def _archive(files: list[Path], limit: int) -> bytes:
    """The filled forms as one .zip, refused in Swedish once it grows past ``limit`` bytes."""
    buf = io.BytesIO()

    def within() -> None:
        if buf.tell() > limit:
            raise blankett.BlankettError(
                f"Resultatet blev för stort: de ifyllda blanketterna tar mer än {limit // MB} MB, som är det "
                "mesta servern behåller från en uppladdning. Dela upp raderna på flera uppladdningar.")

    def members() -> Iterator[tuple[str, bytes]]:  # read one at a time, the size checked after each is written
        for path in files:
            within()
            yield path.name, path.read_bytes()
        within()

    write_zip(members(), buf, level=1)
    return buf.getvalue()


def _count(out: Path) -> int:
    try:
        return sum(1 for p in out.iterdir() if not p.name.startswith("."))
    except OSError:
        return 0


def extract_results(staged: list[Staged], folder: Path, step: Callable[[], None] | None = None, *,
                    password: str | None = None) -> list[blankett.ExtractResult]:
    """Every staged file read back with ``blankett.extract_files``, named as the person named it, in order;
    ``password`` opens the encrypted ones (each file that it cannot open is one Swedish line, the rest go on)."""
    readable = iter(blankett.extract_files([s.path for s in staged if s.error is None], password=password))
    results: list[blankett.ExtractResult] = []
    for s in staged:
        if s.error is not None:
            result = blankett.ExtractResult.failure(s.name, s.error)
        else:
            result = next(readable)
            result.source = s.name
            result.messages = [scrub(m, folder) for m in result.messages]
        results.append(result)
        if step is not None:
            step()
    return results


def unpacked(staged: list[Staged], limits: Limits) -> list[Staged]:
    """The staged files with every .zip unpacked; too many files is a user error."""
    try:
        return expand_zips(staged, limits)
    except UploadRefused as exc:
        raise blankett.BlankettError(str(exc)) from None


def extract_job(uploaded: list[Staged], folder: Path, limits: Limits,
                password: str | None = None) -> Callable[[Job], None]:
    """The work of reading back every uploaded form (a .zip unpacked), kept as results for the downloads."""

    def work(job: Job) -> None:
        staged = unpacked(uploaded, limits)
        job.total = len(staged)

        def step() -> None:
            job.done += 1

        job.results = extract_results(staged, folder, step, password=password)

    return work
