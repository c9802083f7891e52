"""Archive copies of filled forms (``fill --format pdfa``): each filled .docx through LibreOffice as PDF/A-3,
then mended by :mod:`.archive` with the record embedded.

The record embedded is the filled .docx read back and validated by the model, i.e. exactly what
``blankett extract`` reads from that .docx, so an archive copy and its Word file can never disagree.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from .. import model, readback
from ..batch import Summary, fill_files
from ..errors import BlankettError
from ..fill import Outcome
from ..office import FILE_SECONDS, find_soffice
from ..status import FillStatus
from . import archive
from .convert import PdfResult, convert_pairs, write_one


def docx_record(docx: Path) -> dict[str, Any]:
    """The record a filled .docx holds, as ``extract`` gives it (validated by the model)."""
    values, _ = readback.read_docx(docx)
    incident, _ = model.validate(values)
    return model.to_record(incident)


def _finish_one(docx: Path, flat: Path, target: Path, force: bool) -> PdfResult:
    """Make one archive copy from LibreOffice's export and write it atomically, owner-only."""
    return write_one(docx, target, force, lambda: archive.make_archive(flat.read_bytes(), docx_record(docx)),
                     "arkivexemplaret kunde inte göras")


def docx_to_archive(pairs: list[tuple[Path, Path]], force: bool = False, soffice: str | Path | None = None,
                    per_file: float = FILE_SECONDS) -> list[PdfResult]:
    """An archive copy for each (.docx, target .pdf) pair, a chunk per LibreOffice start; results in input order."""
    return convert_pairs(pairs, archive.export_target(), "blankett-pdfa-", soffice, per_file,
                         lambda src, out, target: _finish_one(src, out, target, force))


def docx_bytes_to_archive(docx: bytes, soffice: str | Path | None = None) -> bytes:
    """One filled .docx (bytes) as an archive copy (bytes)."""
    with tempfile.TemporaryDirectory(prefix="blankett-pdfa-") as tmp:
        src, out = Path(tmp) / "Bilaga5.docx", Path(tmp) / "Bilaga5.pdf"
        src.write_bytes(docx)
        (result,) = docx_to_archive([(src, out)], True, soffice)
        if result.error:
            raise BlankettError(result.error)
        return out.read_bytes()


def archive_outcomes(docx_files: list[Path], out_dir: str | Path, force: bool = False,
                     soffice: str | Path | None = None) -> list[Outcome]:
    """An archive copy in ``out_dir`` for every filled .docx, each as a fill ``Outcome`` (written, there, failed).

    Each copy is judged on its own: one that is missing is made, whether its .docx was written now or was there.
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
    for r in docx_to_archive(pairs, force, soffice) if pairs else []:
        if r.exists:
            result.append(Outcome(r.source.name, FillStatus.EXISTS, r.target))
        else:
            result.append(Outcome(r.source.name, FillStatus.FAILED, None, [r.error]) if r.error
                          else Outcome(r.source.name, FillStatus.WRITTEN, r.target, r.warnings))
    return result


def fill_with_archive(inputs: list[Path], out_dir: str | Path, keep_docx: bool = True, force: bool = False,
                      template_path: Path | None = None, jobs: int | None = None, soffice: str | Path | None = None,
                      progress: bool = False) -> list[Summary]:
    """Fill forms and make their archive copies (beside the .docx, or alone); the summaries to show, PDF last.

    LibreOffice is looked for first, so that a missing one is said before anything is written.
    """
    program = find_soffice(soffice)
    if keep_docx:
        summary = fill_files(inputs, out_dir, False, force, template_path, jobs, progress)
        made = archive_outcomes(summary.outputs, out_dir, force, program)  # a .docx already there too
    else:
        with tempfile.TemporaryDirectory(prefix="blankett-fill-") as tmp:
            summary = fill_files(inputs, tmp, False, True, template_path, jobs, progress)
            made = archive_outcomes(summary.written, out_dir, force, program)
    pdfs = Summary()
    for outcome in made:
        pdfs.add(outcome)
    if keep_docx:
        return [summary, pdfs]
    pdfs.merge_failures(summary)
    return [pdfs]
