"""The overview as a Word document: the form's page frame, real headings, captioned tables with header rows,
charts with alternative text, listings as lists, sv-SE; checked in the XML and in LibreOffice through UNO."""

from __future__ import annotations

import io
import zipfile

import pytest

from blankett.overview.render_docx import render

from .conftest import NS, W, docx_xml
from .overview_sample import INTERNAL, PUBLIC, SECRET_TEXTS

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture(scope="module")
def internal() -> bytes:
    return render(INTERNAL)


@pytest.fixture(scope="module")
def public() -> bytes:
    return render(PUBLIC)


def _texts(el) -> list[str]:
    return ["".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in el.iter(f"{{{W}}}p")]


def test_header_and_footer_are_the_forms_with_the_overviews_title_and_page_n_of_m(internal):
    names = zipfile.ZipFile(io.BytesIO(internal)).namelist()
    headers = [n for n in names if n.startswith("word/header")]
    assert len(headers) == 2
    for part in headers:
        header = docx_xml(internal, part)
        assert [i.text.strip() for i in header.iter(f"{{{W}}}instrText")] == ["PAGE", "NUMPAGES"]
        assert "Lägesbild 2025 (intern)" in _texts(header) and "2026-01-15" in _texts(header)
        assert "logotyp" in header.find(f".//{{{WP}}}docPr").get("descr")
    footer = " ".join(_texts(docx_xml(internal, "word/footer1.xml")))
    assert "Oxelösunds kommun" in footer and "212000-0324" in footer


def test_language_title_and_real_headings(internal):
    styles = docx_xml(internal, "word/styles.xml")
    assert {el.get(f"{{{W}}}val") for el in styles.iterfind(".//w:docDefaults//w:lang", NS)} == {"sv-SE"}
    core = docx_xml(internal, "docProps/core.xml")
    assert core.find(f"{DC}title").text == "Lägesbild 2025 (intern)"
    assert core.find(f"{DC}language").text == "sv-SE"
    body = docx_xml(internal)
    used = [p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") for p in body.iter(f"{{{W}}}p")
            if p.find("w:pPr/w:pStyle", NS) is not None]
    assert [s for s in used if s.startswith("Heading")] == [
        "Heading1", "Heading2", "Heading2", "Heading3", "Heading2", "Heading2", "Heading3", "Heading3"]
    assert used.count("ListBullet") == 2  # the two noted weaknesses; the empty listing is a sentence


def test_tables_are_captioned_with_a_repeated_header_row_and_the_hand_counted_cells(internal, public):
    for data, few in ((internal, "1"), (public, "färre än 3")):
        body = docx_xml(data)
        tables = body.findall(".//w:tbl", NS)
        assert len(tables) == 3
        for tbl in tables:
            assert tbl.find("w:tr/w:trPr/w:tblHeader", NS) is not None
            assert tbl.find("w:tblPr/w:tblCaption", NS).get(f"{{{W}}}val")
        rows = {r[0]: r[1:] for r in (_texts(tr) for tr in tables[1].findall("w:tr", NS))}
        assert rows["Våld"][0] == few
        captions = [t for t in _texts(body) if t.startswith("Tabell ")]
        assert captions[0] == "Tabell 1. Ärenden per månad 2025"
    rows = {r[0]: r[1:] for r in (_texts(tr) for tr in docx_xml(internal).findall(".//w:tbl", NS)[1].findall("w:tr", NS))}
    assert rows["Trakasserier"] == ["21", "44\u00a0%"] and rows["Totalt"] == ["48", "100\u00a0%"]
    text = " ".join(_texts(docx_xml(public)))
    assert "”färre än 3”: 1 eller 2 ärenden" in text and "”–”: dolt" in text


def test_every_chart_is_a_picture_with_alternative_text(internal):
    body = docx_xml(internal)
    pictures = list(body.iter(f"{{{WP}}}docPr"))
    assert len(pictures) == 3
    assert all("Siffrorna står i tabell" in p.get("descr") for p in pictures)
    media = [n for n in zipfile.ZipFile(io.BytesIO(internal)).namelist() if n.startswith("word/media/")]
    assert sum(n.endswith(".png") for n in media) >= 3


def test_no_secret_in_the_public_document_and_no_machine_in_either(internal, public):
    for secret in SECRET_TEXTS:
        assert secret.encode() not in b"".join(data for _, data in _parts(public))
        assert any(secret.encode() in data for _, data in _parts(internal))
    props = b"".join(d for n, d in _parts(internal) if n.startswith("docProps/"))
    assert b"python-docx" not in props and b"/home" not in props and b"/root" not in props
    assert render(INTERNAL) == internal  # reproducible


def _parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(n, zf.read(n)) for n in zf.namelist()]


@pytest.mark.office
def test_libreoffice_opens_it_with_headings_repeated_header_rows_alt_texts_and_numbered_pages(office, internal,
                                                                                             tmp_path):
    path = tmp_path / "lagesbild.docx"
    path.write_bytes(internal)
    form = office.open(path)
    try:
        doc = form.doc
        assert doc.getDocumentProperties().Title == "Lägesbild 2025 (intern)"
        tables = doc.getTextTables()
        body = [tables.getByIndex(i) for i in range(tables.getCount())
                if tables.getByIndex(i).getCellByName("A1").getString() in ("Månad", "Typ", "Fråga")]
        assert len(body) == 3 and all(t.RepeatHeadline for t in body)
        assert body[0].getCellByName("B14").getString() == "48"
        pictures = doc.getGraphicObjects()
        alts = [pictures.getByIndex(i).Description for i in range(pictures.getCount())]
        assert sum("Siffrorna står i tabell" in a for a in alts) == 3 and sum("logotyp" in a for a in alts) == 2
        styles = []
        paragraphs = doc.getText().createEnumeration()
        while paragraphs.hasMoreElements():
            p = paragraphs.nextElement()
            if p.supportsService("com.sun.star.text.Paragraph"):
                styles.append(p.ParaStyleName)
        assert {"Heading 1", "Heading 2", "Heading 3"} <= set(styles)
        assert doc.getCurrentController().PageCount >= 2
        assert doc.CharLocale.Language == "sv" and doc.CharLocale.Country == "SE"
    finally:
        form.close()


def test_every_listed_item_is_a_bullet_in_order_with_its_line_breaks_and_spaces():
    import dataclasses

    from blankett.overview.cells import LISTING_MAX_ITEMS
    from blankett.overview.report import Listing

    # as many as a document prints (cells.LISTING_MAX_ITEMS); a longer listing is left to the workbook
    items = tuple((f"KS 2025/{n:04d}", f"brist {n}") for n in range(LISTING_MAX_ITEMS - 2)) + (
        ("KS 2025/9999", "rad ett\nrad två"), ("KS 2025/9998", "  två mellanslag  "))
    blocks = tuple(dataclasses.replace(b, items=items) if isinstance(b, Listing) else b for b in INTERNAL.blocks)
    body = docx_xml(render(dataclasses.replace(INTERNAL, blocks=blocks)))
    bullets = [p for p in body.iter(f"{{{W}}}p")
               if p.find("w:pPr/w:pStyle", NS) is not None
               and p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") == "ListBullet"]
    lines = ["".join(t.text or ("\n" if t.tag == f"{{{W}}}br" else "") for t in p.iter(f"{{{W}}}t", f"{{{W}}}br"))
             for p in bullets]
    want = [f"{name}: {text}" for name, text in items]
    assert lines == want + want
