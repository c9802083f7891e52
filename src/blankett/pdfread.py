"""Read back a filled PDF of the form: its fields, by name, read by the same rules as a .docx's controls.

The fields are handed to :mod:`controls` as if they were content controls, so a
PDF and a .docx answer can never be read differently. Registered for ``.pdf`` in
:data:`blankett.readback.READERS_BY_SUFFIX`.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from . import controls, kinds, ooxml
from .archive import embedded_record
from .errors import InputError, os_problem
from .form import FIELDS, PLACEHOLDER, TAGS, Kind
from .model import CASE_KEY
from .notform import not_the_form
from .package import parse_xml
from .pdf import CASE_INFO, CASE_XMP_NS, MAX_PDF, OFF, quiet_pypdf

_PLACEHOLDERS = frozenset(PLACEHOLDER.values())
#: A PDF without a single form field: a flattened or printed copy, whose answers are only drawn text.
NO_FIELDS = ("PDF-filen har inga ifyllbara fält (svaren är vanlig text, till exempel efter fill --flatten eller "
             "utskrift till PDF) och kan inte läsas tillbaka")


def open_pdf(source: str | Path | bytes, name: str) -> PdfReader:
    """The PDF, refused with a Swedish message when empty, too big, not a PDF, broken or encrypted."""
    if isinstance(source, (str, Path)):
        try:
            if Path(source).stat().st_size > MAX_PDF:
                raise InputError(f"{name}: PDF-filen är större än {MAX_PDF // (1024 * 1024)} MB och läses inte")
            source = Path(source).read_bytes()
        except OSError as exc:
            raise InputError(f"{name}: {os_problem(exc)}") from None
    data = source
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


def _text(value: Any) -> str:
    """A text field's value as clean text; a left placeholder counts as empty."""
    if value is None or isinstance(value, (list, DictionaryObject)):
        return ""
    if isinstance(value, bytes):  # a string pypdf could not decode (byte 0x7f has no PDFDocEncoding character)
        value = value.decode("latin-1")
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
    reader = open_pdf(source, name)
    values = _values(reader, name)
    if not values:
        # An archive copy has no fields but carries its record: that record, checked by the model as any answer.
        embedded = embedded_record(reader, name)
        if embedded is not None:
            return embedded, []
        raise InputError(f"{name}: {NO_FIELDS}")
    read = _as_controls(values)
    record, warnings = controls.read_fields(read)
    missing = [f for f in FIELDS if f.key not in record]
    if missing:
        raise not_the_form(missing, record)
    case = _pdf_case_number(reader, name)
    if case is not None:
        record[CASE_KEY] = case
    return record, warnings


def _pdf_case_number(reader: PdfReader, name: str) -> str | None:
    """The case number ``finish`` stored: the document information's key, else the XMP property (a re-save may
    keep only one of them)."""
    try:
        info = reader.metadata
        value = info.get(CASE_INFO) if info is not None else None
        if value is not None:
            return str(value)
        stream = reader.root_object.get("/Metadata")
        xmp = stream.get_object().get_data() if stream is not None else None
    except Exception:  # noqa: BLE001 - broken metadata: the answers are still read
        return None
    if not xmp or CASE_XMP_NS.encode() not in xmp:
        return None
    found = parse_xml(xmp, f"{name} (XMP-metadata)").find(f".//{{{CASE_XMP_NS}}}Diarienummer")
    return None if found is None else found.text or ""
