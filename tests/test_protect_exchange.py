"""Protected exchange beyond the command line (issue 21): the web pages and the API take a password in the POST
body only; each row's form encrypted with its own password from a column that is written nowhere; fill reads a
workbook saved with a password; an old encryption a real program made is one Swedish line or read exactly.

What we encrypt is opened by programs that did not write it (LibreOffice through UNO, qpdf, pikepdf); what real
programs encrypt (Calc, msoffcrypto-tool, LibreOffice's old .doc encryption) is read by ours.
"""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import msoffcrypto
import openpyxl
import pikepdf
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from msoffcrypto.format.ooxml import OOXMLFile
from starlette.testclient import TestClient

import blankett
from blankett.cli import main
from blankett.web import create_app
from blankett.workbook import SHEET

from .clients import program
from .records import full_record
from .sheets import typed_workbook
from .test_protect import _assert_no_password, _load, _unsupported, records
from .test_serve_process import AUTH as SERVED_AUTH
from .test_serve_process import Served, files_with
from .test_web import _wait
from .uno_office import props

PASSWORD = "Lila-Ekorre-47!"
OTHER = "inte-rätt-lösenord"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TOKEN = "utbyte-nyckel-1234567890"
BASE = "http://127.0.0.1:8765"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SECONDS = 60
NEEDED = "filen är lösenordsskyddad (krypterad) och inget lösenord angavs; ange lösenordet för att läsa den"
WRONG = "fel lösenord: filen är krypterad och gick inte att öppna med det angivna lösenordet"
UNSUPPORTED = ("filen är krypterad på ett sätt som inte kan läsas (till exempel rättighetsskydd IRM, ett "
               "certifikat eller en äldre kryptering än Word 97); be avsändaren spara den med lösenord i Word 2010 "
               "eller senare eller i LibreOffice")


@pytest.fixture()
def api():
    with TestClient(create_app(TOKEN), base_url=BASE) as c:
        c.headers.update(AUTH)
        yield c


def _headers_clean(response, password: str = PASSWORD) -> None:
    """No response header names the password, in any spelling it could take."""
    for key, value in response.headers.raw:
        _assert_no_password(key + b": " + value, password)


def _decrypted_docx(data: bytes, password: str) -> bytes:
    """An encrypted .docx opened by msoffcrypto-tool (a reader that is not ours)."""
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    office.load_key(password=password)
    out = io.BytesIO()
    office.decrypt(out)
    return out.getvalue()


# --- 1. the API and the pages ------------------------------------------------------------------------------


@pytest.mark.office
def test_api_fill_with_the_password_in_the_body_gives_a_docx_libreoffice_opens_only_with_it(api, office, tmp_path):
    record = full_record(4)
    r = api.post("/api/fill", json={"post": record, "lösenord": PASSWORD})
    assert r.status_code == 200, r.text
    assert r.content[:8] == OLE
    _headers_clean(r)
    _assert_no_password(r.content)
    path = tmp_path / "api.docx"
    path.write_bytes(r.content)
    doc = _load(office, path, PASSWORD)
    assert doc is not None, office.output()
    try:
        assert record["rapporterad_av"].splitlines()[0] in doc.getText().getString()
    finally:
        doc.close(True)
    assert _load(office, path, OTHER) is None
    assert _load(office, path, None) is None
    # a bare record, as before: not encrypted
    assert api.post("/api/fill", json=record).content[:2] == b"PK"


def test_api_fill_pdf_with_a_password_opens_in_qpdf_and_pikepdf_only_with_it(api, tmp_path):
    r = api.post("/api/fill?format=pdf", json={"post": full_record(6), "lösenord": PASSWORD})
    assert r.status_code == 200, r.text
    _headers_clean(r)
    path = tmp_path / "api.pdf"
    path.write_bytes(r.content)
    qpdf = program("qpdf", "qpdf")
    assert subprocess.run([qpdf, "--requires-password", path], timeout=SECONDS).returncode == 0
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD)
    plain = tmp_path / "plain.pdf"
    done = subprocess.run([qpdf, f"--password-file={secret}", "--decrypt", path, plain], capture_output=True,
                          timeout=SECONDS)
    assert done.returncode == 0, done.stderr
    with pikepdf.open(plain) as pdf:
        assert len(pdf.Root.AcroForm.Fields) > 30 and "/StructTreeRoot" in pdf.Root
    assert blankett.extract(plain).record == blankett.extract(path, password=PASSWORD).record
    assert blankett.extract(plain).record["diarienummer"] == "KS 2026/00006"
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(path)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(path, password=OTHER)


def test_api_fill_refuses_an_empty_password_and_an_archive_copy_with_one_in_swedish(api):
    empty = api.post("/api/fill", json={"post": full_record(1), "lösenord": ""})
    assert empty.status_code == 422
    assert empty.json() == {"fel": "Lösenordet är tomt (eller inte text); ett tomt lösenord skyddar ingenting."}
    archive = api.post("/api/fill?format=pdfa", json={"post": full_record(1), "lösenord": PASSWORD})
    assert archive.status_code == 422 and archive.json()["fel"].startswith("Arkivexemplar (PDF/A) krypteras inte")
    _assert_no_password(archive.content)


def _mixed_forms(folder: Path) -> list[tuple[str, bytes]]:
    """Returned forms: with the password (Word and PDF), with another, of an unknown encryption, and plain."""
    encrypted = blankett.fill_docx(full_record(1), password=PASSWORD)
    odd = _unsupported(encrypted, folder / "okand.docx").read_bytes()
    return [("ratt.docx", encrypted), ("annat.docx", blankett.fill_docx(full_record(2), password=OTHER)),
            ("okand.docx", odd), ("vanlig.docx", blankett.fill_docx(full_record(3))),
            ("ratt.pdf", blankett.fill_pdf(full_record(5), password=PASSWORD))]


def test_api_extract_opens_encrypted_forms_with_the_password_field_and_tells_each_refusal_per_file(api, tmp_path):
    forms = _mixed_forms(tmp_path)
    files = [("filer", (name, data)) for name, data in forms]
    without = api.post("/api/extract", files=files).json()
    given_one = api.post("/api/extract", files=files, data={"lösenord": PASSWORD})
    _headers_clean(given_one)
    _assert_no_password(given_one.content)
    got = given_one.json()
    assert [(r["source"], r["status"], r["messages"]) for r in without] == [
        ("ratt.docx", "fel", [NEEDED]), ("annat.docx", "fel", [NEEDED]), ("okand.docx", "fel", [UNSUPPORTED]),
        ("vanlig.docx", "ok", []), ("ratt.pdf", "fel", [NEEDED])]
    assert [(r["source"], r["status"], r["messages"]) for r in got] == [
        ("ratt.docx", "ok", []), ("annat.docx", "fel", [WRONG]), ("okand.docx", "fel", [UNSUPPORTED]),
        ("vanlig.docx", "ok", []), ("ratt.pdf", "ok", [])]
    assert got[0]["record"]["diarienummer"] == "KS 2026/00001"
    assert got[4]["record"]["diarienummer"] == "KS 2026/00005"


def test_api_extract_takes_a_password_file_sent_by_curl_with_its_last_line_break(api, tmp_path):
    """``curl -F "lösenord=<lösen.txt"`` sends the file with its line break, as an editor saves it: that opened
    nothing (fel, wrong password), where ``--password-file`` of the same file opens the form."""
    files = [("filer", ("ratt.docx", blankett.fill_docx(full_record(1), password=PASSWORD)))]
    for ending in ("\n", "\r\n"):
        got = api.post("/api/extract", files=files, data={"lösenord": PASSWORD + ending}).json()
        assert [(r["status"], r["record"]["diarienummer"]) for r in got] == [("ok", "KS 2026/00001")], ending


def test_the_read_page_opens_encrypted_forms_and_shows_each_refusal_per_file(api, tmp_path):
    forms = _mixed_forms(tmp_path)
    r = api.post("/las-in", files=[("filer", (n, d)) for n, d in forms], data={"lösenord": PASSWORD},
                 headers={"Accept": "application/json"})
    assert r.status_code == 202
    job = r.json()["id"]
    assert _wait(api, job, 120)["state"] == "klar"
    page = api.get(f"/jobb/{job}").text
    assert WRONG in page and UNSUPPORTED in page and NEEDED not in page
    _assert_no_password(page.encode())
    answers = json.loads(api.get(f"/jobb/{job}/svar.json").content)
    assert [a["status"] for a in answers] == ["ok", "fel", "fel", "ok", "ok"]


def test_the_pages_ask_for_the_password_in_a_labelled_password_field(api):
    for path, auto in (("/fyll-i", "new-password"), ("/fyll-i/blankett", "new-password"),
                       ("/las-in", "current-password")):
        html = api.get(path).text
        assert 'type="password"' in html and f'name="lösenord" autocomplete="{auto}"' in html, path
        assert "<label for=" in html and "-password-hint" in html
    assert 'name="lösenordskolumn"' in api.get("/fyll-i").text


def test_the_fill_page_encrypts_each_form_with_its_rows_password_and_opens_an_encrypted_workbook(api, tmp_path):
    book = _workbook_with_passwords(tmp_path / "in.xlsx", {1: "rad-ett-pw", 2: None, 3: "rad-tre-pw"})
    locked = _msoffcrypto_encrypted(book.read_bytes(), PASSWORD)
    r = api.post("/fyll-i", files={"filer": ("incidenter.xlsx", locked)},
                 data={"format": "pdf", "lösenord": PASSWORD, "lösenordskolumn": "Lösenord"},
                 headers={"Accept": "application/json"})
    assert r.status_code == 202, r.text
    job = r.json()["id"]
    assert _wait(api, job, 120)["state"] == "klar"
    page = api.get(f"/jobb/{job}").text
    assert "incidenter.xlsx rad 3: cellen i kolumnen &quot;Lösenord&quot; är tom" in page
    archive = api.get(f"/jobb/{job}/blanketter.zip").content
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        names = zf.namelist()
        assert names == ["Bilaga5-KS-2026-00001.docx", "Bilaga5-KS-2026-00001.pdf",
                         "Bilaga5-KS-2026-00003.docx", "Bilaga5-KS-2026-00003.pdf"]
        for name in names:
            own = "rad-ett-pw" if "00001" in name else "rad-tre-pw"
            data = zf.read(name)
            for secret in ("rad-ett-pw", "rad-tre-pw", PASSWORD):
                _assert_no_password(data, secret)
            assert blankett.extract(data, name).status == "fel"
            assert blankett.extract(data, name, password=PASSWORD).messages == [WRONG]
            assert blankett.extract(data, name, password=own).record["diarienummer"] == full_record(
                1 if "00001" in name else 3)["diarienummer"]


def test_the_one_form_page_encrypts_and_never_shows_the_password_again(api):
    fields = {"diarienummer": "KS 2026/77", "rapporterad_av": "Maria", "lösenord": PASSWORD, "format": "docx"}
    r = api.post("/fyll-i/blankett", data=fields)
    assert r.status_code == 200 and r.content[:8] == OLE
    _headers_clean(r)
    assert blankett.extract(r.content, "a.docx", password=PASSWORD).record["diarienummer"] == "KS 2026/77"
    refused = api.post("/fyll-i/blankett", data={**fields, "polisanmald": "kanske"})
    assert refused.status_code == 422
    _assert_no_password(refused.content)


def test_a_real_server_never_logs_sends_back_or_leaves_the_password(tmp_path):
    import httpx2 as httpx

    (tmp_path / "tmp").mkdir()
    served = Served(tmp_path / "tmp")

    try:
        answers = [
            httpx.post(served.base + "/api/fill", headers=SERVED_AUTH,
                       json={"post": full_record(2), "lösenord": PASSWORD}),
            httpx.post(served.base + "/api/fill?format=pdf", headers=SERVED_AUTH,
                       json={"post": full_record(2), "lösenord": PASSWORD}),
            httpx.post(served.base + "/api/fill?format=pdfa", headers=SERVED_AUTH,
                       json={"post": full_record(2), "lösenord": PASSWORD}),
            httpx.post(served.base + "/api/extract", headers=SERVED_AUTH, data={"lösenord": PASSWORD},
                       files=[("filer", (n, d)) for n, d in _mixed_forms(tmp_path)]),
            httpx.post(served.base + "/api/extract", headers=SERVED_AUTH, data={"lösenord": OTHER + PASSWORD},
                       files=[("filer", ("ratt.docx", blankett.fill_docx(full_record(1), password=PASSWORD)))]),
        ]
        fill_job = httpx.post(served.base + "/fyll-i", headers=SERVED_AUTH, data={"lösenord": PASSWORD},
                              files={"filer": ("in.json", json.dumps([full_record(3)]).encode())})
        assert fill_job.status_code == 202
        status = fill_job.json()["status"]
        for _ in range(600):
            if httpx.get(served.base + status, headers=SERVED_AUTH).json()["finished"]:
                break
            time.sleep(0.1)
        answers.append(httpx.get(served.base + f"/jobb/{fill_job.json()['id']}/blanketter.zip", headers=SERVED_AUTH))
        assert [a.status_code for a in answers] == [200, 200, 422, 200, 200, 200]
        for answer in answers:
            _headers_clean(answer)
            if answer.headers["content-type"].startswith(("application/json", "text/")):
                _assert_no_password(answer.content)
        assert not files_with(served.tmp, PASSWORD)
    finally:
        served.stop()
    log = served.err_path.read_bytes()
    assert b"POST /api/fill" in log  # the server does log its requests: just never the password
    _assert_no_password(log)


# --- 2. one password per row -------------------------------------------------------------------------------


def _workbook_with_passwords(path: Path, passwords: dict[int, str | int | None]) -> Path:
    """The input workbook typed into (rows of full_record(n)) with a "Lösenord" column after the form's columns."""
    rows = [{k: v for k, v in full_record(n).items() if not isinstance(v, list)} for n in passwords]
    typed_workbook(path, rows)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    column = ws.max_column + 1
    ws.cell(row=1, column=column, value="Lösenord")
    for r, password in enumerate(passwords.values(), start=2):
        ws.cell(row=r, column=column, value=password)
    wb.save(path)
    return path


def _msoffcrypto_encrypted(data: bytes, password: str) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


@pytest.mark.office
def test_each_row_is_encrypted_with_its_own_password_and_the_column_is_written_nowhere(office, tmp_path):
    book = _workbook_with_passwords(tmp_path / "in.xlsx", {1: "Första-Radens-pw", 2: 98765432, 3: None})
    out = tmp_path / "ut"
    run = CliRunner().invoke(main, ["fill", str(book), "-o", str(out), "--pdf", "--lösenordskolumn", "Lösenord"])
    assert run.exit_code == 1, run.output
    assert run.stderr.splitlines()[0] == (
        'in.xlsx rad 4: cellen i kolumnen "Lösenord" är tom; raden har inget lösenord och blanketten skrivs inte '
        "(den skrivs aldrig okrypterad). Skriv ett lösenord i cellen och kör igen.")
    written = sorted(p.name for p in out.iterdir())
    assert written == ["Bilaga5-KS-2026-00001.docx", "Bilaga5-KS-2026-00001.pdf", "Bilaga5-KS-2026-00002.docx",
                       "Bilaga5-KS-2026-00002.pdf"]
    secrets = {"00001": "Första-Radens-pw", "00002": "98765432"}
    for name in written:
        data = (out / name).read_bytes()
        own = secrets["00001" if "00001" in name else "00002"]
        other = next(s for s in secrets.values() if s != own)
        for secret in secrets.values():
            _assert_no_password(data, secret)
            assert secret not in name
        if name.endswith(".docx"):
            _assert_no_password(_decrypted_docx(data, own), own)  # nor in the form or its properties inside
            doc = _load(office, out / name, own)
            assert doc is not None, office.output()
            doc.close(True)
            assert _load(office, out / name, other) is None
        else:
            with pikepdf.open(out / name, password=own) as pdf:
                assert pdf.is_encrypted
                assert own not in str(pdf.docinfo) and "Lösenord" not in str(pdf.docinfo)
            with pytest.raises(pikepdf.PasswordError):
                pikepdf.open(out / name, password=other)
    for secret in secrets.values():
        _assert_no_password(run.stdout_bytes + run.stderr_bytes, secret)


_PASSWORDS = st.text(st.characters(codec="utf-8", categories=("L", "N", "P")), min_size=6, max_size=16)


@settings(derandomize=True, max_examples=8, deadline=None)
@given(st.lists(st.tuples(records(), _PASSWORDS), min_size=1, max_size=3))
def test_any_record_with_its_own_password_comes_back_from_its_encrypted_form(rows):
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.json"
        source.write_text(json.dumps([{**record, "lösenord": password} for record, password in rows]),
                          encoding="utf-8")
        summary = blankett.fill_files([source], Path(tmp) / "ut", jobs=1, password_column="Lösenord")
        assert summary.problems == [] and len(summary.written) == len(rows)
        for path, (record, password) in zip(summary.written, rows, strict=True):
            data = path.read_bytes()
            assert data[:8] == OLE
            _assert_no_password(data, password)
            result = blankett.extract(path, password=password)
            assert result.status in ("ok", "varning"), result.messages
            assert {k: result.record[k] for k in record} == record
            assert "lösenord" not in result.record


# --- 3. an encrypted input workbook -------------------------------------------------------------------------


def _calc_saved_with_password(office, plain: Path, target: Path, filter_name: str) -> Path:
    """``plain`` opened in Calc and saved as ``target`` with "Spara med lösenord" (the password in the media
    descriptor, as the dialog passes it)."""
    doc = _load(office, plain, None)
    assert doc is not None, office.output()
    try:
        doc.storeToURL(target.resolve().as_uri(), props(FilterName=filter_name, Password=PASSWORD, Overwrite=True))
    finally:
        doc.close(True)
    return target


@pytest.mark.office
def test_fill_reads_a_workbook_calc_and_msoffcrypto_saved_with_a_password(office, tmp_path, monkeypatch):
    plain = typed_workbook(tmp_path / "vanlig.xlsx", [{"diarienummer": "KS 2026/9", "rapporterad_av": "Eva"},
                                                      {"diarienummer": "KS 2026/10", "utsatt": "Per"}])
    calc = _calc_saved_with_password(office, plain, tmp_path / "calc.xlsx", "Calc MS Excel 2007 XML")
    tool = tmp_path / "verktyg.xlsx"
    tool.write_bytes(_msoffcrypto_encrypted(plain.read_bytes(), PASSWORD))
    for locked in (calc, tool):
        assert locked.read_bytes()[:8] == OLE, "not encrypted"
        secret = tmp_path / "pw"
        secret.write_text(PASSWORD + "\n")
        out = tmp_path / f"ut-{locked.stem}"
        run = CliRunner().invoke(main, ["fill", str(locked), "-o", str(out), "--password-file", str(secret)])
        assert run.exit_code == 0, run.output
        written = sorted(out.iterdir())
        assert [p.name for p in written] == ["Bilaga5-KS-2026-10.docx", "Bilaga5-KS-2026-9.docx"]
        # the same password encrypts the forms: a protected workbook never gives unprotected forms
        assert blankett.extract(written[1], password=PASSWORD).record["rapporterad_av"] == "Eva"
        _assert_no_password(run.stdout_bytes + run.stderr_bytes)
        # asked for once (it only opens), when no source is named and a person is at the terminal
        monkeypatch.setattr("blankett.cli._interactive", lambda: True)
        asked = CliRunner().invoke(main, ["fill", str(locked), "-o", str(tmp_path / "fragad"), "--check"],
                                   input=f"{PASSWORD}\n")
        assert asked.exit_code == 0 and asked.output.count("Lösenord") == 1, asked.output
        assert "Upprepa" not in asked.output
        monkeypatch.setattr("blankett.cli._interactive", lambda: False)
        script = CliRunner().invoke(main, ["fill", str(locked), "-o", str(tmp_path / "skript")])
        assert script.exit_code == 1 and script.stderr.splitlines()[0] == f"{locked.name}: {NEEDED}"
        monkeypatch.setenv("BLANKETT_TEST_FEL", OTHER)
        wrong = CliRunner().invoke(main, ["fill", str(locked), "-o", str(tmp_path / "fel"), "--password-env",
                                          "BLANKETT_TEST_FEL"])
        assert wrong.exit_code == 1 and f"{locked.name}: {WRONG}" in wrong.stderr.splitlines()
        assert "Traceback" not in wrong.output
    missing = blankett.fill_files([calc, plain], tmp_path / "utan", jobs=1)
    assert missing.problems == [f"calc.xlsx: {NEEDED}"] and len(missing.written) == 2  # the rest goes on


@pytest.mark.office
def test_an_ods_calc_saved_with_a_password_is_one_line_saying_to_save_it_as_xlsx(office, tmp_path):
    plain = typed_workbook(tmp_path / "vanlig.xlsx", [{"diarienummer": "KS 2026/9", "rapporterad_av": "Eva"}])
    locked = _calc_saved_with_password(office, plain, tmp_path / "calc.ods", "calc8")
    summary = blankett.fill_files([locked], tmp_path / "ut", jobs=1, password=PASSWORD)
    assert summary.problems == [
        "calc.ods: ODS-filen är lösenordsskyddad, och krypterade .ods-filer kan inte läsas; spara den i Calc som "
        'Excel 2007-365 (.xlsx) med "Spara med lösenord" i stället (eller utan lösenord)']
    assert not summary.written


# --- 4. an encryption we cannot open, made by a real program -------------------------------------------------


@pytest.mark.office
def test_a_doc_libreoffice_saved_with_its_old_password_encryption_reads_back_exactly_with_the_password(office,
                                                                                                    tmp_path):
    plain = tmp_path / "vanlig.docx"
    plain.write_bytes(blankett.fill_docx(full_record(8)))
    old = _calc_saved_with_password(office, plain, tmp_path / "gammal.doc", "MS Word 97")
    assert old.read_bytes()[:8] == OLE
    assert msoffcrypto.OfficeFile(io.BytesIO(old.read_bytes())).is_encrypted(), "LibreOffice did not encrypt it"
    doc = _load(office, plain, None)
    try:  # the same form as a .doc without a password: what the encrypted one must read back as
        doc.storeToURL((tmp_path / "vanlig.doc").resolve().as_uri(), props(FilterName="MS Word 97", Overwrite=True))
    finally:
        doc.close(True)
    want = blankett.extract(tmp_path / "vanlig.doc")
    assert want.status in ("ok", "varning"), want.messages
    got = blankett.extract(old, password=PASSWORD)
    assert got.status == want.status, got.messages
    assert got.record == want.record
    assert got.record["rapporterad_av"] == full_record(8)["rapporterad_av"]
    assert [blankett.extract(old).messages, blankett.extract(old, password=OTHER).messages] == [[NEEDED], [WRONG]]


def test_a_finished_job_drops_its_work_and_with_it_the_password(tmp_path):
    import gc
    import weakref

    from blankett.web.jobs import DONE, Job, Jobs, fill_job
    from blankett.web.uploads import Staged

    folder = tempfile.TemporaryDirectory(prefix="blankett-web-")
    source = Path(folder.name) / "in" / "in.json"
    source.parent.mkdir()
    source.write_text(json.dumps([full_record(1)]), encoding="utf-8")
    jobs = Jobs()
    try:
        work = fill_job([Staged(source, "in.json")], Path(folder.name), False, password=PASSWORD)
        held = weakref.ref(work)  # the work's closure is what holds the password
        job = jobs.start(Job("fill"), work, folder)
        del work
        deadline = time.monotonic() + 30
        while held() is not None and time.monotonic() < deadline:
            time.sleep(0.05)
            gc.collect()
        assert job.state == DONE and job.written == 1, job.error
        assert held() is None, "the job's thread still holds its work (and its password) after the job ended"
    finally:
        jobs.shutdown()


def test_the_fill_page_tells_an_encrypted_workbook_without_or_with_a_wrong_password_and_fills_the_rest(api,
                                                                                                       tmp_path):
    locked = _msoffcrypto_encrypted(typed_workbook(tmp_path / "in.xlsx", [{"diarienummer": "KS 2026/1"}])
                                    .read_bytes(), PASSWORD)
    plain = json.dumps([{"diarienummer": "KS 2026/2"}]).encode()
    for fields, line in (({}, NEEDED), ({"lösenord": OTHER}, WRONG)):
        r = api.post("/fyll-i", files=[("filer", ("skyddad.xlsx", locked)), ("filer", ("vanlig.json", plain))],
                     data=fields, headers={"Accept": "application/json"})
        job = r.json()["id"]
        assert _wait(api, job, 120)["state"] == "klar"
        assert f"skyddad.xlsx: {line}" in api.get(f"/jobb/{job}").text
        with zipfile.ZipFile(io.BytesIO(api.get(f"/jobb/{job}/blanketter.zip").content)) as zf:
            assert zf.namelist() == ["Bilaga5-KS-2026-2.docx"]


def test_a_row_password_that_is_no_text_is_named_as_what_it_is_and_its_form_not_written(tmp_path):
    """Before: a JSON password of true or a list, and SANT in a sheet's password cell, were told as "cellen … är
    tom"; now each row says what its password is (never quoting it), and only the row with a text is written."""
    import openpyxl

    records = [{"utsatt": "Ann Ek", "lösenord": True}, {"utsatt": "Bo Ek", "lösenord": ["a", "b"]},
               {"utsatt": "Cy Ek", "lösenord": "hemligt-1"}]
    source = tmp_path / "in.json"
    source.write_text(json.dumps(records), encoding="utf-8")
    summary = blankett.fill_files([source], tmp_path / "ut", jobs=1, password_column="Lösenord")
    assert [p.name for p in summary.written] == ["Bilaga5-post-0003.docx"]
    assert summary.problems == [
        'in.json post 1: lösenordet i "lösenord" är ett sanningsvärde (SANT/FALSKT, true/false), ingen text; '
        "blanketten skrivs inte. Skriv lösenordet som text och kör igen.",
        'in.json post 2: lösenordet i "lösenord" är en lista, ingen text; blanketten skrivs inte. '
        "Skriv lösenordet som text och kör igen."], summary.problems
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Utsatt", "Lösenord"])
    sheet.append(["Ann Ek", True])
    book.save(tmp_path / "in.xlsx")
    summary = blankett.fill_files([tmp_path / "in.xlsx"], tmp_path / "ut2", jobs=1, password_column="Lösenord")
    assert summary.written == [] and summary.problems == [
        'in.xlsx rad 2: lösenordet i "Lösenord" är ett sanningsvärde (SANT/FALSKT, true/false), ingen text; '
        "blanketten skrivs inte. Skriv lösenordet som text och kör igen."]
