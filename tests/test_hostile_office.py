"""Returned .odt and .doc files go to LibreOffice: nothing in them may make anything fetch anything, a bomb never
reaches it, and every message names the file as the person named it."""

from __future__ import annotations

import http.server
import io
import re
import threading
import time
import zipfile
from pathlib import Path

import pytest

from blankett import office
from blankett.readback import FEL, OK, _one, read_file
from blankett.staging import converted

from .forms import filled, save

pytestmark = pytest.mark.office
RECORD = {"utsatt": "Anders Bergström", "polisanmald": "Ja"}
XLINK = "http://www.w3.org/1999/xlink"


@pytest.fixture
def neighbour():
    """Another program's HTTP server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            hits.append(f"{self.command} {self.path} {self.headers.get('User-Agent')}")
            self.send_response(404)
            self.end_headers()

        do_HEAD = do_PROPFIND = do_OPTIONS = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def odt(tmp_path_factory, soffice) -> bytes:
    """Our filled form as LibreOffice saves it as .odt."""
    folder = tmp_path_factory.mktemp("odt")
    save(folder, "svar.docx", filled(RECORD))
    office.convert([folder / "svar.docx"], "odt", folder)
    return (folder / "svar.odt").read_bytes()


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _odt_with(odt: bytes, change) -> bytes:
    """The .odt with its content.xml changed (``change(text) -> text``), mimetype first and stored."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in _members(odt):
            if info.filename == "content.xml":
                data = change(data.decode()).encode()
            zf.writestr(info.filename, data, zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _linked(odt: bytes, url: str) -> bytes:
    """The form with a linked image, a linked section and a second linked image under another xlink prefix."""
    def change(xml: str) -> str:
        frame = (f'<draw:frame draw:name="bild" svg:width="2cm" svg:height="2cm" text:anchor-type="as-char">'
                 f'<draw:image xlink:href="{url}/odt-image.png" xlink:type="simple" xlink:show="embed" '
                 f'xlink:actuate="onLoad"/></draw:frame>'
                 f'<draw:frame draw:name="bild2" svg:width="1cm" svg:height="1cm" text:anchor-type="as-char">'
                 f'<draw:image xmlns:l="{XLINK}" l:href="{url}/prefix.png" l:type="simple"/></draw:frame>')
        section = (f'<text:section text:name="del"><text:section-source xlink:href="{url}/del.odt" '
                   f'text:filter-name="writer8"/></text:section>')
        xml = re.sub(r"(<office:text[^>]*>)", lambda m: m.group(1) + section, xml, count=1)
        return re.sub(r"(<text:p[^>]*>)", lambda m: m.group(1) + frame, xml, count=1)
    return _odt_with(odt, change)


def test_an_odt_with_links_is_read_without_anything_being_fetched(tmp_path, odt, neighbour):
    """Before: LibreOffice fetched the linked image ("GET /odt-image.png" from "LibreOffice 25.2.3.2")."""
    url, hits = neighbour
    result = read_file(save(tmp_path, "svar.odt", _linked(odt, url)))
    time.sleep(0.3)
    assert hits == []
    assert result.status != FEL and result.record["utsatt"] == "Anders Bergström", result.messages


def test_libreoffice_itself_blocks_links_in_what_it_converts(tmp_path, neighbour, odt):
    """The second line: LibreOffice's private profile blocks links, even in a file nobody cleaned first."""
    url, hits = neighbour
    path = save(tmp_path, "rå.odt", _linked(odt, url))
    out = office.convert([path], "docx:MS Word 2007 XML", tmp_path / "ut")
    time.sleep(0.3)
    assert out[path] is not None and hits == []


@pytest.fixture
def linked_doc(tmp_path, odt, neighbour) -> Path:
    """The form as a Word 97 .doc with a linked image (an INCLUDEPICTURE field, as LibreOffice writes it)."""
    url, hits = neighbour
    folder = tmp_path / "gör"
    folder.mkdir()
    path = save(folder, "svar.odt", _linked(odt, url))
    saved = folder / "svar.doc"
    office.convert([path], "doc:MS Word 97", folder)  # our own settings: nothing fetched while making it
    assert "INCLUDEPICTURE".encode("utf-16-le") in saved.read_bytes()
    hits.clear()
    return saved


def test_a_doc_with_a_linked_image_is_refused_before_libreoffice_and_nothing_is_fetched(linked_doc, neighbour):
    url, hits = neighbour
    result = read_file(linked_doc)
    time.sleep(0.3)
    assert hits == []
    assert (result.status, result.record) == (FEL, None)
    assert result.messages == ["filen hämtar innehåll från en annan fil eller adress (fältet INCLUDEPICTURE) och "
                               "läses inte av säkerhetsskäl"]


@pytest.mark.parametrize("name, data, words", [
    ("låtsas.doc", b"{\\rtf1 {\\field{\\*\\fldinst INCLUDEPICTURE \"http://127.0.0.1:9/x.png\"}}}",
     "filen är ingen Word 97–2003-fil (.doc) trots ändelsen"),
    ("låtsas.odt", b"PK\x05\x06" + b"\0" * 18, "filen är ingen OpenDocument-text (.odt) trots ändelsen"),
])
def test_a_file_that_is_not_what_its_ending_says_never_reaches_libreoffice(tmp_path, name, data, words):
    """An RTF or HTML file named .doc is opened by LibreOffice as what it is, links and all: refused."""
    result = read_file(save(tmp_path, name, data))
    assert result.status == FEL and words in result.messages[0], result.messages


def _bomb_odt(odt: bytes) -> bytes:
    """A small .odt whose content.xml inflates to 60 MB of paragraphs (LibreOffice lays them all out)."""
    paragraphs = "<text:p>x</text:p>" * (60 * 2**20 // 18)
    return _odt_with(odt, lambda xml: xml.replace("</office:text>", paragraphs + "</office:text>", 1))


def test_an_odt_bomb_is_refused_before_libreoffice_sees_it(tmp_path, odt):
    """Before: a 14 kB .odt took LibreOffice 26 s and 940 MB."""
    data = _bomb_odt(odt)
    assert len(data) < 200 * 1024
    started = time.monotonic()
    result = read_file(save(tmp_path, "bomb.odt", data))
    assert time.monotonic() - started < 10
    assert result.status == FEL and "zip-bomb" in result.messages[0], result.messages


def test_a_message_names_the_upload_never_libreoffices_copy(tmp_path, odt):
    """Before: "000000.docx: …", the name of LibreOffice's output in the private folder."""
    broken = _odt_with(odt, lambda xml: xml)  # a real .odt, whose conversion is replaced by a broken .docx
    path = save(tmp_path, "svar.odt", broken)
    with converted([path]) as done:
        out = done[path]
        assert out is not None and out.output is not None and out.output.name == "000000.docx"
        out.output.write_bytes(b"inte en docx")
        result = _one(path, done, None)  # as a reading worker reads it
    assert result.status == FEL and "000000" not in " ".join(result.messages)
    assert result.messages == ["filen är inget Office-dokument (ingen zip-fil)"]


def test_libreoffice_runs_under_a_memory_limit():
    cmd = office._limited(["soffice", "--headless"], 80)
    assert cmd[:5] == ["/usr/bin/prlimit", f"--as={office.MAX_OFFICE_MEMORY}", "--cpu=81", "--core=0", "--"]
    assert office.MAX_OFFICE_MEMORY == 2 * 2**30


def test_a_read_odt_is_ok(tmp_path, odt):
    result = read_file(save(tmp_path, "svar.odt", odt))
    assert result.status == OK and result.record["polisanmald"] == "Ja", result.messages
