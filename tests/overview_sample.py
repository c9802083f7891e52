"""Hand-made overviews for the renderers' tests: internal and public, hidden cells, long Swedish labels, an
empty listing. Written by hand (not counted by the code under test), so every number here is what the
documents must show."""

from __future__ import annotations

import datetime as dt

from blankett.overview.report import Chart, Heading, Hidden, Listing, Overview, Paragraph, Table

FEW, DERIVED = Hidden.FEW, Hidden.DERIVED
LONG_LABEL = "Försök till otillbörlig påverkan, korruptionsförsök och liknande påtryckningar (PTU:s kategori)"
#: Free text and case numbers that only the internal overview may hold.
SECRET_TEXTS = ("KS 2025/0417", "KS 2025/0588", "Larmknappen i receptionen fungerade inte",
                "Ingen visste vem som skulle kontakta polisen")

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")
PER_MONTH = (4, 0, 7, 5, 3, 6, 0, 2, 9, 5, 4, 3)  # 48 in all


def _month_table(public: bool) -> Table:
    rows = tuple((m, ((FEW if public and 0 < n < 3 else n),)) for m, n in zip(MONTHS, PER_MONTH, strict=True))
    return Table("Ärenden per månad 2025", "Månad", ("Ärenden",), rows, total=(48,), chart=Chart.COLUMNS,
                 alt="Stapeldiagram över ärenden per månad 2025: flest i september (9), inga i februari och juli.")


def _type_table(public: bool) -> Table:
    counts = {"Trakasserier": 21, "Hot": 14, "Våld": 1 if not public else FEW, "Skadegörelse": 5,
              "Stöld": 0, LONG_LABEL: 2 if not public else FEW, "Annat": 3, "ej kodad": 2 if not public else FEW}
    total: tuple[int | Hidden, ...] = (48,)
    return Table("Ärenden per typ (PTU:s kategorier; ett ärende kan ha flera typer)", "Typ", ("Ärenden",),
                 tuple((k, (v,)) for k, v in counts.items()), total=None if public else total, shares=True,
                 chart=Chart.BARS, alt="Liggande stapeldiagram: trakasserier (21) och hot (14) är vanligast.",
                 note="Andelen är av alla 48 ärenden." if not public else "")


def _janej_table(public: bool) -> Table:
    rows = (("Polis kontaktad", (30, 15, 3)), ("Polisanmälan gjord", (20, 26, 2 if not public else FEW)),
            ("Stöd erbjudet", (40, 8 if not public else DERIVED, 0)))
    return Table("Ja/Nej-frågorna", "Fråga", ("Ja", "Nej", "Ej besvarad"), rows, chart=Chart.BARS,
                 alt="Grupperade staplar: de flesta svarade Ja på att polis kontaktats och att stöd erbjudits.")


def overview(public: bool) -> Overview:
    """The sample overview for 2025, internal or public."""
    blocks: list = [
        Heading("Lägesbild 2025: hot, våld och trakasserier mot förtroendevalda", 1),
        Paragraph("Lägesbilden bygger på 48 incidentrapporter (Bilaga 5) med händelsedatum 2025-01-01–2025-12-31."),
        Heading("Ärenden över tid", 2),
        _month_table(public),
        Heading("Typ av händelse", 2),
        Heading("Enligt Brå:s Politikernas trygghetsundersökning", 3),
        _type_table(public),
        Heading("Rutinen", 2),
        _janej_table(public),
    ]
    if not public:
        blocks += [
            Heading("Uppföljning", 2),
            Listing("Öppna ärenden där första uppföljningssamtalet är försenat", (), "Inga ärenden."),
            Listing("Noterade sårbarheter i rutinen", ((SECRET_TEXTS[0], SECRET_TEXTS[2]),
                                                        (SECRET_TEXTS[1], SECRET_TEXTS[3]))),
        ]
    title = "Lägesbild 2025" + (" (offentlig)" if public else " (intern)")
    return Overview(title, dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2026, 1, 15), public, tuple(blocks))


INTERNAL = overview(public=False)
PUBLIC = overview(public=True)
