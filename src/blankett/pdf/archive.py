"""The archive copy: a flattened form as PDF/A-3a and PDF/UA-1, with the record embedded as JSON.

LibreOffice 25.2 exports a form without fields as PDF/A-3b with an sRGB output
intent and embedded font subsets (``SelectPdfVersion`` 3). What keeps that from
PDF/A-3a and PDF/UA-1 is mended here, after :func:`.mend.finish` has done
what it does for every PDF (table headers, the logo as a figure, link
descriptions, the Info dictionary): an XMP that declares ``pdfaid`` part 3
conformance A beside ``pdfuaid`` part 1 and the case number (with the PDF/A
extension schemas for both), list bullets that LibreOffice maps to the Private
Use Area mapped to real characters, no open action, and the record itself as an
associated file (``/AF``, ``/AFRelationship /Data``) as e-invoices (ZUGFeRD,
Factur-X) carry their data, so that a machine reads it back exactly.

The reading side, :func:`.embedded.embedded_record`, is kept apart so the reader imports none of this.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any, cast
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from ..form import LANGUAGE, REGISTRATION, SUBTITLE, TITLE
from ..model import registration_properties
from . import convert
from .common import CASE_XMP_NS, PRODUCER, Registered
from .embedded import RECORD_NAME
from .mend import finish, registered_xmp
from .pypdf_private import add_object, catalog

#: The embedded record's media type and description (its file name, :data:`RECORD_NAME`, is the reader's too).
RECORD_MIME = "application/json"
RECORD_DESCRIPTION = "Blankettens svar som data (JSON, samma format som blankett fill läser)"
#: The PDF/A part and conformance level written (3a: tagged, Unicode text, embedded files allowed).
PDFA_PART, PDFA_CONFORMANCE = 3, "A"


def export_target() -> str:
    """The ``--convert-to`` value: LibreOffice's tagged PDF/UA export without fields, as PDF/A-3 (its 3b)."""
    prefix, sep, options = convert.export_target(False).partition(":writer_pdf_Export:")
    typed = json.loads(options)
    typed["SelectPdfVersion"] = {"type": "long", "value": "3"}  # 3 = PDF/A-3b in LibreOffice 25.2
    return prefix + sep + json.dumps(typed, separators=(",", ":"))


def record_json(record: dict[str, Any]) -> bytes:
    """The record as the embedded file holds it: UTF-8 JSON, keys in the form's order, readable by ``fill``."""
    return json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


# --- the XMP: PDF/A and PDF/UA identification, the case number --------------------------------------

_PROPERTY = """<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{name}</pdfaProperty:name>
<pdfaProperty:valueType>{type}</pdfaProperty:valueType><pdfaProperty:category>{category}</pdfaProperty:category>
<pdfaProperty:description>{description}</pdfaProperty:description></rdf:li>"""
_SCHEMA = """<rdf:li rdf:parseType="Resource"><pdfaSchema:schema>{schema}</pdfaSchema:schema>
<pdfaSchema:namespaceURI>{uri}</pdfaSchema:namespaceURI><pdfaSchema:prefix>{prefix}</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq>{properties}</rdf:Seq></pdfaSchema:property></rdf:li>"""
# PDF/A allows only the XMP schemas it names, and others declared in an extension schema: pdfuaid and ours.
_EXTENSIONS = (
    _SCHEMA.format(schema="PDF/UA identification schema", uri="http://www.aiim.org/pdfua/ns/id/", prefix="pdfuaid",
                   properties=_PROPERTY.format(name="part", type="Integer", category="internal",
                                               description="PDF/UA version identifier"))
    + _SCHEMA.format(schema="Bilaga 5", uri=CASE_XMP_NS, prefix="blankett",
                     properties="".join(_PROPERTY.format(name=r.prop, type="Text", category="external",
                                                         description=escape(r.label)) for r in REGISTRATION))
)
_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
 xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfaid:part>{part}</pdfaid:part>
<pdfaid:conformance>{conformance}</pdfaid:conformance><pdfuaid:part>1</pdfuaid:part></rdf:Description>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
<pdf:Producer>{producer}</pdf:Producer><xmp:CreatorTool>{producer}</xmp:CreatorTool></rdf:Description>{case}
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag>{extensions}</rdf:Bag></pdfaExtension:schemas></rdf:Description>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""
_REGISTERED = '\n<rdf:Description rdf:about="" xmlns:blankett="' + CASE_XMP_NS + '">{}</rdf:Description>'


def _xmp(writer: PdfWriter, title: str, subject: str, registered: Registered) -> None:
    """Replace the XMP with one that names PDF/A-3a and PDF/UA-1 (and the registration fields), matching the
    Info."""
    xmp = _XMP.format(part=PDFA_PART, conformance=PDFA_CONFORMANCE, title=escape(title), subject=escape(subject),
                      lang=LANGUAGE, producer=PRODUCER, extensions=_EXTENSIONS,
                      case=_REGISTERED.format(registered_xmp(registered)) if registered else "")
    stream = DecodedStreamObject()
    stream.set_data(xmp.encode("utf-8"))
    stream.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    catalog(writer)[NameObject("/Metadata")] = add_object(writer, stream)


# --- text: no Private Use Area -----------------------------------------------------------------------

#: Symbol-font bullets that Word's lists use, which LibreOffice maps to the Private Use Area (U+F000 + code):
#: PDF/A-3a wants the real character (or an /ActualText) for text a reader extracts.
_PUA_TO_UNICODE = {0xF0B7: 0x2022, 0xF0A7: 0x25AA, 0xF0D8: 0x27A2, 0xF0FC: 0x2713, 0xF06F: 0x006F, 0xF02D: 0x2013}
_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<(F0[0-9A-Fa-f]{2})>")


def _unicode_bullets(writer: PdfWriter) -> None:
    """Rewrite each font's ToUnicode map so that the list bullets read as •, ▪, ➢ … rather than private codes."""
    done: set[int] = set()
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            cmap_ref = font.get("/ToUnicode")
            if cmap_ref is None or id(cmap_ref.get_object()) in done:
                continue
            cmap = cast(StreamObject, cmap_ref.get_object())
            done.add(id(cmap))
            data = cmap.get_data()

            def real(match: re.Match[bytes]) -> bytes:
                code = int(match.group(2), 16)
                return b"<%s> <%04X>" % (match.group(1), _PUA_TO_UNICODE.get(code, code))

            mended = _BFCHAR.sub(real, data)
            if mended != data:
                cmap.set_data(mended)


# --- the record as an associated file -----------------------------------------------------------------

def _embed(writer: PdfWriter, data: bytes) -> None:
    """The record as an embedded file, listed in the name tree and as the document's associated file (/AF)."""
    plain = DecodedStreamObject()
    plain.set_data(data)
    plain.update({
        NameObject("/Type"): NameObject("/EmbeddedFile"),
        NameObject("/Subtype"): NameObject("/" + RECORD_MIME),
        NameObject("/Params"): DictionaryObject({NameObject("/Size"): NumberObject(len(data))}),
    })
    stream = plain.flate_encode()
    spec = DictionaryObject({
        NameObject("/Type"): NameObject("/Filespec"),
        NameObject("/F"): TextStringObject(RECORD_NAME),
        NameObject("/UF"): TextStringObject(RECORD_NAME),
        NameObject("/Desc"): TextStringObject(RECORD_DESCRIPTION),
        NameObject("/AFRelationship"): NameObject("/Data"),
        NameObject("/EF"): DictionaryObject({NameObject("/F"): add_object(writer, stream),
                                            NameObject("/UF"): add_object(writer, stream)}),
    })
    ref = add_object(writer, spec)
    root = catalog(writer)
    names = root.setdefault(NameObject("/Names"), DictionaryObject()).get_object()
    names[NameObject("/EmbeddedFiles")] = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject(RECORD_NAME), ref])})
    root[NameObject("/AF")] = ArrayObject([ref])


def make_archive(flat_pdf: bytes, record: dict[str, Any], title: str = TITLE, subject: str = SUBTITLE) -> bytes:
    """LibreOffice's PDF/A-3b export of a filled form (no fields) as PDF/A-3a + PDF/UA-1 with ``record`` embedded."""
    registered = registration_properties(record)
    finished = finish(flat_pdf, None, title, subject, registered=registered)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(finished)))
    writer.pdf_header = "%PDF-1.7"
    catalog(writer).pop(NameObject("/OpenAction"), None)  # no actions at all in an archive copy
    _xmp(writer, title, subject, registered)
    _unicode_bullets(writer)
    _embed(writer, record_json(record))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
