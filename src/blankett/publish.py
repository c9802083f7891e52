"""Publish: the blank form for the website, as the same .docx as ``blankett blank`` and as an accessible PDF, and
a page for the website telling the one who fills it in how to send it back encrypted."""

from __future__ import annotations

import html
import re
from pathlib import Path

from .build import blank_bytes
from .errors import OutputExistsError
from .pdf import blank as pdfblank
from .profile import Profile, load_profile
from .write import write_bytes

NAME = "Bilaga5"


#: How the one who fills the form in saves it with a password, in the programs they have (issue 21); ``**`` marks
#: what to click, ``*`` a choice's name. The published page shows these steps, and docs/kryptering.md the same words.
RETURN_STEPS: dict[str, tuple[str, ...]] = {
    "Word": (
        "Fyll i blanketten.",
        "**Arkiv → Info → Skydda dokument → Kryptera med lösenord.**",
        "Skriv lösenordet, tryck OK, skriv det igen och tryck OK.",
        "Spara (Ctrl+S) och skicka filen.",
    ),
    "LibreOffice Writer": (
        "Fyll i blanketten.",
        "**Arkiv → Spara som…**, välj filtypen *Word 2007–365 (.docx)* och kryssa i **Spara med lösenord**.",
        "Tryck Spara, välj *Använd Word 2007–365!* om frågan kommer, skriv lösenordet två gånger och tryck OK.",
        "Skicka filen.",
    ),
}

#: The page's closing advice: the password goes another way than the file.
PASSWORD_ADVICE = ("**Skicka lösenordet på ett annat sätt** än filen: i ett sms eller ett telefonsamtal, aldrig i "
                   "samma e-post och helst inte i någon e-post alls.")


def publish(out_dir: str | Path, profile: Profile | None = None, force: bool = False,
            soffice: str | Path | None = None) -> list[tuple[Path, int]]:
    """Write ``Bilaga5.docx``, ``Bilaga5.pdf`` and ``Bilaga5.html`` (the page that offers them, with the steps to
    send the form back encrypted) to ``out_dir``; each path written with its size in bytes.

    The PDF is had first, so that a missing LibreOffice (another profile's first time) leaves nothing half published.
    """
    out_dir = Path(out_dir)
    for path in (out_dir / f"{NAME}.docx", out_dir / f"{NAME}.pdf", out_dir / f"{NAME}.html"):
        if path.exists() and not force:
            raise OutputExistsError(path)
    docx = blank_bytes(profile)
    pdf = blank_pdf(profile, soffice)
    written = []
    for suffix, data in ((".docx", docx), (".pdf", pdf), (".html", page(profile))):
        written.append((write_bytes(out_dir / f"{NAME}{suffix}", data, force, public=True), len(data)))
    return written


def blank_pdf(profile: Profile | None = None, soffice: str | Path | None = None) -> bytes:
    """The blank form as an accessible, fillable PDF, titled with the profile's appendix name: the shipped one for
    the bundled profile, else made once by LibreOffice and cached (:mod:`.pdf.blank`)."""
    return pdfblank.blank_pdf(profile, soffice)


def _marked(text: str) -> str:
    """A step as HTML: escaped, ``**what to click**`` strong and ``*a choice*`` emphasised."""
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"\*(.+?)\*", r"<em>\1</em>", escaped)


def page(profile: Profile | None = None) -> bytes:
    """The website's page for the blank: links to the Word file and the PDF beside it, and how to send the filled
    form back encrypted (:data:`RETURN_STEPS`). Self-contained: no script, no style sheet, no picture to fetch."""
    profile = profile or load_profile()
    e = html.escape
    title = f"{profile.appendix} – Incidentrapport och händelsedokumentation"
    steps = "\n".join(
        f'<h3>{e(program)}</h3>\n<ol>\n' + "\n".join(f"<li>{_marked(step)}</li>" for step in items) + "\n</ol>"
        for program, items in RETURN_STEPS.items())
    return f"""<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title>
</head>
<body>
<main>
<h1>{e(title)}</h1>
<p>Med blanketten rapporterar du hot, våld och trakasserier mot förtroendevalda i {e(profile.name)}, enligt
{e(profile.plan_title)}.</p>
<ul>
<li><a href="{NAME}.docx">Blanketten som Word-fil (.docx)</a> – fyll i den i Word eller LibreOffice.</li>
<li><a href="{NAME}.pdf">Blanketten som ifyllbar PDF</a> – fyll i den i en PDF-läsare.</li>
</ul>
<h2>Skicka blanketten krypterad</h2>
<p>Blanketten innehåller känsliga personuppgifter. Spara den ifyllda Word-filen med ett lösenord innan du skickar
den med e-post, så kan ingen annan än mottagaren läsa den.</p>
{steps}
<p>{_marked(PASSWORD_ADVICE)}</p>
</main>
</body>
</html>
""".encode()
