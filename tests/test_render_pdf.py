"""The overview's PDFs (internal and public): made by LibreOffice from the Word document, tagged, and passing the
full PDF/UA-1 checks the project uses (page-validation's ua1 and pdfua), read by qpdf, poppler, MuPDF and pikepdf."""

from __future__ import annotations

import io
import re
import subprocess

import page
import pdfua
import pikepdf
import pytest

from blankett.overview.render_pdf import render

from .clients import program
from .overview_images import IMAGES, ROOT, page_png
from .overview_sample import INTERNAL, PUBLIC, SECRET_TEXTS

pytestmark = pytest.mark.office


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory, soffice) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("lagesbild-pdf")
    out = {}
    for name, overview in (("intern", INTERNAL), ("offentlig", PUBLIC)):
        path = folder / f"{name}.pdf"
        path.write_bytes(render(overview, soffice=soffice))
        out[name] = path
    return out


@pytest.mark.parametrize("which", ["offentlig", "intern"])
def test_pdf_ua_1_page_validation_and_pdfua_find_nothing_and_qpdf_is_content(pdfs, which):
    data = pdfs[which].read_bytes()
    report = page.validate_pdf_bytes(data, profile="ua1")
    assert sorted({f"{f.rule_id}: {f.message}" for f in report.failures}) == []
    assert report.is_compliant and report.rules.failed == 0 and report.rules.total > 100
    checked = pdfua.validate(str(pdfs[which]))
    assert [f"{f.rule_id}: {f.message}" for f in checked.findings] == []
    run = subprocess.run([program("qpdf", "qpdf"), "--check", str(pdfs[which])], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0 and "WARNING" not in run.stdout + run.stderr, run.stdout + run.stderr


def _roles(pdf: pikepdf.Pdf) -> list[tuple[str, str]]:
    """(role, alternative text) of every structure element, in tree order."""
    out = []

    def walk(el) -> None:
        if isinstance(el, pikepdf.Dictionary) and "/S" in el:
            out.append((str(el.S), str(el.get("/Alt", ""))))
        kids = el.get("/K") if isinstance(el, pikepdf.Dictionary) else None
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            if isinstance(kid, pikepdf.Dictionary):
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return out


@pytest.mark.parametrize("which", ["offentlig", "intern"])
def test_headings_tables_with_header_cells_and_charts_as_figures_with_alt_text(pdfs, which):
    with pikepdf.open(pdfs[which]) as pdf:
        roles = _roles(pdf)
        assert str(pdf.Root.Lang) == "sv-SE" and bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        assert str(pdf.docinfo.Title) == ("Lägesbild 2025 (offentlig)" if which == "offentlig"
                                          else "Lägesbild 2025 (intern)")
    names = [r for r, _ in roles]
    assert names.count("/H1") == 1 and names.count("/H2") >= 3 and names.count("/H3") >= 1
    assert names.count("/Table") == 3 and names.count("/TH") >= 3 * 2
    charts = [alt for r, alt in roles if r == "/Figure" and "Siffrorna står i tabell" in alt]
    assert len(charts) == 3


def test_poppler_and_mupdf_read_the_hand_counted_cells_and_the_public_pdf_holds_no_secret(pdfs):
    texts = {}
    for which, path in pdfs.items():
        poppler = subprocess.run([program("pdftotext", "poppler-utils"), "-layout", str(path), "-"],
                                 capture_output=True, text=True, timeout=60, check=True).stdout
        mupdf = subprocess.run([program("mutool", "mupdf-tools"), "draw", "-F", "txt", str(path)],
                               capture_output=True, text=True, timeout=60, check=True).stdout
        texts[which] = (poppler, mupdf)
    for text in texts["offentlig"]:
        assert re.search(r"Våld\s+färre än 3", text) and re.search(r"Totalt\s+48", text)
        assert "”–”: dolt" in text and "1(" in text
        assert not any(secret in text for secret in SECRET_TEXTS)
    for text in texts["intern"]:
        assert re.search(r"Trakasserier\s+21\s+44\s%", text)
        assert all(secret in text for secret in SECRET_TEXTS)
    raw = pdfs["offentlig"].read_bytes()
    with pikepdf.open(pdfs["offentlig"]) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    raw += obj.read_bytes()
                except pikepdf.PdfError:  # an image's own compression: its bytes as stored
                    raw += obj.read_raw_bytes()
    assert not any(secret.encode() in raw or secret.encode("utf-16-be") in raw for secret in SECRET_TEXTS)


@pytest.mark.parametrize("public", [False, True])
def test_the_docs_pictures_are_page_one_as_the_current_code_draws_it(pdfs, public):
    """docs/bilder/lagesbild-*.png (scripts/make-overview-images.py) against page 1 drawn now by pdftoppm."""
    from PIL import Image, ImageChops

    program("pdftoppm", "poppler-utils")
    shipped = Image.open(ROOT / IMAGES[public]).convert("L")
    fresh = Image.open(io.BytesIO(page_png(pdfs["offentlig" if public else "intern"].read_bytes()))).convert("L")
    assert shipped.size == fresh.size == (745, 1053)  # A4 at 90 dpi
    differ = ImageChops.difference(shipped, fresh).point(lambda v: 255 if v > 64 else 0).histogram()[255]
    assert differ < 0.005 * shipped.size[0] * shipped.size[1], differ  # LibreOffice's run-to-run jitter only
