"""What the PDF writers and the PDF reader share: field values, names, limits and the type rule of the fields.

The reader imports from here, never from a writer, so reading a PDF loads none of the writing code.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence

from ..form import REGISTRATION, Field, Kind
from ..held import Held

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


#: What :func:`quiet_pypdf` silences with: a handler that drops pypdf's records.
_SILENCE = logging.NullHandler()


def _pypdf_logging() -> tuple[bool, bool]:
    logger = logging.getLogger("pypdf")
    return logger.disabled, logger.propagate


def _restore_pypdf_logging(saved: tuple[bool, bool]) -> None:
    logger = logging.getLogger("pypdf")
    logger.removeHandler(_SILENCE)
    logger.disabled, logger.propagate = saved


def _silence_pypdf() -> None:
    logger = logging.getLogger("pypdf")
    logger.disabled, logger.propagate = True, False
    logger.addHandler(_SILENCE)  # once: a logger holds a handler once however often it is added


_PYPDF_LOGGING = Held(_pypdf_logging, _restore_pypdf_logging)


@contextlib.contextmanager
def quiet_pypdf() -> Iterator[None]:
    """pypdf's logger silenced while our own calls run: a broken file's details are told in one Swedish line of
    ours. Only around our calls, so a host program's own pypdf logging is left as it set it (:mod:`blankett.held`:
    overlapping calls share one silence).

    Each pypdf module logs through a logger of its own, made when it first warns ("pypdf._reader": "EOF marker not
    found"), and such a record reaches the handlers whatever the parent's flag says: so the parent keeps its
    children's records to itself (a handler that drops them, and no propagation to Python's last-resort stderr).
    """
    with _PYPDF_LOGGING.changed(_silence_pypdf):
        yield


def field_type(f: Field) -> str:
    """The PDF field type of ``f``'s widgets: a check box (/Btn) for Ja/Nej, a text field (/Tx) for any other."""
    return "/Btn" if f.kind is Kind.JANEJ else "/Tx"
