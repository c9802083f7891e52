"""The blank PDF every filled PDF starts from: shipped for the bundled profile, made once and cached for another.

Only making a blank PDF needs LibreOffice (the form's layout is Writer's). The
bundled profile's is built by ``scripts/make-blank-pdf.py`` and ships in the
wheel, so filling, ``publish`` and ``/api/blank.pdf`` need no office suite. A
municipality's own profile (or a ``--template``) has its blank PDF made by
LibreOffice the first time and kept in the user's cache folder (owner-only),
named by a hash of the blank .docx it was made from, so a changed profile gets a
new one.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from ..build import blank_bytes
from ..errors import OfficeMissingError
from ..fill import Filler
from ..form import SUBTITLE, TITLE
from ..office import find_soffice
from ..package import MAIN_PART, deflate, zip_deflated
from ..profile import Profile, load_profile
from ..write import write_bytes
from .convert import docx_bytes_to_pdf
from .write import PdfTemplate

#: The bundled profile's blank PDF, made by scripts/make-blank-pdf.py.
SHIPPED = Path(__file__).parent.parent / "templates" / "Bilaga5.pdf"
#: Where other profiles' blank PDFs are kept: ``$XDG_CACHE_HOME/blankett`` (else ``~/.cache/blankett``), 0700.
CACHE_ENV = "BLANKETT_CACHE"


def cache_dir() -> Path:
    """The folder for blank PDFs made for other profiles: ``$BLANKETT_CACHE``, ``$XDG_CACHE_HOME/blankett`` or
    ``~/.cache/blankett``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "blankett"


def title_for(profile: Profile | None) -> str:
    """The PDF's title: the form's and the profile's appendix name."""
    return f"{TITLE} – {(profile or load_profile()).appendix}"


def make_blank_pdf(docx: bytes, title: str, soffice: str | Path | None = None) -> bytes:
    """A blank PDF made from a blank .docx by LibreOffice and mended (what the shipped one is made by)."""
    return docx_bytes_to_pdf(docx, soffice=soffice, title=title, subject=SUBTITLE)


def is_bundled(profile: Profile | None) -> bool:
    """Whether ``profile`` is the bundled one (whose blank PDF ships)."""
    return profile is None or profile == load_profile()


def blank_pdf(profile: Profile | None = None, soffice: str | Path | None = None,
              template: bytes | None = None) -> bytes:
    """The blank PDF for ``profile`` (or for a blank .docx ``template``): shipped, cached, or made now and cached."""
    if template is None and is_bundled(profile):
        return _shipped()
    docx = template if template is not None else blank_bytes(profile)
    return _cached(docx, title_for(profile), soffice)


def _cached(docx: bytes, title: str, soffice: str | Path | None) -> bytes:
    """The cached blank PDF made from ``docx``, made by LibreOffice first if there is none."""
    key = hashlib.sha256(docx + title.encode()).hexdigest()[:32]
    folder = cache_dir()
    path = folder / f"Bilaga5-{key}.pdf"
    if path.is_file():
        return path.read_bytes()
    try:
        find_soffice(soffice)
    except OfficeMissingError as exc:
        raise OfficeMissingError(
            "den egna profilens (eller mallens) tomma PDF görs en gång av LibreOffice och sparas sedan i "
            f"{folder}; LibreOffice behövs för det första gången. {exc}") from None
    data = make_blank_pdf(docx, title, soffice)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_bytes(path, data, True)  # owner-only, atomic: a half-made cache file is never read
    return data


@lru_cache(maxsize=4)
def template_for(blank: bytes) -> PdfTemplate:
    """A :class:`~blankett.pdf.write.PdfTemplate` per blank PDF, read once per process."""
    return PdfTemplate(blank)


@lru_cache(maxsize=1)
def _shipped() -> bytes:
    """The shipped blank PDF's bytes, read once per process."""
    return SHIPPED.read_bytes()


@lru_cache(maxsize=1)
def _bundled_main() -> bytes:
    """The bundled template's main part (document.xml), to tell a ``--template`` that is the bundled one."""
    return dict(Filler().parts)[MAIN_PART]


def for_filler(filler: Filler | None, soffice: str | Path | None = None) -> PdfTemplate:
    """The PDF template matching a .docx template: the shipped blank for the bundled one, else its cached blank."""
    if filler is None or dict(filler.parts)[MAIN_PART] == _bundled_main():
        return template_for(_shipped())
    docx = zip_deflated([deflate(name, data) for name, data in filler.parts])
    return template_for(blank_pdf(None, soffice, docx))
