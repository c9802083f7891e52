"""Returned files staged for reading: the size check every reader starts with, and LibreOffice's conversion of
.doc/.odt to .docx in an owner-only temporary folder.

No document we read may make anything fetch anything (a linked image is a beacon that tells the sender when and
where a form was opened, and a way to make the server request internal addresses). So before LibreOffice sees a
file, :func:`prepare` checks it in a guarded worker (:mod:`blankett.guard`): an .odt must be OpenDocument text
within the zip bomb limits, and is copied with every reference outside the package removed (``xlink:href`` to
anything but its own parts, DDE links, linked sections and tables, scripts); a .doc must be a Word 97–2003 file,
and one with a field that includes another file or address (INCLUDEPICTURE, INCLUDETEXT, LINK, DDE, IMPORT) is
refused. LibreOffice itself runs with links blocked (:mod:`blankett.office`), as a second line.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree

from . import office, protect
from .errors import BlankettError, InputError, OfficeMissingError, os_problem
from .guard import Guards
from .package import OLE_MAGIC, open_package, parse_xml

CONVERT_HINT = "öppna filen i Word eller LibreOffice och spara den som Word-dokument (.docx)"
NO_OFFICE = ("filen måste konverteras till .docx men LibreOffice finns inte: öppna filen i Word eller LibreOffice "
             "och välj Spara som > Word-dokument (.docx), eller installera LibreOffice "
             "(sudo bash scripts/install-libreoffice.sh) så konverteras den automatiskt")
#: Files larger than this are not even opened (a returned form is well under 1 MB).
MAX_FILE = 100 * 1024 * 1024
#: Endings that LibreOffice converts before reading (done once per batch).
CONVERTED = frozenset({".doc", ".odt"})

Conversions = dict[Path, "office.Converted | None"]


def size_check(path: Path) -> None:
    """Refuse a file too large to be a returned form before opening it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(os_problem(exc)) from None
    if size == 0:
        raise InputError("filen är tom")
    if size > MAX_FILE:
        raise InputError(f"filen är {size // 2**20} MB, orimligt stor för en ifylld blankett, och läses inte")


ODT_TYPE = b"application/vnd.oasis.opendocument.text"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
#: ODF elements that pull content from elsewhere when a document is loaded or updated: removed whole.
_FETCHING = frozenset({
    "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}dde-source",
    "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}dde-connection-decls",
    "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}dde-links",
    "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table-source",
    "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}section-source",
    "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}event-listeners",
    "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}scripts",
    "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}plugin",
    "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}applet",
    "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}floating-frame",
})
_SCHEME = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]*:")
#: Word fields that bring in another file or address when the document is opened or updated.
_FIELDS = re.compile(r"\x13[\s\x00-\x12]*(INCLUDEPICTURE|INCLUDETEXT|INCLUDE|LINK|DDEAUTO|DDE|IMPORT)\b", re.I)
REFUSED_LINKS = "filen hämtar innehåll från en annan fil eller adress (fältet {}) och läses inte av säkerhetsskäl"


def _internal(target: str) -> bool:
    """True for a reference to a part of the package itself (``Pictures/1.png``, ``./Object 1``, ``#mark``)."""
    path = target.strip().replace("\\", "/")
    if _SCHEME.match(path) or path.startswith("/"):
        return False
    return ".." not in path.split("/")


def _neutralised(data: bytes, what: str) -> bytes:
    """An ODF XML part without any reference outside the package (the rest as it was)."""
    root = parse_xml(data, what)
    for element in list(root.iter()):
        if element.tag in _FETCHING:
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
            continue
        href = element.get(XLINK_HREF)
        if href is not None and not _internal(href):
            del element.attrib[XLINK_HREF]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _prepare_odt(source: Path, target: Path) -> None:
    """``source`` as an OpenDocument text within the bomb limits, copied to ``target`` with nothing to fetch."""
    with open_package(source, source.name) as pkg:
        if "mimetype" not in pkg.members or pkg.read("mimetype").strip() != ODT_TYPE:
            raise InputError("filen är ingen OpenDocument-text (.odt) trots ändelsen")
        parts = [(name, pkg.read(name)) for name in pkg.names if not name.endswith("/")]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), ODT_TYPE, zipfile.ZIP_STORED)  # first and stored, as ODF wants
        for name, data in parts:
            if name != "mimetype":
                zf.writestr(name, _neutralised(data, f"{source.name} ({name})") if name.endswith(".xml") else data)
    _write_private(target, out.getvalue())


def _prepare_doc(source: Path, target: Path, password: str | None = None) -> None:
    """``source`` as a Word 97–2003 file without a field that includes another file, copied to ``target``.

    A .doc saved with a password is decrypted in memory with ``password`` (or refused in one Swedish line), and
    only its decrypted copy, in the owner-only temporary folder that is removed with the conversion, is what
    LibreOffice is given: it cannot be handed a password on its command line without every user seeing it.
    """
    data = source.read_bytes()
    if not data.startswith(OLE_MAGIC):
        raise InputError("filen är ingen Word 97–2003-fil (.doc) trots ändelsen")
    data = protect.decrypt_doc97(data, password, source.name) or data  # the INCLUDE check below reads it decrypted
    for text in (data.decode("latin-1"), data.decode("utf-16-le", "replace"), data[1:].decode("utf-16-le", "replace")):
        found = _FIELDS.search(text)
        if found:
            raise InputError(REFUSED_LINKS.format(found.group(1).upper()))
    _write_private(target, data)


def _write_private(target: Path, data: bytes) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(target, "xb") as fh:  # in the owner-only temporary folder
        fh.write(data)
    target.chmod(0o600)


def prepare(source: str, target: str, password: str | None = None) -> str | None:
    """Copy ``source`` to ``target`` as LibreOffice may see it; the Swedish reason it may not, or None.

    Run in a guarded worker: the file is untrusted, and this parses it. ``password`` opens an encrypted .doc.
    """
    path = Path(source)
    try:
        if path.suffix.lower() == ".odt":
            _prepare_odt(path, Path(target))
        else:
            _prepare_doc(path, Path(target), password)
    except BlankettError as exc:
        message = str(exc)
        return message[len(path.name) + 2:] if message.startswith(f"{path.name}: ") else message
    except OSError as exc:
        return os_problem(exc)
    return None


@contextlib.contextmanager
def converted(paths: Iterable[Path], password: str | None = None) -> Iterator[Conversions]:
    """LibreOffice's conversion of each path to .docx (``office.Converted``), in an owner-only temporary folder.

    Each file is first checked and copied by :func:`prepare`; a file it refuses is never given to LibreOffice,
    and its ``Converted`` is marked ``refused``.
    """
    paths = list(paths)
    try:
        office.find_soffice()  # before any file is looked at: without LibreOffice none of them can be read
    except OfficeMissingError:
        raise InputError(NO_OFFICE) from None
    with tempfile.TemporaryDirectory(prefix="blankett-read-") as tmp, Guards(1) as guards:
        links: dict[Path, Path] = {}
        refused: Conversions = {}
        for n, path in enumerate(paths):
            link = Path(tmp) / "in" / f"{n:06d}{path.suffix.lower()}"
            try:
                # the password goes to the worker on its stdin pipe, never in its arguments
                why = guards.run("blankett.staging:prepare", str(path), str(link), password)
            except BlankettError as exc:  # past the worker's memory or time
                why = str(exc)
            if why is None:
                links[path] = link
            else:
                refused[path] = office.Converted(link, None, why, refused=True)
        try:
            done = office.convert_batch(list(links.values()), "docx:MS Word 2007 XML", Path(tmp) / "out") if links else []
        except OfficeMissingError:
            raise InputError(NO_OFFICE) from None
        by_link = {c.source: c for c in done}
        yield {path: refused[path] if path in refused else by_link.get(links[path]) for path in paths}
