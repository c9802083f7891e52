"""``blankett schema``: a valid JSON Schema of one record, fields in the form's order, titled in Swedish."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from blankett.cli import main
from blankett.fill import fill_record
from blankett.form import FIELDS, Kind
from blankett.model import CASE_KEY
from blankett.readback import read_file


@pytest.fixture(scope="module")
def schema() -> dict:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_schema_is_a_valid_json_schema(schema):
    Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and schema["additionalProperties"] is False


def test_properties_follow_the_form_with_swedish_titles_and_questions(schema):
    assert list(schema["properties"]) == [CASE_KEY, "handelsedatum", "typ", "kanal"] + [f.key for f in FIELDS]
    assert schema["properties"][CASE_KEY]["title"] == "Diarienummer"
    for f in FIELDS:
        prop = schema["properties"][f.key]
        assert prop["title"] == f.column
        assert prop["description"].startswith(f.question)
        assert (prop["x-section"], prop["x-kind"]) == (f.section, f.kind.value)
    assert schema["title"] == "Bilaga 5 – incident"


def test_the_example_data_and_what_extract_gives_back_are_valid(schema, tmp_path, example_records):
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for n, record in enumerate(example_records):
        assert list(validator.iter_errors(record)) == []
        path = tmp_path / f"svar{n}.docx"
        path.write_bytes(fill_record(record))
        assert list(validator.iter_errors(read_file(path).record)) == []


@pytest.mark.parametrize("key, value", [("polisanmald", "Kanske"), ("samtal1_datum", "igår"),
                                        ("sarbarheter_plan", ["1", "2", "3", "4", "5"]), ("personnummer", "x")])
def test_the_schema_refuses_what_fill_refuses(schema, tmp_path, key, value):
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert not validator.is_valid({key: value})
    path = tmp_path / "post.json"
    path.write_text(json.dumps({key: value}), encoding="utf-8")
    result = CliRunner().invoke(main, ["fill", "--check", str(path)])
    assert result.exit_code == 1 and f'"{key}"' in result.output


def test_every_kind_has_its_own_swedish_description(schema):
    descriptions = {f.kind: schema["properties"][f.key]["description"].split(" — ", 1)[1] for f in FIELDS}
    assert descriptions == {
        Kind.TEXT: "Fritext; radbrytningar blir nya rader i svaret.",
        Kind.JANEJ: "Ja, Nej eller tomt (inte besvarat).",
        Kind.DATE: "Datum, ÅÅÅÅ-MM-DD.",
        Kind.LIST: "Lista med högst 4 punkter, en rad per punkt.",
    }


def test_schema_to_a_file_is_readable_by_all_and_not_overwritten(tmp_path, schema):
    out = tmp_path / "incident.schema.json"
    result = CliRunner().invoke(main, ["schema", "-o", str(out)])
    assert result.exit_code == 0 and result.output == f"Skrev {out}.\n"
    assert json.loads(out.read_text(encoding="utf-8")) == schema
    assert "Händelse" in out.read_text(encoding="utf-8")  # UTF-8, not \u escapes
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # no answers in it
    again = CliRunner().invoke(main, ["schema", "-o", str(out)])
    assert again.exit_code == 1 and "finns redan" in again.output and "--force" in again.output
    assert CliRunner().invoke(main, ["schema", "-o", str(out), "--force"]).exit_code == 0
