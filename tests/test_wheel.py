"""The wheel as a user installs it: the template ships inside, and every command works from any folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from blankett.build import SHIPPED_FORM

from .conftest import EXAMPLE, ROOT

REVIEWED = ROOT / "templates" / "Bilaga5.docx"


def test_the_packaged_template_is_the_reviewed_copy_byte_for_byte():
    assert SHIPPED_FORM == ROOT / "src" / "blankett" / "templates" / "Bilaga5.docx"
    assert SHIPPED_FORM.read_bytes() == REVIEWED.read_bytes(), (
        "the template shipped in the package differs from the reviewed templates/Bilaga5.docx: after review, "
        "cp templates/Bilaga5.docx src/blankett/templates/Bilaga5.docx")


def _run(cmd: list, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout)
    assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.office
def test_the_wheel_installed_in_a_fresh_venv_runs_every_command_from_another_folder(soffice, tmp_path):
    # build from the tracked files only, as a clean checkout would
    source = tmp_path / "källa"
    files = _run(["git", "ls-files", "-z"], ROOT).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, source], tmp_path)
    (wheel,) = dist.glob("blankett-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("blankett/templates/Bilaga5.docx") == REVIEWED.read_bytes()
        assert "blankett/profiles/oxelosund.json" in zf.namelist()
        assert zf.read("blankett/templates/Bilaga5.pdf") == (ROOT / "src/blankett/templates/Bilaga5.pdf").read_bytes()
        # the administrator's guide the server shows at /hjalp, with its pictures
        assert zf.read("blankett/web/guide/administrator.md") == (ROOT / "docs/administrator.md").read_bytes()
        assert {n for n in zf.namelist() if n.startswith("blankett/web/guide/bilder/")} >= {
            f"blankett/web/guide/bilder/{p.name}" for p in (ROOT / "src/blankett/web/guide/bilder").glob("*.png")}

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp_path)
    # dependencies from the package index; without byte-compiling every dependency's files (half the install's
    # time), which an import does for what it uses
    _run([venv / "bin" / "pip", "install", "-q", "--no-compile", "--disable-pip-version-check", wheel], tmp_path)
    blankett = venv / "bin" / "blankett"

    work = tmp_path / "annan mapp"
    (work / "data").mkdir(parents=True)
    shutil.copy(EXAMPLE, work / "data" / "exempel.json")
    blank = _run([blankett, "blank"], work)
    assert blank.stdout.startswith("Skrev out/Bilaga5.docx")
    assert (work / "out" / "Bilaga5.docx").read_bytes() == REVIEWED.read_bytes()  # the shipped form, not rebuilt

    fill = _run([blankett, "fill", "data/exempel.json"], work)
    assert fill.stdout == "Klart: 2 skrivna, 0 hoppade över (finns redan), 0 fel.\n"
    extract = _run([blankett, "extract", "out/Bilaga5-KS-2026-0412.docx", "out/Bilaga5-KS-2026-0587.docx",
                    "-o", "svar.json"], work)
    assert extract.stderr == "Klart: 2 lästa (varav 0 med varningar), 0 fel. Skrev svar.json.\n"
    records = [e["record"] for e in json.loads((work / "svar.json").read_text(encoding="utf-8"))]
    assert [r["handelse"] for r in records] == [r["handelse"] for r in json.loads(EXAMPLE.read_text("utf-8"))]

    pdfs = _run([blankett, "fill", "data/exempel.json", "--format", "pdf", "--soffice", "/finns/inte"], work)
    assert pdfs.stdout == "Klart: 2 skrivna, 0 hoppade över (finns redan), 0 fel.\n"  # no office suite needed

    publish = _run([blankett, "publish", "--soffice", soffice], work)
    assert publish.stdout.splitlines()[0].startswith("Skrev out/webb/Bilaga5.docx")
    assert (work / "out" / "webb" / "Bilaga5.pdf").read_bytes().startswith(b"%PDF-")

    template = _run([blankett, "template"], work)  # where the user is, never into the installation
    assert template.stdout.startswith("Skrev templates/Bilaga5.docx")
    assert (work / "templates" / "Bilaga5.docx").is_file()
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert not (site.parent / "templates").exists()
