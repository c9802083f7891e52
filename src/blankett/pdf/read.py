"""Read back a filled PDF of the form: its fields, by name, read by the same rules as a .docx's controls.

The fields are handed to :mod:`controls` as if they were content controls, so a
PDF and a .docx answer can never be read differently. Registered for ``.pdf`` in
:data:`blankett.readback.READERS_BY_SUFFIX`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from .. import controls, kinds, ooxml
from ..errors import InputError, os_problem
from ..form import FIELDS, PLACEHOLDER, TAGS, Kind
from ..model import registration_values
from ..notform import not_the_form
from ..package import parse_xml
from .common import CASE_XMP_NS, MAX_PDF, OFF, quiet_pypdf
from .embedded import embedded_record
from .pypdf_private import pdfdoc_characters

if TYPE_CHECKING:  # pdfminer and the page-text reader are imported only when a PDF without fields is read
    from pdfminer.layout import LTChar, LTComponent, LTPage  # (95 ms at every start otherwise)

    from .. import pagetext

_PLACEHOLDERS = frozenset(PLACEHOLDER.values())
#: A PDF without a single form field: a flattened or printed copy, whose answers are only drawn text.
NO_FIELDS = ("PDF-filen har inga ifyllbara fält (svaren är vanlig text, till exempel efter fill --flatten eller "
             "utskrift till PDF); extract läser svaren från sidornas text")
#: The one line a form read from its page text carries: the answers were placed by their position on the page.
FROM_PAGE_TEXT = ("PDF-filen har inga ifyllbara fält; svaren lästes från sidornas text (utskriven, exporterad eller "
                  "plattad PDF) – kontrollera dem")
#: A PDF without fields whose pages hold no text: a scan, read only by OCR.
NO_TEXT = "PDF-filen har varken ifyllbara fält eller text (en skannad blankett?) och kan inte läsas tillbaka"
#: Pages of a PDF without fields whose text is read (the form has five, a continuation page one more).
MAX_TEXT_PAGES = 20


def _bytes(source: str | Path | bytes, name: str) -> bytes:
    """The file's bytes (refused past :data:`MAX_PDF` before reading)."""
    if isinstance(source, (str, Path)):
        try:
            if Path(source).stat().st_size > MAX_PDF:
                raise InputError(f"{name}: PDF-filen är större än {MAX_PDF // (1024 * 1024)} MB och läses inte")
            source = Path(source).read_bytes()
        except OSError as exc:
            raise InputError(f"{name}: {os_problem(exc)}") from None
    return source


def open_pdf(source: str | Path | bytes, name: str) -> PdfReader:
    """The PDF, refused with a Swedish message when empty, too big, not a PDF, broken or encrypted."""
    data = _bytes(source, name)
    if not data:
        raise InputError(f"{name}: filen är tom")
    if len(data) > MAX_PDF:
        raise InputError(f"{name}: PDF-filen är större än {MAX_PDF // (1024 * 1024)} MB och läses inte")
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise InputError(f"{name}: filen är ingen PDF")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except MemoryError:  # past the reading worker's memory limit: said as such, not as a broken file
        raise
    except Exception:  # noqa: BLE001 - any parser failure is a broken file
        raise InputError(f"{name}: PDF-filen är trasig och kan inte läsas") from None
    if encrypted:
        raise InputError(f"{name}: PDF-filen är lösenordsskyddad (krypterad); spara den utan lösenord")
    return reader


def _values(reader: PdfReader, name: str) -> dict[str, Any]:
    """The form fields' values by name (check boxes as their state names)."""
    try:
        fields = reader.get_fields() or {}
        out = {}
        for key, field in fields.items():
            value = field.get("/V")
            if value is None and "/Kids" not in field:  # a box ticked in its appearance alone (pypdf's Field
                widget = field.indirect_reference          # leaves /AS out: read it from the widget itself)
                value = widget.get_object().get("/AS") if widget is not None else None
            out[str(key)] = value
        return out
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - a broken AcroForm is a broken file
        raise InputError(f"{name}: PDF-filens formulärfält är trasiga och kan inte läsas") from None


def _undecoded_table() -> dict[int, str]:
    """Latin-1 characters to PDFDocEncoding's, for the bytes of a string pypdf left undecoded; a byte without a
    character of its own: U+FFFD for 0x9F (qpdf, and so pikepdf, writes the replacement character as that byte),
    the Latin-1 character for 0x7F and 0xAD (MuPDF writes U+007F as the byte 0x7F)."""
    table = {byte: char for byte, char in enumerate(pdfdoc_characters()) if char != chr(byte) and char != "\x00"}
    table[0x9F] = "\ufffd"
    return table


_UNDECODED = _undecoded_table()


def _text(value: Any) -> str:
    """A text field's value as clean text; a left placeholder counts as empty."""
    if value is None or isinstance(value, (list, DictionaryObject)):
        return ""
    if isinstance(value, bytes):  # a PDFDocEncoding string pypdf gave up on (a byte without a character): every
        value = value.decode("latin-1").translate(_UNDECODED)  # other byte still PDFDocEncoding's ("•" is 0x80)
    text, _ = kinds.clean_text(str(value))
    return "" if text.strip() in _PLACEHOLDERS else text


def _checked(value: Any) -> bool:
    """True for any on-state (``/Yes``, ``/On``, ``/☒``…), False for ``/Off`` or nothing."""
    return value is not None and str(value) not in ("", OFF, "Off")


def _as_controls(values: dict[str, Any]) -> controls.ByTag:
    """The PDF's fields as the controls a .docx reader reads, so that both read by the same rules."""
    read: controls.ByTag = {}
    for f in FIELDS:
        for tag in TAGS[f.key]:
            if tag not in values:
                continue
            value = values[tag]
            if f.kind is Kind.JANEJ:
                read[tag] = ooxml.Control(None, "checkbox", _checked(value), None, "")
            else:
                read[tag] = ooxml.Control(None, "date" if f.kind is Kind.DATE else "text", False, None, _text(value))
    return read


def read_pdf(source: str | Path | bytes, name: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """A filled PDF form's values by field key, and warnings; raises like the .docx reader if unreadable or not ours."""
    name = name or (Path(source).name if isinstance(source, (str, Path)) else "PDF-filen")
    with quiet_pypdf():
        return _read_pdf(source, name)


def _read_pdf(source: str | Path | bytes, name: str) -> tuple[dict[str, Any], list[str]]:
    """:func:`read_pdf`'s work."""
    data = _bytes(source, name)
    reader = open_pdf(data, name)
    values = _values(reader, name)
    if not values:
        # An archive copy has no fields but carries its record: that record, checked by the model as any answer.
        embedded = embedded_record(reader, name)
        if embedded is not None:
            return embedded, []
        return _read_page_text(data, reader, name)  # exported, printed or flattened: the answers on the page
    read = _as_controls(values)
    record, warnings = controls.read_fields(read)
    missing = [f for f in FIELDS if f.key not in record]
    if missing:
        raise not_the_form(missing, record)
    record.update(_pdf_registered(reader, name))
    return record, warnings


def _pdf_registered(reader: PdfReader, name: str) -> dict[str, str]:
    """The registration fields ``finish`` stored, by key: each from the document information's key, else from
    its XMP property (a re-save may keep only one of them)."""
    try:
        info = reader.metadata
        stream = reader.root_object.get("/Metadata")
        xmp = stream.get_object().get_data() if stream is not None else None
    except Exception:  # noqa: BLE001 - broken metadata: the answers are still read
        return {}
    found = None
    if xmp and CASE_XMP_NS.encode() in xmp:
        found = parse_xml(xmp, f"{name} (XMP-metadata)")

    def read(prop: str) -> str | None:
        value = info.get(f"/{prop}") if info is not None else None
        if value is not None:
            return str(value)
        element = found.find(f".//{{{CASE_XMP_NS}}}{prop}") if found is not None else None
        return None if element is None else element.text or ""

    return registration_values(read)


# --- a PDF without fields: its page text --------------------------------------------------


def _read_page_text(data: bytes, reader: PdfReader, name: str) -> tuple[dict[str, Any], list[str]]:
    """The answers of a PDF without fields, read from its words' places (:mod:`pagetext`), and the one warning."""
    from .. import pagetext, scan

    words = page_words(data, name)
    if not words:
        scan.scanned_pdf(data, name)  # pages of images: ScanNeeded, read by OCR page by page
        raise InputError(f"{name}: {NO_TEXT}")
    reading = pagetext.read_words(words)
    values: dict[str, Any] = dict(reading.values)
    notes = [FROM_PAGE_TEXT] + [note for key in reading.notes for note in reading.notes[key]]
    missing = [f for f in FIELDS if f.key in reading.missing]
    if len(missing) > len(FIELDS) // 2:  # a stray line like "Vem utsattes?" in another document is not the form
        raise not_the_form(list(FIELDS), {})
    if missing:
        raise not_the_form(missing, values)
    values.update(_pdf_registered(reader, name))
    return values, notes


def page_words(data: bytes, name: str) -> list[pagetext.Word]:
    """Every word drawn on the first :data:`MAX_TEXT_PAGES` pages, in points from each page's top left."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    try:
        manager = PDFResourceManager(caching=True)
        device = PDFPageAggregator(manager, laparams=None)
        interpreter = PDFPageInterpreter(manager, device)
        words: list[pagetext.Word] = []
        for number, page in enumerate(PDFPage.get_pages(io.BytesIO(data), maxpages=MAX_TEXT_PAGES)):
            interpreter.process_page(page)
            layout = device.get_result()
            words.extend(_words(number, layout))
        return words
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - any parser failure is a broken file
        raise InputError(f"{name}: PDF-filens text är trasig och kan inte läsas") from None


def _chars(item: LTComponent, char: type[LTChar]) -> Iterator[LTChar]:
    """The characters (``char``: pdfminer's class) of a page or figure (a form XObject, e.g. a flattened field's
    appearance), in drawing order."""
    if isinstance(item, char):
        yield item
    elif isinstance(item, Iterable):
        for child in item:
            yield from _chars(child, char)


def _words(number: int, layout: LTPage) -> list[pagetext.Word]:
    """A page's characters as words: a space, a jump back, a line change or a gap wider than a thin space ends one."""
    from pdfminer.layout import LTChar as Char

    from .. import pagetext

    height = layout.height
    out: list[pagetext.Word] = []
    run: list[LTChar] = []

    def flush() -> None:
        if run:
            out.append(pagetext.Word(number, min(c.x0 for c in run), height - max(c.y1 for c in run),
                                     max(c.x1 for c in run), height - min(c.y0 for c in run),
                                     "".join(c.get_text() for c in run)))
            run.clear()

    for char in _chars(layout, Char):
        text = char.get_text()
        if not text.strip():
            flush()
            continue
        if run and (abs(char.y0 - run[-1].y0) > 0.3 * char.size or char.x0 < run[-1].x0
                    or char.x0 - run[-1].x1 > 0.15 * char.size):
            flush()
        run.append(char)
    flush()
    return out
