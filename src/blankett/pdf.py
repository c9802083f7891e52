"""PDF: the form as an accessible, fillable PDF (through LibreOffice), and filled PDFs read back.

LibreOffice 25.2 turns each content control into a widget but names them
``Widget``, ``_2``, ``_3``… in document order, shows the placeholder as the
field's value, names check-box states after their glyphs and sizes each widget
to its placeholder text. :func:`finish` mends that with pypdf: field names are
the controls' tags, tooltips (``/TU``) the Swedish labels from :mod:`form`,
check boxes are ``/Yes``/``/Off``, widgets fill their table cells, tables get
header cells, and the metadata names no person, program version or path.
"""

from __future__ import annotations

import io
import json
import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject, BooleanObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject, NumberObject,
    TextStringObject,
)

from . import controls, kinds, ooxml
from .build import PLACEHOLDER
from .errors import BlankettError, InputError, OutputExistsError, os_problem
from .form import FIELDS, SUBTITLE, TAGS, TITLE, Field, Kind, field_for_tag
from .office import FILE_SECONDS, iter_convert
from .package import parse_xml, read_all
from .write import write_bytes

PRODUCER = "blankett"
LANGUAGE = "sv-SE"
ON, OFF = "/Yes", "/Off"
MAX_PDF = 50 * 1024 * 1024
FONT, BOX_FONT = "/Helv", "/ZaDb"
_PLACEHOLDERS = set(PLACEHOLDER.values())
_MULTILINE = 1 << 12
# pypdf reports a broken file's details on its logger too; the one Swedish line is ours to give.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)


def export_target(fields: bool = True) -> str:
    """The ``--convert-to`` value for a tagged PDF/UA export, with form fields or flattened (values as text)."""
    # FormsType is left alone: it only sets how a submit button sends the form, and the form has none.
    options = {
        "ExportFormFields": fields, "UseTaggedPDF": True,
        "PDFUACompliance": True, "DisplayPDFDocumentTitle": True, "ExportBookmarks": True,
        "ExportNotes": False, "ExportLinksRelativeFsys": False,
    }
    typed = {k: {"type": "boolean", "value": str(v).lower()} for k, v in options.items()}
    return "pdf:writer_pdf_Export:" + json.dumps(typed, separators=(",", ":"))


# --- what the .docx holds --------------------------------------------------------


def docx_controls(docx: bytes) -> list[tuple[str, bool]]:
    """Every content control of a .docx in document order: its tag and whether it shows its placeholder."""
    parts = dict(read_all(docx))
    root = parse_xml(parts["word/document.xml"], "word/document.xml")
    return [(ooxml.tag_of(sdt) or "", ooxml.showing_placeholder(sdt)) for sdt in root.iter(ooxml.SDT)]


# --- mending LibreOffice's widgets ------------------------------------------------


def _field_widgets(writer: PdfWriter) -> list[DictionaryObject]:
    """The AcroForm's terminal fields in LibreOffice's order (= document order)."""
    form = writer._root_object.get("/AcroForm")
    return [ref.get_object() for ref in form.get("/Fields", [])] if form else []


def _check_box(widget: DictionaryObject) -> None:
    """Name the states ``/Yes`` and ``/Off`` (LibreOffice names unticked boxes' states after the glyphs ☒/☐)."""
    for key in ("/N", "/D"):
        states = widget.get("/AP", {}).get(key)
        if states is None:
            continue
        states = states.get_object()
        names = [n for n in states.keys() if n != OFF]
        off = [n for n in names if n in ("/☐", "/\u2610")]
        on = [n for n in names if n not in off]
        for old, new in ((off[0] if off else None, OFF), (on[0] if on else None, ON)):
            if old and old != new:
                states[NameObject(new)] = states[old]
                del states[old]
    widget[NameObject("/DA")] = TextStringObject(f"0 g {BOX_FONT} 0 Tf")  # viewers draw the cross (MK/CA) in it
    checked = widget.get("/V") not in (None, OFF)
    widget[NameObject("/V")] = widget[NameObject("/AS")] = NameObject(ON if checked else OFF)
    widget[NameObject("/DV")] = NameObject(OFF)


def _text_field(widget: DictionaryObject, f: Field, placeholder: bool) -> None:
    """Black text in a common font, multi-line where the answer may be; a placeholder value cleared."""
    widget[NameObject("/DA")] = TextStringObject(f"0 g {FONT} 10 Tf")
    flags = int(widget.get("/Ff", 0)) & ~_MULTILINE
    widget[NameObject("/Ff")] = NumberObject(flags | (_MULTILINE if f.kind is Kind.TEXT and f.multiline else 0))
    if placeholder or str(widget.get("/V", "")) in _PLACEHOLDERS:
        widget[NameObject("/V")] = widget[NameObject("/DV")] = TextStringObject("")
        widget.pop("/AP", None)


def name_fields(writer: PdfWriter, controls: list[tuple[str, bool]]) -> None:
    """Give each widget its control's tag as name and its Swedish label as tooltip; raise if they do not match."""
    widgets = _field_widgets(writer)
    ours = [(tag, plc, field_for_tag(tag)) for tag, plc in controls]
    if len(widgets) != len(ours) or any(f is None for _, _, f in ours):
        raise BlankettError(f"PDF:en fick {len(widgets)} fält men blanketten har {len(ours)} kontroller; mallen har "
                            "kontroller som inte hör till blanketten, eller så stöds inte LibreOffice-versionen")
    for widget, (tag, placeholder, f) in zip(widgets, ours):
        want = "/Btn" if f.kind is Kind.JANEJ else "/Tx"
        if widget.get("/FT") != want:
            raise BlankettError(f"PDF-fältet för {tag} blev {widget.get('/FT')}, inte {want}")
        widget[NameObject("/T")] = TextStringObject(tag)
        widget[NameObject("/TU")] = TextStringObject(f.control_label(tag))
        if f.kind is Kind.JANEJ:
            _check_box(widget)
        else:
            _text_field(widget, f, placeholder)
    form = writer._root_object["/AcroForm"]
    resources = form.setdefault(NameObject("/DR"), DictionaryObject())
    fonts = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
    fonts[NameObject(FONT)] = writer._add_object(_standard_font("/Helvetica", "/WinAnsiEncoding"))
    fonts[NameObject(BOX_FONT)] = writer._add_object(_standard_font("/ZapfDingbats"))
    form[NameObject("/DA")] = TextStringObject(f"0 g {FONT} 10 Tf")
    form[NameObject("/NeedAppearances")] = _true()


def _standard_font(name: str, encoding: str | None = None) -> DictionaryObject:
    """A standard Type 1 font for viewers that draw the fields themselves."""
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject(name)})
    if encoding:
        font[NameObject("/Encoding")] = NameObject(encoding)
    return font


def _true() -> BooleanObject:
    """PDF ``true``."""
    return BooleanObject(True)


# --- widgets that fill their cells ------------------------------------------------


@dataclass
class _Lines:
    """A page's straight vertical and horizontal strokes (the table borders), in page space."""

    vertical: list[tuple[float, float, float]]
    horizontal: list[tuple[float, float, float]]


def _mul(a: list[float], b: list[float]) -> list[float]:
    """The product of two PDF matrices ``[a b c d e f]`` (``a`` applied first)."""
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2],
            a[2] * b[1] + a[3] * b[3], a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


# Numbers, operators, and strings/dictionaries skipped whole (so text never looks like a path operator).
_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|<<|>>|<[0-9A-Fa-f\s]*>|/[^\s/\[\]()<>{}]*"
                    rb"|(-?(?:\d+\.?\d*|\.\d+))|([A-Za-z*'\"]+)")


def _page_lines(page) -> _Lines:
    """The straight strokes drawn on a page, found by following the content stream's ``q``/``Q``/``cm``/``m``/``l``."""
    ctm, stack, start, numbers = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], [], None, []
    lines = _Lines([], [])
    for match in _TOKEN.finditer(page.get_contents().get_data()):
        number, op = match.group(1), match.group(2)
        if number is not None:
            numbers.append(float(number))
            continue
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q" and stack:
            ctm = stack.pop()
        elif op == b"cm" and len(numbers) >= 6:
            ctm = _mul(numbers[-6:], ctm)
        elif op in (b"m", b"l") and len(numbers) >= 2:
            x, y = numbers[-2:]
            point = (ctm[0] * x + ctm[2] * y + ctm[4], ctm[1] * x + ctm[3] * y + ctm[5])
            if op == b"l" and start is not None:
                _stroke(lines, start, point)
            start = point
        numbers = []
    return lines


def _stroke(lines: _Lines, a: tuple[float, float], b: tuple[float, float]) -> None:
    """Keep a segment if it is vertical or horizontal."""
    (x0, y0), (x1, y1) = a, b
    if abs(x0 - x1) < 0.5:
        lines.vertical.append((x0, min(y0, y1), max(y0, y1)))
    elif abs(y0 - y1) < 0.5:
        lines.horizontal.append((y0, min(x0, x1), max(x0, x1)))


def _cell_rect(rect: list[float], lines: _Lines, below: list[float]) -> list[float]:
    """The rectangle from the widget's top-left to the right border and bottom border of its cell."""
    x0, y0, x1, y1 = rect
    mid = (y0 + y1) / 2
    rights = [x for x, lo, hi in lines.vertical if x > x0 + 2 and lo <= mid <= hi]
    bottoms = [y for y, lo, hi in lines.horizontal if y < mid - 2 and lo <= x0 + 1 <= hi] + below
    right = min(rights) - 2 if rights else x1
    bottom = max(bottoms) + 2 if bottoms else y0
    return [x0, min(y0, bottom), max(x1, right), y1]


def _grow(annot: DictionaryObject, rect: list[float]) -> None:
    """Set a widget's rectangle, keeping its appearance at the top-left (not stretched)."""
    old = [float(v) for v in annot["/Rect"]]
    annot[NameObject("/Rect")] = ArrayObject(FloatObject(round(v, 3)) for v in rect)
    ap = annot.get("/AP", {}).get("/N")
    if ap is not None and "/BBox" in ap.get_object():
        box = [float(v) for v in ap.get_object()["/BBox"]]
        width, height = rect[2] - rect[0], rect[3] - rect[1]
        new = [box[0], box[3] - height, box[0] + width, box[3]] if old != rect else box
        ap.get_object()[NameObject("/BBox")] = ArrayObject(FloatObject(round(v, 3)) for v in new)


def grow_widgets(writer: PdfWriter, reader: PdfReader) -> None:
    """Make every text widget fill its table cell (LibreOffice sizes it to the placeholder text)."""
    for page, source in zip(writer.pages, reader.pages):
        texts = [a.get_object() for a in page.get("/Annots", []) if a.get_object().get("/FT") == "/Tx"]
        if not texts:
            continue
        lines = _page_lines(source)
        rects = {id(a): [float(v) for v in a["/Rect"]] for a in texts}
        for annot in texts:
            x0, y0, x1, y1 = rects[id(annot)]
            below = [r[3] for other, r in ((o, rects[id(o)]) for o in texts)
                     if other is not annot and r[3] < (y0 + y1) / 2 and r[0] < x1 + 200 and r[2] > x0]
            _grow(annot, _cell_rect([x0, y0, x1, y1], lines, below))


# --- structure and metadata -----------------------------------------------------------


def _kids(element: DictionaryObject) -> list[DictionaryObject]:
    """The structure elements directly under ``element``."""
    kids = element.get("/K")
    if kids is None:
        return []
    kids = kids.get_object()
    items = kids if isinstance(kids, list) else [kids]
    return [k.get_object() for k in items if isinstance(k.get_object(), DictionaryObject)
            and "/S" in k.get_object()]


def _rows(table: DictionaryObject) -> list[list[DictionaryObject]]:
    """A table's rows (also under THead/TBody/TFoot), each as its cells."""
    rows = []
    for kid in _kids(table):
        if kid["/S"] == "/TR":
            rows.append([c for c in _kids(kid) if c["/S"] in ("/TH", "/TD")])
        elif kid["/S"] in ("/THead", "/TBody", "/TFoot"):
            rows.extend(_rows(kid))
    return rows


def _header(cell: DictionaryObject, scope: str) -> None:
    """Make a cell a header cell for its row or column."""
    cell[NameObject("/S")] = NameObject("/TH")
    cell[NameObject("/A")] = DictionaryObject({NameObject("/O"): NameObject("/Table"),
                                               NameObject("/Scope"): NameObject(scope)})


def table_headers(writer: PdfWriter) -> None:
    """Give every table without header cells some: the question column, or a one-column table's first row."""
    root = writer._root_object.get("/StructTreeRoot")
    todo = _kids(root.get_object()) if root is not None else []
    while todo:
        element = todo.pop()
        if element["/S"] != "/Table":
            todo.extend(_kids(element))
            continue
        rows = [r for r in _rows(element) if r]
        if not rows or any(c["/S"] == "/TH" for r in rows for c in r):
            continue
        if max(len(r) for r in rows) > 1:
            for row in rows:
                if len(row) > 1:
                    _header(row[0], "/Row")
        else:
            _header(rows[0][0], "/Column")


_LOGO_DRAW = re.compile(
    rb"/Artifact BMC\n(Q q [^\n]*\nW\* n\nq ([-\d.]+) 0 0 ([-\d.]+) ([-\d.]+) ([-\d.]+) cm\n/Im\d+ Do Q\n)EMC"
)


def _logo_alt(docx: bytes | None) -> str:
    """The logo's alternative text in the .docx header (the profile's ``logo_alt``), or ''."""
    if docx is None:
        return ""
    for name, data in read_all(docx):
        if name.startswith("word/header") and name.endswith(".xml"):
            for doc_pr in parse_xml(data, name).iter(f"{{{ooxml.WP_NS}}}docPr"):
                if doc_pr.get("descr"):
                    return doc_pr.get("descr")
    return ""


def logo_figure(writer: PdfWriter, alt: str) -> None:
    """Tag the first page's logo as a Figure with ``alt`` as its text; on later pages it stays page furniture.

    LibreOffice marks everything in a page header as an artifact, so without
    this the logo would have no alternative text in the PDF at all.
    """
    root = writer._root_object.get("/StructTreeRoot")
    page = writer.pages[0]
    contents = page.get_contents()
    match = _LOGO_DRAW.search(contents.get_data()) if alt and root is not None and contents is not None else None
    if match is None or "/StructParents" not in page:
        return
    root = root.get_object()
    nums = root["/ParentTree"].get_object()["/Nums"]
    keys = [int(k) for k in nums[0::2]]
    if page["/StructParents"] not in keys:
        return
    marked = nums[2 * keys.index(page["/StructParents"]) + 1].get_object()
    top = root["/K"]
    top_ref = top[0] if isinstance(top.get_object(), list) else top
    document = top_ref.get_object()
    w, h, x, y = (float(v) for v in match.group(2, 3, 4, 5))
    figure = DictionaryObject({
        NameObject("/Type"): NameObject("/StructElem"),
        NameObject("/S"): NameObject("/Figure"),
        NameObject("/P"): top_ref,
        NameObject("/Pg"): page.indirect_reference,
        NameObject("/K"): NumberObject(len(marked)),
        NameObject("/Alt"): TextStringObject(alt),
        NameObject("/A"): DictionaryObject({
            NameObject("/O"): NameObject("/Layout"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in (x, y, x + w, y + h)),
        }),
    })
    ref = writer._add_object(figure)
    tag = b"/Figure <</MCID %d>> BDC\n" % len(marked)
    marked.append(ref)
    kids = document["/K"]
    if isinstance(kids.get_object(), list):
        kids.get_object().insert(0, ref)
    else:
        document[NameObject("/K")] = ArrayObject([ref, kids])
    data = contents.get_data()
    contents.set_data(data[:match.start()] + tag + match.group(1) + b"EMC" + data[match.end():])
    page.replace_contents(contents)
    page.compress_content_streams()


def link_descriptions(writer: PdfWriter) -> None:
    """Describe every link annotation (``/Contents``) by where it leads."""
    for page in writer.pages:
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            if annot.get("/Subtype") == "/Link" and not annot.get("/Contents"):
                uri = annot.get("/A", {}).get("/URI", "")
                annot[NameObject("/Contents")] = TextStringObject(f"Länk till {uri}" if uri else "Länk")


_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
<pdf:Producer>{producer}</pdf:Producer><xmp:CreatorTool>{producer}</xmp:CreatorTool>
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


def metadata(writer: PdfWriter, title: str, subject: str) -> None:
    """Title, subject, language and PDF/UA id only: no author, program version, date of a person or path."""
    from xml.sax.saxutils import escape

    writer.metadata = {"/Title": title, "/Subject": subject, "/Producer": PRODUCER, "/Creator": PRODUCER}
    xmp = _XMP.format(title=escape(title), subject=escape(subject), lang=LANGUAGE, producer=PRODUCER)
    stream = DecodedStreamObject()
    stream.set_data(xmp.encode("utf-8"))
    stream.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    root = writer._root_object
    root[NameObject("/Lang")] = TextStringObject(LANGUAGE)
    prefs = root.setdefault(NameObject("/ViewerPreferences"), DictionaryObject()).get_object()
    prefs[NameObject("/DisplayDocTitle")] = _true()


def finish(pdf: bytes, docx: bytes | None, title: str = TITLE, subject: str = SUBTITLE) -> bytes:
    """LibreOffice's PDF mended: named fields with tooltips (when ``docx`` is given), headers, metadata."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    if docx is not None:
        name_fields(writer, docx_controls(docx))
        grow_widgets(writer, reader)
    table_headers(writer)
    logo_figure(writer, _logo_alt(docx))
    link_descriptions(writer)
    metadata(writer, title, subject)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- converting many .docx to PDF ---------------------------------------------------


@dataclass
class PdfResult:
    """What became of one PDF: written to ``target``, or a Swedish message."""

    source: Path
    target: Path
    error: str = ""
    exists: bool = False


def _finish_one(docx: Path, pdf: Path | None, target: Path, fields: bool, force: bool,
                title: str, subject: str) -> PdfResult:
    """Mend one converted PDF and write it atomically, owner-only."""
    try:
        data = finish(pdf.read_bytes(), docx.read_bytes() if fields else None, title, subject)
        write_bytes(target, data, force)
    except OutputExistsError as exc:
        return PdfResult(docx, target, str(exc), exists=True)
    except BlankettError as exc:
        return PdfResult(docx, target, f"{target.name}: {exc}")
    except Exception as exc:  # noqa: BLE001 - pypdf's errors are many; the batch goes on
        return PdfResult(docx, target, f"{target.name}: PDF:en kunde inte efterbehandlas ({exc.__class__.__name__})")
    return PdfResult(docx, target)


def docx_to_pdf(pairs: list[tuple[Path, Path]], flatten: bool = False, force: bool = False,
                soffice: str | Path | None = None, per_file: float = FILE_SECONDS,
                title: str = TITLE, subject: str = SUBTITLE) -> list[PdfResult]:
    """Convert each (.docx, target .pdf) pair, a chunk per LibreOffice start; failures are reported, in input order.

    Each PDF is mended as soon as its chunk is done, while LibreOffice converts the next.
    """
    results: dict[int, PdfResult] = {}
    with tempfile.TemporaryDirectory(prefix="blankett-pdf-") as tmp:
        staged: dict[Path, int] = {}
        (Path(tmp) / "in").mkdir()
        for n, (docx, _) in enumerate(pairs):
            link = Path(tmp) / "in" / f"f{n:05d}.docx"
            link.write_bytes(Path(docx).read_bytes())
            staged[link] = n
        for conv in iter_convert(list(staged), export_target(not flatten), Path(tmp) / "out", per_file,
                                 soffice=soffice):
            n = staged[conv.source]
            docx, target = Path(pairs[n][0]), Path(pairs[n][1])
            if conv.output is None:
                results[n] = PdfResult(docx, target, conv.error.replace(conv.source.name, docx.name))
            else:
                results[n] = _finish_one(conv.source, conv.output, target, not flatten, force, title, subject)
                results[n].source = docx
                conv.output.unlink()
    return [results[n] for n in range(len(pairs))]


def docx_bytes_to_pdf(docx: bytes, flatten: bool = False, soffice: str | Path | None = None,
                      title: str = TITLE, subject: str = SUBTITLE) -> bytes:
    """One .docx (bytes) as a finished PDF (bytes)."""
    with tempfile.TemporaryDirectory(prefix="blankett-pdf-") as tmp:
        src, out = Path(tmp) / "Bilaga5.docx", Path(tmp) / "Bilaga5.pdf"
        src.write_bytes(docx)
        (result,) = docx_to_pdf([(src, out)], flatten, True, soffice, title=title, subject=subject)
        if result.error:
            raise BlankettError(result.error)
        return out.read_bytes()


# --- reading a filled PDF back ----------------------------------------------------


def _open(source: str | Path | bytes, name: str) -> PdfReader:
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
            if value is None and "/Kids" not in field:
                value = field.get("/AS")
            out[str(key)] = value
        return out
    except Exception:  # noqa: BLE001 - a broken AcroForm is a broken file
        raise InputError(f"{name}: PDF-filens formulärfält är trasiga och kan inte läsas") from None


def _text(value: Any) -> str:
    """A text field's value as clean text; a left placeholder counts as empty."""
    if value is None or isinstance(value, (list, DictionaryObject)):
        return ""
    text, _ = kinds.clean_text(str(value))
    return "" if text.strip() in _PLACEHOLDERS else text


def _checked(value: Any) -> bool:
    """True for any on-state (``/Yes``, ``/On``, ``/☒``…), False for ``/Off`` or nothing."""
    return value is not None and str(value) not in ("", OFF, "Off")


def _as_controls(values: dict[str, Any]) -> controls.Read:
    """The PDF's fields as the controls a .docx reader reads, so that both read by the same rules."""
    read: controls.Read = {}
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
    from .read import _not_the_form

    name = name or (Path(source).name if isinstance(source, (str, Path)) else "PDF-filen")
    read = _as_controls(_values(_open(source, name), name))
    record, warnings = controls.read_fields(read)
    missing = [f for f in FIELDS if f.key not in record]
    if missing:
        raise _not_the_form(missing, record)
    return record, warnings


# --- PDFs of filled forms ------------------------------------------------------------


def pdf_outcomes(docx_files: list[Path], out_dir: str | Path, flatten: bool = False, force: bool = False,
                 soffice: str | Path | None = None) -> list:
    """A PDF in ``out_dir`` for every filled .docx, each as a fill ``Outcome`` (skriven, finns redan or fel).

    Each PDF is judged on its own: one that is missing is made, whether its .docx was written now or was there.
    """
    from .fill import Outcome

    out_dir = Path(out_dir)
    result, pairs = [], []
    for docx in map(Path, docx_files):
        target = out_dir / f"{docx.stem}.pdf"
        if target.exists() and not force:
            result.append(Outcome(docx.name, "finns redan", target))
        else:
            pairs.append((docx, target))
    for r in docx_to_pdf(pairs, flatten, force, soffice) if pairs else []:
        if r.exists:
            result.append(Outcome(r.source.name, "finns redan", r.target))
        else:
            result.append(Outcome(r.source.name, "fel" if r.error else "skriven", None if r.error else r.target,
                                  [r.error] if r.error else []))
    return result


def fill_with_pdf(inputs: list[Path], out_dir: str | Path, keep_docx: bool = True, flatten: bool = False,
                  force: bool = False, template_path: Path | None = None, jobs: int | None = None,
                  soffice: str | Path | None = None, progress: bool = False) -> list:
    """Fill forms and make their PDFs (beside the .docx, or alone); the summaries to show, PDF last.

    LibreOffice is looked for first, so that a missing one is said before anything is written.
    """
    from .batch import Summary, fill_files
    from .office import find_soffice

    program = find_soffice(soffice)
    if keep_docx:
        summary = fill_files(inputs, out_dir, False, force, template_path, jobs, progress)
        made = pdf_outcomes(summary.outputs, out_dir, flatten, force, program)  # a .docx already there too
    else:
        with tempfile.TemporaryDirectory(prefix="blankett-fill-") as tmp:
            summary = fill_files(inputs, tmp, False, True, template_path, jobs, progress)
            made = pdf_outcomes(summary.written, out_dir, flatten, force, program)
    pdfs = Summary()
    for outcome in made:
        pdfs.add(outcome)
    if keep_docx:
        return [summary, pdfs]
    pdfs.counts["fel"] += summary.counts["fel"]
    pdfs.problems[:0] = summary.problems
    return [pdfs]


# --- is this PDF still a complete Bilaga 5? -------------------------------------------


def check_pdf(path: str | Path) -> list[str]:
    """The fields our PDF of the form should have (by name: check box or text field) that are missing or wrong."""
    path = Path(path)
    reader = _open(path, path.name)
    try:
        found = reader.get_fields() or {}
    except Exception:  # noqa: BLE001 - a broken AcroForm is a broken file
        raise InputError(f"{path.name}: PDF-filens formulärfält är trasiga och kan inte läsas") from None
    problems = []
    for f in FIELDS:
        want = "/Btn" if f.kind is Kind.JANEJ else "/Tx"
        for tag in f.tags():
            what = f'"{f.column}" (fält {tag})'
            if tag not in found:
                problems.append(f"{what}: fältet saknas")
            elif found[tag].get("/FT") != want:
                kind = "kryssruta" if want == "/Btn" else "textfält"
                problems.append(f"{what}: fel sorts fält (väntade {kind})")
    return problems
