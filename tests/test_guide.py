"""The administrator's guide on the server (/hjalp): linked from every page, served from the package, rendered safely."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import html

from blankett.web import guide

from .test_web import AUTH, client

DOCS = Path(__file__).parents[1] / "docs"


@pytest.fixture()
def pages():
    with client() as c:
        c.headers.update(AUTH)
        yield c


def test_the_server_carries_the_guide_and_exactly_the_pictures_it_shows_as_in_docs():
    assert guide.SOURCE.read_bytes() == (DOCS / "administrator.md").read_bytes(), \
        "kör: .venv/bin/python scripts/make-pictures.py (kopierar guiden till paketet)"
    shown = set(re.findall(r"\]\(bilder/([\w.-]+\.png)\)", guide.SOURCE.read_text(encoding="utf-8")))
    assert set(guide.pictures()) == shown and shown
    for name, path in guide.pictures().items():
        assert path.read_bytes() == (DOCS / "bilder" / name).read_bytes(), name


@pytest.mark.parametrize("path", ["/", "/fyll-i", "/las-in", "/api", "/fyll-i/blankett", "/finns-inte"])
def test_every_page_links_to_the_guide(pages, path):
    tree = html.fromstring(pages.get(path).text)
    assert tree.xpath('//nav//a[@href="/hjalp"]/text()') == ["Hjälp"]


def test_the_guide_page_shows_the_guide_its_pictures_and_working_anchors(pages):
    r = pages.get("/hjalp")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "img-src 'self';" in r.headers["content-security-policy"]  # a picture from elsewhere is never fetched
    tree = html.fromstring(r.text)
    assert tree.xpath("//nav//a[@aria-current='page']/@href") == ["/hjalp"]
    assert tree.xpath("//h1/text()") == ["Hjälp: administratörens guide"]  # the page's one h1
    ids = set(tree.xpath("//main//*[@id]/@id"))
    anchors = [unquote(a[1:]) for a in tree.xpath("//main//a/@href") if a.startswith("#")]  # as browsers look up
    assert "webbsidorna-blankett-serve" in ids and anchors and [a for a in anchors if a not in ids | {"main"}] == []
    assert [a for a in tree.xpath("//main//a/@href") if a.endswith(".md") or ".md#" in a] == []
    assert "drift.md i mappen docs" in r.text  # a link to another guide is its name, for a server without docs/
    sources = tree.xpath("//main//img/@src")
    assert sorted(Path(s).name for s in sources) == sorted(guide.pictures()) and all(s.startswith("/hjalp/bilder/")
                                                                                    for s in sources)
    assert all(tree.xpath("//main//img/@alt"))
    for src in sources:
        picture = pages.get(src)
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
        assert picture.content == (DOCS / "bilder" / Path(src).name).read_bytes()


@pytest.mark.parametrize("path", ["/hjalp/bilder/finns-inte.png", "/hjalp/bilder/..%2Fguide.py",
                                  "/hjalp/bilder/%2E%2E%2F%2E%2E%2Fapp.py", "/hjalp/bilder/", "/hjalp/administrator.md"])
def test_nothing_but_the_guides_pictures_is_served_from_it(pages, path):
    r = pages.get(path)
    assert r.status_code == 404 and "image/png" not in r.headers.get("content-type", "")


def test_the_guide_needs_the_key_like_every_page():
    with client() as c:
        assert c.get("/hjalp").status_code == 401 and c.get("/hjalp/bilder/webb-start.png").status_code == 401


def test_markdown_cannot_put_markup_or_script_on_the_page(tmp_path, monkeypatch):
    hostile = tmp_path / "administrator.md"
    hostile.write_text("# Titel\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
                       "[klicka](javascript:alert(3)) [data](data:text/html,<b>x</b>) [drift](drift.md#säkerhet)\n\n"
                       "![bild](../../../../etc/passwd) ![webb](https://exempel.se/spårning.png)\n\n## Rubrik *ett*\n",
                       encoding="utf-8")
    monkeypatch.setattr(guide, "SOURCE", hostile)
    guide.render.cache_clear()
    try:
        out = guide.render()
    finally:
        guide.render.cache_clear()
    tree = html.fromstring(f"<div>{out}</div>")
    assert tree.xpath("//script | //*[@onerror]") == [] and "&lt;script&gt;" in out
    assert [h for h in tree.xpath("//a/@href")] == []  # javascript:, data: and the other guide: no link at all
    assert "drift (drift.md i mappen docs)" in tree.text_content()
    assert tree.xpath("//img/@src") == ["/hjalp/bilder/passwd", "https://exempel.se/sp%C3%A5rning.png"]
    assert tree.xpath("//h2/@id") == ["rubrik-ett"] and tree.xpath("//h1") == []
