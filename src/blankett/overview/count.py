"""Counting: the cases of a period → the internal :class:`~.report.Overview` (issue 20 §2).

One pass over the cases (streamed: a case's record is dropped once counted, so memory stays flat whatever the
number of forms); each table counts cases, never answers, and says in a paragraph what is counted and how.
Listings (overdue first talks, noted weaknesses) name cases by case number: they are for the internal overview
only, and :mod:`.suppress` leaves them out of the public one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import kinds
from ..form import (
    BY_KEY,
    CHANNEL_KEY,
    CHANNELS,
    FIELDS,
    INCIDENT_TYPE_KEY,
    INCIDENT_TYPES,
    NOT_CODED,
    S2,
    S4,
    TALK_FIELDS,
    Kind,
)
from .cases import TALK1_DATE, Case, DateFrom
from .report import Block, Chart, Heading, Listing, Overview, Paragraph, Table

TITLE = "Lägesbild: hot, våld och trakasserier mot förtroendevalda"
PUBLIC_TITLE = f"{TITLE} (offentlig version)"
#: The form's first follow-up talk: "1-2 veckor efter händelse" (days after the incident, both ends included).
FIRST_TALK_DAYS = (7, 14)
#: The Ja/Nej questions of the checklist (section 2), in form order: polis kontaktad and polisanmäld side by side.
CHECKLIST = tuple(f.key for f in FIELDS if f.kind is Kind.JANEJ and f.section == S2)
#: "Kommunens rutin … har tillämpats" (the follow-up's Ja/Nej) and the noted weaknesses (its lists).
ROUTINE_KEY = next(f.key for f in FIELDS if f.kind is Kind.JANEJ and f.section == S4)
WEAKNESS_KEYS = tuple(f.key for f in FIELDS if f.kind is Kind.LIST and f.section == S4)
TALKS = len(TALK_FIELDS)
NOT_ANSWERED = "Ej besvarad"
ANSWERS = (kinds.JA, kinds.NEJ, NOT_ANSWERED)
CASES = "Ärenden"
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")
#: Captions of the two tables along time: the public version protects a month through its quarter too.
MONTHS_CAPTION = "Ärenden per månad"
#: The most months a period's tables list every one of (three years); a longer period lists the months with cases.
MAX_MONTH_ROWS = 36
QUARTERS_CAPTION = "Ärenden per kvartal"
FIRST_TALK_ROWS = ("7–14 dagar efter händelsen (som blanketten anger)", "Tidigare än 7 dagar efter",
                   "Mer än 14 dagar efter", "Samtal 1 saknar datum", f"Händelsedatum saknas ({NOT_CODED})")


def month_label(year: int, month: int) -> str:
    """A month as the overview names it ("mars 2025")."""
    return f"{MONTHS[month - 1]} {year}"


def quarter_label(year: int, month: int) -> str:
    """The quarter a month falls in ("kvartal 1 2025")."""
    return f"kvartal {(month - 1) // 3 + 1} {year}"


def months_between(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """Every (year, month) from ``start``'s month to ``end``'s, in order."""
    out, (y, m) = [], (start.year, start.month)
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class _Tally:
    """Everything counted in the one pass."""

    cases: int = 0
    outside: int = 0
    undated: int = 0
    placed: Counter[DateFrom] = field(default_factory=Counter)
    months: Counter[tuple[int, int]] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    channels: Counter[str] = field(default_factory=Counter)
    answers: Counter[tuple[str, str]] = field(default_factory=Counter)
    talks: Counter[int] = field(default_factory=Counter)
    first_talk: Counter[str] = field(default_factory=Counter)
    overdue: list[tuple[str, str]] = field(default_factory=list)
    weaknesses: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: {k: [] for k in WEAKNESS_KEYS})


def count(cases: Iterable[Case], start: dt.date, end: dt.date, today: dt.date) -> Overview:
    """The internal overview of the cases placed in ``start``–``end`` (both included), as of ``today``."""
    tally = _Tally()
    for case in cases:
        if case.date is None:
            tally.undated += 1
        elif not start <= case.date <= end:
            tally.outside += 1
        else:
            _add(tally, case, today)
    return Overview(TITLE, start, end, today, False, tuple(_blocks(tally, start, end)))


def _add(tally: _Tally, case: Case, today: dt.date) -> None:
    """Count one case of the period."""
    record, date = case.record, case.date
    assert date is not None
    tally.cases += 1
    tally.placed[case.date_from] += 1
    tally.months[(date.year, date.month)] += 1
    for key, counter in ((INCIDENT_TYPE_KEY, tally.types), (CHANNEL_KEY, tally.channels)):
        counter.update(record.get(key) or [NOT_CODED])
    for key in (*CHECKLIST, ROUTINE_KEY):
        tally.answers[(key, record.get(key) or NOT_ANSWERED)] += 1
    tally.talks[sum(1 for n in range(1, TALKS + 1) if _talk_held(record, n))] += 1
    _first_talk(tally, case, today)
    for key in WEAKNESS_KEYS:
        tally.weaknesses[key].extend((case.name, point) for point in record.get(key) or [] if point)


def _talk_held(record: dict[str, object], n: int) -> bool:
    """A follow-up talk counts as held when anything of it is noted (its date, who took part, its notes)."""
    return any(record.get(f.key) for f in TALK_FIELDS[n - 1])


def _first_talk(tally: _Tally, case: Case, today: dt.date) -> None:
    """When the first talk came after the incident; an open case past the form's two weeks is listed."""
    incident, talk = case.record.get("handelsedatum"), case.record.get(TALK1_DATE)
    if not incident:
        tally.first_talk[FIRST_TALK_ROWS[4]] += 1
        return
    happened = dt.date.fromisoformat(str(incident))
    if not talk:
        tally.first_talk[FIRST_TALK_ROWS[3]] += 1
        waited = (today - happened).days
        if waited > FIRST_TALK_DAYS[1]:
            tally.overdue.append((case.name, f"händelsedatum {happened.isoformat()}, {waited} dagar sedan; "
                                             "inget datum för samtal 1"))
        return
    days = (dt.date.fromisoformat(str(talk)) - happened).days
    low, high = FIRST_TALK_DAYS
    tally.first_talk[FIRST_TALK_ROWS[0] if low <= days <= high else FIRST_TALK_ROWS[1] if days < low
                     else FIRST_TALK_ROWS[2]] += 1


def _column(caption: str, labels: Iterable[str], counts: Counter[str] | Counter[DateFrom], total: int | None,
            chart: Chart, alt: str, note: str = "", shares: bool = True) -> Table:
    """A table of one column of case counts, one row per label (every label shown, 0 included)."""
    rows = tuple((str(label), (counts[label],)) for label in labels)  # type: ignore[index]
    return Table(caption, "", (CASES,), rows, None if total is None else (total,), shares, chart, alt, note)


def _shown_months(t: _Tally, start: dt.date, end: dt.date) -> tuple[list[tuple[int, int]], str]:
    """The months the tables list, and a note when not all of the period's: a period longer than
    :data:`MAX_MONTH_ROWS` months lists only those from its first case's month to its last case's (a period of
    centuries, which the web's date fields allow, would otherwise be a table of thousands of empty rows)."""
    months = months_between(start, end)
    if len(months) <= MAX_MONTH_ROWS:
        return months, ""
    counted = [ym for ym in months if t.months[ym]]
    shown = months_between(dt.date(*counted[0], 1), dt.date(*counted[-1], 1)) if counted else []
    return shown, (f"Perioden är längre än {MAX_MONTH_ROWS} månader: bara månaderna från det första till det "
                   "sista ärendet visas.")


def _blocks(t: _Tally, start: dt.date, end: dt.date) -> list[Block]:
    months, long_note = _shown_months(t, start, end)
    quarters: Counter[str] = Counter()
    for (y, m) in months:
        quarters[quarter_label(y, m)] += t.months[(y, m)]
    month_counts = Counter({month_label(y, m): t.months[(y, m)] for (y, m) in months})
    n = t.cases
    blocks: list[Block] = [
        Heading(TITLE, 1),
        Paragraph(f"Perioden {start.isoformat()}–{end.isoformat()}. Varje ärende är en incidentrapport "
                  "(Bilaga 5). Ett ärende räknas i perioden efter sitt händelsedatum; där det inte är kodat "
                  "efter datumet för uppföljningssamtal 1, och för en ifylld blankett som saknar båda efter "
                  "filens datum. Tabellen nedan visar hur många ärenden som placerats på vart sätt."),
        Heading("Ärenden i perioden"),
        _column("Hur ärendena placerats i perioden", [d for d in DateFrom if d is not DateFrom.NONE], t.placed, n,
                Chart.NONE, ""),
        _column("Ärenden som inte räknats", ("Datum utanför perioden", "Inget datum alls"),
                Counter({"Datum utanför perioden": t.outside, "Inget datum alls": t.undated}), None, Chart.NONE, "",
                "Rader i kalkylblad får aldrig filens datum; de saknar då datum.", shares=False),
        _column(MONTHS_CAPTION, month_counts, month_counts, n, Chart.COLUMNS,
                "Stapeldiagram: antal ärenden per månad i perioden.", long_note),
        _column(QUARTERS_CAPTION, quarters, quarters, n, Chart.COLUMNS,
                "Stapeldiagram: antal ärenden per kvartal i perioden.", long_note),
        Heading("Typ och kanal"),
        Paragraph("Typ och kanal kodas av säkerhetsstrategen när blanketten kommer in, med kategorierna i Brås "
                  "Politikernas trygghetsundersökning (PTU) och \"annat\", så att siffrorna kan ställas bredvid "
                  f"de nationella. Ett ärende kan ha flera typer och kanaler, så raderna kan summera till mer än "
                  f"antalet ärenden; andelen är av alla ärenden. \"{NOT_CODED}\": ärenden där fältet inte är kodat."),
        _column("Ärenden per typ", (*INCIDENT_TYPES, NOT_CODED), t.types, n, Chart.BARS,
                "Liggande staplar: antal ärenden per typ av händelse enligt PTU:s kategorier."),
        _column("Ärenden per kanal", (*CHANNELS, NOT_CODED), t.channels, n, Chart.BARS,
                "Liggande staplar: antal ärenden per kanal enligt PTU:s kategorier."),
        Heading("Åtgärder enligt checklistan"),
        Paragraph("Blankettens Ja/Nej-frågor om de första åtgärderna (avsnitt 2), fråga för fråga: hur många "
                  "ärenden som svarat Ja, Nej eller lämnat frågan obesvarad, och andelen av alla ärenden. Polis "
                  "kontaktad och polisanmäld står intill varandra."),
        Table("Svar på checklistans frågor", "Svar", tuple(BY_KEY[k].column for k in CHECKLIST),
              tuple((a, tuple(t.answers[(k, a)] for k in CHECKLIST)) for a in ANSWERS), (n,) * len(CHECKLIST),
              True, Chart.BARS, "Grupperade staplar: för varje fråga i checklistan antal ärenden med svaret Ja, "
              "Nej och ej besvarad.", turned="Fråga"),
        Heading("Uppföljning"),
        Paragraph("Ett uppföljningssamtal räknas som hållet när något av det är ifyllt (datum, närvarande eller "
                  "dokumentation). Blanketten anger att det första samtalet hålls 1–2 veckor efter händelsen: "
                  f"{FIRST_TALK_DAYS[0]}–{FIRST_TALK_DAYS[1]} dagar efter händelsedatumet, båda dagarna "
                  "medräknade; det kan bara räknas där händelsedatumet är kodat."),
        _column("Antal hållna uppföljningssamtal", [f"{k} samtal" for k in range(TALKS + 1)],
                Counter({f"{k} samtal": t.talks[k] for k in range(TALKS + 1)}), n, Chart.BARS,
                "Liggande staplar: antal ärenden med 0, 1, 2 och 3 hållna uppföljningssamtal."),
        _column("Första samtalet efter händelsen", FIRST_TALK_ROWS, t.first_talk, n, Chart.BARS,
                "Liggande staplar: när det första uppföljningssamtalet hölls, räknat från händelsedatumet."),
        Listing("Öppna ärenden där första samtalet är försenat (mer än 14 dagar efter händelsen, inget datum "
                "för samtal 1), per ärende", _by_case(t.overdue), "Inga ärenden."),
        Heading("Rutinen tillämpad"),
        _column("Rutinen tillämpad", ANSWERS, Counter({a: t.answers[(ROUTINE_KEY, a)] for a in ANSWERS}), n,
                Chart.BARS, "Liggande staplar: antal ärenden där rutinen tillämpats (Ja, Nej, ej besvarad)."),
        Heading("Sårbarheter i rutinen och planen"),
        Paragraph("Varje sårbarhet som noterats i uppföljningen (blankettens fyra punkter för rutinen och fyra för "
                  "planen), ordagrant och per ärende, som underlag för revideringen av planen."),
    ]
    for key in WEAKNESS_KEYS:
        blocks.append(Listing(f"{BY_KEY[key].column}, per ärende", _by_case(t.weaknesses[key]),
                              "Inga noterade."))
    return blocks


def _by_case(items: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Listing items by case number; a case's own items stay in the form's order."""
    return tuple(sorted(items, key=lambda item: item[0]))
