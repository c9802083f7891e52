"""The zip directory read without zipfile: on every package it reads, it sees what zipfile sees, or it leaves it to zipfile."""

from __future__ import annotations

import base64
import io
import os
import struct
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blankett import package
from blankett.errors import UnsafeFileError
from blankett.package import Member, _plain_directory, open_package

from .forms import filled, zipped

FORM = filled({"utsatt": "Anders Bergström", "polisanmald": "Ja"})
#: Where the central directory and its end record lie: the bytes a change must hit to matter here.
DIRECTORY = FORM.rfind(b"PK\x05\x06") - FORM.find(b"PK\x01\x02") + 22


def _by_zipfile(data: bytes) -> list[Member] | None:
    """The members as zipfile reads them; None when zipfile refuses the zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return [Member(i.filename, i.flag_bits, i.compress_type, i.CRC, i.compress_size, i.file_size,
                           i.header_offset) for i in zf.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None


def test_a_form_is_read_without_zipfile_and_as_zipfile_reads_it():
    members = _plain_directory(FORM)
    assert members is not None and members == _by_zipfile(FORM)
    with open_package(FORM) as pkg:
        assert pkg._zip is None and pkg.names == [m.name for m in members]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=DIRECTORY), st.integers(min_value=0, max_value=255)),
                min_size=1, max_size=6))
def test_a_changed_directory_is_read_as_zipfile_reads_it_or_left_to_zipfile(changes):
    data = bytearray(FORM)
    for back, byte in changes:
        data[-back] = byte
    members = _plain_directory(bytes(data))
    assert members is None or members == _by_zipfile(bytes(data))


def _with_end(data: bytes, comment: bytes = b"", before: bytes = b"") -> bytes:
    end = data.rfind(b"PK\x05\x06")
    record = bytearray(data[end:end + 22])
    struct.pack_into("<H", record, 20, len(comment))
    return before + data[:end] + bytes(record) + comment


@pytest.mark.parametrize("data", [
    _with_end(FORM, comment=b"en kommentar"),  # an archive comment
    _with_end(FORM, before=b"\0" * 64),  # something before the zip (zipfile reads it as concatenated)
    FORM[:-22] + b"PK\x06\x07" + FORM[-18:],  # where a zip64 locator would lie
    zipped([("a.xml", b"<a/>"), ("\u00e5.xml", b"<b/>")]),  # a UTF-8 name
])
def test_what_is_not_plain_is_left_to_zipfile_or_read_as_it(data):
    members = _plain_directory(data)
    assert members is None or members == _by_zipfile(data)


def test_a_package_left_to_zipfile_is_read_through_it():
    data = _with_end(FORM, comment=b"en kommentar")
    assert _plain_directory(data) is None
    with open_package(data) as pkg:
        assert pkg._zip is not None and pkg.names == [m.name for m in _plain_directory(FORM) or []]
        assert pkg.read("word/document.xml") == zipfile.ZipFile(io.BytesIO(FORM)).read("word/document.xml")


def test_a_zip_that_zipfile_refuses_is_refused():
    data = bytearray(FORM)
    data[data.find(b"PK\x01\x02") + 6] = 64  # needs zip version 6.4
    assert _plain_directory(bytes(data)) is None
    with pytest.raises(UnsafeFileError, match="trasig"):
        open_package(bytes(data))


def test_relationships_and_content_types_read_once_per_bytes_are_checked_each_time():
    """Forms from one template share these parts byte for byte: the summary is remembered, never the verdict."""
    with zipfile.ZipFile(io.BytesIO(FORM)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    rels = members["_rels/.rels"].decode()
    hostile = rels.replace("?>", '?><!DOCTYPE Relationships [<!ENTITY x "y">]>', 1).encode()
    bad = zipped([(n, hostile if n == "_rels/.rels" else d) for n, d in members.items()])
    for name in ("en.docx", "en.docx", "två.docx"):
        with open_package(bad, name) as pkg, pytest.raises(UnsafeFileError, match=f"^{name} .*DTD"):
            pkg.main_part()
    moved = rels.replace('Target="word/document.xml"', 'Target="word/borta.xml"').encode()
    for data in (FORM, zipped([(n, moved if n == "_rels/.rels" else d) for n, d in members.items()]), FORM):
        with open_package(data, "x.docx") as pkg:
            if data is FORM:
                assert pkg.main_part() == "word/document.xml" and pkg.custom_property("Diarienummer") is None
            else:
                with pytest.raises(UnsafeFileError, match="word/borta.xml"):
                    pkg.main_part()


def test_a_large_content_types_part_is_read_but_not_remembered():
    """What is remembered stays small in a long-running server: a part beyond 64 KB is parsed each time."""
    with zipfile.ZipFile(io.BytesIO(FORM)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    types = members["[Content_Types].xml"].replace(b"</Types>", b"<!--" + base64.b64encode(os.urandom(52_500)) + b"--></Types>")
    data = zipped([(n, types if n == "[Content_Types].xml" else d) for n, d in members.items()])
    package._SUMMARIES.clear()
    for _ in range(2):
        with open_package(data) as pkg:
            assert pkg.main_part() == "word/document.xml"
    assert [part for part, _ in package._SUMMARIES] == ["_rels/.rels"]
