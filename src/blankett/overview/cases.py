"""Cases: returned forms or extract's output, one :class:`Case` per incident, for the overview and the reminders."""

from __future__ import annotations

import datetime as dt
import enum
import os
import re
import tempfile
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .. import guard, kinds, model
from ..errors import BlankettError, RecordError
from ..form import CHANNEL_KEY, CHANNELS, INCIDENT_DATE_KEY, INCIDENT_TYPE_KEY, INCIDENT_TYPES, NOT_CODED, TALK_DATES
from ..load import INPUT_ENDINGS, load_rows
from ..package import BAD_MEMBER, open_package
from ..readback import FORM_ENDINGS, expand, read_files
from ..scan import SCAN_ENDINGS
from ..status import ExtractStatus
from ..workbook import EXTRA_NOTE


class DateFrom(enum.StrEnum):
    """Where the date that places a case in a period came from (the overview says so, counted)."""

    #: The coded incident date (``handelsedatum``).
    CODED = "händelsedatum"
    #: No incident date: the first follow-up talk's date.
    TALK = "datum för uppföljningssamtal 1"
    #: No incident date and no talk: the returned file's own date.
    FILE = "filens datum"
    #: No date at all.
    NONE = "inget datum"


@dataclass(frozen=True)
class Case:
    """One incident as the overview counts it.

    ``name`` is what names the case in internal listings: its case number, or the returned file's name when it
    has none (never a person's name). ``record`` is the record as extract writes it (dates as ÅÅÅÅ-MM-DD text,
    lists as lists), coded fields included. ``date`` places the case in a period; ``date_from`` says how.
    """

    name: str
    record: dict[str, Any]
    date: dt.date | None
    date_from: DateFrom


# --- reading: returned forms (guarded, as extract reads them) or extract's own output ------------------------

#: Told after each returned form is read (for a progress bar).
FormProgress = Callable[[], None]
#: The keys of the first follow-up talk's date (the fallback date) and of the coded multi-valued fields.
TALK1_DATE = TALK_DATES[0]
#: A zip of returned forms (as the web page takes them).
ZIP_ENDING = ".zip"
#: From this many returned forms the reading workers leave once they are read, before the overview is written (its
#: biggest memory: 10 000 forms peaked at 354 MB with them, 240 MB without). Fewer are kept idle for the next
#: reading, as extract's are: the web page's overview of a few forms started a new worker for every request.
RELEASE_FROM = 200
_CODED_LISTS = {INCIDENT_TYPE_KEY: INCIDENT_TYPES, CHANNEL_KEY: CHANNELS}


#: Why a scanned image is not read where scans are left out (the web page answers at once; OCR takes seconds a page).
SCAN_LEFT_OUT = ("skannad bild: läs in den under Läs in (eller med blankett extract) och ladda upp svaren i stället; "
                 "räknas inte")


def read_cases(paths: Iterable[str | Path], problems: list[str], workers: int = 1,
               on_form: FormProgress | None = None, scans: bool = True) -> Generator[Case, None, None]:
    """One :class:`Case` per returned form or per row of extract's output, in order, streamed.

    Returned forms (files, every form in a folder or in a .zip) are read by extract's guarded workers, never
    here; .xlsx/.ods/.csv/.json/.jsonl files are extract's output (or fill's input), read row by row. Each problem
    is one Swedish line naming the file or row, appended to ``problems``; the rest goes on. ``scans=False``: scanned
    images are named in ``problems`` (:data:`SCAN_LEFT_OUT`) instead of read by OCR.
    """
    sheets: list[Path] = []
    forms: list[Path] = []
    zips: list[Path] = []
    for path in map(Path, paths):
        if not path.exists():
            problems.append(f"{path}: finns inte")
        elif path.is_file() and path.suffix.lower() in INPUT_ENDINGS:
            sheets.append(path)
        elif path.suffix.lower() == ZIP_ENDING:
            zips.append(path)
        elif path.is_dir() or path.suffix.lower() in FORM_ENDINGS:
            forms.append(path)
        else:
            problems.append(f"{path.name}: okänd filtyp; ange ifyllda blanketter, en mapp eller .zip med sådana "
                            f"eller utdata från blankett extract ({', '.join(sorted(INPUT_ENDINGS))})")
    for sheet in sheets:
        yield from _sheet_cases(sheet, problems)
    with tempfile.TemporaryDirectory(prefix="blankett-") as tmp:  # owner-only; removed on every way out
        named = {f: f.name for f in expand(forms)}
        for n, archive in enumerate(zips):
            named.update(_unzipped(archive, Path(tmp) / str(n), problems))
        if not scans:
            for path in [p for p in named if p.suffix.lower() in SCAN_ENDINGS]:
                problems.append(f"{named.pop(path)}: {SCAN_LEFT_OUT}")
        if named:
            yield from _form_cases(named, problems, workers, on_form)


def count_forms(paths: Iterable[str | Path]) -> int:
    """How many returned forms :func:`read_cases` reads from ``paths`` (a progress bar's length); a .zip's are
    counted from its directory, without unpacking."""
    total = 0
    for path in map(Path, paths):
        if path.suffix.lower() == ZIP_ENDING and path.is_file():
            try:
                with open_package(path) as package:
                    total += sum(1 for m in package.names if _is_form(m))
            except BlankettError:
                continue
        elif path.is_dir() or path.suffix.lower() in FORM_ENDINGS:
            total += len(expand([path]))
    return total


def _is_form(member: str) -> bool:
    name = PurePosixPath(member).name
    return PurePosixPath(member).suffix.lower() in FORM_ENDINGS and not name.startswith(("~$", ".")) \
        and not member.endswith("/")


def _unzipped(archive: Path, folder: Path, problems: list[str]) -> dict[Path, str]:
    """The forms in a .zip copied to an owner-only folder, each with the name it is told by (``x.zip/a.docx``).

    The zip is opened by the package reader, within its bomb limits; its members are not parsed here: they are
    read like any other form, in guarded workers. Each copy keeps the member's date (a form's last fallback).
    """
    try:
        package = open_package(archive)
    except BlankettError as exc:
        problems.append(f"{exc}; räknas inte")
        return {}
    found: dict[Path, str] = {}
    folder.mkdir(mode=0o700)
    with package:
        for n, member in enumerate(m for m in package.names if _is_form(m)):
            shown = f"{archive.name}/{member}"
            try:
                data = package.read(member)
            except BlankettError:  # its text names the zip and the member again: said once, as the web page says it
                problems.append(f"{shown}: {BAD_MEMBER}; räknas inte")
                continue
            copy = folder / f"{n:06d}{PurePosixPath(member).suffix.lower()}"
            fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            when = dt.datetime(*package.zip.getinfo(member).date_time).timestamp()
            os.utime(copy, (when, when))
            found[copy] = shown
    return found


def _form_cases(files: dict[Path, str], problems: list[str], workers: int,
                on_form: FormProgress | None) -> Iterator[Case]:
    """Cases of returned forms (path → the name it is told by), read by extract's guarded workers."""
    results = read_files(list(files), workers=workers)
    try:
        for (path, name), result in zip(files.items(), results, strict=True):
            if on_form is not None:
                on_form()
            if result.status is ExtractStatus.FAILED or result.record is None:
                why = "; ".join(result.messages) or "blanketten kan inte läsas"
                problems.append(f"{name}: {why}; räknas inte")
                continue
            case = _case(result.record, name, problems, _file_date(path), validated=True)
            if case is not None:
                yield case
    finally:
        results.close()  # on an error or Ctrl-C too: the workers stop and temporary conversions are removed
        if len(files) >= RELEASE_FROM:  # the writing of a big overview comes next: the idle reading workers
            guard.stop_idle()  # (50-60 MB each) leave now, not after IDLE_SECONDS; the next reading starts new ones


def _file_date(path: Path) -> dt.date | None:
    """The returned file's own date (when it was last saved): the last fallback for a form's date."""
    try:
        return dt.date.fromtimestamp(path.stat().st_mtime)
    except (OSError, ValueError, OverflowError):
        return None


def _sheet_cases(path: Path, problems: list[str]) -> Iterator[Case]:
    try:
        for row in load_rows(path, failed_forms=True):
            problems.extend(n for n in row.notes if EXTRA_NOTE not in n)
            if row.status == "fel":
                problems.append(f"{row.where}: {row.origin or 'blanketten'} kunde inte läsas av blankett extract "
                                "(status fel) och räknas inte")
                continue
            if row.error:
                problems.append(f"{row.error}; räknas inte")
                continue
            problems.extend(f"{p}; cellen räknas inte" for p in row.problems)
            name = row.origin and Path(row.origin).name
            case = _case(row.data, name or row.where, problems, None, row.where)
            if case is not None:
                yield case
    except BlankettError as exc:
        problems.append(str(exc))


def _case(data: dict[str, Any], name: str, problems: list[str], file_date: dt.date | None,
          where: str | None = None, validated: bool = False) -> Case | None:
    """A record (as extract writes it, or a row of its output) as a case; None, with a line, when it is unusable.

    ``validated``: the record is a reading worker's, made by the model from what it validated: not validated
    again (that took a third of the caller's time per form, beside the workers reading the next ones)."""
    where = where or name
    if validated:
        record = dict(data)
    else:
        plain = {k: v for k, v in data.items() if k not in _CODED_KEYS}
        try:
            incident, _ = model.validate(plain)
        except RecordError as exc:
            problems.append(f"{where}: {'; '.join(exc.messages)}; räknas inte")
            return None
        record = model.to_record(incident)
    record[INCIDENT_DATE_KEY] = _coded_date(data.get(INCIDENT_DATE_KEY), where, problems)
    for key, allowed in _CODED_LISTS.items():
        record[key] = _coded_list(data.get(key), allowed, key, where, problems)
    case_number = record.get(model.CASE_KEY)
    date, date_from = _placed(record, file_date)
    return Case(str(case_number) if case_number else name, record, date, date_from)


_CODED_KEYS = frozenset({INCIDENT_DATE_KEY, INCIDENT_TYPE_KEY, CHANNEL_KEY})


def _coded_date(value: Any, where: str, problems: list[str]) -> str | None:
    try:
        date = kinds.parse_date(value)
    except (ValueError, TypeError):
        date = None
    if date is None and value not in (None, ""):
        problems.append(f"{where}: {kinds.quoted(value)} i fältet {INCIDENT_DATE_KEY} är inget datum (ÅÅÅÅ-MM-DD); "
                        f"räknas som {NOT_CODED}")
    return date.isoformat() if date else None


def _coded_list(value: Any, allowed: tuple[str, ...], key: str, where: str, problems: list[str]) -> list[str]:
    """A coded list (typ, kanal) from JSON's list or a cell's text (one per line, or separated by , or ;)."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else re.split(r"[\n,;]", str(value))
    found: list[str] = []
    for item in items:
        shown = " ".join(str(item).split())
        text = shown.casefold()
        if not text:
            continue
        if text in allowed:
            if text not in found:
                found.append(text)
        else:
            problems.append(f'{where}: "{shown}" i fältet {key} är ingen av kategorierna '
                            f"({', '.join(allowed)}); värdet räknas inte")
    return [a for a in allowed if a in found]  # the categories' order, whatever order they were set in


def _placed(record: dict[str, Any], file_date: dt.date | None) -> tuple[dt.date | None, DateFrom]:
    """The date that places a case: the incident's, else the first talk's, else the file's (forms only)."""
    for key, source in ((INCIDENT_DATE_KEY, DateFrom.CODED), (TALK1_DATE, DateFrom.TALK)):
        value = record.get(key)
        if value:
            return dt.date.fromisoformat(value), source
    if file_date is not None:
        return file_date, DateFrom.FILE
    return None, DateFrom.NONE
