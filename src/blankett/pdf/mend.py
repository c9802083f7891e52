"""LibreOffice's PDF export mended: the form as an accessible, fillable PDF (:func:`finish`).

LibreOffice 25.2 turns each content control into a widget but names them
``Widget``, ``_2``, ``_3``… in document order, shows the placeholder as the
field's value, names check-box states after their glyphs and sizes each widget
to its placeholder text. :func:`finish` mends that with pypdf: field names are
the controls' tags, tooltips (``/TU``) the Swedish labels from :mod:`form`,
check boxes are ``/Yes``/``/Off``, widgets fill their table cells, tables get
header cells, and the metadata names no person, program version or path.
How the answers are laid out is :mod:`.layout`'s; running LibreOffice is :mod:`.convert`'s.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import cast

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

from .. import controls, kinds, ooxml
from ..errors import BlankettError
from ..form import LANGUAGE, SUBTITLE, TITLE, Field, Kind, field_for_tag
from ..model import registration_properties, registration_values
from ..package import open_package, parse_xml, read_all
from .common import BOX_FONT, CASE_XMP_NS, FONT, MULTILINE, OFF, ON, PRODUCER, Registered, field_type, quiet_pypdf
from .font import add_font
from .layout import FONT_SIZE, Layout, _lines_fitting, appearance_body, layout, shown_warnings, winansi
from .pypdf_private import add_object, catalog, text_string

# --- what the .docx holds --------------------------------------------------------


def docx_controls(docx: bytes) -> list[str]:
    """The tag of every content control of a .docx, in document order."""
    parts = dict(read_all(docx))
    root = parse_xml(parts["word/document.xml"], "word/document.xml")
    return [ooxml.tag_of(sdt) or "" for sdt in root.iter(ooxml.SDT)]


# --- mending LibreOffice's widgets ------------------------------------------------


def _field_widgets(writer: PdfWriter) -> list[DictionaryObject]:
    """The AcroForm's terminal fields in LibreOffice's order (= document order)."""
    form = catalog(writer).get("/AcroForm")
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
                # raw_get keeps the indirect reference: a stream copied in as a direct object breaks the file.
                states[NameObject(new)] = states.raw_get(old)
                del states[old]
    widget[NameObject("/DA")] = TextStringObject(f"0 g {BOX_FONT} 0 Tf")  # viewers draw the cross (MK/CA) in it
    checked = widget.get("/V") not in (None, OFF)
    widget[NameObject("/V")] = widget[NameObject("/AS")] = NameObject(ON if checked else OFF)
    widget[NameObject("/DV")] = NameObject(OFF)


def _text_field(widget: DictionaryObject, f: Field) -> None:
    """Black text in a common font, multi-line where the answer may be; the placeholder text taken out.

    The value is judged by the read-back's rule (:func:`controls.answer`), not by the control's placeholder
    flag, which LibreOffice keeps on text a person pasted.
    """
    widget[NameObject("/DA")] = TextStringObject(f"0 g {FONT} 0 Tf")  # 0: auto size, so other tools shrink
    flags = int(widget.get("/Ff", 0)) & ~MULTILINE
    widget[NameObject("/Ff")] = NumberObject(flags | (MULTILINE if f.kind is Kind.TEXT and f.multiline else 0))
    value = str(widget.get("/V", ""))
    shown = controls.answer(ooxml.Control(None, text=value))
    if shown != value:
        widget[NameObject("/V")] = TextStringObject(shown)
        if not shown:
            widget[NameObject("/DV")] = TextStringObject("")
        widget.pop("/AP", None)


def name_fields(writer: PdfWriter, tags: list[str]) -> None:
    """Give each widget its control's tag as name and its Swedish label as tooltip; raise if they do not match."""
    widgets = _field_widgets(writer)
    ours = [(tag, f) for tag in tags if (f := field_for_tag(tag)) is not None]
    if len(widgets) != len(tags) or len(ours) != len(tags):
        raise BlankettError(f"PDF:en fick {len(widgets)} fält men blanketten har {len(tags)} kontroller; mallen har "
                            "kontroller som inte hör till blanketten, eller så stöds inte LibreOffice-versionen")
    for widget, (tag, f) in zip(widgets, ours, strict=True):
        want = field_type(f)
        if widget.get("/FT") != want:
            raise BlankettError(f"PDF-fältet för {tag} blev {widget.get('/FT')}, inte {want}")
        widget[NameObject("/T")] = text_string(tag)
        widget[NameObject("/TU")] = text_string(f.control_label(tag))
        if f.kind is Kind.JANEJ:
            _check_box(widget)
        else:
            _text_field(widget, f)
    form = cast(DictionaryObject, catalog(writer)["/AcroForm"])  # pypdf types every value as PdfObject
    resources = form.setdefault(NameObject("/DR"), DictionaryObject())
    fonts = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
    for unused in ("/Helv", "/TiRo"):  # LibreOffice's standard fonts, never embedded: no field uses them
        fonts.pop(NameObject(unused), None)
    fonts[NameObject(FONT)] = add_font(writer)
    fonts[NameObject(BOX_FONT)] = add_object(writer, _standard_font("/ZapfDingbats"))
    form[NameObject("/DA")] = TextStringObject(f"0 g {FONT} 0 Tf")
    form.pop(NameObject("/NeedAppearances"), None)  # every field carries its own appearance (text_appearances)


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


def _page_lines(page: PageObject) -> _Lines:
    """The straight strokes drawn on a page, found by following the content stream's ``q``/``Q``/``cm``/``m``/``l``."""
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack: list[list[float]] = []
    start: tuple[float, float] | None = None
    numbers: list[float] = []
    lines = _Lines([], [])
    contents = page.get_contents()  # None: a page without a content stream draws no lines
    for match in _TOKEN.finditer(contents.get_data() if contents is not None else b""):
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
    old = [float(v) for v in cast(ArrayObject, annot["/Rect"])]
    annot[NameObject("/Rect")] = ArrayObject(FloatObject(round(v, 3)) for v in rect)
    ap = annot.get("/AP", {}).get("/N")
    if ap is not None and "/BBox" in ap.get_object():
        box = [float(v) for v in ap.get_object()["/BBox"]]
        width, height = rect[2] - rect[0], rect[3] - rect[1]
        new = [box[0], box[3] - height, box[0] + width, box[3]] if old != rect else box
        ap.get_object()[NameObject("/BBox")] = ArrayObject(FloatObject(round(v, 3)) for v in new)


def grow_widgets(writer: PdfWriter, reader: PdfReader) -> None:
    """Make every text widget fill its table cell (LibreOffice sizes it to the placeholder text)."""
    for page, source in zip(writer.pages, reader.pages, strict=True):
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
            _multiline_if_tall(annot)


def _multiline_if_tall(annot: DictionaryObject) -> None:
    """A text field (not a date) whose cell holds two lines is multi-line, so other tools wrap a long answer."""
    f = field_for_tag(str(annot.get("/T", "")))
    x0, y0, x1, y1 = (float(v) for v in cast(ArrayObject, annot["/Rect"]))
    if f is not None and f.kind is not Kind.DATE and _lines_fitting(y1 - y0, FONT_SIZE) >= 2:
        annot[NameObject("/Ff")] = NumberObject(int(annot.get("/Ff", 0)) | MULTILINE)


def _appearance(writer: PdfWriter, font: PdfObject, width: float, height: float,
                shown: Layout | None) -> IndirectObject:
    """A text field's normal appearance: the answer in Helvetica, inside the box (clipped to it)."""
    stream = DecodedStreamObject()
    stream.set_data(appearance_body(width, height, shown))
    stream.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject(FloatObject(round(v, 3)) for v in (0, 0, width, height)),
        NameObject("/Resources"): DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject(FONT): font})}),
    })
    return add_object(writer, stream)



def text_appearances(writer: PdfWriter) -> list[str]:
    """Draw every text field's answer into its own appearance; Swedish warnings for answers that cannot be shown whole.

    Viewers that draw fields themselves (NeedAppearances) differ: MuPDF draws nothing, poppler does not wrap.
    So each field carries what it shows, wrapped in its box, in 10 pt or smaller down to 7 pt. An answer too
    long even then is drawn as far as it fits and named in a warning; the field's value always keeps all of it.
    """
    form = cast(DictionaryObject, catalog(writer)["/AcroForm"])
    fonts = cast(DictionaryObject, cast(DictionaryObject, form["/DR"])["/Font"])
    font = fonts.raw_get(FONT)
    warnings = []
    for widget in _field_widgets(writer):
        if widget.get("/FT") != "/Tx":
            continue
        f = field_for_tag(str(widget["/T"]))
        label = f.control_label(str(widget["/T"])) if f else str(widget["/T"])
        x0, y0, x1, y1 = (float(v) for v in cast(ArrayObject, widget["/Rect"]))
        multiline = bool(int(widget.get("/Ff", 0)) & MULTILINE)
        value = widget.get("/V")
        text, replaced = winansi(kinds.clean_text(str(value))[0]) if isinstance(value, str) else ("", False)
        shown = layout(text, x1 - x0, y1 - y0, multiline) if text.strip() else None
        widget[NameObject("/AP")] = DictionaryObject(
            {NameObject("/N"): _appearance(writer, font, x1 - x0, y1 - y0, shown)})
        widget[NameObject("/DA")] = TextStringObject(f"0 g {FONT} 0 Tf")
        warnings.extend(shown_warnings(label, shown is None or shown.fits, replaced))
    return warnings


# --- structure and metadata -----------------------------------------------------------


def _role(element: DictionaryObject) -> str:
    """A structure element's type (``/S``, a name such as ``/Table``); '' if it is not a name."""
    role = element["/S"]
    return role if isinstance(role, str) else ""


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
        if _role(kid) == "/TR":
            rows.append([c for c in _kids(kid) if _role(c) in ("/TH", "/TD")])
        elif _role(kid) in ("/THead", "/TBody", "/TFoot"):
            rows.extend(_rows(kid))
    return rows


def _header(cell: DictionaryObject, scope: str) -> None:
    """Make a cell a header cell for its row or column."""
    cell[NameObject("/S")] = NameObject("/TH")
    cell[NameObject("/A")] = DictionaryObject({NameObject("/O"): NameObject("/Table"),
                                               NameObject("/Scope"): NameObject(scope)})


def table_headers(writer: PdfWriter) -> None:
    """Give every table without header cells some: the question column, or a one-column table's first row."""
    root = catalog(writer).get("/StructTreeRoot")
    todo = _kids(root.get_object()) if root is not None else []
    while todo:
        element = todo.pop()
        if _role(element) != "/Table":
            todo.extend(_kids(element))
            continue
        rows = [r for r in _rows(element) if r]
        if not rows or any(_role(c) == "/TH" for r in rows for c in r):
            continue
        if max(len(r) for r in rows) > 1:
            for row in rows:
                if len(row) > 1:
                    _header(row[0], "/Row")
        else:
            _header(rows[0][0], "/Column")


_MARKED_FORM = re.compile(rb"/Form\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")


def form_elements(writer: PdfWriter) -> None:
    """Leave each ``Form`` structure element holding only its widget (PDF/UA-1 7.18.4: exactly one OBJR).

    LibreOffice also puts the square it draws around a check box into the box's ``Form`` element as marked
    content. That square is decoration: it becomes an artifact, and its structure parent entry is emptied.
    """
    root = catalog(writer).get("/StructTreeRoot")
    if root is None:
        return
    root = root.get_object()
    drawn: dict[int, set[int]] = {}  # page object number -> MCIDs to make artifacts
    todo = _kids(root)
    while todo:
        element = todo.pop()
        if _role(element) != "/Form":
            todo.extend(_kids(element))
            continue
        kids = element.get("/K")
        items = kids.get_object() if kids is not None else []
        items = list(items) if isinstance(items, list) else [items]
        objrs = [k for k in items if isinstance(k.get_object(), DictionaryObject) and k.get_object().get("/Type")
                 == "/OBJR"]
        if len(objrs) != 1 or len(items) == 1:
            continue
        for item in items:
            content = item.get_object()
            if isinstance(content, DictionaryObject) and "/MCID" in content:
                on = content.raw_get("/Pg") if "/Pg" in content else element.raw_get("/Pg")
                mcid = int(cast(int, content["/MCID"]))
            elif isinstance(content, int):
                on, mcid = element.raw_get("/Pg"), content
            else:
                continue
            drawn.setdefault(on.idnum, set()).add(mcid)
        element[NameObject("/K")] = objrs[0]
    if not drawn:
        return
    parents = root["/ParentTree"].get_object()["/Nums"]
    by_key = {int(parents[i]): cast(ArrayObject, parents[i + 1].get_object()) for i in range(0, len(parents), 2)}
    for page in writer.pages:
        mcids = drawn.get(page.indirect_reference.idnum) if page.indirect_reference else None
        contents = page.get_contents()
        if not mcids or contents is None:
            continue
        contents.set_data(_as_artifacts(contents.get_data(), mcids))
        page.replace_contents(contents)
        page.compress_content_streams()
        marked = by_key.get(int(cast(int, page.get("/StructParents", -1))))
        for number in mcids:
            if marked is not None and number < len(marked):
                marked[number] = NullObject()


def _as_artifacts(data: bytes, mcids: set[int]) -> bytes:
    """A content stream with the ``Form`` marked content of ``mcids`` marked as artifacts instead."""
    return _MARKED_FORM.sub(lambda m: b"/Artifact BMC" if int(m.group(1)) in mcids else m.group(0), data)


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
                descr = doc_pr.get("descr")
                if descr:
                    return descr
    return ""


def logo_figure(writer: PdfWriter, alt: str) -> None:
    """Tag the first page's logo as a Figure with ``alt`` as its text; on later pages it stays page furniture.

    LibreOffice marks everything in a page header as an artifact, so without
    this the logo would have no alternative text in the PDF at all.
    """
    root = catalog(writer).get("/StructTreeRoot")
    page = writer.pages[0]
    contents = page.get_contents()
    if not alt or root is None or contents is None:
        return
    match = _LOGO_DRAW.search(contents.get_data())
    if match is None or "/StructParents" not in page:
        return
    root = root.get_object()
    nums = root["/ParentTree"].get_object()["/Nums"]
    keys = [int(k) for k in nums[0::2]]
    key = page["/StructParents"]  # an integer (PDF 14.7.4.4); pypdf types it as PdfObject
    if not isinstance(key, int) or key not in keys:
        return
    marked = nums[2 * keys.index(key) + 1].get_object()
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
        NameObject("/Alt"): text_string(alt),
        NameObject("/A"): DictionaryObject({
            NameObject("/O"): NameObject("/Layout"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in (x, y, x + w, y + h)),
        }),
    })
    ref = add_object(writer, figure)
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
                annot[NameObject("/Contents")] = text_string(f"Länk till {uri}" if uri else "Länk")


_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
<pdf:Producer>{producer}</pdf:Producer><xmp:CreatorTool>{producer}</xmp:CreatorTool>
<pdfuaid:part>1</pdfuaid:part>{case}
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""
#: A registration field's XMP property (its namespace is :data:`.common.CASE_XMP_NS`, which the reader looks for).
_REGISTERED_XMP = '\n<blankett:{name} xmlns:blankett="' + CASE_XMP_NS + '">{value}</blankett:{name}>'


def metadata(writer: PdfWriter, title: str, subject: str, registered: Registered = ()) -> None:
    """Title, subject, language, PDF/UA id and a filled form's registration fields only: no author, version, date
    or path."""

    info = {"/Title": title, "/Subject": subject, "/Producer": PRODUCER, "/Creator": PRODUCER}
    info.update((f"/{name}", text) for name, text in registered)
    writer.metadata = info
    stream = DecodedStreamObject()
    stream.set_data(xmp_packet(title, subject, registered))
    stream.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    catalog(writer)[NameObject("/Metadata")] = add_object(writer, stream)
    root = catalog(writer)
    root[NameObject("/Lang")] = TextStringObject(LANGUAGE)
    prefs = root.setdefault(NameObject("/ViewerPreferences"), DictionaryObject()).get_object()
    prefs[NameObject("/DisplayDocTitle")] = _true()


def registered_xmp(registered: Registered) -> str:
    """The registration fields as XMP properties (``blankett:Typ`` …), escaped."""
    from xml.sax.saxutils import escape

    return "".join(_REGISTERED_XMP.format(name=name, value=escape(text)) for name, text in registered)


def xmp_packet(title: str, subject: str, registered: Registered = ()) -> bytes:
    """The XMP metadata: title, subject, language, PDF/UA id and a filled form's registration fields."""
    from xml.sax.saxutils import escape

    return _XMP.format(title=escape(title), subject=escape(subject), lang=LANGUAGE, producer=PRODUCER,
                       case=registered_xmp(registered)).encode("utf-8")


def docx_registered(docx: bytes) -> list[tuple[str, str]]:
    """The registration fields a filled .docx carries as document properties (the blank form carries none)."""
    with open_package(docx, "dokumentet") as pkg:
        return registration_properties(registration_values(pkg.custom_property))


def finish(pdf: bytes, docx: bytes | None, title: str = TITLE, subject: str = SUBTITLE,
           warnings: list[str] | None = None, registered: Registered | None = None) -> bytes:
    """LibreOffice's PDF mended: named fields with tooltips (when ``docx`` is given), headers, metadata.

    Answers that cannot be shown whole on the page are told in ``warnings`` (Swedish, naming the field).
    The registration fields (``registered``, else those ``docx`` carries) go into the metadata only.
    """
    with quiet_pypdf():
        return _finish(pdf, docx, title, subject, warnings, registered)


def _finish(pdf: bytes, docx: bytes | None, title: str, subject: str, warnings: list[str] | None,
            registered: Registered | None) -> bytes:
    """:func:`finish`'s work."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header  # LibreOffice's version (1.7), not pypdf's default 1.3
    if registered is None:
        registered = docx_registered(docx) if docx is not None else ()
    tags = docx_controls(docx) if docx is not None else []
    if tags:  # a document without fields (the overview) has only its headers, logo and metadata mended
        name_fields(writer, tags)
        grow_widgets(writer, reader)
        shown = text_appearances(writer)
        if warnings is not None:
            warnings.extend(shown)
    table_headers(writer)
    form_elements(writer)
    logo_figure(writer, _logo_alt(docx))
    link_descriptions(writer)
    metadata(writer, title, subject, registered)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
