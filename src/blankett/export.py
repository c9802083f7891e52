"""Export: read-back results as JSON, JSON Lines, CSV, Excel or Calc (.ods), chosen by the output's file ending.

Every format gives one entry per form: the source file, status, Swedish messages
and the record. The spreadsheet formats use the input workbook's columns
(:func:`workbook.columns`), so an extracted sheet can be given to ``fill`` again,
followed by the file, status and messages columns. Files are written atomically
and owner-only; nothing is a formula, whatever a person typed into the form.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import kinds
from .errors import InputError
from .form import Kind
from .readback import Result
from .status import ExtractStatus
from .workbook import DATE_FORMAT, EXCEL_CELL_LIMIT, EXTRA_HEADERS, SHEET, Column, columns, guard
from .write import atomic_path

if TYPE_CHECKING:  # openpyxl is imported when an .xlsx is written (start-up time of every other export)
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet


@dataclass
class Tally:
    """How many forms were read, read with warnings, and failed."""

    counts: dict[ExtractStatus, int] = field(default_factory=lambda: dict.fromkeys(ExtractStatus, 0))

    def watch(self, results: Iterable[Result]) -> Iterator[Result]:
        """Pass results through, counting them."""
        for result in results:
            self.counts[result.status] += 1
            yield result

    @property
    def failed(self) -> int:
        """The number of files that could not be read."""
        return self.counts[ExtractStatus.FAILED]

    def line(self, prefix: str = "Klart") -> str:
        """The one-line Swedish summary, as the fill summary's :meth:`batch.Summary.line`."""
        read = self.counts[ExtractStatus.OK] + self.counts[ExtractStatus.WARNING]
        return f"{prefix}: {read} lästa (varav {self.counts[ExtractStatus.WARNING]} med varningar), {self.failed} fel."


def _plain(col: Column, value: Any) -> str:
    """A record value as the text a CSV cell holds."""
    if value is None or value == []:
        return ""
    if col.kind is Kind.LIST:
        return "\n".join(value)
    return kinds.text_of(col.kind or Kind.TEXT, value) if not isinstance(value, str) else value


def _rows(results: Iterable[Result], cols: list[Column]) -> Iterator[tuple[Result, list[Any]]]:
    """Each result with its record's values in column order (empty for a failed file)."""
    for result in results:
        record = result.record or {}
        yield result, [record.get(col.key) for col in cols]


# --- JSON ------------------------------------------------------------------------------


def _json_stream(results: Iterable[Result], out: IO[str]) -> None:
    """A JSON list of results, one at a time (memory stays flat)."""
    out.write("[")
    for n, result in enumerate(results):
        out.write(",\n" if n else "\n")
        out.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    out.write("\n]\n")


def _jsonl_stream(results: Iterable[Result], out: IO[str]) -> None:
    """One JSON object per line."""
    for result in results:
        out.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")


def _csv_stream(results: Iterable[Result], out: IO[str]) -> None:
    """Semicolon-separated, as Swedish Excel opens it; every cell guarded against formulas."""
    cols = columns()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([guard(c.header) for c in cols] + list(EXTRA_HEADERS))
    for result, values in _rows(results, cols):
        cells = [_plain(col, v) for col, v in zip(cols, values, strict=True)]
        cells += [result.source, str(result.status), "\n".join(result.messages)]
        writer.writerow([guard(c) for c in cells])


def _text_file(path: Path, force: bool, bom: bool, stream: Callable[[Iterable[Result], IO[str]], None],
               results: Iterable[Result]) -> None:
    """Write a text format atomically (0600), UTF-8, optionally with a BOM."""
    with atomic_path(path, force) as tmp:
        with open(tmp, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            stream(results, fh)


# --- Excel -----------------------------------------------------------------------------


def _cell(ws: WriteOnlyWorksheet, col: Column | None, value: Any, notes: list[str]) -> Cell | None:
    """One write-only cell: dates as Excel dates, text always as text (never a formula)."""
    from openpyxl.cell import WriteOnlyCell

    if col is not None and value is not None and col.kind is Kind.DATE:
        date = value if isinstance(value, dt.date) else kinds.parse_date(value)
        cell = WriteOnlyCell(ws, value=date)  # type: ignore[arg-type]  # openpyxl writes dates; its stubs say datetime
        cell.number_format = DATE_FORMAT
        return cell
    text = _plain(col, value) if col is not None else (value or "")
    if len(text) > EXCEL_CELL_LIMIT:
        notes.append(f'"{col.header if col else "Meddelanden"}" var längre än Excel tillåter '
                     f"({EXCEL_CELL_LIMIT} tecken) och kortades av i kalkylbladet")
        text = text[:EXCEL_CELL_LIMIT]
    if not text:
        return None
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    return cell


def _xlsx_header(ws: WriteOnlyWorksheet, cols: list[Column]) -> None:
    """Bold headers, column widths and the same defined names as the input workbook."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for n, col in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(n)].width = col.width  # type: ignore[attr-defined]  # not in the stubs
    headers = []
    for text in [c.header for c in cols] + list(EXTRA_HEADERS):
        cell = WriteOnlyCell(ws, value=text)
        cell.font = Font(bold=True)
        headers.append(cell)
    ws.append(headers)


def _discard(ws: WriteOnlyWorksheet) -> None:
    """After an error or Ctrl-C: close openpyxl's half-written sheet quietly and remove its temporary file now.

    openpyxl streams a write-only sheet to a temporary file (it holds answers) through generators that,
    left to the garbage collector, print errors after the run has ended.
    """
    writer = getattr(ws, "_writer", None)
    for stream in (getattr(ws, "_rows", None), getattr(writer, "xf", None)):
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.close()
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.cleanup()


def _xlsx_file(path: Path, force: bool, results: Iterable[Result]) -> None:
    """One row per form in a write-only workbook (rows stream to disk: memory stays flat)."""
    from openpyxl import Workbook

    from .workbook import _define_names

    cols = columns()
    with atomic_path(path, force) as tmp:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(SHEET)
        try:
            _xlsx_header(ws, cols)
            _define_names(wb, cols)
            for result, values in _rows(results, cols):
                notes: list[str] = []
                cells = [_cell(ws, col, v, notes) for col, v in zip(cols, values, strict=True)]
                messages = "\n".join(result.messages + notes)
                cells += [_cell(ws, None, result.source, notes), _cell(ws, None, str(result.status), notes),
                          _cell(ws, None, messages, notes)]
                ws.append(cells)
            wb.properties.creator = wb.properties.lastModifiedBy = "blankett"
            wb.save(tmp)
        except BaseException:
            _discard(ws)
            raise


# --- OpenDocument (Calc) ------------------------------------------------------------


def _ods_cell(col: Column | None, value: Any) -> Any:
    """One .ods cell: dates as Calc dates, text as text paragraphs (one per line), never a formula."""
    from odf.table import TableCell
    from odf.text import P

    date = None
    if col is not None and value is not None and col.kind is Kind.DATE:
        date = value if isinstance(value, dt.date) else kinds.parse_date(value)
    if date is not None:
        cell = TableCell(valuetype="date", datevalue=date.isoformat(), stylename="datum")
        cell.addElement(P(text=date.isoformat()))
        return cell
    text = _plain(col, value) if col is not None else (value or "")
    cell = TableCell(valuetype="string") if text else TableCell()
    for line in text.split("\n") if text else ():
        cell.addElement(P(text=line))
    return cell


def _ods_file(path: Path, force: bool, results: Iterable[Result]) -> None:
    """One row per form in Calc's own format, with the .xlsx export's columns (odfpy; the sheet is built in memory).

    Every cell is a value: odfpy writes a formula only when asked (``formula=``), which is never done here.
    """
    from odf.number import DateStyle, Day, Month, Text, Year
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableColumnProperties, TextProperties
    from odf.table import Table, TableColumn, TableRow

    cols = columns()
    doc = OpenDocumentSpreadsheet()
    date_style = DateStyle(name="datumformat")  # ÅÅÅÅ-MM-DD, as the .xlsx export shows dates
    for part in (Year(style="long"), Text(text="-"), Month(style="long"), Text(text="-"), Day(style="long")):
        date_style.addElement(part)
    doc.automaticstyles.addElement(date_style)
    doc.automaticstyles.addElement(Style(name="datum", family="table-cell", datastylename="datumformat"))
    bold = Style(name="rubrik", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    doc.automaticstyles.addElement(bold)
    table = Table(name=SHEET)
    for n, col in enumerate(cols + [None] * len(EXTRA_HEADERS)):
        width = Style(name=f"bredd{n}", family="table-column")
        width.addElement(TableColumnProperties(columnwidth=f"{(col.width if col else 20) * 0.19:.2f}cm"))
        doc.automaticstyles.addElement(width)
        table.addElement(TableColumn(stylename=width))
    header = TableRow()
    for text in [c.header for c in cols] + list(EXTRA_HEADERS):
        cell = _ods_cell(None, text)
        cell.setAttribute("stylename", bold)
        header.addElement(cell)
    table.addElement(header)
    for result, values in _rows(results, cols):
        row = TableRow()
        for col, value in zip(cols, values, strict=True):
            row.addElement(_ods_cell(col, value))
        for extra in (result.source, str(result.status), "\n".join(result.messages)):
            row.addElement(_ods_cell(None, extra))
        table.addElement(row)
    doc.spreadsheet.addElement(table)
    with atomic_path(path, force) as tmp, open(tmp, "wb") as fh:
        doc.write(fh)


# --- by file ending -------------------------------------------------------------------


FORMATS = (".json", ".jsonl", ".csv", ".xlsx", ".ods")


def check_output(path: Path | None) -> None:
    """Refuse an output ending no exporter writes, before any form is read."""
    if path is not None and path.suffix.lower() not in FORMATS:
        raise InputError(f"{path.name}: okänt utdataformat; använd {', '.join(FORMATS)}")


def export(results: Iterable[Result], path: Path | None = None, force: bool = False) -> None:
    """Write results to ``path`` (format by its ending), or as JSON to standard output."""
    if path is None:
        if hasattr(sys.stdout, "reconfigure") and (sys.stdout.encoding or "").lower() != "utf-8":
            sys.stdout.reconfigure(encoding="utf-8")
        _json_stream(results, sys.stdout)
        sys.stdout.flush()
        return
    check_output(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _xlsx_file(path, force, results)
    elif suffix == ".ods":
        _ods_file(path, force, results)
    elif suffix == ".csv":
        _text_file(path, force, True, _csv_stream, results)
    else:
        _text_file(path, force, False, _json_stream if suffix == ".json" else _jsonl_stream, results)
