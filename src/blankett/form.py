"""Declare: Bilaga 5, its fields and its layout, declared once.

The form is a list of sections; each section is a list of rows in the order
they are printed. A row that holds an answer carries its :class:`Field`, so the
field list (:data:`FIELDS`) is read off the layout and never written twice.
The template builder walks the rows; the model, fill, read-back, workbook and
JSON Schema walk :data:`FIELDS`. Adding a field is adding one row here.

The printed texts are verbatim from the original form (typos included).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field


class Kind(enum.StrEnum):
    """How a field is answered."""

    TEXT = "text"
    JANEJ = "janej"
    DATE = "date"
    LIST = "list"
    #: One or more of a fixed set of values (the coded registration fields only; never on the form).
    CHOICES = "choices"


#: The form's language (documents, PDF metadata, date controls).
LANGUAGE = "sv-SE"

#: The body text's size in points (questions, answers, the Ja/Nej labels). A check box control is drawn as a
#: square one em of it high (LibreOffice's PDF widget is 10.6 pt), which is where a scan's reader looks for it.
BODY_PT = 10.5

#: Answer rows in each list field (the form prints four lines to write on).
LIST_ITEMS = 4

#: What an empty answer holds: figure spaces (U+2007, blank and unbreakable), a place to click about 4 cm wide
#: that prints as nothing. Not a grey hint: Writer gives text typed or pasted over a placeholder the
#: placeholder's formatting, so answers came out grey, and a hint typed into without selecting it stayed in
#: the answer; these blanks leave nothing visible. Each question's own hint stands beside it. (No-break
#: spaces would do for Word, but LibreOffice makes no PDF form field of a control holding only those.)
BLANK_PLACEHOLDER = "\u2007" * 20
#: Word's placeholder for a control emptied by hand when it names none (ECMA-376 §17.5.2.25): five no-break spaces.
WORD_DEFAULT_PLACEHOLDER = "\u00a0" * 5
#: The placeholder an empty control shows, by kind. It is never an answer: read-back removes it wherever it
#: is found (alone, or left beside what a person typed), whatever the control's placeholder flag says.
PLACEHOLDER = {
    Kind.TEXT: BLANK_PLACEHOLDER,
    Kind.DATE: BLANK_PLACEHOLDER,
    Kind.LIST: BLANK_PLACEHOLDER,
}
#: The grey hints of forms sent out before (up to issue 17): read as no answer, as they always were.
OLD_PLACEHOLDERS = ("Skriv svaret här.", "Välj datum (ÅÅÅÅ-MM-DD).", "Skriv en punkt här.")


@dataclass(frozen=True)
class Field:
    """One answer on the form: its key is the content control's tag and the data key."""

    key: str
    label: str
    kind: Kind
    section: str = ""
    short: str = ""
    hint: str = ""
    multiline: bool = True
    lines: int = 1

    @property
    def column(self) -> str:
        """Swedish column header: the short label, or the label itself."""
        return self.short or self.label

    @property
    def question(self) -> str:
        """The full question as printed, hint included."""
        return f"{self.label}\n{self.hint}" if self.hint else self.label

    def tags(self) -> list[str]:
        """The content-control tags this field owns in the .docx."""
        if self.kind is Kind.JANEJ:
            return [janej_tag(self.key, "Ja"), janej_tag(self.key, "Nej")]
        if self.kind is Kind.LIST:
            return [list_tag(self.key, i) for i in range(1, LIST_ITEMS + 1)]
        return [self.key]

    def control_label(self, tag: str) -> str:
        """The Swedish name of one of this field's controls (its alias in Word, its tooltip in PDF).

        A screen reader says it when the control is reached, so it names where the control is: the follow-up
        talk's title or the checklist step before the label (:data:`PLACES`), e.g. "Uppföljningssamtal 2: Datum".
        """
        place = PLACES.get(self.key, "")
        label = f"{place}: {self.label.rstrip(':').rstrip()}" if place else self.label
        if self.kind is Kind.JANEJ:
            return f"{label} – {tag.rsplit('=', 1)[1]}"
        if self.kind is Kind.LIST:
            return f"{label} (punkt {tag.rsplit('#', 1)[1]})"
        return label


def janej_tag(key: str, answer: str) -> str:
    """Tag of the Ja or Nej checkbox of a Ja/Nej field."""
    return f"{key}={answer}"


def list_tag(key: str, number: int) -> str:
    """Tag of item ``number`` (1-based) of a list field."""
    return f"{key}#{number}"


# --- rows of the layout ---------------------------------------------------


@dataclass(frozen=True)
class Question:
    """Section 1: question and hint on the left, the answer on the right."""

    field: Field


#: The page footer's column heads (the municipality's address, phone, web and org.nr stand under them).
FOOTER_HEADS = ("Postadress", "Besöksadress", "Telefon/Fax", "Webb/E-post", "Org.nr")


@dataclass(frozen=True)
class TableHeader:
    """The checklist's header row (repeated on every page)."""

    cells: tuple[str, str, str] = ("", "Åtgärd", "Ansvar")


@dataclass(frozen=True)
class Step:
    """A checklist step: number (or empty), action, who is responsible."""

    number: str
    action: str
    responsible: str


@dataclass(frozen=True)
class Bullets:
    """A checklist row holding a bulleted list in the action cell."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Check:
    """A ``Check!`` row: a Ja/Nej question, or a prompt with free text."""

    field: Field
    first: bool = True


@dataclass(frozen=True)
class Comment:
    """A prompt in the checklist followed by free-text space."""

    field: Field


@dataclass(frozen=True)
class Talk:
    """A follow-up talk block: a title and its fields (date, present, documentation)."""

    title: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Findings:
    """A prompt followed by lines to write on (a list field)."""

    field: Field


#: Any row of the layout. Adding a kind of row is adding it here; mypy then points at every ``match`` over rows that must say how to handle it.
Row = Question | TableHeader | Step | Bullets | Check | Comment | Talk | Findings


@dataclass(frozen=True)
class Section:
    """A heading and the rows under it: free rows, or checklist tables of rows."""

    heading: str
    rows: tuple[Row, ...] = ()
    tables: tuple[tuple[Row, ...], ...] = dc_field(default_factory=tuple)


# --- the form ---------------------------------------------------------------

TITLE = "Incidentrapport och händelsedokumentation"
SUBTITLE = "Hot- och våldssituationer samt trakasserier riktade mot förtroendevalda"
INTRO = (
    "Incident- och händelsedokumentation görs av berört partis säkerhetsansvarig "
    "enskilt (tillämpliga delar) eller i samråd/samverkan med kommunens säkerhetsstrateg.",
    "Mall för dokumentation finns tillgänglig på kommunens hemsida/för dig som är "
    "förtroendevald. ",
)

S1 = "1. Incidentrapport"
S2 = (
    "2. Checklista för åtgärder enligt kommunens rutin för hantering av hot- och "
    "våldssituationer eller trakasserier riktade mot förtroendevalda"
)
S3 = "3. Stöd på längre sikt"
S4 = "Uppföljning"


def _q(key: str, label: str, hint: str, short: str, lines: int) -> Question:
    return Question(Field(key, label, Kind.TEXT, S1, short, hint, True, lines))


def _janej(key: str, label: str, short: str, first: bool = False, section: str = S2) -> Check:
    return Check(Field(key, label, Kind.JANEJ, section, short, multiline=False), first)


def _comment(key: str, label: str, short: str, lines: int = 2) -> Comment:
    return Comment(Field(key, label, Kind.TEXT, S2, short, lines=lines))


def _talk(n: int, title: str) -> Talk:
    sect = S3
    return Talk(
        title,
        (
            Field(f"samtal{n}_datum", "Datum", Kind.DATE, sect, f"Samtal {n}: datum", multiline=False),
            Field(f"samtal{n}_narvarande", "Närvarande", Kind.TEXT, sect, f"Samtal {n}: närvarande", lines=2),
            Field(
                f"samtal{n}_dokumentation",
                "Dokumentation av nuläge och behov av fortsatt stöd till den utsatte",
                Kind.TEXT,
                sect,
                f"Samtal {n}: dokumentation",
                lines=8,
            ),
        ),
    )


SECTIONS: tuple[Section, ...] = (
    Section(
        S1,
        rows=(
            _q("rapporterad_av", "Vem rapporterar incidenten?",
               "(Namn, funktion, relation till den utsatte)", "Rapporterad av", 1),
            _q("utsatt", "Vem utsattes?", "(Namn, vilken nämnd/styrelse)", "Utsatt person", 2),
            _q("handelse", "Vad utsattes personen för?",
               "(Beskriv detaljrikt händelsen. Trakasserier, hot, skadegörelse, våld, korruption? "
               "Via brev, telefonsamtal, sms/mms, personligt framfört)", "Händelse", 6),
            _q("tid_och_plats", "När och var inträffade händelsen?",
               "(Plats och tidpunkt samt i vilket sammanhang händelsen inträffade.", "Tid och plats", 2),
            _q("vittnen", "Var det någon annan som såg händelsen?",
               "(T.ex. annan förtroendevald, familjemedlem? Nådde hotet fram till den tänka mottagaren?)",
               "Vittnen", 4),
            _q("forovare", "Vem/vilka utsatte den förtroendevalde?",
               "(Känd/okänd förövare? En eller flera personer? Kön, ungefärlig ålder? Dialekt? "
               "Har förövaren utsatt andra förtroendevalda?)", "Förövare", 5),
            _q("forovare_grupp", "Antas förövaren tillhöra en grupp/falang av något slag?",
               "(Ja/nej? Om ja, vilken?)", "Grupp/falang", 4),
            _q("utlosande_faktor", "Finns någon känd utlösande faktor?",
               "(T.ex. särskild politisk fråga, ett beslut, annat?)", "Utlösande faktor", 4),
            _q("beslut_om_atgarder", "Beslut om eventuella åtgärder?",
               "(Ex. polisanmälan, skyddsåtgärder för den utsatte)", "Beslut om åtgärder", 5),
            _q("upplevelse", "Hur upplevde den utsatte incidenten?",
               "(Skrämmande eller inte? Allvarligt menad eller inte?", "Upplevelse", 6),
        ),
    ),
    Section(
        S2,
        tables=(
            (
                TableHeader(),
                Step("3.1.1", "Den som har blivit utsatt för hot, våld etc informerar partiets säkerhetsansvarig.",
                     "Den utsatte. Själv eller genom eget valt ombud, t ex initialt stöd"),
                Step("", "Den utsatte och partiets säkerhetsansvarig gör en bedömning av situationen och "
                     "kontaktar vid behov kommunens säkerhetsstrateg.", "Partiets säkerhetsansvarig"),
                Step("", "Vid behov kontaktas kommunens säkerhetsstrateg", "Partiets säkerhetsansvarig"),
                _janej("sakerhetsstrateg_kontaktad", "Har kommunens säkerhetsstrateg kontaktats?",
                       "Säkerhetsstrateg kontaktad", first=True),
                _comment("kommentar_3_1_1", "Kommentar:", "Kommentar 3.1.1"),
                Step("3.1.2", "Polisen kontaktas för bedömning av om händelsen bör anmälas. Vid kontakt anges "
                     "att händelsen har koppling till den utsattes politiska uppdrag.",
                     "Kommunens säkerhetsstrateg"),
                Step("3.1.3", "Polisanmälan görs om den utsatte beslutar så", "Kommunchefen"),
                Step("", "Anmälaren begär att polisanmälan blir åtkomstskyddad", "Kommunchefen"),
                Step("", "Anmälaren uppger att händelsen har koppling till den utsattes politiska uppdrag",
                     "Kommunchefen"),
                _janej("polis_kontaktad", "Har polisen kontaktats för en bedömning av händelsen?",
                       "Polis kontaktad", first=True),
                _janej("polisanmald", "Har händelsen polisanmälts?", "Polisanmäld"),
                _comment("kommentar_3_1_3", "Kommentar:", "Kommentar 3.1.2–3.1.3"),
                Step("3.2.1", "Den utsatte har fått initialt stöd (t ex från kamrat) för att inte lämnas ensam "
                     "i den utsatta situationen", "Partiets säkerhetsansvarig"),
                Step("", "Den utsatte har valt en stödperson, t ex anhörig, som den initiala stödpersonen "
                     "kan kontakta.", "Partiets säkerhetsansvarig"),
                _janej("initialt_stod", "Har den utsatte fått initialt stöd den utsatta situationen?",
                       "Initialt stöd", first=True),
                _janej("anhoriga_informerade", "Har den utsattes anhöriga informerats?", "Anhöriga informerade"),
                _janej("stodperson_vald", "Har den utsatte valt en stödperson?", "Stödperson vald"),
                _comment("kommentar_stod", "Kommentar, vem stöttade initialt? Vem valdes som stödperson?",
                         "Kommentar 3.2.1", lines=5),
            ),
            (
                TableHeader(),
                Step("3.2.2", "Den utsatte har sällskap vid transport till, och i avvaktan på, sjukvård.",
                     "Partiets säkerhetsansvarig"),
                Step("", "Den utsatte har sällskap vid transport till hemmet eller annan vald plats.",
                     "Partiets säkerhetsansvarig"),
                Step("", "Den utsatte har sällskap i hemmet eller annan vald plats i avvaktan på vald "
                     "stödperson, t ex anhörig", "Partiets säkerhetsansvarig"),
                _janej("sallskap_sjukvard", "Har den utsatte fått sällskap till, och i avvaktan på, sjukvård?",
                       "Sällskap till sjukvård", first=True),
                _janej("sallskap_transport",
                       "Har den utsatte haft sällskap vid transport samt i avvaktan på stödperson?",
                       "Sällskap vid transport"),
                _comment("kommentar_sallskap", "Kommentar, Vem/vilka har hållit den utsatte sällskap?",
                         "Kommentar sällskap"),
                _comment("kommentar_stodatgarder", "Kommentar; Följande initiala stödåtgärder har aktiverats:",
                         "Initiala stödåtgärder", lines=3),
                Step("3.2.3", "Information (endast nödvändig) om det inträffade lämnas till valda målgrupper, "
                     "t ex;", "Partiets säkerhetsansvarig och kommunens säkerhetsstrateg i samråd"),
                Bullets(("Partikamrater", "Övriga förtroendevalda", "Kommunens medarbetare")),
                Step("", "Information (endast nödvändig) om det inträffade lämnas till massmedia",
                     "Partiets säkerhetsansvarig"),
                Check(Field("informerade", "Följande har informerats om händelsen:", Kind.TEXT, S2,
                            "Informerade om händelsen", lines=8)),
            ),
        ),
    ),
    Section(
        S3,
        rows=(
            _talk(1, "Uppföljningssamtal 1-2 veckor efter händelse"),
            _talk(2, "Uppföljningssamtal 2"),
            _talk(3, "Uppföljningssamtal 3"),
        ),
    ),
    Section(
        S4,
        rows=(
            _janej("rutin_tillampad",
                   "Kommunens rutin för hantering av hot- och våldssituationer eller trakasserier har tillämpats",
                   "Rutinen tillämpad", first=True, section=S4),
            Findings(Field("sarbarheter_rutin",
                           "Följande sårbarheter/förbättringsmöjligheter i rutinen, och/eller i arbetet i övrigt, "
                           "har konstaterats:", Kind.LIST, S4, "Sårbarheter i rutinen", multiline=False)),
            Findings(Field("sarbarheter_plan",
                           "Följande sårbarheter/förbättringsmöjligheter i övrigt har konstaterats när det gäller "
                           "kommunens ”Plan för hantering av hot-, och våldssituationer samt trakasserier riktade "
                           "mot förtroendevalda”", Kind.LIST, S4, "Sårbarheter i planen", multiline=False)),
        ),
    ),
)


def _rows(section: Section) -> Iterator[Row]:
    yield from section.rows
    for table in section.tables:
        yield from table


def fields_of(row: Row) -> tuple[Field, ...]:
    """The fields a layout row holds, in print order (none for a row of printed text only)."""
    match row:
        case Talk():
            return row.fields
        case Question() | Check() | Comment() | Findings():
            return (row.field,)
        case TableHeader() | Step() | Bullets():
            return ()


def _fields() -> tuple[Field, ...]:
    out = [f for section in SECTIONS for row in _rows(section) for f in fields_of(row)]
    keys = [f.key for f in out]
    dupes = {k for k in keys if keys.count(k) > 1}
    if dupes:
        raise RuntimeError(f"duplicate field keys: {sorted(dupes)}")
    return tuple(out)


def _places() -> dict[str, str]:
    """Each field's place on the form: its follow-up talk's title, or the checklist step number(s) it follows."""
    places: dict[str, str] = {}
    for section in SECTIONS:
        steps: list[str] = []  # the numbers of the checklist steps the next answers follow
        answered = False
        for row in _rows(section):
            match row:
                case TableHeader():
                    steps, answered = [], False
                case Step() if row.number:
                    steps, answered = ([] if answered else steps) + [row.number], False
                case Talk():
                    places.update((f.key, row.title) for f in row.fields)
                case _:
                    for f in fields_of(row):
                        answered = True
                        if steps:
                            places[f.key] = steps[0] if len(steps) == 1 else f"{steps[0]}–{steps[-1]}"
    return places


#: Every field of the form, in form order (= column order = schema order).
FIELDS: tuple[Field, ...] = _fields()
#: Where a field sits, for its controls' spoken names: the follow-up talk's title, or the checklist step(s)
#: it follows ("3.1.1", "3.1.2–3.1.3"); fields of section 1 and of the follow-up have none.
PLACES: dict[str, str] = _places()
BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
#: Each field's control tags (Ja before Nej, list items in order), computed once.
TAGS: dict[str, tuple[str, ...]] = {f.key: tuple(f.tags()) for f in FIELDS}
#: The follow-up talks in order, each its fields (date, present, documentation): what the overview counts as held
#: and the reminders schedule, read off the layout.
TALK_FIELDS: tuple[tuple[Field, ...], ...] = tuple(
    row.fields for section in SECTIONS for row in _rows(section) if isinstance(row, Talk))
#: Each follow-up talk's date field, in order.
TALK_DATES: tuple[str, ...] = tuple(next(f.key for f in talk if f.kind is Kind.DATE) for talk in TALK_FIELDS)


def field_for_tag(tag: str) -> Field | None:
    """The field that owns a content-control tag, or None for a foreign tag."""
    key = tag.split("=", 1)[0].split("#", 1)[0]
    f = BY_KEY.get(key)
    return f if f is not None and tag in f.tags() else None


# --- the coded layer: registration beside the form, never printed on it (issue 20) --------------------------
# Set by the security strategist when a form comes in, like the case number; carried in the .docx and PDF as
# document properties. The categories are those of Brå's Politikernas trygghetsundersökning (PTU), so the
# municipality's figures can be set beside the national ones, plus "annat".

#: Date of the incident (ÅÅÅÅ-MM-DD); the form itself asks it only in free text ("När och var …").
INCIDENT_DATE_KEY = "handelsedatum"
#: Kind(s) of incident: a list of :data:`INCIDENT_TYPES` values.
INCIDENT_TYPE_KEY = "typ"
#: Channel(s) it came through: a list of :data:`CHANNELS` values.
CHANNEL_KEY = "kanal"

#: PTU's types of exposure (Brå), in PTU's order, then "annat". The value is what data holds and users see.
INCIDENT_TYPES: tuple[str, ...] = (
    "trakasserier", "hot", "våld", "skadegörelse", "stöld", "korruptionsförsök", "annat",
)
#: PTU's channels (Brå), in PTU's order, then "annat".
CHANNELS: tuple[str, ...] = (
    "sociala medier", "personligen", "telefon", "e-post", "brev", "sms", "annat",
)
#: What the overviews print for a case whose coded field is missing.
NOT_CODED = "ej kodad"


#: The case number's key: names the filled form's file, like the coded fields never printed on the form.
CASE_KEY = "diarienummer"


@dataclass(frozen=True)
class Registration:
    """One registration field: set when a form comes in, kept beside the answers as a document property.

    ``prop`` names the property everywhere it is stored (docProps/custom.xml, the PDF's document information and
    XMP): ASCII, as a PDF name and an XML element name take it.
    """

    key: str
    label: str  # the Swedish column head and schema title
    prop: str
    kind: Kind  # TEXT, DATE or CHOICES
    description: str  # what it is, in Swedish (schema, workbook, web page)
    choices: tuple[str, ...] = ()  # CHOICES: the allowed values, in the order they are kept and shown


#: The registration fields, in column order (before the form's fields in the workbook, the schema and extract's
#: output). Each store and reader loops over this: a fifth field is one more line here.
REGISTRATION: tuple[Registration, ...] = (
    Registration(CASE_KEY, "Diarienummer", "Diarienummer", Kind.TEXT,
                 "Diarienummer eller annat ärendenummer; namnger den ifyllda filen. Skrivs inte på blanketten."),
    Registration(INCIDENT_DATE_KEY, "Händelsedatum", "Handelsedatum", Kind.DATE,
                 "Dagen då händelsen inträffade (ÅÅÅÅ-MM-DD), om den är känd. Skrivs inte på blanketten."),
    Registration(INCIDENT_TYPE_KEY, "Typ av händelse", "Typ", Kind.CHOICES,
                 "Typ av händelse enligt Brås Politikernas trygghetsundersökning (PTU), en eller flera. "
                 "Skrivs inte på blanketten.", INCIDENT_TYPES),
    Registration(CHANNEL_KEY, "Kanal", "Kanal", Kind.CHOICES,
                 "Hur hotet eller trakasserierna framfördes enligt PTU, en eller flera. Skrivs inte på blanketten.",
                 CHANNELS),
)
#: The registration fields by key.
REGISTRATION_BY_KEY: dict[str, Registration] = {r.key: r for r in REGISTRATION}
#: Every key of a record in order: the registration fields, then the form's fields.
RECORD_KEYS: tuple[str, ...] = tuple(r.key for r in REGISTRATION) + tuple(f.key for f in FIELDS)


def kind_of(key: str) -> Kind | None:
    """The kind of a record's key (a registration field or a form field), or None for an unknown key."""
    if key in REGISTRATION_BY_KEY:
        return REGISTRATION_BY_KEY[key].kind
    f = BY_KEY.get(key)
    return None if f is None else f.kind
