"""The pages, in Swedish: plain HTML that works without JavaScript; every text escaped where it is put in.

The one-form page is generated from the form's declaration (:data:`blankett.FIELDS`)
and the record's JSON Schema (for the case number, which is not on the form).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

import blankett
from blankett import FIELDS, Kind

from .jobs import DONE, FAILED, Job

NAV = (("/", "Start"), ("/fyll-i", "Fyll i"), ("/las-in", "Läs in"), ("/lagesbild", "Lägesbild"),
       ("/api", "För utvecklare (API)"), ("/hjalp", "Hjälp"))
STATUS_TEXT = {"ok": "ok", "varning": "varning", "fel": "fel"}


def e(value: Any) -> str:
    """HTML-escaped text (attribute-safe)."""
    return escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, current: str = "") -> str:
    """A whole page: language, skip link, menu, main content."""
    here = ' aria-current="page"'
    nav = "".join(f'<li><a href="{href}"{here if href == current else ""}>{e(text)}</a></li>' for href, text in NAV)
    return f"""<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} – Bilaga 5</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Hoppa till innehållet</a>
<header class="top">
<p class="brand">Bilaga 5 – Incidentrapport och händelsedokumentation</p>
<nav aria-label="Huvudmeny"><ul>{nav}</ul></nav>
</header>
<main id="main" tabindex="-1">
<h1>{e(title)}</h1>
{body}
</main>
<footer class="foot"><p>Allt du laddar upp behandlas bara här på datorn och sparas inte.
Stäng fliken när du är klar.</p></footer>
</body>
</html>
"""


REMOVED = "Resultatet är borttaget från servern. Dina egna filer påverkas inte."


def start(office: bool, removed: bool = False, follow_up: str = "") -> str:
    """The start page; ``follow_up`` is the follow-up panel (:func:`follow_up_panel`), when a folder is watched."""
    note = f'<div role="status"><p>{e(REMOVED)}</p></div>\n' if removed else ""
    pdf = ('<li><a href="/api/blank.pdf" download>Tom blankett som ifyllbar PDF</a></li>' if office else
           '<li>Ifyllbar PDF: kräver LibreOffice, som inte finns på den här datorn.</li>')
    body = f"""{note}<p>Här fyller du i och läser in blanketten <strong>Bilaga 5 – Incidentrapport och
händelsedokumentation</strong> (hot, våld och trakasserier mot förtroendevalda).</p>
<ul class="jobs">
<li><a href="/fyll-i"><strong>Fyll i</strong></a> – gör färdiga blanketter från en Excel-fil, CSV eller JSON,
eller fyll i en blankett direkt på sidan.</li>
<li><a href="/las-in"><strong>Läs in</strong></a> – läs svaren från ifyllda blanketter som kommit tillbaka och
få dem som Excel, CSV eller JSON.</li>
<li><a href="/lagesbild"><strong>Lägesbild</strong></a> – räkna fram lägesbilden för en period: den interna till
kommunstyrelsen (Word, PDF och Excel) och den offentliga (webbsida, PDF och Excel).</li>
</ul>
<h2>Hämta</h2>
<ul>
<li><a href="/api/blank.docx" download>Tom blankett (Word, .docx)</a></li>
{pdf}
<li><a href="/api/arbetsbok.xlsx" download>Excel-arbetsbok för att mata in incidenter (en rad per incident)</a></li>
</ul>
{follow_up}"""
    return page("Blankett för incidentrapport", body, "/")


def _follow_up_row(item: blankett.FollowUp) -> str:
    return (f'<tr><th scope="row">{e(item.name)}</th><td>{item.talk}</td><td>{e(item.when())}</td>'
            f'<td class="status-{e(item.status.name.lower())}">{e(item.status)}</td></tr>')


def follow_up_panel(found: blankett.Reminders) -> str:
    """The follow-up talks of the watched folder: case number, talk, dates and status only, never an answer."""
    # a file that could not be read, and a read form whose date no talk can be planned from, alike
    told = len(found.problems)
    note = (f'<p role="status">{told} {"anmärkning" if told == 1 else "anmärkningar"} om filerna i mappen (en fil '
            "som inte kunde läsas, ett datum som inget samtal kan planeras från): de fallen finns inte med, och "
            "blankett bevaka på kommandoraden visar vilka.</p>\n") if told else ""
    if not found.items:
        return f"""<section aria-labelledby="bevakning"><h2 id="bevakning">Uppföljningssamtal att bevaka</h2>
{note}<p>Inga uppföljningssamtal att bevaka i dag ({found.today}).</p></section>
"""
    rows = "\n".join(_follow_up_row(item) for item in found.items)
    return f"""<section aria-labelledby="bevakning"><h2 id="bevakning">Uppföljningssamtal att bevaka</h2>
{note}<div class="table-wrap"><table class="follow-up">
<caption>Samtal som ska hållas, är försenade eller är planerade, i dag {found.today}</caption>
<thead><tr><th scope="col">Ärende</th><th scope="col">Samtal</th><th scope="col">Datum</th>\
<th scope="col">Status</th></tr></thead>
<tbody>
{rows}
</tbody></table></div>
<p><a href="/bevakning.ics" download>Hämta samtalen som kalenderfil (.ics) för Outlook eller Thunderbird</a></p>
</section>
"""


def _upload(action: str, name: str, label: str, accept: str, hint: str, button: str, extra: str = "") -> str:
    return f"""<form method="post" action="{action}" enctype="multipart/form-data" class="upload" data-job>
<div class="drop">
<label for="{name}">{e(label)}</label>
<p class="hint" id="{name}-hint">{e(hint)}</p>
<input type="file" id="{name}" name="filer" multiple required accept="{accept}" aria-describedby="{name}-hint">
</div>
{extra}
<button type="submit">{e(button)}</button>
<div class="progress" role="status" aria-live="polite"></div>
<div class="alert" role="alert"></div>
</form>"""


#: The password fields' names in the pages' forms and the API's multipart bodies (POST bodies only, never a URL).
PASSWORD_FIELD = "lösenord"
PASSWORD_COLUMN_FIELD = "lösenordskolumn"


def password_field(ident: str, new: bool, workbook: bool = False) -> str:
    """A password field with its Swedish label and hint: ``new`` to encrypt what is made, else to open uploads.

    It is never filled in again when a page is shown anew (a refusal): the browser keeps what was typed only while
    the page is open, and the server never sends it back.
    """
    if new:
        label, hint, auto = ("Lösenord för blanketterna (valfritt)",
                             "Med ett lösenord krypteras varje Word- och PDF-fil (AES-256); Word, LibreOffice och "
                             "PDF-läsare frågar efter det. Lämna tomt för okrypterade filer. Skicka lösenordet "
                             "till mottagaren på annat sätt än filen, t.ex. sms."
                             + (" Är den uppladdade arbetsboken krypterad öppnas den med samma lösenord."
                                if workbook else ""), "new-password")
    else:
        label, hint, auto = ("Lösenord (om blanketterna är krypterade)",
                             "Lösenordet som avsändaren krypterade blanketterna med. Filer utan kryptering läses "
                             "som vanligt.", "current-password")
    return (f'<div class="field"><label for="{ident}">{e(label)}</label>'
            f'<p class="hint" id="{ident}-hint">{e(hint)}</p>'
            f'<input type="password" id="{ident}" name="{PASSWORD_FIELD}" autocomplete="{auto}" '
            f'aria-describedby="{ident}-hint"></div>')


def password_column_field(ident: str) -> str:
    """The field naming the column that holds one password per row (each row's form encrypted with its own)."""
    hint = ("Valfritt: rubriken på en kolumn i arbetsboken med ett lösenord per rad. Varje rads blankett krypteras "
            "då med radens lösenord; kolumnen skrivs aldrig in i blanketten. En rad utan lösenord fylls inte i.")
    return (f'<div class="field"><label for="{ident}">Kolumn med lösenord per rad</label>'
            f'<p class="hint" id="{ident}-hint">{e(hint)}</p>'
            f'<input type="text" id="{ident}" name="{PASSWORD_COLUMN_FIELD}" autocomplete="off" '
            f'aria-describedby="{ident}-hint"></div>')


def fill(office: bool, message: str | None = None, markup: str | None = None) -> str:
    """The fill page; ``message`` is a refusal as text, ``markup`` one already escaped (with a link)."""
    pdf = ('<input type="radio" id="format-pdf" name="format" value="pdf">'
           '<label for="format-pdf">Word och PDF</label>'
           '<input type="radio" id="format-pdfa" name="format" value="pdfa">'
           '<label for="format-pdfa">Word och arkivexemplar (PDF/A)</label>') if office else (
        '<p class="hint">PDF kräver LibreOffice, som inte finns på den här datorn.</p>')
    extra = f"""<fieldset class="choice"><legend>Filformat</legend>
<input type="radio" id="format-docx" name="format" value="docx" checked><label for="format-docx">Word (.docx)</label>
{pdf}
</fieldset>
{password_field("fill-password", new=True, workbook=True)}
{password_column_field("fill-password-column")}"""
    shown = markup if markup is not None else e(message) if message else ""
    alert = f'<div class="alert" role="alert"><p>{shown}</p></div>' if shown else ""
    body = f"""{alert}
<h2>Många blanketter från en fil</h2>
<p>Ladda upp Excel-arbetsboken (eller samma arbetsbok sparad i LibreOffice Calc som .ods, eller en CSV-,
JSON- eller JSON Lines-fil) med en rad per incident.
Du får tillbaka en zip-fil med en ifylld blankett per rad, och en lista över rader som behöver rättas.</p>
{_upload("/fyll-i", "fill-files", "Filer med incidenter", ",".join(sorted(blankett.INPUT_ENDINGS)),
         "Excel (.xlsx), LibreOffice Calc (.ods), CSV, JSON eller JSON Lines. Du kan också dra filerna hit.",
         "Fyll i blanketterna", extra)}
<h2>En blankett i taget</h2>
<p><a href="/fyll-i/blankett">Fyll i en blankett här på sidan</a> och hämta den som Word eller PDF.</p>
"""
    return page("Fyll i", body, "/fyll-i")


def read(message: str | None = None) -> str:
    alert = f'<div class="alert" role="alert"><p>{e(message)}</p></div>' if message else ""
    body = f"""{alert}
<p>Ladda upp blanketter som kommit tillbaka ifyllda: Word (.docx, .docm, .doc), OpenDocument (.odt), PDF
(ifyllbar, exporterad eller utskriven), skannade pappersblanketter (PDF, TIFF, PNG eller JPEG; maskinskrivna
svar läses med textigenkänning och ska granskas), eller en zip-fil med många blanketter. Du ser direkt
vilka som gick att läsa och kan hämta svaren som Excel, CSV eller JSON.</p>
{_upload("/las-in", "read-files", "Ifyllda blanketter", ",".join(sorted(blankett.FORM_ENDINGS | {".zip"})),
         "Välj en eller flera filer, eller en zip-fil. Du kan också dra filerna hit.", "Läs in blanketterna",
         password_field("read-password", new=False))}
"""
    return page("Läs in", body, "/las-in")


# --- the one-form page -----------------------------------------------------------------------


def _registration_fields() -> list[tuple[str, dict[str, Any]]]:
    """The record's keys that are not on the form (case number, incident date, type, channel) with their schema."""
    on_form = {f.key for f in FIELDS}
    return [(key, prop) for key, prop in blankett.schema().get("properties", {}).items() if key not in on_form]


def _choices(prop: dict[str, Any]) -> list[str]:
    """A multi-choice field's allowed values (its schema's ``items.enum``); empty for any other field."""
    return list(prop.get("items", {}).get("enum", [])) if prop.get("type") == "array" else []


def visible_label(key: str) -> str:
    """The label a field has on the page (with its column when two questions share a label)."""
    labels = Counter(f.label for f in FIELDS)
    for f in FIELDS:
        if f.key == key:
            return f"{f.label} ({f.column})" if labels[f.label] > 1 else f.label
    titles = {k: str(prop.get("title", k)) for k, prop in _registration_fields()}
    return titles.get(key, key)


def _described(key: str, hint: bool, errors: Mapping[str, list[str]]) -> str:
    ids = ([f"h-{key}"] if hint else []) + ([f"e-{key}"] if key in errors else [])
    invalid = ' aria-invalid="true"' if key in errors else ""
    return (f' aria-describedby="{" ".join(ids)}"' if ids else "") + invalid


def _error(key: str, errors: Mapping[str, list[str]]) -> str:
    if key not in errors:
        return ""
    return f'<p class="field-error" id="e-{key}">' + "<br>".join(e(m) for m in errors[key]) + "</p>"


def _field(f: Any, values: Mapping[str, Any], errors: Mapping[str, list[str]], twin: bool) -> str:
    key = f.key
    label = e(f.label) + (f' <span class="sub">({e(f.column)})</span>' if twin else "")
    hint = f'<p class="hint" id="h-{key}">{e(f.hint)}</p>' if f.hint else ""
    if f.kind is Kind.JANEJ:
        chosen = values.get(key) or ""
        radios = "".join(
            f'<span class="radio"><input type="radio" id="f-{key}-{n}" name="{key}" value="{value}"'
            f'{" checked" if chosen == value else ""}><label for="f-{key}-{n}">{text}</label></span>'
            for n, (value, text) in enumerate((("Ja", "Ja"), ("Nej", "Nej"), ("", "Inte besvarad"))))
        return (f'<fieldset class="field janej" id="f-{key}"{_described(key, bool(f.hint), errors)}>'
                f"<legend>{label}</legend>{hint}{_error(key, errors)}{radios}</fieldset>")
    if f.kind is Kind.LIST:
        tags = f.tags()  # the form's own list items and their tags (key#1 …), one input each
        items = list(values.get(key) or [])[:len(tags)] + [""] * len(tags)
        lines = "".join(
            f'<div class="item"><label for="f-{key}-{i}">Punkt {i}</label>'
            f'<input type="text" id="f-{key}-{i}" name="{tag}" value="{e(items[i - 1])}"'
            f'{_described(key, False, errors)}></div>' for i, tag in enumerate(tags, 1))
        return (f'<fieldset class="field list" id="f-{key}"><legend>{label}</legend>{hint}'
                f"{_error(key, errors)}{lines}</fieldset>")
    value = values.get(key) or ""
    if f.kind is Kind.DATE:
        control = (f'<input type="date" id="f-{key}" name="{key}" value="{e(value)}"'
                   f'{_described(key, bool(f.hint), errors)}>')
    elif f.multiline and f.lines > 1:
        control = (f'<textarea id="f-{key}" name="{key}" rows="{min(max(f.lines, 2), 8)}"'
                   f'{_described(key, bool(f.hint), errors)}>{e(value)}</textarea>')
    else:
        control = f'<input type="text" id="f-{key}" name="{key}" value="{e(value)}"{_described(key, bool(f.hint), errors)}>'
    return f'<div class="field"><label for="f-{key}">{label}</label>{hint}{_error(key, errors)}{control}</div>'


def _registration_field(key: str, prop: dict[str, Any], values: Mapping[str, Any],
                        errors: Mapping[str, list[str]]) -> str:
    """A registration field: a group of checkboxes for a multi-choice field, a date or a text input otherwise."""
    title, hint = e(str(prop.get("title", key))), e(str(prop.get("description", "")).split(" — ")[0])
    choices = _choices(prop)
    if choices:
        chosen = {str(v).casefold() for v in (values.get(key) or [])}
        boxes = "".join(
            f'<span class="check"><input type="checkbox" id="f-{key}-{n}" name="{key}#{n}" value="{e(value)}"'
            f'{" checked" if value.casefold() in chosen else ""}><label for="f-{key}-{n}">{e(value)}</label></span>'
            for n, value in enumerate(choices, 1))
        return (f'<fieldset class="field choices" id="f-{key}"{_described(key, True, errors)}>'
                f'<legend>{title}</legend><p class="hint" id="h-{key}">{hint}</p>{_error(key, errors)}{boxes}'
                "</fieldset>")
    kind = "date" if prop.get("x-kind") == "date" else "text"
    return (f'<div class="field"><label for="f-{key}">{title}</label>'
            f'<p class="hint" id="h-{key}">{hint}</p>{_error(key, errors)}'
            f'<input type="{kind}" id="f-{key}" name="{key}" value="{e(values.get(key) or "")}"'
            f'{_described(key, True, errors)}></div>')


def one_form(office: bool, values: Mapping[str, Any] | None = None, errors: Mapping[str, list[str]] | None = None,
             general: Iterable[str] = ()) -> str:
    """The form as an HTML form: every question with its hint, grouped by section, errors beside each field."""
    values, errors, general = values or {}, errors or {}, list(general)
    labels = Counter(f.label for f in FIELDS)
    parts: list[str] = []
    if errors or general:
        items = [f'<li><a href="#f-{k}">{e(visible_label(k))}: {e(m)}</a></li>' for k, ms in errors.items() for m in ms]
        items += [f"<li>{e(m)}</li>" for m in general]
        count = len(items)
        parts.append(f'<div class="alert errors" id="fel" role="alert" tabindex="-1">'
                     f'<h2>Blanketten har {count} fel att rätta</h2><ul>{"".join(items)}</ul></div>')
    parts.append('<p>Fyll i det du vet; allt kan lämnas tomt. Ja/Nej-frågor kan lämnas obesvarade. '
                 'När du skickar får du den ifyllda blanketten att spara. Ingenting sparas på servern.</p>')
    parts.append('<form method="post" action="/fyll-i/blankett" class="oneform" novalidate>')
    registered = _registration_fields()
    if registered:
        parts.append('<fieldset class="section"><legend>Om ärendet (skrivs inte på blanketten)</legend>')
        parts.extend(_registration_field(key, prop, values, errors) for key, prop in registered)
        parts.append("</fieldset>")
    section = None
    for f in FIELDS:
        if f.section != section:
            if section is not None:
                parts.append("</fieldset>")
            section = f.section
            parts.append(f'<fieldset class="section"><legend>{e(section)}</legend>')
        parts.append(_field(f, values, errors, labels[f.label] > 1))
    parts.append("</fieldset>")
    pdf = ('<span class="radio"><input type="radio" id="ut-pdf" name="format" value="pdf"'
           f'{" checked" if values.get("format") == "pdf" else ""}><label for="ut-pdf">PDF</label></span>'
           '<span class="radio"><input type="radio" id="ut-pdfa" name="format" value="pdfa"'
           f'{" checked" if values.get("format") == "pdfa" else ""}>'
           '<label for="ut-pdfa">Arkivexemplar (PDF/A)</label></span>'
           ) if office else '<p class="hint">PDF kräver LibreOffice, som inte finns på den här datorn.</p>'
    word = "" if values.get("format") in ("pdf", "pdfa") else " checked"
    parts.append(f"""<fieldset class="choice"><legend>Filformat</legend>
<span class="radio"><input type="radio" id="ut-docx" name="format" value="docx"{word}>
<label for="ut-docx">Word (.docx)</label></span>{pdf}</fieldset>
{password_field("one-password", new=True)}
<button type="submit">Skapa den ifyllda blanketten</button>
</form>""")
    return page("Fyll i en blankett", "\n".join(parts), "/fyll-i")


def record_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The record typed in the HTML form: empty answers left out, the four list lines as a list."""
    record: dict[str, Any] = {}
    for key, prop in _registration_fields():
        choices = _choices(prop)
        if choices:  # one checkbox per value, named key#1 … as the list fields' lines are
            chosen = [form[f"{key}#{n}"] for n in range(1, len(choices) + 1) if form.get(f"{key}#{n}")]
            if chosen:
                record[key] = chosen
        elif (form.get(key) or "").strip():
            record[key] = form[key]
    for f in FIELDS:
        if f.kind is Kind.LIST:
            items = [form.get(tag, "") for tag in f.tags()]
            if any(item.strip() for item in items):
                record[f.key] = [item for item in items if item.strip()]
        else:
            value = form.get(f.key, "")
            if value.strip():
                record[f.key] = value.replace("\r\n", "\n")
    return record


# --- a job's page ----------------------------------------------------------------------------


def job_page(job: Job) -> str:
    status = job.status()
    title = "Fyll i: resultat" if job.kind == "fill" else "Läs in: resultat"
    current = "/fyll-i" if job.kind == "fill" else "/las-in"
    if job.state not in (DONE, FAILED):
        done, total, message = status["done"], status["total"], status["message"]
        value = f' value="{done}" max="{total}"' if total else ""
        body = f"""<div class="running" data-poll="/api/jobb/{e(job.id)}">
<p><label for="job-progress">Hur långt arbetet har kommit</label></p>
<progress id="job-progress"{value}></progress>
<p class="progress" role="status" aria-live="polite">{e(message)}</p>
<p>Du kan använda andra sidor under tiden. <a href="/jobb/{e(job.id)}">Uppdatera sidan</a> för att se hur långt
det har kommit.</p></div>"""
        return page(title, body, current)
    if job.state == FAILED:
        body = f'<div class="alert" role="alert"><p>{e(job.error)}</p></div>{_again(job)}'
        return page(title, body, current)
    return page(title, _fill_done(job) if job.kind == "fill" else _read_done(job), current)


def _again(job: Job) -> str:
    back = "/fyll-i" if job.kind == "fill" else "/las-in"
    return (f'<form method="post" action="/jobb/{e(job.id)}/ta-bort" class="inline">'
            f'<button type="submit" class="secondary">Ta bort resultatet från servern</button></form>'
            f'<p><a href="{back}">Börja om med nya filer</a></p>')


def _count(n: int, one: str, many: str) -> str:
    return f"1 {one}" if n == 1 else f"{n} {many}"


def fill_summary(job: Job) -> str:
    """What a fill job did, in words for the web: forms filled (and their PDFs), rows with errors."""
    made = "ingen blankett ifylld" if job.written == 0 else _count(job.written, "blankett ifylld", "blanketter ifyllda")
    parts = [made]
    if job.pdf and job.written:
        if job.pdf_written == job.written and not job.pdf_failed:
            parts = [made + ", som Word och PDF"]
        else:
            parts.append(f"{job.pdf_written} som PDF")
    if job.pdf_failed:
        parts.append(_count(job.pdf_failed, "PDF kunde inte göras", "PDF kunde inte göras"))
    if job.failed:
        parts.append(_count(job.failed, "rad med fel", "rader med fel"))
    return "Klart: " + ", ".join(parts) + "."


def _fill_done(job: Job) -> str:
    parts = [f'<div role="status"><p class="done">{e(fill_summary(job))}</p></div>']
    if job.archive:
        parts.append(f'<p><a class="button" href="/jobb/{e(job.id)}/blanketter.zip" download>'
                     f"Hämta de ifyllda blanketterna (zip, {job.forms} filer)</a></p>")
    if job.problems:
        rows = "".join(f"<tr><td>{e(p)}</td></tr>" for p in job.problems)
        then = ("Rader utan fel har fyllts i." if job.written else
                "Ingen blankett kunde fyllas i.")
        parts.append(f"""<h2>Att rätta ({len(job.problems)})</h2>
<p>Rätta raderna i din fil och ladda upp den igen. {then}</p>
<table><caption>Meddelanden, en rad per problem</caption><thead><tr><th scope="col">Meddelande</th></tr></thead>
<tbody>{rows}</tbody></table>""")
    elif not job.written:
        parts.append("<p>Filen hade inga rader att fylla i.</p>")
    else:
        parts.append("<p>Inga problem hittades.</p>")
    if job.notes:
        items = "".join(f"<li>{e(n)}</li>" for n in job.notes)
        parts.append(f"""<h2>Att känna till ({len(job.notes)})</h2>
<p>Det här hindrade inte att blanketterna fylldes i, men kontrollera att det blev som du tänkt.</p>
<ul class="notes">{items}</ul>""")
    parts.append(_again(job))
    return "\n".join(parts)


def _file_name(source: str) -> str:
    """An escaped file name that the table breaks only after a folder's '/', never inside a word."""
    return e(source).replace("/", "/<wbr>")


def read_summary(results: Iterable[Any]) -> str:
    """What a read job did, counted in files: read (ok, with warnings) and not read."""
    counts = Counter(str(r.status) for r in results)
    failed = counts.get("fel", 0)
    read = counts.get("ok", 0) + counts.get("varning", 0)
    summary = (f'Klart: {_count(read, "fil läst", "filer lästa")}: {counts.get("ok", 0)} ok, '
               f'{counts.get("varning", 0)} med varningar')
    if failed:
        summary += "; " + _count(failed, "fil kunde inte läsas", "filer kunde inte läsas")
    return summary + "."


def grouped_messages(results: Iterable[Any]) -> list[tuple[str, list[str]]]:
    """Each distinct message once, with the files it was given for, in the order first met.

    A message names its field and says what is wrong, so the same text from many files is one thing to
    look at, not many rows that drown the rare different one.
    """
    groups: dict[str, list[str]] = {}
    for r in results:
        for message in r.messages:
            files = groups.setdefault(message, [])
            if r.source not in files:
                files.append(r.source)
    return list(groups.items())


def _files_cell(files: list[str]) -> str:
    names = ", ".join(_file_name(f) for f in files)
    return names if len(files) == 1 else f"{len(files)} filer: {names}"


def _read_done(job: Job) -> str:
    summary = read_summary(job.results)
    rows = "".join(
        f'<tr><td class="file">{_file_name(r.source)}</td><td><span class="status status-{e(r.status)}">'
        f'{e(STATUS_TEXT.get(r.status, r.status))}</span></td></tr>' for r in job.results)
    groups = grouped_messages(job.results)
    messages = "".join(f'<tr><td>{e(m)}</td><td class="file">{_files_cell(files)}</td></tr>' for m, files in groups)
    if groups:
        messages = f"""<h2>Meddelanden ({len(groups)})</h2>
<table class="messages"><caption>Ett meddelande per rad, med filerna det gäller</caption>
<thead><tr><th scope="col">Meddelande</th><th scope="col">Filer</th></tr></thead>
<tbody>{messages}</tbody></table>
"""
    links = "".join(f'<li><a href="/jobb/{e(job.id)}/svar.{fmt}" download>{text}</a></li>'
                    for fmt, text in (("xlsx", "Svaren som Excel (.xlsx)"), ("ods", "Svaren som LibreOffice Calc (.ods)"),
                                      ("csv", "Svaren som CSV"),
                                      ("json", "Svaren som JSON")))
    return f"""<div role="status"><p class="done">{e(summary)}</p></div>
<h2>Hämta svaren</h2><ul>{links}</ul>
{messages}<h2>Filerna</h2>
<table class="files"><caption>En rad per fil: namn och status</caption>
<thead><tr><th scope="col">Fil</th><th scope="col">Status</th></tr></thead>
<tbody>{rows}</tbody></table>
{_again(job)}"""


def help_page(guide: str) -> str:
    """The administrator's guide (``guide``: its HTML, rendered from the packaged Markdown with raw HTML off)."""
    return page("Hjälp: administratörens guide", f'<div class="guide">\n{guide}</div>', "/hjalp")


def not_found(path: str) -> str:
    """The page for an address that does not exist, with the menu to go on from."""
    body = f"""<p>Det finns ingen sida på adressen <code>{e(path)}</code>. Kontrollera adressen, eller gå vidare
med menyn ovan eller till <a href="/">startsidan</a>.</p>"""
    return page("Sidan finns inte", body)


def not_allowed(method: str, path: str) -> str:
    """The page for a request a page does not take (a form sent to the wrong address, say)."""
    body = f"""<p>Sidan <code>{e(path)}</code> kan inte ta emot det webbläsaren skickade ({e(method)}).
Gå tillbaka och försök igen, eller börja från <a href="/">startsidan</a>.</p>"""
    return page("Det gick inte att skicka", body)


def api_page(base: str = "http://127.0.0.1:8765") -> str:
    """The API's description, its examples addressed to ``base`` (where this server answers)."""
    body = """<p>Kommunens e-tjänster och ärendesystem kan fylla i och läsa blanketten över HTTP.
Varje anrop behöver nyckeln i huvudet <code>Authorization: Bearer &lt;nyckel&gt;</code>.
Beskrivningen i OpenAPI-format: <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<table><caption>Anropen</caption>
<thead><tr><th scope="col">Anrop</th><th scope="col">Vad det gör</th></tr></thead><tbody>
<tr><td><code>GET /api/schema</code></td><td>JSON Schema för en incidentpost.</td></tr>
<tr><td><code>GET /api/blank.docx</code></td><td>Den tomma blanketten (Word).</td></tr>
<tr><td><code>GET /api/blank.pdf</code></td><td>Den tomma, ifyllbara PDF:en (följer med programmet; ingen LibreOffice behövs).</td></tr>
<tr><td><code>GET /api/arbetsbok.xlsx</code></td><td>Excel-arbetsboken för inmatning.</td></tr>
<tr><td><code>POST /api/fill</code></td><td>En post som JSON in, den ifyllda blanketten ut (.docx, eller PDF med
<code>?format=pdf</code>, eller ett arkivexemplar i PDF/A-3a med posten inbäddad med <code>?format=pdfa</code>). Felaktig post: 422 med en lista av <code>{"field", "message"}</code>.</td></tr>
<tr><td><code>POST /api/extract</code></td><td>En eller flera filer (multipart, fältet <code>filer</code>) eller en
zip-fil in; en lista av <code>{"source", "status", "messages", "record"}</code> ut, eller en fil med
<code>?format=xlsx</code>, <code>ods</code> eller <code>csv</code>.</td></tr>
</tbody></table>
<h2>Exempel</h2>
<pre><code>curl -H "Authorization: Bearer $BLANKETT_TOKEN" -H "Content-Type: application/json" \\
     -d '{"rapporterad_av": "Åsa Öberg", "polisanmald": "Ja"}' \\
     -o Bilaga5.docx BASE/api/fill

curl -H "Authorization: Bearer $BLANKETT_TOKEN" -F filer=@svar.docx BASE/api/extract</code></pre>
""".replace("BASE", e(base.rstrip("/")))
    return page("För utvecklare: API", body, "/api")
