"""The overview on the web: the page /lagesbild and POST /api/lagesbild, in-process (Starlette's TestClient).

Most tests give the app a counting that answers with the hand-made sample overviews (one uses the front door's
own), and check what the page and the API do around it: what they hand the counting, the documents they give
back, and one Swedish line for every refusal, never a 500.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree, html

import blankett

from .overview_sample import INTERNAL, PUBLIC
from .test_web import AUTH, client

SINCE = dt.date.today().year - 1


class Counting:
    """A counting that records what it was given and answers with the sample overview."""

    def __init__(self, fail: str = "") -> None:
        self.calls: list[tuple[list[tuple[str, bytes]], dt.date, dt.date, bool]] = []
        self.fail = fail

    def __call__(self, sources: list[Path], start: dt.date, end: dt.date, public: bool):
        self.calls.append(([(p.name, p.read_bytes()) for p in sources], start, end, public))
        if self.fail:
            raise blankett.BlankettError(self.fail)
        return PUBLIC if public else INTERNAL


@pytest.fixture()
def api():
    with client() as c:
        c.headers.update(AUTH)
        c.app.state.count_overview = Counting()
        yield c


FILES = [("filer", ("svar.xlsx", b"the extract output")), ("filer", ("blanketter.zip", b"PK forms"))]


def test_the_api_hands_the_files_period_and_version_to_the_counting_and_returns_the_document(api):
    r = api.post("/api/lagesbild?from=2025-01-01&to=2025-12-31&version=public&format=html", files=FILES)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert 'filename="lagesbild-offentlig-2025-01-01--2025-12-31.html"' in r.headers["content-disposition"]
    assert html.fromstring(r.content).findtext(".//title") == "Lägesbild 2025 (offentlig)"
    ((files, start, end, public),) = api.app.state.count_overview.calls
    assert files == [("svar.xlsx", b"the extract output"), ("blanketter.zip", b"PK forms")]
    assert (start, end, public) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31), True)


def test_a_period_given_the_other_way_round_is_the_period_between_the_two_days(api):
    r = api.post("/api/lagesbild?from=2025-06-30&to=2025-01-01&version=public&format=html", files=FILES)
    assert r.status_code == 200, r.text
    (_, start, end, _), = api.app.state.count_overview.calls
    assert (start, end) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))


def test_the_default_period_is_the_last_calendar_year_and_the_default_version_internal(api):
    r = api.post("/api/lagesbild?format=docx", files=FILES)
    assert r.status_code == 200, r.text
    assert r.content[:2] == b"PK" and "Lägesbild 2025 (intern)".encode() in _member(r.content, "docProps/core.xml")
    (_, start, end, public), = api.app.state.count_overview.calls
    assert (start, end, public) == (dt.date(SINCE, 1, 1), dt.date(SINCE, 12, 31), False)


def _member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


@pytest.mark.parametrize("query,status,line", [
    ("from=2025-13-01", 400, "Från: ”2025-13-01” är inget datum (skriv ÅÅÅÅ-MM-DD)."),
    ("version=hemlig", 400, "version måste vara internal (intern) eller public (offentlig)."),
    ("format=exe", 400, "format måste vara zip, docx, pdf, xlsx, html."),
])
def test_a_bad_request_is_one_swedish_line_and_nothing_is_counted(api, query, status, line):
    r = api.post(f"/api/lagesbild?{query}", files=FILES)
    assert (r.status_code, r.json()) == (status, {"fel": line})
    assert api.app.state.count_overview.calls == []


@pytest.mark.parametrize("query, name", [
    ("format=html", "lagesbild-intern-2025-01-01--2025-12-31.html"),
    ("version=public&format=docx", "lagesbild-offentlig-2025-01-01--2025-12-31.docx"),
])
def test_any_single_format_is_made_for_either_version(api, query, name):
    """Before: an internal web page or a public Word document was a 400, though the API's description allowed it
    (its contract test found the second). Each version is drawn in any of the formats."""
    r = api.post(f"/api/lagesbild?from=2025-01-01&to=2025-12-31&{query}", files=FILES)
    assert r.status_code == 200, r.text
    assert f'filename="{name}"' in r.headers["content-disposition"]


def test_no_files_and_the_countings_refusal_are_one_line_each(api):
    r = api.post("/api/lagesbild", files={"annat": ("a.txt", b"x")})
    assert (r.status_code, r.json()) == (400, {"fel": "Välj minst en fil att ladda upp."})
    api.app.state.count_overview = Counting("svar.xlsx: rad 4: ”handelsedatum” är inget datum")
    r = api.post("/api/lagesbild", files=FILES)
    assert (r.status_code, r.json()) == (422, {"fel": "svar.xlsx: rad 4: ”handelsedatum” är inget datum"})


def test_the_real_counting_names_the_files_it_could_not_count_in_the_internal_overview_not_a_500():
    """With the front door's own counting: a damaged upload is one line in the overview, and the request is answered."""
    with client() as c:
        c.headers.update(AUTH)
        r = c.post("/api/lagesbild?from=2025-01-01&to=2025-12-31&format=docx", files=FILES)
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        text = "".join(etree.fromstring(z.read("word/document.xml")).itertext())
    assert "Filer och rader som inte räknades" in text
    assert "svar.xlsx" in text and "blanketter.zip" in text
    assert "2 filer eller rader kunde inte läsas" in text


def test_the_page_is_linked_from_the_start_and_its_form_names_every_choice(api):
    start = api.get("/").text
    assert 'href="/lagesbild"' in start
    page = html.fromstring(api.get("/lagesbild").content)
    form = page.find(".//form[@action='/lagesbild']")
    assert form.get("method") == "post" and form.get("enctype") == "multipart/form-data"
    names = {el.get("name") for el in form.iter("input")}
    assert names == {"filer", "from", "to", "version", "format"}
    for el in form.iter("input"):  # every input has its label
        assert page.find(f".//label[@for='{el.get('id')}']") is not None, el.get("id")
    assert form.find(".//input[@name='from']").get("value") == f"{SINCE}-01-01"
    assert page.find(".//nav//a[@href='/lagesbild']") is not None


def test_the_page_gives_the_document_or_shows_the_refusal_on_the_page(api):
    r = api.post("/lagesbild", files=FILES, data={"from": "2025-01-01", "to": "2025-12-31", "version": "public",
                                                  "format": "html"})
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")
    r = api.post("/lagesbild", files=FILES, data={"from": "1 maj", "version": "public", "format": "html"})
    assert r.status_code == 400
    alert = html.fromstring(r.content).find(".//div[@role='alert']")
    assert alert.text_content().strip() == "Från: ”1 maj” är inget datum (skriv ÅÅÅÅ-MM-DD)."
    assert "Traceback" not in r.text


@pytest.mark.office
def test_the_zip_holds_every_document_of_the_version(api):
    r = api.post("/api/lagesbild?from=2025-01-01&to=2025-12-31&version=public", files=FILES)
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = zf.namelist()
        pdf = zf.read("lagesbild-offentlig-2025-01-01--2025-12-31.pdf")
    assert names == ["lagesbild-offentlig-2025-01-01--2025-12-31.html",
                     "lagesbild-offentlig-2025-01-01--2025-12-31.pdf",
                     "lagesbild-offentlig-2025-01-01--2025-12-31.xlsx"]
    with pikepdf.open(io.BytesIO(pdf)) as doc:  # a PDF reader that did not write it
        assert str(doc.Root.Lang) == "sv-SE" and str(doc.docinfo.Title) == "Lägesbild 2025 (offentlig)"


def test_a_missing_or_failing_libreoffice_is_the_servers_503_in_one_line(api, monkeypatch, tmp_path):
    monkeypatch.setenv("BLANKETT_SOFFICE", str(tmp_path / "finns-inte"))
    r = api.post("/api/lagesbild?version=public&format=pdf", files=FILES)
    assert r.status_code == 503 and r.json()["fel"].startswith("PDF kan inte göras: LibreOffice saknas på servern.")
    failing = tmp_path / "soffice"
    failing.write_text("#!/bin/sh\necho 'trasig' >&2\nexit 3\n")
    failing.chmod(0o700)
    monkeypatch.setenv("BLANKETT_SOFFICE", str(failing))
    r = api.post("/lagesbild", files=FILES, data={"version": "internal", "format": "zip"})
    assert r.status_code == 503
    alert = html.fromstring(r.content).find(".//div[@role='alert']").text_content().strip()
    assert alert == "PDF kan inte göras: LibreOffice misslyckades (kod 3): trasig"


def test_a_missing_libreoffice_is_said_before_any_document_is_drawn(api, monkeypatch, tmp_path):
    """The zip and the PDF need LibreOffice: when it is missing the 503 comes before the Word document and the
    workbook are drawn for nothing (0.4 s of the answer for one form, before)."""
    from blankett.overview import render_docx

    drawn: list[str] = []
    real = render_docx.render
    monkeypatch.setattr(render_docx, "render", lambda *a, **k: drawn.append("docx") or real(*a, **k))
    monkeypatch.setenv("BLANKETT_SOFFICE", str(tmp_path / "finns-inte"))
    for fmt in ("zip", "pdf"):
        r = api.post(f"/api/lagesbild?version=internal&format={fmt}", files=FILES)
        assert r.status_code == 503 and r.json()["fel"].startswith("PDF kan inte göras: LibreOffice saknas"), r.text
    assert drawn == []
    r = api.post("/api/lagesbild?version=internal&format=docx", files=FILES)  # the spy sees a drawing
    assert r.status_code == 200 and drawn == ["docx"]


def test_a_scanned_image_is_named_not_read_by_ocr_so_the_page_answers_at_once():
    """Before: a JPEG among the uploads was read by OCR inside the request, which took minutes on a loaded machine
    (the API's contract test timed out). Now it is named in the overview with the advice to read it under Läs in."""
    from PIL import Image

    picture = io.BytesIO()
    Image.new("L", (40, 40), 255).save(picture, "JPEG")
    with client() as c:
        c.headers.update(AUTH)
        r = c.post("/api/lagesbild?format=docx", files={"filer": ("sida1.jpg", picture.getvalue())})
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        text = "".join(etree.fromstring(z.read("word/document.xml")).itertext())
    assert "sida1.jpg" in text and "läs in den under Läs in" in text
