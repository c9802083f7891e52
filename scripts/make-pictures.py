"""Make the pictures in docs/bilder/ from what the program does today (the guides show them).

    .venv/bin/python scripts/make-pictures.py            # into docs/bilder/, then the server's copy of the guide
    .venv/bin/python scripts/make-pictures.py --out DIR  # elsewhere (tests/test_pictures.py)

The form: the example's first incident filled as a PDF (``blankett.fill_pdf``, drawn by poppler's pdftoppm), the
same incident filled as a .docx and printed to PDF by LibreOffice Writer (then drawn by pdftoppm), and an incident
with answers too long for their boxes (its first page and its continuation page). The web pages: a real
``blankett serve`` in Debian's Chromium (Playwright), signed in through the link it prints, at a fixed window size.
The same code and programs make the same pictures; nothing is fetched from the network. Written into docs/bilder/,
they and docs/administrator.md are then copied into the package, which shows the guide at /hjalp
(tests/test_web.py requires the copies to be equal).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

import blankett
from blankett.office import find_soffice

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "bilder"
GUIDE = ROOT / "docs" / "administrator.md"
PACKAGED = ROOT / "src" / "blankett" / "web" / "guide"
EXAMPLE = ROOT / "data" / "exempel.json"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--font-render-hinting=none", "--num-raster-threads=1",
        "--disable-partial-raster", "--force-color-profile=srgb"]
#: The browser window the pages are photographed in (a laptop's width; the first screenful of each page).
WINDOW = {"width": 1100, "height": 820}
#: Pixels per inch for a drawn page: an A4 page becomes 497 × 702 pixels, readable and small.
DPI = 60
LONG = " ".join(["Hotet upprepades i flera meddelanden under veckan, och den utsatte sparade vart och ett."] * 24)


def _example() -> dict[str, object]:
    return dict(json.loads(EXAMPLE.read_text(encoding="utf-8"))[0])


def _draw(pdf: Path, page: int, png: Path) -> None:
    """One page of ``pdf`` as ``png``, drawn by poppler (a program that did not write the PDF)."""
    stem = png.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True, timeout=120)


def _pages_with(pdf: Path, text: str) -> list[int]:
    """The pages of ``pdf`` whose text (pdftotext) holds ``text``, counted from 1."""
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True,
                           timeout=120).stdout.split("\f")
    return [n for n, page in enumerate(pages, start=1) if text in page]


def form_pictures(out: Path, work: Path) -> None:
    """The filled form as a PDF, as LibreOffice Writer prints the .docx, and with answers that continue."""
    record = _example()
    pdf = work / "ifylld.pdf"
    pdf.write_bytes(blankett.fill_pdf(record))
    _draw(pdf, 1, out / "blankett-pdf-sida1.png")

    docx = work / "ifylld.docx"
    docx.write_bytes(blankett.fill_docx(record))
    profile = (work / "lo-profile").as_uri()  # LibreOffice's own settings in a private folder, removed with it
    subprocess.run([find_soffice(), f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to",
                    "pdf:writer_pdf_Export", "--outdir", str(work), str(docx)], check=True, timeout=300,
                   capture_output=True)
    _draw(work / "ifylld.pdf", 1, out / "blankett-writer-sida1.png")

    long = work / "lang.pdf"
    long.write_bytes(blankett.fill_pdf({**record, "handelse": LONG, "forovare": LONG}))
    _draw(long, 1, out / "pdf-ifylld-sida1.png")
    _draw(long, _pages_with(long, "Fortsättning – svar som inte fick plats")[0], out / "pdf-fortsattning.png")


def _serve(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """``blankett serve`` on a free port, and the sign-in link it prints."""
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not re.fullmatch(r"Öppna http://127\.0\.0\.1:\d+/logga-in\?kod=[\w-]+", line):
        proc.kill()
        raise SystemExit(f"blankett serve startade inte: {line!r}")
    return proc, line.removeprefix("Öppna ")


def _shoot(page: Page, png: Path) -> None:
    """The first screenful of ``page``, once its script, fonts and layout have settled (same pixels every run)."""
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => "
                  "requestAnimationFrame(r))))")
    page.mouse.move(0, 0)
    page.screenshot(path=str(png), animations="disabled", caret="hide")


def web_pictures(out: Path, work: Path) -> None:
    """The start page, Fyll i, Läs in, Läs in's result and the guide's page, as a browser shows them."""
    forms = []
    for n, record in enumerate(json.loads(EXAMPLE.read_text(encoding="utf-8")), start=1):
        forms.append(work / f"svar-{n}.docx")
        forms[-1].write_bytes(blankett.fill_docx(record))
    env = {**os.environ, "TMPDIR": str(work), "PYTHONUNBUFFERED": "1"}
    env.pop("BLANKETT_TOKEN", None)
    proc, link = _serve(env)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_context(viewport=WINDOW, locale="sv-SE", device_scale_factor=1).new_page()
            page.set_default_timeout(60_000)
            page.goto(link)
            page.wait_for_url(re.compile(r"http://[0-9a-f]+\.localhost:\d+/$"))
            pages = page.url.rstrip("/")
            _shoot(page, out / "webb-start.png")
            page.goto(pages + "/fyll-i")
            _shoot(page, out / "webb-fyll-i.png")
            page.goto(pages + "/las-in")
            _shoot(page, out / "webb-las-in.png")
            page.get_by_label("Ifyllda blanketter").set_input_files([str(f) for f in forms])
            page.get_by_role("button", name="Läs in blanketterna").click()
            page.wait_for_url(re.compile(r"/jobb/[^/]+$"))
            page.locator("p.done").wait_for()
            _shoot(page, out / "webb-las-in-resultat.png")
            browser.close()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def package_guide() -> None:
    """The server's copy of the administrator's guide and of exactly the pictures it shows."""
    shown = sorted(set(re.findall(r"\]\(bilder/([\w.-]+\.png)\)", GUIDE.read_text(encoding="utf-8"))))
    (PACKAGED / "bilder").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(GUIDE, PACKAGED / GUIDE.name)
    for old in (PACKAGED / "bilder").glob("*.png"):
        if old.name not in shown:
            old.unlink()
    for name in shown:
        shutil.copyfile(OUT / name, PACKAGED / "bilder" / name)
    print(f"Kopierade guiden och {len(shown)} bilder till {PACKAGED.relative_to(ROOT)}.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="mappen bilderna skrivs till (standard docs/bilder)")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="blankett-bilder-") as tmp:  # 0700: the filled forms are examples,
        work = Path(tmp)                                                 # but they are filled forms all the same
        form_pictures(out, work)
        web_pictures(out, work)
    for png in sorted(out.glob("*.png")):
        print(f"Skrev {png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}.")
    if out.resolve() == OUT:
        package_guide()
    return 0


if __name__ == "__main__":
    sys.exit(main())
