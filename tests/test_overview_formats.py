"""The hand-counted set (tests/overview_cases.py) through every output format: the numbers typed by hand come back
from the Word document's tables, the web page's tables and the PDFs' text, each read by a program or parser that did
not write it (lxml on the raw XML and HTML, poppler's pdftotext on the PDFs); and, for any cases, no public file
shows a count of 1 or 2, a case number, a name, free text or a date finer than the period, byte for byte."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html

import blankett
from blankett.overview.report import Listing, Overview
from blankett.overview.suppress import public as public_version

from .clients import program
from .overview_cases import END, EXPECTED, EXPECTED_PUBLIC, OVERDUE, START, TODAY, WEAK_PLAN, WEAK_ROUTINE
from .test_overview import _as_extract_json

#: The checklist's questions as its table's columns name them (the short labels of form.py, typed here).
QUESTIONS = ("Säkerhetsstrateg kontaktad", "Polis kontaktad", "Polisanmäld", "Initialt stöd", "Anhöriga informerade",
             "Stödperson vald", "Sällskap till sjukvård", "Sällskap vid transport")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
Rows = list[tuple[str, tuple[int | str, ...]]]


def _number(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def _counts(heads: list[str], row: list[str]) -> tuple[int | str, ...]:
    """The count cells of a printed row: every cell, or every other one where a share stands beside each count."""
    shares = any(h.startswith("Andel, ") for h in heads)
    cells = row[1:]
    return tuple(_number(c) for c in (cells[::2] if shares else cells))


def _split(heads: list[str], rows: list[list[str]]) -> tuple[Rows, tuple[int | str, ...] | None]:
    if heads[0] == "Fråga":  # printed turned (one row per question): turned back, to compare with the hand count
        shares = any(h.startswith("Andel, ") for h in heads)
        labels = [h for h in heads[1:-1] if not h.startswith("Andel, ")]
        step = 2 if shares else 1
        return ([(label, tuple(_number(r[1 + step * i]) for r in rows)) for i, label in enumerate(labels)],
                tuple(_number(r[-1]) for r in rows))
    body = [(r[0], _counts(heads, r)) for r in rows]
    if body and body[-1][0] == "Totalt":
        return body[:-1], body[-1][1]
    return body, None


def _docx_tables(path: Path) -> dict[str, tuple[Rows, tuple[int | str, ...] | None]]:
    """Each table of the Word document under its caption ("Tabell N. …", the paragraph before it)."""
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{W}body")
    tables: dict[str, tuple[Rows, tuple[int | str, ...] | None]] = {}
    caption = ""
    for child in body:
        if child.tag == f"{W}p":
            style = child.find(f"{W}pPr/{W}pStyle")
            if style is not None and style.get(f"{W}val") == "Caption":
                caption = re.sub(r"^Tabell \d+\. ", "", "".join(child.itertext()))
        elif child.tag == f"{W}tbl" and caption:
            grid = [["".join(tc.itertext()) for tc in tr.iter(f"{W}tc")] for tr in child.iter(f"{W}tr")]
            tables[caption] = _split(grid[0], grid[1:])
            caption = ""
    return tables


def _html_tables(path: Path) -> dict[str, tuple[Rows, tuple[int | str, ...] | None]]:
    page = html.fromstring(path.read_bytes())
    tables = {}
    for table in page.iter("table"):
        heads = [th.text_content() for th in table.find("thead").iter("th")]
        rows = [[cell.text_content() for cell in tr if cell.tag in ("th", "td")] for tr in table.find("tbody")]
        tables[table.find("caption").text_content()] = _split(heads, rows)
    return tables


def _period(name: str) -> str:
    return f"lagesbild-{name}-{START.isoformat()}--{END.isoformat()}"


def test_the_word_document_and_the_web_page_print_every_hand_counted_number(tmp_path):
    """Internal .docx: every table as counted by hand, and every listed case; public .html: every table as
    suppressed by hand, and none of the listings. (Before: the checklist's table was printed with 17 columns,
    its headings broken letter by letter; now turned, a row per question.)"""
    out = tmp_path / "ut"
    blankett.overview_files([_as_extract_json(tmp_path)], out, START, END, TODAY, public=True,
                            formats=["docx", "html"])
    assert _docx_tables(out / f"{_period('intern')}.docx") == EXPECTED
    assert _html_tables(out / f"{_period('offentlig')}.html") == EXPECTED_PUBLIC
    with zipfile.ZipFile(out / f"{_period('intern')}.docx") as z:
        text = "".join(etree.fromstring(z.read("word/document.xml")).itertext())
    for case, item in OVERDUE + WEAK_ROUTINE + WEAK_PLAN:
        assert case in text and item in text
    page = (out / f"{_period('offentlig')}.html").read_text(encoding="utf-8")
    assert not [item for case, item in WEAK_ROUTINE + WEAK_PLAN if item in page or case in page]


def _pdf_text(path: Path) -> str:
    program("pdftotext", "poppler-utils")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def _printed(text: str, label: str, counts: tuple[int | str, ...]) -> bool:
    """Whether a line of the page text has the row's label and then its counts in order (shares may stand between;
    a hidden count's words may wrap in its narrow cell, so only the numbers are looked for on the line)."""
    pattern = re.escape(label) + "".join(rf"\s.*?(?<![\w%]){c}(?![\w%])" for c in counts if isinstance(c, int))
    return re.search(pattern, text) is not None


@pytest.mark.office
def test_the_pdfs_print_every_hand_counted_number(tmp_path, soffice):
    """The PDFs (through LibreOffice), as poppler reads them: each row of a short label on one line with its counts."""
    out = tmp_path / "ut"
    blankett.overview_files([_as_extract_json(tmp_path)], out, START, END, TODAY, public=True, formats=["pdf"],
                            soffice=soffice)
    for name, expected in (("intern", EXPECTED), ("offentlig", EXPECTED_PUBLIC)):
        text = _pdf_text(out / f"{_period(name)}.pdf")
        assert ("färre än 3" in " ".join(text.split())) is (name == "offentlig")
        for caption, (rows, total) in expected.items():
            assert caption in text, (name, caption)
            if caption == "Svar på checklistans frågor":  # printed turned: a row per question, its total last
                rows, total = [(q, tuple(c[i] for _, c in rows) + (total[i],)) for i, q in enumerate(QUESTIONS)], None
            for label, counts in rows + ([("Totalt", total)] if total is not None else []):
                if len(label) <= 30:  # a longer label wraps in its cell
                    assert _printed(text, label, counts), (name, caption, label, counts)


# --- property: no public file, byte for byte, shows a count of 1 or 2, a case number, a name or free text -----

NAMES = ("Åsa Öberg", "Bo Hemlig")


def _identifying(cases, weaknesses):
    """The drawn cases given case numbers, people's names and noted weaknesses: all that must never be public."""
    from blankett.overview.cases import Case

    return [Case(f"KS 2025/9{n:03d}", {**c.record, "utsatt": NAMES[n % 2], "rapporterad_av": NAMES[1 - n % 2],
                                       "sarbarheter_rutin": [f"Svaghet {w}" for w in weaknesses],
                                       "sarbarheter_plan": [f"Brist {w}" for w in weaknesses]},
                 c.date, c.date_from) for n, c in enumerate(cases)]


def _nothing_identifying(text: str) -> None:
    assert "KS 2025/9" not in text and "Svaghet" not in text and "Brist" not in text
    assert not [name for name in NAMES if name in text]
    assert not re.findall(r"20\d\d-\d\d-\d\d", text.replace(START.isoformat(), "").replace(END.isoformat(), "")
                          .replace(TODAY.isoformat(), ""))  # no incident's or talk's date


def _weaknesses():
    from hypothesis import strategies as st

    return st.lists(st.text("abcåäöxyz", min_size=4, max_size=12), min_size=1, max_size=3)


def _public_html_property():
    from hypothesis import given, settings

    from blankett.overview.count import count
    from blankett.overview.render_html import render
    from blankett.overview.suppress import public

    from .test_overview import _cases

    @settings(derandomize=True, max_examples=40, deadline=None)
    @given(_cases(), _weaknesses())
    def check(cases, weaknesses):
        data = render(public(count(_identifying(cases, weaknesses), START, END, TODAY)))
        text = data.decode("utf-8")
        _nothing_identifying(text)
        page = html.fromstring(data)
        cells = [td.text_content() for td in page.iter("td")]
        assert not [c for c in cells if c in ("1", "2")]

    return check


def test_no_byte_of_the_public_web_page_shows_a_1_or_2_a_case_number_a_name_or_free_text():
    """Property (hypothesis, derandomized): the public web page, for any cases, every byte searched."""
    _public_html_property()()


@pytest.mark.office
def test_no_byte_of_the_public_pdf_shows_a_case_number_a_name_or_free_text(soffice):
    """Property, a few examples (each starts LibreOffice): the public PDF's every byte, streams inflated by qpdf,
    and its text as poppler reads it: no case number, name, free text or finer date; no count of 1 or 2 in a cell."""
    from hypothesis import given, settings

    from blankett.overview.count import count
    from blankett.overview.render_pdf import render
    from blankett.overview.suppress import public

    from .test_overview import _cases

    program("qpdf", "qpdf")

    @settings(derandomize=True, max_examples=3, deadline=None)
    @given(_cases(), _weaknesses())
    def check(cases, weaknesses):
        import tempfile

        data = render(public(count(_identifying(cases, weaknesses), START, END, TODAY)), None, soffice)
        with tempfile.TemporaryDirectory() as tmp:
            raw, plain = Path(tmp) / "o.pdf", Path(tmp) / "q.pdf"
            raw.write_bytes(data)
            subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(raw), str(plain)], check=True,
                           timeout=60)
            every_byte = plain.read_bytes().decode("latin-1")
            text = _pdf_text(raw)
        _nothing_identifying(every_byte)
        _nothing_identifying(text)

    check()


def test_a_period_of_many_years_is_drawn_in_every_format_without_the_charts_breaking(tmp_path):
    """Before: a period from 2000 (found by the API's contract test) made the monthly chart's bars narrower than
    their gap, and drawing them raised ValueError: a 500; and a period of centuries a table of thousands of empty
    months that LibreOffice took minutes over. Now every format is made, with the months that hold cases."""
    overview = blankett.make_overview([_as_extract_json(tmp_path)], dt.date(2000, 1, 1), END, TODAY)
    documents = {**blankett.overview_documents(overview, ["docx", "xlsx"]),
                 **blankett.overview_documents(public_version(overview), ["html"])}
    assert len(documents) == 3
    docx = next(data for name, data in documents.items() if name.endswith(".docx"))
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        text = "".join(etree.fromstring(z.read("word/document.xml")).itertext())
        pictures = [n for n in z.namelist() if n.startswith("word/media/")]
    # longer than 36 months: the months from the first case's to the last case's, said so under the table
    # case 13 (2024-12-20) is now in the period: december 2024 to december 2025
    assert "januari 2000" not in text and "november 2024" not in text and "december 2024" in text
    assert "december 2025" in text
    assert "bara månaderna från det första till det sista ärendet visas" in text
    assert pictures
    html_page = next(data for name, data in documents.items() if name.endswith(".html"))
    assert html.fromstring(html_page).xpath("count(//table[caption='Ärenden per månad']/tbody/tr)") == 13 + 1


def _listed(overview: Overview, items: tuple[tuple[str, str], ...]) -> Overview:
    """The overview with every listing naming ``items``."""
    return dataclasses.replace(overview, blocks=tuple(dataclasses.replace(b, items=items) if isinstance(b, Listing)
                                                      else b for b in overview.blocks))


def _weakness(n: int) -> tuple[str, str]:
    return f"KS 2025/{n:05d}", f"Larmknappen i receptionen fungerade inte, ärende {n}"


def _sheet(workbook: bytes, name: str) -> list[tuple[object, ...]]:
    """A sheet's rows as openpyxl reads them."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(workbook), read_only=True)
    try:
        return [tuple(row) for row in wb[name].iter_rows(values_only=True)]
    finally:
        wb.close()


def test_a_listing_longer_than_a_document_takes_says_how_many_and_where_and_the_workbook_lists_every_one():
    """Before: every item of every listing was a bullet, whatever their number (LibreOffice could not make the PDF
    of 10 000). Now a listing longer than LISTING_MAX_ITEMS is one sentence in the Word document and on the web
    page (how many, which workbook and sheet), read by python-docx and lxml; openpyxl finds every item on that
    sheet, in order. A listing of exactly LISTING_MAX_ITEMS is still printed whole."""
    from docx import Document

    from blankett.overview.cells import LISTING_MAX_ITEMS
    from blankett.overview.render_docx import render as docx_render

    from .overview_sample import INTERNAL

    items = tuple(_weakness(n) for n in range(LISTING_MAX_ITEMS + 1))
    overview = _listed(INTERNAL, items)
    files = blankett.overview_documents(overview, ["docx", "xlsx", "html"])
    workbook_name = "lagesbild-intern-2025-01-01--2025-12-31.xlsx"
    assert workbook_name in files
    paragraphs = [p.text for p in Document(io.BytesIO(files[workbook_name[:-4] + "docx"])).paragraphs]
    page = html.fromstring(files[workbook_name[:-4] + "html"]).text_content()
    said = [p for p in paragraphs if p.startswith("Listan har")]
    assert len(said) == 2  # the sample's two listings
    for text in (*said, page):
        assert f"Listan har {LISTING_MAX_ITEMS + 1} poster" in text and workbook_name in text
    assert not any(items[0][1] in p for p in paragraphs) and items[0][1] not in page
    sheets = re.findall(r"bladet ”([^”]+)”", said[0] + said[1])
    assert sheets == ["Öppna ärenden där första uppföl", "Noterade sårbarheter i rutinen"]
    for sheet in sheets:
        assert _sheet(files[workbook_name], sheet)[2:] == list(items)  # under the caption and the header row
    whole = [p.text for p in Document(io.BytesIO(docx_render(_listed(INTERNAL, items[:LISTING_MAX_ITEMS])))).paragraphs]
    assert not any(p.startswith("Listan har") for p in whole)
    assert sum(1 for p in whole if p == f"{items[-2][0]}: {items[-2][1]}") == 2


@pytest.mark.office
def test_the_internal_pdf_of_10_000_listed_cases_is_made_and_says_where_they_are(soffice):
    """Before: 10 000 items in each listing kept LibreOffice busy past its 120 s (render_pdf.OFFICE_SECONDS) and
    the PDF failed. Now poppler reads in the PDF, for each listing, how many and on which sheet of which workbook;
    openpyxl finds all 10 000 there; page-validation's ua1 profile finds nothing."""
    import page

    from .overview_sample import INTERNAL

    items = tuple(_weakness(n) for n in range(10_000))
    files = blankett.overview_documents(_listed(INTERNAL, items), ["pdf", "xlsx"], soffice=soffice)
    pdf, workbook = (files[f"lagesbild-intern-2025-01-01--2025-12-31.{e}"] for e in ("pdf", "xlsx"))
    text = subprocess.run([program("pdftotext", "poppler-utils"), "-", "-"], input=pdf, capture_output=True,
                          timeout=60, check=True).stdout.decode()
    flat = " ".join(text.split())
    said = re.findall(r"Listan har 10\s000 poster.*?kalkylbladet (\S+), bladet ”([^”]+)”", flat)
    assert said == [("lagesbild-intern-2025-01-01--2025-12-31.xlsx", "Öppna ärenden där första uppföl"),
                    ("lagesbild-intern-2025-01-01--2025-12-31.xlsx", "Noterade sårbarheter i rutinen")]
    assert items[0][1] not in flat
    assert _sheet(workbook, said[1][1])[2:] == list(items)
    report = page.validate_pdf_bytes(pdf, profile="ua1")  # still tagged as PDF/UA-1 requires
    assert sorted({f"{f.rule_id}: {f.message}" for f in report.failures}) == [] and report.is_compliant


@pytest.mark.office
def test_one_run_makes_both_pdfs_with_one_libreoffice_start(tmp_path, soffice):
    """Before: each PDF started LibreOffice (a start is most of a PDF's time). Now one run of both overviews starts
    it once, through a wrapper that notes each start; poppler reads each PDF's own title and numbers."""
    log = tmp_path / "starts.log"
    wrapper = tmp_path / "soffice"
    wrapper.write_text(f'#!/bin/sh\necho start >> "{log}"\nexec "{soffice}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o700)
    written = blankett.overview_files([_as_extract_json(tmp_path)], tmp_path / "ut", START, END, TODAY, public=True,
                                      soffice=wrapper)
    assert log.read_text(encoding="utf-8").splitlines() == ["start"]
    pdfs = sorted(p for p in written if p.suffix == ".pdf")
    assert [p.name for p in pdfs] == ["lagesbild-intern-2025-01-01--2025-12-31.pdf",
                                      "lagesbild-offentlig-2025-01-01--2025-12-31.pdf"]
    texts = [_pdf_text(p) for p in pdfs]
    assert "(offentlig version)" not in texts[0] and "(offentlig version)" in texts[1]
    assert OVERDUE[0][0] in texts[0] and OVERDUE[0][0] not in texts[1]
