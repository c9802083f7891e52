"""blankett serve in a real browser (Debian's chromium, driven by Playwright), as a person uses it.

The server runs as its own process (``python -m blankett serve``), exactly as
started from the command line. A missing browser fails these tests; it never
skips them.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx2 as httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from lxml import etree
from playwright.sync_api import Page, expect, sync_playwright

import blankett

from .clients import missing
from .conftest import NS
from .forms import both_ticked, edit, expected, run, sdt, set_content, zipped
from .sheets import typed_workbook
from .test_web import same_export

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
TOKEN = "webbläsartest-nyckel".encode("ascii", "ignore").decode() + "-0123456789"
ROWS = [
    {"diarienummer": "KS 2026/1", "rapporterad_av": "Maria Lindqvist", "utsatt": "Anders Bergström",
     "polisanmald": "Ja", "samtal1_datum": "2026-03-12"},
    {"rapporterad_av": "Rad två", "polis_kontaktad": "Nej", "handelse": "Hot via sms.\nSedan ett samtal."},
    {"diarienummer": "KS 2026/3", "utsatt": "Åsa Öberg", "rutin_tillampad": "Ja"},
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The server as its own process, on a free port, with a private TMPDIR to check that nothing is kept."""
    tmp = tmp_path_factory.mktemp("server-tmp")
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1", "BLANKETT_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline().strip()
    m = re.fullmatch(r"Öppna (http://127\.0\.0\.1:\d+)/logga-in\?kod=([\w-]+)", line)
    assert m, (line, proc.stderr.read() if proc.poll() is not None else "")
    base = m.group(1)
    assert TOKEN not in line
    for _ in range(100):
        try:
            httpx.get(base + "/api/schema", headers={"Authorization": f"Bearer {TOKEN}"})
            break
        except httpx.ConnectError:
            time.sleep(0.1)
    # the pages live on the browser session's own name; the printed link's first step says which
    hop = httpx.get(line.removeprefix("Öppna "), follow_redirects=False).headers["location"]
    pages = re.fullmatch(r"(http://[0-9a-f]{32}\.localhost:\d+)/logga-in\?kod=.+", hop).group(1)
    yield {"base": base, "pages": pages, "tmp": tmp, "proc": proc}
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and TOKEN not in err
    assert list(Path(tmp).iterdir()) == []
    for secret in ("Maria Lindqvist", "Åsa Öberg", "KS 2026", "bra.docx", "incidenter.xlsx", PASSWORD):
        assert secret not in err, secret


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} (Debian-paketet chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, server) -> Page:
    context = browser.new_context(accept_downloads=True, locale="sv-SE")
    p = context.new_page()
    p.set_default_timeout(60_000)
    p.goto(f"{server['base']}/logga-in")  # signed in with the key typed in, as after a restart of the browser
    p.get_by_label("Nyckel").fill(TOKEN)
    p.get_by_role("button", name="Logga in").click()
    p.wait_for_url(server["pages"] + "/")
    yield p
    context.close()


def _axe(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def _download(page: Page, click) -> bytes:
    with page.expect_download() as info:
        click()
    return Path(info.value.path()).read_bytes()




# --- the flows -------------------------------------------------------------------------------------


def test_every_page_passes_axe(page, server):
    for path in PAGES:
        page.goto(server["pages"] + path)
        expect(page.locator("h1")).to_be_visible()
        _axe(page)
    page.goto(server["pages"] + "/fyll-i/blankett")
    page.get_by_label("Vem rapporterar incidenten?").fill("Test")
    page.evaluate("document.querySelector('form.oneform').setAttribute('novalidate', '')")
    page.locator("#f-samtal1_datum").evaluate("el => { el.type = 'text'; el.value = '31/02/2026'; }")
    page.get_by_role("button", name="Skapa den ifyllda blanketten").click()
    expect(page.locator("#fel")).to_be_focused()  # the error summary is announced and has focus
    expect(page.locator("#e-samtal1_datum")).to_contain_text("inget giltigt datum")
    _axe(page)


PAGES = ("/", "/fyll-i", "/fyll-i/blankett", "/las-in", "/lagesbild", "/api", "/logga-in", "/finns-inte")


def _no_sideways_scroll(page: Page, server, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    for path in PAGES:
        page.goto(server["pages"] + path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, (path, wide)


def test_every_page_reflows_on_a_phone_and_at_400_percent_zoom(page, server, tmp_path):
    _no_sideways_scroll(page, server, 375, 667)  # a phone
    _no_sideways_scroll(page, server, 320, 256)  # 1280 x 1024 at 400 % zoom (WCAG 1.4.10)
    book = typed_workbook(tmp_path / "incidenter.xlsx", [ROWS[0], {"polisanmald": "kanske"}])
    page.goto(server["pages"] + "/fyll-i")
    page.get_by_label("Filer med incidenter").set_input_files(str(book))
    page.get_by_role("button", name="Fyll i blanketterna").click()
    _wait_for_result(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_no_page_load_asks_for_something_missing(page, server):
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    for path in PAGES[:-1]:
        page.goto(server["pages"] + path)
        page.wait_for_load_state("load")
    assert missing == []
    # asked for by a browser that did not see the page's icon link: answered, without a 404 in the log
    # (fetched by the page: Playwright's own requests do not resolve *.localhost as the browser does)
    assert page.evaluate("fetch('/favicon.ico').then(r => r.status)") == 204
    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert page.evaluate("u => fetch(u).then(r => r.status)", icon) == 200


def test_removing_the_result_is_confirmed_and_announced(page, server, tmp_path):
    good = tmp_path / "bra.docx"
    good.write_bytes(blankett.fill_docx(ROWS[2]))
    page.goto(server["pages"] + "/las-in")
    page.get_by_label("Ifyllda blanketter").set_input_files(str(good))
    page.get_by_role("button", name="Läs in blanketterna").click()
    _wait_for_result(page)
    result = page.url
    page.get_by_role("button", name="Ta bort resultatet från servern").click()
    expect(page.get_by_role("status")).to_have_text(
        "Resultatet är borttaget från servern. Dina egna filer påverkas inte.")
    assert "jobb" not in page.url
    _axe(page)
    page.goto(result)
    expect(page.get_by_role("alert")).to_contain_text("tagits bort")


def test_fill_from_the_workbook_gives_one_form_per_row(page, server, tmp_path):
    book = typed_workbook(tmp_path / "incidenter.xlsx", ROWS)
    page.goto(server["pages"] + "/")
    page.get_by_role("navigation").get_by_role("link", name="Fyll i", exact=True).click()
    page.get_by_label("Filer med incidenter").set_input_files(str(book))
    page.get_by_role("button", name="Fyll i blanketterna").click()
    _wait_for_result(page)
    _axe(page)
    data = _download(page, lambda: page.get_by_role("link", name=re.compile("Hämta de ifyllda blanketterna")).click())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        assert names == ["Bilaga5-KS-2026-1.docx", "Bilaga5-KS-2026-3.docx", "Bilaga5-rad-0003.docx"]
        back = {n: blankett.extract(zf.read(n), n) for n in names}
    assert all(r.status == "ok" for r in back.values())
    assert back["Bilaga5-KS-2026-1.docx"].record == expected(ROWS[0])
    assert back["Bilaga5-rad-0003.docx"].record == expected(ROWS[1])
    assert back["Bilaga5-KS-2026-3.docx"].record == expected(ROWS[2])
    assert "Inga problem hittades." in page.content()


def test_fill_with_bad_rows_lists_the_command_lines_messages(page, server, tmp_path):
    book = typed_workbook(tmp_path / "incidenter.xlsx", [ROWS[0], {"polisanmald": "kanske"}])
    page.goto(server["pages"] + "/fyll-i")
    page.get_by_label("Filer med incidenter").set_input_files(str(book))
    page.get_by_role("button", name="Fyll i blanketterna").click()
    _wait_for_result(page)
    cli = blankett.fill_files([book], tmp_path / "ut", jobs=1)
    table = page.get_by_role("table")
    for line in cli.problems:
        expect(table).to_contain_text(line)
    _axe(page)


def test_fill_one_form_in_the_browser_reads_back_to_what_was_typed(page, server):
    page.goto(server["pages"] + "/fyll-i/blankett")
    page.get_by_label("Diarienummer").fill("KS 2026/77")
    page.get_by_label("Vem rapporterar incidenten?").fill("Maria Lindqvist")
    page.get_by_label("Vem utsattes?").fill("Anders Bergström\nledamot")
    page.get_by_role("group", name="Har händelsen polisanmälts?").get_by_label("Ja", exact=True).check()
    page.get_by_role("group", name="Har polisen kontaktats för en bedömning av händelsen?").get_by_label(
        "Nej", exact=True).check()
    page.locator("#f-samtal1_datum").fill("2026-03-12")
    group = page.get_by_role("group", name="förbättringsmöjligheter i rutinen")
    group.get_by_label("Punkt 1").fill("Ingen jour")
    group.get_by_label("Punkt 2").fill("Oklart ansvar")
    data = _download(page, lambda: page.get_by_role("button", name="Skapa den ifyllda blanketten").click())
    result = blankett.extract(data, "svar.docx")
    assert result.status == "ok", result.messages
    assert result.record == expected({  # the case number typed in the page travels in the document
        "diarienummer": "KS 2026/77", "rapporterad_av": "Maria Lindqvist", "utsatt": "Anders Bergström\nledamot", "polisanmald": "Ja",
        "polis_kontaktad": "Nej", "samtal1_datum": "2026-03-12", "sarbarheter_rutin": ["Ingen jour", "Oklart ansvar"]})


def test_the_coded_fields_are_set_by_their_labels_and_travel_in_the_document(page, server):
    """Issue 20: a date and two checkbox groups, each named by its legend; what is ticked comes back from extract."""
    page.goto(server["pages"] + "/fyll-i/blankett")
    page.get_by_label("Händelsedatum").fill("2026-03-04")
    types = page.get_by_role("group", name="Typ av händelse", exact=True)
    types.get_by_label("skadegörelse", exact=True).check()
    types.get_by_label("hot", exact=True).check()
    page.get_by_role("group", name="Kanal", exact=True).get_by_label("e-post", exact=True).check()
    page.get_by_label("Vem utsattes?").fill("Anna")
    data = _download(page, lambda: page.get_by_role("button", name="Skapa den ifyllda blanketten").click())
    result = blankett.extract(data, "svar.docx")
    assert result.status == "ok", result.messages
    assert {k: result.record[k] for k in ("handelsedatum", "typ", "kanal")} == {
        "handelsedatum": "2026-03-04", "typ": ["hot", "skadegörelse"], "kanal": ["e-post"]}


def _drop(page: Page, files: list[tuple[str, bytes]]) -> None:
    """Drop files on the drop zone, as a person drags them from the file manager."""
    payload = [{"name": n, "data": base64.b64encode(d).decode()} for n, d in files]
    handle = page.evaluate_handle(
        """files => { const dt = new DataTransfer();
             for (const f of files) {
               const bytes = Uint8Array.from(atob(f.data), c => c.charCodeAt(0));
               dt.items.add(new File([bytes], f.name)); }
             return dt; }""", payload)
    page.dispatch_event(".drop", "dragenter", {"dataTransfer": handle})
    page.dispatch_event(".drop", "drop", {"dataTransfer": handle})


def test_dropped_returned_forms_show_each_status_and_the_xlsx_matches_extract(page, server):
    good = blankett.fill_docx(ROWS[0])
    bomb = zipped([("word/document.xml", b"\0" * (60 * 1024 * 1024))])
    forms = [("bra.docx", good), ("varning.docx", both_ticked({"utsatt": "Varning Person"})), ("bomb.docx", bomb),
             ("inkomna.zip", zipped([("en.docx", good), ("ingen-blankett.txt", b"hej")]))]
    page.goto(server["pages"] + "/las-in")
    _drop(page, forms)
    expect(page.get_by_text("4 filer valda.")).to_be_visible()
    page.get_by_role("button", name="Läs in blanketterna").click()
    _wait_for_result(page)
    rows = page.locator("table.files tbody tr")
    expect(rows).to_have_count(5)
    expected_rows = [("bra.docx", "ok"), ("varning.docx", "varning"), ("bomb.docx", "fel"),
                     ("inkomna.zip/en.docx", "ok"), ("inkomna.zip/ingen-blankett.txt", "fel")]
    for n, (name, status) in enumerate(expected_rows):
        expect(rows.nth(n).locator("td").nth(0)).to_have_text(name)
        expect(rows.nth(n).locator("td").nth(1)).to_have_text(status)
    bomb_row = page.locator("table.messages tbody tr", has_text="zip-bomb")
    expect(bomb_row.locator("td").nth(1)).to_have_text("bomb.docx")
    _axe(page)
    mine = [blankett.extract(data, name) for name, data in forms[:3]]
    mine += [blankett.extract(good, "inkomna.zip/en.docx"), blankett.extract(b"hej", "inkomna.zip/ingen-blankett.txt")]
    xlsx = _download(page, lambda: page.get_by_role("link", name="Svaren som Excel (.xlsx)").click())
    assert same_export(xlsx, blankett.export_bytes(mine, "xlsx"), "xlsx")
    answers = json.loads(_download(page, lambda: page.get_by_role("link", name="Svaren som JSON").click()))
    assert answers == [m.as_dict() for m in mine]


def _pasted_in_libreoffice(record: dict) -> bytes:
    """The record filled, every control flagged as LibreOffice leaves pasted answers, Nej ticked beside Ja, and
    a name typed into the middle of the grey hint: one real doubt per form (two) among many answers."""
    def change(root) -> None:
        for pr in root.iterfind(".//w:sdt/w:sdtPr", NS):
            if pr.find("w:showingPlcHdr", NS) is None and pr.find("w14:checkbox", NS) is None:
                pr.append(etree.Element(f"{{{NS['w']}}}showingPlcHdr"))
        set_content(sdt(root, "forovare"), run("Skriv svOkänd manaret här."))

    return edit(both_ticked(record), change)


def test_the_read_result_groups_messages_and_keeps_whole_words_at_1280_px(page, server):
    record = {f.key: f"Svar i fältet {f.label}" for f in blankett.FIELDS if f.kind is blankett.Kind.TEXT}
    form = _pasted_in_libreoffice(record)
    names = [f"Incidentrapport{n}-samhällsbyggnadsförvaltningen.docx" for n in range(1, 7)]
    page.set_viewport_size({"width": 1280, "height": 1024})
    page.goto(server["pages"] + "/las-in")
    _drop(page, [("inkomna.zip", zipped([(n, form) for n in names]))])
    page.get_by_role("button", name="Läs in blanketterna").click()
    _wait_for_result(page)
    # every status and every piece of a file name between its '/' stands on one line
    broken = page.evaluate("""() => {
        const out = [];
        for (const el of document.querySelectorAll('td .status, td.file')) {
            for (const node of el.childNodes) {
                if (node.nodeType !== Node.TEXT_NODE) continue;
                let at = 0;
                for (const word of node.textContent.split(/(?<=[ ,-])/)) {
                    const range = document.createRange();
                    range.setStart(node, at); range.setEnd(node, at + word.replace(/[ ,-]$/, "").length);
                    if (word.trim() && range.getClientRects().length > 1) out.push(word);
                    at += word.length;
                }
            }
        }
        return out; }""")
    assert broken == [], broken
    expect(page.locator("p.done")).to_have_text("Klart: 6 filer lästa: 0 ok, 6 med varningar.")
    messages = page.locator("table.messages tbody tr")
    expect(messages).to_have_count(2)  # both ticked, the hint typed into; the paste flag says nothing
    expect(messages.nth(0).locator("td").nth(1)).to_contain_text("6 filer: inkomna.zip/Incidentrapport1-")
    _axe(page)
    page.set_viewport_size({"width": 320, "height": 256})  # and it still reflows at 400 % zoom
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def _wait_for_result(page: Page) -> None:
    """Wait for the job's result page itself.

    The upload's status line says "Klart." a moment before the script moves on to the result page; a
    test that acts on that line presses keys in, or reads, a page being replaced.
    """
    page.wait_for_url(re.compile(r"/jobb/[^/]+$"))
    page.wait_for_load_state("load")
    expect(page.locator("p.done")).to_be_visible()


def _tab_to(page: Page, test: str, limit: int = 400, key: str = "Tab") -> None:
    """Press Tab until the focused element passes ``test`` (a JS expression on ``el``)."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!(el && ({test})); }})()"):
            return
    raise AssertionError(f"keyboard focus never reached: {test}")


def _focus_is_visible(page: Page) -> None:
    style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); "
                          "return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()")
    assert style[0] != "none" and style[1] != "0px" or style[2] != "none", style


def test_keyboard_only_from_start_to_a_filled_form(page, server):
    page.goto(server["pages"] + "/")
    _tab_to(page, "el.classList.contains('skip')")
    _focus_is_visible(page)
    _tab_to(page, "el.textContent === 'Fyll i' && el.tagName === 'A'")
    _focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/fyll-i$"))
    _tab_to(page, "el.textContent.startsWith('Fyll i en blankett här')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/fyll-i/blankett$"))
    _tab_to(page, "el.id === 'f-rapporterad_av'")
    _focus_is_visible(page)
    page.keyboard.type("Tangentbordet Persson")
    _tab_to(page, "el.name === 'polisanmald'")  # into the Ja/Nej group: the checked "Inte besvarad"
    _focus_is_visible(page)
    page.keyboard.press("ArrowLeft")  # Nej
    page.keyboard.press("ArrowLeft")  # Ja
    _tab_to(page, "el.id === 'f-sarbarheter_plan-1'")  # (a date field's digit order follows the OS locale)
    page.keyboard.type("Ingen reservrutin")
    _tab_to(page, "el.type === 'submit'")
    _focus_is_visible(page)
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    result = blankett.extract(Path(info.value.path()).read_bytes(), "svar.docx")
    assert result.record == expected({"rapporterad_av": "Tangentbordet Persson", "polisanmald": "Ja",
                                      "sarbarheter_plan": ["Ingen reservrutin"]})


def test_keyboard_only_upload_on_the_read_page(page, server, tmp_path):
    good = tmp_path / "bra.docx"
    good.write_bytes(blankett.fill_docx(ROWS[2]))
    page.goto(server["pages"] + "/las-in")
    _tab_to(page, "el.type === 'file'")
    _focus_is_visible(page)
    # Space opens the system's file dialog, which is outside the page: choose the file on the focused input
    page.locator("input[type=file]:focus").set_input_files(str(good))
    _tab_to(page, "el.type === 'submit'")
    page.keyboard.press("Enter")
    _wait_for_result(page)
    _tab_to(page, "el.textContent === 'Svaren som JSON'")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    answers = json.loads(Path(info.value.path()).read_bytes())
    assert answers[0]["record"] == expected(ROWS[2])


# --- refusals against the real server --------------------------------------------------------------


def _raw(server, request: bytes) -> bytes:
    host, port = server["base"].removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):  # the server answers and closes the connection
            data += chunk
    return data


def test_refusals_leave_the_server_serving(server):
    base, auth = server["base"], {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.get(base + "/api/schema").status_code == 401
    assert httpx.get(base + "/api/schema", headers={**auth, "Host": "rebind.attacker.example"}).status_code == 400
    r = httpx.post(base + "/api/fill", json={"utsatt": "x"}, headers={**auth, "Origin": "https://evil.example"})
    assert r.status_code == 403
    reply = _raw(server, b"POST /api/extract HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                 + TOKEN.encode() + b"\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                 b"Content-Length: 999999999999\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 413") and "för stor".encode() in reply
    big = b"PK" + os.urandom(65 * 1024 * 1024)
    r = httpx.post(base + "/api/extract", files={"filer": ("stor.docx", big)}, headers=auth, timeout=120)
    assert r.status_code == 413 and "MB per fil" in r.json()["fel"]
    r = httpx.post(base + "/api/extract", headers=auth,
                   files={"filer": ("bomb.zip", zipped([("a.docx", b"\0" * (80 * 1024 * 1024))]))})
    assert r.status_code == 200 and r.json()[0]["status"] == "fel"
    assert httpx.get(base + "/api/schema", headers=auth).status_code == 200
    assert server["proc"].poll() is None


def test_nothing_is_kept_in_the_servers_temporary_folder(server, page):
    # runs after the flows above (file order): every upload's folder is gone
    time.sleep(0.5)
    (root,) = Path(server["tmp"]).iterdir()  # the server's private folder, removed when it stops
    assert root.name.startswith("blankett-serve-") and [p.name for p in root.rglob("*")] == [".lock"]


def test_the_guide_is_one_click_from_every_page_and_shows_its_pictures(page, server):
    page.goto(server["pages"] + "/las-in")
    page.get_by_role("navigation").get_by_role("link", name="Hjälp", exact=True).click()
    page.wait_for_url(server["pages"] + "/hjalp")
    expect(page.get_by_role("heading", level=2, name="Webbsidorna (blankett serve)")).to_be_visible()
    sizes = page.evaluate("[...document.querySelectorAll('main img')].map(i => [i.complete, i.naturalWidth])")
    assert len(sizes) >= 6 and all(done and width >= 300 for done, width in sizes), sizes
    page.get_by_role("link", name="Alla kommandon och flaggor").first.click()
    assert page.url.endswith("#alla-kommandon-och-flaggor")
    expect(page.get_by_role("heading", name="Alla kommandon och flaggor")).to_be_in_viewport()
    _axe(page)


PASSWORD = "Webb-Lösen-58!"


def test_a_password_typed_on_the_pages_encrypts_and_opens_forms_and_never_reaches_the_address(page, server,
                                                                                          tmp_path):
    locked = tmp_path / "krypterad.docx"
    locked.write_bytes(blankett.fill_docx(ROWS[0], password=PASSWORD))
    other = tmp_path / "annan.docx"
    other.write_bytes(blankett.fill_docx(ROWS[2], password="ett-annat-lösenord"))
    page.goto(server["pages"] + "/las-in")
    page.get_by_label("Ifyllda blanketter").set_input_files([str(locked), str(other)])
    field = page.get_by_label("Lösenord (om blanketterna är krypterade)")
    assert field.get_attribute("type") == "password" and field.get_attribute("autocomplete") == "current-password"
    field.fill(PASSWORD)
    page.get_by_role("button", name="Läs in blanketterna").click()
    _wait_for_result(page)
    _axe(page)
    expect(page.get_by_text("fel lösenord: filen är krypterad", exact=False)).to_be_visible()
    assert PASSWORD not in page.url and PASSWORD not in page.content()

    page.goto(server["pages"] + "/fyll-i")
    page.get_by_label("Filer med incidenter").set_input_files(str(typed_workbook(tmp_path / "in.xlsx", ROWS[:2])))
    field = page.get_by_label("Lösenord för blanketterna (valfritt)")
    assert field.get_attribute("autocomplete") == "new-password"
    field.fill(PASSWORD)
    _axe(page)
    page.get_by_role("button", name="Fyll i blanketterna").click()
    _wait_for_result(page)
    _axe(page)
    assert PASSWORD not in page.url and PASSWORD not in page.content()
    data = _download(page, lambda: page.get_by_role("link", name=re.compile("Hämta de ifyllda blanketterna")).click())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        assert len(names) == 2
        for name in names:
            assert blankett.extract(zf.read(name), name).status == "fel"
            assert blankett.extract(zf.read(name), name, password=PASSWORD).status == "ok"
