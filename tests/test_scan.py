"""Scanned forms read by local OCR (Tesseract): our flattened PDF rendered by pdftoppm, scanned the ways paper
comes back (tests/scans.py), read as ``blankett extract`` reads it. Targets of issue 17, part 2, at 300 dpi: at
least 98 % of answer words exact, every box right, no field reported as certain that is wrong.
"""

from __future__ import annotations

import math
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from blankett import fill_pdf, readback, scan, scanread
from blankett.fill import fill_record
from blankett.form import FIELDS, Kind
from blankett.pdf import convert
from blankett.pdf.read import page_words
from blankett.readback import expand, read_file, read_files

from .clients import program
from .scans import SCAN_RECORD, VARIANTS, halftoned, rendered, save_scan, scanned, score, unsmoothed

PRINTED = VARIANTS[4]  # printed and scanned, through a JPEG round trip
SKEWED_GREY = VARIANTS[2]
SKEWED_BW = VARIANTS[3]


@pytest.fixture(scope="module")
def pages(soffice, tmp_path_factory) -> dict[str, Any]:
    """SCAN_RECORD filled, flattened by LibreOffice, and rendered by pdftoppm at 300 dpi in grey and black-white."""
    program("tesseract", "tesseract-ocr")
    folder = tmp_path_factory.mktemp("scan")
    docx = folder / "Bilaga5.docx"
    docx.write_bytes(fill_record({k: v for k, v in SCAN_RECORD.items() if v is not None}))
    (result,) = convert.docx_to_pdf([(docx, folder / "Bilaga5.pdf")], flatten=True, soffice=soffice)
    assert result.error == ""
    return {"grey": rendered(folder / "Bilaga5.pdf", 300, False), "bw": rendered(folder / "Bilaga5.pdf", 300, True),
            "pdf": folder / "Bilaga5.pdf"}


def test_a_pdf_of_scanned_pages_is_read_to_the_targets(pages, tmp_path):
    """A skewed, specked grey scan saved as a PDF of images: its words, boxes and doubts, page by page."""
    path = save_scan([scanned(p, SKEWED_GREY, seed=i) for i, p in enumerate(pages["grey"])], tmp_path / "skannad.pdf",
                     300)
    seen: list[tuple[str, int, int]] = []
    (result,) = read_files([path], on_page=lambda source, done, total: seen.append((Path(source).name, done, total)))
    assert [d for _, d, _ in seen] == [0, 1, 2, 3, 4, 5] and {t for _, _, t in seen} == {5}
    s = score([result])
    assert s.words_pct >= 98.0, result.messages
    assert (s.boxes_right, s.boxes) == (18, 18)
    assert s.certain_wrong == []
    assert result.record is not None and result.record["polisanmald"] == "Nej"
    assert result.record["sallskap_transport"] is None
    assert result.record["samtal1_datum"] == "2026-03-20"


@pytest.fixture(scope="module")
def direct(tmp_path_factory) -> dict[str, list[Any]]:
    """SCAN_RECORD filled and flattened by ``fill_pdf`` (the direct PDF fill, which draws its own boxes), rendered
    by pdftoppm at 300 dpi in grey and in black-and-white."""
    program("tesseract", "tesseract-ocr")
    folder = tmp_path_factory.mktemp("direct")
    (folder / "ifylld.pdf").write_bytes(fill_pdf({k: v for k, v in SCAN_RECORD.items() if v is not None},
                                                 flatten=True))
    return {"grey": rendered(folder / "ifylld.pdf", 300, False), "bw": rendered(folder / "ifylld.pdf", 300, True),
            "plain": unsmoothed(folder / "ifylld.pdf", 300)}


JANEJ = [f.key for f in FIELDS if f.kind is Kind.JANEJ]


def test_every_box_of_the_direct_fill_is_read_grey_black_and_white_and_printed(direct, tmp_path):
    """The three pages with boxes of the direct fill, skewed grey, skewed black-and-white and printed through JPEG:
    all nine Ja/Nej answers right (18 boxes), and no box named as unclear or not found."""
    # seed 2 on page 3 in black-and-white: OCR reads the first "Nej" as "NS" glued to the line above, and its box
    # is found where the layout puts it, right of the "Ja" box
    images = [scanned(direct["grey"][1], SKEWED_GREY, seed=1), scanned(direct["bw"][2], SKEWED_BW, seed=2),
              scanned(direct["grey"][4], PRINTED, seed=4)]
    result = read_file(save_scan(images, tmp_path / "rutor.tif", 300))
    assert result.record is not None
    assert {k: result.record[k] for k in JANEJ} == {k: SCAN_RECORD[k] for k in JANEJ}, result.messages
    assert not any(scanread.BOX_MISSING in m or scanread.BOX_UNSURE in m for m in result.messages), result.messages


#: The Ja/Nej questions of the form's page 3, the first right under the checklist's grey header row.
PAGE_3 = ["anhoriga_informerade", "stodperson_vald", "sallskap_sjukvard", "sallskap_transport"]


@pytest.mark.parametrize("seed", [1, 4, 5])
def test_boxes_under_a_grey_row_printed_in_dots_are_read_whatever_the_dots(direct, seed, tmp_path):
    """Issue 17's flaky box: page 3 in black and white, its grey header row a random screen of dots (as pdftoppm
    -mono, which draws other dots on every render, and printer drivers make it) right above "Har den utsattes
    anhöriga informerats?". OCR glued dots and box into one tall word that split the question's line, or read
    "Ja☐" and "Nej☑" as "al]" and "Inge"; the question was then not found and its box came back unread. With
    these screens (each lost that box before) every box of the page is read and none is named unclear."""
    page = scanned(halftoned(direct["plain"][2], random.Random(seed)), SKEWED_BW, seed=2)
    result = read_file(save_scan([page], tmp_path / "sida3.png", 300))
    assert result.record is not None
    assert {k: result.record[k] for k in PAGE_3} == {k: SCAN_RECORD[k] for k in PAGE_3}, result.messages
    assert not any(scanread.BOX_MISSING in m or scanread.BOX_UNSURE in m or "Anhöriga" in m
                   for m in result.messages), result.messages


def test_pages_saved_as_separate_image_files_are_read_as_one_form_by_their_headers(direct, tmp_path):
    """A folder of sida1.png … sida5.png, a page each as many scanners save them: their headers 1(5) … 5(5) make
    them one form, read whole on the first file's row (the others say where their answers are)."""
    folder = tmp_path / "skannat"
    folder.mkdir()
    for n, page in enumerate(direct["grey"], 1):
        save_scan([page], folder / f"sida{n}.png", 300)
    results = list(read_files(expand([folder])))
    assert [Path(r.source).name for r in results] == [f"sida{n}.png" for n in range(1, 6)]
    first = results[0]
    assert first.messages[0] == readback.JOINED.format(
        names="sida1.png, sida2.png, sida3.png, sida4.png och sida5.png", headers="1(5), 2(5), 3(5), 4(5) och 5(5)")
    s = score([first])
    assert (s.boxes_right, s.boxes) == (18, 18) and s.words_pct >= 98.0 and s.certain_wrong == [], first.messages
    for n, r in enumerate(results[1:], 2):
        assert r.record is None and r.messages == [readback.PAGE_OF.format(header=f"{n}(5)", first="sida1.png")]


def test_image_files_whose_headers_leave_a_page_out_stay_apart_with_a_warning(direct, tmp_path):
    """sida1.png and sida3.png: headers 1(5) and 3(5) of one form with pages left out, so each is read alone, and
    each names the files and the pages not among them."""
    for n in (1, 3):
        save_scan([direct["grey"][n - 1]], tmp_path / f"sida{n}.png", 300)
    first, third = read_files([tmp_path / "sida1.png", tmp_path / "sida3.png"])
    warning = readback.MISSING.format(which="sidorna", missing="2, 4 och 5", count=5, names="sida1.png och sida3.png")
    assert first.messages[0] == third.messages[0] == warning
    assert first.record is not None and first.record["utsatt"] == SCAN_RECORD["utsatt"]
    assert third.record is not None and third.record["polisanmald"] is None  # page 2's: not read into page 3's


def test_a_black_and_white_tiff_turned_3_degrees_reads_its_boxes_and_answers(pages, tmp_path):
    """Two pages of the checklist as a black-and-white TIFF, turned -3° with specks: 8 boxes, their comments."""
    path = save_scan([scanned(p, SKEWED_BW, seed=i) for i, p in enumerate(pages["bw"][1:3])], tmp_path / "s.tif", 300)
    result = read_file(path)
    assert result.status == "varning" and result.record is not None
    record = result.record
    boxes = {k: record[k] for k in ("sakerhetsstrateg_kontaktad", "polis_kontaktad", "polisanmald", "initialt_stod",
                                    "anhoriga_informerade", "stodperson_vald", "sallskap_sjukvard",
                                    "sallskap_transport")}
    assert boxes == {k: SCAN_RECORD[k] for k in boxes}
    assert record["kommentar_3_1_3"] == SCAN_RECORD["kommentar_3_1_3"]
    assert any("bara" in m and "frågor finns på den skannade filens 2 sida" in m for m in result.messages)
    _exact_or_named(result, ["beslut_om_atgarder", "upplevelse", "kommentar_3_1_1", "kommentar_3_1_3",
                             "kommentar_stod", "kommentar_sallskap", "kommentar_stodatgarder", "informerade"])


def _exact_or_named(result, keys: list[str]) -> None:
    """Each field read as filled in (whitespace aside), or named in the line of fields to check by hand."""
    assert result.record is not None
    check = " ".join(m for m in result.messages if m.startswith(scanread.CHECK))
    for key in keys:
        got, want = result.record[key], SCAN_RECORD[key]
        assert " ".join(str(got).split()) == " ".join(want.split()) or f"{_column(key)} (" in check, key


def test_a_printed_and_scanned_jpeg_page_keeps_no_wrong_answer_as_certain(pages, tmp_path):
    """Page 1 printed and scanned (blur, specks, JPEG at quality 40, 1.2°): its ten answers exact or named."""
    path = save_scan([scanned(pages["grey"][0], PRINTED, seed=7)], tmp_path / "sida1.jpg", 300)
    result = read_file(path)
    assert result.record is not None
    _exact_or_named(result, ["rapporterad_av", "utsatt", "handelse", "tid_och_plats", "vittnen", "forovare",
                             "forovare_grupp", "utlosande_faktor"])


def _column(key: str) -> str:
    from blankett.form import FIELDS

    return next(f.column for f in FIELDS if f.key == key)


def test_handwriting_is_named_as_unreadable_and_never_kept_as_an_answer(pages, tmp_path):
    """A cell whose typed answer is replaced by pen strokes: its field is named, and no OCR guess is kept."""
    img = pages["grey"][0].copy()
    draw = ImageDraw.Draw(img)
    # the answer of "Vem/vilka utsatte den förtroendevalde?", where the PDF's text layer (pdfminer) draws it
    words = [w for w in page_words(pages["pdf"].read_bytes(), "Bilaga5.pdf") if w.page == 0]
    first = next(w for w in words if w.text == "Okänd")
    last = next(w for w in words if w.text == "jacka")
    px = 300 / 72
    left, top, right, bottom = first.x0 * px, first.top * px, last.x1 * px, last.bottom * px
    draw.rectangle((left - 5, top - 8, right + 5, bottom + 8), fill=255)
    rng, x = random.Random(3), left
    for _ in range(5):  # five scrawled "words": a pen's wave, no letter shapes
        width = rng.randint(80, 160)
        draw.line([(x + t / 59 * width, top + 18 + 14 * math.sin(t / 59 * rng.uniform(6, 14))
                    + rng.uniform(-3, 3)) for t in range(60)], fill=20, width=4)
        x += width + 30
    result = read_file(save_scan([img], tmp_path / "handskrift.png", 300))
    assert result.record is not None and result.record["forovare"] is None
    (check,) = [m for m in result.messages if m.startswith(scanread.CHECK)]
    assert f"Förövare ({scanread.UNREADABLE})" in check
    assert result.record["vittnen"] == SCAN_RECORD["vittnen"]


def test_extract_shows_a_progress_bar_of_ocr_pages_on_a_terminal(pages, tmp_path):
    """On a terminal (a pseudo-terminal here), extract draws the pages OCR has read of each scanned file."""
    import pty

    path = save_scan([pages["grey"][4]], tmp_path / "sida5.png", 300)
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "blankett", "extract", str(path)], stdout=subprocess.DEVNULL,
                                stderr=follower, stdin=subprocess.DEVNULL)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: the command has ended
                break
            if not chunk:
                break
            shown += chunk
        assert proc.wait(120) == 0
    finally:
        os.close(leader)
    text = shown.decode()
    assert "OCR sida5.png" in text and "0/1" in text and "1/1" in text


def test_a_pen_tick_in_an_empty_box_is_read_as_ticked(pages, tmp_path):
    """Pages 2 and 3, a pen's tick drawn into the empty Ja box of the unanswered question: read as Ja."""
    img = pages["grey"][2].copy()
    words = [w for w in page_words(pages["pdf"].read_bytes(), "Bilaga5.pdf") if w.page == 2]
    question = next(w for w in words if w.text == "haft")  # "Har den utsatte haft sällskap vid transport …"
    box = next(w for w in words if w.text == "☐" and abs(w.top - question.top) < 3)  # the Ja box, first on the line
    px = 300 / 72
    x0, y0, x1, y1 = box.x0 * px, box.top * px, box.x1 * px, box.bottom * px
    w, h = x1 - x0, y1 - y0
    ImageDraw.Draw(img).line([(x0 + 0.2 * w, y0 + 0.5 * h), (x0 + 0.4 * w, y0 + 0.8 * h), (x0 + 0.8 * w, y0 + 0.2 * h)],
                             fill=10, width=4)  # a pen's tick, inside the printed ☐
    result = read_file(save_scan([pages["grey"][1], img], tmp_path / "bock.tif", 300))
    assert result.record is not None
    assert result.record["sallskap_transport"] == "Ja"
    assert result.record["sallskap_sjukvard"] == "Nej" and result.record["anhoriga_informerade"] == "Nej"


def test_a_decompression_bomb_is_refused_before_it_is_decoded(tmp_path):
    """A 40 kB PNG of 400 million pixels: one Swedish line, no OCR, no memory error."""
    path = tmp_path / "bomb.png"
    Image.new("1", (20_000, 20_000), 1).save(path)
    assert path.stat().st_size < 200_000
    result = read_file(path)
    assert result.status == "fel"
    assert result.messages == [f"bilden är större än {scan.MAX_PAGE_PIXELS // 1_000_000} miljoner bildpunkter per sida "
                               "och läses inte"]


def test_ocr_runs_only_for_scans(tmp_path, pages):
    """A .docx and a PDF with fields never start Tesseract: a stand-in on PATH notes every start."""
    fake = tmp_path / "bin"
    fake.mkdir()
    marker = tmp_path / "startad"
    (fake / "tesseract").write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    (fake / "tesseract").chmod(0o755)
    docx = tmp_path / "svar.docx"
    docx.write_bytes(fill_record({k: v for k, v in SCAN_RECORD.items() if v is not None}))
    env = os.environ | {"PATH": f"{fake}:{os.environ['PATH']}"}
    cli = [sys.executable, "-m", "blankett", "extract"]
    done = subprocess.run([*cli, str(docx)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not marker.exists()
    png = save_scan([pages["grey"][1]], tmp_path / "sida2.png", 300)
    done = subprocess.run([*cli, str(png)], env=env, capture_output=True, text=True, timeout=120)
    assert marker.exists()  # the stand-in was found and run: the .docx above would have started it too
    assert f"{png}: sidan 1 kunde inte läsas som bild" in done.stderr


def _descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command name) of every process below ``pid``."""
    children: dict[int, list[int]] = {}
    names = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1: stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
        names[int(entry.name)] = name
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append((child, names[child]))
            todo.append(child)
    return out


def _running(pid: int) -> bool:
    """True while the process runs (a killed one whose parent is gone may linger as a zombie until reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return "(tesseract)" in stat and stat[stat.rindex(")") + 2] != "Z"


def test_ctrl_c_leaves_no_tesseract_running(pages, tmp_path):
    """Ctrl-C while a page is being read: the worker is killed, and Tesseract with it (parent-death signal)."""
    path = save_scan([scanned(p, SKEWED_GREY, seed=i) for i, p in enumerate(pages["grey"][:3])], tmp_path / "s.tif",
                     300)
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "extract", str(path)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        ocr: list[int] = []
        while not ocr and time.monotonic() < deadline:
            ocr = [pid for pid, name in _descendants(proc.pid) if name == "tesseract"]
            time.sleep(0.05)
        assert ocr, "tesseract never started"
        time.sleep(1)  # past reading its page from the pipe (a worker gone before that ends it by end of file)
        assert all(_running(pid) for pid in ocr)
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
        deadline = time.monotonic() + 1  # a page takes Tesseract seconds: gone within one, it was killed
        while any(_running(pid) for pid in ocr) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_running(pid) for pid in ocr)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
