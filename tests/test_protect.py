"""Password-encrypted forms (issue 21): what we encrypt opens in LibreOffice, qpdf, pikepdf and poppler with the
password and is refused without it; what LibreOffice encrypts reads back with ``extract``; the three refusals are
one Swedish line each; the password is never in a file, a message or the output.

Each client is a program that did not write the file. They fail, never skip, when missing.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import olefile
import pikepdf
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import blankett
from blankett.cli import main
from blankett.form import FIELDS, LIST_ITEMS, Kind

from .clients import program
from .records import full_record
from .uno_office import props

PASSWORD = "Blå-Kvitten-93!"
OTHER = "inte-rätt-lösenord"
SECONDS = 60


def _all_encodings(password: str) -> list[bytes]:
    """The ways a password could be stored in a file: UTF-8, UTF-16 (Office), Latin-1."""
    return [password.encode("utf-8"), password.encode("utf-16-le"), password.encode("latin-1", "replace")]


def _assert_no_password(data: bytes, password: str = PASSWORD) -> None:
    for encoded in _all_encodings(password):
        assert encoded not in data


# --- Word files: LibreOffice opens what we encrypt ------------------------------------------------


def _load(office, path: Path, password: str | None):
    """``path`` loaded by LibreOffice (hidden) with ``password``; None when LibreOffice refuses it."""
    extra = {} if password is None else {"Password": password}
    try:
        return office.desktop.loadComponentFromURL(path.resolve().as_uri(), "_blank", 0,
                                                   props(Hidden=True, ReadOnly=True, **extra))
    except Exception:  # noqa: BLE001 - LibreOffice says "wrong password" with an IOException or IllegalArgument
        return None


@pytest.mark.office
def test_libreoffice_opens_our_encrypted_docx_with_the_password_and_refuses_a_wrong_one(office, tmp_path):
    record = full_record(7)
    path = tmp_path / "krypterad.docx"
    path.write_bytes(blankett.fill_docx(record, password=PASSWORD))
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE container, not a readable zip
    doc = _load(office, path, PASSWORD)
    assert doc is not None, office.output()
    try:
        text = doc.getText().getString()
    finally:
        doc.close(True)
    assert record["rapporterad_av"].splitlines()[0] in text
    assert _load(office, path, OTHER) is None
    assert _load(office, path, None) is None


@pytest.mark.office
def test_a_docx_libreoffice_saved_with_a_password_reads_back_exactly(office, tmp_path):
    record = full_record(3)
    plain = tmp_path / "vanlig.docx"
    plain.write_bytes(blankett.fill_docx(record))
    doc = _load(office, plain, None)
    assert doc is not None, office.output()
    saved = tmp_path / "sparad-med-losenord.docx"
    try:  # "Spara som → Spara med lösenord": the password in the media descriptor
        doc.storeToURL(saved.resolve().as_uri(), props(FilterName="MS Word 2007 XML", Password=PASSWORD,
                                                      Overwrite=True))
    finally:
        doc.close(True)
    assert saved.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "LibreOffice did not encrypt it"
    result = blankett.extract(saved, password=PASSWORD)
    assert result.status == "ok", result.messages
    assert result.record == blankett.extract(plain).record
    assert result.record["rapporterad_av"] == record["rapporterad_av"]
    refused = blankett.extract(saved, password=OTHER)
    assert refused.status == "fel" and len(refused.messages) == 1 and "fel lösenord" in refused.messages[0]


# --- PDF: qpdf, pikepdf and poppler open what we encrypt ------------------------------------------------


@pytest.fixture
def encrypted_pdf(tmp_path) -> Path:
    path = tmp_path / "krypterad.pdf"
    path.write_bytes(blankett.fill_pdf(full_record(5), password=PASSWORD))
    return path


def test_qpdf_needs_the_password_and_decrypts_with_it(encrypted_pdf, tmp_path):
    qpdf = program("qpdf", "qpdf")
    assert subprocess.run([qpdf, "--requires-password", encrypted_pdf], timeout=SECONDS).returncode == 0
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD)  # qpdf reads it from a file: not in the process list either
    shown = subprocess.run([qpdf, f"--password-file={secret}", "--show-encryption", encrypted_pdf],
                           capture_output=True, text=True, timeout=SECONDS)
    assert shown.returncode == 0, shown.stderr
    for line in ("R = 6", "extract for accessibility: allowed", "modify forms: allowed",
                 "file encryption method: AESv3"):
        assert line in shown.stdout.splitlines()
    wrong = tmp_path / "fel"
    wrong.write_text(OTHER)
    out = tmp_path / "klar.pdf"
    assert subprocess.run([qpdf, f"--password-file={wrong}", "--decrypt", encrypted_pdf, out],
                          capture_output=True, timeout=SECONDS).returncode == 2
    done = subprocess.run([qpdf, f"--password-file={secret}", "--decrypt", encrypted_pdf, out],
                          capture_output=True, text=True, timeout=SECONDS)
    assert done.returncode == 0, done.stderr
    assert subprocess.run([qpdf, "--requires-password", out], timeout=SECONDS).returncode == 2  # not encrypted
    # the decrypted copy keeps its fields, its tags and its language, and reads back as the record
    with pikepdf.open(out) as pdf:
        assert len(pdf.Root.AcroForm.Fields) > 30 and "/StructTreeRoot" in pdf.Root and pdf.Root.Lang == "sv-SE"
    assert blankett.extract(out).record == blankett.extract(encrypted_pdf, password=PASSWORD).record


def test_the_decrypted_pdf_passes_the_accessibility_checker(encrypted_pdf, tmp_path):
    import pdfua

    with pikepdf.open(encrypted_pdf, password=PASSWORD) as pdf:
        pdf.save(tmp_path / "klar.pdf")
    report = pdfua.validate(str(tmp_path / "klar.pdf"))
    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []


def test_pikepdf_and_poppler_open_our_pdf_with_the_password_only(encrypted_pdf):
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(encrypted_pdf)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(encrypted_pdf, password=OTHER)
    with pikepdf.open(encrypted_pdf, password=PASSWORD) as pdf:
        assert pdf.is_encrypted and pdf.encryption.R == 6 and pdf.allow.accessibility and pdf.allow.modify_form
    pdftotext = program("pdftotext", "poppler-utils")
    refused = subprocess.run([pdftotext, encrypted_pdf, "-"], capture_output=True, timeout=SECONDS)
    assert refused.returncode != 0
    read = subprocess.run([pdftotext, "-upw", PASSWORD, encrypted_pdf, "-"], capture_output=True, text=True,
                          timeout=SECONDS)
    assert read.returncode == 0 and "Incidentrapport" in read.stdout


# --- the round trip -----------------------------------------------------------------------------------

WORD = st.text(st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=12)
LINE = st.lists(WORD, min_size=1, max_size=4).map(" ".join)


def _answer(kind: Kind) -> st.SearchStrategy:
    if kind is Kind.TEXT:
        return LINE
    if kind is Kind.JANEJ:
        return st.sampled_from(["Ja", "Nej"])
    if kind is Kind.DATE:
        return st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)).map(dt.date.isoformat)
    return st.lists(LINE, min_size=1, max_size=LIST_ITEMS)


@st.composite
def records(draw) -> dict:
    keys = draw(st.lists(st.sampled_from([f for f in FIELDS if f.kind is not Kind.CHOICES]), min_size=1,
                         max_size=8, unique_by=lambda f: f.key))
    return {f.key: draw(_answer(f.kind)) for f in keys}


@settings(derandomize=True, max_examples=12, deadline=None)
@given(records(), st.text(st.characters(codec="utf-8", categories=("L", "N", "P")), min_size=8, max_size=20))
def test_any_record_comes_back_from_an_encrypted_form_unchanged(record, password):
    data = blankett.fill_docx(record, password=password)
    _assert_no_password(data, password)
    result = blankett.extract(data, "svar.docx", password=password)
    assert result.status in ("ok", "varning"), result.messages
    assert {k: result.record[k] for k in record} == record


# --- refusals: one Swedish line each, the batch goes on --------------------------------------------------


def _unsupported(encrypted: bytes, path: Path) -> Path:
    """An encrypted .docx whose EncryptionInfo says "extensible encryption" (version 4.3), which no reader here
    opens: what a file protected by another scheme looks like to us."""
    path.write_bytes(encrypted)
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        info = ole.openstream("EncryptionInfo").read()
        ole.write_stream("EncryptionInfo", b"\x04\x00\x03\x00" + info[4:])
    return path


def test_the_three_refusals_are_one_swedish_line_each_and_the_batch_goes_on(tmp_path, monkeypatch):
    encrypted = blankett.fill_docx(full_record(1), password=PASSWORD)
    (tmp_path / "krypterad.docx").write_bytes(encrypted)
    (tmp_path / "annat.docx").write_bytes(blankett.fill_docx(full_record(2), password=OTHER))
    _unsupported(encrypted, tmp_path / "okand.docx")
    (tmp_path / "vanlig.docx").write_bytes(blankett.fill_docx(full_record(4)))
    files = [str(tmp_path / n) for n in ("krypterad.docx", "annat.docx", "okand.docx", "vanlig.docx")]

    without = CliRunner().invoke(main, ["extract", *files])
    monkeypatch.setenv("BLANKETT_TEST_PW", PASSWORD)
    given_one = CliRunner().invoke(main, ["extract", *files, "--password-env", "BLANKETT_TEST_PW"])

    lines = [line for line in without.stderr.splitlines() if ": " in line and not line.startswith("Klart")]
    assert lines == [
        f"{files[0]}: filen är lösenordsskyddad (krypterad) och inget lösenord angavs; ange lösenordet för att "
        "läsa den",
        f"{files[1]}: filen är lösenordsskyddad (krypterad) och inget lösenord angavs; ange lösenordet för att "
        "läsa den",
        f"{files[2]}: filen är krypterad på ett sätt som inte kan läsas (till exempel rättighetsskydd IRM, ett "
        "certifikat eller en äldre kryptering än Word 97); be avsändaren spara den med lösenord i Word 2010 "
        "eller senare eller i LibreOffice",
    ]
    statuses = [r["status"] for r in json.loads(given_one.stdout)]
    assert statuses == ["ok", "fel", "fel", "ok"]
    assert given_one.stderr.splitlines()[:2] == [
        f"{files[1]}: fel lösenord: filen är krypterad och gick inte att öppna med det angivna lösenordet",
        f"{files[2]}: filen är krypterad på ett sätt som inte kan läsas (till exempel rättighetsskydd IRM, ett "
        "certifikat eller en äldre kryptering än Word 97); be avsändaren spara den med lösenord i Word 2010 "
        "eller senare eller i LibreOffice",
    ]
    assert "Traceback" not in without.output + given_one.output
    assert without.exit_code == given_one.exit_code == 1
    for run in (without, given_one):
        _assert_no_password(run.stdout_bytes + run.stderr_bytes)


def test_an_encrypted_pdf_without_its_password_is_one_line(encrypted_pdf):
    result = blankett.extract(encrypted_pdf)
    assert result.status == "fel" and result.messages == [
        "filen är lösenordsskyddad (krypterad) och inget lösenord angavs; ange lösenordet för att läsa den"]
    assert blankett.extract(encrypted_pdf, password=PASSWORD).record["diarienummer"] == "KS 2026/00005"


def _pdf_encrypted_with(encrypt: bytes) -> bytes:
    """A one-page-tree PDF, written byte by byte, whose trailer names the encryption dictionary ``encrypt``."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>", encrypt]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % at for at in offsets)
    out += (b"trailer\n<</Size 4/Root 1 0 R/Encrypt 3 0 R/ID[<00112233445566778899aabbccddeeff>"
            b"<00112233445566778899aabbccddeeff>]>>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return bytes(out)


@pytest.mark.parametrize("handler", [b"/Filter/Adobe.PubSec/V 4/R 4/SubFilter/adbe.pkcs7.s5/Recipients[<00>]",
                                     b"/Filter/FOPN_foweb/V 2/R 3"], ids=["certificate", "unknown-handler"])
def test_a_pdf_encrypted_for_a_certificate_is_the_third_line_with_or_without_a_password(tmp_path, handler):
    """A PDF encrypted for a recipient's certificate (Acrobat's "Certifikatsäkerhet") or by a plug-in's handler:
    no password opens it, so the line says it cannot be read, not that the password is missing or wrong."""
    path = tmp_path / "certifikat.pdf"
    path.write_bytes(_pdf_encrypted_with(b"<<" + handler + b">>"))
    for password in (None, PASSWORD):
        result = blankett.extract(path, password=password)
        assert (result.status, result.messages) == ("fel", [
            "filen är krypterad på ett sätt som inte kan läsas (till exempel rättighetsskydd IRM, ett certifikat "
            "eller en äldre kryptering än Word 97); be avsändaren spara den med lösenord i Word 2010 eller senare "
            "eller i LibreOffice"]), password


# --- the command line: password sources, never the password in a file, a name or a line --------------------


def test_fill_encrypts_every_docx_and_pdf_with_the_prompted_password(tmp_path):
    source = tmp_path / "in.json"
    source.write_text(json.dumps([full_record(1), full_record(2)]), encoding="utf-8")
    out = tmp_path / "ut"
    run = CliRunner().invoke(main, ["fill", str(source), "-o", str(out), "--pdf", "--lösenord"],
                             input=f"{PASSWORD}\n{PASSWORD}\n")
    assert run.exit_code == 0, run.output
    assert run.output.count("Lösenord") == 1 and "Upprepa lösenordet" in run.output  # asked twice
    written = sorted(out.iterdir())
    assert [p.suffix for p in written] == [".docx", ".pdf", ".docx", ".pdf"]
    for path in written:
        data = path.read_bytes()
        _assert_no_password(data)
        assert PASSWORD not in path.name
        assert path.stat().st_mode & 0o777 == 0o600
        assert (data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") if path.suffix == ".docx" else b"/Encrypt" in data
    _assert_no_password(run.stdout_bytes + run.stderr_bytes)
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    exported = tmp_path / "svar.json"
    back = CliRunner().invoke(main, ["extract", str(out), "--password-file", str(secret), "-o", str(exported)])
    assert back.exit_code == 0, back.output
    got = json.loads(exported.read_text(encoding="utf-8"))
    assert [r["status"] for r in got] == ["ok"] * 4
    assert [r["record"]["handelse"] for r in got] == [full_record(n)["handelse"] for n in (1, 1, 2, 2)]
    _assert_no_password(exported.read_bytes() + back.stdout_bytes + back.stderr_bytes)


def test_two_different_prompted_passwords_write_nothing(tmp_path):
    source = tmp_path / "in.json"
    source.write_text(json.dumps([full_record(1)]), encoding="utf-8")
    run = CliRunner().invoke(main, ["fill", str(source), "-o", str(tmp_path / "ut"), "--encrypt"],
                             input=f"{PASSWORD}\n{OTHER}\n")
    assert "lösenorden är inte lika" in run.output
    assert not (tmp_path / "ut").exists()


def test_password_sources_that_do_not_hold_one_are_one_swedish_line(tmp_path, monkeypatch):
    source = tmp_path / "in.json"
    source.write_text(json.dumps([full_record(1)]), encoding="utf-8")
    empty = tmp_path / "tom"
    empty.write_text("")
    monkeypatch.delenv("BLANKETT_INGET", raising=False)
    for extra, line in ((["--password-file", str(empty)], f"{empty}: lösenordsfilen är tom; lösenordet ska stå på "
                                                          "första raden"),
                        (["--password-env", "BLANKETT_INGET"], "Miljövariabeln BLANKETT_INGET är inte satt eller är "
                                                               "tom; den ska hålla lösenordet.")):
        run = CliRunner().invoke(main, ["fill", str(source), "-o", str(tmp_path / "ut"), *extra])
        assert run.exit_code == 1 and run.stderr.splitlines() == [f"Fel: {line}"]
        assert not (tmp_path / "ut").exists()


def test_parallel_readers_get_the_password_too(tmp_path):
    for n in range(1, 4):
        (tmp_path / f"{n}.docx").write_bytes(blankett.fill_docx(full_record(n), password=PASSWORD))
        (tmp_path / f"{n}.pdf").write_bytes(blankett.fill_pdf(full_record(n), password=PASSWORD))
    results = list(blankett.extract_files([tmp_path], workers=2, password=PASSWORD))
    assert [r.status for r in results] == ["ok"] * 6
    assert [r.record["diarienummer"] for r in results] == [full_record(n)["diarienummer"] for n in (1, 1, 2, 2, 3, 3)]
