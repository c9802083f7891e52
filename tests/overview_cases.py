"""The hand-counted test set of the overview (issue 20): 16 incidents as records, and every number of every table
counted by hand from them (never by the code under test). Period 2025-01-01–2025-12-31, made 2026-01-15.

Per case (checklist answers not listed are not answered; S = säkerhetsstrateg kontaktad, P = polis kontaktad,
A = polisanmäld, I = initialt stöd, H = anhöriga informerade, V = stödperson vald, J = sällskap till sjukvård,
T = sällskap vid transport):

====  ==========  ========================  =======================  ===============  ===================  ======
case  incident    type                      channel                  answered         talks (1st: days)    rutin
====  ==========  ========================  =======================  ===============  ===================  ======
01    2025-01-10  hot                       sociala medier           S P A Ja         2 (10)               Ja
02    2025-01-25  trakasserier              e-post                   S Ja, P Nej      1 (3)                Ja
03    2025-02-14  hot, skadegörelse         brev                     S P Ja, A Nej    3 (24)               Nej
04    2025-03-03  våld                      personligen              S P A I J Ja     1 (14)               Ja
05    2025-04-30  hot                       telefon, sms             S Nej            0, overdue 260 d     –
06    2025-05-05  (not coded)               (not coded)              S Ja             1 (7)                Ja
07    (none)      trakasserier              sociala medier           S Ja             1, placed by talk 1  Ja
08    2025-07-01  hot, trakasserier         sociala medier, e-post   P A Ja           2 (8)                Ja
09    2025-09-15  korruptionsförsök         personligen              all eight Nej    0, overdue 122 d     Nej
10    2025-10-20  annat                     annat                    S H V Ja         1 (9)                Ja
11    2025-12-28  hot                       brev                     S Ja             0, overdue 18 d      –
12    2026-01-05  hot                       –                        –                –  (after the period)
13    2024-12-20  hot                       –                        –                –  (before the period)
14    (none)      –                         –                        –                –  (no date at all)
15    2025-11-11  stöld                     personligen              S P T Ja, A Nej  3 (4)                Ja
16    2025-11-30  hot                       telefon                  S Ja             1 (who took part      Ja
                                                                                      only: no date),
                                                                                      overdue 46 d
====  ==========  ========================  =======================  ===============  ===================  ======
"""

from __future__ import annotations

import datetime as dt

START, END, TODAY = dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2026, 1, 15)
CHECKLIST = ("sakerhetsstrateg_kontaktad", "polis_kontaktad", "polisanmald", "initialt_stod", "anhoriga_informerade",
             "stodperson_vald", "sallskap_sjukvard", "sallskap_transport")
S, P, A, I, H, V, J, T = CHECKLIST  # noqa: E741 - the letters of the table above


def _case(n: int, incident: str | None, types: list[str], channels: list[str], answers: dict[str, str],
          talks: list[str], routine: str | None = None, **more: object) -> dict:
    record: dict = {"diarienummer": f"KS 2025/{n:02d}", "handelsedatum": incident, "typ": types, "kanal": channels,
                    **answers, **more}
    for k, date in enumerate(talks, start=1):
        record[f"samtal{k}_datum"] = date
    if routine:
        record["rutin_tillampad"] = routine
    return record


RECORDS: list[dict] = [
    _case(1, "2025-01-10", ["hot"], ["sociala medier"], {S: "Ja", P: "Ja", A: "Ja"}, ["2025-01-20", "2025-02-20"],
          "Ja"),
    _case(2, "2025-01-25", ["trakasserier"], ["e-post"], {S: "Ja", P: "Nej"}, ["2025-01-28"], "Ja"),
    _case(3, "2025-02-14", ["hot", "skadegörelse"], ["brev"], {S: "Ja", P: "Ja", A: "Nej"},
          ["2025-03-10", "2025-04-01", "2025-05-01"], "Nej",
          sarbarheter_rutin=["Larmnumret stod inte i rutinen", "Ingen ersättare vid semester"]),
    _case(4, "2025-03-03", ["våld"], ["personligen"], {S: "Ja", P: "Ja", A: "Ja", I: "Ja", J: "Ja"}, ["2025-03-17"],
          "Ja"),
    _case(5, "2025-04-30", ["hot"], ["telefon", "sms"], {S: "Nej"}, []),
    _case(6, "2025-05-05", [], [], {S: "Ja"}, ["2025-05-12"], "Ja"),
    _case(7, None, ["trakasserier"], ["sociala medier"], {S: "Ja"}, ["2025-06-02"], "Ja",
          sarbarheter_plan=["Planen saknar kontaktväg till polisen"]),
    _case(8, "2025-07-01", ["hot", "trakasserier"], ["sociala medier", "e-post"], {P: "Ja", A: "Ja"},
          ["2025-07-09", "2025-08-09"], "Ja"),
    _case(9, "2025-09-15", ["korruptionsförsök"], ["personligen"], dict.fromkeys(CHECKLIST, "Nej"), [], "Nej",
          sarbarheter_rutin=["Rutinen nämner inte korruptionsförsök"]),
    _case(10, "2025-10-20", ["annat"], ["annat"], {S: "Ja", H: "Ja", V: "Ja"}, ["2025-10-29"], "Ja"),
    _case(11, "2025-12-28", ["hot"], ["brev"], {S: "Ja"}, []),
    _case(12, "2026-01-05", ["hot"], [], {}, []),
    _case(13, "2024-12-20", ["hot"], [], {}, []),
    _case(14, None, [], [], {}, []),
    _case(15, "2025-11-11", ["stöld"], ["personligen"], {S: "Ja", P: "Ja", A: "Nej", T: "Ja"},
          ["2025-11-15", "2025-12-01", "2025-12-20"], "Ja",
          sarbarheter_plan=["Stödpersonen fanns inte på listan", "Transporten tog för lång tid"]),
    _case(16, "2025-11-30", ["hot"], ["telefon"], {S: "Ja"}, [], "Ja", samtal1_narvarande="Säkerhetsstrategen"),
]

#: Every table of the internal overview by caption: (row label, counts) in order, then the totals (None: none).
EXPECTED: dict[str, tuple[list[tuple[str, tuple[int, ...]]], tuple[int, ...] | None]] = {
    "Hur ärendena placerats i perioden": (
        [("händelsedatum", (12,)), ("datum för uppföljningssamtal 1", (1,)), ("filens datum", (0,))], (13,)),
    "Ärenden som inte räknats": ([("Datum utanför perioden", (2,)), ("Inget datum alls", (1,))], None),
    "Ärenden per månad": ([("januari 2025", (2,)), ("februari 2025", (1,)), ("mars 2025", (1,)),
                           ("april 2025", (1,)), ("maj 2025", (1,)), ("juni 2025", (1,)), ("juli 2025", (1,)),
                           ("augusti 2025", (0,)), ("september 2025", (1,)), ("oktober 2025", (1,)),
                           ("november 2025", (2,)), ("december 2025", (1,))], (13,)),
    "Ärenden per kvartal": ([("kvartal 1 2025", (4,)), ("kvartal 2 2025", (3,)), ("kvartal 3 2025", (2,)),
                             ("kvartal 4 2025", (4,))], (13,)),
    "Ärenden per typ": ([("trakasserier", (3,)), ("hot", (6,)), ("våld", (1,)), ("skadegörelse", (1,)),
                         ("stöld", (1,)), ("korruptionsförsök", (1,)), ("annat", (1,)), ("ej kodad", (1,))], (13,)),
    "Ärenden per kanal": ([("sociala medier", (3,)), ("personligen", (3,)), ("telefon", (2,)), ("e-post", (2,)),
                           ("brev", (2,)), ("sms", (1,)), ("annat", (1,)), ("ej kodad", (1,))], (13,)),
    #                                  S   P  A  I   H   V   J   T
    "Svar på checklistans frågor": ([("Ja", (10, 5, 3, 1, 1, 1, 1, 1)),
                                     ("Nej", (2, 2, 3, 1, 1, 1, 1, 1)),
                                     ("Ej besvarad", (1, 6, 7, 11, 11, 11, 11, 11))], (13,) * 8),
    "Antal hållna uppföljningssamtal": ([("0 samtal", (3,)), ("1 samtal", (6,)), ("2 samtal", (2,)),
                                         ("3 samtal", (2,))], (13,)),
    "Första samtalet efter händelsen": ([("7–14 dagar efter händelsen (som blanketten anger)", (5,)),
                                         ("Tidigare än 7 dagar efter", (2,)), ("Mer än 14 dagar efter", (1,)),
                                         ("Samtal 1 saknar datum", (4,)),
                                         ("Händelsedatum saknas (ej kodad)", (1,))], (13,)),
    "Rutinen tillämpad": ([("Ja", (9,)), ("Nej", (2,)), ("Ej besvarad", (2,))], (13,)),
}

#: The listings: (case number, the item), by case number.
OVERDUE = [("KS 2025/05", "händelsedatum 2025-04-30, 260 dagar sedan; inget datum för samtal 1"),
           ("KS 2025/09", "händelsedatum 2025-09-15, 122 dagar sedan; inget datum för samtal 1"),
           ("KS 2025/11", "händelsedatum 2025-12-28, 18 dagar sedan; inget datum för samtal 1"),
           ("KS 2025/16", "händelsedatum 2025-11-30, 46 dagar sedan; inget datum för samtal 1")]
WEAK_ROUTINE = [("KS 2025/03", "Larmnumret stod inte i rutinen"), ("KS 2025/03", "Ingen ersättare vid semester"),
                ("KS 2025/09", "Rutinen nämner inte korruptionsförsök")]
WEAK_PLAN = [("KS 2025/07", "Planen saknar kontaktväg till polisen"),
             ("KS 2025/15", "Stödpersonen fanns inte på listan"), ("KS 2025/15", "Transporten tog för lång tid")]

F, D = "färre än 3", "–"  # a hidden count as the public version prints it: primary, secondary
#: The public version's tables, suppressed by hand: 1–2 → F; a sum left with one hidden count hides one more (D).
EXPECTED_PUBLIC: dict[str, tuple[list[tuple[str, tuple[int | str, ...]]], tuple[int | str, ...] | None]] = {
    # 12 + F + 0 = 13 would give the F: the smallest visible row (0) is hidden too
    "Hur ärendena placerats i perioden": (
        [("händelsedatum", (12,)), ("datum för uppföljningssamtal 1", (F,)), ("filens datum", (D,))], (13,)),
    "Ärenden som inte räknats": ([("Datum utanför perioden", (F,)), ("Inget datum alls", (F,))], None),
    "Ärenden per månad": ([("januari 2025", (F,)), ("februari 2025", (F,)), ("mars 2025", (F,)),
                           ("april 2025", (F,)), ("maj 2025", (F,)), ("juni 2025", (F,)), ("juli 2025", (F,)),
                           ("augusti 2025", (0,)), ("september 2025", (F,)), ("oktober 2025", (F,)),
                           ("november 2025", (F,)), ("december 2025", (F,))], (13,)),
    # kvartal 3 (2) is F; 13 − 4 − 3 − 4 would give it: the smallest other quarter (3) is hidden too
    "Ärenden per kvartal": ([("kvartal 1 2025", (4,)), ("kvartal 2 2025", (D,)), ("kvartal 3 2025", (F,)),
                             ("kvartal 4 2025", (4,))], (13,)),
    "Ärenden per typ": ([("trakasserier", (3,)), ("hot", (6,)), ("våld", (F,)), ("skadegörelse", (F,)),
                         ("stöld", (F,)), ("korruptionsförsök", (F,)), ("annat", (F,)), ("ej kodad", (F,))], (13,)),
    "Ärenden per kanal": ([("sociala medier", (3,)), ("personligen", (3,)), ("telefon", (F,)), ("e-post", (F,)),
                           ("brev", (F,)), ("sms", (F,)), ("annat", (F,)), ("ej kodad", (F,))], (13,)),
    # polis kontaktad: 5 + F + 6 = 13 would give the F: the 5 is hidden too
    "Svar på checklistans frågor": ([("Ja", (10, D, 3, F, F, F, F, F)),
                                     ("Nej", (F, F, 3, F, F, F, F, F)),
                                     ("Ej besvarad", (F, 6, 7, 11, 11, 11, 11, 11))], (13,) * 8),
    "Antal hållna uppföljningssamtal": ([("0 samtal", (3,)), ("1 samtal", (6,)), ("2 samtal", (F,)),
                                         ("3 samtal", (F,))], (13,)),
    "Första samtalet efter händelsen": ([("7–14 dagar efter händelsen (som blanketten anger)", (5,)),
                                         ("Tidigare än 7 dagar efter", (F,)), ("Mer än 14 dagar efter", (F,)),
                                         ("Samtal 1 saknar datum", (4,)),
                                         ("Händelsedatum saknas (ej kodad)", (F,))], (13,)),
    "Rutinen tillämpad": ([("Ja", (9,)), ("Nej", (F,)), ("Ej besvarad", (F,))], (13,)),
}
