"""Archive copies of filled forms (``fill --format pdfa``): each filled .docx through LibreOffice as PDF/A-3,
then mended by :mod:`blankett.archive` with the record embedded.

The record embedded is the filled .docx read back and validated by the model, i.e. exactly what
``blankett extract`` reads from that .docx, so an archive copy and its Word file can never disagree.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from . import archive, model, readback
from .errors import BlankettError, OutputExistsError
from .office import FILE_SECONDS, iter_convert
from .pdf import PdfResult
from .write import write_bytes


def docx_record(docx: Path) -> dict[str, Any]:
    """The record a filled .docx holds, as ``extract`` gives it (validated by the model)."""
    values, _ = readback.read_docx(docx)
    incident, _ = model.validate(values)
    return model.to_record(incident)


def _finish_one(docx: Path, flat: Path, target: Path, force: bool) -> PdfResult:
    """Make one archive copy from LibreOffice's export and write it atomically, owner-only."""
    try:
        data = archive.make_archive(flat.read_bytes(), docx_record(docx))
        write_bytes(target, data, force)
    except OutputExistsError as exc:
        return PdfResult(docx, target, str(exc), exists=True)
    except BlankettError as exc:
        return PdfResult(docx, target, f"{target.name}: {exc}")
    except Exception as exc:  # noqa: BLE001 - pypdf's errors are many; the batch goes on
        return PdfResult(docx, target, f"{target.name}: arkivexemplaret kunde inte göras ({exc.__class__.__name__})")
    return PdfResult(docx, target)


def docx_to_archive(pairs: list[tuple[Path, Path]], force: bool = False, soffice: str | Path | None = None,
                    per_file: float = FILE_SECONDS) -> list[PdfResult]:
    """An archive copy for each (.docx, target .pdf) pair, a chunk per LibreOffice start; results in input order."""
    results: dict[int, PdfResult] = {}
    with tempfile.TemporaryDirectory(prefix="blankett-pdfa-") as tmp:
        staged: dict[Path, int] = {}
        (Path(tmp) / "in").mkdir()
        for n, (docx, _) in enumerate(pairs):
            link = Path(tmp) / "in" / f"f{n:05d}.docx"
            link.write_bytes(Path(docx).read_bytes())
            staged[link] = n
        for conv in iter_convert(list(staged), archive.export_target(), Path(tmp) / "out", per_file,
                                 soffice=soffice):
            n = staged[conv.source]
            docx, target = Path(pairs[n][0]), Path(pairs[n][1])
            if conv.output is None:
                results[n] = PdfResult(docx, target, conv.error.replace(conv.source.name, docx.name))
            else:
                results[n] = _finish_one(conv.source, conv.output, target, force)
                results[n].source = docx
                conv.output.unlink()
    return [results[n] for n in range(len(pairs))]


def docx_bytes_to_archive(docx: bytes, soffice: str | Path | None = None) -> bytes:
    """One filled .docx (bytes) as an archive copy (bytes)."""
    with tempfile.TemporaryDirectory(prefix="blankett-pdfa-") as tmp:
        src, out = Path(tmp) / "Bilaga5.docx", Path(tmp) / "Bilaga5.pdf"
        src.write_bytes(docx)
        (result,) = docx_to_archive([(src, out)], True, soffice)
        if result.error:
            raise BlankettError(result.error)
        return out.read_bytes()
