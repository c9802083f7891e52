"""``blankett check`` on the formats LibreOffice converts first: .odt keeps the form's controls, .doc loses them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from blankett import office
from blankett.build import SHIPPED_FORM
from blankett.cli import main
from blankett.form import FIELDS
from blankett.staging import NO_OFFICE


@pytest.fixture(scope="module")
def saved_as(soffice, tmp_path_factory) -> dict[str, Path]:
    """The blank form saved by LibreOffice as .odt and as .doc."""
    folder = tmp_path_factory.mktemp("check")
    form = folder / "Bilaga5.docx"
    form.write_bytes(SHIPPED_FORM.read_bytes())
    out = {}
    for ext in ("odt", "doc"):
        out[ext] = office.convert([form], ext, folder / ext, soffice=soffice)[form]
        assert out[ext] is not None
    return out


def test_check_on_odt_finds_the_complete_form(saved_as):
    result = CliRunner().invoke(main, ["check", str(saved_as["odt"])])
    assert result.exit_code == 0, result.output
    assert result.output == "Bilaga5.odt: en komplett Bilaga 5, alla fält finns.\n"


def test_check_on_doc_lists_every_control_the_format_lost(saved_as):
    result = CliRunner().invoke(main, ["check", str(saved_as["doc"])])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    controls = sum(len(f.tags()) for f in FIELDS)
    assert len(lines) == controls + 1
    assert all(line.startswith("Bilaga5.doc: ") and line.endswith("innehållskontrollen saknas") for line in lines[:-1])
    assert lines[-1] == f"Bilaga5.doc: inte en komplett Bilaga 5 ({controls} problem)."


def test_check_on_odt_without_libreoffice_says_so_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv(office.ENV_VAR, str(tmp_path / "finns-inte" / "soffice"))
    path = tmp_path / "mall.odt"
    path.write_bytes(b"PK\x03\x04 en odt")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert result.output == f"Fel: {NO_OFFICE}\n"


def test_check_names_a_control_that_is_there_twice(tmp_path):
    import copy

    from .forms import edit, filled, save, sdt

    def change(root):
        control = sdt(root, "utsatt")
        control.addnext(copy.deepcopy(control))

    path = save(tmp_path, "dubbel.docx", edit(filled({}), change))
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ['dubbel.docx: "Utsatt person" (tagg utsatt): finns 2 gånger; bara den första läses',
                                          "dubbel.docx: inte en komplett Bilaga 5 (1 problem)."]


@pytest.mark.parametrize("name, data, message", [
    ("tom.docx", b"", "tom.docx: filen är tom"),  # the file was not named
    # pypdf's own English line ("EOF marker not found") was printed before ours
    ("avkortad.pdf", b"%PDF-1.7\n1 0 obj\n<<", "avkortad.pdf: PDF-filen är trasig och kan inte läsas"),
])
def test_a_file_check_cannot_open_is_one_swedish_line_naming_it(tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)
    run = subprocess.run([sys.executable, "-m", "blankett", "check", name], capture_output=True, text=True,
                         cwd=tmp_path, timeout=60)
    assert (run.returncode, run.stdout, run.stderr) == (1, "", f"Fel: {message}\n")
