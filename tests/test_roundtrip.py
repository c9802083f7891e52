"""fill → extract gives the same record: for any valid record, and after LibreOffice has saved the form again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blankett.fill import Template
from blankett.form import FIELDS, LIST_ITEMS, Kind
from blankett.model import validate
from blankett.office import convert
from blankett.read import OK, VARNING, read_file, read_files

from .forms import expected, filled, save

TEMPLATE = Template()


def _xml_char(c: str) -> bool:
    """A character XML 1.0 can hold, CR aside (the model makes CR a line break)."""
    n = ord(c)
    return c in "\t\n" or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or n >= 0x10000


CHARS = st.characters(blacklist_categories=("Cs",)).filter(_xml_char)
ONE_LINE = st.text(CHARS.filter(lambda c: c != "\n"), min_size=1, max_size=40).filter(lambda s: s.strip())

KIND_VALUES = {
    Kind.TEXT: st.one_of(st.none(), st.text(CHARS, max_size=80)),
    Kind.JANEJ: st.sampled_from([None, "Ja", "Nej"]),
    Kind.DATE: st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))),
    Kind.LIST: st.lists(ONE_LINE, max_size=LIST_ITEMS),
}
RECORDS = st.fixed_dictionaries({f.key: KIND_VALUES[f.kind] for f in FIELDS})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(RECORDS)
def test_any_valid_record_round_trips(tmp_path, record):
    incident, _ = validate(record)
    path = save(tmp_path, "svar.docx", TEMPLATE.render(incident))
    result = read_file(path)
    assert result.status == OK, result.messages
    assert result.record == expected(record)


TRICKY = {
    "rapporterad_av": "  Två inledande blanksteg och\ttabb",
    "utsatt": "Åsa Öberg 🙂, rad ett\nrad två\n\nrad fyra efter en tom rad",
    "handelse": "”citat” & <vinkel> 'apostrof' – tankstreck",
    "sakerhetsstrateg_kontaktad": "Ja",
    "polis_kontaktad": "Nej",
    "polisanmald": None,
    "samtal1_datum": "2026-02-28",
    "samtal3_datum": "1999-12-31",
    "sarbarheter_rutin": ["Ett", "Två", "Tre", "Fyra"],
    "sarbarheter_plan": ["Bara en"],
}


@pytest.fixture(scope="module")
def originals(tmp_path_factory, example_records) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("original")
    records = {"exempel1": example_records[0], "exempel2": example_records[1], "svar": TRICKY}
    return {name: save(folder, f"{name}.docx", filled(rec)) for name, rec in records.items()}


@pytest.fixture(scope="module")
def records(example_records) -> dict[str, dict]:
    return {"exempel1": example_records[0], "exempel2": example_records[1], "svar": TRICKY}


def _convert(soffice, files: list[Path], target: str, outdir: Path) -> list[Path]:
    done = convert(files, target, outdir, soffice=soffice)
    assert all(done.values()), done
    return [done[f] for f in files]


@pytest.mark.office
def test_libreoffice_resave_docx_to_docx_keeps_every_answer(soffice, originals, records, tmp_path):
    outs = _convert(soffice, list(originals.values()), "docx:MS Word 2007 XML", tmp_path / "docx")
    for name, out in zip(originals, outs, strict=True):
        result = read_file(out)
        assert (result.status, result.messages) == (OK, []), name
        assert result.record == expected(records[name]), name


@pytest.fixture(scope="module")
def odts(soffice, originals, tmp_path_factory) -> list[Path]:
    """The originals saved as .odt by LibreOffice (once for the module)."""
    return _convert(soffice, list(originals.values()), "odt", tmp_path_factory.mktemp("odt"))


@pytest.mark.office
def test_libreoffice_docx_odt_docx_keeps_every_answer(soffice, odts, originals, records, tmp_path):
    back = _convert(soffice, odts, "docx:MS Word 2007 XML", tmp_path / "back")
    for name, out in zip(originals, back, strict=True):
        result = read_file(out)
        assert (result.status, result.messages) == (OK, []), name
        assert result.record == expected(records[name]), name


@pytest.mark.office
def test_odt_is_read_directly(odts, originals, records):
    for name, result in zip(originals, read_files(odts), strict=True):
        assert result.status == OK, (name, result.messages)
        assert result.record == expected(records[name]), name


@pytest.mark.office
def test_doc_is_read_by_the_question_text(soffice, originals, records, tmp_path):
    """The .doc format has no content controls: every answer is found by its question, with one warning."""
    docs = _convert(soffice, list(originals.values()), "doc", tmp_path / "doc")
    for name, result in zip(originals, read_files(docs), strict=True):
        assert result.status == VARNING, (name, result.messages)
        assert len(result.messages) == 1 and "kontrollera svaren" in result.messages[0]
        assert result.record == _stripped(expected(records[name])), name


def _stripped(record: dict) -> dict:
    """Text found outside a control is read without its outer blanks."""
    return {k: v.strip() if isinstance(v, str) and k != "diarienummer" else v for k, v in record.items()}


def test_doc_without_libreoffice_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("BLANKETT_SOFFICE", str(tmp_path / "finns-inte" / "soffice"))
    path = save(tmp_path, "svar.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    result = read_file(path)
    assert result.status == "fel"
    assert "LibreOffice finns inte" in result.messages[0] and "Spara som" in result.messages[0]
