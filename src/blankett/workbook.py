"""Workbook: the spreadsheet columns of the form, the input workbook, and header matching.

Everything here is derived from :data:`form.FIELDS` (plus the optional
registration columns first, :data:`form.REGISTRATION`): the workbook ``blankett workbook`` writes, the rows a
later export writes, and how the reader maps the headers of any .xlsx or .csv
back to field keys. Writer and reader use the same :func:`columns`, so they
cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from . import kinds
from .form import FIELDS, LIST_ITEMS, REGISTRATION, Kind, Registration
from .model import Record

# openpyxl is imported by the functions that write a workbook or read a column's letter, not with this module: the
# header matching here is loaded by every command and the server, most of which never touch a workbook (openpyxl
# took 60 ms of each start, and 40-70 ms more where numpy is installed, which openpyxl then loads)
if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

#: What starts a formula in a spreadsheet cell (OWASP "CSV injection"), and a line break: a spreadsheet that
#: trims a cell's leading white space (or a person who deletes the empty first line) is left with what follows it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def guard(text: str) -> str:
    """A text that no spreadsheet runs as a formula: a leading ``'`` before = + - @ tab, CR or LF (OWASP)."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def unguard(text: str) -> str:
    """The text :func:`guard` was given: an extracted CSV read back by ``fill`` gives the answers as written."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


#: Name of the data sheet and of the instructions sheet.
SHEET = "Incidenter"
INSTRUCTIONS = "Instruktioner"
#: Prefix of the defined names that tie a column to its field key (survive renaming and moving columns).
NAME_PREFIX = "blankett."
#: Excel number format of date cells (shown as ÅÅÅÅ-MM-DD).
DATE_FORMAT = "yyyy-mm-dd"
#: Last row of a sheet: drop-downs and date checks cover every row below the header.
LAST_ROW = 1_048_576
#: Excel's limit of characters in one cell.
EXCEL_CELL_LIMIT = 32767

_WIDTH = {Kind.TEXT: 40, Kind.JANEJ: 14, Kind.DATE: 14, Kind.LIST: 40, Kind.CHOICES: 24, None: 18}


class _Styles(NamedTuple):
    header_fill: PatternFill
    header_font: Font
    header_border: Border
    wrap: Alignment


@functools.cache
def _styles() -> _Styles:
    """The workbook's header and cell styles, made once, when the first workbook is written."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    return _Styles(PatternFill("solid", fgColor="DCE6F1"), Font(bold=True),
                   Border(bottom=Side(style="medium", color="4F81BD")), Alignment(wrap_text=True, vertical="top"))


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: the field key, its Swedish header, the full question and the kind."""

    key: str
    header: str
    question: str
    kind: Kind | None  # None: the case number column (plain text, not on the form)
    choices: tuple[str, ...] = ()  # a multi-choice column's allowed values

    @property
    def width(self) -> int:
        """Column width in characters."""
        return max(_WIDTH[self.kind], min(len(self.header) + 4, 40))


def _registration_column(r: Registration) -> Column:
    """A registration field's column (not on the form): the case number's kind is None, as it always was."""
    return Column(r.key, r.label, f"{r.description} (valfritt)", None if r.kind is Kind.TEXT else r.kind, r.choices)


def columns() -> list[Column]:
    """Every column in order: the registration fields first, then the form's fields in form order."""
    first = [_registration_column(r) for r in REGISTRATION]
    return first + [Column(f.key, f.column, f.question, f.kind) for f in FIELDS]


# --- reading: header -> key -------------------------------------------------


def normalize(header: Any) -> str:
    """A header compared case- and whitespace-insensitively."""
    return " ".join(str(header).split()).casefold() if header is not None else ""


def _header_index() -> dict[str, str]:
    """Normalized key, short label and (when unique) printed question -> field key."""
    index: dict[str, str] = {}
    labels = [f.label for f in FIELDS]
    for col in columns():
        index[normalize(col.key)] = col.key
        index[normalize(col.header)] = col.key
    for f in FIELDS:
        if labels.count(f.label) == 1:
            index.setdefault(normalize(f.label), f.key)
    return index


_INDEX = _header_index()


def key_for(header: Any) -> str | None:
    """The field key a header names (by key or label, any case and spacing), or None."""
    return _INDEX.get(normalize(header))


#: Headers of the columns ``extract`` adds after the form's (source file, status, messages);
#: a sheet given back to ``fill`` may carry them: they are not read, which one warning says.
EXTRA_HEADERS = ("Fil", "Status", "Meddelanden")
#: fill's warning about them (the overview reads them, so leaves this warning out).
EXTRA_NOTE = "kommer från blankett extract och lästes inte; bara svaren fylls i"


@dataclass
class Mapping:
    """How a sheet's columns map to fields: position -> key, the headers as shown, and warnings."""

    keys: dict[int, str]
    shown: dict[str, str]
    warnings: list[str]
    #: Positions of extract's own columns (header -> position): the overview reads its status and file columns.
    extra: dict[str, int] = field(default_factory=dict)


def match_columns(headers: Sequence[Any], pinned: dict[int, str] | None = None, source: str = "") -> Mapping:
    """Map header cells (0-based positions) to keys; ``pinned`` positions (from defined names) win."""
    keys: dict[int, str] = {}
    shown: dict[str, str] = {}
    unknown: list[str] = []
    doubles: list[str] = []
    extra: list[str] = []
    extra_at: dict[str, int] = {}
    pinned = pinned or {}
    for pos, header in enumerate(headers):
        key = pinned.get(pos) or key_for(header)
        text = " ".join(str(header).split()) if header is not None else ""
        if key is None:
            if text in EXTRA_HEADERS:
                extra.append(text)
                extra_at.setdefault(text, pos)
            elif text:
                unknown.append(text)
            continue
        if key in shown:
            doubles.append(text or column_letter(pos + 1))
            continue
        keys[pos] = key
        shown[key] = text or column_letter(pos + 1)
    warnings = []
    prefix = f"{source}: " if source else ""
    if unknown:
        names = ", ".join(f'"{u}"' for u in unknown)
        warnings.append(f"{prefix}okända kolumner lästes inte: {names}")
    if doubles:
        names = ", ".join(f'"{d}"' for d in doubles)
        warnings.append(f"{prefix}kolumner som förekommer två gånger (den första används): {names}")
    if extra:
        names = ", ".join(f'"{e}"' for e in extra)
        warnings.append(f"{prefix}kolumnerna {names} {EXTRA_NOTE}")
    return Mapping(keys, shown, warnings, extra_at)


_LETTERS: dict[int, str] = {}  # at most Excel's 16 384 columns


def column_letter(number: int) -> str:
    """A column's letters (1 is A), as Excel shows them; remembered, since a sheet's reader asks per cell."""
    letter = _LETTERS.get(number)
    if letter is None:
        from openpyxl.utils import get_column_letter

        letter = _LETTERS[number] = get_column_letter(number)
    return letter


_REF = re.compile(r"^(?:'?(?P<sheet>[^!]+?)'?!)?\$?(?P<col>[A-Z]{1,3})(?:\$?\d+)?(?::\$?[A-Z]{1,3}(?:\$?\d+)?)?$")


def pinned_columns(defined: Iterable[tuple[str, str]], sheet: str) -> dict[int, str]:
    """0-based column positions of the ``blankett.<key>`` defined names that point into ``sheet``."""
    known = {c.key for c in columns()}
    pinned: dict[int, str] = {}
    for name, ref in defined:
        if not name.startswith(NAME_PREFIX) or name[len(NAME_PREFIX):] not in known:
            continue
        m = _REF.match(ref or "")
        if m and (m.group("sheet") is None or m.group("sheet").strip("'") == sheet):
            from openpyxl.utils import column_index_from_string

            pinned[column_index_from_string(m.group("col")) - 1] = name[len(NAME_PREFIX):]
    return pinned


# --- writing ------------------------------------------------------------------


def cell_value(column: Column, value: Any) -> Any:
    """A record's value (as a record or as JSON gives it) as an Excel cell value."""
    if value is None or value == [] or value == "":
        return None
    if column.kind is Kind.DATE:
        return value if isinstance(value, dt.date) else kinds.parse_date(value)
    if column.kind is Kind.LIST:
        return "\n".join(value) if isinstance(value, (list, tuple)) else value
    if column.kind is Kind.CHOICES:
        return kinds.CHOICE_JOIN.join(value) if isinstance(value, (list, tuple)) else value
    return value


def _style_header(ws: Worksheet, cols: list[Column]) -> None:
    """Row 1: bold shaded labels, the full question as comment, frozen, filtered."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment

    style = _styles()
    for n, col in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=n, value=col.header)
        cell.font = style.header_font
        cell.fill = style.header_fill
        cell.border = style.header_border
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        comment = Comment(col.question, "blankett", width=320, height=140)
        cell.comment = comment
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{column_letter(len(cols))}1"


def _style_columns(ws: Worksheet, cols: list[Column]) -> None:
    """Widths, wrapping, date format and Ja/Nej drop-downs for the input rows."""
    from openpyxl.worksheet.datavalidation import DataValidation

    janej = DataValidation(type="list", formula1='"Ja,Nej"', allow_blank=True, showErrorMessage=True,
                           errorTitle="Ja eller Nej", error="Välj Ja eller Nej i listan, eller lämna tomt.")
    dates = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                           showErrorMessage=True, errorTitle="Datum",
                           error="Skriv ett datum, till exempel 2026-03-04.")
    ws.add_data_validation(janej)
    ws.add_data_validation(dates)
    last = LAST_ROW
    for n, col in enumerate(cols, start=1):
        letter = column_letter(n)
        dim = ws.column_dimensions[letter]
        dim.width = col.width
        dim.alignment = _styles().wrap
        if col.kind is Kind.DATE:
            dim.number_format = DATE_FORMAT
            dates.add(f"{letter}2:{letter}{last}")
        elif col.kind is Kind.JANEJ:
            janej.add(f"{letter}2:{letter}{last}")
        elif col.kind is Kind.CHOICES:
            ws.add_data_validation(_choices_validation(col, f"{letter}2:{letter}{last}"))


def _choices_validation(col: Column, cells: str) -> DataValidation:
    """A multi-choice column's help: the allowed values shown when a cell is chosen. A drop-down list would
    refuse two values in one cell ("hot; våld"), so Excel only shows them and ``fill`` checks them."""
    from openpyxl.worksheet.datavalidation import DataValidation

    check = DataValidation(type="custom", formula1="TRUE", allow_blank=True, showInputMessage=True,
                           promptTitle=col.header[:32], prompt=_choices_prompt(col)[:255])
    check.add(cells)
    return check


def _choices_prompt(col: Column) -> str:
    """The allowed values, and how to give several."""
    return f"{', '.join(col.choices)}. Flera: skilj dem åt med semikolon."


def _define_names(wb: Workbook, cols: list[Column]) -> None:
    """A defined name ``blankett.<key>`` per column, so moved or renamed columns still map."""
    from openpyxl.workbook.defined_name import DefinedName

    for n, col in enumerate(cols, start=1):
        letter = column_letter(n)
        name = DefinedName(f"{NAME_PREFIX}{col.key}", attr_text=f"'{SHEET}'!${letter}:${letter}")
        wb.defined_names[name.name] = name


def append_records(ws: Worksheet, records: Iterable[Record], cols: list[Column] | None = None) -> int:
    """Append one row per record (dict by key) with real dates and wrapped text; the number of rows."""
    cols = cols or columns()
    wrap = _styles().wrap
    count = 0
    for record in records:
        values = [cell_value(col, record.get(col.key)) for col in cols]
        ws.append(values)
        count += 1
        for n, col in enumerate(cols, start=1):
            cell = ws.cell(row=ws.max_row, column=n)
            cell.alignment = wrap
            if col.kind is Kind.DATE:
                cell.number_format = DATE_FORMAT
    return count


def _instructions(wb: Workbook, cols: list[Column]) -> None:
    """The ``Instruktioner`` sheet, in Swedish: how to fill in and what each column means."""
    from openpyxl.styles import Font

    style = _styles()
    ws = wb.create_sheet(INSTRUCTIONS)
    lines = [
        "Bilaga 5 – Incidentrapport: inmatning i Excel",
        "",
        "Så fyller du i",
        f"1. Skriv en incident per rad på bladet {SHEET}, med början på rad 2. Rad 1 är rubrikerna.",
        "2. Håll muspekaren över en rubrik för att se hela frågan som den står på blanketten.",
        "3. Ja/Nej-kolumner: välj Ja eller Nej i listan, eller lämna tomt om frågan inte är besvarad.",
        "4. Datum skrivs ÅÅÅÅ-MM-DD, till exempel 2026-03-04.",
        ("5. Ny rad i ett svar: Alt+Enter i Excel (Mac: Ctrl+Option+Enter), Ctrl+Enter i LibreOffice Calc. "
         "Radbrytningen följer med till blanketten."),
        f"6. Sårbarheter: högst {LIST_ITEMS} punkter, en punkt per rad i cellen.",
        ("7. Diarienummer är valfritt. Finns det blir det filens namn, annars radens nummer. "
         "Skriv aldrig namn på personer i diarienummerkolumnen. Händelsedatum, Typ av händelse och Kanal är "
         "valfria och skrivs inte på blanketten; flera typer eller kanaler skiljs åt med semikolon."),
        "8. Tomma rader hoppas över. Kolumner får flyttas, döljas eller döpas om; extra kolumner läses inte.",
        "9. Använd inte formler som hämtar data från andra filer; spara alltid filen i Excel innan du kör.",
        "",
        "Så skapar du blanketterna",
        "Spara filen och kör i ett terminalfönster:",
        "    blankett fill Bilaga5-inmatning.xlsx",
        ("En Word-fil (.docx) per ifylld rad hamnar i mappen out/. Fel visas med rad och kolumn; "
         "övriga rader skrivs ändå. Kontrollera utan att skriva något: "
         "blankett fill --check Bilaga5-inmatning.xlsx"),
        "",
        "Kolumnerna",
    ]
    for text in lines:
        ws.append([text])
    for row in (1, 3, 14, 19):
        ws.cell(row=row, column=1).font = Font(bold=True, size=14 if row == 1 else 12)
    ws.append(["Kolumn", "Fråga på blanketten", "Så fyller du i"])
    header = ws.max_row
    for n in range(1, 4):
        ws.cell(row=header, column=n).font = style.header_font
        ws.cell(row=header, column=n).fill = style.header_fill
    for col in cols:
        ws.append([col.header, col.question, _choices_prompt(col) if col.choices else _HOW[col.kind]])
        for n in range(1, 4):
            ws.cell(row=ws.max_row, column=n).alignment = style.wrap
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 45


_HOW = {
    None: "Valfritt ärendenummer; blir filnamnet.",
    Kind.TEXT: "Fritext. Ny rad: Alt+Enter i Excel, Ctrl+Enter i Calc.",
    Kind.JANEJ: "Ja, Nej eller tomt (inte besvarat).",
    Kind.DATE: "Datum, ÅÅÅÅ-MM-DD.",
    Kind.LIST: f"Högst {LIST_ITEMS} punkter, en per rad (Alt+Enter i Excel, Ctrl+Enter i Calc).",
}


def new_workbook(records: Iterable[Record] = ()) -> Workbook:
    """The styled input workbook, with ``records`` (dicts by key) as rows below the header."""
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's active sheet is its one worksheet
    ws.title = SHEET
    cols = columns()
    _style_header(ws, cols)
    _style_columns(ws, cols)
    _define_names(wb, cols)
    append_records(ws, records, cols)
    _instructions(wb, cols)
    wb.properties.creator = "blankett"
    wb.properties.lastModifiedBy = "blankett"
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 1, 1)
    return wb


def workbook_bytes(records: Iterable[Record] = ()) -> bytes:
    """The input workbook (optionally with rows) as .xlsx bytes."""
    buf = io.BytesIO()
    new_workbook(records).save(buf)
    return buf.getvalue()
