"""Fill with PDF: the batch fill, then a PDF of each filled form (beside the .docx, or alone).

The PDF step is judged per file like the fill step: written, already there, or failed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .archivefill import docx_to_archive
from .batch import Summary, fill_files
from .fill import Outcome
from .office import find_soffice
from .pdf import docx_to_pdf
from .status import FillStatus


def pdf_outcomes(docx_files: list[Path], out_dir: str | Path, flatten: bool = False, force: bool = False,
                 soffice: str | Path | None = None, archive: bool = False) -> list[Outcome]:
    """A PDF in ``out_dir`` for every filled .docx, each as a fill ``Outcome`` (written, already there or failed).

    ``archive``: the PDF is an archive copy (PDF/A-3a, PDF/UA-1, the record embedded; see :mod:`archive`).

    Each PDF is judged on its own: one that is missing is made, whether its .docx was written now or was there.
    """
    out_dir = Path(out_dir)
    result: list[Outcome] = []
    pairs: list[tuple[Path, Path]] = []
    for docx in map(Path, docx_files):
        target = out_dir / f"{docx.stem}.pdf"
        if target.exists() and not force:
            result.append(Outcome(docx.name, FillStatus.EXISTS, target))
        else:
            pairs.append((docx, target))
    made = [] if not pairs else docx_to_archive(pairs, force, soffice) if archive else docx_to_pdf(
        pairs, flatten, force, soffice)
    for r in made:
        if r.exists:
            result.append(Outcome(r.source.name, FillStatus.EXISTS, r.target))
        else:
            result.append(Outcome(r.source.name, FillStatus.FAILED, None, [r.error]) if r.error
                          else Outcome(r.source.name, FillStatus.WRITTEN, r.target, r.warnings))
    return result


def fill_with_pdf(inputs: list[Path], out_dir: str | Path, keep_docx: bool = True, flatten: bool = False,
                  force: bool = False, template_path: Path | None = None, jobs: int | None = None,
                  soffice: str | Path | None = None, progress: bool = False, archive: bool = False) -> list[Summary]:
    """Fill forms and make their PDFs (beside the .docx, or alone); the summaries to show, PDF last.

    LibreOffice is looked for first, so that a missing one is said before anything is written.
    """
    program = find_soffice(soffice)
    if keep_docx:
        summary = fill_files(inputs, out_dir, False, force, template_path, jobs, progress)
        made = pdf_outcomes(summary.outputs, out_dir, flatten, force, program, archive)  # a .docx already there too
    else:
        with tempfile.TemporaryDirectory(prefix="blankett-fill-") as tmp:
            summary = fill_files(inputs, tmp, False, True, template_path, jobs, progress)
            made = pdf_outcomes(summary.written, out_dir, flatten, force, program, archive)
    pdfs = Summary()
    for outcome in made:
        pdfs.add(outcome)
    if keep_docx:
        return [summary, pdfs]
    pdfs.merge_failures(summary)
    return [pdfs]
