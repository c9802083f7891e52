"""The overview as a tagged PDF: its Word document converted by LibreOffice (PDF/UA export, as the form's PDF is
made) and then mended like the form's (:func:`blankett.pdf.mend.finish`: header cells, metadata, sv-SE, PDF/UA id).

Both the internal and the public overview are made this way; the public one is what the tests hold to the full
PDF/UA-1 check (pdfua and page-validation's ``ua1``), the internal one to the same checks.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
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
    return from_docxs([(docx, title)], soffice)[0]


def from_docxs(documents: Sequence[tuple[bytes, str]], soffice: str | Path | None = None) -> list[bytes]:
    """Overviews' .docx files (bytes, title) as finished, tagged PDFs, in order, made by one LibreOffice start:
    its start is most of an overview's time (the sample's two overviews, measured: 4.5–5.9 s in two starts, 2.1–3.4 s
    in one)."""
    with tempfile.TemporaryDirectory(prefix="blankett-lagesbild-") as tmp:  # 0700: the overview is sensitive
        sources = []
        for n, (docx, _) in enumerate(documents):
            source = Path(tmp) / f"lagesbild-{n}.docx"
            source.write_bytes(docx)
            source.chmod(0o600)
            sources.append(source)
        made = office.convert(sources, convert.export_target(fields=False), Path(tmp) / "ut", OFFICE_SECONDS,
                              soffice)
        raws = []
        for source, (_, title) in zip(sources, documents, strict=True):
            out = made[source]
            if out is None:
                raise office.ConversionError(f"{title}: LibreOffice gjorde ingen PDF av lägesbilden.")
            raws.append(out.read_bytes())
    return [mend.finish(raw, docx, title=title, subject=render_docx.SUBJECT)
            for raw, (docx, title) in zip(raws, documents, strict=True)]
