"""blankett publish: the website's Bilaga5.docx (same as ``blank``), Bilaga5.pdf and Bilaga5.html, clean metadata."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from click.testing import CliRunner
from playwright.sync_api import sync_playwright
from pypdf import PdfReader

from blankett.build import blank_bytes
from blankett.cli import main
from blankett.form import FIELDS
from blankett.publish import publish

from .clients import missing
from .test_render_html import ARGS, CHROMIUM


def test_publish_writes_docx_and_pdf_and_says_so(soffice, tmp_path):
    out = tmp_path / "webb"
    result = CliRunner().invoke(main, ["publish", "-o", str(out), "--soffice", soffice])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 3
    assert re.fullmatch(rf"Skrev {re.escape(str(out / 'Bilaga5.docx'))} \(\d+ kB\)\.", lines[0])
    assert re.fullmatch(rf"Skrev {re.escape(str(out / 'Bilaga5.pdf'))} \(\d+ kB\)\.", lines[1])
    assert re.fullmatch(rf"Skrev {re.escape(str(out / 'Bilaga5.html'))} \(\d+ kB\)\.", lines[2])
    assert (out / "Bilaga5.docx").read_bytes() == blank_bytes()
    reader = PdfReader(out / "Bilaga5.pdf")
    assert len(reader.get_fields()) == sum(len(f.tags()) for f in FIELDS)
    for name in ("Bilaga5.docx", "Bilaga5.pdf", "Bilaga5.html"):
        assert (out / name).stat().st_mode & 0o777 == 0o644  # public: no answers in them

    again = CliRunner().invoke(main, ["publish", "-o", str(out), "--soffice", soffice])
    assert again.exit_code == 1 and again.output.startswith("Fel: ") and "--force" in again.output


def test_published_files_carry_no_local_paths_or_program_versions(soffice, tmp_path):
    out = tmp_path / "webb"
    assert CliRunner().invoke(main, ["publish", "-o", str(out), "--soffice", soffice]).exit_code == 0
    pdf = (out / "Bilaga5.pdf").read_bytes()
    with zipfile.ZipFile(out / "Bilaga5.docx") as zf:
        props = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("docProps/"))
    for data in (pdf, props):
        assert str(tmp_path).encode() not in data and b"/tmp/" not in data and b"/root" not in data
    meta = PdfReader(out / "Bilaga5.pdf").metadata
    assert meta["/Producer"] == "blankett" and "/Author" not in meta
    assert meta.title == "Incidentrapport och händelsedokumentation – Bilaga 5"


# the steps as the issue and the programs' menus word them (typed here, not taken from the code)
WORD = ["Fyll i blanketten.", "Arkiv → Info → Skydda dokument → Kryptera med lösenord.",
        "Skriv lösenordet, tryck OK, skriv det igen och tryck OK.", "Spara (Ctrl+S) och skicka filen."]
WRITER = ["Fyll i blanketten.",
          "Arkiv → Spara som…, välj filtypen Word 2007–365 (.docx) och kryssa i Spara med lösenord.",
          "Tryck Spara, välj Använd Word 2007–365! om frågan kommer, skriv lösenordet två gånger och tryck OK.",
          "Skicka filen."]


def test_the_published_page_tells_how_to_send_the_form_back_encrypted_and_passes_axe(tmp_path):
    """Issue 21: the published web page tells the officer how to save the filled form with a password in Word and
    in LibreOffice and to send the password another way. Before: publish wrote the two files and no page."""
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} (Debian-paketet chromium)")
    out = tmp_path / "webb"
    publish(out)
    target = out / "Bilaga5.html"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(locale="sv-SE")
            asked: list[str] = []
            page.on("request", lambda r: asked.append(r.url))
            page.goto(target.as_uri())
            assert asked == [target.as_uri()]  # nothing else fetched: no script, style sheet or picture
            assert page.locator("h1").inner_text() == "Bilaga 5 – Incidentrapport och händelsedokumentation"
            assert page.locator("h3").all_inner_texts() == ["Word", "LibreOffice Writer"]
            lists = page.locator("ol")
            assert [lists.nth(i).locator("li").all_inner_texts() for i in range(2)] == [WORD, WRITER]
            assert "Skicka lösenordet på ett annat sätt än filen: i ett sms eller ett telefonsamtal" in (
                page.locator("main").inner_text())
            links = page.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
            assert links == ["Bilaga5.docx", "Bilaga5.pdf"] and all((out / link).is_file() for link in links)
            results = Axe().run(page)
            assert results.violations_count == 0, results.generate_report()
        finally:
            browser.close()
