"""What the PDF writers and the PDF reader share: field values, names, limits and the type rule of the fields.

The reader imports from here, never from a writer, so reading a PDF loads none of the writing code.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from ..form import Field, Kind

PRODUCER = "blankett"
ON, OFF = "/Yes", "/Off"
MAX_PDF = 50 * 1024 * 1024
FONT, BOX_FONT = "/LiSa", "/ZaDb"  # LiSa: Liberation Sans, embedded (pdf.font)
MULTILINE = 1 << 12
#: Where a filled form's case number is kept: a key of the document information and a property in the XMP.
CASE_INFO = "/Diarienummer"
CASE_XMP_NS = "urn:blankett:bilaga5/"


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


def field_type(f: Field) -> str:
    """The PDF field type of ``f``'s widgets: a check box (/Btn) for Ja/Nej, a text field (/Tx) for any other."""
    return "/Btn" if f.kind is Kind.JANEJ else "/Tx"
