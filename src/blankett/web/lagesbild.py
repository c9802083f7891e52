"""The overview (lägesbild) on the web: the page's form and the API's parameters read into one request, the
counting and the documents made through the front door, the answer one file or a zip of them.

Nothing here counts or draws: :func:`count_overview` is the front door's counting and
:func:`blankett.overview_documents` the documents. Every refusal is one Swedish line and a 4xx/503 status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import blankett

from ..package import zip_bytes
from .pages import e, page

if TYPE_CHECKING:
    from ..overview.report import Overview

#: What an overview can be fetched as: every document in one zip, or one of them.
FORMATS = ("zip", "docx", "pdf", "xlsx", "html")
FORMAT_TEXT = {"zip": "Alla filerna i en zip-fil", "docx": "Word (.docx)",
               "pdf": "PDF (taggad, tillgänglig)", "xlsx": "Excel (.xlsx) med tabellerna och diagram",
               "html": "Webbsida (.html)"}
#: The counting a request uses: sources, first and last day, public or not → the overview.
Counting = Callable[[list[Path], dt.date, dt.date, bool], "Overview"]


class Refused(Exception):
    """A request the overview cannot be made from; ``str()`` is the Swedish line, ``status`` the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Request:
    """What one request asks for."""

    start: dt.date
    end: dt.date
    public: bool
    fmt: str


def last_year(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The default period: the last whole calendar year."""
    year = (today or dt.date.today()).year - 1
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _date(value: str | None, label: str, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise Refused(400, f"{label}: ”{value[:40]}” är inget datum (skriv ÅÅÅÅ-MM-DD).") from None


def read_request(values: Mapping[str, str]) -> Request:
    """The period, version and format of a request (the page's fields or the API's query), or :class:`Refused`."""
    first, last = last_year()
    start = _date(values.get("from"), "Från", first)
    end = _date(values.get("to"), "Till", last)
    if start > end:  # the two days given the other way round: the period between them (each document prints it)
        start, end = end, start
    version = values.get("version", "internal")
    if version not in ("internal", "public"):
        raise Refused(400, "version måste vara internal (intern) eller public (offentlig).")
    fmt = values.get("format", "zip")
    if fmt not in FORMATS:
        raise Refused(400, f"format måste vara {', '.join(FORMATS)}.")
    return Request(start, end, version == "public", fmt)


def count_overview(sources: list[Path], start: dt.date, end: dt.date, public: bool) -> Overview:
    """The overview of ``sources`` for the period, through the front door: the one place the page and the API
    count. Files or rows that cannot be counted are named in the internal overview itself (and counted in the
    public one), as on the command line; the rest is counted. Scanned images are not read here (OCR takes seconds a
    page and the page answers at once): they are named too, with the advice to read them under Läs in first."""
    return blankett.make_overview(sources, start, end, public=public, problems=[], scans=False)


def make(sources: list[Path], asked: Request, counting: Counting) -> tuple[str, bytes, str]:
    """(file name, bytes, format) of what ``asked`` wants: the documents made from ``sources`` by ``counting``."""
    overview = counting(sources, asked.start, asked.end, asked.public)
    documents = blankett.overview_documents(overview, None if asked.fmt == "zip" else [asked.fmt])
    if asked.fmt != "zip":
        ((name, data),) = documents.items()
        return name, data, asked.fmt
    version = "offentlig" if asked.public else "intern"
    name = f"lagesbild-{version}-{asked.start.isoformat()}--{asked.end.isoformat()}.zip"
    return name, zip_bytes(sorted(documents.items())), "zip"


def form_page(message: str = "", values: Mapping[str, str] | None = None) -> str:
    """The page: files, period, internal or public, format; ``message`` a refusal shown first."""
    values = values or {}
    first, last = last_year()
    alert = f'<div role="alert" id="fel" tabindex="-1"><p>{e(message)}</p></div>\n' if message else ""
    version = values.get("version", "internal")
    fmt = values.get("format", "zip")

    def radio(name: str, value: str, label: str, chosen: str) -> str:
        checked = " checked" if value == chosen else ""
        return (f'<input type="radio" id="{name}-{value}" name="{name}" value="{value}"{checked}>'
                f'<label for="{name}-{value}">{e(label)}</label>')

    body = f"""{alert}<p>Räkna fram lägesbilden för en period ur ifyllda blanketter (eller en zip-fil med dem) eller
ur det som <strong>Läs in</strong> gav (Excel, CSV eller JSON). Den <strong>interna</strong> lägesbilden är till
kommunstyrelsen och innehåller diarienummer och noterade brister; den <strong>offentliga</strong> visar bara antal
och andelar, där 1 och 2 står som ”färre än 3”, och räknar hela månader.</p>
<form method="post" action="/lagesbild" enctype="multipart/form-data" class="upload">
<div class="drop">
<label for="overview-files">Blanketter eller Läs in-resultat</label>
<p class="hint" id="overview-files-hint">Word (.docx), PDF, zip, Excel (.xlsx), CSV eller JSON.</p>
<input type="file" id="overview-files" name="filer" multiple required aria-describedby="overview-files-hint">
</div>
<fieldset class="choice"><legend>Period</legend>
<label for="from">Från</label> <input type="date" id="from" name="from" value="{e(values.get("from", first.isoformat()))}">
<label for="to">Till</label> <input type="date" id="to" name="to" value="{e(values.get("to", last.isoformat()))}">
</fieldset>
<fieldset class="choice"><legend>Version</legend>
{radio("version", "internal", "Intern (kommunstyrelsen)", version)}
{radio("version", "public", "Offentlig (fullmäktige och webbplatsen)", version)}
</fieldset>
<fieldset class="choice"><legend>Hämta som</legend>
{"".join(radio("format", f, FORMAT_TEXT[f], fmt) for f in FORMATS)}
</fieldset>
<button type="submit">Gör lägesbilden</button>
</form>
"""
    return page("Lägesbild", body, "/lagesbild")
