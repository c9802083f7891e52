"""Filled PDFs without an office suite: the shipped blank PDF filled directly, flattened, fonts embedded."""

from __future__ import annotations

import io
import json
import re
import stat
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import pdfplumber
import pdfua
import pikepdf
import pymupdf
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from pdfminer.utils import decode_text

import blankett
from blankett.cli import main
from blankett.form import FIELDS, Kind, field_for_tag
from blankett.pdf.blank import CACHE_ENV, SHIPPED, make_blank_pdf, title_for
from blankett.profile import DEFAULT, load_profile
from blankett.readback import read_file

from .clients import program
from .conftest import EXAMPLE
from .forms import expected, expected_status
from .test_pdf import LONG, SWEDISH, _fill_with_mupdf, _fill_with_pikepdf, _pdf_values, _qpdf_check
from .test_roundtrip import RECORDS

TAGS = [tag for f in FIELDS for tag in f.tags()]
NO_OFFICE = "/finns/inte/soffice"


@pytest.fixture
def no_office(monkeypatch):
    """LibreOffice pointed at nothing: any start of it fails at once."""
    monkeypatch.setenv("BLANKETT_SOFFICE", NO_OFFICE)


def test_fill_pdf_needs_no_office_and_reads_back_exactly(no_office, tmp_path, example_records):
    for n, record in enumerate(example_records):
        path = tmp_path / f"{n}.pdf"
        path.write_bytes(blankett.fill_pdf(record))
        _qpdf_check(path)
        result = read_file(path)
        assert (result.status, result.messages) == ("ok", [])
        assert result.record == expected(record)


@settings(derandomize=True, max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(record=RECORDS)
def test_any_record_filled_directly_reads_back(no_office, tmp_path, record):
    path = tmp_path / "svar.pdf"
    path.write_bytes(blankett.fill_pdf(record))
    result = read_file(path)
    assert (result.status, result.messages) == expected_status(record)
    assert result.record == expected(record)


def test_a_filled_form_is_the_shipped_blank_and_one_incremental_update(no_office, example_records):
    data = blankett.fill_pdf(example_records[0])
    assert data.startswith(SHIPPED.read_bytes().rstrip(b"\n"))
    assert data.count(b"%%EOF") == SHIPPED.read_bytes().count(b"%%EOF") + 1
    with pikepdf.open(SHIPPED) as blank, pymupdf.open(stream=data, filetype="pdf") as doc:
        assert doc.page_count == len(blank.pages)
        values = {w.field_name: w.field_value for page in doc for w in page.widgets()}
    assert values["rapporterad_av"] == example_records[0]["rapporterad_av"]


def test_fill_command_writes_pdfs_without_office(no_office, tmp_path):
    out = tmp_path / "ut"
    for args in (["--format", "pdf"], ["--pdf"], ["--format", "pdf", "--flatten", "-o", str(tmp_path / "platt")]):
        run = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(out), *args])
        assert run.exit_code == 0, run.output
        assert "LibreOffice" not in run.output
    records = [expected(r) for r in json.loads(EXAMPLE.read_text(encoding="utf-8"))]
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == len(records) and len(list(out.glob("*.docx"))) == len(records)
    assert sorted(json.dumps(read_file(p).record, sort_keys=True) for p in pdfs) == sorted(
        json.dumps(r, sort_keys=True) for r in records)
    for path in pdfs:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    flat = sorted((tmp_path / "platt").glob("*.pdf"))
    assert len(flat) == len(records) and not list((tmp_path / "platt").glob("*.docx"))
    for path in flat:
        assert "inga ifyllbara fält" in read_file(path).messages[0]


@pytest.mark.parametrize("flatten", [False, True], ids=["fields", "flattened"])
def test_filled_and_flattened_pdfs_pass_pdf_ua_and_qpdf(no_office, tmp_path, example_records, flatten):
    path = tmp_path / "ifylld.pdf"
    path.write_bytes(blankett.fill_pdf(example_records[0], flatten=flatten))
    _qpdf_check(path)
    report = pdfua.validate(str(path))
    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []
    assert len(report.outcomes) - len(report.skipped) >= 10


@pytest.mark.parametrize("renderer", ["poppler", "mupdf"])
def test_a_flattened_form_shows_every_answer_after_its_question(no_office, tmp_path, example_records, renderer):
    record = expected(example_records[0])
    path = tmp_path / "platt.pdf"
    path.write_bytes(blankett.fill_pdf(record, flatten=True))
    if renderer == "poppler":
        text = subprocess.run([program("pdftotext", "poppler-utils"), str(path), "-"], capture_output=True,
                              text=True, check=True, timeout=60).stdout
    else:
        text = subprocess.run([program("mutool", "mupdf-tools"), "draw", "-q", "-F", "txt", str(path)],
                              capture_output=True, text=True, check=True, timeout=60).stdout
    flat = " ".join(text.split())
    for f in FIELDS:
        value = record.get(f.key)
        if f.kind in (Kind.TEXT, Kind.DATE) and value:
            answer = " ".join(str(value).split())
            assert answer in flat or all(w in flat for w in answer.split()), (f.key, renderer)
    question = "Vem rapporterar incidenten?"
    first = record["rapporterad_av"].split()[0]
    assert flat.index(question) < flat.index(first)


def _used_fonts(doc: pikepdf.Pdf) -> list[tuple[str, pikepdf.Dictionary]]:
    """Every font a content stream selects (``Tf``): the pages' and every form XObject's and appearance's."""
    used = []

    def look(data: bytes, resources: pikepdf.Object | None) -> None:
        fonts = resources.get("/Font", {}) if resources is not None else {}
        for name in re.findall(rb"/([^\s/\[\]()<>]+)\s+[-\d.]+\s+Tf", data):
            font = fonts.get("/" + name.decode())
            assert font is not None, name
            used.append((name.decode(), font))

    for page in doc.pages:
        look(page.obj.Contents.read_bytes() if isinstance(page.obj.Contents, pikepdf.Stream) else
             b"\n".join(c.read_bytes() for c in page.obj.Contents), page.obj.get("/Resources"))
    for obj in doc.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Form":
            look(obj.read_bytes(), obj.get("/Resources"))
    return used


@pytest.mark.parametrize("which", ["blank", "fields", "flattened"])
def test_every_font_that_draws_is_embedded_with_to_unicode(no_office, tmp_path, example_records, which):
    path = tmp_path / f"{which}.pdf"
    path.write_bytes(SHIPPED.read_bytes() if which == "blank" else
                     blankett.fill_pdf(example_records[0], flatten=which == "flattened"))
    with pikepdf.open(path) as doc:
        used = _used_fonts(doc)
        assert {"LiSa"} <= {name for name, _ in used} or which == "blank"
        for name, font in used:
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None and ("/FontFile2" in descriptor or "/FontFile" in descriptor
                                               or "/FontFile3" in descriptor), name
            assert "/ToUnicode" in font, name
    fonts = subprocess.run([program("pdffonts", "poppler-utils"), str(path)], capture_output=True, text=True,
                           check=True, timeout=60).stdout.splitlines()[2:]
    assert [line.split()[0] for line in fonts if line.split()[-5] != "yes"] in ([], ["ZapfDingbats"])  # in /DR only


def test_pdfplumber_lists_every_field_and_its_spoken_name(no_office, example_records):
    for data in (SHIPPED.read_bytes(), blankett.fill_pdf(example_records[0])):
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            annots = [a for page in pdf.pages for a in page.annots if a["data"].get("FT")]
        names = [a["title"] for a in annots]
        assert sorted(names) == sorted(TAGS)
        for a in annots:
            spoken = decode_text(a["data"]["TU"]) if isinstance(a["data"]["TU"], bytes) else a["data"]["TU"]
            assert spoken == field_for_tag(a["title"]).control_label(a["title"])


def test_blank_text_fields_size_themselves_and_wrap_where_their_cell_is_tall():
    with pikepdf.open(SHIPPED) as doc:
        for field in doc.Root.AcroForm.Fields:
            if field.FT != "/Tx":
                continue
            assert str(field.DA).endswith(" 0 Tf"), str(field.T)
            height = float(field.Rect[3]) - float(field.Rect[1])
            multiline = bool(int(field.get("/Ff", 0)) & 4096)
            if field_for_tag(str(field.T)).kind is not Kind.DATE and height >= 26:
                assert multiline, str(field.T)


def _fill_with_pdftk(blank: Path, target: Path, values: dict[str, object]) -> None:
    """pdftk (Debian's pdftk-java) fills from XFDF, as form tools hand data over; check boxes take their on state."""
    fields = "".join(f'<field name="{escape(name)}"><value>{"Yes" if value is True else escape(str(value))}</value>'
                     "</field>" for name, value in values.items())
    xfdf = target.with_suffix(".xfdf")
    xfdf.write_text('<?xml version="1.0" encoding="UTF-8"?><xfdf xmlns="http://ns.adobe.com/xfdf/" '
                    f'xml:space="preserve"><fields>{fields}</fields></xfdf>', encoding="utf-8")
    r = subprocess.run([program("pdftk", "pdftk-java"), str(blank), "fill_form", str(xfdf), "output", str(target)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("fill", [_fill_with_pikepdf, _fill_with_mupdf, _fill_with_pdftk],
                         ids=["pikepdf", "pymupdf", "pdftk"])
def test_the_shipped_blank_filled_by_another_library_reads_back(tmp_path, fill):
    path = tmp_path / "ifylld.pdf"
    fill(SHIPPED, path, _pdf_values(SWEDISH))
    result = read_file(path)
    assert result.status == "ok", result.messages
    assert result.record == expected(SWEDISH)


def test_pypdf_logging_is_left_to_the_host_program():
    code = ("import logging; import blankett.pdf.mend, blankett.pdf.read, blankett.check; l = logging.getLogger('pypdf'); "
            "print(l.level, l.disabled)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert run.stdout.split() == ["0", "False"]


def test_overlapping_quiet_calls_leave_pypdfs_logger_as_the_host_had_it():
    """Two threads each reading a PDF (a server): the first silences pypdf, the second ends last. Before, each put
    back what it had seen on entry, and the second put back the first's silence: pypdf was mute for good."""
    import logging
    import threading

    from blankett.pdf.common import quiet_pypdf

    logger = logging.getLogger("pypdf")
    handlers = list(logger.handlers)
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    quiet_after_first: list[bool] = []

    def first() -> None:
        with quiet_pypdf():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        with quiet_pypdf():
            second_in.set()
            first_out.wait(10)
            quiet_after_first.append(logger.disabled)  # still quiet while one of our calls runs

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert quiet_after_first == [True]
    assert (logger.disabled, logger.propagate, logger.handlers) == (False, True, handlers)


def _summary(doc: pikepdf.Pdf) -> dict:
    """What the shipped blank must share with a fresh one: fields, names, tooltips, flags, rects, structure."""
    fields = [(str(f.T), str(f.FT), str(f.get("/TU", "")), int(f.get("/Ff", 0)), str(f.get("/DA", "")),
               [round(float(v)) for v in f.Rect]) for f in doc.Root.AcroForm.Fields]
    roles, todo = [], [doc.Root.StructTreeRoot]
    while todo:
        element = todo.pop(0)
        kids = element.get("/K")
        items = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
        for kid in items:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                roles.append(str(kid.S))
                todo.append(kid)
    return {"fields": fields, "roles": roles, "pages": len(doc.pages),
            "title": str(doc.docinfo.get("/Title")), "lang": str(doc.Root.Lang)}


@pytest.mark.office
def test_the_shipped_blank_pdf_is_what_the_current_code_makes(soffice, tmp_path):
    fresh = tmp_path / "ny.pdf"
    fresh.write_bytes(make_blank_pdf(blankett.blank_docx(), title_for(None), soffice))
    with pikepdf.open(SHIPPED) as shipped, pikepdf.open(fresh) as made:
        assert _summary(shipped) == _summary(made), "kör: python scripts/make-blank-pdf.py"
    texts = [subprocess.run([program("pdftotext", "poppler-utils"), "-layout", str(p), "-"], capture_output=True,
                            text=True, check=True, timeout=60).stdout for p in (SHIPPED, fresh)]
    assert texts[0] == texts[1]


@pytest.mark.office
def test_another_profile_needs_office_once_then_its_cached_blank(soffice, tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    data = json.loads(DEFAULT.read_text(encoding="utf-8"))
    data.update(name="Exempelby kommun", appendix="Bilaga 5 (Exempelby)", logo=str(load_profile().logo))
    own = tmp_path / "profil.json"
    own.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("BLANKETT_SOFFICE", NO_OFFICE)
    with pytest.raises(blankett.OfficeMissingError) as missing:
        blankett.blank_pdf(own)
    assert f"görs en gång av LibreOffice och sparas sedan i {tmp_path / 'cache'}" in str(missing.value)
    monkeypatch.setenv("BLANKETT_SOFFICE", soffice)
    first = blankett.blank_pdf(own)
    (cached,) = (tmp_path / "cache").iterdir()
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700
    monkeypatch.setenv("BLANKETT_SOFFICE", NO_OFFICE)
    assert blankett.blank_pdf(own) == first
    with pikepdf.open(io.BytesIO(first)) as doc:
        assert "Exempelby" in str(doc.docinfo.Title)


def test_the_wheel_ships_the_blank_pdf():
    assert SHIPPED.is_file() and SHIPPED.read_bytes().startswith(b"%PDF-")
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"templates/*.pdf"' in pyproject  # the package-data rule that puts it in the wheel


# --- nothing hidden on paper: continuation pages ------------------------------------------------

LONGEST = dict(LONG, handelse=" ".join(f"Händelseord{n}" for n in range(1500)),
               forovare="\n".join(f"Rad {n}: förövaren – ”citat” … 5 €" for n in range(120)),
               vittnen=LONG["vittnen"] + "\n" + "x" * 400)


def _rendered(path: Path, renderer: str, first: int) -> str:
    """The text poppler or MuPDF draws on the pages from ``first`` on, whitespace taken out."""
    if renderer == "poppler":
        args = [program("pdftotext", "poppler-utils"), "-f", str(first), str(path), "-"]
    else:
        args = [program("mutool", "mupdf-tools"), "draw", "-q", "-F", "txt", str(path),
                f"{first}-N"]
    return "".join(subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout.split())


@pytest.mark.parametrize("renderer", ["poppler", "mupdf"])
@pytest.mark.parametrize("flatten", [False, True], ids=["fields", "flattened"])
def test_an_answer_too_long_for_its_field_continues_whole_on_an_added_page(no_office, tmp_path, renderer, flatten):
    path = tmp_path / "lang.pdf"
    path.write_bytes(blankett.fill_pdf(LONGEST, flatten=flatten))
    with pikepdf.open(SHIPPED) as blank:
        first = len(blank.pages) + 1
    added = _rendered(path, renderer, first)
    assert added.startswith("".join("Fortsättning – svar som inte fick plats".split()))
    record = expected(LONGEST)
    for key in ("handelse", "forovare", "vittnen"):
        answer = "".join(record[key].split())
        assert answer in added, (key, renderer)  # whole, in order, on the added pages
    whole = _rendered(path, renderer, 1)
    assert "(forts.påsidan" + str(first) + ")" in whole
    for f in FIELDS:  # the answers that fit are whole in their fields
        value = record.get(f.key)
        if f.kind is Kind.TEXT and value and f.key not in ("handelse", "forovare", "vittnen"):
            assert "".join(value.split()) in whole, (f.key, renderer)
    if not flatten:
        result = read_file(path)
        assert (result.status, result.messages) == ("ok", [])
        assert result.record == record  # each answer read once, from its field, whole
    _qpdf_check(path)
    report = pdfua.validate(str(path))
    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []


def test_an_answer_of_300_000_characters_without_a_space_is_laid_out_at_once_and_comes_back_whole(tmp_path):
    """A pasted log or a key held down: the layout measured the rest of the word again for every line it cut, so
    this answer took minutes (a 1 MB one an hour, a server's worker with it). Bounded here by the timeout."""
    word = "abcdefghij" * 30_000
    source = tmp_path / "in.json"
    source.write_text(json.dumps({"diarienummer": "KS 1", "handelse": word}), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "blankett", "fill", str(source), "-o", str(tmp_path / "ut"),
                          "--format", "pdf"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    path = tmp_path / "ut" / "Bilaga5-KS-1.pdf"
    with pikepdf.open(SHIPPED) as blank:
        first = len(blank.pages) + 1
    assert word in _rendered(path, "poppler", first)  # whole and in order on the added pages
    assert read_file(path).record["handelse"] == word


def test_answers_are_never_drawn_below_eight_points(no_office):
    data = blankett.fill_pdf(LONGEST)
    with pikepdf.open(io.BytesIO(data)) as doc:
        sizes = [float(s) for field in doc.Root.AcroForm.Fields if field.FT == "/Tx" and "/AP" in field
                 for s in re.findall(rb"/LiSa ([\d.]+) Tf", field.AP.N.read_bytes())]
    assert sizes and min(sizes) >= 8


def test_publish_writes_the_shipped_blank_pdf_without_office(no_office, tmp_path):
    run = CliRunner().invoke(main, ["publish", "-o", str(tmp_path / "webb")])
    assert run.exit_code == 0, run.output
    assert (tmp_path / "webb" / "Bilaga5.pdf").read_bytes() == SHIPPED.read_bytes()
    assert stat.S_IMODE((tmp_path / "webb" / "Bilaga5.pdf").stat().st_mode) == 0o644  # for the website


def test_the_bundled_template_given_as_template_needs_no_office_either(no_office, tmp_path):
    template = tmp_path / "mall.docx"
    template.write_bytes(blankett.blank_docx())
    run = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(tmp_path / "ut"), "--format", "pdf",
                                    "--template", str(template)])
    assert run.exit_code == 0, run.output
    assert len(list((tmp_path / "ut").glob("*.pdf"))) == 2


def test_pdf_only_fill_names_a_bad_row_keeps_existing_pdfs_and_shows_progress(no_office, tmp_path, capsys):
    from blankett.pdf.fill import fill_with_pdf

    good, other = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    source = tmp_path / "poster.json"
    source.write_text(json.dumps([good, {**other, "samtal1_datum": "x"}], ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "ut"
    run = CliRunner().invoke(main, ["fill", str(source), "-o", str(out), "--format", "pdf"])
    assert run.exit_code == 1
    assert ('poster.json post 2, fältet "samtal1_datum" (Samtal 1: datum): "x" är inget giltigt datum '
            "(skriv ÅÅÅÅ-MM-DD)") in run.output
    (pdf,) = out.glob("*.pdf")
    assert read_file(pdf).record == expected(good)
    before = pdf.read_bytes()
    (summary,) = fill_with_pdf([source], out, keep_docx=False, progress=True)
    assert summary.line("PDF") == "PDF: 0 skrivna, 1 hoppade över (finns redan), 1 fel."
    assert pdf.read_bytes() == before and not list(out.glob("*.docx"))
    assert "Fyller i PDF-blanketter" in capsys.readouterr().err


def test_the_font_is_found_through_fontconfig_or_named_as_a_package_to_install(tmp_path, monkeypatch):
    from blankett.pdf import font as pdffont

    monkeypatch.setattr(pdffont, "FONT_PATHS", (tmp_path / "saknas.ttf",))
    found = pdffont.font_file()  # fc-match answers where Debian's fonts-liberation2 put it
    assert found.suffix == ".ttf" and "LiberationSans" in found.name and found.is_file()
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-match either
    with pytest.raises(blankett.BlankettError) as missing:
        pdffont.font_file()
    assert "Liberation Sans saknas" in str(missing.value) and "fonts-liberation2" in str(missing.value)
