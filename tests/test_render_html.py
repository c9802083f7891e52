"""The public overview as a web page: accessible (axe-core in Chromium finds nothing), self-contained, printable."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from lxml import html
from playwright.sync_api import sync_playwright

from blankett.overview.render_html import render

from .clients import missing
from .overview_sample import INTERNAL, LONG_LABEL, PUBLIC, SECRET_TEXTS

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def page_bytes() -> bytes:
    return render(PUBLIC)


@pytest.fixture(scope="module")
def tree(page_bytes):
    return html.fromstring(page_bytes)


def test_language_title_and_heading_levels(tree):
    assert tree.get("lang") == "sv"
    assert tree.findtext(".//title") == "Lägesbild 2025 (offentlig)"
    levels = [int(h.tag[1]) for h in tree.iter("h1", "h2", "h3")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))  # no level skipped


def test_tables_have_captions_and_scoped_header_cells_with_the_hand_counted_numbers(tree):
    tables = tree.findall(".//table")
    assert [t.findtext("caption") for t in tables] == ["Ärenden per månad 2025",
                                                       "Ärenden per typ (PTU:s kategorier; ett ärende kan ha flera typer)",
                                                       "Ja/Nej-frågorna"]
    for t in tables:
        assert all(th.get("scope") in ("col", "row") for th in t.iter("th"))
        assert t.find("thead/tr/th").get("scope") == "col"
    months = {tr.findtext("th"): [td.text for td in tr.findall("td")] for tr in tables[0].iter("tr")}
    assert months["september"] == ["9"] and months["augusti"] == ["färre än 3"] and months["Totalt"] == ["48"]
    types = {tr.findtext("th"): [td.text for td in tr.findall("td")] for tr in tables[1].iter("tr")}
    assert types["Trakasserier"] == ["21", "–"]  # no total given and a hidden cell: no share can be shown
    assert types[LONG_LABEL] == ["färre än 3", "–"]
    janej = {tr.findtext("th"): [td.text for td in tr.findall("td")] for tr in tables[2].iter("tr")}
    assert janej["Stöd erbjudet"] == ["40", "–", "0"]
    notes = " ".join(p.text_content() for p in tree.iter("p"))
    assert "”färre än 3”: 1 eller 2 ärenden" in notes and "”–”: dolt" in notes


def test_each_chart_is_an_inline_svg_image_with_a_text_alternative_beside_its_table(tree):
    figures = tree.findall(".//figure")
    assert len(figures) == 3
    for fig in figures:
        svg = fig.find("svg")
        assert svg is not None and svg.get("role") == "img"
        alt = tree.get_element_by_id(svg.get("aria-labelledby"))
        assert alt.tag == "title" and "Siffrorna står i tabellen bredvid" in alt.text
        assert fig.find("table") is not None


def test_no_script_no_external_resource_and_a_print_stylesheet(page_bytes, tree):
    assert not tree.findall(".//script") and b"<script" not in page_bytes
    for el in tree.iter():
        for attr in ("src", "href", "action", "srcset"):
            assert attr not in el.attrib, (el.tag, attr)
    assert b"http://" not in page_bytes.replace(b"http://www.w3.org/2000/svg", b"") and b"https://" not in page_bytes
    assert "@media print" in tree.findtext(".//style")


def test_nothing_secret_in_the_public_page_but_in_the_internal_one(page_bytes):
    for secret in SECRET_TEXTS:
        assert secret.encode() not in page_bytes
    internal = render(INTERNAL)
    assert all(s.encode() in internal for s in SECRET_TEXTS)
    assert "Inga ärenden.".encode() in internal  # the empty listing says so


def test_axe_core_in_chromium_finds_nothing_and_nothing_is_fetched(page_bytes, tmp_path):
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} (Debian-paketet chromium)")
    target = tmp_path / "lagesbild.html"
    target.write_bytes(page_bytes)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(locale="sv-SE")
            asked: list[str] = []
            page.on("request", lambda r: asked.append(r.url))
            page.goto(target.as_uri())
            assert asked == [target.as_uri()]
            results = Axe().run(page)
            assert results.violations_count == 0, results.generate_report()
            page.emulate_media(media="print")
            assert page.evaluate("getComputedStyle(document.body).maxWidth") == "none"
        finally:
            browser.close()
