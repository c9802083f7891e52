"""blankett serve, through Starlette's TestClient: the API, the pages' forms, and the guard in front of them.

Every answer is checked against the library's front door (``import blankett``):
the server must give what the command line gives, and refuse what it must refuse.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

import blankett
from blankett import FIELDS, Kind
from blankett.web import create_app
from blankett.web.app import GONE
from blankett.web.jobs import Jobs
from blankett.web.uploads import Limits

from .forms import both_ticked, expected, expected_status, zipped

TOKEN = "test-token-ÅÄÖ-not-secret".encode("ascii", "ignore").decode()
BASE = "http://127.0.0.1:8765"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
RECORD = {
    "diarienummer": "KS 2026/0412",
    "rapporterad_av": "Maria Lindqvist, säkerhetsansvarig",
    "utsatt": "Anders Bergström\nledamot i kommunstyrelsen",
    "polisanmald": "Ja",
    "polis_kontaktad": "Nej",
    "samtal1_datum": "2026-03-12",
    "sarbarheter_rutin": ["Ingen jour", "Oklart ansvar"],
}
SECRET_ANSWER = "Hemliga Personsson"


def client(**kwargs) -> TestClient:
    return TestClient(create_app(TOKEN, **kwargs), base_url=BASE)


@pytest.fixture()
def api():
    with client() as c:
        c.headers.update(AUTH)
        yield c


def _docx(record: dict) -> bytes:
    return blankett.fill_docx(record)


def _bomb() -> bytes:
    """A .docx-named zip whose one member inflates 1000-fold (refused before inflating)."""
    return zipped([("word/document.xml", b"\0" * (60 * 1024 * 1024))])




def same_export(got: bytes, want: bytes, fmt: str) -> bool:
    """Two exported files hold the same: byte for byte, or for .xlsx and .ods every sheet's cells (the zip carries
    the time; odfpy does not keep its XML's namespace order)."""
    if fmt == "ods":
        from python_calamine import CalamineWorkbook

        books = [CalamineWorkbook.from_filelike(io.BytesIO(data)) for data in (got, want)]
        sheets = [[(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names] for book in books]
        return sheets[0] == sheets[1] and len(sheets[0][0][1]) > 1
    if fmt != "xlsx":
        return got == want
    import openpyxl

    books = [openpyxl.load_workbook(io.BytesIO(data)) for data in (got, want)]
    return [(ws.title, [list(row) for row in ws.iter_rows(values_only=True)]) for ws in books[0].worksheets] == [
        (ws.title, [list(row) for row in ws.iter_rows(values_only=True)]) for ws in books[1].worksheets]


# --- the guard --------------------------------------------------------------------------------


@pytest.mark.parametrize("method,path", [("GET", "/"), ("GET", "/api/schema"), ("GET", "/api/blank.docx"),
                                         ("POST", "/api/fill"), ("GET", "/static/app.js"), ("GET", "/las-in")])
def test_without_the_token_every_request_gets_401_and_nothing_else(method, path):
    with client() as c:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Cookie": "blankett_token=wrong"}):
            r = c.request(method, path, headers=headers, json=RECORD if method == "POST" else None)
            assert r.status_code == 401
            assert r.headers["content-type"].startswith("text/plain")
            assert "Åtkomst nekad" in r.text and "properties" not in r.text and "PK" not in r.text[:2]
            assert r.headers["www-authenticate"].startswith("Bearer")


def _signed_in(c: TestClient) -> tuple[str, str]:
    """Sign ``c`` in as the printed link does: the session's name and the session cookie (name=value)."""
    guard = c.app.state.guard
    r = c.get(f"/logga-in?kod={guard.sessions.code()}", follow_redirects=False)
    hop = r.headers["location"]
    r = c.get(hop, follow_redirects=False)
    return guard.session_host, r.headers["set-cookie"].split(";")[0]


def test_a_login_code_gives_a_strict_httponly_session_on_the_sessions_own_name_only():
    with client() as c:
        guard = c.app.state.guard
        code = guard.sessions.code()
        r = c.get(f"/logga-in?kod={code}", follow_redirects=False)
        assert r.status_code == 303 and "set-cookie" not in r.headers  # never a cookie on 127.0.0.1
        m = re.fullmatch(r"http://([0-9a-f]{32}\.localhost):8765/logga-in\?kod=([\w-]+)", r.headers["location"])
        assert m and m.group(1) == guard.session_host and m.group(2) != code
        assert c.get(f"/logga-in?kod={code}").status_code == 401  # once only
        r = c.get(r.headers["location"], follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie and "Domain" not in cookie
        value = cookie.split(";")[0]
        assert value.startswith("blankett_session=") and TOKEN not in value and len(value) > 50
        page = c.get(f"http://{guard.session_host}:8765/fyll-i")  # the session from now on, on its name
        assert page.status_code == 200 and "<h1>Fyll i</h1>" in page.text
        for host in ("127.0.0.1:8765", "localhost:8765"):  # the same cookie on a shared name opens nothing
            assert c.get("/fyll-i", headers={"Host": host, "Cookie": value}).status_code == 401


def test_the_key_typed_in_signs_in_on_the_sessions_name_and_nowhere_else():
    with client() as c:
        guard = c.app.state.guard
        form = c.get("/logga-in")
        assert form.status_code == 200 and 'type="password"' in form.text and "BLANKETT_TOKEN" in form.text
        r = c.post("/logga-in", data={"nyckel": TOKEN}, headers={"Sec-Fetch-Site": "same-origin"},
                   follow_redirects=False)  # on 127.0.0.1: a page that goes on to the session's name
        assert r.status_code == 200 and "set-cookie" not in r.headers
        hop = re.search(r'content="0;url=([^"]+)"', r.text).group(1)
        assert hop.startswith(f"http://{guard.session_host}:8765/logga-in?kod=")
        assert "set-cookie" in c.get(hop, follow_redirects=False).headers
        session = f"http://{guard.session_host}:8765/logga-in"
        r = c.post(session, data={"nyckel": TOKEN}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["set-cookie"].startswith("blankett_session=")
        for data, headers in (({"nyckel": "fel"}, {}), ({}, {}), ({"nyckel": TOKEN}, {"Origin": "http://127.0.0.1:1"})):
            r = c.post(session, data=data, headers=headers, follow_redirects=False)
            assert r.status_code in (401, 403) and "set-cookie" not in r.headers
        assert "Inloggningen gick inte" in c.post(session, data={"nyckel": "fel"}).text


def test_sessions_and_codes_end_by_time_and_by_number():
    from blankett.web import security

    now = [0.0]
    sessions = security.Sessions(clock=lambda: now[0])
    code, soon = sessions.code(), sessions.code(security.LOGIN_HOP_SECONDS)
    now[0] = security.LOGIN_HOP_SECONDS + 1
    assert not sessions.use_code(soon) and sessions.use_code(code) and not sessions.use_code(code)
    now[0] = security.LOGIN_CODE_SECONDS + 1
    assert not sessions.use_code(sessions.code(-1))
    idle, busy = sessions.start(), sessions.start()
    for _ in range(3):  # busy is used every 7 hours, idle not at all
        now[0] += 7 * 3600
        assert sessions.valid(busy)
    assert not sessions.valid(idle)  # 8 hours without a request
    now[0] += security.SESSION_MAX_SECONDS - 3 * 7 * 3600 + 1
    assert not sessions.valid(busy)  # 24 hours in any case
    first = sessions.start()
    for _ in range(security.MAX_SESSIONS):
        sessions.start()
    assert not sessions.valid(first)
    removed: list[int] = []
    sessions.code(on_use=lambda: removed.append(1))
    sessions.clear()
    assert removed == [1]


@pytest.mark.parametrize("neighbours", ['x={"a":1}', 'x={"a":1}; y=a b; z; =; ;;', 'blankett_session="\\'])
def test_another_apps_cookies_never_make_the_session_unreadable(neighbours):
    """SimpleCookie gave up on the whole header at one cookie it could not read: 401 for the user."""
    from blankett.web.security import cookies

    assert cookies('x={"a":1}; b="c"; d; e=f=g') == [("x", '{"a":1}'), ("b", "c"), ("e", "f=g")]
    with client() as c:
        host, session = _signed_in(c)
        for header in (f"{neighbours}; {session}", f"{session}; {neighbours}"):
            assert c.get("/api/schema", headers={"Host": host, "Cookie": header}).status_code == 200
        assert c.get("/api/schema", headers={"Host": host, "Cookie": neighbours}).status_code == 401


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.nip.io", "attacker.test:8765", "", "localhost.evil",
                                  "localhost:18765@evil.com", "[::1]evil.com", "localhost:8765:80", "localhost/x",
                                  "localhost:", "[::1", "[localhost]:80", "127.0.0.1 evil", "x.localhost"])
def test_a_foreign_host_header_is_refused(host):
    with client() as c:
        r = c.get("/api/schema", headers={**AUTH, "Host": host})
        assert r.status_code == 400
        assert "Okänd värd" in r.text


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "LOCALHOST", "[::1]", "127.0.0.1"])
def test_the_servers_own_names_are_accepted(host):
    with client() as c:
        assert c.get("/api/schema", headers={**AUTH, "Host": host}).status_code == 200


def test_another_bound_name_is_accepted_only_when_named():
    from blankett.web.security import allowed_hosts

    with client(hosts=allowed_hosts("192.0.2.7", ("blankett.kommun.example",))) as c:
        for host in ("192.0.2.7:8765", "blankett.kommun.example"):
            assert c.get("/api/schema", headers={**AUTH, "Host": host}).status_code == 200
        assert c.get("/api/schema", headers={**AUTH, "Host": "other.kommun.example"}).status_code == 400


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                     {"Origin": "http://127.0.0.1:9999"}, {"Sec-Fetch-Site": "cross-site"},
                                     {"Sec-Fetch-Site": "same-site", "Origin": "http://a.localhost:8765"},
                                     {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
                                     {"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"}])
def test_a_post_from_another_site_is_refused(api, headers):
    r = api.post("/api/fill", json=RECORD, headers=headers)
    assert r.status_code == 403
    assert "annan webbplats" in r.text
    r = api.post("/fyll-i/blankett", data={"rapporterad_av": "x"}, headers=headers)
    assert r.status_code == 403


def test_a_post_from_the_page_itself_is_served(api):
    r = api.post("/api/fill", json=RECORD, headers={"Origin": BASE, "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200
    # the page's own form post under Referrer-Policy: no-referrer carries Origin: null
    r = api.post("/api/fill", json=RECORD, headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200


def test_every_response_carries_the_security_headers(api):
    responses = [api.get("/"), api.get("/api/schema"), api.post("/api/fill", json=RECORD),
                 api.post("/api/fill", json={"polisanmald": "kanske"}), api.get("/static/app.css"),
                 api.get("/finns-inte"), TestClient(api.app, base_url=BASE).get("/")]
    for r in responses:
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["cache-control"] == "no-store"


def test_pages_have_no_inline_script_or_style_and_are_swedish(api):
    for path in ("/", "/fyll-i", "/fyll-i/blankett", "/las-in", "/lagesbild", "/api"):
        html = api.get(path).text
        assert '<html lang="sv">' in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert "style=" not in html and "<style" not in html and " on" + "click=" not in html
        assert "http://" not in html.replace("http://127.0.0.1:8765/api/", "")  # nothing from elsewhere


# --- uploads: limits and hostile files ----------------------------------------------------------


def test_an_oversized_file_is_413_in_swedish_and_the_server_keeps_serving():
    with client(limits=Limits(file=200 * 1024)) as c:
        c.headers.update(AUTH)
        r = c.post("/api/extract", files={"filer": ("stor.docx", b"PK" + b"x" * 300 * 1024)})
        assert r.status_code == 413
        assert "för stor" in r.json()["fel"] and "MB per fil" in r.json()["fel"]
        assert c.get("/api/schema").status_code == 200


def test_too_big_a_request_is_413_before_it_is_read():
    with client(max_body=512 * 1024) as c:
        c.headers.update(AUTH)
        r = c.post("/api/extract", files={"filer": ("a.docx", b"x" * 600 * 1024)})
        assert r.status_code == 413
        assert "sammanlagt" in r.text
        r = c.post("/las-in", files={"filer": ("a.docx", b"x" * 600 * 1024)})
        assert r.status_code == 413
        assert c.get("/api/schema").status_code == 200


def test_a_chunked_body_without_length_is_cut_off_at_the_limit():
    with client(max_body=256 * 1024) as c:
        def chunks():
            for _ in range(20):
                yield b"y" * 64 * 1024

        r = c.post("/api/fill", content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
        assert r.status_code == 413
        assert c.get("/api/schema", headers=AUTH).status_code == 200


def test_too_many_files_is_413():
    with client(limits=Limits(count=3)) as c:
        c.headers.update(AUTH)
        files = [("filer", (f"{n}.docx", b"PK")) for n in range(5)]
        r = c.post("/api/extract", files=files)
        assert r.status_code == 413 and "För många filer" in r.json()["fel"]
        assert c.get("/").status_code == 200


def test_a_zip_with_too_many_members_is_refused():
    with client(limits=Limits(zip_members=10)) as c:
        c.headers.update(AUTH)
        data = zipped([(f"{n}.docx", b"x") for n in range(11)])
        rows = c.post("/api/extract", files={"filer": ("svar.zip", data)}).json()
        assert rows == [{"source": "svar.zip", "status": "fel", "record": None,
                         "messages": ["zip-filen innehåller 11 filer; högst 10 läses"]}]
        # two zips of 6 each: each is within the limit, together they are not
        six = zipped([(f"{n}.docx", b"x") for n in range(6)])
        r = c.post("/api/extract", files=[("filer", ("a.zip", six)), ("filer", ("b.zip", six))])
        assert r.status_code == 413 and "högst 10" in r.json()["fel"]
        assert c.get("/api/schema").status_code == 200


def test_hostile_uploads_are_fel_rows_and_the_server_keeps_serving(api):
    good = _docx(RECORD)
    files = [
        ("filer", ("bomb.docx", _bomb())),
        ("filer", ("bomb.zip", zipped([("inre.docx", b"\0" * (60 * 1024 * 1024))]))),
        ("filer", ("inte-zip.docx", b"det har ar ingen blankett")),
        ("filer", ("../../etc/passwd.docx", b"PK\x03\x04trasig")),
        ("filer", ("krypterad.docx", bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512)),
        ("filer", ("svar.docx", good)),
    ]
    r = api.post("/api/extract", files=files)
    assert r.status_code == 200
    rows = r.json()
    assert [row["source"] for row in rows] == ["bomb.docx", "bomb.zip", "inte-zip.docx", "passwd.docx",
                                               "krypterad.docx", "svar.docx"]
    assert [row["status"] for row in rows] == ["fel"] * 5 + ["ok"]
    assert "zip-bomb" in rows[0]["messages"][0] and "zip-bomb" in rows[1]["messages"][0]
    assert rows[5]["record"] == expected(RECORD)
    assert api.get("/api/schema").status_code == 200


def test_a_zip_of_forms_is_read_member_by_member(api):
    records = [{"rapporterad_av": f"Person {n}", "polisanmald": "Ja" if n % 2 else "Nej"} for n in range(3)]
    members = [(f"mapp/../svar-{n}.docx", _docx(rec)) for n, rec in enumerate(records)]
    members += [("__MACOSX/._svar-0.docx", b"junk"), ("mapp/", b""), ("anteckning.txt", b"hej")]
    r = api.post("/api/extract", files={"filer": ("inkomna.zip", zipped(members))})
    rows = r.json()
    assert [row["source"] for row in rows] == [f"inkomna.zip/svar-{n}.docx" for n in range(3)] + [
        "inkomna.zip/anteckning.txt"]
    assert [row["record"] for row in rows[:3]] == [expected(rec) for rec in records]
    assert rows[3]["status"] == "fel" and "okänt filformat" in rows[3]["messages"][0]


def test_nothing_is_left_in_the_temporary_folder(api, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    api.post("/api/extract", files={"filer": ("svar.docx", _docx(RECORD))})
    api.post("/api/extract", files={"filer": ("svar.zip", zipped([("a.docx", _docx(RECORD))]))})
    api.post("/api/extract", files={"filer": ("bomb.docx", _bomb())})
    r = api.post("/las-in", files={"filer": ("svar.docx", _docx(RECORD))})
    job = r.url.path.rsplit("/", 1)[1]
    _wait(api, job)
    r = api.post("/fyll-i", files={"filer": ("in.json", json.dumps([RECORD]).encode())})
    _wait(api, r.url.path.rsplit("/", 1)[1])
    assert list(tmp_path.iterdir()) == []


# --- the API: the same answers as the library -----------------------------------------------------


def test_schema_is_the_librarys(api):
    assert api.get("/api/schema").json() == blankett.schema()


def test_blank_docx_and_workbook_are_the_librarys(api):
    r = api.get("/api/blank.docx")
    assert r.content == blankett.blank_docx()
    assert r.headers["content-disposition"].startswith('attachment; filename="Bilaga5.docx"')
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    r = api.get("/api/arbetsbok.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_blank_and_filled_pdf_need_no_libreoffice(monkeypatch):
    monkeypatch.setenv("BLANKETT_SOFFICE", "/finns/inte/soffice")
    with client() as c:
        r = c.get("/api/blank.pdf", headers=AUTH)
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        r = c.post("/api/fill?format=pdf", json=RECORD, headers=AUTH)
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        assert blankett.extract(r.content, "svar.pdf").record == expected(RECORD)
        page = c.get("/", headers=AUTH).text
        assert "/api/blank.pdf" in page  # the PDF is offered on a server without LibreOffice


def test_libreoffice_failing_on_the_server_is_503_in_swedish_never_500(monkeypatch):
    def fails(*args, **kwargs):
        raise blankett.BlankettError("LibreOffice kunde inte göra PDF:en (den svarade inte inom 120 s)")

    monkeypatch.setattr(blankett, "blank_pdf", fails)
    monkeypatch.setattr(blankett, "fill_pdf", fails)
    with client() as c:
        for r in (c.get("/api/blank.pdf", headers=AUTH), c.post("/api/fill?format=pdf", json=RECORD, headers=AUTH)):
            assert r.status_code == 503
            assert r.json() == {"fel": "LibreOffice kunde inte göra PDF:en (den svarade inte inom 120 s)"}


@pytest.mark.office
def test_blank_pdf_and_a_filled_pdf_with_libreoffice(api, soffice):
    r = api.get("/api/blank.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = api.post("/api/fill?format=pdf", json=RECORD)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    back = blankett.extract(r.content, "svar.pdf")
    assert back.record == expected(RECORD)


def test_fill_returns_the_docx_that_fill_docx_makes(api):
    r = api.post("/api/fill", json=RECORD)
    assert r.status_code == 200
    assert r.content == blankett.fill_docx(RECORD)
    assert r.headers["content-disposition"].startswith('attachment; filename="Bilaga5-KS-2026-0412.docx"')


def test_a_download_is_named_as_fill_names_the_file_from_the_validated_case_number(api, tmp_path):
    record = RECORD | {"diarienummer": 2026.0}  # a number in JSON: the form holds the text 2026
    rows = tmp_path / "rader.json"
    rows.write_text(json.dumps([record]), encoding="utf-8")
    blankett.fill_files([rows], tmp_path / "ut")
    (made,) = (tmp_path / "ut").glob("*.docx")
    r = api.post("/api/fill", json=record)
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith(f'attachment; filename="{made.name}"')
    assert made.name == "Bilaga5-2026.docx"


def test_fill_in_worker_processes_gives_the_same_answers():
    with client(fill_workers=1) as c:
        c.headers.update(AUTH)
        try:
            assert c.post("/api/fill", json=RECORD).content == blankett.fill_docx(RECORD)
            r = c.post("/api/fill", json={"polisanmald": "kanske"})
            assert r.status_code == 422
            assert r.json() == [{"field": "polisanmald",
                                 "message": 'fältet "polisanmald" (Polisanmäld): "kanske" är inte Ja eller Nej'}]
            page = c.post("/fyll-i/blankett", data=_form_fields(RECORD) | {"samtal2_datum": "31/2-2026"})
            assert page.status_code == 422  # the message beside the field comes through the process too
            assert ('<p class="field-error" id="e-samtal2_datum">&quot;31/2-2026&quot; är inget giltigt datum '
                    "(skriv ÅÅÅÅ-MM-DD)</p>") in page.text
        finally:
            c.app.state.server.close()


def test_fill_file_names_are_safe(api):
    r = api.post("/api/fill", json={"diarienummer": '../../"evil"\r\nSet-Cookie: x=1'})
    disposition = r.headers["content-disposition"]
    name = re.match(r'attachment; filename="([^"]*)"', disposition).group(1)
    assert "/" not in name and ".." not in name and "\r" not in disposition and "\n" not in disposition
    assert "set-cookie" not in {k.lower() for k in r.headers if k.lower() == "set-cookie" and "x=1" in r.headers[k]}


def test_an_invalid_record_is_422_with_each_field_named(api):
    r = api.post("/api/fill", json={"polisanmald": "kanske", "samtal1_datum": "31/02/2026", "okand": 1})
    assert r.status_code == 422
    problems = r.json()
    assert {p["field"] for p in problems} == {"polisanmald", "samtal1_datum", "okand"}
    try:
        blankett.validate({"polisanmald": "kanske", "samtal1_datum": "31/02/2026", "okand": 1})
    except blankett.RecordError as exc:
        assert problems == [{"field": p.field, "message": p.message} for p in exc.problems]
    assert api.post("/api/fill", json=[1, 2]).status_code == 422
    r = api.post("/api/fill", content=b"{inte json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["fel"]


def _xml_char(c: str) -> bool:
    n = ord(c)
    return c in "\t\n" or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or n >= 0x10000


CHARS = st.characters(blacklist_categories=("Cs",)).filter(_xml_char)
ONE_LINE = st.text(CHARS.filter(lambda c: c != "\n"), min_size=1, max_size=30).filter(lambda s: s.strip())
VALUES = {
    Kind.TEXT: st.one_of(st.none(), st.text(CHARS, max_size=60)),
    Kind.JANEJ: st.sampled_from([None, "Ja", "Nej"]),
    Kind.DATE: st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1),
                                            max_value=dt.date(2200, 12, 31)).map(str)),
    Kind.LIST: st.lists(ONE_LINE, max_size=4),
}
_TYPES = ["trakasserier", "hot", "våld", "skadegörelse", "stöld", "korruptionsförsök", "annat"]
_CHANNELS = ["sociala medier", "personligen", "telefon", "e-post", "brev", "sms", "annat"]
#: Issue 20's coded fields (on the page: a date input and two checkbox groups), in PTU's order.
CODED = {"handelsedatum": VALUES[Kind.DATE],
         "typ": st.sets(st.sampled_from(_TYPES)).map(lambda chosen: [v for v in _TYPES if v in chosen]),
         "kanal": st.sets(st.sampled_from(_CHANNELS)).map(lambda chosen: [v for v in _CHANNELS if v in chosen])}
RECORDS = st.fixed_dictionaries({}, optional={**CODED, **{f.key: VALUES[f.kind] for f in FIELDS}})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(RECORDS)
def test_any_record_posted_comes_back_from_extract(api, record):
    r = api.post("/api/fill", json=record)
    assert r.status_code == 200, r.text
    files = {"filer": ("svar.docx", r.content)}
    rows = api.post("/api/extract", files=files).json()
    assert (rows[0]["status"], rows[0]["messages"]) == expected_status(record)
    assert rows[0]["record"] == expected(record)


def test_extract_json_and_files_are_what_the_library_gives(api):
    forms = [("svar-1.docx", _docx(RECORD)), ("svar-2.docx", both_ticked({})), ("trasig.docx", b"PK\x03\x04x")]
    files = [("filer", item) for item in forms]
    rows = api.post("/api/extract", files=files).json()
    mine = [blankett.extract(data, name) for name, data in forms]
    assert rows == [m.as_dict() for m in mine]
    assert [row["status"] for row in rows] == ["ok", "varning", "fel"]
    for fmt in ("xlsx", "ods", "csv"):
        r = api.post(f"/api/extract?format={fmt}", files=files)
        assert r.status_code == 200
        assert same_export(r.content, blankett.export_bytes(mine, fmt), fmt)
        assert f'filename="svar.{fmt}"' in r.headers["content-disposition"]
        assert r.headers["cache-control"] == "no-store"


def test_one_reading_worker_reads_upload_after_upload(api):
    """The reading worker kept idle after an upload reads the next one: before, every upload killed its worker
    (a reading left half-closed counted as Ctrl-C) and waited a quarter of a second for a new one."""
    from blankett import guard

    guard.stop_idle()  # none left by an earlier test
    files = [("filer", ("svar.docx", _docx(RECORD)))]
    assert api.post("/api/extract", files=files).json()[0]["status"] == "ok"
    kept = [w.proc.pid for w in guard._IDLE]
    for _ in range(3):
        assert api.post("/api/extract", files=files).json()[0]["record"]["utsatt"] == RECORD["utsatt"]
        assert [w.proc.pid for w in guard._IDLE] == kept and len(kept) == 1


# --- the pages: one form, and the two batch jobs -----------------------------------------------------


def _form_fields(record: dict) -> dict:
    """What a person types in the HTML form for ``record`` (list lines one per box, Ja/Nej as a radio)."""
    data = {}
    for key, value in record.items():
        if isinstance(value, list):
            for n, item in enumerate(value, 1):
                data[f"{key}#{n}"] = item
        else:
            data[key] = value
    return data


def test_the_html_form_has_every_question_with_its_hint_and_control(api):
    html = api.get("/fyll-i/blankett").text
    for f in FIELDS:
        if f.kind is Kind.JANEJ:
            for n in range(3):
                assert f'id="f-{f.key}-{n}"' in html
            assert f'name="{f.key}" value=""' in html and "Inte besvarad" in html
        elif f.kind is Kind.LIST:
            for n in range(1, 5):
                assert f'name="{f.key}#{n}"' in html and f'for="f-{f.key}-{n}"' in html
        elif f.kind is Kind.DATE:
            assert f'<input type="date" id="f-{f.key}" name="{f.key}"' in html
        else:
            assert f'for="f-{f.key}"' in html and f'id="f-{f.key}"' in html
        if f.hint:
            from html import escape

            assert escape(f.hint, quote=True) in html
    assert 'name="diarienummer"' in html


def test_the_html_form_gives_the_docx_that_reads_back_to_what_was_typed(api):
    r = api.post("/fyll-i/blankett", data=_form_fields(RECORD) | {"format": "docx"})
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith('attachment; filename="Bilaga5-KS-2026-0412.docx"')
    back = blankett.extract(r.content, "svar.docx")
    assert back.status == "ok"
    assert back.record == expected(RECORD)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(RECORDS)
def test_anything_typed_in_the_html_form_comes_back_from_extract(api, record):
    typed = {k: v for k, v in record.items() if v is not None}
    r = api.post("/fyll-i/blankett", data=_form_fields(typed))
    assert r.status_code == 200, r.text[-2000:]
    back = blankett.extract(r.content, "svar.docx")
    blank_text = {f.key: None for f in FIELDS if f.kind is Kind.TEXT and not (record.get(f.key) or "").strip()}
    assert (back.status, back.messages) == expected_status(record | blank_text)
    assert back.record == expected(record | blank_text)


def test_the_html_form_shows_each_error_beside_its_field(api):
    typed = _form_fields(RECORD) | {"samtal1_datum": "31/02/2026", "polisanmald": "Kanske"}
    r = api.post("/fyll-i/blankett", data=typed)
    assert r.status_code == 422
    html = r.text
    assert 'role="alert"' in html and 'href="#f-samtal1_datum"' in html
    assert re.search(r'<p class="field-error" id="e-samtal1_datum">[^<]*är inget giltigt datum', html)
    assert re.search(r'id="f-samtal1_datum"[^>]*aria-describedby="e-samtal1_datum" aria-invalid="true"', html)
    assert 'id="e-polisanmald"' in html
    assert 'value="Maria Lindqvist, säkerhetsansvarig"' in html  # what was typed is kept
    assert 'value="Oklart ansvar"' in html


def test_the_html_form_refuses_a_file_in_swedish(api):
    r = api.post("/fyll-i/blankett", files={"rapporterad_av": ("x.txt", b"x")})
    assert r.status_code == 400 and "Formuläret kunde inte läsas" in r.text


def _wait(c: TestClient, job: str, seconds: float = 60) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status = c.get(f"/api/jobb/{job}").json()
        if status["finished"]:
            return status
        time.sleep(0.1)
    raise AssertionError("the job did not finish")


def test_fill_page_upload_gives_a_zip_of_forms_and_the_problem_list(api):
    records = [RECORD, {"rapporterad_av": "Rad två"}, {"polisanmald": "kanske"}, {"utsatt": "Rad fyra"}]
    jsonl = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode("utf-8")
    r = api.post("/fyll-i", files={"filer": ("incidenter.jsonl", jsonl)}, data={"format": "docx"})
    assert r.status_code == 200 and r.url.path.startswith("/jobb/")
    job = r.url.path.rsplit("/", 1)[1]
    assert _wait(api, job)["state"] == "klar"
    page = api.get(f"/jobb/{job}").text
    summary = blankett.fill_files([_saved(jsonl, "incidenter.jsonl")], _out(), jobs=1)
    for line in summary.problems:
        assert line.replace('"', "&quot;") in page  # the command line's messages, word for word
    assert "incidenter.jsonl rad 3" in page
    archive = api.get(f"/jobb/{job}/blanketter.zip")
    assert archive.headers["content-disposition"].startswith('attachment; filename="Bilaga5-blanketter.zip"')
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zf:
        names = zf.namelist()
        assert names == sorted(p.name for p in summary.written)
        back = {n: blankett.extract(zf.read(n), n).record for n in names}
    assert back["Bilaga5-KS-2026-0412.docx"] == expected(RECORD)
    assert back["Bilaga5-rad-0002.docx"] == expected(records[1])
    assert back["Bilaga5-rad-0004.docx"] == expected(records[3])
    assert api.post(f"/jobb/{job}/ta-bort", follow_redirects=False).status_code == 303
    assert api.get(f"/jobb/{job}/blanketter.zip").status_code == 404


@pytest.mark.office
def test_fill_page_upload_as_word_and_pdf(api, soffice):
    records = [RECORD, {"rapporterad_av": "Rad två", "polisanmald": "Nej"}]
    r = api.post("/fyll-i", files={"filer": ("incidenter.json", json.dumps(records).encode())},
                 data={"format": "pdf"}, headers={"Accept": "application/json"})
    assert r.status_code == 202
    job = r.json()["id"]
    status = _wait(api, job, 300)
    assert status["state"] == "klar" and status["total"] == 4
    with zipfile.ZipFile(io.BytesIO(api.get(f"/jobb/{job}/blanketter.zip").content)) as zf:
        names = zf.namelist()
        assert names == ["Bilaga5-KS-2026-0412.docx", "Bilaga5-KS-2026-0412.pdf",
                         "Bilaga5-post-0002.docx", "Bilaga5-post-0002.pdf"]
        for name in names:
            back = blankett.extract(zf.read(name), name)
            assert back.record == expected(records[0] if "KS" in name else records[1]), name
    assert "Klart: 2 blanketter ifyllda, som Word och PDF." in api.get(f"/jobb/{job}").text


def _saved(data: bytes, name: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="blankett-test-"))
    (folder / name).write_bytes(data)
    return folder / name


def _out() -> Path:
    return Path(tempfile.mkdtemp(prefix="blankett-test-out-"))


def test_fill_page_refuses_a_file_it_cannot_fill(api):
    r = api.post("/fyll-i", files={"filer": ("ljud.mp3", b"ID3")})
    assert r.status_code == 415 and 'role="alert"' in r.text
    r = api.post("/fyll-i", files={"filer": ("ljud.mp3", b"ID3")}, headers={"Accept": "application/json"})
    assert r.status_code == 415 and "Excel" in r.json()["fel"]
    # a scan is a returned form: the page sends it to Läs in
    r = api.post("/fyll-i", files={"filer": ("bild.png", b"\x89PNG")}, headers={"Accept": "application/json"})
    assert r.status_code == 415 and "Läs in" in r.json()["fel"]


def test_read_page_upload_gives_the_table_and_the_same_files_as_extract(api):
    forms = [("bra.docx", _docx(RECORD)), ("varning.docx", both_ticked({})), ("bomb.docx", _bomb())]
    r = api.post("/las-in", files=[("filer", f) for f in forms], headers={"Accept": "application/json"})
    assert r.status_code == 202
    job = r.json()["id"]
    assert _wait(api, job)["total"] == 3
    html = api.get(f"/jobb/{job}").text
    for name, status in (("bra.docx", "ok"), ("varning.docx", "varning"), ("bomb.docx", "fel")):
        assert re.search(rf"<td class=\"file\">{re.escape(name)}</td><td><span class=\"status status-{status}\">", html)
    mine = [blankett.extract(data, name) for name, data in forms]
    for fmt in ("xlsx", "ods", "csv", "json"):
        assert same_export(api.get(f"/jobb/{job}/svar.{fmt}").content, blankett.export_bytes(mine, fmt), fmt)


def test_a_batch_does_not_block_other_requests(api):
    records = [{"rapporterad_av": f"Person {n}"} for n in range(300)]
    r = api.post("/fyll-i", files={"filer": ("many.json", json.dumps(records).encode())},
                 headers={"Accept": "application/json"})
    job = r.json()["id"]
    seen, pages_running = [], []
    while not (status := api.get(f"/api/jobb/{job}").json())["finished"]:
        started = time.perf_counter()
        assert api.get("/api/schema").status_code == 200
        seen.append((status["done"], time.perf_counter() - started))
        page = api.get(f"/jobb/{job}").text
        if "<progress" in page:
            pages_running.append(page)
        time.sleep(0.05)
    assert status["state"] == "klar" and status["done"] == status["total"] == 300
    assert any(0 < done < 300 for done, _ in seen), "progress was never seen between start and end"
    assert max(t for _, t in seen) < 2.0
    # the page while it runs: a progress bar out of 300, the count in words, and where to poll
    assert pages_running, "the job's page never showed the progress"
    running = pages_running[-1]
    assert re.search(r'<progress id="job-progress" value="\d+" max="300">', running)
    assert re.search(r'role="status" aria-live="polite">Arbetet pågår: \d+ av 300 filer klara\.', running)
    assert f'data-poll="/api/jobb/{job}"' in running


def test_a_job_that_fails_says_why_on_its_page(tmp_path):
    with client(limits=Limits(zip_members=10)) as c:
        c.headers.update(AUTH)
        six = zipped([(f"{n}.docx", b"x") for n in range(6)])
        r = c.post("/las-in", files=[("filer", ("a.zip", six)), ("filer", ("b.zip", six))],
                   headers={"Accept": "application/json"})
        assert r.status_code == 202
        status = _wait(c, r.json()["id"])
        assert status["state"] == "fel" and status["message"] == "Arbetet kunde inte slutföras."
        page = c.get(r.json()["page"]).text
        assert re.search(r'role="alert"><p>För många filer: högst 10 blanketter per uppladdning\.</p>', page)
        assert f'action="/jobb/{r.json()["id"]}/ta-bort"' in page
        assert c.get(f"/jobb/{r.json()['id']}/svar.csv").status_code == 404  # no answers from a failed job


def test_unknown_addresses_formats_and_jobs_are_404_in_swedish(api):
    assert api.get("/api/blank.odt").status_code == 404 and api.get("/api/blank.odt").text == "Okänt filformat."
    r = api.get("/api/jobb/finns-inte")
    assert r.status_code == 404 and r.json() == {"fel": GONE}
    r = api.get("/jobb/finns-inte")
    assert r.status_code == 404 and f'<p role="alert">{GONE}</p>' in r.text
    r = api.get("/jobb/finns-inte/svar.pdf")
    assert r.status_code == 404 and r.text == "Okänt filformat."
    r = api.get("/jobb/finns-inte/svar.csv")
    assert r.status_code == 404 and r.text == GONE
    assert api.get("/jobb/finns-inte/blanketter.zip").text == GONE


def test_api_requests_it_cannot_serve_are_400_in_swedish(api):
    r = api.post("/api/fill?format=odt", json=RECORD)
    assert r.status_code == 400 and r.json() == {"fel": "format måste vara docx, pdf eller pdfa"}
    r = api.post("/api/extract?format=pdf", files={"filer": ("svar.docx", b"PK")})
    assert r.status_code == 400 and r.json() == {"fel": "format måste vara json, xlsx, ods eller csv"}
    # text in the files field, a file under another name: no file to read
    r = api.post("/api/extract", data={"filer": "inte en fil"}, files={"annat": ("svar.docx", _docx(RECORD))})
    assert r.status_code == 400 and r.json() == {"fel": 'inga filer i fältet "filer"'}
    r = api.post("/api/extract", data={"anteckning": "x" * (1024 * 1024 + 1)}, files={"filer": ("a.docx", b"PK")})
    assert r.status_code == 400 and r.json() == {"fel": "Uppladdningen kunde inte läsas (trasig formulärdata)."}


def test_openapi_describes_the_api_and_the_blank_form_is_made_once(api):
    spec = api.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.") and {"/api/fill", "/api/extract", "/api/schema"} <= set(spec["paths"])
    assert api.get("/api/blank.docx").content == api.get("/api/blank.docx").content == blankett.blank_docx()


def test_page_uploads_it_cannot_take_are_refused_on_the_page(monkeypatch):
    with client(limits=Limits(count=1)) as c:
        c.headers.update(AUTH)
        r = c.post("/fyll-i", data={"format": "docx"}, files={"annat": ("in.json", b"[]")})
        assert r.status_code == 400 and 'role="alert"' in r.text and "Välj minst en fil att ladda upp." in r.text
        r = c.post("/las-in", files=[("filer", ("a.docx", b"PK")), ("filer", ("b.docx", b"PK"))])
        assert r.status_code == 413 and "För många filer: högst 1 per uppladdning." in r.text
        assert "<h1>Läs in" in r.text  # the read page again, with the message
    with client(jobs=Jobs(max_jobs=0)) as c:
        r = c.post("/las-in", files={"filer": ("a.docx", _docx(RECORD))}, headers={**AUTH, "Accept": "application/json"})
        assert r.status_code == 503 and "för många pågående arbeten" in r.json()["fel"]
    monkeypatch.setenv("BLANKETT_SOFFICE", "/finns/inte/soffice")
    with client() as c:  # PDF needs no LibreOffice: the shipped blank PDF is filled
        c.headers.update(AUTH)
        r = c.post("/fyll-i", data={"format": "pdf"}, files={"filer": ("in.json", json.dumps([RECORD]).encode())},
                   headers={"Accept": "application/json"})
        assert r.status_code == 202
        r = c.post("/fyll-i/blankett", data=_form_fields(RECORD) | {"format": "pdf"})
        assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_long_names_are_shortened_and_big_or_broken_zip_members_are_fel_rows():
    name = "Incidentrapport " * 15 + ".docx"  # 245 bytes; kept: at most 200 (NAME_BYTES), the ending too
    with client(limits=Limits(zip_member=1024 * 1024)) as c:
        c.headers.update(AUTH)
        rows = c.post("/api/extract", files={"filer": (name, _docx(RECORD))}).json()
        assert rows[0]["source"] == name[:195] + ".docx" and rows[0]["status"] == "ok"
        broken = io.BytesIO()
        with zipfile.ZipFile(broken, "w", zipfile.ZIP_STORED) as zf:
            zf.writestr("trasig.docx", b"A" * 5000)
        data = broken.getvalue().replace(b"A" * 100, b"B" * 100, 1)  # the stored bytes no longer match their CRC
        big = zipped([("stor.docx", os.urandom(1024 * 1024 + 1))])
        rows = c.post("/api/extract", files=[("filer", ("a.zip", data)), ("filer", ("b.zip", big))]).json()
        assert rows == [
            {"source": "a.zip/trasig.docx", "status": "fel", "record": None,
             "messages": ["filen i zip-arkivet är trasig eller för stor och läses inte"]},
            {"source": "b.zip/stor.docx", "status": "fel", "record": None,
             "messages": ["filen är större än 1 MB och läses inte"]}]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("url,location", [
    (f"/api/schema?token={TOKEN}", "/api/schema"),
    (f"/api/fill?format=pdf&token={TOKEN}&x=%C3%A5+%26", "/api/fill?format=pdf&x=%C3%A5+%26"),
    (f"/api/blank.docx?token={TOKEN}", "/api/blank.docx"),
    (f"/?token={TOKEN}", "/"),
    (f"{BASE}//evil.example/?token={TOKEN}", "/evil.example/"),  # never on to another site
    (f"{BASE}/%5C/evil.example/?token={TOKEN}", "/%5C/evil.example/"),
])
def test_a_token_in_any_address_leaves_it_at_once_and_never_signs_in(method, url, location):
    with client() as c:
        r = c.request(method, url, headers=AUTH, follow_redirects=False)  # signed in otherwise: only dropped
        assert r.status_code == 303, r.text
        assert r.headers["location"] == location  # the other parameters kept as they were sent
        assert "set-cookie" not in r.headers
        r = c.request(method, url, follow_redirects=False)  # alone: the key in an address opens nothing
        assert r.status_code == 401 and "set-cookie" not in r.headers
        if method == "GET":
            assert "historik" in r.text and "/logga-in" in r.text


def test_the_address_after_the_token_stays_on_this_server():
    from blankett.web.security import _address

    for raw in (b"//evil.example/x", b"/\\evil.example/x", b"\\/evil.example/x", b"///\\evil.example/x"):
        assert _address({"raw_path": raw, "path": "-"}, "a=1") == b"/evil.example/x?a=1"
    assert _address({"path": "/fyll i/å"}, "") == b"/fyll%20i/%C3%A5"


def test_a_wrong_token_in_the_address_is_401_and_a_right_one_elsewhere_only_drops_it():
    with client() as c:
        for url in ("/api/schema?token=fel", "/api/schema?token=", "/api/schema?token",
                    f"/api/schema?token={TOKEN}&token=fel", f"/?token={TOKEN}x"):
            r = c.get(url, follow_redirects=False)
            assert r.status_code == 401 and "Åtkomst nekad" in r.text and "set-cookie" not in r.headers
        r = c.get("/api/schema?a=1&token=fel", headers=AUTH, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/api/schema?a=1"
        assert "set-cookie" not in r.headers  # a wrong token never becomes the cookie


@pytest.mark.parametrize("method,url", [("POST", "/api/fill"), ("POST", "/api/extract?format=csv"),
                                        ("POST", "/fyll-i/blankett"), ("PUT", "/api/fill"), ("DELETE", "/"),
                                        ("POST", "/fyll-i")])
def test_a_token_in_the_address_is_no_key_for_a_post(method, url):
    with client() as c:
        url += ("&" if "?" in url else "?") + f"token={TOKEN}"
        for headers in ({}, AUTH, {"Cookie": f"blankett_token={TOKEN}"}):
            r = c.request(method, url, headers=headers, json=RECORD, follow_redirects=False)
            assert r.status_code == 401, (headers, r.text)
            assert "Authorization: Bearer" in r.text and "adressen" in r.text and method in r.text
            assert r.headers["www-authenticate"].startswith("Bearer") and "set-cookie" not in r.headers


def test_the_integrators_guides_curl_calls_with_the_bearer_header_are_served(api):
    guide = (Path(__file__).parents[1] / "docs" / "integration.md").read_text(encoding="utf-8")
    calls = guide[guide.index("export BLANKETT_TOKEN=…"):]
    calls = calls[:calls.index("```")]
    assert calls.count('curl -H "Authorization: Bearer $BLANKETT_TOKEN"') == 4 and "token=" not in calls
    c = TestClient(api.app, base_url=BASE)  # the header alone, as curl sends it: no cookie, no Origin
    r = c.post("/api/fill", headers=AUTH, json={"diarienummer": "KS 2026/0412", "rapporterad_av": "Åsa Öberg",
                                                 "polisanmald": "Ja"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = c.post("/api/fill", headers=AUTH, content=b'{"polisanmald": "kanske"}')
    assert r.status_code == 422 and r.json()[0]["field"] == "polisanmald"
    docx = _docx(RECORD)
    r = c.post("/api/extract", headers=AUTH, files=[("filer", ("svar1.docx", docx)), ("filer", ("svar2.docx", docx))])
    assert r.status_code == 200 and [row["status"] for row in r.json()] == ["ok", "ok"]
    r = c.post("/api/extract?format=xlsx", headers=AUTH, files={"filer": ("inkomna.zip", zipped([("a.docx", docx)]))})
    assert r.status_code == 200 and r.content[:2] == b"PK" and "set-cookie" not in r.headers


def test_an_app_needs_a_token():
    with pytest.raises(ValueError, match="token"):
        create_app("")


# --- the log and the command ---------------------------------------------------------------------------


def test_the_log_has_method_path_status_size_time_and_nothing_personal(caplog):
    caplog.set_level(logging.INFO, logger="blankett.web")
    with client() as c:
        c.get(f"/?token={TOKEN}", headers=AUTH, follow_redirects=False)
        c.post("/api/fill", json={"rapporterad_av": SECRET_ANSWER, "diarienummer": "KS 2099/777"}, headers=AUTH)
        c.post("/api/extract", files={"filer": ("Hemlig-Fil.docx", _docx({"utsatt": SECRET_ANSWER}))}, headers=AUTH)
        c.post("/api/fill", json={"polisanmald": SECRET_ANSWER}, headers=AUTH)
    text = caplog.text
    for secret in (TOKEN, SECRET_ANSWER, "KS 2099", "Hemlig-Fil", "token="):
        assert secret not in text
    lines = [r.getMessage() for r in caplog.records]
    assert re.fullmatch(r"GET / 303 \d+ B \d+ ms", lines[0])
    assert re.fullmatch(r"POST /api/fill 200 \d+ B \d+ ms", lines[1])
    assert re.fullmatch(r"POST /api/extract 200 \d+ B \d+ ms", lines[2])
    assert re.fullmatch(r"POST /api/fill 422 \d+ B \d+ ms", lines[3])


def test_the_log_shows_a_jobs_route_not_its_id(api, caplog):
    """Behind the proxy everyone shares the key: a job's id is what keeps its results to the one who started it."""
    caplog.set_level(logging.INFO, logger="blankett.web")
    r = api.post("/las-in", files={"filer": ("a.docx", _docx(RECORD))}, headers={"Accept": "application/json"})
    job = r.json()["id"]
    _wait(api, job)
    for path in (f"/jobb/{job}", f"/api/jobb/{job}", f"/jobb/{job}/svar.csv", f"/jobb/{job}/ta-bort"):
        api.request("POST" if path.endswith("ta-bort") else "GET", path, follow_redirects=False)
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "blankett.web"]
    assert job not in caplog.text
    assert [line.split(" ")[1] for line in lines[-4:]] == [
        "/jobb/{id}", "/api/jobb/{id}", "/jobb/{id}/svar.csv", "/jobb/{id}/ta-bort"], lines


def test_a_websocket_is_refused_with_one_log_line(caplog):
    from starlette.websockets import WebSocketDisconnect

    caplog.set_level(logging.INFO, logger="blankett.web")
    with client() as c:
        for headers in ({}, AUTH):
            with pytest.raises(WebSocketDisconnect) as refused:
                with c.websocket_connect("/jobb/hemligt-id", headers=headers):
                    pass
            assert refused.value.code == 1008
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "blankett.web"]
    assert len(lines) == 2 and all(re.fullmatch(r"WEBSOCKET /jobb/\{id\} 403 0 B \d+ ms", line) for line in lines)


@pytest.mark.parametrize("method,url,headers,status", [
    ("GET", "/api/schema?fraga=Hemlig-Fraga&token=fel-nyckel-4711", {}, 401),
    ("GET", "/fyll-i?fraga=Hemlig-Fraga", {"Authorization": "Bearer fel-nyckel-4711",
                                           "Cookie": "blankett_token=fel-nyckel-4711"}, 401),
    ("GET", "/api/schema?fraga=Hemlig-Fraga", {**AUTH, "Host": "angripare.example"}, 400),
    ("POST", "/api/fill?fraga=Hemlig-Fraga", {**AUTH, "Origin": "https://angripare.example"}, 403),
    ("POST", "/api/fill?fraga=Hemlig-Fraga", {**AUTH, "Content-Length": str(2**40)}, 413),
])
def test_a_refused_request_is_one_log_line_without_token_host_or_query(caplog, method, url, headers, status):
    caplog.set_level(logging.INFO, logger="blankett.web")
    with client() as c:
        r = c.request(method, url, headers=headers, content=b"{}" if method == "POST" else None)
        assert r.status_code == status
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "blankett.web"]
    assert len(lines) == 1, lines
    path = url.split("?")[0]
    assert re.fullmatch(rf"{method} {re.escape(path)} {status} \d+ B \d+ ms", lines[0])
    for secret in ("fel-nyckel-4711", TOKEN, "Hemlig-Fraga", "fraga=", "?", "angripare", "Bearer", "Cookie"):
        assert secret not in caplog.text


def test_a_path_cannot_write_a_made_up_line_in_the_log(caplog):
    caplog.set_level(logging.INFO, logger="blankett.web")
    with client() as c:
        assert c.get("/x%0A2026-12-03%2018:52:07%20GET%20/%20200%200%20B%201%20ms" + "a" * 500).status_code == 401
    (line,) = [rec.getMessage() for rec in caplog.records if rec.name == "blankett.web"]
    assert "\n" not in line and line.startswith("GET /x\\n2026-12-03 18:52:07 GET / 200")
    assert re.search(r"a{100}… 401 \d+ B \d+ ms$", line) and len(line) < 260


def _serve(*args: str, token: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("BLANKETT_TOKEN", None)
    if token:
        env["BLANKETT_TOKEN"] = token
    return subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_serve_prints_one_line_and_stops_cleanly_on_ctrl_c():
    import httpx2 as httpx

    token = "utskriftsnyckel-4711"
    proc = _serve(token=token)
    try:
        line = proc.stdout.readline().strip()
        m = re.fullmatch(r"Öppna (http://127\.0\.0\.1:(\d+)/)logga-in\?kod=([A-Za-z0-9_-]{20,})", line)
        assert m, line
        base, code = m.group(1), m.group(3)
        for _ in range(50):
            try:
                r = httpx.get(base + "api/schema", headers={"Authorization": f"Bearer {token}"})
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert r.status_code == 200
        assert httpx.get(base + "api/schema").status_code == 401
        assert httpx.get(line.removeprefix("Öppna "), follow_redirects=False).status_code == 303  # the code works
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "Traceback" not in err and "Servern har stoppats." in err
    assert token not in err and code not in err and "kod" not in err
    assert re.search(r"GET /api/schema 200 \d+ B", err)


def test_ctrl_c_during_a_batch_stops_and_leaves_nothing(tmp_path):
    import httpx2 as httpx

    env = {**os.environ, "TMPDIR": str(tmp_path), "BLANKETT_TOKEN": "ctrl-c-nyckel"}
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        base = re.match(r"Öppna (http://[^/]+)/", proc.stdout.readline()).group(1)
        auth = {"Authorization": "Bearer ctrl-c-nyckel", "Accept": "application/json"}
        form = _docx(RECORD)
        for _ in range(100):
            try:
                r = httpx.post(base + "/las-in", headers=auth, timeout=60,
                               files={"filer": ("svar.zip", zipped([(f"{n}.docx", form) for n in range(300)]))})
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert r.status_code == 202
        assert httpx.get(base + r.json()["status"], headers=auth).json()["finished"] is False
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_serve_on_another_host_warns_and_a_fixed_token_is_used(monkeypatch):
    monkeypatch.setenv("BLANKETT_FILL_WORKERS", "många")
    import httpx2 as httpx

    proc = _serve("--host", "0.0.0.0", token="fast-nyckel")
    try:
        line = proc.stdout.readline().strip()
        assert re.fullmatch(r"Öppna http://127\.0\.0\.1:\d+/logga-in\?kod=[\w-]{20,}", line), line
        base = line.removeprefix("Öppna ").split("/logga-in")[0]
        for _ in range(100):
            try:
                r = httpx.get(base + "/api/schema", headers={"Authorization": "Bearer fast-nyckel"})
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert r.status_code == 200
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert "Varning: servern lyssnar på 0.0.0.0" in err and "inloggning" in err
    assert "Varning: BLANKETT_FILL_WORKERS=många är inget antal; en fyllprocess per kärna används." in err
    assert proc.returncode == 0


def test_serve_open_starts_the_browser_with_a_private_page_that_leads_to_the_address(tmp_path):
    opened = tmp_path / "opened.txt"
    script = tmp_path / "browser.py"
    script.write_text("import sys, urllib.parse as u\n"
                      f"open({str(opened)!r}, 'w').write(open(u.unquote(u.urlsplit(sys.argv[1]).path)).read())\n")
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0", "--open", "--host", "localhost"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "BROWSER": f"{sys.executable} {script} %s"})
    try:
        url = proc.stdout.readline().strip().removeprefix("Öppna ")
        assert re.fullmatch(r"http://localhost:\d+/logga-in\?kod=[\w-]{20,}", url)  # the name, as it was given
        for _ in range(100):
            if opened.exists() and opened.read_text():
                break
            time.sleep(0.1)
        page = re.search(r'content="0;url=([^"]+)"', opened.read_text()).group(1)
        assert page.startswith(url.split("kod=")[0]) and page != url  # its own code: the printed one still works
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "Varning" not in err  # localhost is this computer only


def test_serve_on_a_taken_port_is_one_swedish_line():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "blankett", "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 1
    assert done.stderr.strip() == f"Fel: porten {port} används redan; välj en annan med --port"



@pytest.mark.parametrize("token", ["nyckel€1", "två ord", "a;b"])
def test_a_token_that_cannot_travel_in_an_address_is_refused_at_start(token):
    """A hand-chosen key with characters an address or cookie cannot carry gave a 500 on the first page."""
    done = subprocess.run([sys.executable, "-m", "blankett", "serve", "--port", "0"], capture_output=True, text=True,
                          timeout=30, check=False, env=dict(os.environ, BLANKETT_TOKEN=token))
    assert done.returncode == 1
    assert done.stderr.strip() == ("Fel: nyckeln (--token eller BLANKETT_TOKEN) får bara innehålla bokstäverna a–z "
                                   "och A–Z, siffror och tecknen - _ . ~")

def test_the_server_fills_in_one_process_per_core_unless_told(monkeypatch):
    from blankett.web import server

    monkeypatch.delenv("BLANKETT_FILL_WORKERS", raising=False)
    monkeypatch.setattr(server, "_cores", lambda: 2)
    assert server._fill_workers() == 2
    monkeypatch.setattr(server, "_cores", lambda: 1)
    assert server._fill_workers() == 0  # one core: threads, no process to start
    monkeypatch.setattr(server, "_cores", lambda: 32)
    assert server._fill_workers() == 8
    monkeypatch.setenv("BLANKETT_FILL_WORKERS", "0")
    assert server._fill_workers() == 0
    monkeypatch.setenv("BLANKETT_FILL_WORKERS", "3")
    assert server._fill_workers() == 3
    monkeypatch.setenv("BLANKETT_FILL_WORKERS", "många")
    assert server._fill_workers() == 8


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def test_the_fill_processes_fill_the_apis_forms_and_stop_with_the_server(monkeypatch):
    import httpx2 as httpx

    monkeypatch.setenv("BLANKETT_FILL_WORKERS", "2")
    proc = _serve(token="processnyckel")
    try:
        base = re.match(r"Öppna (http://[^/]+)/", proc.stdout.readline()).group(1)
        auth = {"Authorization": "Bearer processnyckel"}
        for _ in range(100):
            try:
                r = httpx.post(base + "/api/fill", json=RECORD, headers=auth, timeout=60)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert r.status_code == 200 and r.content == blankett.fill_docx(RECORD)
        workers = _children(proc.pid)
        assert len(workers) >= 2  # the two fill processes (and Python's resource tracker)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err
    def running(pid: int) -> bool:
        try:  # a process that is gone, or a zombie (state Z) waiting to be reaped, runs nothing
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False

    for _ in range(100):  # Python's resource tracker exits a moment after the server
        if not any(running(pid) for pid in workers):
            break
        time.sleep(0.05)
    assert not any(running(pid) for pid in workers)


def test_serve_on_an_address_of_another_computer_is_one_swedish_line():
    done = subprocess.run([sys.executable, "-m", "blankett", "serve", "--host", "192.0.2.1", "--port", "0"],
                          capture_output=True, text=True, timeout=30, check=False)  # a documentation address
    assert done.returncode == 1
    assert done.stderr.strip() == "Fel: kan inte lyssna på 192.0.2.1:0 (Cannot assign requested address)"


# --- unknown addresses, removal, icon, the API page's address ------------------------------------


@pytest.mark.parametrize("path", ["/finns-inte", "/fyll-i/en", "/static/finns-inte.css"])
def test_an_unknown_address_is_a_swedish_page_with_the_menu(api, path):
    r = api.get(path)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="sv">' in r.text and "<h1>Sidan finns inte</h1>" in r.text
    assert 'aria-label="Huvudmeny"' in r.text and "Not Found" not in r.text
    assert r.headers["content-security-policy"].startswith("default-src 'none'")


def test_a_method_a_page_does_not_take_is_405_in_swedish(api):
    r = api.delete("/fyll-i")
    assert r.status_code == 405 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="sv">' in r.text and "Method Not Allowed" not in r.text
    assert "GET" in r.headers["allow"]
    r = api.get("/api/fill")
    assert r.status_code == 405 and r.json() == {"fel": "Anropet GET går inte till /api/fill. Tillåtet: POST."}
    assert "POST" in r.headers["allow"]


def test_an_unknown_api_address_is_json_in_swedish(api):
    r = api.get("/api/finns-inte")
    assert r.status_code == 404 and r.json() == {"fel": "Okänt anrop: /api/finns-inte. Se /api/openapi.json."}
    assert r.headers["x-content-type-options"] == "nosniff"


def test_removing_a_result_says_so_on_the_page_it_lands_on(api):
    r = api.post("/las-in", files={"filer": ("bra.docx", _docx(RECORD))}, headers={"Accept": "application/json"})
    job = r.json()["id"]
    _wait(api, job)
    r = api.post(f"/jobb/{job}/ta-bort")
    assert r.status_code == 200 and job not in str(r.url)
    assert re.search(r'<div role="status"><p>Resultatet är borttaget från servern\. Dina egna filer påverkas '
                     r"inte\.</p></div>", r.text)
    assert "borttaget" not in api.get("/").text  # the message belongs to the removal only
    gone = api.get(f"/jobb/{job}").text
    assert "tagits bort" in gone


def test_the_icon_is_served_and_linked_from_every_page(api):
    assert api.get("/favicon.ico").status_code in (200, 204)
    icon = api.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    for path in ("/", "/fyll-i", "/fyll-i/blankett", "/las-in", "/api", "/finns-inte"):
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in api.get(path).text


def test_the_api_pages_examples_use_the_servers_own_address():
    with TestClient(create_app(TOKEN, hosts=frozenset({"localhost"})), base_url="http://localhost:9123") as c:
        html = c.get("/api", headers=AUTH).text
    assert "http://localhost:9123/api/fill" in html and "http://localhost:9123/api/extract" in html
    assert "8765" not in html
    with client() as c:  # on the session's own name: its examples name the address, not the secret name
        host, session = _signed_in(c)
        html = c.get("/api", headers={"Host": f"{host}:8765", "Cookie": session}).text
    assert "http://127.0.0.1:8765/api/fill" in html and host not in html


def test_the_html_form_shows_messages_without_the_fields_key(api):
    r = api.post("/fyll-i/blankett", data=_form_fields(RECORD) | {"samtal2_datum": "31/2-2026"})
    assert r.status_code == 422
    field = blankett.FIELDS[[f.key for f in blankett.FIELDS].index("samtal2_datum")]
    beside = re.search(r'<p class="field-error" id="e-samtal2_datum">([^<]*)</p>', r.text)
    assert beside and beside.group(1) == "&quot;31/2-2026&quot; är inget giltigt datum (skriv ÅÅÅÅ-MM-DD)"
    listed = re.search(r'<li><a href="#f-samtal2_datum">([^<]*)</a></li>', r.text)
    assert listed and listed.group(1).startswith(f"{field.label}") and "samtal2_datum" not in listed.group(1)
    assert listed.group(1).endswith(": " + beside.group(1))
    api_answer = api.post("/api/fill", json={"samtal2_datum": "31/2-2026"}).json()  # the API keeps the key
    assert api_answer[0]["field"] == "samtal2_datum" and 'fältet "samtal2_datum"' in api_answer[0]["message"]


def _fill_result(c: TestClient, name: str, data: bytes) -> str:
    r = c.post("/fyll-i", files={"filer": (name, data)}, headers={"Accept": "application/json"})
    assert r.status_code == 202, r.text
    assert _wait(c, r.json()["id"])["state"] == "klar"
    return c.get(r.json()["page"]).text


def test_the_fill_result_says_in_web_words_what_was_filled_and_what_to_fix(api):
    records = [RECORD, {"rapporterad_av": "Rad två"}, {"polisanmald": "kanske"}, {"utsatt": "Rad fyra"}]
    html = _fill_result(api, "incidenter.jsonl", "\n".join(json.dumps(r) for r in records).encode())
    assert '<p class="done">Klart: 3 blanketter ifyllda, 1 rad med fel.</p>' in html
    assert "Klart. Klart" not in html and "hoppade över" not in html and "finns redan" not in html
    assert "<h2>Att rätta (1)</h2>" in html and "Rader utan fel har fyllts i." in html
    assert "Att känna till" not in html


def test_the_fill_result_when_no_row_could_be_filled_says_so(api):
    html = _fill_result(api, "incidenter.json", json.dumps([{"polisanmald": "kanske"}]).encode())
    assert '<p class="done">Klart: ingen blankett ifylld, 1 rad med fel.</p>' in html
    assert "Rader utan fel har fyllts i." not in html and "Hämta de ifyllda" not in html
    assert "Ingen blankett kunde fyllas i." in html


def test_the_fill_result_shows_notes_apart_from_errors(api):
    html = _fill_result(api, "svar.csv", b"rapporterad_av,Fil,Status,Meddelanden\nAnna,x.docx,ok,\n")
    assert '<p class="done">Klart: 1 blankett ifylld.</p>' in html
    assert "<h2>Att känna till (1)</h2>" in html and "Att rätta" not in html
    notes = html[html.index("Att känna till"):]
    assert 'kolumnerna &quot;Fil&quot;, &quot;Status&quot;, &quot;Meddelanden&quot; kommer från' in notes


def test_the_read_result_counts_files_once(api):
    forms = [("bra.docx", _docx(RECORD)), ("varning.docx", both_ticked({})), ("bomb.docx", _bomb())]
    r = api.post("/las-in", files=[("filer", f) for f in forms], headers={"Accept": "application/json"})
    _wait(api, r.json()["id"])
    html = api.get(r.json()["page"]).text
    assert '<p class="done">Klart: 2 filer lästa: 1 ok, 1 med varningar; 1 fil kunde inte läsas.</p>' in html
    assert "rader" not in html.split('class="done">')[1].split("</p>")[0]


def test_the_read_result_groups_the_same_message_with_the_files_it_applies_to(api):
    """One row per distinct message, naming its files: a real warning is not drowned among copies."""
    ticked = both_ticked({"utsatt": "Anna"})
    forms = [("a.docx", ticked), ("b.docx", ticked), ("bra.docx", _docx(RECORD)), ("bomb.docx", _bomb()),
             ("inkomna.zip", zipped([("A.docx", ticked)]))]
    r = api.post("/las-in", files=[("filer", f) for f in forms], headers={"Accept": "application/json"})
    _wait(api, r.json()["id"])
    html = api.get(r.json()["page"]).text
    done = re.search(r"class=\"done\">([^<]*)<", html)
    assert done and done.group(1) == "Klart: 4 filer lästa: 1 ok, 3 med varningar; 1 fil kunde inte läsas.", html[-3000:]
    table = html[html.index('<table class="messages">'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr><td>([^<]*)</td><td class=\"file\">(.*?)</td></tr>", table)
    assert len(rows) == 2, rows
    ticked_message, files = rows[0]
    assert "både Ja och Nej" in ticked_message and table.count("både Ja och Nej") == 1
    assert files == "3 filer: a.docx, b.docx, inkomna.zip/<wbr>A.docx"
    assert "zip-bomb" in rows[1][0] and rows[1][1] == "bomb.docx"
    assert "<h2>Meddelanden (2)</h2>" in html
    assert '<td class="file">inkomna.zip/<wbr>A.docx</td>' in html  # the files' table breaks names after '/'


@pytest.mark.parametrize("name", ["svar.docx", "svar.pdf", "svar.odt", "svar.doc"])
def test_a_returned_form_uploaded_to_fill_points_to_read(api, name):
    r = api.post("/fyll-i", files={"filer": (name, b"PK")})
    assert r.status_code == 415
    assert f"{name} ser ut att vara en ifylld blankett" in r.text and '<a href="/las-in">Läs in</a>' in r.text
    r = api.post("/fyll-i", files={"filer": (name, b"PK")}, headers={"Accept": "application/json"})
    assert r.status_code == 415 and "Läs in (/las-in)" in r.json()["fel"]


def test_the_pages_take_every_ending_the_library_reads(api, tmp_path):
    """The web layer keeps no list of its own: a workbook saved with macros (.xlsm), which `blankett fill`
    reads, is filled here too, and the upload fields offer exactly what the readers take."""
    from .sheets import typed_workbook

    book = typed_workbook(tmp_path / "med-makron.xlsm", [{"diarienummer": "A1", "utsatt": "Bo"}])
    r = api.post("/fyll-i", files={"filer": (book.name, book.read_bytes())}, headers={"Accept": "application/json"})
    assert r.status_code == 202, r.text
    assert _wait(api, r.json()["id"])["finished"]
    assert '<p class="done">Klart: 1 blankett ifylld.</p>' in api.get(r.json()["page"]).text
    fill_accept = re.search(r'id="fill-files"[^>]*accept="([^"]*)"', api.get("/fyll-i").text).group(1)
    read_accept = re.search(r'id="read-files"[^>]*accept="([^"]*)"', api.get("/las-in").text).group(1)
    assert set(fill_accept.split(",")) == {".csv", ".json", ".jsonl", ".ods", ".xlsm", ".xlsx"}
    assert set(read_accept.split(",")) == {".doc", ".docm", ".docx", ".odt", ".pdf", ".zip",
                                           ".jpeg", ".jpg", ".png", ".tif", ".tiff"}  # scans, read by OCR
    # and the page says so in words, as the file chooser does in its list
    assert "skannade pappersblanketter (PDF, TIFF, PNG eller JPEG" in " ".join(api.get("/las-in").text.split())


# --- limits that lost work or answered 500, on a real server (issue 16, items 12 and 13) ---------------------


class Served:
    """``blankett serve`` as its own process on a free port, with its log collected line by line."""

    def __init__(self, tmp: Path, token: str = "gransnyckel") -> None:
        import threading

        env = {**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp), "BLANKETT_TOKEN": token,
               "BLANKETT_FILL_WORKERS": "0"}
        self.proc = subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.base = re.match(r"Öppna (http://[^/]+)/", self.proc.stdout.readline()).group(1)
        self.port = int(self.base.rsplit(":", 1)[1])
        self.auth = {"Authorization": f"Bearer {token}"}
        self.log: list[str] = []
        self._reader = threading.Thread(target=lambda: self.log.extend(iter(self.proc.stderr.readline, "")),
                                        daemon=True)
        self._reader.start()
        import httpx2 as httpx

        for _ in range(100):
            try:
                httpx.get(self.base + "/api/schema", headers=self.auth)
                return
            except httpx.ConnectError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    def request(self, method: str, path: str, **kwargs):
        import httpx2 as httpx

        return httpx.request(method, self.base + path, headers={**self.auth, **kwargs.pop("headers", {})},
                             timeout=60, **kwargs)

    def wait(self, job: str, seconds: float = 60) -> dict:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            status = self.request("GET", f"/api/jobb/{job}").json()
            if status["finished"]:
                return status
            time.sleep(0.1)
        raise AssertionError("the job did not finish")

    def logged(self, pattern: str, since: int = 0, seconds: float = 10) -> str:
        """The first line from ``since`` on that matches ``pattern`` (waiting for it)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for line in self.log[since:]:
                if re.search(pattern, line):
                    return line
            time.sleep(0.05)
        raise AssertionError(f"not in the log: {pattern}\n{''.join(self.log)}")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        finally:
            self.proc.kill()
        self._reader.join(5)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = Served(tmp_path_factory.mktemp("served-tmp"))
    yield server
    server.stop()
    assert "Traceback" not in "".join(server.log)
    assert not [line for line in server.log if re.search(r" 5\d\d \d+ B ", line)], "".join(server.log)


def test_a_file_name_over_255_bytes_is_shortened_by_bytes_and_the_rest_of_the_upload_is_read(served):
    long = "€" * 100 + ".docx"  # 100 characters, 305 bytes: more than a file system takes
    form = _docx(RECORD)
    r = served.request("POST", "/api/extract", files=[("filer", (long, form)), ("filer", ("b.docx", form)),
                                                      ("filer", ("c.zip", zipped([(long, form)])))])
    assert r.status_code == 200, r.text
    rows = r.json()
    assert [row["status"] for row in rows] == ["ok", "ok", "ok"], rows
    shortened = "€" * 65 + ".docx"  # 195 + 5 bytes: at most 200, the ending kept
    assert [row["source"] for row in rows] == [shortened, "b.docx", f"c.zip/{shortened}"]


@pytest.mark.parametrize("body, message", [
    ("[" * 100_000, "kroppen är ingen giltig JSON: JSON-texten är för djupt nästlad"),
    ('{"diarienummer": Infinity}',
     "kroppen är ingen giltig JSON: Infinity är inget JSON-värde (skriv värdet som text)"),
    ('{"diarienummer": NaN, "polisanmald": "Ja"}', "kroppen är ingen giltig JSON: NaN är inget JSON-värde"),
    ('{"diarienummer": -Infinity}', "kroppen är ingen giltig JSON: -Infinity är inget JSON-värde"),
    ('{"diarienummer": 1e400}', "kroppen är ingen giltig JSON: talet 1e400 är för stort"),
    ('{"handelse": ' + "9" * 4301 + "}", "kroppen är ingen giltig JSON: talet 99999999999999999999… har 4301 siffror"),
    # Python kept the last of the two and dropped the other unseen
    ('{"utsatt": "Bo", "utsatt": "Al"}', 'kroppen är ingen giltig JSON: nyckeln "utsatt" står två gånger med olika värden'),
    ('{"post": {"utsatt": "Bo", "utsatt": "Al"}, "lösenord": "hemligt-och-långt"}',
     'kroppen är ingen giltig JSON: nyckeln "utsatt" står två gånger med olika värden'),
])
def test_json_that_is_not_json_or_too_deep_is_400_in_swedish(served, body, message):
    r = served.request("POST", "/api/fill", content=body.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and message in r.json()["fel"], r.text
    assert served.request("POST", "/api/fill", json=RECORD).status_code == 200


def test_too_many_form_fields_is_413_in_swedish(served):
    message = "För många fält i formuläret: högst 200 per uppladdning."
    fields = "&".join(f"f{n}=x" for n in range(100_000))
    r = served.request("POST", "/fyll-i/blankett", content=fields.encode(),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and message in r.text and 'role="alert"' in r.text
    many = {"anteckning": ["x"] * 1_000}
    r = served.request("POST", "/api/extract", data=many, files={"filer": ("a.docx", _docx(RECORD))})
    assert r.status_code == 413 and r.json() == {"fel": message}
    r = served.request("POST", "/las-in", data=many, files={"filer": ("a.docx", _docx(RECORD))})
    assert r.status_code == 413 and message in r.text and "<h1>Läs in" in r.text


def test_a_client_that_leaves_mid_upload_is_logged_as_gone_not_as_a_server_error(served):
    import socket

    body = b"--gr\r\nContent-Disposition: form-data; name=\"filer\"; filename=\"a.docx\"\r\n\r\n" + b"x" * 100_000
    head = (f"POST /api/extract HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n"
            f"Authorization: {served.auth['Authorization']}\r\n"
            "Content-Type: multipart/form-data; boundary=gr\r\nContent-Length: 10000000\r\n\r\n").encode()
    since = len(served.log)
    with socket.create_connection(("127.0.0.1", served.port)) as sock:
        sock.sendall(head + body)
        time.sleep(0.5)  # the server is reading the upload
    line = served.logged(r"POST /api/extract \d+ ", since)
    assert re.search(r"POST /api/extract 499 \d+ B", line), line
    assert not [x for x in served.log if "fel i begäran" in x]
    assert served.request("GET", "/api/schema").status_code == 200


def test_finished_jobs_leave_room_for_new_uploads_on_a_real_server(served):
    for n in range(21):  # one more than MAX_JOBS (20), each done before the next
        r = served.request("POST", "/las-in", files={"filer": (f"{n}.docx", _docx(RECORD))},
                           headers={"Accept": "application/json"})
        assert r.status_code == 202, (n, r.text)
        assert served.wait(r.json()["id"])["state"] == "klar"
    assert served.request("GET", r.json()["page"]).status_code == 200  # the results are all still there


def test_a_fill_upload_over_the_row_limit_is_refused_before_filling_on_a_real_server(served):
    rows = json.dumps([{"rapporterad_av": f"Person {n}"} for n in range(2001)]).encode()
    r = served.request("POST", "/fyll-i", files={"filer": ("många.json", rows)},
                       headers={"Accept": "application/json"})
    assert r.status_code == 202
    started = time.monotonic()
    assert served.wait(r.json()["id"])["state"] == "fel"
    assert time.monotonic() - started < 10  # refused at once, not after filling 2 000 forms
    page = served.request("GET", r.json()["page"]).text
    assert ("För många rader: filerna har 2001 rader, och högst 2000 fylls i per uppladdning. "
            "Dela upp raderna på flera uppladdningar.") in page


def test_a_finished_result_is_kept_from_when_its_job_is_done_not_from_its_upload(tmp_path):
    from blankett.web.jobs import Job

    jobs = Jobs(keep=1.0)
    try:
        job = jobs.start(Job("extract"), lambda job: time.sleep(1.5), tempfile.TemporaryDirectory(dir=tmp_path))
        while job.state != "klar":
            time.sleep(0.05)
        assert jobs.get(job.id) is job  # 1.5 s after its upload, 0 s after it was done: still there
        time.sleep(1.2)
        assert jobs.get(job.id) is None  # and gone once it has been done for longer than keep
    finally:
        jobs.shutdown()


def test_the_oldest_results_make_room_for_new_ones_and_their_page_says_so():
    from blankett.web.jobs import CROWDED

    jobs = Jobs()
    with client(jobs=jobs) as c:
        c.headers.update(AUTH | {"Accept": "application/json"})

        def fill(n: int) -> str:
            data = json.dumps([{"rapporterad_av": f"Person {n}"}]).encode()
            job = c.post("/fyll-i", files={"filer": (f"{n}.json", data)}).json()["id"]
            assert _wait(c, job)["state"] == "klar"
            return job

        first = fill(1)
        size = jobs.get(first).size
        assert size > 10_000  # the .zip with one form
        jobs.budget = size * 5 // 2  # room for two results
        second, third = fill(2), fill(3)
        r = c.get(f"/jobb/{first}", headers={"Accept": "text/html"})
        assert r.status_code == 404 and CROWDED in r.text and "512 MB" in CROWDED
        assert c.get(f"/api/jobb/{first}").json() == {"fel": CROWDED}
        assert c.get(f"/jobb/{first}/blanketter.zip").text == CROWDED
        for job in (second, third):
            assert c.get(f"/jobb/{job}/blanketter.zip").status_code == 200
        assert c.get("/api/jobb/okänd").json() == {"fel": GONE}  # never there: the usual message


def test_a_fill_upload_is_held_to_its_row_and_result_limits():
    with client(jobs=Jobs(max_rows=3, max_result=10_000)) as c:
        c.headers.update(AUTH | {"Accept": "application/json"})
        four = json.dumps([{"rapporterad_av": f"Person {n}"} for n in range(4)]).encode()
        r = c.post("/fyll-i", files={"filer": ("fyra.json", four)}).json()
        assert _wait(c, r["id"])["state"] == "fel"
        assert "För många rader: filerna har 4 rader, och högst 3 fylls i per uppladdning." in c.get(r["page"]).text
        r = c.post("/fyll-i", files={"filer": ("en.json", four[:0] + b'[{"handelse": "Hot"}]')}).json()
        assert _wait(c, r["id"])["state"] == "fel"
        assert "Resultatet blev för stort: de ifyllda blanketterna tar mer än" in c.get(r["page"]).text
        assert c.get(f"/jobb/{r['id']}/blanketter.zip").status_code == 404
