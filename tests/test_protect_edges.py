"""protect: the edges of encryption and decryption no other test reaches, on files msoffcrypto and pikepdf wrote.

An IRM-protected file is told from an old binary file (both OLE files without a password's key), a PDF that only
mentions ``/Encrypt`` is read as it is, and an empty password or an unknown file kind is refused before any work.
"""

from __future__ import annotations

import io
import re

import olefile
import pikepdf
import pytest

import blankett
from blankett import protect
from blankett.errors import InputError, UnsupportedEncryptionError

from .records import full_record

PASSWORD = "Hemligt lösen 19"


@pytest.fixture(scope="module")
def encrypted() -> bytes:
    """A filled form encrypted as Word does it (an OLE file: EncryptionInfo, EncryptedPackage, DataSpaces)."""
    return blankett.fill_docx(full_record(1), password=PASSWORD)


def _renamed(data: bytes, old: str, new: str) -> bytes:
    """The OLE file with one directory entry renamed (names are UTF-16 in the directory; same length kept)."""
    assert len(old) == len(new) and data.count(old.encode("utf-16-le")) == 1
    return data.replace(old.encode("utf-16-le"), new.encode("utf-16-le"))


def test_rights_management_without_a_password_key_is_the_unsupported_line(encrypted, tmp_path):
    """IRM: the data spaces are there but no EncryptionInfo, so no password can open it; said in one line."""
    path = tmp_path / "irm.docx"
    path.write_bytes(_renamed(encrypted, "EncryptionInfo", "XncryptionInfo"))
    with pytest.raises(UnsupportedEncryptionError) as caught:
        protect.unlocked(path, PASSWORD)
    assert str(caught.value) == f"irm.docx: {protect.UNSUPPORTED}"


def test_an_ole_file_with_neither_key_nor_rights_management_is_left_to_the_package_reader(encrypted, tmp_path):
    """An old binary Word file renamed to .docx: not encrypted here; the reader names what it is."""
    path = tmp_path / "gammal.docx"
    path.write_bytes(_renamed(_renamed(encrypted, "EncryptionInfo", "XncryptionInfo"), "\x06DataSpaces", "\x06DataSpacez"))
    assert protect.unlocked(path, PASSWORD) is None
    result = blankett.extract(path, password=PASSWORD)
    assert result.status == "fel" and result.record is None
    assert result.messages == ["filen är lösenordsskyddad (krypterad) eller i det gamla binära formatet; "
                               "ta bort lösenordet och spara som .docx/.xlsx"]


def _damaged(encrypted: bytes, tmp_path, change) -> bytes:
    """The encrypted form with its EncryptionInfo stream changed (same length), as a broken copy leaves it."""
    path = tmp_path / "skadad.docx"
    path.write_bytes(encrypted)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        info = ole.openstream("EncryptionInfo").read()
        changed = change(info)
        assert len(changed) == len(info) and changed != info
        ole.write_stream("EncryptionInfo", changed)
    return path.read_bytes()


@pytest.mark.parametrize("change", [
    # the password's key, no longer base64: the key cannot be unwrapped
    lambda info: re.sub(rb'(encryptedKeyValue=")([^"]*)"', lambda m: m[1] + b"!" * len(m[2]) + b'"', info, count=1),
    # the description's XML broken (msoffcrypto's parser raised ExpatError: a traceback, not a line)
    lambda info: info.replace(b"<keyData", b"<keyDat!", 1),
], ids=["nyckeln", "xml"])
def test_damaged_encryption_with_the_right_password_is_the_unsupported_line(encrypted, tmp_path, change):
    path = tmp_path / "svar.docx"
    path.write_bytes(_damaged(encrypted, tmp_path, change))
    with pytest.raises(UnsupportedEncryptionError) as caught:
        protect.unlocked(path, PASSWORD)
    assert str(caught.value) == f"svar.docx: {protect.UNSUPPORTED}"


def _pdf(title: str) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Title"] = title
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def test_a_pdf_that_only_mentions_encrypt_is_read_as_it_is(tmp_path):
    """``/Encrypt`` in a title (or an answer's text) is no encryption: no password asked, the file read as is."""
    data = _pdf("Om /Encrypt i PDF")
    assert b"/Encrypt" in data
    path = tmp_path / "svar.pdf"
    path.write_bytes(data)
    assert protect.unlocked(path, None) is None


@pytest.mark.parametrize("data", [b"%PDF-1.7\n/Encrypt\n", b"trailer <</Encrypt 3 0 R>>", _pdf("x")[:300] + b"/Encrypt"])
def test_a_broken_pdf_mentioning_encrypt_is_left_to_the_pdf_reader(data):
    """Broken, and nothing says how it is encrypted: not a password question; the PDF reader names the damage."""
    assert protect.decrypt_pdf(data, None, "trasig.pdf") is None


def test_an_empty_password_is_refused_before_anything_is_encrypted():
    """An empty password protects nothing: refused in Swedish, for a .docx and for a PDF alike."""
    with pytest.raises(InputError, match="^lösenordet är tomt; ett tomt lösenord skyddar ingenting$"):
        blankett.fill_docx(full_record(1), password="")
    with pytest.raises(InputError, match="^lösenordet är tomt"):
        blankett.encrypt(_pdf("x"), "", ".pdf")


def test_encrypt_names_a_file_kind_it_cannot_encrypt():
    with pytest.raises(ValueError, match=r"^no encryption for \.odt files$"):
        blankett.encrypt(b"PK\x03\x04", PASSWORD, ".ODT")


def test_encrypted_office_asks_only_about_office_files_it_can_open(encrypted, tmp_path):
    """Whether a command should ask for a password first: never for a PDF, nor for a file that cannot be read."""
    (tmp_path / "krypterad.docx").write_bytes(encrypted)
    (tmp_path / "krypterad.pdf").write_bytes(encrypted)
    (tmp_path / "mapp.docx").mkdir()
    assert protect.encrypted_office(tmp_path / "krypterad.docx") is True
    assert protect.encrypted_office(tmp_path / "krypterad.pdf") is False
    assert protect.encrypted_office(tmp_path / "mapp.docx") is False
    assert protect.encrypted_office(tmp_path / "saknas.xlsx") is False
