"""The record an archive copy carries, read back: found in the document's ``/AF``, decompressed within a limit.

The reading side of :mod:`.archive`, kept apart so that the reader (:mod:`.read`) loads none of the writing code.
It hands what it finds to the same model as every other answer, in the guarded reading worker.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, StreamObject

from ..errors import InputError
from .pypdf_private import encoded_bytes

#: The embedded record's file name (in the PDF's attachments).
RECORD_NAME = "Bilaga5-post.json"
#: The largest embedded record read back (decompressed); a full record of the longest answers is far below.
MAX_RECORD_JSON = 2 * 1024 * 1024


def _inflate(stream: StreamObject, name: str) -> bytes:
    """An embedded file's bytes, decompressed no further than :data:`MAX_RECORD_JSON` (a zip bomb stops there)."""
    too_big = InputError(f"{name}: den inbäddade posten ({RECORD_NAME}) är större än "
                         f"{MAX_RECORD_JSON // (1024 * 1024)} MB och läses inte")
    filters = stream.get("/Filter")
    raw = encoded_bytes(stream)
    if filters is None:
        data = raw
    elif filters in ("/FlateDecode", ["/FlateDecode"]) and not stream.get("/DecodeParms"):
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(raw, MAX_RECORD_JSON + 1)
        except zlib.error:
            raise InputError(f"{name}: den inbäddade posten ({RECORD_NAME}) är trasig och kan inte läsas") from None
    else:
        raise InputError(f"{name}: den inbäddade posten ({RECORD_NAME}) är packad på ett sätt som inte läses")
    if len(data) > MAX_RECORD_JSON:
        raise too_big
    return bytes(data)


def _spec(reader: PdfReader) -> DictionaryObject | None:
    """Our embedded record's file specification: in the document's /AF, named :data:`RECORD_NAME`, relation Data."""
    for ref in reader.root_object.get("/AF", []) or []:
        spec = ref.get_object()
        if (isinstance(spec, DictionaryObject) and spec.get("/AFRelationship") == "/Data"
                and str(spec.get("/UF", spec.get("/F", ""))) == RECORD_NAME):
            return spec
    return None


def embedded_record(reader: PdfReader, name: str) -> dict[str, Any] | None:
    """The record an archive copy carries (not yet validated), or None when the PDF carries none."""
    try:
        spec = _spec(reader)
        if spec is None:
            return None
        files = spec.get("/EF", {})
        stream = (files.get("/UF") or files.get("/F")).get_object()
    except (AttributeError, TypeError, ValueError, KeyError):
        raise InputError(f"{name}: den inbäddade posten ({RECORD_NAME}) är trasig och kan inte läsas") from None
    if not isinstance(stream, StreamObject):
        raise InputError(f"{name}: den inbäddade posten ({RECORD_NAME}) är trasig och kan inte läsas")
    try:
        record = json.loads(_inflate(stream, name).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputError(f"{name}: den inbäddade posten ({RECORD_NAME}) är ingen giltig JSON") from None
    if not isinstance(record, dict):
        raise InputError(f"{name}: den inbäddade posten ({RECORD_NAME}) är inget objekt med fält")
    return record
