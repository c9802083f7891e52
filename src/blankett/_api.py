"""The library's front door: each job is one call. The CLI and the web server use these, and beside them only
what pyproject.toml's import contracts name (tests/test_layout.py holds them).

Every function here is a thin wrapper over the stage that does the work, so
that the stage modules can change without breaking a caller. Errors a user
can act on are :class:`~blankett.errors.BlankettError` (``str()`` is one
Swedish line); a record that fails validation is a
:class:`~blankett.errors.RecordError` whose ``problems`` name each field.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

# Light stages, imported with this module; the rest are imported by the call that needs them, so that a process
# that fills (the web server's fill workers) or starts (the server, the command line) loads no PDF, overview or
# spreadsheet machinery it does not use: a fill worker of the server started in 0.5 s instead of 1.1 s of CPU.
from . import build, fill, model, protect
from .errors import BlankettError, OfficeMissingError, OutputExistsError
from .profile import Profile, load_profile
from .write import write_bytes

if TYPE_CHECKING:
    from . import batch, readback
    from .overview import followup
    from .overview.report import Overview

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
    from .pdf import blank as pdfblank
    return pdfblank.blank_pdf(_profile(profile), soffice)


def schema() -> dict[str, Any]:
    """The JSON Schema of one incident record (properties in the form's order)."""
    return model.json_schema()


def workbook_xlsx() -> bytes:
    """The input workbook (.xlsx): one row per incident, one column per question."""
    from . import workbook
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


def fill_docx(record: Mapping[str, Any], template: fill.Template | PathLike | None = None, *,
              password: str | None = None) -> bytes:
    """One record filled into the form, as .docx bytes; raises :class:`RecordError` for a bad record.

    ``template``: a template file's path (as ``fill_files`` takes), or a :class:`Template` to fill many
    records without reading the file each time. ``password``: encrypted with it (AES-256, as Word does).
    """
    if template is not None and not isinstance(template, fill.Template):
        template = fill.Template(Path(template))
    return protect.sealed(fill.fill_record(_plain(record), template), password, ".docx")


def fill_pdf(record: Mapping[str, Any], flatten: bool = False, template: fill.Template | None = None,
             soffice: PathLike | None = None, *, password: str | None = None) -> bytes:
    """One record filled into the form's blank PDF, as PDF bytes (fillable, or ``flatten`` to tagged text).

    No office suite is started: the blank PDF ships (or, for another ``template``, was made once and cached).
    ``password``: encrypted with it (AES-256; screen readers and form filling stay allowed).
    """
    from .pdf import blank as pdfblank
    from .pdf import flat as pdfflat
    incident, _ = model.validate(_plain(record))
    return protect.sealed(pdfflat.render(pdfblank.for_filler(template, soffice), incident, flatten), password, ".pdf")


def encrypt(data: bytes, password: str, ending: str) -> bytes:
    """A filled form's bytes encrypted with ``password`` as a file with ``ending`` (``.docx``: AES-256 as Word
    does it; ``.pdf``: AES-256, screen readers and form filling allowed); nothing is written."""
    return protect.encrypt(data, password, ending)


def fill_pdfa(record: Mapping[str, Any], template: fill.Template | None = None,
              soffice: PathLike | None = None) -> bytes:
    """One record as an archive copy: PDF/A-3a and PDF/UA-1, answers as text, the record embedded as JSON that
    :func:`extract` reads back exactly (needs LibreOffice)."""
    from .pdf import archivefill
    return archivefill.docx_bytes_to_archive(fill_docx(record, template), soffice=soffice)


def fill_files(inputs: Iterable[PathLike], out_dir: PathLike = "out", *, force: bool = False,
               check: bool = False, template: PathLike | None = None, jobs: int | None = None,
               password: str | None = None, password_column: str | None = None) -> batch.Summary:
    """One .docx per record of every input file (.xlsx, .csv, .json, .jsonl) in ``out_dir``; the summary.

    Bad rows are counted and described in the summary; the other rows are written (each encrypted with
    ``password`` when one is given). ``password`` also opens an encrypted .xlsx input (in memory only).
    ``password_column``: the column (a JSON record's key) holding each row's own password; each form is
    encrypted with its row's, the column is never written, and a row without one is not written at all
    (``password`` then only opens encrypted inputs).
    """
    from . import batch
    return batch.fill_files(list(inputs), out_dir, check, force, template, jobs, password=password,
                            password_column=password_column)


def fill_files_pdf(inputs: Iterable[PathLike], out_dir: PathLike = "out", *, keep_docx: bool = True,
                   flatten: bool = False, force: bool = False, template: PathLike | None = None,
                   jobs: int | None = None, soffice: PathLike | None = None,
                   archive: bool = False, password: str | None = None,
                   password_column: str | None = None) -> list[batch.Summary]:
    """As :func:`fill_files`, and a PDF of each form beside it (or alone); the summaries, PDF last.

    ``archive``: each PDF is an archive copy, as :func:`fill_pdfa` makes it (needs LibreOffice).

    No office suite is needed for the bundled template; another one's blank PDF is made once by LibreOffice
    (else :class:`OfficeMissingError`, raised before anything is written).
    """
    from .pdf import fill as pdffill
    return pdffill.fill_with_pdf([Path(p) for p in inputs], out_dir, keep_docx, flatten, force,
                         Path(template) if template else None, jobs, soffice, archive=archive, password=password,
                         password_column=password_column)


def count_records(path: PathLike, password: str | None = None) -> int:
    """How many records (rows) an input file holds, as ``fill`` would read them (an encrypted .xlsx opened with
    ``password``); 0 when it cannot be read."""
    from .load import load_rows
    try:
        return sum(1 for _ in load_rows(Path(path), password=password))
    except BlankettError:
        return 0


def pdf_available(soffice: PathLike | None = None) -> bool:
    """Whether filled PDFs can be made: the bundled blank PDF ships, else LibreOffice must be found."""
    from .pdf import blank as pdfblank
    return pdfblank.SHIPPED.is_file() or office_available(soffice)


def office_available(soffice: PathLike | None = None) -> bool:
    """Whether LibreOffice is found (the PDF jobs need it)."""
    from .office import find_soffice
    try:
        find_soffice(soffice)
    except OfficeMissingError:
        return False
    return True


def extract(source: PathLike | bytes, name: str | None = None, *, password: str | None = None) -> readback.Result:
    """One returned form (a path, or its bytes with its file ``name``) read back; never raises for a bad file.

    ``password`` opens an encrypted .docx or PDF, decrypted in memory only.
    """
    from . import readback
    if not isinstance(source, bytes):
        return readback.read_file(source, password=password)
    label = name or "blankett.docx"
    with tempfile.TemporaryDirectory(prefix="blankett-") as tmp:  # owner-only, removed at once
        staged = Path(tmp) / ("fil" + Path(label).suffix.lower())
        staged.write_bytes(source)
        result = readback.read_file(staged, password=password)  # what is staged is the file as given, still encrypted
    result.source = label
    return result


def extract_files(paths: Iterable[PathLike], workers: int = 1, *,
                  password: str | None = None) -> Iterator[readback.Result]:
    """A result per returned form, in order; folders give every form in them; ``workers`` > 1 reads in parallel;
    ``password`` opens the encrypted ones."""
    from . import readback
    return readback.read_files(readback.expand(paths), workers=workers, password=password)


def export_results(results: Iterable[readback.Result], path: PathLike, force: bool = False) -> None:
    """Write results as .json, .jsonl, .csv, .xlsx or .ods (by ``path``'s ending), atomically and owner-only."""
    from . import export
    export.export(results, Path(path), force)


def export_bytes(results: Iterable[readback.Result], fmt: ExportFormat) -> bytes:
    """Results as the bytes of a .json, .jsonl, .csv, .xlsx or .ods file, exactly as :func:`export_results` writes it."""
    from . import export
    with tempfile.TemporaryDirectory(prefix="blankett-") as tmp:
        target = Path(tmp) / f"svar.{fmt}"
        export.export(results, target)
        return target.read_bytes()


def publish_files(out_dir: PathLike = "out/webb", profile: Profile | PathLike | None = None, force: bool = False,
                  soffice: PathLike | None = None) -> list[tuple[Path, int]]:
    """Write the blank form for the website (Bilaga5.docx, Bilaga5.pdf and the page Bilaga5.html that offers them
    with the steps to send it back encrypted); each path with its size."""
    from . import publish
    return publish.publish(out_dir, _profile(profile), force, soffice)


def check_form(path: PathLike) -> list[str]:
    """What keeps a file from being a complete Bilaga 5 (missing, wrong or doubled fields); empty when complete.

    A .docx (or .doc/.odt) is checked control by control; our PDF field by field, by name.
    """
    from . import check
    return check.check_file(path)


def make_overview(paths: Iterable[PathLike], start: dt.date | None = None, end: dt.date | None = None,
                  today: dt.date | None = None, public: bool = False, *, problems: list[str] | None = None,
                  workers: int = 1, on_form: Callable[[], None] | None = None, scans: bool = True) -> Overview:
    """The overview (lägesbild) of returned forms (files, folders, .zip) or extract's output (.xlsx, .ods, .csv,
    .json, .jsonl) for a period: by default the last whole calendar year before ``today``; only a start runs to
    ``today``, only an end from the first of January of its year.

    ``public``: the public version (counts 1–2 hidden and what would reveal them, no listings). Each file or row
    that cannot be counted is one Swedish line in ``problems`` (when given); the rest is counted. ``on_form`` is
    told of each returned form read (a progress bar). ``scans=False``: scanned images are not read by OCR (seconds
    a page) but named in ``problems``, for a caller that answers at once (the web page).
    """
    from .overview import make as overview_make
    return overview_make.make(paths, start, end, today, public, problems=problems, workers=workers, on_form=on_form,
                              scans=scans)


def overview_form_count(paths: Iterable[PathLike]) -> int:
    """How many returned forms :func:`make_overview` reads from ``paths`` (files, folders, .zip): a progress bar's
    length."""
    from .overview import cases as overview_cases
    return overview_cases.count_forms(paths)


def overview_documents(overview: Overview, formats: Iterable[str] | None = None,
                       profile: Profile | PathLike | None = None, soffice: PathLike | None = None) -> dict[str, bytes]:
    """An overview's documents, {file name: bytes}: every format of its version (internal: .docx, .pdf, .xlsx;
    public: .html, .pdf, .xlsx), or those whose endings ``formats`` names (any of the four, for either version).

    The PDF needs LibreOffice (:class:`OfficeMissingError`); an ending that is not made is a :class:`BlankettError`.
    """
    from .overview import formats as overview_formats
    chosen = list(overview_formats.of(overview.public))
    if formats is not None:
        chosen = []
        for ending in formats:
            found = overview_formats.by_ending(ending)
            if found is None:
                raise BlankettError(f"Lägesbilden görs som .docx, .pdf, .xlsx eller .html, inte som .{ending}.")
            chosen.append(found)
    drawn = overview_formats.render_all([(f, overview) for f in chosen], _profile(profile), soffice)
    return {f.name(overview): data for f, data in zip(chosen, drawn, strict=True)}


def overview_files(paths: Iterable[PathLike], out_dir: PathLike = "out/lagesbild", start: dt.date | None = None,
                   end: dt.date | None = None, today: dt.date | None = None, public: bool = False,
                   force: bool = False, *, problems: list[str] | None = None, workers: int = 1,
                   on_form: Callable[[], None] | None = None, profile: Profile | PathLike | None = None,
                   soffice: PathLike | None = None, formats: Iterable[str] | None = None) -> list[Path]:
    """Write the internal overview in every format to ``out_dir`` (and, with ``public``, the public one beside
    it), atomically, owner-only; the paths written. The forms are read once for both versions. ``formats``: only
    the files with these endings (``{"xlsx", "docx"}``); by default every one.

    Nothing is read when a file to be written exists already and ``force`` is not given. Without LibreOffice the
    PDFs are left out, with one line in ``problems`` saying so, and the other files are written.
    """
    from .overview import formats as overview_formats
    from .overview import make as overview_make
    from .overview import suppress
    from .overview.report import Overview
    today = today or dt.date.today()
    first, last = overview_make.period(start, end, today)
    shape = Overview("", first, last, today, False)  # only the period, for the file names
    endings = None if formats is None else set(formats)
    wanted = [f for f in overview_formats.FORMATS if (public or not f.public) and (endings is None or f.ending in endings)]
    for f in wanted:
        target = Path(out_dir) / f.name(shape)
        if target.exists() and not force:
            raise OutputExistsError(target)
    found = problems if problems is not None else []
    internal = make_overview(paths, first, last, today, problems=found, workers=workers, on_form=on_form)
    versions = {False: internal, True: suppress.public(internal) if public else internal}
    office = office_available(soffice)
    if not office and any(f.office for f in wanted):
        found.append("PDF:erna gjordes inte: LibreOffice behövs för dem och finns inte på den här datorn.")
    jobs = [(f, versions[f.public]) for f in wanted if office or not f.office]
    drawn = overview_formats.render_all(jobs, _profile(profile), soffice)  # one LibreOffice start for the PDFs
    return [write_bytes(Path(out_dir) / f.name(version), data, force)
            for (f, version), data in zip(jobs, drawn, strict=True)]


def _plain(record: Any) -> Any:
    """A mapping as a dict; anything else as it is, for the model to refuse with a Swedish RecordError."""
    return dict(record) if isinstance(record, Mapping) else record


def _profile(profile: Profile | PathLike | None) -> Profile | None:
    return profile if profile is None or isinstance(profile, Profile) else load_profile(profile)


def follow_ups(paths: Iterable[PathLike], today: dt.date | None = None) -> followup.Reminders:
    """The follow-up talks due, overdue or planned on ``today`` (default: today here) for every case in ``paths``
    (returned forms, folders of them, or extract's output): case number and dates only, never an answer.

    Forms are read in guarded worker processes; a file or row that cannot be read is one line in ``problems``.
    """
    from .overview import followup
    return followup.reminders(paths, today or dt.date.today())


def follow_ups_ics(reminders: followup.Reminders, now: dt.datetime | None = None) -> bytes:
    """The reminders as an iCalendar file (RFC 5545): one all-day event per talk, titled by case number only."""
    from .overview import followup
    return followup.ics(reminders, now)
