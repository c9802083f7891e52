"""What the PDF writers and the PDF reader share: field values, names, limits and the type rule of the fields.

The reader imports from here, never from a writer, so reading a PDF loads none of the writing code.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Sequence

from ..form import REGISTRATION, Field, Kind

PRODUCER = "blankett"
ON, OFF = "/Yes", "/Off"
MAX_PDF = 50 * 1024 * 1024
FONT, BOX_FONT = "/LiSa", "/ZaDb"  # LiSa: Liberation Sans, embedded (pdf.font)
MULTILINE = 1 << 12
#: Where a filled form's registration fields are kept: keys of the document information (``/Diarienummer``,
#: ``/Handelsedatum``, …) and properties in the XMP, in this namespace, named by each field's ``prop``.
CASE_XMP_NS = "urn:blankett:bilaga5/"
CASE_INFO = "/Diarienummer"
#: The document information keys of the registration fields.
REGISTRATION_INFO = tuple(f"/{r.prop}" for r in REGISTRATION)
#: A filled form's registration fields as (property name, text): what the metadata carries beside the title.
Registered = Sequence[tuple[str, str]]


class _Quiet:
    """How many of our calls are inside :func:`quiet_pypdf` now (server threads overlap), and the logger's own
    settings to give back when the last one ends."""

    lock = threading.Lock()
    depth = 0
    saved: tuple[bool, bool, logging.Handler] | None = None


@contextlib.contextmanager
def quiet_pypdf() -> Iterator[None]:
    """pypdf's logger silenced while our own calls run: a broken file's details are told in one Swedish line of
    ours. Only around our calls, so a host program's own pypdf logging is left as it set it.

    Each pypdf module logs through a logger of its own, made when it first warns ("pypdf._reader": "EOF marker not
    found"), and such a record reaches the handlers whatever the parent's flag says: so the parent keeps its
    children's records to itself (a handler that drops them, and no propagation to Python's last-resort stderr).
    Calls that overlap (threads) share one silence: the first saves the settings, the last puts them back (each
    putting back what it saw would leave the logger silenced for good when two overlap).
    """
    logger = logging.getLogger("pypdf")
    with _Quiet.lock:
        if _Quiet.depth == 0:
            silence: logging.Handler = logging.NullHandler()
            _Quiet.saved = (logger.disabled, logger.propagate, silence)
            logger.disabled, logger.propagate = True, False
            logger.addHandler(silence)
        _Quiet.depth += 1
    try:
        yield
    finally:
        with _Quiet.lock:
            _Quiet.depth -= 1
            if _Quiet.depth == 0 and _Quiet.saved is not None:
                disabled, propagate, drop = _Quiet.saved
                logger.removeHandler(drop)
                logger.disabled, logger.propagate = disabled, propagate
                _Quiet.saved = None


def field_type(f: Field) -> str:
    """The PDF field type of ``f``'s widgets: a check box (/Btn) for Ja/Nej, a text field (/Tx) for any other."""
    return "/Btn" if f.kind is Kind.JANEJ else "/Tx"
