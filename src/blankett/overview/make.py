"""The overview made in one call: the period, the cases read, counted, and (for the public version) suppressed.

``blankett.overview`` (the front door) and the package itself, called, are this (see the package's docstring).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import InputError
from .cases import read_cases
from .count import count
from .report import Heading, Listing, Overview, Paragraph
from .suppress import public as public_version

#: The heading and listing of what an overview could not count.
NOT_COUNTED = "Filer och rader som inte räknades"


def period(start: dt.date | None, end: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period an overview covers: as given; by default the last whole calendar year before ``today``.

    Only a start: up to ``today``; only an end: from the first of January of its year.
    """
    if start is None and end is None:
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    start = start or dt.date((end or today).year, 1, 1)
    end = end or today
    if start > end:
        raise InputError(f"perioden slutar ({end.isoformat()}) före den börjar ({start.isoformat()})")
    return start, end


def whole_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period widened to whole months, as the public version counts: counted by the day, two public overviews
    a day apart would tell which day a case happened (the public version tells no date finer than the month)."""
    following = dt.date(end.year + end.month // 12, end.month % 12 + 1, 1)
    return start.replace(day=1), following - dt.timedelta(days=1)


def make(paths: Iterable[str | Path], start: dt.date | None = None, end: dt.date | None = None,
         today: dt.date | None = None, public: bool = False, *, problems: list[str] | None = None,
         workers: int = 1, on_form: Callable[[], None] | None = None, scans: bool = True) -> Overview:
    """The overview (lägesbild) of returned forms or extract's output for a period (see :func:`period`).

    ``public``: the public version (small counts hidden, no listings). Each file or row that cannot be counted
    is one Swedish line in ``problems`` (when given); the rest is counted. ``on_form`` is told of each form read;
    ``scans=False`` leaves scanned images unread (named in ``problems``).
    """
    today = today or dt.date.today()
    start, end = period(start, end, today)
    if public:
        start, end = whole_months(start, end)
    found = problems if problems is not None else []
    with contextlib.closing(read_cases(list(paths), found, workers, on_form, scans)) as cases:  # Ctrl-C: workers stop
        internal = with_problems(count(cases, start, end, today), found)
    return public_version(internal) if public else internal


def with_problems(overview: Overview, problems: list[str]) -> Overview:
    """The overview saying what it could not count: how many files or rows (both versions), and each one's line
    (the internal version only: a listing, which the public version leaves out)."""
    if not problems:
        return overview
    items = tuple((line.partition(": ")[0], line.partition(": ")[2] or line) for line in problems)
    return dataclasses.replace(overview, blocks=(
        *overview.blocks,
        Heading(NOT_COUNTED),
        Paragraph(f"{len(problems)} {'fil eller rad' if len(problems) == 1 else 'filer eller rader'} kunde inte "
                  "läsas och är inte med i siffrorna ovan."),
        Listing(NOT_COUNTED, items),
    ))
