"""The LibreOffice route: filled .docx files exported to PDF by LibreOffice, then mended (:mod:`.mend`).

Used where LibreOffice's own layout is wanted: the blank PDF (:mod:`.blank`), archive copies
(:mod:`.archivefill`) and the tests; an ordinary ``fill --pdf`` writes into the blank directly (:mod:`.write`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path

from ..errors import BlankettError, OutputExistsError
from ..form import SUBTITLE, TITLE
from ..office import FILE_SECONDS, iter_convert
from ..write import write_bytes
from .mend import docx_registered, finish


def export_target(fields: bool = True) -> str:
    """The ``--convert-to`` value for a tagged PDF/UA export, with form fields or flattened (values as text)."""
    # FormsType is left alone: it only sets how a submit button sends the form, and the form has none.
    options = {
        "ExportFormFields": fields, "UseTaggedPDF": True,
        "PDFUACompliance": True, "DisplayPDFDocumentTitle": True, "ExportBookmarks": True,
        "ExportNotes": False, "ExportLinksRelativeFsys": False,
    }
    typed = {k: {"type": "boolean", "value": str(v).lower()} for k, v in options.items()}
    return "pdf:writer_pdf_Export:" + json.dumps(typed, separators=(",", ":"))



@dataclass
class PdfResult:
    """What became of one PDF: written to ``target``, or a Swedish message."""

    source: Path
    target: Path
    error: str = ""
    exists: bool = False
    warnings: list[str] = dc_field(default_factory=list)


def _finish_one(docx: Path, pdf: Path, target: Path, fields: bool, force: bool,
                title: str, subject: str) -> PdfResult:
    """Mend one converted PDF and write it atomically, owner-only."""
    warnings: list[str] = []

    def make() -> bytes:
        source = docx.read_bytes()
        return finish(pdf.read_bytes(), source if fields else None, title, subject, warnings, docx_registered(source))

    return write_one(docx, target, force, make, "PDF:en kunde inte efterbehandlas", warnings)


def write_one(docx: Path, target: Path, force: bool, make: Callable[[], bytes], failed: str,
              warnings: list[str] | None = None) -> PdfResult:
    """``make()``'s PDF written to ``target`` atomically, owner-only; any failure is one line naming the target
    (``failed`` for an unforeseen one), and the batch goes on. ``warnings``: what ``make`` noted, read after it."""
    try:
        write_bytes(target, make(), force)
    except OutputExistsError as exc:
        return PdfResult(docx, target, str(exc), exists=True)
    except BlankettError as exc:
        return PdfResult(docx, target, f"{target.name}: {exc}")
    except Exception as exc:  # noqa: BLE001 - pypdf's errors are many; the batch goes on
        return PdfResult(docx, target, f"{target.name}: {failed} ({exc.__class__.__name__})")
    return PdfResult(docx, target, warnings=[f"{target.name}: {w}" for w in warnings or []])


def docx_to_pdf(pairs: list[tuple[Path, Path]], flatten: bool = False, force: bool = False,
                soffice: str | Path | None = None, per_file: float = FILE_SECONDS,
                title: str = TITLE, subject: str = SUBTITLE) -> list[PdfResult]:
    """Convert each (.docx, target .pdf) pair, a chunk per LibreOffice start; failures are reported, in input order.

    Each PDF is mended as soon as its chunk is done, while LibreOffice converts the next.
    """
    return convert_pairs(pairs, export_target(not flatten), "blankett-pdf-", soffice, per_file,
                         lambda src, out, target: _finish_one(src, out, target, not flatten, force, title, subject))


def convert_pairs(pairs: list[tuple[Path, Path]], target_filter: str, prefix: str, soffice: str | Path | None,
                  per_file: float, finish: Callable[[Path, Path, Path], PdfResult]) -> list[PdfResult]:
    """Each (.docx, target .pdf) pair through LibreOffice, a chunk per start; results in input order.

    Each output is finished (``finish(staged .docx, LibreOffice's PDF, target)``) as soon as its chunk is done,
    while LibreOffice converts the next; a failed conversion is reported under the .docx's own name.
    """
    results: dict[int, PdfResult] = {}
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        staged: dict[Path, int] = {}
        (Path(tmp) / "in").mkdir()
        for n, (docx, _) in enumerate(pairs):
            link = Path(tmp) / "in" / f"f{n:05d}.docx"
            link.write_bytes(Path(docx).read_bytes())
            staged[link] = n
        for conv in iter_convert(list(staged), target_filter, Path(tmp) / "out", per_file,
                                 soffice=soffice):
            n = staged[conv.source]
            docx, target = Path(pairs[n][0]), Path(pairs[n][1])
            if conv.output is None:
                results[n] = PdfResult(docx, target, conv.error.replace(conv.source.name, docx.name))
            else:
                results[n] = finish(conv.source, conv.output, target)
                results[n].source = docx
                conv.output.unlink()
    return [results[n] for n in range(len(pairs))]


def docx_bytes_to_pdf(docx: bytes, flatten: bool = False, soffice: str | Path | None = None,
                      title: str = TITLE, subject: str = SUBTITLE) -> bytes:
    """One .docx (bytes) as a finished PDF (bytes)."""
    with tempfile.TemporaryDirectory(prefix="blankett-pdf-") as tmp:
        src, out = Path(tmp) / "Bilaga5.docx", Path(tmp) / "Bilaga5.pdf"
        src.write_bytes(docx)
        (result,) = docx_to_pdf([(src, out)], flatten, True, soffice, title=title, subject=subject)
        if result.error:
            raise BlankettError(result.error)
        return out.read_bytes()
