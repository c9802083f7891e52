"""PDF: the form as an accessible, fillable PDF (through LibreOffice); :mod:`pdfread` reads filled ones back.

LibreOffice 25.2 turns each content control into a widget but names them
``Widget``, ``_2``, ``_3``… in document order, shows the placeholder as the
field's value, names check-box states after their glyphs and sizes each widget
to its placeholder text. :func:`finish` mends that with pypdf: field names are
the controls' tags, tooltips (``/TU``) the Swedish labels from :mod:`form`,
check boxes are ``/Yes``/``/Off``, widgets fill their table cells, tables get
header cells, and the metadata names no person, program version or path.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import io
import json
import logging
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
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
from ..errors import BlankettError, OutputExistsError
from ..form import LANGUAGE, SUBTITLE, TITLE, Field, Kind, field_for_tag
from ..model import CASE_LABEL
from ..office import FILE_SECONDS, iter_convert
from ..package import open_package, parse_xml, read_all
from ..write import write_bytes
from . import font as pdffont

PRODUCER = "blankett"
ON, OFF = "/Yes", "/Off"
MAX_PDF = 50 * 1024 * 1024
FONT, BOX_FONT = "/LiSa", "/ZaDb"  # LiSa: Liberation Sans, embedded (pdffont)
_MULTILINE = 1 << 12


@contextlib.contextmanager
def quiet_pypdf() -> Iterator[None]:
    """pypdf's logger silenced while our own calls run: a broken file's details are told in one Swedish line of
    ours. Only around our calls, so a host program's own pypdf logging is left as it set it."""
    logger = logging.getLogger("pypdf")
    before = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = before


def text_string(text: str) -> TextStringObject:
    """A PDF text string; non-ASCII as UTF-16BE with a byte order mark, which every reader decodes (pdfminer and
    pdfplumber fail on PDFDocEncoding's ä and ö)."""
    value = TextStringObject(text)
    if not text.isascii():
        value.autodetect_pdfdocencoding, value.autodetect_utf16 = False, True
        value.utf16_bom = codecs.BOM_UTF16_BE
    return value


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


def docx_controls(docx: bytes) -> list[str]:
    """The tag of every content control of a .docx, in document order."""
    parts = dict(read_all(docx))
    root = parse_xml(parts["word/document.xml"], "word/document.xml")
    return [ooxml.tag_of(sdt) or "" for sdt in root.iter(ooxml.SDT)]


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
    flags = int(widget.get("/Ff", 0)) & ~_MULTILINE
    widget[NameObject("/Ff")] = NumberObject(flags | (_MULTILINE if f.kind is Kind.TEXT and f.multiline else 0))
    value = str(widget.get("/V", ""))
    shown = controls.answer(ooxml.Control(None, text=value))
    if shown != value:
        widget[NameObject("/V")] = TextStringObject(shown)
        if not shown:
            widget[NameObject("/DV")] = TextStringObject("")
        widget.pop("/AP", None)


def field_type(f: Field) -> str:
    """The PDF field type of ``f``'s widgets: a check box (/Btn) for Ja/Nej, a text field (/Tx) for any other."""
    return "/Btn" if f.kind is Kind.JANEJ else "/Tx"


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
    form = cast(DictionaryObject, writer._root_object["/AcroForm"])  # pypdf types every value as PdfObject
    resources = form.setdefault(NameObject("/DR"), DictionaryObject())
    fonts = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
    for unused in ("/Helv", "/TiRo"):  # LibreOffice's standard fonts, never embedded: no field uses them
        fonts.pop(NameObject(unused), None)
    fonts[NameObject(FONT)] = pdffont.add_font(writer)
    fonts[NameObject(BOX_FONT)] = writer._add_object(_standard_font("/ZapfDingbats"))
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
        annot[NameObject("/Ff")] = NumberObject(int(annot.get("/Ff", 0)) | _MULTILINE)


# --- answers drawn into their fields ----------------------------------------------

#: Helvetica's advance widths (1/1000 em) for ASCII 32–126, from Adobe's core-14 metrics.
_HELVETICA = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
    556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
    260, 334, 584,
]
#: The other WinAnsi characters that are not as wide as their base letter (å is as wide as a, Ö as O), as
#: Liberation Sans draws them (the embedded answer font: Helvetica's widths but for · ¯ ± ÷ µ).
_HELVETICA_OTHER = {ch: width for width, chars in {
    222: "‚‘’", 260: "¦", 278: "ìíîï", 333: "·„ˆ‹“”˜›¡¨\xad²³´¸¹", 350: "•", 365: "º", 370: "ª", 400: "°", 537: "¶",
    549: "±÷", 552: "¯", 556: "€ƒ†‡–¢£¤¥§«»ðþ", 576: "µ", 584: "¬×", 611: "¿ßø", 667: "Þ", 722: "Ð", 737: "©®", 778: "Ø", 834: "¼½¾",
    889: "æ", 944: "œ", 1000: "…‰Œ—™Æ",
}.items() for ch in chars}
#: Answers are drawn in 10 pt, made smaller down to 7 pt to fit their box, never smaller.
FONT_SIZE, MIN_FONT_SIZE = 10.0, 7.0
#: Space left and right of the text, above and below it; line height; ascent (of Å, not only A) and descent, in em.
_PAD, _VPAD, _LEADING, _ASCENT, _DESCENT = 2.0, 1.0, 1.15, 0.9, 0.21


@functools.lru_cache(maxsize=4096)
def _char_width(ch: str) -> float:
    """Width of one WinAnsi character in Helvetica, in 1/1000 em."""
    if " " <= ch <= "~":
        return _HELVETICA[ord(ch) - 32]
    if ch in _HELVETICA_OTHER:
        return _HELVETICA_OTHER[ch]
    base = unicodedata.normalize("NFKD", ch)[:1]
    return _HELVETICA[ord(base) - 32] if " " <= base <= "~" else 556


def text_width(text: str, size: float) -> float:
    """Width in points of WinAnsi ``text`` in Helvetica at ``size``."""
    return sum(_char_width(ch) for ch in text) * size / 1000


def winansi(text: str) -> tuple[str, bool]:
    """``text`` as the standard font can show it, and whether anything had to be replaced.

    Swedish letters, “ ” – … € are WinAnsi and stay; a letter with a mark the font lacks loses the mark
    (ş becomes s); anything else, such as ł, ☒ or emoji, becomes ``?``. Tabs become spaces.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if _PLAIN.fullmatch(text):  # the usual answer: nothing to replace, no character looked at one by one
        return text, False
    out, replaced = [], False
    for ch in text:
        if ch == "\n" or _encodable(ch):
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and all(_encodable(c) for c in base) else "?")
        replaced = True
    return "".join(out), replaced


#: Text that needs no replacing: line breaks, printable ASCII and Latin-1 (all WinAnsi).
_PLAIN = re.compile("[\n\x20-\x7e\xa0-\xff]*")


def _encodable(ch: str) -> bool:
    """Whether one character is a printable WinAnsi character."""
    if ch < " " or "\x7f" <= ch < "\xa0":
        return False
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _wrap(text: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width``: at its line breaks, between words, inside too long words."""
    lines = []
    space = _char_width(" ")
    for paragraph in text.split("\n"):
        line, units = "", 0.0  # the line's width in 1/1000 em, summed word by word (no kerning: the same sum)
        for word in paragraph.split(" "):
            word_units = sum(_char_width(ch) for ch in word)
            candidate_units = units + space + word_units if line else word_units
            if candidate_units * size / 1000 <= width:
                line, units = (f"{line} {word}" if line else word), candidate_units
                continue
            if line:
                lines.append(line)
            while len(word) > 1 and text_width(word, size) > width:
                cut = 1
                while text_width(word[:cut + 1], size) <= width:
                    cut += 1
                lines.append(word[:cut])
                word = word[cut:]
            line, units = word, sum(_char_width(ch) for ch in word)
        lines.append(line)
    return lines


def _lines_fitting(height: float, size: float) -> int:
    """How many lines of ``size`` fit in a box ``height`` high."""
    room = height - 2 * _VPAD - (_ASCENT + _DESCENT) * size
    return 0 if room < 0 else 1 + int(room / (_LEADING * size) + 1e-6)


@dataclass
class Layout:
    """An answer laid out in its box: font size, lines, and whether all of it fits."""

    size: float
    lines: list[str]
    fits: bool


def layout(text: str, width: float, height: float, multiline: bool, minimum: float = MIN_FONT_SIZE) -> Layout:
    """The largest size from 10 pt down to 7 pt at which ``text`` fits the box, wrapped; what fits at 7 pt if not.

    A single-line field's line breaks become spaces; its text still wraps where the box is tall enough.
    """
    text = text if multiline else " ".join(text.split("\n"))
    size = FONT_SIZE
    while True:
        lines = _wrap(text, size, width - 2 * _PAD)
        room = _lines_fitting(height, size)
        if len(lines) <= room or size <= minimum:
            break
        size = max(minimum, size - 0.5)
    return Layout(size, lines[:max(1, room)], len(lines) <= room)


def _pdf_string(text: str) -> bytes:
    """A PDF literal string of WinAnsi text, non-ASCII bytes as octal escapes."""
    out = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            out.append(byte)
        else:
            out += b"\\%03o" % byte
    return bytes(out + b")")


def _number(value: float) -> bytes:
    """A number for a content stream, without a float's noise."""
    return (f"{value:.3f}".rstrip("0").rstrip(".") or "0").encode()


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
    return writer._add_object(stream)


def appearance_body(width: float, height: float, shown: Layout | None) -> bytes:
    """The content of a text field's appearance: the laid-out lines in :data:`FONT`, clipped to the box."""
    body = b"/Tx BMC\n"
    if shown is not None and any(shown.lines):
        size, n = shown.size, _number
        lead = _LEADING * size
        one_line = _lines_fitting(height, size) <= 1  # a one-line box: the line in the middle, else from the top
        top = (height - (_ASCENT - _DESCENT) * size) / 2 if one_line else height - _VPAD - _ASCENT * size
        body += b"q\n0 0 %s %s re W n\nBT\n%s %s Tf\n0 g\n%s TL\n%s %s Td\n" % (
            n(width), n(height), FONT.encode(), n(size), n(lead), n(_PAD), n(top))
        body += b"\nT*\n".join(_pdf_string(line) + b" Tj" for line in shown.lines)
        body += b"\nET\nQ\n"
    return body + b"EMC\n"


def text_appearances(writer: PdfWriter) -> list[str]:
    """Draw every text field's answer into its own appearance; Swedish warnings for answers that cannot be shown whole.

    Viewers that draw fields themselves (NeedAppearances) differ: MuPDF draws nothing, poppler does not wrap.
    So each field carries what it shows, wrapped in its box, in 10 pt or smaller down to 7 pt. An answer too
    long even then is drawn as far as it fits and named in a warning; the field's value always keeps all of it.
    """
    form = cast(DictionaryObject, writer._root_object["/AcroForm"])
    fonts = cast(DictionaryObject, cast(DictionaryObject, form["/DR"])["/Font"])
    font = fonts.raw_get(FONT)
    warnings = []
    for widget in _field_widgets(writer):
        if widget.get("/FT") != "/Tx":
            continue
        f = field_for_tag(str(widget["/T"]))
        label = f.control_label(str(widget["/T"])) if f else str(widget["/T"])
        x0, y0, x1, y1 = (float(v) for v in cast(ArrayObject, widget["/Rect"]))
        multiline = bool(int(widget.get("/Ff", 0)) & _MULTILINE)
        value = widget.get("/V")
        text, replaced = winansi(kinds.clean_text(str(value))[0]) if isinstance(value, str) else ("", False)
        shown = layout(text, x1 - x0, y1 - y0, multiline) if text.strip() else None
        widget[NameObject("/AP")] = DictionaryObject(
            {NameObject("/N"): _appearance(writer, font, x1 - x0, y1 - y0, shown)})
        widget[NameObject("/DA")] = TextStringObject(f"0 g {FONT} 0 Tf")
        warnings.extend(shown_warnings(label, shown is None or shown.fits, replaced))
    return warnings


def shown_warnings(label: str, fits: bool, replaced: bool) -> list[str]:
    """The Swedish warnings for an answer drawn only in part, or with characters the font lacks."""
    warnings = []
    if not fits:
        warnings.append(f"fältet ”{label}”: svaret får inte plats i sin ruta i PDF:en ens med "
                        f"{MIN_FONT_SIZE:g} punkters text och syns bara delvis på sidan (hela svaret finns kvar "
                        "i fältet)")
    if replaced:
        warnings.append(f"fältet ”{label}”: tecken som PDF:ens typsnitt saknar visas som ? på sidan (svaret i "
                        "fältet är oförändrat)")
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
    root = writer._root_object.get("/StructTreeRoot")
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
    root = writer._root_object.get("/StructTreeRoot")
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
    root = writer._root_object.get("/StructTreeRoot")
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


#: Where a filled form's case number is kept: a key of the document information and a property in the XMP.
CASE_INFO = "/Diarienummer"
CASE_XMP_NS = "urn:blankett:bilaga5/"
_CASE_XMP = '\n<blankett:Diarienummer xmlns:blankett="' + CASE_XMP_NS + '">{}</blankett:Diarienummer>'


def metadata(writer: PdfWriter, title: str, subject: str, case: str | None = None) -> None:
    """Title, subject, language, PDF/UA id and a filled form's case number only: no author, version, date or path."""

    info = {"/Title": title, "/Subject": subject, "/Producer": PRODUCER, "/Creator": PRODUCER}
    if case is not None:
        info[CASE_INFO] = case
    writer.metadata = info
    stream = DecodedStreamObject()
    stream.set_data(xmp_packet(title, subject, case))
    stream.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    root = writer._root_object
    root[NameObject("/Lang")] = TextStringObject(LANGUAGE)
    prefs = root.setdefault(NameObject("/ViewerPreferences"), DictionaryObject()).get_object()
    prefs[NameObject("/DisplayDocTitle")] = _true()


def xmp_packet(title: str, subject: str, case: str | None) -> bytes:
    """The XMP metadata: title, subject, language, PDF/UA id and a filled form's case number."""
    from xml.sax.saxutils import escape

    return _XMP.format(title=escape(title), subject=escape(subject), lang=LANGUAGE, producer=PRODUCER,
                       case=_CASE_XMP.format(escape(case)) if case is not None else "").encode("utf-8")


def _case_number(docx: bytes) -> str | None:
    """The case number a filled .docx carries as a document property (the blank form carries none)."""
    with open_package(docx, "dokumentet") as pkg:
        return pkg.custom_property(CASE_LABEL)


def finish(pdf: bytes, docx: bytes | None, title: str = TITLE, subject: str = SUBTITLE,
           warnings: list[str] | None = None, case: str | None = None) -> bytes:
    """LibreOffice's PDF mended: named fields with tooltips (when ``docx`` is given), headers, metadata.

    Answers that cannot be shown whole on the page are told in ``warnings`` (Swedish, naming the field).
    The case number (``case``, else the one ``docx`` carries) goes into the metadata only.
    """
    with quiet_pypdf():
        return _finish(pdf, docx, title, subject, warnings, case)


def _finish(pdf: bytes, docx: bytes | None, title: str, subject: str, warnings: list[str] | None,
            case: str | None) -> bytes:
    """:func:`finish`'s work."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header  # LibreOffice's version (1.7), not pypdf's default 1.3
    if case is None and docx is not None:
        case = _case_number(docx)
    if docx is not None:
        name_fields(writer, docx_controls(docx))
        grow_widgets(writer, reader)
        shown = text_appearances(writer)
        if warnings is not None:
            warnings.extend(shown)
    table_headers(writer)
    form_elements(writer)
    logo_figure(writer, _logo_alt(docx))
    link_descriptions(writer)
    metadata(writer, title, subject, case)
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
    warnings: list[str] = dc_field(default_factory=list)


def _finish_one(docx: Path, pdf: Path, target: Path, fields: bool, force: bool,
                title: str, subject: str) -> PdfResult:
    """Mend one converted PDF and write it atomically, owner-only."""
    warnings: list[str] = []

    def make() -> bytes:
        source = docx.read_bytes()
        return finish(pdf.read_bytes(), source if fields else None, title, subject, warnings, _case_number(source))

    return write_one(docx, target, force, make, "PDF:en kunde inte efterbehandlas", warnings)


def write_one(docx: Path, target: Path, force: bool, make: Callable[[], bytes], failed: str,
              warnings: list[str] | None = None) -> PdfResult:
    """``make()``'s PDF written to ``target`` atomically, owner-only; any failure is one line naming the target
    (``failed`` for an unforeseen one), and the batch goes on. ``warnings``: what ``make`` noted, read after it."""
    try:
        write_bytes(target, make(), force)
    except OutputExistsError as exc:
        return PdfResult(docx, target, str(exc), exists=True)
    except BlankettError as exc:
        return PdfResult(docx, target, f"{target.name}: {exc}")
    except Exception as exc:  # noqa: BLE001 - pypdf's errors are many; the batch goes on
        return PdfResult(docx, target, f"{target.name}: {failed} ({exc.__class__.__name__})")
    return PdfResult(docx, target, warnings=[f"{target.name}: {w}" for w in warnings or []])


def docx_to_pdf(pairs: list[tuple[Path, Path]], flatten: bool = False, force: bool = False,
                soffice: str | Path | None = None, per_file: float = FILE_SECONDS,
                title: str = TITLE, subject: str = SUBTITLE) -> list[PdfResult]:
    """Convert each (.docx, target .pdf) pair, a chunk per LibreOffice start; failures are reported, in input order.

    Each PDF is mended as soon as its chunk is done, while LibreOffice converts the next.
    """
    return convert_pairs(pairs, export_target(not flatten), "blankett-pdf-", soffice, per_file,
                         lambda src, out, target: _finish_one(src, out, target, not flatten, force, title, subject))


def convert_pairs(pairs: list[tuple[Path, Path]], target_filter: str, prefix: str, soffice: str | Path | None,
                  per_file: float, finish: Callable[[Path, Path, Path], PdfResult]) -> list[PdfResult]:
    """Each (.docx, target .pdf) pair through LibreOffice, a chunk per start; results in input order.

    Each output is finished (``finish(staged .docx, LibreOffice's PDF, target)``) as soon as its chunk is done,
    while LibreOffice converts the next; a failed conversion is reported under the .docx's own name.
    """
    results: dict[int, PdfResult] = {}
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        staged: dict[Path, int] = {}
        (Path(tmp) / "in").mkdir()
        for n, (docx, _) in enumerate(pairs):
            link = Path(tmp) / "in" / f"f{n:05d}.docx"
            link.write_bytes(Path(docx).read_bytes())
            staged[link] = n
        for conv in iter_convert(list(staged), target_filter, Path(tmp) / "out", per_file,
                                 soffice=soffice):
            n = staged[conv.source]
            docx, target = Path(pairs[n][0]), Path(pairs[n][1])
            if conv.output is None:
                results[n] = PdfResult(docx, target, conv.error.replace(conv.source.name, docx.name))
            else:
                results[n] = finish(conv.source, conv.output, target)
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
