"""Protect: password encryption of filled forms and decryption of returned ones, in memory only.

A .docx (or .xlsx) is encrypted as Word 2010 and later and LibreOffice do it ("Kryptera med lösenord", "Spara med
lösenord"): ECMA-376 agile encryption, AES-256 with a SHA-512 key derived over 100 000 rounds (msoffcrypto-tool).
A PDF gets AES-256 (security handler revision 6, qpdf through pikepdf) that every PDF reader opens after asking
for the password; every permission stays allowed, so screen readers and form filling work once it is open.

Nothing decrypted is written anywhere: decryption goes from bytes to bytes, and the caller reads those. The
password is never put into a message, a file name or a document property.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.parsers.expat import ExpatError

from .errors import InputError, PasswordNeededError, UnsupportedEncryptionError, WrongPasswordError

#: The first bytes of an OLE compound file: an encrypted .docx/.xlsx is one (its package inside, encrypted).
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: File endings whose files are encrypted as Office documents, and as PDF.
OFFICE_ENDINGS = frozenset({".docx", ".docm", ".xlsx", ".xlsm"})
PDF_ENDINGS = frozenset({".pdf"})

NEEDED = "filen är lösenordsskyddad (krypterad) och inget lösenord angavs; ange lösenordet för att läsa den"
WRONG = "fel lösenord: filen är krypterad och gick inte att öppna med det angivna lösenordet"
UNSUPPORTED = ("filen är krypterad på ett sätt som inte kan läsas (till exempel rättighetsskydd IRM, ett "
               "certifikat eller en äldre kryptering än Word 97); be avsändaren spara den med lösenord i Word 2010 "
               "eller senare eller i LibreOffice")


def sealed(data: bytes, password: str | None, ending: str) -> bytes:
    """The bytes of a file with ``ending`` as they are written: encrypted when there is a password."""
    return data if password is None else encrypt(data, password, ending)


def encrypt(data: bytes, password: str, ending: str) -> bytes:
    """A form's bytes encrypted with ``password``, as a file with ``ending`` (``.docx``, ``.pdf``…) is encrypted."""
    ending = ending.lower()
    if ending in OFFICE_ENDINGS:
        return encrypt_office(data, password)
    if ending in PDF_ENDINGS:
        return encrypt_pdf(data, password)
    raise ValueError(f"no encryption for {ending} files")


def encrypt_office(data: bytes, password: str) -> bytes:
    """An OOXML package (.docx, .xlsx) encrypted: ECMA-376 agile, AES-256, as Word and LibreOffice open it."""
    from msoffcrypto.format.ooxml import OOXMLFile

    _check_password(password)
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """A PDF encrypted with AES-256 (R6); every permission allowed, so assistive technology and filling work."""
    import pikepdf

    _check_password(password)
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        # the owner password is the same: the recipient who knows it may do all a reader allows anyway
        pdf.save(out, encryption=pikepdf.Encryption(user=password, owner=password, R=6, aes=True,
                                                    allow=pikepdf.Permissions(modify_assembly=True)))
    return out.getvalue()


def _check_password(password: str) -> None:
    if not password:
        raise InputError("lösenordet är tomt; ett tomt lösenord skyddar ingenting")


def encrypted_office(path: Path) -> bool:
    """Whether ``path`` is an .xlsx/.docx saved with a password (an OLE file where a zip package would be): so a
    command asks for the password before it reads anything."""
    if path.suffix.lower() not in OFFICE_ENDINGS:
        return False
    try:
        with open(path, "rb") as fh:
            return fh.read(len(OLE_MAGIC)) == OLE_MAGIC
    except OSError:
        return False  # the reader names the problem in its own words


def unlocked(path: Path, password: str | None) -> bytes | None:
    """The decrypted bytes of an encrypted form at ``path``; None when it is not encrypted (read it as it is).

    Raises :class:`PasswordNeededError`, :class:`WrongPasswordError` or :class:`UnsupportedEncryptionError`.
    The caller has checked the file's size.
    """
    ending = path.suffix.lower()
    if ending not in OFFICE_ENDINGS | PDF_ENDINGS:
        return None
    with open(path, "rb") as fh:
        head = fh.read(len(OLE_MAGIC))
        if ending in OFFICE_ENDINGS and head != OLE_MAGIC:
            return None  # a plain zip package: not encrypted
        fh.seek(0)
        data = fh.read()
    if ending in OFFICE_ENDINGS:
        return decrypt_office(data, password, path.name)
    return decrypt_pdf(data, password, path.name)


def decrypt_office(data: bytes, password: str | None, name: str) -> bytes | None:
    """An encrypted .docx/.xlsx (an OLE file) decrypted in memory; refused with one Swedish line naming ``name``;
    None for an OLE file that holds no encrypted package (the caller's reader refuses it as it always has)."""
    from msoffcrypto import exceptions
    from msoffcrypto.format.ooxml import OOXMLFile

    try:
        office = OOXMLFile(io.BytesIO(data))
    except (exceptions.DecryptionError, ExpatError):  # an EncryptionInfo it cannot read: extensible, or damaged XML
        raise UnsupportedEncryptionError(f"{name}: {UNSUPPORTED}") from None
    except (exceptions.FileFormatError, OSError, ValueError):
        # an OLE file without EncryptionInfo: IRM-protected, or an old Word file renamed to .docx
        if _irm(data):
            raise UnsupportedEncryptionError(f"{name}: {UNSUPPORTED}") from None
        return None  # an old binary Word file or a broken one: the package reader names it in its own words
    if office.type != "agile" and office.type != "standard":
        raise UnsupportedEncryptionError(f"{name}: {UNSUPPORTED}")
    if not password:
        raise PasswordNeededError(f"{name}: {NEEDED}")
    out = io.BytesIO()
    try:
        # agile: the key is derived once (100 000 rounds); checking the verifier first would derive it a second
        # time, and a wrong key is caught anyway: what it decrypts is no zip package (InvalidKeyError)
        office.load_key(password=password, verify_password=office.type == "standard")
        office.decrypt(out)
    except exceptions.InvalidKeyError:
        raise WrongPasswordError(f"{name}: {WRONG}") from None
    except (exceptions.DecryptionError, exceptions.ParseError, ValueError, KeyError, IndexError):
        raise UnsupportedEncryptionError(f"{name}: {UNSUPPORTED}") from None
    return out.getvalue()


def decrypt_doc97(data: bytes, password: str | None, name: str) -> bytes | None:
    """A Word 97–2003 file (.doc) saved with a password (RC4, or RC4 CryptoAPI as Word 2002 and later and
    LibreOffice's "Spara med lösenord" write it) decrypted in memory; None when it is not encrypted. Refused with
    one Swedish line naming ``name``: no password, a wrong one, or an encryption it cannot open (XOR obfuscation
    of Word 95 and earlier, a damaged header)."""
    from msoffcrypto import exceptions
    from msoffcrypto.format.doc97 import Doc97File

    try:
        office = Doc97File(io.BytesIO(data))
        if not office.is_encrypted():
            return None
    except Exception:  # noqa: BLE001 - an OLE file that is no Word document: the converter names it in its words
        return None
    if not password:
        raise PasswordNeededError(f"{name}: {NEEDED}")
    out = io.BytesIO()
    try:
        office.load_key(password=password)
        office.decrypt(out)
    except exceptions.InvalidKeyError:
        raise WrongPasswordError(f"{name}: {WRONG}") from None
    except Exception:  # noqa: BLE001 - an old scheme or a damaged header: the third line, never a traceback
        raise UnsupportedEncryptionError(f"{name}: {UNSUPPORTED}") from None
    return out.getvalue()


def _irm(data: bytes) -> bool:
    """Whether an OLE file carries rights management (IRM) data spaces instead of a password's key."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return any(entry and entry[0].lstrip("\x06") == "DataSpaces" for entry in ole.listdir(streams=True,
                                                                                                  storages=True))
    except (OSError, ValueError):
        return False


def decrypt_pdf(data: bytes, password: str | None, name: str) -> bytes | None:
    """An encrypted PDF decrypted in memory (None when it is not encrypted); refused with one Swedish line."""
    if b"/Encrypt" not in data:  # the trailer names its encryption dictionary; never compressed
        return None
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data), password=password or "")
    except pikepdf.PasswordError:
        raise (WrongPasswordError(f"{name}: {WRONG}") if password else
               PasswordNeededError(f"{name}: {NEEDED}")) from None
    except pikepdf.PdfError as exc:
        if "encrypt" in str(exc).lower():  # a certificate's or an unknown security handler
            raise UnsupportedEncryptionError(f"{name}: {UNSUPPORTED}") from None
        return None  # a broken file: the PDF reader says so in its own words
    with pdf:
        if not pdf.is_encrypted:
            return None
        out = io.BytesIO()
        pdf.save(out)  # saved without encryption, into memory only
        return out.getvalue()
