"""Every use of pypdf beyond its documented API, in one place, each with why the public API does not do it.

pypdf (5.6 and later) keeps these stable in practice, but they are not promised: when a pypdf upgrade breaks
one, this module is the only place to mend. Nothing else in :mod:`blankett` calls a ``_``-name of pypdf or sets
an undocumented attribute of its objects.
"""

from __future__ import annotations

import codecs

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, IndirectObject, PdfObject, StreamObject, TextStringObject


def add_object(writer: PdfWriter, obj: PdfObject) -> IndirectObject:
    """``obj`` added to ``writer`` as an indirect object; the reference to it.

    pypdf's public API adds objects only as parts of pages, annotations or attachments it builds itself; a font,
    an appearance stream, a structure element or an XMP packet of our own has no public way in but ``_add_object``.
    """
    return writer._add_object(obj)


def catalog(writer: PdfWriter) -> DictionaryObject:
    """The document catalog of ``writer``, to be changed in place (AcroForm, StructTreeRoot, Metadata, Lang …).

    ``root_object`` is public but documented as "recommended only for read access"; there is no public setter for
    most catalog entries we mend, and pypdf's own writer changes the same dictionary in place.
    """
    return writer.root_object


def text_string(text: str) -> TextStringObject:
    """A PDF text string; non-ASCII as UTF-16BE with a byte order mark, which every reader decodes (pdfminer and
    pdfplumber fail on PDFDocEncoding's ä and ö).

    pypdf picks the encoding itself (PDFDocEncoding where it can); the only way to ask for UTF-16 is to set the
    undocumented attributes its own decoder sets on strings it read as UTF-16.
    """
    value = TextStringObject(text)
    if not text.isascii():
        value.autodetect_pdfdocencoding, value.autodetect_utf16 = False, True
        value.utf16_bom = codecs.BOM_UTF16_BE
    return value


def encoded_bytes(stream: StreamObject) -> bytes:
    """A stream's bytes as stored in the file, still compressed.

    ``get_data()`` decompresses all of it at once, with no limit; an embedded file is decompressed by us in
    bounded steps instead (a zip bomb stops at the limit), which needs the stored bytes, kept in ``_data``.
    """
    return bytes(stream._data)


def pdfdoc_characters() -> list[str]:
    """The 256 characters of PDFDocEncoding by byte, as pypdf decodes them (``"\\x00"`` where a byte has none).

    pypdf decodes a text string with this table but gives up on the whole string, as bytes, when one byte has no
    character (0x7F, 0x9F, 0xAD); the table itself is not public. Our reader decodes such strings with it.
    """
    from pypdf._codecs import _pdfdoc_encoding

    return list(_pdfdoc_encoding)
