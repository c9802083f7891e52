"""The building of the model: each field's definition and each kind's cleaning, seen on a model built afresh.

``model.Incident`` is built once, at import; these tests build another through the same function
(``_build_incident``), so that what the building does is seen by the test that checks it (a mutation tool picks
its mutant when a function is called, which the import does before any test runs). Expected values come from
the form's declaration (form.py) and the literals written here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import blankett
from blankett import model
from blankett.form import CASE_KEY, CHANNELS, FIELDS, INCIDENT_TYPES, REGISTRATION, Kind

# --- the declaration's side, written out by hand ----------------------------------------------------------------

#: Each kind's line in a field's description, after its question and " — ".
KIND_TEXT = {
    Kind.TEXT: "Fritext; radbrytningar blir nya rader i svaret.",
    Kind.JANEJ: "Ja, Nej eller tomt (inte besvarat).",
    Kind.DATE: "Datum, ÅÅÅÅ-MM-DD.",
    Kind.LIST: "Lista med högst 4 punkter, en rad per punkt.",
    Kind.CHOICES: "Lista med inget, ett eller flera av de tillåtna värdena (stora eller små bokstäver); "
                  "i en textcell skilda åt med ; , eller ny rad.",
}
KIND_NAME = {Kind.TEXT: "text", Kind.JANEJ: "janej", Kind.DATE: "date", Kind.LIST: "list", Kind.CHOICES: "choices"}
#: One field of each kind (a form field, or a registration field for the multi-choice kind).
FIELD_OF = {Kind.TEXT: "handelse", Kind.JANEJ: "polisanmald", Kind.DATE: "samtal1_datum",
            Kind.LIST: "sarbarheter_plan", Kind.CHOICES: "typ"}
#: The characters XML 1.0 cannot hold, as the XML specification lists them (C0 controls but TAB, LF and CR;
#: U+FFFE, U+FFFF; a lone surrogate).
ILLEGAL = [chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + ["\ufffe", "\uffff", "\ud800"]


def _warning(count: int) -> str:
    return f"{count} tecken som inte kan sparas i Word (styrtecken) togs bort"


@pytest.fixture
def fresh() -> type[BaseModel]:
    # built for each test (11 ms), not once per module: a mutation tool runs only the tests that called the
    # mutated function, and a module's fixture is made while its first test alone runs
    return model._build_incident()


def _valid(fresh: type[BaseModel], data: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The fresh model's answers for ``data`` and the warnings its validators left in the context."""
    context: dict[str, list[tuple[str, str]]] = {}
    incident = fresh.model_validate(data, context=context)
    return dict(incident), context.get("warnings", [])


def _refused(fresh: type[BaseModel], data: dict[str, Any]) -> list[tuple[str, str]]:
    """(error type, Swedish text) of each error the fresh model gives for ``data``."""
    with pytest.raises(ValidationError) as exc:
        fresh.model_validate(data, context={})
    return [(e["type"], model._problem(e).text) for e in exc.value.errors(include_url=False)]


# --- the model in use is one object, built once ------------------------------------------------------------------


def test_the_model_in_use_is_one_object_and_a_fresh_one_is_built_the_same(fresh):
    assert fresh is not model.Incident
    assert blankett.schema() == model.json_schema() == model.Incident.model_json_schema() == fresh.model_json_schema()
    from blankett import model as again

    assert again.Incident is model.Incident  # importing again builds nothing
    assert type(model.validate({})[0]) is model.Incident


# --- the model: its name, base and order -------------------------------------------------------------------------


def test_a_fresh_model_is_the_frozen_strict_incident_with_every_key_in_the_forms_order(fresh):
    schema = fresh.model_json_schema()
    assert fresh.__name__ == "Incident"
    assert schema["title"] == "Bilaga 5 – incident"
    assert schema["description"] == "En incidentrapport (Bilaga 5) med alla fält i blankettens ordning."
    assert schema["additionalProperties"] is False
    assert list(schema["properties"]) == [r.key for r in REGISTRATION] + [f.key for f in FIELDS]
    with pytest.raises(ValidationError, match="extra_forbidden|Extra inputs"):
        fresh.model_validate({"personnummer": "x"})
    incident = fresh.model_validate({"handelse": "a"})
    with pytest.raises(ValidationError, match="frozen"):
        incident.handelse = "b"  # type: ignore[attr-defined]  # a field made at run time


#: The registration fields that are lists of declared choices (incident type, channel).
CHOICE_KEYS = {r.key for r in REGISTRATION if r.kind is Kind.CHOICES}


# --- each field's definition -------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", FIELDS, ids=[f.key for f in FIELDS])
def test_each_field_is_defined_from_its_declaration(fresh, field):
    prop = fresh.model_json_schema()["properties"][field.key]
    assert prop["title"] == field.column
    assert prop["description"] == f"{field.question} — {KIND_TEXT[field.kind]}"
    assert prop["x-section"] == field.section and prop["x-kind"] == KIND_NAME[field.kind]
    assert "maxLength" not in prop  # a form field's text has no length limit


@pytest.mark.parametrize("reg", REGISTRATION, ids=[r.key for r in REGISTRATION])
def test_each_registration_field_is_defined_from_its_declaration(fresh, reg):
    prop = fresh.model_json_schema()["properties"][reg.key]
    assert prop["title"] == reg.label
    assert prop["description"] == f"{reg.description} — {KIND_TEXT[reg.kind]}"
    assert prop["x-kind"] == KIND_NAME[reg.kind] and prop["x-property"] == reg.prop
    text = [s for s in prop.get("anyOf", [prop]) if s.get("type") == "string"]
    assert [s.get("maxLength") for s in text] == ([255] if reg.key == CASE_KEY else [None] if text else [])
    if reg.kind is Kind.CHOICES:
        assert prop["uniqueItems"] is True and prop["type"] == "array"
        assert prop["items"]["enum"] == list(reg.choices)
    else:
        assert "uniqueItems" not in prop


def test_an_empty_incident_has_an_empty_list_for_lists_and_none_for_every_other_field(fresh):
    empty = dict(fresh())
    lists = {f.key for f in FIELDS if f.kind is Kind.LIST} | CHOICE_KEYS
    assert {k for k, v in empty.items() if v == [] and type(v) is list} == lists
    assert all(v is None for k, v in empty.items() if k not in lists)
    assert len(empty) == len(FIELDS) + len(REGISTRATION)


def test_each_default_list_is_a_fresh_object(fresh):
    one, other = fresh(), fresh()
    for key in [f.key for f in FIELDS if f.kind is Kind.LIST] + sorted(CHOICE_KEYS):
        assert getattr(one, key) is not getattr(other, key), key
        getattr(one, key).append("x")  # the model is frozen, its lists are not: one incident's must not leak
        assert getattr(other, key) == [] and getattr(fresh(), key) == [], key


# --- each kind's lenient parse and cleaning ----------------------------------------------------------------------


@pytest.mark.parametrize("kind, given, expected", [
    (Kind.TEXT, "Hot\nvia sms", "Hot\nvia sms"), (Kind.TEXT, None, None),
    (Kind.JANEJ, "Nej", "Nej"), (Kind.JANEJ, None, None),
    (Kind.DATE, dt.date(2026, 3, 12), dt.date(2026, 3, 12)), (Kind.DATE, None, None),
    (Kind.LIST, ["Ett", "Två"], ["Ett", "Två"]), (Kind.LIST, [], []),
    (Kind.CHOICES, ["hot", "våld"], ["hot", "våld"]),
])
def test_a_final_value_comes_through_as_it_was_given_without_a_warning(fresh, kind, given, expected):
    answers, warnings = _valid(fresh, {FIELD_OF[kind]: given})
    assert answers[FIELD_OF[kind]] == expected and warnings == []


@pytest.mark.parametrize("kind, given, expected", [
    (Kind.TEXT, "12", "12"), (Kind.TEXT, 12, "12"), (Kind.TEXT, "", None), (Kind.TEXT, "a\r\nb", "a\nb"),
    (Kind.JANEJ, "ja", "Ja"), (Kind.JANEJ, "x", "Ja"), (Kind.JANEJ, False, "Nej"), (Kind.JANEJ, "", None),
    (Kind.DATE, "12/3 2026", dt.date(2026, 3, 12)), (Kind.DATE, 20260312, dt.date(2026, 3, 12)),
    (Kind.LIST, ["a", "", None, " "], ["a"]), (Kind.LIST, ("a", "b"), ["a", "b"]), (Kind.LIST, None, []),
    (Kind.CHOICES, "Hot; VÅLD", ["hot", "våld"]), (Kind.CHOICES, ("annat", None, "hot"), ["hot", "annat"]),
    (Kind.CHOICES, ["våld", "HOT", "hot"], ["hot", "våld"]),
])
def test_each_kind_parses_leniently_without_a_warning_when_nothing_is_dropped(fresh, kind, given, expected):
    answers, warnings = _valid(fresh, {FIELD_OF[kind]: given})
    assert answers[FIELD_OF[kind]] == expected and warnings == []


@pytest.mark.parametrize("kind, given, expected, dropped", [
    (Kind.TEXT, "a\x00b\x1bc", "abc", 2),
    (Kind.JANEJ, "J\x07a", "Ja", 1),  # cleaned before it is parsed: "Ja" once the bell is gone
    (Kind.DATE, "2026-03-\x0b12", dt.date(2026, 3, 12), 1),
    (Kind.LIST, ["a\x00", "b\x01\x02", None, "c"], ["a", "b", "c"], 3),  # counted over the items
    (Kind.LIST, ("\ufffex", "y\uffff"), ["x", "y"], 2),
    (Kind.CHOICES, "hot\x00;\x1fvåld", ["hot", "våld"], 2),
    (Kind.CHOICES, ["HOT\x00", "sms\x01"], None, 2),  # a channel is no type: cleaned, counted, then refused
])
def test_control_characters_are_dropped_and_counted_in_one_warning_naming_the_field(fresh, kind, given, expected,
                                                                                     dropped):
    key = FIELD_OF[kind]
    if expected is None:
        context: dict[str, list[tuple[str, str]]] = {}
        with pytest.raises(ValidationError) as exc:
            fresh.model_validate({key: given}, context=context)
        assert [model._problem(e).text for e in exc.value.errors()] == [
            '"sms" är inget av de tillåtna värdena '
            "(trakasserier, hot, våld, skadegörelse, stöld, korruptionsförsök, annat)"]
        assert context["warnings"] == [(key, _warning(dropped))]
        return
    answers, warnings = _valid(fresh, {key: given})
    assert answers[key] == expected
    assert warnings == [(key, _warning(dropped))]


def test_every_field_warns_under_its_own_key(fresh):
    data = {f.key: "\x00" for f in FIELDS if f.kind is not Kind.LIST} | {"typ": "\x00", CASE_KEY: "\x01KS"}
    _, warnings = _valid(fresh, data)
    assert sorted(warnings) == sorted((k, _warning(1)) for k in data)


def test_without_a_context_the_characters_are_dropped_and_nothing_is_collected(fresh):
    # a caller that asks for no warnings (model_validate without a context) still gets the cleaned value
    incident = fresh.model_validate({"handelse": "a\x00b", "sarbarheter_plan": ["c\x01"]})
    assert incident.handelse == "ab" and incident.sarbarheter_plan == ["c"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("given", ["AAA", "a\nb", "", 5, 0, True, False, 2.5, {"a": 1}, {"a"}, b"ab"])
def test_a_list_field_refuses_any_value_that_is_no_list(fresh, given):
    assert _refused(fresh, {"sarbarheter_rutin": given}) == [
        ("value_error", 'värdet är ingen lista (skriv punkterna som en lista: ["första", "andra"])')]


@pytest.mark.parametrize("kind, given", [(Kind.TEXT, ["a"]), (Kind.JANEJ, ["Ja"]), (Kind.DATE, "igår")])
def test_only_a_list_field_says_no_list(fresh, kind, given):
    [(typ, text)] = _refused(fresh, {FIELD_OF[kind]: given})
    assert typ == "value_error" and "ingen lista" not in text


# --- a property: control characters put into any good value come out, counted, and the value is kept ----------

_LINE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(
    lambda t: t.strip() != "" and "\ufffe" not in t and "\uffff" not in t)
_VALUES = {
    Kind.TEXT: _LINE,
    Kind.JANEJ: st.sampled_from(["Ja", "Nej", "ja", "NEJ", "x", "n", "true", "0"]),
    Kind.DATE: st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat),
    Kind.LIST: st.lists(_LINE, max_size=4),
    Kind.CHOICES: st.lists(st.sampled_from(INCIDENT_TYPES), unique=True),
}


def _dirty(draw: st.DrawFn, text: str) -> tuple[str, int]:
    """``text`` with XML-illegal characters put in at drawn places, and how many."""
    inserts = draw(st.lists(st.tuples(st.integers(0, len(text)), st.sampled_from(ILLEGAL)), max_size=4))
    chars = list(text)
    for at, char in sorted(inserts, reverse=True):
        chars.insert(at, char)
    return "".join(chars), len(inserts)


@st.composite
def _dirtied(draw: st.DrawFn) -> tuple[Kind, Any, Any, int]:
    kind = draw(st.sampled_from(list(Kind)))
    clean = draw(_VALUES[kind])
    if isinstance(clean, list):
        pairs = [_dirty(draw, item) for item in clean]
        return kind, clean, [d for d, _ in pairs], sum(n for _, n in pairs)
    dirty, n = _dirty(draw, clean)
    return kind, clean, dirty, n


def test_xml_illegal_characters_in_any_value_are_dropped_and_counted_and_the_value_kept(fresh):
    @settings(derandomize=True, max_examples=300, deadline=None)
    @given(_dirtied())
    def check(case: tuple[Kind, Any, Any, int]) -> None:  # one model for all examples (a fixture is per test)
        kind, clean, dirty, dropped = case
        key = FIELD_OF[kind]
        answers, warnings = _valid(fresh, {key: dirty})
        assert answers[key] == _valid(fresh, {key: clean})[0][key]
        assert warnings == ([(key, _warning(dropped))] if dropped else [])
        if kind in (Kind.TEXT, Kind.LIST):  # the answer is the text given, character for character
            assert answers[key] == clean

    check()


def test_the_registrations_choices_are_the_declared_ones(fresh):
    assert _valid(fresh, {"kanal": list(reversed(CHANNELS))})[0]["kanal"] == list(CHANNELS)
    assert _valid(fresh, {"typ": [t.upper() for t in INCIDENT_TYPES]})[0]["typ"] == list(INCIDENT_TYPES)
