"""The model of one incident, derived from the declaration."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import blankett
from blankett import kinds
from blankett.errors import RecordError
from blankett.form import BY_KEY, CHANNELS, FIELDS, INCIDENT_TYPES, SECTIONS, Kind, Question
from blankett.model import (
    CASE_KEY,
    NOT_A_LIST,
    json_schema,
    registration_properties,
    registration_values,
    to_record,
    validate,
    values,
)


def test_the_form_has_the_fields_form_layout_md_lists():
    by_kind = {k: [f for f in FIELDS if f.kind is k] for k in Kind}
    questions = [row.field for row in SECTIONS[0].rows if isinstance(row, Question)]
    assert len(questions) == 10
    assert len(by_kind[Kind.JANEJ]) == 9
    assert len(by_kind[Kind.DATE]) == 3
    assert len(by_kind[Kind.LIST]) == 2
    comments = [f for f in by_kind[Kind.TEXT] if f.section.startswith("2.")]
    assert len(comments) == 6
    talks = [f for f in FIELDS if f.section.startswith("3.")]
    assert len(talks) == 9


def test_schema_order_is_form_order_and_every_key_is_in_it():
    schema = json_schema()
    assert list(schema["properties"]) == [CASE_KEY, "handelsedatum", "typ", "kanal"] + [f.key for f in FIELDS]
    assert schema["additionalProperties"] is False
    for f in FIELDS:
        prop = schema["properties"][f.key]
        assert prop["title"] == f.column
        assert f.label in prop["description"]


@pytest.mark.parametrize("given, expected", [
    ("Ja", "Ja"), ("Nej", "Nej"), (None, None), ("", None), ("  ", None),
    ("ja", "Ja"), ("NEJ", "Nej"), ("J", "Ja"), ("n", "Nej"), ("x", "Ja"), ("X", "Ja"),
    ("true", "Ja"), ("False", "Nej"), ("1", "Ja"), ("0", "Nej"), (True, "Ja"), (False, "Nej"), (1, "Ja"), (0, "Nej"),
])
def test_janej_is_three_states(given, expected):
    incident, _ = validate({"polisanmald": given})
    assert incident.polisanmald == expected


def test_not_answered_is_never_nej():
    incident, _ = validate({})
    assert all(getattr(incident, f.key) is None for f in FIELDS if f.kind is Kind.JANEJ)


@pytest.mark.parametrize("bad", ["kanske", "jo", 2, "ja nej"])
def test_janej_rejects_other_values_naming_field_and_value(bad):
    with pytest.raises(RecordError) as err:
        validate({"polisanmald": bad})
    assert 'fältet "polisanmald"' in str(err.value) and f'"{bad}" är inte Ja eller Nej' in str(err.value)


@pytest.mark.parametrize("given", ["2026-03-12", "20260312", "12/3 2026", dt.date(2026, 3, 12),
                                   dt.datetime(2026, 3, 12, 0, 0),
                                   # the spellings extract reads from a returned form: fill takes them too
                                   "12/3-2026", "12.3.2026", "12 mars 2026", "2026.03.12", "den 12 mar. 2026"])
def test_dates(given):
    incident, _ = validate({"samtal1_datum": given})
    assert incident.samtal1_datum == dt.date(2026, 3, 12)
    assert to_record(incident)["samtal1_datum"] == "2026-03-12"


@pytest.mark.parametrize("bad", ["2026-02-30", "31.2.2026", "igår", "2026-13-01", "12 smurf 2026", "3/13-2026"])
def test_bad_dates_are_errors(bad):
    with pytest.raises(RecordError, match="samtal1_datum.*inget giltigt datum"):
        validate({"samtal1_datum": bad})


def test_unknown_keys_are_rejected_by_name():
    with pytest.raises(RecordError) as err:
        validate({"utsatt": "A", "personnummer": "x", "Polisanmäld": "Ja"})
    assert 'okänt fält "personnummer"' in err.value.messages
    assert 'okänt fält "Polisanmäld"' in err.value.messages


def test_every_bad_field_is_listed():
    with pytest.raises(RecordError) as err:
        validate({"polisanmald": "kanske", "samtal2_datum": "snart"})
    assert len(err.value.messages) == 2


def test_text_has_no_length_limit_and_keeps_everything():
    text = "  å\tä\nö " * 20_000
    incident, warnings = validate({"handelse": text})
    assert incident.handelse == text and warnings == []


def test_xml_illegal_characters_are_dropped_with_a_warning():
    incident, warnings = validate({"handelse": "a\x00b\x1bc\x0cd", "sarbarheter_plan": ["x\x07y"]})
    assert incident.handelse == "abcd" and incident.sarbarheter_plan == ["xy"]
    assert len(warnings) == 2 and "handelse" in warnings[0]


def test_windows_line_ends_become_newlines():
    incident, _ = validate({"handelse": "a\r\nb\rc"})
    assert incident.handelse == "a\nb\nc"


@pytest.mark.parametrize("given, expected", [
    (["a", "b"], ["a", "b"]), (None, []), ([], []), (["a", "", None], ["a"]), (("a", "b"), ["a", "b"]),
])
def test_lists(given, expected):
    incident, _ = validate({"sarbarheter_rutin": given})
    assert incident.sarbarheter_rutin == expected


def test_lists_hold_at_most_four_one_line_items():
    with pytest.raises(RecordError, match="högst 4"):
        validate({"sarbarheter_rutin": ["1", "2", "3", "4", "5"]})
    with pytest.raises(RecordError, match="radbrytningar"):
        validate({"sarbarheter_rutin": ["a\nb"]})


def test_a_record_that_is_not_an_object_is_an_error():
    with pytest.raises(RecordError, match="inget objekt"):
        validate(["utsatt"])


def test_the_example_data_uses_every_field_and_leaves_some_janej_unanswered(example_records):
    first, second = example_records
    assert set(first) == {CASE_KEY} | {f.key for f in FIELDS}
    assert all(validate(first)[0].__getattribute__(f.key) not in (None, []) for f in FIELDS)
    assert any("\n" in v for v in first.values() if isinstance(v, str))
    assert any(second.get(f.key) is None for f in FIELDS if f.kind is Kind.JANEJ)


_ANY_VALUE = st.one_of(
    st.none(), st.text(), st.sampled_from(["Ja", "Nej", "ja", "X", "", " "]), st.booleans(), st.integers(),
    st.dates(), st.datetimes(), st.lists(st.one_of(st.text(), st.none()), max_size=6),
)


@pytest.mark.parametrize("kind, ready, not_ready", [
    (Kind.TEXT, "Hot\nvia sms", ""), (Kind.JANEJ, "Nej", "nej"), (Kind.DATE, dt.date(2026, 3, 12), "2026-03-12"),
    (Kind.LIST, ["Ett", "Två"], ["Ett", " "]),
])
def test_final_values_are_ready_and_others_are_not(kind, ready, not_ready):
    assert kinds.READY[kind](ready) and kinds.READY[kind](None if kind is not Kind.LIST else [])
    assert not kinds.READY[kind](not_ready)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(list(Kind)), _ANY_VALUE)
def test_a_value_taken_as_ready_is_what_cleaning_and_parsing_would_make_of_it(kind, value):
    if not kinds.READY[kind](value):
        return
    cleaned = value
    if isinstance(value, str):
        cleaned, dropped = kinds.clean_text(value)
        assert dropped == 0
    elif isinstance(value, list):
        assert all(kinds.clean_text(item) == (item, 0) for item in value)
    parsed = kinds.PARSERS[kind](cleaned)
    assert parsed == value and type(parsed) is type(value)


# --- pydantic's errors in Swedish: every kind of error the model's field types can give ---------------------


def test_errors_reached_through_validate_are_swedish_and_name_the_field():
    with pytest.raises(RecordError) as err:
        validate({"diarienummer": ["KS 1"], "sarbarheter_plan": ["1", "2", "3", "4", "5"], "personnummer": "x"})
    assert sorted(err.value.messages) == sorted([
        'fältet "diarienummer": värdet är ingen text',                                               # value_error
        'fältet "sarbarheter_plan" (Sårbarheter i planen): högst 4 punkter får plats, här finns 5',  # value_error
        'okänt fält "personnummer"',                                                                 # extra_forbidden
    ])
    assert {p.field: p.text for p in err.value.problems} == {  # the line without the field's name, for the web page
        "diarienummer": "värdet är ingen text", "sarbarheter_plan": "högst 4 punkter får plats, här finns 5",
        "personnummer": 'okänt fält "personnummer"'}
    with pytest.raises(RecordError) as err:
        validate({CASE_KEY: "x" * 256})
    assert [(p.field, p.message) for p in err.value.problems] == [
        (CASE_KEY, f'fältet "{CASE_KEY}": högst 255 tecken (Word sparar inte längre dokumentegenskaper)')]


def _raw_errors(data) -> list[str]:
    """The Swedish messages (and field keys) for pydantic's own errors on the model's field types, without the lenient parse.

    validate() parses every value before pydantic checks its type, so pydantic's type errors cannot reach
    it today; their translations still must hold when a parse lets a value through (or pydantic renames one).
    """
    from pydantic import ConfigDict, ValidationError, create_model

    from blankett import model

    raw = create_model("Raw", __config__=ConfigDict(extra="forbid"),
                       **{f.key: (model._TYPES[f.kind], None) for f in FIELDS})
    with pytest.raises(ValidationError) as exc:
        raw.model_validate(data)
    problems = [model._problem(e) for e in exc.value.errors(include_url=False)]
    fields = {p.field for p in problems}
    assert fields == ({None} if not isinstance(data, dict) else set(data)), fields  # each names its field's key
    return [p.message for p in problems]


@pytest.mark.parametrize("data, message", [
    ({"polisanmald": "kanske"}, 'fältet "polisanmald" (Polisanmäld): "kanske" är inte Ja eller Nej'),
    ({"sarbarheter_plan": [""]}, 'fältet "sarbarheter_plan" (Sårbarheter i planen): '
                                 "en punkt i listan måste vara en icke-tom rad"),
    ({"sarbarheter_plan": ["a\nb"]}, 'fältet "sarbarheter_plan" (Sårbarheter i planen): '
                                     "en punkt i listan måste vara en icke-tom rad"),
    ({"handelse": 5}, 'fältet "handelse" (Händelse): värdet är ingen text'),
    ({"samtal1_datum": "igår"}, 'fältet "samtal1_datum" (Samtal 1: datum): "igår" är inget giltigt datum '
                                "(skriv ÅÅÅÅ-MM-DD)"),
    (["utsatt"], "posten är inget objekt med fält"),
    ({"okänd": 1}, 'okänt fält "okänd"'),
    ({"sarbarheter_plan": "AAA"}, 'fältet "sarbarheter_plan" (Sårbarheter i planen): värdet är ingen lista'),
    ({"sarbarheter_plan": ["1", "2", "3", "4", "5"]},
     'fältet "sarbarheter_plan" (Sårbarheter i planen): högst 4 punkter får plats'),
], ids=["literal", "too_short", "pattern", "string_type", "date", "model_type", "extra_forbidden", "list_type",
        "too_long"])
def test_every_pydantic_error_of_the_field_types_is_translated(data, message):
    assert _raw_errors(data) == [message]


def test_a_key_that_is_no_text_is_one_swedish_line_not_pydantics_english():
    # the Python API takes any dict; a key that is no text used to come back as "Keys should be strings"
    with pytest.raises(RecordError) as err:
        blankett.validate({1: "x", None: "y", "handelse": "z", "okänd": 1})
    assert sorted(err.value.messages) == ['okänt fält "okänd"', "okänt fält 1: ett fälts namn är en text",
                                          "okänt fält None: ett fälts namn är en text"]
    assert sorted(p.field or "" for p in err.value.problems) == ["", "", "okänd"]  # 1 and None are no field's key


@pytest.mark.parametrize("key, name", [("handelse", 'fältet "handelse" (Händelse)'),
                                       (CASE_KEY, f'fältet "{CASE_KEY}"')])
def test_an_error_type_the_model_does_not_know_is_one_swedish_line_naming_the_field(key, name):
    # a real pydantic error of a type no field of the model gives (should pydantic add one): never its English,
    # and for the case number not the line about its length either
    from pydantic import ValidationError, create_model

    from blankett import model

    with pytest.raises(ValidationError) as exc:
        create_model("Other", **{key: (int, None)}).model_validate({key: "x"})
    assert [e["type"] for e in exc.value.errors()] == ["int_parsing"]
    problem = model._problem(exc.value.errors(include_url=False)[0])
    assert (problem.field, problem.message, problem.text) == (key, f"{name}: ogiltigt värde", "ogiltigt värde")


# --- lenient input: what programs and spreadsheets give for each kind --------------------------------------


@pytest.mark.parametrize("key, given, expected", [
    ("handelse", 5, "5"), ("handelse", 5.0, "5"), ("handelse", 2.5, "2.5"), ("handelse", "", None),
    ("handelse", dt.date(2026, 3, 12), "2026-03-12"),
    ("samtal1_datum", "", None), ("samtal1_datum", "  ", None), ("samtal1_datum", 20260312, dt.date(2026, 3, 12)),
    ("samtal1_datum", "2026-03-12T10:30:00+01:00", dt.date(2026, 3, 12)),
    ("samtal1_datum", "2026-03-12 10:30", dt.date(2026, 3, 12)),
    pytest.param("handelse", 10**4299, "1" + "0" * 4299, id="handelse-4300-siffror"),  # as many as Python writes
])
def test_numbers_dates_and_text_are_taken_as_a_person_meant_them(key, given, expected):
    assert getattr(validate({key: given})[0], key) == expected


@pytest.mark.parametrize("key, given, message", [
    ("handelse", True, '"true" är ingen text'),
    ("handelse", {"a": 1}, "värdet är ingen text"),
    ("samtal1_datum", 3.5, '"3.5" är inget giltigt datum (skriv ÅÅÅÅ-MM-DD)'),
    ("samtal1_datum", True, '"true" är inget giltigt datum (skriv ÅÅÅÅ-MM-DD)'),
    ("sarbarheter_plan", [1, 2], "varje punkt i listan ska vara en text"),
    ("sarbarheter_plan", {"a": 1}, NOT_A_LIST),
    # the schema says a list: text or a number is refused, as the API refuses it (a spreadsheet's reader splits
    # its cell into lines before the model sees it: test_load_spreadsheets)
    ("sarbarheter_plan", "AAA", NOT_A_LIST),
    ("sarbarheter_plan", "a\nb", NOT_A_LIST),
    ("sarbarheter_plan", 5, NOT_A_LIST),
    ("sarbarheter_rutin", True, NOT_A_LIST),
    # numbers that are no answer: Python's own line was English (past 4 300 digits), or the text was "nan"
    pytest.param("handelse", 10**4300, "talet med fler än 4300 siffror kan inte vara ett svar",
                 id="handelse-4301-siffror"),  # an id: pytest would name it by the number, which Python refuses
    pytest.param("samtal1_datum", -10**5000, "talet med fler än 4300 siffror kan inte vara ett svar",
                 id="samtal1_datum-5001-siffror"),
    pytest.param("polisanmald", 10**4300, "talet med fler än 4300 siffror är inte Ja eller Nej",
                 id="polisanmald-4301-siffror"),
    ("handelse", float("nan"), '"nan" är inget tal som kan vara ett svar (skriv svaret som text)'),
    ("handelse", float("-inf"), '"-inf" är inget tal som kan vara ett svar (skriv svaret som text)'),
    # a bad value is quoted on one line and at most 60 characters: a 300 kB cell was one 300 kB line, and a line
    # break in the value broke the message in two
    ("polisanmald", "kanske\r\nja", '"kanske ja" är inte Ja eller Nej'),
    pytest.param("samtal1_datum", "1" * 300_000, f'"{"1" * 60}…" är inget giltigt datum (skriv ÅÅÅÅ-MM-DD)',
                 id="samtal1_datum-300000-tecken"),
])
def test_values_of_the_wrong_type_are_named_in_swedish(key, given, message):
    with pytest.raises(RecordError) as err:
        validate({key: given})
    assert err.value.messages == [f'fältet "{key}" ({BY_KEY[key].column}): {message}']


@pytest.mark.parametrize("typed, expected", [
    ("12/3-2026", dt.date(2026, 3, 12)), ("12.3.2026", dt.date(2026, 3, 12)), ("2026/03/12", dt.date(2026, 3, 12)),
    ("måndag 2 mars 2026", dt.date(2026, 3, 2)), ("3:e maj 2026", dt.date(2026, 5, 3)),
    ("den 3 jan. 2026", dt.date(2026, 1, 3)), ("", None),
])
def test_dates_typed_into_a_form_in_swedish(typed, expected):
    assert kinds.parse_date(typed) == expected


@pytest.mark.parametrize("typed", ["31/2-2026", "30 februari 2026", "3 ju 2026", "12 smörgås 2026", "igår"])
def test_impossible_or_unknown_typed_dates_are_refused(typed):
    with pytest.raises(ValueError, match="inget giltigt datum"):
        kinds.parse_date(typed)


# --- the registration fields as document properties --------------------------------------------------------------


def test_the_registration_fields_become_document_properties_with_their_text():
    record = {CASE_KEY: "KS 2026/12", "handelsedatum": "12/3 2026", "typ": ["Våld", "hot"], "kanal": "sms",
              "handelse": "ingen egenskap"}
    answers = values(validate(record)[0])
    expected = [("Diarienummer", "KS 2026/12"), ("Handelsedatum", "2026-03-12"), ("Typ", "hot; våld"),
                ("Kanal", "sms")]
    assert registration_properties(answers) == expected  # a validated incident: a date, lists
    assert registration_properties(to_record(validate(record)[0])) == expected  # its JSON record: texts, lists
    assert registration_properties({"typ": "hot; våld", "handelsedatum": "2026-03-12"}) == [  # texts as given
        ("Handelsedatum", "2026-03-12"), ("Typ", "hot; våld")]


def test_empty_registration_fields_are_no_properties():
    assert registration_properties({CASE_KEY: "", "handelsedatum": None, "typ": [], "handelse": "x"}) == []
    assert registration_properties(values(validate({})[0])) == []


def test_registration_values_are_read_by_each_fields_property_name():
    stored = {"Diarienummer": "KS 1", "Typ": "hot; annat", "Annat": "x"}
    assert registration_values(stored.get) == {CASE_KEY: "KS 1", "typ": "hot; annat"}
    assert registration_values({}.get) == {}


_REGISTRATION = st.fixed_dictionaries({}, optional={
    CASE_KEY: st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), min_size=1, max_size=30),
    "handelsedatum": st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
    # a validated list is in the declared order
    "typ": st.sets(st.sampled_from(INCIDENT_TYPES)).map(lambda chosen: [v for v in INCIDENT_TYPES if v in chosen]),
    "kanal": st.sets(st.sampled_from(CHANNELS)).map(lambda chosen: [v for v in CHANNELS if v in chosen]),
})


@settings(derandomize=True, max_examples=200, deadline=None)
@given(_REGISTRATION)
def test_registration_fields_stored_as_properties_and_read_back_are_the_same_values(record):
    stored = dict(registration_properties(values(validate(record)[0])))
    back = values(validate(registration_values(stored.get))[0])
    assert {k: back[k] for k in record} == record
    assert all(back[k] in (None, []) for k in back if k not in record)
