"""blankett: Bilaga 5 (Incidentrapport och händelsedokumentation) filled, read back and published.

The library API: each job is one call, and the ``blankett`` command and the web
server are thin layers over it. Import from the package, never from its modules::

    import blankett

    docx = blankett.fill_docx({"rapporterad_av": "Åsa Öberg", "polisanmald": "Ja"})
    result = blankett.extract(docx, "svar.docx")
    assert result.record["polisanmald"] == "Ja"
"""

from ._api import (
    blank_docx, blank_pdf, check_form, count_records, export_bytes, export_results, extract, extract_files, fill_docx,
    fill_files, fill_files_pdf, fill_pdf, office_available, publish_files, schema, validate, workbook_xlsx,
)
from .batch import Summary as FillSummary
from .errors import BlankettError, InputError, OfficeMissingError, OutputExistsError, Problem, RecordError
from .fill import Template
from .form import FIELDS, Field, Kind
from .read import Result as ExtractResult

__version__ = "0.1.0"

__all__ = [
    "FIELDS",
    "BlankettError",
    "ExtractResult",
    "Field",
    "FillSummary",
    "InputError",
    "Kind",
    "OfficeMissingError",
    "OutputExistsError",
    "Problem",
    "RecordError",
    "Template",
    "blank_docx",
    "blank_pdf",
    "check_form",
    "count_records",
    "export_bytes",
    "export_results",
    "extract",
    "extract_files",
    "fill_docx",
    "fill_files",
    "fill_files_pdf",
    "fill_pdf",
    "office_available",
    "publish_files",
    "schema",
    "validate",
    "workbook_xlsx",
]
