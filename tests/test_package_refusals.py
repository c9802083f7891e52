"""package: each kind of broken or misleading package is refused with one Swedish line naming the file.

The packages are real forms (filled by blankett, read by zipfile) with one thing changed as a broken
program or an attacker would change it.
"""

from __future__ import annotations

import base64
import io
import random
import struct
import zipfile

import pytest

from blankett import extract, package
from blankett.errors import UnsafeFileError
from blankett.package import _plain_directory, open_package

from .forms import filled, zipped

FORM = filled({"utsatt": "Anders Bergström", "polisanmald": "Ja"})
RELS, TYPES, MAIN = "_rels/.rels", "[Content_Types].xml", "word/document.xml"


def _members() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(FORM)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _changed(name: str, change) -> bytes:
    """The form with one member's bytes changed by ``change`` (or left out when it gives None)."""
    members = [(n, change(d) if n == name else d) for n, d in _members().items()]
    return zipped([(n, d) for n, d in members if d is not None])


def _refusal(data: bytes, name: str = "svar.docx") -> str:
    with open_package(data, name) as pkg, pytest.raises(UnsafeFileError) as caught:
        pkg.main_part()
    return str(caught.value)


def test_an_empty_file_is_named_empty(tmp_path):
    """Through the front door as a user meets it: one line, the file's name, not a zip error."""
    path = tmp_path / "tom.docx"
    path.write_bytes(b"")
    result = extract(path)
    assert (result.source, result.status.value, result.record) == (str(path), "fel", None)
    assert result.messages == ["filen är tom"]
    with pytest.raises(UnsafeFileError, match=r"^tom\.docx: filen är tom$"):  # the same, in this process
        open_package(path)


def test_a_file_that_cannot_be_opened_is_named(tmp_path):
    with pytest.raises(UnsafeFileError, match=r"^saknas\.docx: filen kan inte öppnas \(No such file or directory\)$"):
        open_package(tmp_path / "saknas.docx")


def test_an_open_file_object_is_read_and_not_closed():
    """A caller's own file object (an upload's spooled file) is read and stays the caller's to close."""
    fh = io.BytesIO(FORM)
    with open_package(fh, "uppladdad.docx") as pkg:
        assert pkg.main_part() == MAIN
    assert not fh.closed


def test_a_package_without_relationships_has_no_properties_and_is_no_word_document():
    data = _changed(RELS, lambda d: None)
    with open_package(data, "svar.docx") as pkg:
        assert pkg.custom_property("Diarienummer") is None
    assert _refusal(data) == "svar.docx: filen är inget giltigt Word-dokument (paketets relationer, _rels/.rels, saknas)"


def test_a_package_whose_relationships_point_outside_is_refused():
    data = _changed(RELS, lambda d: d.replace(b'Target="word/document.xml"',
                                              b'Target="https://example.invalid/x.xml" TargetMode="External"'))
    assert _refusal(data) == "svar.docx: paketets relationer pekar på en extern fil och läses inte"


def test_a_package_naming_no_main_document_is_refused():
    data = _changed(RELS, lambda d: d.replace(b"/officeDocument\"", b"/somethingElse\""))
    assert _refusal(data) == ("svar.docx: filen är inget Word-dokument (paketets relationer anger inget "
                              "huvuddokument)")


def test_a_package_naming_two_main_documents_is_refused():
    """Readers disagree on which of two main documents to show: the file is not read at all."""
    second = b'<Relationship Id="rIdTwo" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/' \
             b'officeDocument" Target="word/annat.xml"/></Relationships>'
    data = _changed(RELS, lambda d: d.replace(b"</Relationships>", second))
    assert _refusal(data) == ("svar.docx: paketets relationer anger 2 huvuddokument (word/document.xml, "
                              "word/annat.xml); olika program skulle visa olika dokument, så filen läses inte")


def test_a_package_without_content_types_is_refused_as_no_word_document():
    data = _changed(TYPES, lambda d: None)
    assert _refusal(data) == "svar.docx: huvuddokumentet word/document.xml är inget Word-dokument (innehållstyp saknas)"


def test_a_main_document_typed_by_its_extension_default():
    """No override for the main part: the extension's default type decides (here a Word type, so it is read)."""
    word = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

    def by_default(d: bytes) -> bytes:
        d = d.replace(b'<Override PartName="/word/document.xml" ContentType="' + word + b'"/>', b"")
        return d.replace(b'Extension="xml" ContentType="application/xml"', b'Extension="XML" ContentType="' + word + b'"')
    data = _changed(TYPES, by_default)
    assert b"/word/document.xml" not in dict(zipped_members(data))[TYPES]
    with open_package(data) as pkg:
        assert pkg.main_part() == MAIN and pkg.content_type("word/annan.Xml") == word.decode()
        assert pkg.content_type("word/ingen-punkt") is None


def zipped_members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(n, zf.read(n)) for n in zf.namelist()]


def test_remembered_summaries_are_forgotten_past_their_number():
    """A long-running server keeps at most _REMEMBERED summaries: the 65th different part empties the memory."""
    package._SUMMARIES.clear()
    sizes = []
    for n in range(package._REMEMBERED + 1):
        data = _changed(RELS, lambda d, n=n: d.replace(b"</Relationships>", f"<!-- {n} --></Relationships>".encode()))
        with open_package(data) as pkg:
            assert pkg.main_part() == MAIN
        sizes.append(len(package._SUMMARIES))
    # one content types part shared by all, a rels part each: full at the 63rd, emptied by the 64th rels part
    assert sizes[:2] == [2, 3] and max(sizes) == package._REMEMBERED and sizes[-2:] == [2, 3]


def test_a_member_larger_than_its_limit_is_refused_unread(monkeypatch):
    """An XML part beyond MAX_XML_PART (made 1 MB here) is refused naming it, inflated no further than that."""
    filler = base64.b64encode(random.Random(19).randbytes(800_000))  # 1.1 MB that deflate packs 4:3: no zip bomb
    data = _changed(MAIN, lambda d: d.replace(b"</w:document>", b"<!--" + filler + b"--></w:document>"))
    monkeypatch.setattr(package, "MAX_XML_PART", 2**20)
    with open_package(data, "stor.docx") as pkg, pytest.raises(UnsafeFileError) as caught:
        pkg.read(MAIN)
    assert str(caught.value) == "stor.docx: delen word/document.xml är större än 1 MB och läses inte"


def test_a_member_whose_local_header_is_gone_is_refused_as_damaged():
    """The directory points at bytes that are no member (a damaged copy): one line naming the file and the part."""
    with zipfile.ZipFile(io.BytesIO(FORM)) as zf:
        at = zf.getinfo(MAIN).header_offset
    data = FORM[:at] + b"XX" + FORM[at + 2:]
    with open_package(data, "skadad.docx") as pkg, pytest.raises(UnsafeFileError) as caught:
        pkg.read(MAIN)
    assert str(caught.value) == "skadad.docx: filen är trasig eller avkortad (word/document.xml kan inte packas upp)"


def test_a_directory_with_bytes_after_its_last_entry_is_refused_as_damaged():
    """A central directory that claims ten bytes more than its entries: zipfile's verdict (damaged), not a guess."""
    end = FORM.rfind(b"PK\x05\x06")
    record = bytearray(FORM[end:end + 22])
    size, = struct.unpack_from("<L", record, 12)
    struct.pack_into("<L", record, 12, size + 10)
    data = FORM[:end] + b"\0" * 10 + bytes(record)
    assert _plain_directory(data) is None
    with pytest.raises(UnsafeFileError, match=r"^avkortad\.docx: filen är trasig eller avkortad"):
        open_package(data, "avkortad.docx")


def test_a_name_flagged_utf8_that_is_not_is_refused_as_damaged():
    data = zipped([("a.xml", b"<a/>"), ("\u00e5.xml", b"<b/>")])
    bad = data.replace("\u00e5.xml".encode(), b"\xff.xml.")  # same length, flag 0x800 kept, no longer UTF-8
    assert _plain_directory(bad) is None
    with pytest.raises(UnsafeFileError, match=r"^namn\.docx: filen är trasig eller avkortad"):
        open_package(bad, "namn.docx")


def test_members_with_extra_fields_are_read_from_the_directory_as_zipfile_reads_them():
    """Info-ZIP and 7-Zip give each member a timestamp record (0x5455) and more: still a plain zip, read as is."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(FORM)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            info.extra = struct.pack("<HHBL", 0x5455, 5, 1, 0) + struct.pack("<HH", 0x7875, 3) + b"\x01\x00\x00"
            dst.writestr(info, src.read(info))
    data = out.getvalue()
    members = _plain_directory(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert members is not None and [(m.name, m.crc, m.offset) for m in members] == [
            (i.filename, i.CRC, i.header_offset) for i in zf.infolist()]
    with open_package(data) as pkg:
        assert pkg.main_part() == MAIN and pkg.read(MAIN) == _members()[MAIN]
