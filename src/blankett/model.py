"""Validate: the pydantic model of one incident, derived from the form's declaration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, create_model
from pydantic import Field as PydField
from pydantic.functional_validators import BeforeValidator
from pydantic_core import ErrorDetails

from . import kinds
from .errors import Problem, RecordError
from .form import CASE_KEY as CASE_KEY  # the case number's key, named here too (its callers import it from here)
from .form import FIELDS, LIST_ITEMS, REGISTRATION, REGISTRATION_BY_KEY, Field, Kind, Registration
from .kinds import Value as Value  # one validated answer; named here too, beside Values

#: The case number's column head and document property.
CASE_LABEL = REGISTRATION_BY_KEY[CASE_KEY].label
#: Longest case number: Word keeps at most 255 characters of a document property, where the case number is stored.
CASE_MAX = 255

#: A validated incident's answers by field key (and :data:`CASE_KEY`): what fill writes into the form, and what
#: batch sends to a worker process (a plain dict pickles small, the model class does not).
Values = kinds.Values
#: A record as JSON gives and takes it: what ``fill`` reads and ``extract`` writes (dates as ÅÅÅÅ-MM-DD text).
Record = dict[str, Any]

# The model's field types, one per kind (type aliases, so that each is written once and mypy can read them).
_Text = str | None
_JaNej = Literal["Ja", "Nej"] | None
_Date = dt.date | None
_List = Annotated[list[Annotated[str, PydField(min_length=1, pattern=r"^[^\n\r]*$")]],
                  PydField(max_length=LIST_ITEMS)]  # maxItems in the schema too

#: The field type of each kind as pydantic checks it (type forms: run-time values, hence ``object``).
_TYPES: dict[Kind, object] = {Kind.TEXT: _Text, Kind.JANEJ: _JaNej, Kind.DATE: _Date, Kind.LIST: _List}

_KIND_DESCRIPTION = {
    Kind.TEXT: "Fritext; radbrytningar blir nya rader i svaret.",
    Kind.JANEJ: "Ja, Nej eller tomt (inte besvarat).",
    Kind.DATE: "Datum, ÅÅÅÅ-MM-DD.",
    Kind.LIST: f"Lista med högst {LIST_ITEMS} punkter, en rad per punkt.",
    Kind.CHOICES: "Lista med inget, ett eller flera av de tillåtna värdena (stora eller små bokstäver); "
                  "i en textcell skilda åt med ; , eller ny rad.",
}


NOT_A_LIST = f'{kinds.NOT_A_LIST} (skriv punkterna som en lista: ["första", "andra"])'
NOT_AN_OBJECT = "posten är inget objekt med fält"


def _cleaning(kind: Kind) -> Callable[[Any, ValidationInfo], Any]:
    """A before-validator: the kind's lenient parse, with XML-illegal characters dropped and counted."""
    parse = kinds.PARSERS[kind]
    ready = kinds.READY[kind]

    def validate(value: Any, info: ValidationInfo) -> Any:
        if ready(value):
            return value
        if kind is Kind.LIST and value is not None and not isinstance(value, (list, tuple)):
            # the schema says a list: "AAA" or 5 is refused, from JSON and the API alike (a spreadsheet's
            # cell is split into its lines by the reader, before it gets here)
            raise ValueError(NOT_A_LIST)
        dropped = 0
        if isinstance(value, str):
            value, dropped = kinds.clean_text(value)
        elif isinstance(value, (list, tuple)):
            cleaned: list[Any] = []
            for item in value:
                if isinstance(item, str):
                    item, n = kinds.clean_text(item)
                    dropped += n
                cleaned.append(item)
            value = cleaned
        if dropped and info.context is not None:
            info.context.setdefault("warnings", []).append(
                (info.field_name, f"{dropped} tecken som inte kan sparas i Word (styrtecken) togs bort")
            )
        return parse(value)

    return validate


def _parsed(kind: Kind) -> object:
    """The field type of a kind with the kind's lenient parse (and cleaning) run before pydantic's check."""
    return Annotated[_TYPES[kind], BeforeValidator(_cleaning(kind))]


def _canonical(choices: tuple[str, ...]) -> Callable[[list[str]], list[str]]:
    """A multi-choice field's values as declared (any case in, the declared spelling out), each once, in the
    declared order; a value not declared is refused with the allowed ones named."""
    by_fold = {c.casefold(): c for c in choices}

    def canonical(given: list[str]) -> list[str]:
        unknown = [v for v in given if v.casefold() not in by_fold]
        if unknown:
            raise ValueError(f'{kinds.quoted(unknown[0])} är inget av de tillåtna värdena ({", ".join(choices)})')
        chosen = {by_fold[v.casefold()] for v in given}
        return [c for c in choices if c in chosen]

    return canonical


def _registration_definition(r: Registration) -> tuple[object, object]:
    """One registration field as ``create_model`` takes it: its kind's type, or a list of its allowed values."""
    extra: dict[str, Any] = {"x-kind": r.kind.value, "x-property": r.prop}
    if r.kind is Kind.CHOICES:
        allowed: object = list[Literal.__getitem__(r.choices)]  # type: ignore[misc]  # the values are data
        kind_type: object = Annotated[allowed, BeforeValidator(_canonical(r.choices)),
                                      BeforeValidator(_cleaning(Kind.CHOICES))]
        extra["uniqueItems"] = True
        default: object = PydField(default_factory=list, title=r.label, json_schema_extra=extra,
                                   description=f"{r.description} — {_KIND_DESCRIPTION[r.kind]}")
        return kind_type, default
    default = PydField(default=None, title=r.label, json_schema_extra=extra,
                       max_length=CASE_MAX if r.kind is Kind.TEXT else None,
                       description=f"{r.description} — {_KIND_DESCRIPTION[r.kind]}")
    return _parsed(r.kind), default


def _field_definition(f: Field) -> tuple[object, object]:
    """One field as ``create_model`` takes it: (type form, pydantic ``FieldInfo``)."""
    # pydantic types Field() as its default's type so that it fits a class attribute; it is a FieldInfo
    default: object = PydField(
        default_factory=list if f.kind is Kind.LIST else lambda: None,
        title=f.column,
        description=f"{f.question} — {_KIND_DESCRIPTION[f.kind]}",
        json_schema_extra={"x-section": f.section, "x-kind": f.kind.value},
    )
    return _parsed(f.kind), default


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, title="Bilaga 5 – incident")


def _build_incident() -> type[BaseModel]:
    """The model of one incident, made from the form's declaration. Called once, at import, to make
    :data:`Incident`; a function so that a test can build the model afresh and see each step of the making."""
    # ``Any``: create_model takes its field definitions as keyword arguments beside its own (``__doc__``,
    # ``__base__``, …), so a precise value type would have to fit all of those too.
    definitions: dict[str, Any] = {
        **{r.key: _registration_definition(r) for r in REGISTRATION},
        **{f.key: _field_definition(f) for f in FIELDS},
    }
    return create_model(
        "Incident",
        __base__=_Base,
        __doc__="En incidentrapport (Bilaga 5) med alla fält i blankettens ordning.",
        **definitions,
    )


#: The model of one incident. Its fields are made from :data:`FIELDS` at run time, so the type checker sees a
#: plain ``BaseModel`` (true, and all it can know): read a validated incident's answers with :func:`values`.
Incident: type[BaseModel] = _build_incident()


def values(incident: BaseModel) -> Values:
    """A validated incident's answers by key: each one a :data:`Value` (the model's field types say so)."""
    return dict(incident)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one incident record."""
    return Incident.model_json_schema()


def _field_name(key: str) -> str:
    from .form import BY_KEY

    f = BY_KEY.get(key)
    return f'fältet "{f.key}" ({f.column})' if f is not None else f'fältet "{key}"'  # registration: no label


def _problem(err: ErrorDetails) -> Problem:
    """One pydantic error as the field's key and the Swedish line that names it."""
    loc = [str(p) for p in err["loc"]]
    key = loc[0] if loc else ""
    typ = err["type"]
    if typ == "extra_forbidden":
        return Problem(key or None, f"okänt fält {kinds.quoted(key)}")
    if typ == "invalid_key":  # a key that is no text (the Python API takes any dict): no field's key
        return Problem(None, f"okänt fält {key}: ett fälts namn är en text")
    if typ == "value_error":
        text = str(err["ctx"]["error"])  # the ValueError a before-validator raised
    elif typ == "literal_error":
        text = f'{kinds.quoted(err.get("input"))} är inte Ja eller Nej'
    elif typ == "string_too_long" and key in REGISTRATION_BY_KEY:
        text = f"högst {CASE_MAX} tecken (Word sparar inte längre dokumentegenskaper)"
    elif typ.startswith("string_pattern") or typ == "string_too_short":
        text = "en punkt i listan måste vara en icke-tom rad"
    elif typ == "string_type":
        text = kinds.NOT_TEXT
    elif typ == "list_type":
        text = kinds.NOT_A_LIST
    elif typ == "too_long":
        text = kinds.TOO_MANY_ITEMS
    elif typ.startswith("date"):
        text = f'{kinds.quoted(err.get("input"))} är inget giltigt datum (skriv ÅÅÅÅ-MM-DD)'
    elif typ == "model_type":
        return Problem(None, NOT_AN_OBJECT)
    else:  # an error type pydantic may add: pydantic's own text is English, so the line says only this
        text = "ogiltigt värde"
    return Problem(key or None, f"{_field_name(key)}: {text}", text)


def validate(data: Any) -> tuple[BaseModel, list[str]]:
    """The validated incident and its warnings; :class:`RecordError` lists every bad field."""
    if not isinstance(data, dict):
        raise RecordError([f'{NOT_AN_OBJECT} (förväntade {{"fält": värde, …}})'])
    context: dict[str, list[tuple[str, str]]] = {}  # the validators' warnings: (field key, text)
    try:
        incident = Incident.model_validate(data, context=context)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        problems = [_problem(e) for e in errors]
        raise RecordError([p.message for p in problems], problems) from None
    warnings = [f"{_field_name(k)}: {text}" for k, text in context.get("warnings", [])]
    return incident, warnings


def to_record(incident: BaseModel) -> Record:
    """The incident as a JSON-ready record (the format ``fill`` reads and ``extract`` writes)."""
    return incident.model_dump(mode="json")


# --- the registration fields as document properties (fill writes them, every reader reads them) -------------


def registration_properties(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The registration fields a record or validated incident carries, as (property name, text); empty ones left
    out, so that a form without them carries no such property."""
    found = []
    for r in REGISTRATION:
        value = record.get(r.key)
        if value is not None and value != [] and value != "":
            found.append((r.prop, kinds.text_of(r.kind, value)))  # a text stays itself
    return found


def registration_values(read: Callable[[str], str | None]) -> dict[str, str]:
    """The registration fields a document carries, by key: ``read(property name)`` gives each one's text or
    None; the model parses them as it parses any answer (a date, values split at ; , or new lines)."""
    return {r.key: text for r in REGISTRATION if (text := read(r.prop)) is not None}
