"""The follow-up panel on the start page of ``blankett serve --follow-up-dir``: in-process (TestClient) for what
it shows to whom, and in Chromium (axe-core) for how it reads, as a person uses it.

The server lists the folder's talks for today, so the dates here are set from today; each expected line is still
written out by its rule (a planned talk: on its date; a case without an incident date: ej kodad).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import icalendar
import pytest
from axe_playwright_python.sync_playwright import Axe
from lxml import html
from playwright.sync_api import sync_playwright
from starlette.testclient import TestClient

import blankett
from blankett import readback
from blankett.web import create_app

from .clients import missing
from .test_browser import ARGS, CHROMIUM

TOKEN = "bevakningsnyckel-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BASE = "http://127.0.0.1:8765"
PLANNED = dt.date.today() + dt.timedelta(days=40)
SECRETS = ("Anna Hemlig", "Bo Hemlig", "Samtal om oro", "Hot via brev")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A watched folder: a form with talk 2 planned, one with no incident date, and a file that is no form."""
    folder = tmp_path_factory.mktemp("inkommet")
    (folder / "a.docx").write_bytes(blankett.fill_docx(
        {"diarienummer": "KS 2026/7", "utsatt": "Anna Hemlig", "samtal1_datum": str(dt.date.today()),
         "samtal2_datum": str(PLANNED), "samtal2_dokumentation": "Samtal om oro."}))
    (folder / "b.pdf").write_bytes(blankett.fill_pdf({"diarienummer": "KS 2026/8 <b>", "utsatt": "Bo Hemlig",
                                                      "handelse": "Hot via brev."}))
    (folder / "trasig.docx").write_bytes(b"PK\x03\x04 inte en blankett")
    return folder


EXPECTED_ROWS = [
    ["KS 2026/7", "1", str(dt.date.today()), "planerat"],
    ["KS 2026/7", "2", str(PLANNED), "planerat"],
    ["KS 2026/8 <b>", "1", "kan inte planeras", "ej kodad"],
]


def rows(page: str) -> list[list[str]]:
    tree = html.fromstring(page)
    return [[c.text_content().strip() for c in tr.xpath("th|td")] for tr in tree.xpath("//table[@class='follow-up']/tbody/tr")]


def test_a_form_dated_at_the_calendars_end_is_no_500_and_the_folders_other_talks_are_listed(tmp_path):
    """9999-12-31, a placeholder people type: talk 1 two weeks later is past Python's last date (a 500, before)."""
    (tmp_path / "a.docx").write_bytes(blankett.fill_docx({"diarienummer": "KS 1", "handelsedatum": "9999-12-31"}))
    (tmp_path / "b.docx").write_bytes(blankett.fill_docx({"diarienummer": "KS 2", "samtal1_datum": str(PLANNED)}))
    with TestClient(create_app(TOKEN, follow_up_dir=tmp_path), base_url=BASE, raise_server_exceptions=False) as c:
        c.headers.update(AUTH)
        r = c.get("/")
        assert r.status_code == 200
        assert rows(r.text) == [["KS 2", "1", str(PLANNED), "planerat"]]
        assert "1 anmärkning om filerna i mappen" in r.text
        assert "1 fil i mappen kunde inte läsas" not in r.text  # before: a.docx, read, was told as unreadable
        assert c.get("/bevakning.ics").status_code == 200


def test_the_start_page_lists_the_folders_talks_by_case_number_only(folder, monkeypatch):
    def in_this_process(path):
        raise AssertionError(f"{path} read in the server's own process")

    monkeypatch.setattr(readback, "_read_here", in_this_process)  # the guarded workers are other processes
    with TestClient(create_app(TOKEN, follow_up_dir=folder), base_url=BASE) as c:
        assert c.get("/").status_code == 401 and c.get("/bevakning.ics").status_code == 401
        c.headers.update(AUTH)
        page = c.get("/").text
        assert rows(page) == EXPECTED_ROWS
        assert "1 anmärkning om filerna i mappen" in page and "trasig" not in page
        assert "KS 2026/8 &lt;b&gt;" in page
        r = c.get("/bevakning.ics")
    assert r.status_code == 200 and r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert 'filename="bevakning.ics"' in r.headers["content-disposition"]
    events = [(str(e["SUMMARY"]), e["DTSTART"].dt) for e in icalendar.Calendar.from_ical(r.content).walk("VEVENT")]
    assert events == [("Uppföljningssamtal 1, KS 2026/7", dt.date.today()),
                      ("Uppföljningssamtal 2, KS 2026/7", PLANNED)]
    for secret in SECRETS:
        assert secret not in page and secret.encode() not in r.content
    with TestClient(create_app(TOKEN), base_url=BASE, headers=AUTH) as c:  # no folder: no panel, no calendar
        assert "Uppföljningssamtal" not in c.get("/").text
        assert c.get("/bevakning.ics").status_code == 404


def test_the_panel_in_chromium_passes_axe_and_downloads_the_calendar(folder, tmp_path):
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} (Debian-paketet chromium)")
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONUNBUFFERED": "1", "BLANKETT_TOKEN": TOKEN,
           "BLANKETT_FOLLOW_UP_DIR": str(folder)}
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline().strip()
        m = re.fullmatch(r"Öppna (http://127\.0\.0\.1:\d+/logga-in\?kod=[\w-]+)", line)
        assert m, (line, proc.stderr.read() if proc.poll() is not None else "")
        for _ in range(100):
            try:
                httpx.get(m.group(1).split("/logga-in")[0] + "/api/schema", headers=AUTH)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_context(accept_downloads=True, locale="sv-SE").new_page()
            page.set_default_timeout(60_000)
            page.goto(m.group(1))
            panel = page.get_by_role("region", name="Uppföljningssamtal att bevaka")
            table = panel.get_by_role("table", name=re.compile("Samtal som ska hållas"))
            assert rows(page.content()) == EXPECTED_ROWS
            assert table.get_by_role("rowheader").all_inner_texts() == ["KS 2026/7", "KS 2026/7", "KS 2026/8 <b>"]
            results = Axe().run(page)
            assert results.violations_count == 0, results.generate_report()
            with page.expect_download() as info:
                panel.get_by_role("link", name=re.compile("kalenderfil")).click()
            data = Path(info.value.path()).read_bytes()
            browser.close()
        assert [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")] == [
            "Uppföljningssamtal 1, KS 2026/7", "Uppföljningssamtal 2, KS 2026/7"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
        finally:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and TOKEN not in err
    assert not any(secret in err for secret in SECRETS)
