"""Filling: values land in the right controls, exactly, and the files are safe."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
import zipfile

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from blankett.build import SHIPPED_FORM
from blankett.cli import main
from blankett.fill import Template, fill_record
from blankett.form import FIELDS, Kind
from blankett.office import convert

from .conftest import EXAMPLE, NS, W, docx_xml, sdt_by_tag, sdt_text
from .forms import assert_filled_as

HOSTILE = [
    "Tom & Jerry <script>alert('x')</script> \"citat\" 'apostrof'",
    "{{ namn }} och {% if x %}mall{% endif %} och {#kommentar#}",
    "Emoji 😀👍🏽 och svenska åäö ÅÄÖ é ü",
    "  inledande och avslutande mellanslag  ",
    "rad ett\nrad två\n\nrad fyra efter tom rad",
    "tab\tinne\ti texten",
    "x" * 100_000,
]


@pytest.fixture(scope="module")
def template() -> Template:
    return Template()


def test_example_records_fill_exactly(example_records, template):
    for record in example_records:
        assert_filled_as(fill_record(record, template), record)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_comes_out_unchanged(value, template):
    record = {f.key: value for f in FIELDS if f.kind is Kind.TEXT}
    record["sarbarheter_rutin"] = [line for line in value.split("\n") if line.strip()][:4]
    assert_filled_as(fill_record(record, template), record)


def test_newline_is_a_line_break_inside_the_answer(template):
    sdt = sdt_by_tag(docx_xml(fill_record({"handelse": "a\nb"}, template)))["handelse"]
    assert len(sdt.findall(".//w:p", NS)) == 0 and len(sdt.findall(".//w:br", NS)) == 1


def test_control_characters_are_dropped_never_a_broken_file(template):
    data = fill_record({"handelse": "före\x00\x01\x1fefter"}, template)
    assert sdt_text(sdt_by_tag(docx_xml(data))["handelse"]) == "föreefter"


def test_fill_keeps_controls_editable_and_the_rest_of_the_package(template):
    data = fill_record({"utsatt": "A"}, template)
    with zipfile.ZipFile(io.BytesIO(data)) as filled, zipfile.ZipFile(SHIPPED_FORM) as blank:
        assert filled.namelist() == blank.namelist()
        for name in blank.namelist():
            if name != "word/document.xml":
                assert filled.read(name) == blank.read(name), name  # properties stay the municipality's
    sdt = sdt_by_tag(docx_xml(data))["utsatt"]
    assert sdt.find("w:sdtPr/w:lock", NS).get(f"{{{W}}}val") == "sdtLocked"  # content stays editable


def test_cli_fill_writes_one_owner_only_file_per_incident(tmp_path, example_records):
    runner = CliRunner()
    result = runner.invoke(main, ["fill", str(EXAMPLE), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == ["Bilaga5-KS-2026-0412.docx", "Bilaga5-KS-2026-0587.docx"]
    for f, record in zip(files, example_records, strict=True):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
        assert_filled_as(f.read_bytes(), record)
    again = runner.invoke(main, ["fill", str(EXAMPLE), "-o", str(tmp_path)])
    assert "finns redan" in again.output and "--force" in again.output
    assert runner.invoke(main, ["fill", str(EXAMPLE), "-o", str(tmp_path), "--force"]).exit_code == 0


def test_a_bad_record_is_named_and_the_others_are_still_written(tmp_path):
    src = tmp_path / "poster.jsonl"
    src.write_text('{"utsatt": "A"}\n{"polisanmald": "kanske", "utsatt": "B"}\n{"utsatt": "C", "okänd": 1}\n'
                   'inte json\n{"utsatt": "D"}\n', encoding="utf-8")
    out = tmp_path / "ut"
    result = CliRunner().invoke(main, ["fill", str(src), "-o", str(out)])
    assert result.exit_code == 1
    assert 'poster.jsonl rad 2, fältet "polisanmald" (Polisanmäld): "kanske" är inte Ja eller Nej' in result.output
    assert 'poster.jsonl rad 3, okänt fält "okänd"' in result.output
    assert "poster.jsonl rad 4: ogiltig JSON" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["Bilaga5-rad-0001.docx", "Bilaga5-rad-0005.docx"]
    assert "2 skrivna" in result.output and "3 fel" in result.output


def test_no_temporary_file_is_left_when_writing_fails(tmp_path, monkeypatch, template):
    from blankett import write

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(write.os, "link", boom)
    with pytest.raises(KeyboardInterrupt):
        write.write_bytes(tmp_path / "a.docx", b"data")
    assert list(tmp_path.iterdir()) == []


def test_file_names_never_come_from_the_form(tmp_path):
    src = tmp_path / "p.json"
    src.write_text('[{"utsatt": "Anna Andersson", "diarienummer": "KS 2026/1 ../../etc"}, {"utsatt": "Bo"}]',
                   encoding="utf-8")
    CliRunner().invoke(main, ["fill", str(src), "-o", str(tmp_path / "ut")])
    names = sorted(p.name for p in (tmp_path / "ut").iterdir())
    assert names == ["Bilaga5-KS-2026-1-..-..-etc.docx", "Bilaga5-post-0002.docx"]


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.office
def test_libreoffice_converts_blank_and_filled_and_shows_the_values(tmp_path, soffice, example_records):
    record = dict(example_records[0], samtal2_datum=dt.date(2026, 4, 9).isoformat())
    filled = tmp_path / "ifylld.docx"
    filled.write_bytes(fill_record(record))
    blank = tmp_path / "tom.docx"
    blank.write_bytes(SHIPPED_FORM.read_bytes())
    out = convert([blank, filled], "pdf", tmp_path / "pdf", soffice=soffice)
    assert all(out.values()), out
    blank_text = pdf_text(out[blank])
    assert "Incidentrapport och händelsedokumentation" in blank_text and "Skriv svaret här." not in blank_text
    text = " ".join(pdf_text(out[filled]).split())
    for f in FIELDS:
        value = record.get(f.key)
        if f.kind is Kind.TEXT and value:
            for line in value.split("\n"):
                # PDF text is reflowed: compare word by word
                assert " ".join(line.split()[:4]) in text, f.key
        elif f.kind is Kind.DATE and value:
            assert value in text
    assert text.count("☒") == sum(1 for f in FIELDS if f.kind is Kind.JANEJ and record.get(f.key))
    assert os.path.getsize(out[filled]) > 10_000


def test_a_case_number_of_only_punctuation_gives_the_record_number_as_name(tmp_path):
    src = tmp_path / "p.json"
    src.write_text('[{"diarienummer": "///", "utsatt": "A"}, {"diarienummer": " .-. "}]', encoding="utf-8")
    result = CliRunner().invoke(main, ["fill", str(src), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "ut").iterdir()) == ["Bilaga5-post-0001.docx", "Bilaga5-post-0002.docx"]


def test_an_output_folder_that_cannot_be_written_is_one_line_per_row(tmp_path):
    blocker = tmp_path / "ut"
    blocker.write_text("en fil, ingen mapp", encoding="utf-8")
    out = blocker / "incidenter"
    result = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{out / 'Bilaga5-KS-2026-0412.docx'}: kan inte skriva filen (en del av sökvägen är en fil, inte en mapp)",
        f"{out / 'Bilaga5-KS-2026-0587.docx'}: kan inte skriva filen (en del av sökvägen är en fil, inte en mapp)",
        "Klart: 0 skrivna, 0 hoppade över (finns redan), 2 fel.",
    ]
    assert blocker.read_text(encoding="utf-8") == "en fil, ingen mapp"
