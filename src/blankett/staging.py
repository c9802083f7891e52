"""Returned files staged for reading: the size check every reader starts with, and LibreOffice's conversion of
.doc/.odt to .docx in an owner-only temporary folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import office
from .errors import InputError, OfficeMissingError, os_problem

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


@contextlib.contextmanager
def converted(paths: Iterable[Path]) -> Iterator[Conversions]:
    """LibreOffice's conversion of each path to .docx (``office.Converted``), in an owner-only temporary folder."""
    paths = list(paths)
    with tempfile.TemporaryDirectory(prefix="blankett-read-") as tmp:
        links: dict[Path, Path] = {}
        (Path(tmp) / "in").mkdir(mode=0o700)
        for n, path in enumerate(paths):
            links[path] = Path(tmp) / "in" / f"{n:06d}{path.suffix.lower()}"
            os.symlink(path.resolve(), links[path])
        try:
            done = office.convert_batch(list(links.values()), "docx:MS Word 2007 XML", Path(tmp) / "out")
        except OfficeMissingError:
            raise InputError(NO_OFFICE) from None
        by_link = {c.source: c for c in done}
        yield {path: by_link.get(link) for path, link in links.items()}
