"""Batch: many input rows into many forms, on every core, with flat memory and one summary line.

The parent process streams the rows, validates them and names every output
(:func:`fill.plan`), so names and order never depend on scheduling. Worker
processes only render and write, a small chunk at a time; at most a few chunks
are in flight, so memory stays flat however long the input is. Every file is
written atomically: a crash or Ctrl-C leaves complete files only.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Generator, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from . import workers
from .bounded import chunks, in_order
from .errors import BlankettError
from .fill import Filler, Outcome, fill_one, plan
from .interrupt import check, ignore_interrupts, quiet_workers
from .load import Row, load_rows
from .model import Values
from .model import values as model_values
from .status import FillStatus

#: Rows a batch must have before worker processes are worth starting.
PARALLEL_FROM = 64
#: Forms per task sent to a worker, and tasks in flight per worker.
CHUNK = 16
WINDOW = 4

#: An input file without a single incident (only headers, or nothing at all).
NO_ROWS = "filen innehåller inga incidenter att fylla i (inga ifyllda rader)"
#: A planned row as sent to a worker: an Outcome (already failed) or (row, values, name, notes).
Item = Outcome | tuple[Row, Values, str, list[str]]


@dataclass
class FillSummary:
    """Counts by outcome and every message to show, in input order (``blankett.FillSummary``)."""

    check: bool = False
    counts: dict[FillStatus, int] = field(default_factory=lambda: dict.fromkeys(FillStatus, 0))
    problems: list[str] = field(default_factory=list)  # every message, errors and notes, in input order
    errors: list[str] = field(default_factory=list)  # of rows and files that failed
    notes: list[str] = field(default_factory=list)  # of rows filled all the same (a column ignored, a PDF warning)
    written: list[Path] = field(default_factory=list)
    existing: list[Path] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)  # written or already there, in input order

    def add(self, outcome: Outcome) -> None:
        """Count one outcome and keep its messages and its file (written or already there, for the PDF step)."""
        self.counts[outcome.status] += 1
        self.problems.extend(outcome.messages)
        (self.errors if outcome.status is FillStatus.FAILED else self.notes).extend(outcome.messages)
        if outcome.path is not None and outcome.status in (FillStatus.WRITTEN, FillStatus.EXISTS):
            (self.written if outcome.status is FillStatus.WRITTEN else self.existing).append(outcome.path)
            self.outputs.append(outcome.path)

    def fail(self, message: str) -> None:
        """Count a file that could not be read at all."""
        self.counts[FillStatus.FAILED] += 1
        self.problems.append(message)
        self.errors.append(message)

    @property
    def failed(self) -> bool:
        """Whether any row or file failed."""
        return self.counts[FillStatus.FAILED] > 0

    def merge_failures(self, other: Summary) -> None:
        """Count ``other``'s failures and show its problems first (the fill step's, before the PDF step's)."""
        self.counts[FillStatus.FAILED] += other.counts[FillStatus.FAILED]
        self.problems[:0] = other.problems
        self.errors[:0] = other.errors
        self.notes[:0] = other.notes

    def line(self, prefix: str = "Klart") -> str:
        """The one-line Swedish summary: written (or approved), skipped, failed; ``prefix`` names the step."""
        c = self.counts
        done = f"{c[FillStatus.CHECKED]} godkända" if self.check else f"{c[FillStatus.WRITTEN]} skrivna"
        return f"{prefix}: {done}, {c[FillStatus.EXISTS]} hoppade över (finns redan), {c[FillStatus.FAILED]} fel."



#: The package's own short name for :class:`FillSummary`.
Summary = FillSummary

def _rows(inputs: Iterable[Path], summary: Summary, password: str | None = None,
          password_column: str | None = None) -> Iterator[Row]:
    """Every row of every input file; a file that cannot be read is counted and the next one read.

    ``password`` opens an encrypted workbook; ``password_column`` names each row's own password's column."""
    for path in inputs:
        rows = 0
        try:
            for row in load_rows(path, password=password, password_column=password_column):
                rows += 1
                yield row
        except BlankettError as exc:
            summary.fail(str(exc))
            continue
        if not rows:  # the wrong file, or a workbook saved before anything was typed: never "all went well"
            summary.fail(f"{path}: {NO_ROWS}")


def no_row_password(row: Row, column: str) -> str:
    """The line for a row whose password cell is empty: its form is not written at all, never unencrypted."""
    return (f'{row.where}: cellen i kolumnen "{column}" är tom; raden har inget lösenord och blanketten skrivs '
            "inte (den skrivs aldrig okrypterad). Skriv ett lösenord i cellen och kör igen.")


def _items(rows: Iterable[Row], password_column: str | None = None) -> Iterator[Item]:
    """Planned rows, small enough to send to a worker (the row without its data, the values as a dict, and the
    row's own password when ``password_column`` names one: it goes to the worker through the pipe only)."""
    for row, incident, name, notes in plan(rows):
        if incident is None:
            yield Outcome(row.where, FillStatus.FAILED, None, notes)
        elif password_column is not None and not row.password:
            yield Outcome(row.where, FillStatus.FAILED, None, [*notes, no_row_password(row, password_column)])
        else:
            yield Row(row.source, row.number, row.unit, password=row.password), model_values(incident), name, notes


# --- one worker's state ---------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start_worker(template_path: Path | None, out_dir: Path, force: bool, password: str | None = None) -> None:
    """Worker initializer: leave Ctrl-C to the parent (which lets running tasks finish) and load the template."""
    ignore_interrupts()
    _WORKER.update(template=Filler(template_path), out_dir=out_dir, force=force, password=password)


def _fill_items(items: Sequence[Item], template: Filler, out_dir: Path, force: bool, check: bool,
                password: str | None = None) -> list[Outcome]:
    """Render and write a chunk of planned rows, in order (each encrypted with ``password`` when there is one)."""
    return [item if isinstance(item, Outcome) else fill_one(template, *item[:3], out_dir, force, check, item[3],
                                                            item[0].password or password)
            for item in items]


def _work(items: Sequence[Item]) -> list[Outcome]:
    """A worker's task: one chunk, with the template loaded at start."""
    return _fill_items(items, _WORKER["template"], _WORKER["out_dir"], _WORKER["force"], False, _WORKER["password"])


def _start_pool(template_path: Path | None, out_dir: Path, force: bool, jobs: int,
                password: str | None = None) -> ProcessPoolExecutor:
    """Worker processes, started now: forked while this process is still small, before any input is read."""
    with quiet_workers():  # no worker can be hit by Ctrl-C before it ignores it
        pool = ProcessPoolExecutor(jobs, mp_context=workers.context(), initializer=_start_worker,
                                   initargs=(template_path, out_dir, force, password))
        pool.submit(int).result()  # starts every worker at once (fork), so none is forked later from a big parent
    return pool


def _parallel(pool: ProcessPoolExecutor, items: Iterator[Item], jobs: int) -> Iterator[Outcome]:
    """Outcomes in input order from the pool's workers, with a bounded number of chunks in flight."""
    return in_order(chunks(items, CHUNK), lambda chunk: pool.submit(_work, chunk).result, jobs * WINDOW)


def outcomes(inputs: Iterable[Path], out_dir: Path, summary: Summary, force: bool = False,
             template_path: Path | None = None, jobs: int | None = None,
             password: str | None = None, password_column: str | None = None) -> Generator[Outcome, None, None]:
    """Fill every row of ``inputs`` into ``out_dir``; in worker processes when the batch is large.

    ``password`` opens encrypted workbooks and encrypts every form, unless ``password_column`` names the column
    of each row's own password: then each form is encrypted with its row's, and ``password`` opens workbooks only.
    """
    template = Filler(template_path)  # a broken template fails here, once, before any row
    jobs = jobs or os.cpu_count() or 1
    forms = None if password_column is not None else password
    pool = _start_pool(template_path, out_dir, force, jobs, forms) if jobs > 1 and not summary.check else None
    try:
        items = _items(_rows(inputs, summary, password, password_column), password_column)
        head = list(itertools.islice(items, PARALLEL_FROM))
        if pool is None or len(head) < PARALLEL_FROM:
            for chunk in chunks(itertools.chain(head, items), CHUNK):
                check()  # a server's job asked to stop: stop here as on Ctrl-C
                yield from _fill_items(chunk, template, out_dir, force, summary.check, forms)
        else:
            yield from _parallel(pool, itertools.chain(head, items), jobs)
    except BrokenProcessPool:
        raise BlankettError("en arbetsprocess avbröts oväntat (slut på minne?); filerna som hann skrivas är hela. "
                            "Kör samma kommando igen: färdiga filer hoppas över.") from None
    finally:
        if pool is not None:  # on Ctrl-C too: running chunks finish, so only complete files remain
            pool.shutdown(wait=True, cancel_futures=True)


def fill_files(inputs: Iterable[str | Path], out_dir: str | Path = "out", check: bool = False, force: bool = False,
               template_path: str | Path | None = None, jobs: int | None = None, progress: bool = False,
               password: str | None = None, password_column: str | None = None) -> Summary:
    """Fill one .docx per row of every input file, encrypted with ``password`` when there is one (or with each
    row's own from ``password_column``); the summary (with a progress bar on request)."""
    summary = Summary(check=check)
    paths = [Path(p) for p in inputs]
    stream = outcomes(paths, Path(out_dir), summary, force, Path(template_path) if template_path else None, jobs,
                      password, password_column)
    try:
        add_all(stream, summary, "Fyller i blanketter" if progress else None)
    finally:
        stream.close()  # on Ctrl-C: stop the workers now, letting their running chunks finish
    return summary


def add_all(stream: Iterable[Outcome], summary: Summary, label: str | None) -> None:
    """Every outcome of ``stream`` added to ``summary``, under a progress bar named ``label`` when there is one."""
    if label:
        # sys.stderr, not click.get_text_stream (deprecated in click 8.5, to be removed in 9.0)
        with click.progressbar(stream, label=label, show_pos=True, file=sys.stderr) as bar:
            for outcome in bar:
                summary.add(outcome)
    else:
        for outcome in stream:
            summary.add(outcome)
