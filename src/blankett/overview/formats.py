"""The overview's output files, one line each: which file, for which version, drawn by which renderer.

The internal overview is the Word document (for the kommunstyrelse's agenda), its PDF and the workbook with
charts; the public one the accessible web page, its tagged PDF and the workbook of its suppressed tables. A
format is added here and nowhere else: ``blankett.overview_files``, ``blankett.overview_documents``, the command
and the web page make what is listed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import office as office_suite
from ..profile import Profile
from . import render_docx, render_html, render_pdf, render_xlsx
from .report import Overview

#: A renderer: the overview, the municipality's profile (header and footer) and LibreOffice's path (PDF) → bytes.
Render = Callable[[Overview, Profile | None, str | Path | None], bytes]


def _docx(overview: Overview, profile: Profile | None, soffice: str | Path | None) -> bytes:
    return render_docx.render(overview, profile)


def _pdf(overview: Overview, profile: Profile | None, soffice: str | Path | None) -> bytes:
    return render_pdf.render(overview, profile, soffice)


def _html(overview: Overview, profile: Profile | None, soffice: str | Path | None) -> bytes:
    return render_html.render(overview)


def _xlsx(overview: Overview, profile: Profile | None, soffice: str | Path | None) -> bytes:
    return render_xlsx.render(overview)


@dataclass(frozen=True)
class Format:
    """One output file: its ending, the version it is made for, its renderer, and whether it needs LibreOffice."""

    ending: str
    public: bool
    render: Render
    office: bool = False

    def name(self, overview: Overview) -> str:
        """The file's name: version and period in it, e.g. ``lagesbild-intern-2025-01-01--2025-12-31.docx``."""
        return overview.file_name(self.ending)


#: Every file one run writes, internal first.
FORMATS: tuple[Format, ...] = (
    Format("docx", False, _docx),
    Format("pdf", False, _pdf, office=True),
    Format("xlsx", False, _xlsx),
    Format("html", True, _html),
    Format("pdf", True, _pdf, office=True),
    Format("xlsx", True, _xlsx),
)


def of(public: bool) -> tuple[Format, ...]:
    """The formats of one version."""
    return tuple(f for f in FORMATS if f.public is public)


def by_ending(ending: str) -> Format | None:
    """The renderer of a file ending, whichever version it is asked for (the web page and the API let the user
    choose; a public Word document or an internal web page is drawn alike), or None for an ending not made."""
    return next((f for f in FORMATS if f.ending == ending), None)


def render_all(jobs: Sequence[tuple[Format, Overview]], profile: Profile | None = None,
               soffice: str | Path | None = None) -> list[bytes]:
    """Each (format, overview)'s bytes, in order, as one run makes them: an overview's Word document is drawn
    once (its PDF is made from it) and every PDF of the run comes from one LibreOffice start (a start is most of
    a PDF's time)."""
    words: dict[int, bytes] = {}

    def word(overview: Overview) -> bytes:
        if id(overview) not in words:
            words[id(overview)] = render_docx.render(overview, profile)
        return words[id(overview)]

    office = [overview for f, overview in jobs if f.office]
    if office:  # a missing LibreOffice is said before any document is drawn, not after (0.7 s for one form)
        soffice = office_suite.find_soffice(soffice)
    pdfs = iter(render_pdf.from_docxs([(word(o), o.title) for o in office], soffice) if office else [])
    return [next(pdfs) if f.office else word(overview) if f.render is _docx else f.render(overview, profile, soffice)
            for f, overview in jobs]
