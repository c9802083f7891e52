"""The archive copy (``fill --format pdfa``): PDF/A-3a and PDF/UA-1 by a machine check, the record embedded
as an associated file that other programs list and ``extract`` reads back exactly."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
import zlib
from pathlib import Path

import page
import pikepdf
import pymupdf
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from starlette.testclient import TestClient

import blankett
from blankett.cli import main
from blankett.pdf.common import CASE_XMP_NS
from blankett.pdf.embedded import MAX_RECORD_JSON, RECORD_NAME
from blankett.web import create_app

from .clients import program
from .forms import expected, expected_status
from .records import full_record
from .test_roundtrip import RECORDS

RECORDS_IN = [full_record(1), {"diarienummer": "KS 2026/0412", "rapporterad_av": "Åsa Öberg\n– ”citat” & <tecken>",
                               "polisanmald": "Ja", "sarbarheter_rutin": ["Ingen jour", "Oklart ansvar"]}]


@pytest.fixture(scope="module")
def archived(soffice, tmp_path_factory) -> list[Path]:
    """Two archive copies written by the command (``fill --format pdfa``), one LibreOffice start."""
    folder = tmp_path_factory.mktemp("arkiv")
    source = folder / "poster.json"
    source.write_text(json.dumps(RECORDS_IN, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["fill", str(source), "--format", "pdfa", "-o", str(folder / "ut"),
                                       "--soffice", soffice])
    assert result.exit_code == 0, result.output
    assert "Klart: 2 skrivna, 0 hoppade över (finns redan), 0 fel." in result.output
    files = sorted((folder / "ut").iterdir())
    assert [p.name for p in files] == ["Bilaga5-KS-2026-00001.pdf", "Bilaga5-KS-2026-0412.pdf"]  # only PDFs
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in files)
    return files


def _failed(data: bytes, profile: str) -> list[str]:
    report = page.validate_pdf_bytes(data, profile=profile)
    return sorted({f"{f.rule_id}: {f.message}" for f in report.failures})


@pytest.mark.parametrize("profile", ["3a", "ua1"])
def test_archive_copies_pass_pdfa_3a_and_pdf_ua_1_with_no_failed_rule(archived, profile):
    for path in archived:
        report = page.validate_pdf_bytes(path.read_bytes(), profile=profile)
        assert _failed(path.read_bytes(), profile) == [], path.name
        assert report.is_compliant and report.rules.failed == 0 and report.rules.total > 100


def test_qpdf_finds_nothing_wrong(archived):
    for path in archived:
        run = subprocess.run([program("qpdf", "qpdf"), "--check", str(path)], capture_output=True, text=True,
                             timeout=60)
        assert run.returncode == 0 and "WARNING" not in run.stdout + run.stderr, run.stdout + run.stderr


def test_extract_reads_each_archive_copy_back_exactly_with_status_ok(archived):
    for path, record in zip(archived, RECORDS_IN, strict=True):
        result = blankett.extract(path)
        assert (result.status, result.messages) == ("ok", [])
        assert result.record == expected(record)


def test_other_programs_list_the_embedded_record_as_associated_data(archived):
    path, record = archived[1], RECORDS_IN[1]
    with pikepdf.open(path) as doc:
        assert list(doc.attachments) == [RECORD_NAME]
        spec = doc.Root.AF[0]
        assert spec.AFRelationship == pikepdf.Name.Data and str(spec.UF) == RECORD_NAME
        stream = spec.EF.F
        assert stream.Subtype == pikepdf.Name("/application/json")
        assert json.loads(stream.read_bytes()) == expected(record)
    with pymupdf.open(path) as doc:
        assert doc.embfile_names() == [RECORD_NAME]
        assert json.loads(doc.embfile_get(RECORD_NAME)) == expected(record)
    listed = subprocess.run([program("qpdf", "qpdf"), "--list-attachments", "--verbose", str(path)],
                            capture_output=True, text=True, timeout=60).stdout
    assert "mime type: application/json" in listed


def test_xmp_names_pdfa_3a_pdf_ua_1_and_the_case_number(archived):
    with pikepdf.open(archived[1]) as doc:
        meta = doc.open_metadata()
        assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "A"
        assert meta["pdfuaid:part"] == "1"
        assert meta[f"{{{CASE_XMP_NS}}}Diarienummer"] == "KS 2026/0412"
        assert meta["dc:title"] == doc.docinfo["/Title"]
        intent = doc.Root.OutputIntents[0]
        assert intent.S == pikepdf.Name.GTS_PDFA1 and "sRGB" in str(intent.OutputConditionIdentifier)
        assert intent.DestOutputProfile.N == 3


def test_every_font_is_embedded_and_there_are_no_actions_but_links(archived):
    fonts = subprocess.run([program("pdffonts", "poppler-utils"), str(archived[0])], capture_output=True, text=True,
                           timeout=60).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # the "emb" column
    with pikepdf.open(archived[0]) as doc:
        assert "/OpenAction" not in doc.Root and "/AcroForm" not in doc.Root
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                keys = set(obj.keys())
                assert not keys & {"/JS", "/JavaScript", "/AA"}, obj.objgen
                if "/S" in keys and "/Type" in keys and obj.Type == pikepdf.Name.Action:
                    assert obj.S == pikepdf.Name.URI


@settings(max_examples=4, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(record=RECORDS)
def test_any_record_round_trips_through_an_archive_copy(soffice, record):
    data = blankett.fill_pdfa(record, soffice=soffice)
    assert _failed(data, "3a") == [] and _failed(data, "ua1") == []
    with pymupdf.open(stream=data, filetype="pdf") as doc:  # the embedded JSON itself, read by MuPDF
        assert json.loads(doc.embfile_get(RECORD_NAME)) == expected(record)
    result = blankett.extract(data, "arkiv.pdf")
    assert ((result.status, result.messages), result.record) == (expected_status(record), expected(record))


def test_the_api_and_the_form_page_give_an_archive_copy(soffice):
    with TestClient(create_app("token"), base_url="http://127.0.0.1:8765") as c:
        c.headers.update({"Authorization": "Bearer token"})
        r = c.post("/api/fill?format=pdfa", json=RECORDS_IN[1])
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        assert r.headers["content-disposition"].startswith('attachment; filename="Bilaga5-KS-2026-0412.pdf"')
        assert _failed(r.content, "3a") == []
        assert blankett.extract(r.content, "svar.pdf").record == expected(RECORDS_IN[1])
        spec = c.get("/api/openapi.json").json()["paths"]["/api/fill"]["post"]["parameters"][0]
        assert "pdfa" in spec["schema"]["enum"]
        assert 'value="pdfa"' in c.get("/fyll-i").text


def _tampered(path: Path, tmp_path: Path, data: bytes, packed: str | None = None) -> Path:
    """The archive copy with its embedded record's bytes replaced (as someone editing the attachment would),
    stored as they are under the filter ``packed`` when given."""
    out = tmp_path / "andrad.pdf"
    with pikepdf.open(path) as doc:
        if packed is None:
            doc.Root.AF[0].EF.F.write(data)
        else:
            doc.Root.AF[0].EF.F.write(data, filter=pikepdf.Name(packed))
        doc.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)  # kept as packed
    return out


@pytest.mark.parametrize("data, packed, message", [
    (json.dumps({"polisanmald": "kanske"}).encode(), None, "Polisanmäld"),
    (b"{inte json", None, "ingen giltig JSON"),
    (b"[1, 2]", None, "inget objekt med fält"),
    (b" " * (MAX_RECORD_JSON + 10), None, "är större än 2 MB"),
    (zlib.compress(b" " * (20 * MAX_RECORD_JSON)), "/FlateDecode", "är större än 2 MB"),  # a bomb: 40 MB from 40 kB
    (b"inte zlib", "/FlateDecode", "är trasig"),
    (b"7B7D>", "/ASCIIHexDecode", "packad på ett sätt som inte läses"),
])
def test_a_bad_embedded_record_is_one_swedish_line(archived, tmp_path, data, packed, message):
    result = blankett.extract(_tampered(archived[1], tmp_path, data, packed))
    assert result.status == "fel" and message in " ".join(result.messages), result.messages


@pytest.mark.parametrize("flatten", [False, True], ids=["med fält", "platt"])
def test_the_ua1_checker_passes_the_blank_and_the_filled_pdfs_made_without_libreoffice(flatten, monkeypatch):
    """The same machine check (104 rules) on the other PDFs we write, all made without an office suite: the shipped
    blank, a filled one, and one whose answers are too long for their fields (continuation pages)."""
    monkeypatch.setenv("BLANKETT_SOFFICE", "/finns/inte/soffice")
    long = {**RECORDS_IN[0], "handelse": "Hotet kom i flera brev under våren. " * 120,
            "kommentar_stodatgarder": "Samtal med säkerhetsstrategen och polisen. " * 60}
    blank = blankett.blank_pdf()
    assert _failed(blank, "ua1") == []
    for record in (RECORDS_IN[0], long):
        data = blankett.fill_pdf(record, flatten=flatten)
        assert _failed(data, "ua1") == [], record is long
    pages = [pymupdf.open(stream=d, filetype="pdf").page_count for d in (blank, data)]
    assert pages[1] > pages[0], pages  # the long answers have their continuation page


def test_unusual_characters_long_answers_and_an_xml_like_case_number_still_pass(soffice):
    record = {"diarienummer": "KS <2026> & \"x\" 'y' " + "å" * 200, "utsatt": "a\ue000b 😀 ł ☒ 中文 \u200b ﬁ",
              "handelse": "Lång text. " * 400, "sarbarheter_rutin": ["• punkt", "\uf0b7 privat"]}
    data = blankett.fill_pdfa(record, soffice=soffice)
    assert _failed(data, "3a") == [] and _failed(data, "ua1") == []
    result = blankett.extract(data, "arkiv.pdf")
    assert (result.status, result.record) == ("ok", expected(record))
    with pikepdf.open(io.BytesIO(data)) as doc:
        assert doc.open_metadata()[f"{{{CASE_XMP_NS}}}Diarienummer"] == record["diarienummer"]


def test_check_says_an_archive_copy_is_no_form_to_fill_but_extract_reads_it(archived):
    result = CliRunner().invoke(main, ["check", str(archived[0])])
    assert result.exit_code == 1
    assert result.output.strip().endswith(f"{archived[0].name}: PDF-filen är ett arkivexemplar (PDF/A) utan ifyllbara "
                                          "fält; den går inte att fylla i, men blankett extract läser svaren ur posten "
                                          "som finns inbäddad i den")


def test_the_pages_give_archive_copies_one_form_and_a_batch(soffice):
    from .test_web import AUTH, _form_fields, _wait, client

    record = RECORDS_IN[1]
    with client() as c:
        c.headers.update(AUTH)
        assert 'value="pdfa"' in c.get("/fyll-i/blankett").text and 'value="pdfa"' in c.get("/fyll-i").text
        r = c.post("/fyll-i/blankett", data=_form_fields(record) | {"format": "pdfa"})
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        assert _failed(r.content, "3a") == [] and blankett.extract(r.content, "a.pdf").record == expected(record)
        r = c.post("/fyll-i", files={"filer": ("incidenter.json", json.dumps([record]).encode())},
                   data={"format": "pdfa"}, headers={"Accept": "application/json"})
        assert r.status_code == 202
        status = _wait(c, r.json()["id"], 300)
        assert status["state"] == "klar"
        with zipfile.ZipFile(io.BytesIO(c.get(f"/jobb/{r.json()['id']}/blanketter.zip").content)) as zf:
            assert zf.namelist() == ["Bilaga5-KS-2026-0412.docx", "Bilaga5-KS-2026-0412.pdf"]
            copy = zf.read("Bilaga5-KS-2026-0412.pdf")
        assert _failed(copy, "3a") == [] and _failed(copy, "ua1") == []
        assert blankett.extract(copy, "a.pdf").record == expected(record)
