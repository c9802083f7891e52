"""Fill with PDF: one PDF per record, filled into the blank PDF directly (beside the .docx, or alone).

No office suite is started: the blank PDF ships for the bundled template (a ``--template``'s is made once by
LibreOffice and cached, :mod:`.blank`). Each form takes milliseconds, so the PDFs are written one after the
other in this process, with flat memory; the .docx, when kept, are filled by the batch's workers as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import protect
from ..batch import Summary, _rows, add_all, fill_files, no_row_password
from ..errors import BlankettError, OutputExistsError
from ..fill import Filler, Outcome, plan
from ..status import FillStatus
from ..write import write_bytes
from .archivefill import fill_with_archive
from .blank import for_filler
from .flat import render
from .write import PdfTemplate


def pdf_outcomes(inputs: Iterable[Path], out_dir: Path, template: PdfTemplate, flatten: bool, force: bool,
                 summary: Summary, rows_told: bool = False, password: str | None = None,
                 password_column: str | None = None) -> Iterator[Outcome]:
    """A PDF per valid row of ``inputs`` in ``out_dir``, named as its .docx would be; each as an ``Outcome``.

    Files that cannot be read are told in ``summary``; rows that cannot be filled as failed outcomes, unless
    ``rows_told`` (the .docx step beside it told them already). ``password`` opens encrypted workbooks and
    encrypts each PDF, unless ``password_column`` names each row's own password.
    """
    forms = None if password_column is not None else password
    for row, incident, name, notes in plan(_rows(inputs, summary, password, password_column)):
        if incident is None or (password_column is not None and not row.password):
            if not rows_told:
                told = notes if incident is None else [*notes, no_row_password(row, password_column or "")]
                yield Outcome(row.where, FillStatus.FAILED, None, told)
            continue
        if rows_told:
            notes = []  # a row's notes are told once, by the .docx step
        target = out_dir / f"{name}.pdf"
        if target.exists() and not force:
            yield Outcome(row.where, FillStatus.EXISTS, target, notes)
            continue
        warnings: list[str] = []
        try:
            write_bytes(target, protect.sealed(render(template, incident, flatten, warnings), row.password or forms,
                                               ".pdf"), force)
        except OutputExistsError:
            yield Outcome(row.where, FillStatus.EXISTS, target, notes)
        except BlankettError as exc:
            yield Outcome(row.where, FillStatus.FAILED, None, [*notes, f"{target.name}: {exc}"])
        else:
            yield Outcome(row.where, FillStatus.WRITTEN, target, [*notes, *(f"{target.name}: {w}" for w in warnings)])


def fill_with_pdf(inputs: list[Path], out_dir: str | Path, keep_docx: bool = True, flatten: bool = False,
                  force: bool = False, template_path: Path | None = None, jobs: int | None = None,
                  soffice: str | Path | None = None, progress: bool = False, archive: bool = False,
                  password: str | None = None, password_column: str | None = None) -> list[Summary]:
    """Fill forms as PDF (beside the .docx, or alone); the summaries to show, PDF last.

    The blank PDF is had first, so that a missing LibreOffice (a ``--template``'s first time) is said before
    anything is written. ``archive``: archive copies instead, through LibreOffice (:mod:`.archivefill`).
    """
    if archive and (password is not None or password_column is not None):
        raise BlankettError("arkivexemplar (PDF/A) krypteras inte: ett arkiv ska gå att öppna utan lösenord")
    if archive:
        return fill_with_archive(inputs, out_dir, keep_docx, force, template_path, jobs, soffice, progress)
    template = for_filler(Filler(template_path) if template_path else None, soffice)
    out_dir = Path(out_dir)
    summaries = []
    if keep_docx:
        summaries.append(fill_files(inputs, out_dir, False, force, template_path, jobs, progress, password,
                                    password_column))
    files = Summary()
    pdfs = Summary()
    stream = pdf_outcomes(inputs, out_dir, template, flatten, force, files, rows_told=keep_docx, password=password,
                          password_column=password_column)
    add_all(stream, pdfs, "Fyller i PDF-blanketter" if progress and not keep_docx else None)
    if not keep_docx:
        pdfs.merge_failures(files)
    return [*summaries, pdfs]
