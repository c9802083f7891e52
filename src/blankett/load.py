"""Load: incident records from input files, one :class:`Row` at a time.

The format is chosen by the file's ending; after loading, every format is a
stream of rows with raw values by field key, validated by one code path.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import functools
import io
import json
import re
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, overload

from lxml import etree

from . import protect
from .errors import IS_A_FOLDER, BlankettError, InputError, json_problem, os_problem
from .form import Kind, kind_of
from .held import Held
from .kinds import quoted
from .package import Package, open_package, refuse_dtd, refuse_wide
from .workbook import INSTRUCTIONS, SHEET, Mapping, column_letter, match_columns, normalize, pinned_columns, unguard

# openpyxl is imported when the first workbook is read, not with this module: a JSON or CSV input, and every
# command and server start, do without it (60 ms, and 40-70 ms more where numpy is installed)
if TYPE_CHECKING:
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.workbook.workbook import Workbook, _WorksheetLike
    from python_calamine import CalamineWorkbook


@dataclass
class Row:
    """One record as loaded: where it came from and its raw values (not yet validated)."""

    source: str
    number: int
    unit: str = "post"  # "post" (JSON record) or "rad" (spreadsheet row)
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # the record cannot be read at all (nothing else is checked)
    problems: list[str] = field(default_factory=list)  # cells that cannot be used; the other cells are checked too
    columns: dict[str, str] = field(default_factory=dict)  # field key -> column header as shown
    notes: list[str] = field(default_factory=list)  # warnings about the file, given with its first row
    # extract's own output read back (the overview): its status ("ok", "varning", "fel") and the form it named
    status: str | None = None
    origin: str | None = None
    # the row's own password, from the column fill names (never in data, never shown: repr leaves it out)
    password: str | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        """Where a person finds this record: ``exempel.json post 2``, ``incidenter.xlsx rad 7``."""
        return f"{self.source} {self.unit} {self.number}"

    def describe(self, message: str) -> str:
        """A message about this record, prefixed by where it is."""
        for key, header in self.columns.items():
            field_ref = f'fältet "{key}"'
            if message.startswith(field_ref):
                rest = message[len(field_ref):]
                if rest.startswith(" (") and "): " in rest:  # the label after the key: the header replaces both
                    rest = rest[rest.index("): ") + 1:]
                return f'{self.where}, kolumn "{header}"{rest}'
        return f"{self.where}, {message}"


#: The keys of one entry ``blankett extract`` writes to .json/.jsonl; ``fill`` takes its ``record``.
ENVELOPE = frozenset({"source", "status", "messages", "record"})


def _json_row(row: Row, item: Any) -> Row:
    """A JSON value as a row: a record, or an entry of ``blankett extract`` (its record), or an error."""
    if not isinstance(item, dict):
        row.error = f"{row.where}: posten är inget objekt med fält"
    elif isinstance(item, Repeated) or isinstance(item.get("record"), Repeated):
        row.error = f"{row.where}: {(item if isinstance(item, Repeated) else item['record']).message}"
    elif "record" in item and item.keys() <= ENVELOPE:
        record, status = item.get("record"), item.get("status")
        row.status = status if isinstance(status, str) else None
        row.origin = item.get("source") if isinstance(item.get("source"), str) else None
        if status == "fel" or not isinstance(record, dict):
            source = item.get("source") or "blanketten"
            row.error = (f"{row.where}: {source} kunde inte läsas av blankett extract (status fel) och fylls "
                         "inte i; rätta blanketten och läs den igen")
        else:
            row.data = record
    else:
        row.data = item
    return row


class NotJsonError(ValueError):
    """Text Python's json module reads but JSON is not: NaN, Infinity, a number past a float, nesting too deep."""


def _no_constant(name: str) -> Any:
    raise NotJsonError(f"{name} är inget JSON-värde (skriv värdet som text)")


def _finite(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise NotJsonError(f"talet {text[:20]} är för stort")
    return number


def _whole(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > sys.get_int_max_str_digits():  # Python refuses to read it, in English
        raise NotJsonError(f"talet {text[:20]}… har {digits} siffror, fler än ett svar kan ha; skriv det som text")
    return int(text)


class Repeated(dict[str, Any]):
    """A JSON object that gave one key two different values: Python keeps the last and drops the other
    unseen, but which one the person meant cannot be known. ``message`` names the key."""

    message = ""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        for key, value in pairs:
            if obj[key] != value:
                repeated = Repeated(obj)
                repeated.message = (f"nyckeln {quoted(key)} står två gånger med olika värden, och vilket som gäller går "
                                    "inte att veta; ta bort det ena")
                return repeated
    return obj


def parse_json(text: str | bytes, *, repeated: bool = False) -> Any:
    """JSON as the standard has it; :class:`NotJsonError` says in Swedish what it is not.

    Python's own parser takes NaN and Infinity (a file would be named ``Bilaga5-Infinity.docx``), makes
    1e400 infinite, refuses a whole number of more than 4 300 digits in English, recurses once per ``[``:
    100 000 of them are a RecursionError, not a message, and keeps the last of a key's two values.
    A key given two different values is refused, or with ``repeated`` its object is a :class:`Repeated`
    (so that a file of records refuses that record alone).
    """
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite, parse_int=_whole,
                          object_pairs_hook=_object)
    except RecursionError:
        raise NotJsonError("JSON-texten är för djupt nästlad") from None
    if not repeated:
        _refuse_repeated(data)
    return data


def _refuse_repeated(data: Any) -> None:
    """:class:`NotJsonError` for the first object, however deep, that gave a key two values."""
    stack = [data]
    while stack:  # not recursive: the nesting is as deep as the JSON's
        value = stack.pop()
        if isinstance(value, Repeated):
            raise NotJsonError(value.message)
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _json_rows(path: Path) -> Iterator[Row]:
    try:
        data = parse_json(path.read_text(encoding="utf-8-sig"), repeated=True)  # told per record, in _json_row
    except OSError as exc:
        raise InputError(f"{path.name}: {os_problem(exc)}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: filen är inte UTF-8-kodad") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path.name}: ogiltig JSON på rad {exc.lineno}, kolumn {exc.colno} ({json_problem(exc)})"
                         ) from None
    except NotJsonError as exc:
        raise InputError(f"{path.name}: ogiltig JSON: {exc}") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError(f"{path.name}: JSON-filen ska innehålla en post eller en lista med poster")
    for n, item in enumerate(data, start=1):
        yield _json_row(Row(path.name, n), item)


def _jsonl_rows(path: Path) -> Iterator[Row]:
    try:
        fh = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path.name}: {os_problem(exc)}") from None
    with fh:
        try:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    item = parse_json(line)
                except json.JSONDecodeError as exc:
                    yield Row(path.name, n, "rad", error=f"{path.name} rad {n}: ogiltig JSON i kolumn {exc.colno} "
                                                            f"({json_problem(exc)})")
                    continue
                except NotJsonError as exc:
                    yield Row(path.name, n, "rad", error=f"{path.name} rad {n}: ogiltig JSON ({exc})")
                    continue
                if not isinstance(item, dict):
                    yield Row(path.name, n, "rad", error=f"{path.name} rad {n}: raden är inget objekt med fält")
                    continue
                yield _json_row(Row(path.name, n, "rad"), item)
        except UnicodeDecodeError:
            raise InputError(f"{path.name}: filen är inte UTF-8-kodad") from None


# --- spreadsheets (.xlsx, .ods, .csv): columns matched by workbook.match_columns ----------------


#: Day 0 of Excel's (Windows) date numbers, as openpyxl's ``WINDOWS_EPOCH`` (tests/test_load_more.py compares them).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _blank(value: Any) -> bool:
    """Whether a cell counts as empty (nothing, or only spaces)."""
    return value is None or (isinstance(value, str) and value.strip() == "")


def _excel_date(value: Any, epoch: dt.datetime) -> Any:
    """A date cell's value: an Excel serial number becomes a date; ÅÅÅÅMMDD numbers stay for kinds.parse_date."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, int) and 10_000_000 <= value <= 99_999_999:
        return value
    if value < 0:  # Excel shows a negative date as ####; openpyxl counts it back before 1900 without a word
        return value
    from openpyxl.utils.datetime import from_excel

    try:
        day = from_excel(value, epoch)
    except (OverflowError, ValueError):
        return value
    # below 1 openpyxl gives a time of day, and the message quoted "00:00:00" for the 0 a person typed
    return day if isinstance(day, dt.datetime) else value


def _as_text(value: Any) -> Any:
    """A number or Excel date in a text column as the text a person sees."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def _cell(key: str, value: Any, epoch: dt.datetime) -> Any:
    """A raw cell value prepared for the field's lenient parser (kinds.PARSERS)."""
    kind = kind_of(key)
    if kind is Kind.DATE:
        return _excel_date(value, epoch)
    if kind is Kind.LIST:  # a cell holds the list one point per line; the model takes only lists
        text = _as_text(value)
        return text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if isinstance(text, str) else text
    if kind in (None, Kind.TEXT, Kind.CHOICES):
        return _as_text(value)
    return value


@functools.cache
def _error_codes() -> tuple[str, ...]:
    """Excel's error values (#DIV/0! …), which a failed formula's cell holds."""
    from openpyxl.cell.cell import ERROR_CODES

    return tuple(ERROR_CODES)


def _sheet_row(source: str, number: int, values: Sequence[Any], mapping: Mapping,
               epoch: dt.datetime = EXCEL_EPOCH, uncached: frozenset[str] = frozenset(),
               formulas: bool = True, failed: frozenset[str] = frozenset(), failed_forms: bool = False) -> Row | None:
    """One spreadsheet row as a :class:`Row`; None for a row with nothing in it.

    A cell whose formula failed is a problem of the row, and the row's other cells are still
    checked, so that every problem of a row is told in one run. A CSV file has no formulas
    (``formulas=False``): there ``#DIV/0!`` is text like any other.
    """
    data: dict[str, Any] = {}
    errors: list[str] = []
    row = Row(source, number, "rad", columns=mapping.shown)
    for pos, key in mapping.keys.items():
        value = values[pos] if pos < len(values) else None
        cell = f"{column_letter(pos + 1)}{number}"
        if value is None and cell in uncached:
            errors.append(f'kolumn "{mapping.shown[key]}": formeln i cell {cell} saknar sparat värde '
                          "(öppna filen i Excel och spara den igen)")
        elif (formulas and isinstance(value, str) and value in _error_codes()) or cell in failed:
            errors.append(f'kolumn "{mapping.shown[key]}": formeln i cell {cell} ger felet {value}')
        elif not _blank(value):
            data[key] = _cell(key, value, epoch)
    for header, pos in mapping.extra.items():  # extract's status and file columns, for the overview
        value = values[pos] if pos < len(values) else None
        if isinstance(value, str) and value.strip():
            if header == "Status":
                row.status = value.strip()
            elif header == "Fil":
                row.origin = value.strip()
    if row.status == "fel":  # a form extract could not read: no record; the overview tells it (failed_forms)
        return row if failed_forms else None
    if not errors and not data:
        return None
    row.problems = [f"{row.where}, {e}" for e in errors]
    row.data = data
    return row


def _sheet_rows(source: str, rows: Iterator[Sequence[Any]], pinned: dict[int, str] | None = None,
                epoch: dt.datetime = EXCEL_EPOCH, uncached: frozenset[str] = frozenset(),
                formulas: bool = True, file_notes: Sequence[str] = (),
                failed: frozenset[str] = frozenset(), failed_forms: bool = False,
                password_column: str | None = None) -> Iterator[Row]:
    """Rows of a sheet whose first row holds the headers; empty rows skipped, the file's notes and column
    warnings on the first row. ``password_column``: the header of each row's own password, taken out of the
    row (into :attr:`Row.password`) before any cell is matched to a field."""
    header = next(rows, None)
    if header is None:
        return
    secret = None
    if password_column is not None:
        header, secret = _without_column(header, password_column, source)
        pinned = {pos: key for pos, key in (pinned or {}).items() if pos != secret}
    mapping = match_columns(header, pinned, source)
    if not mapping.keys:
        raise InputError(f"{source}: ingen kolumn känns igen; rad 1 ska innehålla rubrikerna "
                         "(se blankett workbook)")
    notes = [*file_notes, *mapping.warnings]
    headed = {pos for pos, text in enumerate(header) if not _blank(text) or pos == secret}
    for number, values in enumerate(rows, start=2):
        row = _sheet_row(source, number, values, mapping, epoch, uncached, formulas, failed, failed_forms)
        if row is not None:
            if secret is not None and password_column is not None:
                _take_password(row, values[secret] if secret < len(values) else None, password_column)
            row.notes, notes = [*notes, *_headless(row, values, headed)], []
            yield row


def _headless(row: Row, values: Sequence[Any], headed: set[int]) -> list[str]:
    """A warning naming the row's cells under no header: they match no field and were left out unsaid (text
    typed one column too far, a CSV line with a delimiter too many)."""
    cells = [f"{column_letter(pos + 1)}{row.number}" for pos, value in enumerate(values)
             if pos not in headed and not _blank(value)]
    if not cells:
        return []
    if len(cells) == 1:
        return [f"{row.where}: cellen {cells[0]} har ett värde men ingen rubrik på rad 1 och lästes inte"]
    return [f"{row.where}: cellerna {', '.join(cells)} har värden men ingen rubrik på rad 1 och lästes inte"]


def _without_column(header: Sequence[Any], column: str, source: str) -> tuple[list[Any], int]:
    """The headers with the password column's left empty (so it is neither a field nor an unknown column), and
    that column's position; a column that is not there is one Swedish line (naming the column, never a value)."""
    wanted = normalize(column)
    found = [pos for pos, text in enumerate(header) if text is not None and normalize(str(text)) == wanted]
    if not found:
        raise InputError(f'{source}: kolumnen "{column}" med lösenord per rad finns inte på rad 1')
    blanked = list(header)
    blanked[found[0]] = None
    return blanked, found[0]


def _password_cell(value: Any) -> str | None:
    """A password cell as text (a number typed in Excel stays its digits); None when empty."""
    text = _as_text(value)
    return text if isinstance(text, str) and text != "" else None


def _take_password(row: Row, value: Any, column: str) -> None:
    """The row's own password from its cell. A value that is no text (``true``, SANT in a sheet, a list) is a
    problem of the row named as what it is, never "empty", and never quoted (it was meant as a password)."""
    if isinstance(value, (bool, list, dict)):
        what = ("ett sanningsvärde (SANT/FALSKT, true/false)" if isinstance(value, bool)
                else "en lista" if isinstance(value, list) else "ett objekt")
        row.problems.append(f'{row.where}: lösenordet i "{column}" är {what}, ingen text; blanketten skrivs inte. '
                            "Skriv lösenordet som text och kör igen.")
        return
    row.password = _password_cell(value)


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _scan_part(pkg: Package, member: str, what: str) -> bool:
    """Stream one XML part, refusing a DTD or entity declaration; whether it holds a formula."""
    formula, tail = False, b""
    with pkg.zip.open(member) as fh:
        while chunk := fh.read(1 << 20):
            if not tail:
                refuse_wide(chunk, what)
            data = tail + chunk
            refuse_dtd(data, what)
            formula = formula or bool(_FORMULA.search(data))
            tail = data[-16:]
    return formula


#: What an Office package is, by the part only that kind has (OOXML) or by its ``mimetype`` member (ODF).
_OOXML_KINDS = (("word/document.xml", "ett Word-dokument (.docx)"), ("xl/workbook.xml", "en Excel-arbetsbok (.xlsx)"),
                ("ppt/presentation.xml", "en PowerPoint-presentation (.pptx)"))
_ODF_KINDS = {b"application/vnd.oasis.opendocument.text": "ett Writer-dokument (.odt)",
              b"application/vnd.oasis.opendocument.spreadsheet": "en Calc-arbetsbok (.ods)"}
XLSX_KIND, ODS_KIND = _OOXML_KINDS[1][1], _ODF_KINDS[b"application/vnd.oasis.opendocument.spreadsheet"]
_DOCUMENT_KINDS = (_OOXML_KINDS[0][1], _ODF_KINDS[b"application/vnd.oasis.opendocument.text"])  # a form, maybe


def _kind(pkg: Package) -> str:
    """What an Office package is, as a person names it; "" when no part says (a broken one: its parser tells)."""
    if "mimetype" in pkg.names:
        with pkg.zip.open("mimetype") as fh:
            return _ODF_KINDS.get(fh.read(100).strip(), "ett OpenDocument-dokument av annat slag")
    return next((kind for member, kind in _OOXML_KINDS if member in pkg.names), "")


def _refuse_other_kind(pkg: Package, name: str, wanted: str) -> None:
    """One Swedish line for a package that is not the workbook its ending says (a filled form renamed .xlsx): the
    parser's own complaint was only its class name ("Excel-filen kan inte läsas (OSError)")."""
    kind = _kind(pkg)
    if kind not in ("", wanted):
        advice = "; en ifylld blankett läses med blankett extract" if kind in _DOCUMENT_KINDS else ""
        raise InputError(f"{name}: filen är {kind}, inte {wanted}{advice}")


def _check_xlsx(path: Path, data: bytes | None = None, wanted: str = XLSX_KIND) -> set[str]:
    """Refuse an unsafe workbook, or another kind of document, before openpyxl reads it; the sheet parts that hold
    formulas.

    Parts are streamed, so a large sheet costs no memory here; the package's size limits still apply.
    ``data``: the workbook decrypted in memory (``path`` only names it).
    """
    with open_package(path if data is None else data, path.name) as pkg:
        _refuse_other_kind(pkg, path.name, wanted)
        formulas: set[str] = set()
        for member in pkg.names:
            if member.endswith((".xml", ".rels", ".vml")):
                found = _scan_part(pkg, member, f"{path.name} ({member})")
                if found and member.startswith("xl/worksheets/"):
                    formulas.add(member)
    return formulas


def _uncached_formulas(path: Path, member: str, data: bytes | None = None) -> frozenset[str]:
    """Cells (``L7``) of a sheet part that hold a formula without a saved value (streamed, row by row)."""
    cells: set[str] = set()
    with open_package(path if data is None else data, path.name) as pkg, pkg.zip.open(member) as fh:
        for row in _streamed(fh, "{*}row"):
            for c in row:
                local = {etree.QName(child).localname: child for child in c}
                value = local.get("v")
                saved = value is not None and (value.text or c.get("t") == "str")  # empty text is a value
                if "f" in local and not saved:
                    cells.add(c.get("r", ""))
    return frozenset(cells)


def _streamed(source: IO[bytes], tag: str) -> Iterator[etree._Element]:
    """The ``tag`` elements of an XML stream one at a time, each freed (with all before it) once it has been used."""
    for _, element in etree.iterparse(source, tag=tag, resolve_entities=False, no_network=True):
        yield element
        element.clear()
        parent = element.getparent()
        while parent is not None and element.getprevious() is not None:
            del parent[0]


class SharedStrings(Sequence[str]):
    """Excel's shared-strings table kept compact (UTF-8 in one buffer), each text decoded when a cell asks.

    openpyxl keeps one Python object per text; for a workbook saved by Excel that is
    most of the memory a large batch needs.
    """

    def __init__(self, source: IO[bytes]) -> None:
        self._data, self._ends = bytearray(), array("Q")
        for si in _streamed(source, "{*}si"):
            self._data += _si_text(si).encode("utf-8", "surrogatepass")
            self._ends.append(len(self._data))

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):  # what a Sequence owes; openpyxl only asks for one text at a time
            return [self[i] for i in range(*index.indices(len(self)))]
        start = self._ends[index - 1] if index > 0 else 0
        return self._data[start:self._ends[index]].decode("utf-8", "surrogatepass")


def _si_text(si: etree._Element) -> str:
    """The text of one shared string without formatting or phonetic guides; its ``_xHHHH_`` escapes are left for
    :func:`_unescape`, which reads Excel's escaped underscore (``_x005F_x000D_``: typed text) as one escape."""
    parts = []
    for child in si:
        name = etree.QName(child).localname
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if etree.QName(t).localname == "t")
    return "".join(parts)


@functools.cache
def _compact_reader() -> type[ExcelReader]:
    """openpyxl's workbook reader with :class:`SharedStrings` in place of its list of texts (made when the first
    workbook is read)."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    class CompactReader(ExcelReader):
        def read_strings(self) -> None:
            """Read the shared-strings part, if any, into a compact table."""
            ct = next(self.package.findall(SHARED_STRINGS), None)  # Manifest.find, which the stubs leave untyped
            if ct is not None:
                with self.archive.open(ct.PartName[1:]) as src:
                    # the stubs say list[str]; openpyxl only indexes it, which a Sequence[str] does
                    self.shared_strings = SharedStrings(src)  # type: ignore[assignment]

    return CompactReader


def _open_workbook(path: Path, data: bytes | None = None) -> Workbook:
    """The workbook, read-only with saved formula values, shared strings kept compact."""
    reader = _compact_reader()(path if data is None else io.BytesIO(data), read_only=True, keep_vba=False,
                            data_only=True, keep_links=False)
    reader.read()
    return reader.wb


def _data_sheet(wb: Workbook, name: str) -> _WorksheetLike:
    """The sheet to read: a visible sheet named like the workbook's, else the first visible one."""
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible" and ws.title != INSTRUCTIONS]
    if not visible:
        raise InputError(f"{name}: arbetsboken har inget synligt blad med data")
    named = [ws for ws in visible if normalize(ws.title) == normalize(SHEET)]
    return (named or visible)[0]


def _unescape(value: Any) -> Any:
    """Text with Excel's ``_x000D_`` escapes (a carriage return from Windows text) turned back into characters."""
    if isinstance(value, str) and "_x" in value:
        from openpyxl.utils.escape import unescape

        return unescape(value)
    return value


def _xlsx_rows(path: Path, failed_forms: bool = False, password_column: str | None = None,
               data: bytes | None = None) -> Iterator[Row]:
    """Rows of an .xlsx: checked first, then streamed by openpyxl (read-only, saved formula values).

    ``data``: the workbook decrypted in memory, when the file is encrypted (nothing decrypted is written)."""
    formulas = _check_xlsx(path, data)
    try:
        wb = _open_workbook(path, data)
    except Exception as exc:  # noqa: BLE001 - any parser failure on an untrusted file is one Swedish line
        raise InputError(f"{path.name}: Excel-filen kan inte läsas ({exc.__class__.__name__})") from None
    try:
        ws = _data_sheet(wb, path.name)
        member = getattr(ws, "_worksheet_path", "")
        uncached = _uncached_formulas(path, member, data) if member in formulas else frozenset()
        names = [(n, d.attr_text) for n, d in wb.defined_names.items()]
        ws.reset_dimensions()  # a wrong <dimension> must not hide rows
        rows = (tuple(map(_unescape, r)) for r in ws.iter_rows(values_only=True))
        yield from _sheet_rows(path.name, rows, pinned_columns(names, ws.title), wb.epoch, uncached,
                               failed_forms=failed_forms, password_column=password_column)
    except BlankettError:
        raise
    except Exception as exc:  # noqa: BLE001 - as above, also for a sheet broken halfway
        raise InputError(f"{path.name}: Excel-filen kan inte läsas ({exc.__class__.__name__})") from None
    finally:
        wb.close()


def _ods_value(value: Any) -> Any:
    """A calamine cell as openpyxl gives the same cell of an .xlsx: whole numbers as int (``20260312`` stays a
    ÅÅÅÅMMDD date for kinds.parse_date), empty as None."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return None if value == "" else value


def _ods_sheet(wb: CalamineWorkbook, name: str) -> str:
    """The sheet to read, chosen as :func:`_data_sheet` chooses it in an .xlsx."""
    from python_calamine import SheetVisibleEnum

    visible = [m.name for m in wb.sheets_metadata if m.visible == SheetVisibleEnum.Visible and m.name != INSTRUCTIONS]
    if not visible:
        raise InputError(f"{name}: kalkylbladet har inget synligt blad med data")
    named = [title for title in visible if normalize(title) == normalize(SHEET)]
    return (named or visible)[0]


def _ods_cells(wb: CalamineWorkbook, title: str, errors: dict[int, dict[int, str]]) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows from A1 (calamine starts at the first cell with data: row numbers must stay Calc's), with
    the text of each error cell (calamine's empty text would be an empty answer)."""
    sheet = wb.get_sheet_by_name(title)
    top, left = sheet.start or (0, 0)
    for _ in range(top):
        yield ()
    for n, row in enumerate(sheet.iter_rows(), start=top):
        values = [None] * left + [_ods_value(v) for v in row]
        for c, text in errors.get(n, {}).items():
            if c < len(values):
                values[c] = text
        yield tuple(values)


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
#: Where an .ods says how many times a row or cell repeats; an error cell repeated more is told once.
_REPEAT_CAP = 1000


def _repeats(element: etree._Element, name: str) -> int:
    try:
        return max(1, int(element.get(f"{{{_TABLE}}}{name}", "1")))
    except ValueError:
        return 1


def _ods_errors(path: Path, title: str) -> dict[int, dict[int, str]]:
    """The formula cells of sheet ``title`` whose result is an error, by row and column (from 0), with the error
    Calc shows (``#DIV/0!``, ``Err:502``).

    calamine gives such a cell as empty text; Calc marks it ``calcext:value-type="error"`` (streamed, row by row).
    """
    errors: dict[int, dict[int, str]] = {}
    row_number, table = 0, None
    with open_package(path) as pkg, pkg.zip.open("content.xml") as fh:
        for row in _streamed(fh, f"{{{_TABLE}}}table-row"):
            owner = next(row.iterancestors(f"{{{_TABLE}}}table"), None)
            name = owner.get(f"{{{_TABLE}}}name") if owner is not None else None
            if name != table:
                row_number, table = 0, name
            rows = _repeats(row, "number-rows-repeated")
            if name == title:
                col = 0
                for c in row:
                    cols = _repeats(c, "number-columns-repeated")
                    if c.get(f"{{{_CALCEXT}}}value-type") == "error":
                        text = "".join(str(t) for t in c.itertext()).strip() or "fel"
                        for r in range(min(rows, _REPEAT_CAP)):
                            errors.setdefault(row_number + r, {}).update(
                                dict.fromkeys(range(col, col + min(cols, _REPEAT_CAP)), text))
                    col += cols
            row_number += rows
    return errors


#: Calc's "Spara med lösenord" for .ods encrypts each part in the ODF way, which no maintained Python library reads.
ODS_ENCRYPTED = ("ODS-filen är lösenordsskyddad, och krypterade .ods-filer kan inte läsas; spara den i Calc som "
                 "Excel 2007-365 (.xlsx) med \"Spara med lösenord\" i stället (eller utan lösenord)")


def _odf_encrypted(path: Path) -> bool:
    """Whether an OpenDocument package's manifest says its parts are encrypted (Calc's "Spara med lösenord")."""
    with open_package(path) as pkg:
        if "META-INF/manifest.xml" not in pkg.names:
            return False
        with pkg.zip.open("META-INF/manifest.xml") as fh:
            return b"encryption-data" in fh.read(MANIFEST_BYTES)


#: A manifest is a few kilobytes; more is not read to look for its encryption entries.
MANIFEST_BYTES = 1 << 20


def _ods_rows(path: Path, failed_forms: bool = False, password_column: str | None = None,
              data: bytes | None = None) -> Iterator[Row]:
    """Rows of an OpenDocument spreadsheet (Calc's own format), read by calamine after the package checks."""
    from python_calamine import CalamineWorkbook

    _check_xlsx(path, wanted=ODS_KIND)  # the same zip-bomb, encryption and DTD checks as an .xlsx before a parser
    if _odf_encrypted(path):
        raise InputError(f"{path.name}: {ODS_ENCRYPTED}")
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - any parser failure on an untrusted file is one Swedish line
        raise InputError(f"{path.name}: ODS-filen kan inte läsas ({exc.__class__.__name__})") from None
    try:
        title = _ods_sheet(wb, path.name)
        errors = _ods_errors(path, title)
        failed = frozenset(f"{column_letter(c + 1)}{r + 1}" for r, cols in errors.items() for c in cols)
        yield from _sheet_rows(path.name, _ods_cells(wb, title, errors), failed=failed, failed_forms=failed_forms,
                               password_column=password_column)
    except BlankettError:
        raise
    except Exception as exc:  # noqa: BLE001 - as above, also for a sheet broken halfway
        raise InputError(f"{path.name}: ODS-filen kan inte läsas ({exc.__class__.__name__})") from None
    finally:
        wb.close()


def _delimiter(first_line: str) -> str:
    """``;`` (Swedish Excel) or ``,``: whichever the header line holds more of."""
    return ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","


#: Swedish Excel's default CSV ("CSV (semikolonavgränsad)") and other Windows programs write this encoding.
CSV_FALLBACK = "cp1252"


def _csv_encoding(path: Path) -> str:
    """``utf-8-sig`` for a file that is valid UTF-8, else :data:`CSV_FALLBACK` (the whole file checked, streamed)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except OSError as exc:
        raise InputError(f"{path.name}: {os_problem(exc)}") from None
    except UnicodeDecodeError:
        return CSV_FALLBACK
    return "utf-8-sig"


def _records(fh: IO[str], delimiter: str, source: str) -> Iterator[list[str]]:
    """The CSV's records, cells unguarded; a quote that opens a cell and never closes is one Swedish line naming
    the row: the reader took the rest of the file, every row after it, as that one cell, and said nothing."""
    ended = False

    def lines() -> Iterator[str]:  # the reader asks for a line past the end only inside an open quote
        nonlocal ended
        yield from fh
        ended = True

    for number, record in enumerate(csv.reader(lines(), delimiter=delimiter), start=1):
        if ended:
            raise InputError(f'{source} rad {number}: citattecknet (") som börjar en cell stängs aldrig, så resten av '
                             "filen blev en enda cell; raden och raderna efter den lästes inte (lägg till det "
                             "avslutande citattecknet)")
        yield [unguard(cell) for cell in record]


#: The csv module's cell limit, one for the whole process: raised for our readings only (:mod:`blankett.held`).
_CELL_LIMIT = Held(csv.field_size_limit, csv.field_size_limit)


def _whole_cells(path: Path) -> contextlib.AbstractContextManager[None]:
    """Let the csv module read a cell as long as the file while this reading runs: it refused one past 131 072
    characters in English and stopped the file there, where an .xlsx or JSON answer of any length is read whole
    (the file's size bounds it)."""
    try:
        size = path.stat().st_size + 1
    except OSError:  # a file that cannot be opened is told by the open
        size = 0
    return _CELL_LIMIT.changed(lambda: csv.field_size_limit(max(csv.field_size_limit(), size)))


def _csv_rows(path: Path, failed_forms: bool = False, password_column: str | None = None,
              data: bytes | None = None) -> Iterator[Row]:
    """Rows of a CSV (UTF-8 with or without BOM, else Windows-1252; ``;`` or ``,``, quoted multi-line cells)."""
    encoding = _csv_encoding(path)
    notes = [] if encoding == "utf-8-sig" else [
        f"{path.name}: filen är inte UTF-8 och lästes som Windows-1252 (som svenska Excel sparar "
        "\"CSV (semikolonavgränsad)\"); kontrollera å, ä och ö"]
    try:
        fh = path.open(encoding=encoding, newline="")
    except OSError as exc:
        raise InputError(f"{path.name}: {os_problem(exc)}") from None
    with fh:
        try:
            delimiter = _delimiter(fh.readline())
            fh.seek(0)
            with _whole_cells(path):
                cells = _records(fh, delimiter, path.name)
                yield from _sheet_rows(path.name, cells, formulas=False, file_notes=notes, failed_forms=failed_forms,
                                       password_column=password_column)
        except UnicodeDecodeError:  # a byte Windows-1252 has no character for: neither encoding fits
            raise InputError(f"{path.name}: filen är varken UTF-8 eller Windows-1252; spara den som CSV med "
                             "teckenkodningen UTF-8 (i Excel \"CSV UTF-8 (kommaavgränsad)\", i LibreOffice Calc "
                             "teckenuppsättningen \"Unicode (UTF-8)\")") from None
        except csv.Error as exc:
            raise InputError(f"{path.name}: trasig CSV-fil ({exc})") from None


LOADERS: dict[str, Callable[..., Iterator[Row]]] = {
    ".json": _json_rows,
    ".jsonl": _jsonl_rows,
    ".xlsx": _xlsx_rows,
    ".xlsm": _xlsx_rows,
    ".ods": _ods_rows,
    ".csv": _csv_rows,
}


#: The file endings ``fill`` reads incidents from (lower case).
INPUT_ENDINGS = frozenset(LOADERS)


#: The spreadsheet loaders: the rows of extract's output whose form it could not read are left out for fill (its
#: status column is not read, the file's warning says) and given to the overview on request, to be told.
SHEET_LOADERS: dict[str, Callable[..., Iterator[Row]]] = {
    ".xlsx": _xlsx_rows, ".xlsm": _xlsx_rows, ".ods": _ods_rows, ".csv": _csv_rows}


def load_rows(path: str | Path, failed_forms: bool = False, *, password: str | None = None,
              password_column: str | None = None) -> Iterator[Row]:
    """The rows of an input file; :class:`InputError` for a file that cannot be read at all.

    ``failed_forms``: also the rows of extract's spreadsheet output with status ``fel`` (no data; their
    ``status`` and ``origin`` say which form), as extract's JSON entries always are. ``password`` opens an
    encrypted .xlsx (decrypted in memory only); ``password_column`` names the column (or JSON key) whose value
    is each row's own password, taken out of the row into :attr:`Row.password`.
    """
    path = Path(path)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        known = ", ".join(sorted(LOADERS))
        raise InputError(f"{path.name}: okänt filformat; använd {known}")
    if not path.exists():
        raise InputError(f"{path}: filen finns inte")
    if path.is_dir():
        raise InputError(f"{path}: {IS_A_FOLDER}")
    sheet = SHEET_LOADERS.get(path.suffix.lower())
    if sheet is not None:
        return sheet(path, failed_forms, password_column, _unlocked_workbook(path, password))
    rows = loader(path)
    return rows if password_column is None else _json_passwords(rows, password_column)


def _unlocked_workbook(path: Path, password: str | None) -> bytes | None:
    """An encrypted .xlsx decrypted in memory (Excel's "Kryptera med lösenord", Calc's "Spara med lösenord");
    None for a file that is not encrypted. The three refusals (no password, a wrong one, an encryption that
    cannot be opened) are one Swedish line each, naming the file."""
    if path.suffix.lower() not in protect.OFFICE_ENDINGS:
        return None
    try:
        return protect.unlocked(path, password)
    except OSError as exc:
        raise InputError(f"{path.name}: {os_problem(exc)}") from None


def _json_passwords(rows: Iterator[Row], column: str) -> Iterator[Row]:
    """JSON records with each one's password taken out of its key ``column`` (so it is never a field), the key
    matched as a sheet's header is (case and spaces aside)."""
    wanted = normalize(column)
    for row in rows:
        keys = [k for k in row.data if isinstance(k, str) and normalize(k) == wanted] if isinstance(row.data, dict) else []
        value = row.data.pop(keys[0]) if keys else None
        _take_password(row, value, keys[0] if keys else column)  # a number is its digits, as in a sheet
        yield row
