"""The library's front door: each job is one call. The CLI and the web server use these, and beside them only
what pyproject.toml's import contracts name (tests/test_layout.py holds them).

Every function here is a thin wrapper over the stage that does the work, so
that the stage modules can change without breaking a caller. Errors a user
can act on are :class:`~blankett.errors.BlankettError` (``str()`` is one
Swedish line); a record that fails validation is a
:class:`~blankett.errors.RecordError` whose ``problems`` name each field.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from . import (
    batch,
    build,
    check,
    export,
    fill,
    model,
    publish,
    readback,
    workbook,
)
from .errors import BlankettError, OfficeMissingError
from .load import load_rows
from .office import find_soffice
from .pdf import archivefill
from .pdf import blank as pdfblank
from .pdf import fill as pdffill
from .pdf import flat as pdfflat
from .profile import Profile, load_profile

PathLike = str | Path
ExportFormat = Literal["json", "jsonl", "csv", "xlsx", "ods"]
DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: The formats the web pages and the HTTP API give read-back results in (in this order), each with its media type.
RESULT_MEDIA: dict[str, str] = {
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv; charset=utf-8",
}


def blank_docx(profile: Profile | PathLike | None = None) -> bytes:
    """The blank, fillable form as .docx bytes (the bundled template, or one built for ``profile``)."""
    return build.blank_bytes(_profile(profile))


def blank_pdf(profile: Profile | PathLike | None = None, soffice: PathLike | None = None) -> bytes:
    """The blank form as an accessible, fillable PDF: shipped for the bundled profile; another profile's is made
    once by LibreOffice (else :class:`OfficeMissingError`) and then kept in the cache folder."""
    return pdfblank.blank_pdf(_profile(profile), soffice)


def schema() -> dict[str, Any]:
    """The JSON Schema of one incident record (properties in the form's order)."""
    return model.json_schema()


def workbook_xlsx() -> bytes:
    """The input workbook (.xlsx): one row per incident, one column per question."""
    return workbook.workbook_bytes()


def validate(record: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The record as ``fill`` would write it (normalised JSON values) and its warnings; raises :class:`RecordError`."""
    incident, warnings = model.validate(_plain(record))
    return model.to_record(incident), warnings


def form_file_name(record: Mapping[str, Any], ending: str) -> str:
    """The file name of one record's filled form, as ``fill_files`` names it: its case number when given.

    Named from the validated case number, as ``fill`` names it (2026.0 in JSON is the text 2026 in the form).
    """
    case = record.get(model.CASE_KEY)
    if case is not None:
        try:
            case = model.values(model.validate({model.CASE_KEY: case})[0]).get(model.CASE_KEY)
        except BlankettError:
            case = None
    return f"{fill.case_name(case) or fill.FORM_STEM}.{ending}"


def fill_docx(record: Mapping[str, Any], template: fill.Template | PathLike | None = None) -> bytes:
    """One record filled into the form, as .docx bytes; raises :class:`RecordError` for a bad record.

    ``template``: a template file's path (as ``fill_files`` takes), or a :class:`Template` to fill many
    records without reading the file each time.
    """
    if template is not None and not isinstance(template, fill.Template):
        template = fill.Template(Path(template))
    return fill.fill_record(_plain(record), template)


def fill_pdf(record: Mapping[str, Any], flatten: bool = False, template: fill.Template | None = None,
             soffice: PathLike | None = None) -> bytes:
    """One record filled into the form's blank PDF, as PDF bytes (fillable, or ``flatten`` to tagged text).

    No office suite is started: the blank PDF ships (or, for another ``template``, was made once and cached).
    """
    incident, _ = model.validate(_plain(record))
    return pdfflat.render(pdfblank.for_filler(template, soffice), incident, flatten)


def fill_pdfa(record: Mapping[str, Any], template: fill.Template | None = None,
              soffice: PathLike | None = None) -> bytes:
    """One record as an archive copy: PDF/A-3a and PDF/UA-1, answers as text, the record embedded as JSON that
    :func:`extract` reads back exactly (needs LibreOffice)."""
    return archivefill.docx_bytes_to_archive(fill_docx(record, template), soffice=soffice)


def fill_files(inputs: Iterable[PathLike], out_dir: PathLike = "out", *, force: bool = False,
               check: bool = False, template: PathLike | None = None, jobs: int | None = None) -> batch.Summary:
    """One .docx per record of every input file (.xlsx, .csv, .json, .jsonl) in ``out_dir``; the summary.

    Bad rows are counted and described in the summary; the other rows are written.
    """
    return batch.fill_files(list(inputs), out_dir, check, force, template, jobs)


def fill_files_pdf(inputs: Iterable[PathLike], out_dir: PathLike = "out", *, keep_docx: bool = True,
                   flatten: bool = False, force: bool = False, template: PathLike | None = None,
                   jobs: int | None = None, soffice: PathLike | None = None,
                   archive: bool = False) -> list[batch.Summary]:
    """As :func:`fill_files`, and a PDF of each form beside it (or alone); the summaries, PDF last.

    ``archive``: each PDF is an archive copy, as :func:`fill_pdfa` makes it (needs LibreOffice).

    No office suite is needed for the bundled template; another one's blank PDF is made once by LibreOffice
    (else :class:`OfficeMissingError`, raised before anything is written).
    """
    return pdffill.fill_with_pdf([Path(p) for p in inputs], out_dir, keep_docx, flatten, force,
                         Path(template) if template else None, jobs, soffice, archive=archive)


def count_records(path: PathLike) -> int:
    """How many records (rows) an input file holds, as ``fill`` would read them; 0 when it cannot be read."""
    try:
        return sum(1 for _ in load_rows(Path(path)))
    except BlankettError:
        return 0


def pdf_available(soffice: PathLike | None = None) -> bool:
    """Whether filled PDFs can be made: the bundled blank PDF ships, else LibreOffice must be found."""
    return pdfblank.SHIPPED.is_file() or office_available(soffice)


def office_available(soffice: PathLike | None = None) -> bool:
    """Whether LibreOffice is found (the PDF jobs need it)."""
    try:
        find_soffice(soffice)
    except OfficeMissingError:
        return False
    return True


def extract(source: PathLike | bytes, name: str | None = None) -> readback.Result:
    """One returned form (a path, or its bytes with its file ``name``) read back; never raises for a bad file."""
    if not isinstance(source, bytes):
        return readback.read_file(source)
    label = name or "blankett.docx"
    with tempfile.TemporaryDirectory(prefix="blankett-") as tmp:  # owner-only, removed at once
        staged = Path(tmp) / ("fil" + Path(label).suffix.lower())
        staged.write_bytes(source)
        result = readback.read_file(staged)
    result.source = label
    return result


def extract_files(paths: Iterable[PathLike], workers: int = 1) -> Iterator[readback.Result]:
    """A result per returned form, in order; folders give every form in them; ``workers`` > 1 reads in parallel."""
    return readback.read_files(readback.expand(paths), workers=workers)


def export_results(results: Iterable[readback.Result], path: PathLike, force: bool = False) -> None:
    """Write results as .json, .jsonl, .csv, .xlsx or .ods (by ``path``'s ending), atomically and owner-only."""
    export.export(results, Path(path), force)


def export_bytes(results: Iterable[readback.Result], fmt: ExportFormat) -> bytes:
    """Results as the bytes of a .json, .jsonl, .csv, .xlsx or .ods file, exactly as :func:`export_results` writes it."""
    with tempfile.TemporaryDirectory(prefix="blankett-") as tmp:
        target = Path(tmp) / f"svar.{fmt}"
        export.export(results, target)
        return target.read_bytes()


def publish_files(out_dir: PathLike = "out/webb", profile: Profile | PathLike | None = None, force: bool = False,
                  soffice: PathLike | None = None) -> list[tuple[Path, int]]:
    """Write the blank form for the website (Bilaga5.docx and Bilaga5.pdf); each path with its size."""
    return publish.publish(out_dir, _profile(profile), force, soffice)


def check_form(path: PathLike) -> list[str]:
    """What keeps a file from being a complete Bilaga 5 (missing, wrong or doubled fields); empty when complete.

    A .docx (or .doc/.odt) is checked control by control; our PDF field by field, by name.
    """
    return check.check_file(path)


def _plain(record: Any) -> Any:
    """A mapping as a dict; anything else as it is, for the model to refuse with a Swedish RecordError."""
    return dict(record) if isinstance(record, Mapping) else record


def _profile(profile: Profile | PathLike | None) -> Profile | None:
    return profile if profile is None or isinstance(profile, Profile) else load_profile(profile)
