"""The overview as a tagged PDF: its Word document converted by LibreOffice (PDF/UA export, as the form's PDF is
made) and then mended like the form's (:func:`blankett.pdf.mend.finish`: header cells, metadata, sv-SE, PDF/UA id).

Both the internal and the public overview are made this way; the public one is what the tests hold to the full
PDF/UA-1 check (pdfua and page-validation's ``ua1``), the internal one to the same checks.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .. import office
from ..pdf import convert, mend
from ..profile import Profile
from . import render_docx
from .report import Overview

#: Seconds LibreOffice may take for one overview (a few pages; its start is most of it).
OFFICE_SECONDS = 120.0


def render(overview: Overview, profile: Profile | None = None, soffice: str | Path | None = None) -> bytes:
    """The overview as tagged PDF bytes (LibreOffice needed: :class:`~blankett.errors.OfficeMissingError`; its
    failure or timeout: :class:`~blankett.office.ConversionError`)."""
    return from_docx(render_docx.render(overview, profile), overview.title, soffice)


def from_docx(docx: bytes, title: str, soffice: str | Path | None = None) -> bytes:
    """An overview's .docx (made by :mod:`.render_docx`) as a finished, tagged PDF."""
    with tempfile.TemporaryDirectory(prefix="blankett-lagesbild-") as tmp:  # 0700: the overview is sensitive
        source = Path(tmp) / "lagesbild.docx"
        source.write_bytes(docx)
        source.chmod(0o600)
        out = office.convert([source], convert.export_target(fields=False), Path(tmp) / "ut", OFFICE_SECONDS,
                             soffice)[source]
        if out is None:
            raise office.ConversionError(f"{title}: LibreOffice gjorde ingen PDF av lägesbilden.")
        raw = out.read_bytes()
    return mend.finish(raw, docx, title=title, subject=render_docx.SUBJECT)
