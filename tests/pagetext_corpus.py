"""PDFs without fields, made by the programs people use, for reading forms back from their page text.

Shared by ``tests/test_pagetext.py`` and ``benchmarks/pagetext.py``. Each kind of file is made by a real
program from the same records:

- ``fill --flatten``: our own flattened PDF (LibreOffice's export of the filled .docx without fields);
- ``writer-tagged`` / ``writer-untagged``: the blank form filled by typing in Writer (UNO), then Writer's
  "Exportera som PDF" with and without tags (no PDF form);
- ``qpdf``: a fillable PDF filled by ``fill``, flattened by ``qpdf --flatten-annotations=all --generate-appearances``;
- ``mupdf``: the same, flattened by MuPDF (``Document.bake()``; mutool 1.21 itself has no flattening command, and
  ``mutool convert`` writes fonts whose text cannot be extracted by any reader, poppler's included);
- ``cairo``: the flattened PDF printed to PDF by poppler's ``pdftocairo -pdf`` (cairo's PDF surface, what
  GTK's "Skriv ut till fil" uses). Chromium 156 cannot print a PDF headless: ``--print-to-pdf`` of a PDF gives one
  blank page, and Playwright's ``page.pdf()`` of an opened PDF prints its viewer's toolbar text on blank pages.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from blankett import fill_pdf
from blankett.build import blank_bytes
from blankett.form import FIELDS, Kind, janej_tag, list_tag

from .clients import program
from .forms import expected

JANEJ = [f.key for f in FIELDS if f.kind is Kind.JANEJ]

#: An answer of 70 lines: more than a page, so it runs over a page break.
LONG = "\n".join(f"Rad {n}: händelsen beskrivs vidare här." for n in range(1, 71))

#: A list item longer than its line: it wraps onto a second line in a flowed layout.
WRAPPING_ITEM = ("Kommunens rutin saknar sms och sociala medier, och ingen vet vem som ska ringa polisen när "
                 "den utsatte själv inte kan göra det samma kväll")

#: Answers that quote the form's own texts (questions, the next prompt, a step, a heading), multi-line answers,
#: an answer over several pages, and every Ja/Nej question answered Ja.
QUOTING: dict[str, Any] = {
    "rapporterad_av": "Anna Lind, säkerhetsansvarig\nVem utsattes? Det vet vi inte än.\nVem rapporterar incidenten? Jag.",
    "utsatt": "Vem utsattes?\n(Namn, vilken nämnd/styrelse)",
    "handelse": LONG,
    "tid_och_plats": "Stadshuset, sammanträdesrummet, den 4 mars kl. 19.30 efter fullmäktiges möte om "
                     "badhuset, när ledamöterna gick ut genom huvudentrén mot parkeringen.",
    "vittnen": "Eva Ek\nKarl Berg\nLina Holm",
    "forovare": "Okänd man.\nVem/vilka utsatte den förtroendevalde?\n(Känd/okänd förövare?)",
    "forovare_grupp": "Nej",
    "utlosande_faktor": "Beslutet om badhuset.",
    "beslut_om_atgarder": "Polisanmälan, larm i hemmet.",
    "upplevelse": "Skrämmande.\n2. Checklista för åtgärder enligt kommunens rutin",
    "kommentar_3_1_1": "Strategen ringdes upp.\nPolisen kontaktas för bedömning av om händelsen bör anmälas.",
    "kommentar_3_1_3": "Anmälan gjord 2026-03-04.\nHar händelsen polisanmälts? Ja, samma dag.",
    "kommentar_stod": "Partikamrat Per stöttade.\nKommentar, Vem/vilka har hållit den utsatte sällskap?",
    "kommentar_sallskap": "Per följde med hem.\nKommentar; Följande initiala stödåtgärder har aktiverats:",
    "kommentar_stodatgarder": "Larm utlånat.",
    "informerade": "Gruppledarna.\n3. Stöd på längre sikt\nUppföljningssamtal 2",
    "samtal1_datum": "2026-03-12",
    "samtal1_narvarande": "Anna Lind, Per Ek\nDokumentation av nuläge och behov av fortsatt stöd till den utsatte",
    "samtal1_dokumentation": "Sover dåligt.\nDatum\nNärvarande",
    "samtal2_datum": "2026-04-09",
    "samtal2_narvarande": "Anna Lind",
    "samtal2_dokumentation": "Inga nya hot.",
    "samtal3_datum": "2026-05-07",
    "samtal3_narvarande": "Anna Lind och Per Ek",
    "samtal3_dokumentation": "Stödet avslutas.",
    "sarbarheter_rutin": ["Ingen larmknapp", "Otydligt vem som ringer polisen", WRAPPING_ITEM],
    "sarbarheter_plan": ["Planen nämner inte sociala medier"],
    **{key: "Ja" for key in JANEJ},
}

#: Ordinary answers of a few lines, every Ja/Nej question answered Nej.
PLAIN: dict[str, Any] = {
    "rapporterad_av": "Maria Lindqvist, säkerhetsansvarig för Exempelpartiet",
    "utsatt": "Anders Bergström, ledamot i kommunstyrelsen",
    "handelse": "Hot via sms och telefonsamtal.\nDen 3 mars kom tre sms från ett okänt nummer.",
    "tid_och_plats": "2026-03-03 kl. 21.40, hemma",
    "vittnen": "Den utsattes make hörde samtalet.",
    "upplevelse": "Allvarligt menat.",
    "kommentar_3_1_3": "Ingen anmälan ännu.",
    "informerade": "Ingen.",
    "samtal1_datum": "2026-03-12",
    "samtal1_dokumentation": "Behov av fortsatta samtal via företagshälsovården.",
    "sarbarheter_plan": ["Planen är otydlig om vem som informerar den utsattes anhöriga när något händer efter kontorstid",
                         "Telefonlistan är gammal"],
    **{key: "Nej" for key in JANEJ},
}

#: Few answers, every Ja/Nej question left unanswered.
SPARSE: dict[str, Any] = {
    "rapporterad_av": "Eva Ek",
    "beslut_om_atgarder": "Inga åtgärder beslutade.",
    "samtal3_narvarande": "Eva Ek",
}

RECORDS: dict[str, dict[str, Any]] = {"quoting": QUOTING, "plain": PLAIN, "sparse": SPARSE}
#: Kinds flattened from a fillable PDF's fields: an answer shows only as far as its field's box (``fill`` warns
#: when it does not fit), so their records' long answer is one that fits its box, without the wrapping item.
FIELD_KINDS = ("qpdf", "mupdf")
FITTING = "\n".join(LONG.split("\n")[:20])


def record_for(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record a kind of file is made from (and must be read back as)."""
    if kind in FIELD_KINDS and record.get("handelse") == LONG:
        return {**record, "handelse": FITTING, "sarbarheter_rutin": record["sarbarheter_rutin"][:2]}
    return record
#: Kinds of file made without LibreOffice's typing (the Writer kinds need a UNO session: :func:`writer_pdfs`).
PROGRAM_KINDS = ("fill --flatten", "qpdf", "mupdf", "cairo")
WRITER_KINDS = ("writer-tagged", "writer-untagged")


def made_by_programs(folder: Path, name: str, record: dict[str, Any]) -> dict[str, Path]:
    """The record as a PDF without fields, made by each program of :data:`PROGRAM_KINDS`."""
    import pymupdf  # MuPDF's flattening, in the tests only (AGPL: never at runtime)

    flat = folder / f"{name}-flatten.pdf"
    flat.write_bytes(fill_pdf(record, flatten=True))
    fillable = folder / f"{name}-fillable.pdf"
    fillable.write_bytes(fill_pdf(record_for("qpdf", record)))
    out = {"fill --flatten": flat, "qpdf": folder / f"{name}-qpdf.pdf", "mupdf": folder / f"{name}-mupdf.pdf",
           "cairo": folder / f"{name}-cairo.pdf"}
    subprocess.run([program("qpdf", "qpdf"), "--flatten-annotations=all", "--generate-appearances",
                    str(fillable), str(out["qpdf"])], check=True, timeout=60)
    with pymupdf.open(fillable) as doc:
        doc.bake()
        doc.save(out["mupdf"])
    subprocess.run([program("pdftocairo", "poppler-utils"), "-pdf", str(flat), str(out["cairo"])], check=True,
                   timeout=60)
    return out


def type_record(form: Any, record: dict[str, Any]) -> None:
    """Fill the blank form open in Writer as a person does: click each answer, type it (Enter between lines),
    click the Ja or Nej box."""
    for f in FIELDS:
        value = record.get(f.key)
        if value in (None, "", []):
            continue
        if f.kind is Kind.JANEJ:
            form.tick(janej_tag(f.key, value))
        elif f.kind is Kind.LIST:
            for n, item in enumerate(value, start=1):
                form.click(list_tag(f.key, n))
                form.type(item)
        else:
            form.click(f.key)
            for i, line in enumerate(str(value).split("\n")):
                if i:
                    form.key("RETURN")
                form.type(line)


def export_pdf(form: Any, path: Path, tagged: bool) -> Path:
    """Writer's "Exportera som PDF" of the open document, tagged or not, without a PDF form."""
    from .uno_office import props

    data = form.office.uno.Any("[]com.sun.star.beans.PropertyValue",
                               props(UseTaggedPDF=tagged, ExportFormFields=False))
    form.doc.storeToURL(path.resolve().as_uri(), props(FilterName="writer_pdf_Export", FilterData=data))
    return path


def writer_pdfs(office: Any, folder: Path, name: str, record: dict[str, Any]) -> dict[str, Path]:
    """The record typed into the blank form in Writer and exported as PDF, tagged and untagged."""
    blank = folder / f"{name}-blank.docx"
    blank.write_bytes(blank_bytes())
    form = office.open(blank)
    try:
        type_record(form, record)
        return {"writer-tagged": export_pdf(form, folder / f"{name}-writer-tagged.pdf", True),
                "writer-untagged": export_pdf(form, folder / f"{name}-writer-untagged.pdf", False)}
    finally:
        form.close()


def normalised(record: dict[str, Any] | None) -> dict[str, Any] | None:
    """A record with each text's whitespace runs (line breaks included) made one space: a PDF's page shows
    where a line was wrapped, not whether the person pressed Enter there."""
    if record is None:
        return None
    return {k: " ".join(v.split()) if isinstance(v, str) else v for k, v in record.items()}


def want(record: dict[str, Any]) -> dict[str, Any] | None:
    """What extract must give for a record read from the page text (whitespace normalised)."""
    return normalised(expected(record))
