"""blankett publish: the website's Bilaga5.docx (same as ``blank``) and Bilaga5.pdf, clean metadata."""

from __future__ import annotations

import re
import zipfile

from click.testing import CliRunner
from pypdf import PdfReader

from blankett.build import blank_bytes
from blankett.cli import main
from blankett.form import FIELDS


def test_publish_writes_docx_and_pdf_and_says_so(soffice, tmp_path):
    out = tmp_path / "webb"
    result = CliRunner().invoke(main, ["publish", "-o", str(out), "--soffice", soffice])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(rf"Skrev {re.escape(str(out / 'Bilaga5.docx'))} \(\d+ kB\)\.", lines[0])
    assert re.fullmatch(rf"Skrev {re.escape(str(out / 'Bilaga5.pdf'))} \(\d+ kB\)\.", lines[1])
    assert (out / "Bilaga5.docx").read_bytes() == blank_bytes()
    reader = PdfReader(out / "Bilaga5.pdf")
    assert len(reader.get_fields()) == sum(len(f.tags()) for f in FIELDS)
    for name in ("Bilaga5.docx", "Bilaga5.pdf"):
        assert (out / name).stat().st_mode & 0o777 == 0o644  # public: no answers in them

    again = CliRunner().invoke(main, ["publish", "-o", str(out), "--soffice", soffice])
    assert again.exit_code == 1 and again.output.startswith("Fel: ") and "--force" in again.output


def test_published_files_carry_no_local_paths_or_program_versions(soffice, tmp_path):
    out = tmp_path / "webb"
    assert CliRunner().invoke(main, ["publish", "-o", str(out), "--soffice", soffice]).exit_code == 0
    pdf = (out / "Bilaga5.pdf").read_bytes()
    with zipfile.ZipFile(out / "Bilaga5.docx") as zf:
        props = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("docProps/"))
    for data in (pdf, props):
        assert str(tmp_path).encode() not in data and b"/tmp/" not in data and b"/root" not in data
    meta = PdfReader(out / "Bilaga5.pdf").metadata
    assert meta["/Producer"] == "blankett" and "/Author" not in meta
    assert meta.title == "Incidentrapport och händelsedokumentation – Bilaga 5"
