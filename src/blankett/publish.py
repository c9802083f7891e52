"""Publish: the blank form for the website, as the same .docx as ``blankett blank`` and as an accessible PDF."""

from __future__ import annotations

from pathlib import Path

from .build import blank_bytes
from .errors import OutputExistsError
from .pdf import blank as pdfblank
from .profile import Profile
from .write import write_bytes

NAME = "Bilaga5"


def publish(out_dir: str | Path, profile: Profile | None = None, force: bool = False,
            soffice: str | Path | None = None) -> list[tuple[Path, int]]:
    """Write ``Bilaga5.docx`` and ``Bilaga5.pdf`` to ``out_dir``; each path written with its size in bytes.

    The PDF is had first, so that a missing LibreOffice (another profile's first time) leaves nothing half published.
    """
    out_dir = Path(out_dir)
    for path in (out_dir / f"{NAME}.docx", out_dir / f"{NAME}.pdf"):
        if path.exists() and not force:
            raise OutputExistsError(path)
    docx = blank_bytes(profile)
    pdf = blank_pdf(profile, soffice)
    written = []
    for suffix, data in ((".docx", docx), (".pdf", pdf)):
        written.append((write_bytes(out_dir / f"{NAME}{suffix}", data, force, public=True), len(data)))
    return written


def blank_pdf(profile: Profile | None = None, soffice: str | Path | None = None) -> bytes:
    """The blank form as an accessible, fillable PDF, titled with the profile's appendix name: the shipped one for
    the bundled profile, else made once by LibreOffice and cached (:mod:`.pdf.blank`)."""
    return pdfblank.blank_pdf(profile, soffice)
