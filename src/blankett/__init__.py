"""blankett: Bilaga 5 (Incidentrapport och händelsedokumentation) filled, read back and published.

The library API: each job is one call, and the ``blankett`` command and the web
server are thin layers over it. Import from the package, never from its modules::

    import blankett

    docx = blankett.fill_docx({"rapporterad_av": "Åsa Öberg", "polisanmald": "Ja"})
    result = blankett.extract(docx, "svar.docx")
    assert result.record["polisanmald"] == "Ja"
"""

import importlib as _importlib
import typing as _typing

__version__ = "0.1.0"

__all__ = [
    "FIELDS",
    "FORM_ENDINGS",
    "INPUT_ENDINGS",
    "BlankettError",
    "ExtractResult",
    "ExtractStatus",
    "Field",
    "FillStatus",
    "FillSummary",
    "FollowUp",
    "InputError",
    "Kind",
    "OfficeMissingError",
    "OutputExistsError",
    "Overview",
    "Problem",
    "RecordError",
    "Reminders",
    "Template",
    "blank_docx",
    "blank_pdf",
    "check_form",
    "count_records",
    "encrypt",
    "export_bytes",
    "export_results",
    "extract",
    "extract_files",
    "fill_docx",
    "fill_files",
    "fill_files_pdf",
    "fill_pdf",
    "fill_pdfa",
    "follow_ups",
    "follow_ups_ics",
    "make_overview",
    "office_available",
    "overview_documents",
    "overview_files",
    "pdf_available",
    "publish_files",
    "schema",
    "validate",
    "workbook_xlsx",
]

#: Where each public name lives. They are imported when first used (PEP 562), so that the ``blankett``
#: command starts by loading only what it needs, inside its own handling of Ctrl-C (``__main__.run``).
_WHERE = {
    **{name: ("._api", name) for name in (
        "blank_docx", "blank_pdf", "check_form", "count_records", "encrypt", "export_bytes", "export_results", "extract",
        "extract_files", "fill_docx", "fill_files", "fill_files_pdf", "fill_pdf", "fill_pdfa", "follow_ups",
        "follow_ups_ics", "make_overview", "office_available", "overview_documents", "overview_files",
        "pdf_available", "publish_files", "schema", "validate", "workbook_xlsx")},
    "FillSummary": (".batch", "FillSummary"),
    **{name: (".errors", name) for name in (
        "BlankettError", "InputError", "OfficeMissingError", "OutputExistsError", "Problem", "RecordError")},
    "Template": (".fill", "Template"),
    **{name: (".overview.followup", name) for name in ("FollowUp", "Reminders")},
    **{name: (".form", name) for name in ("FIELDS", "Field", "Kind")},
    "ExtractResult": (".readback", "ExtractResult"),
    "Overview": (".overview.report", "Overview"),
    "FORM_ENDINGS": (".readback", "FORM_ENDINGS"),
    "INPUT_ENDINGS": (".load", "INPUT_ENDINGS"),
    **{name: (".status", name) for name in ("ExtractStatus", "FillStatus")},
}


if not _typing.TYPE_CHECKING:  # hidden from mypy and pyright: for them a misspelt name is an error, not Any

    def __getattr__(name: str) -> _typing.Any:
        try:
            module, attr = _WHERE[name]
        except KeyError:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        value = getattr(_importlib.import_module(module, __name__), attr)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if _typing.TYPE_CHECKING:
    from ._api import (
        blank_docx,
        blank_pdf,
        check_form,
        count_records,
        encrypt,
        export_bytes,
        export_results,
        extract,
        extract_files,
        fill_docx,
        fill_files,
        fill_files_pdf,
        fill_pdf,
        fill_pdfa,
        follow_ups,
        follow_ups_ics,
        make_overview,
        office_available,
        overview_documents,
        overview_files,
        pdf_available,
        publish_files,
        schema,
        validate,
        workbook_xlsx,
    )
    from .batch import FillSummary
    from .errors import BlankettError, InputError, OfficeMissingError, OutputExistsError, Problem, RecordError
    from .fill import Template
    from .form import FIELDS, Field, Kind
    from .load import INPUT_ENDINGS
    from .overview.followup import FollowUp, Reminders
    from .overview.report import Overview
    from .readback import FORM_ENDINGS, ExtractResult
    from .status import ExtractStatus, FillStatus
