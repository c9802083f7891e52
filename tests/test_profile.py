"""The municipality profile: paths relative to the profile file, every bad profile one Swedish line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from blankett.cli import main
from blankett.profile import DEFAULT, PROFILES, load_profile


def _copy(folder: Path, **changes) -> Path:
    """The bundled profile copied to ``folder`` as min-kommun.json, with keys changed (None: removed)."""
    data = json.loads(DEFAULT.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    path = folder / "min-kommun.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_copied_profile_finds_its_logo_beside_it_wherever_the_command_runs(tmp_path, monkeypatch):
    kommun = tmp_path / "kommun"
    kommun.mkdir()
    shutil.copy(PROFILES / "logotyp-saknas.png", kommun / "vapen.png")
    path = _copy(kommun, logo="vapen.png", name="Min kommun")
    elsewhere = tmp_path / "annanstans"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(main, ["template", "--profile", str(path), "-o", "mall.docx"])
    assert result.exit_code == 0, result.output
    assert load_profile(path).logo == (kommun / "vapen.png").resolve()


def test_the_issue_s_copied_profile_is_one_line_naming_file_key_and_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(DEFAULT, tmp_path / "min-kommun.json")  # the logo stays behind in the package
    result = CliRunner().invoke(main, ["template", "--profile", "min-kommun.json"])
    assert result.exit_code == 1
    assert result.output == ('Fel: min-kommun.json: nyckeln "logo": bildfilen logotyp-saknas.png finns inte '
                             f"(sökvägen räknas från profilfilens mapp, {tmp_path.resolve()})\n")
    assert not (tmp_path / "templates").exists()


def _bad_json(folder: Path) -> Path:
    path = folder / "min-kommun.json"
    path.write_text('{"name": "Min kommun",\n "fax": }', encoding="utf-8")
    return path


def _not_an_object(folder: Path) -> Path:
    path = folder / "min-kommun.json"
    path.write_text('["Min kommun"]', encoding="utf-8")
    return path


def _latin1(folder: Path) -> Path:
    path = folder / "min-kommun.json"
    path.write_bytes(DEFAULT.read_text(encoding="utf-8").encode("latin-1"))
    return path


def _not_an_image(folder: Path) -> Path:
    (folder / "logo.png").write_text("ingen bild", encoding="utf-8")
    return _copy(folder, logo="logo.png")


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "saknas.json", "profilen finns inte"),
    (_bad_json, "profilen är ingen giltig JSON (rad 2, kolumn 9: ett värde saknas)"),
    (_not_an_object, "profilen ska vara ett JSON-objekt med nycklar och värden"),
    (_latin1, "profilen är inte UTF-8-kodad"),
    (lambda d: _copy(d, fax=None), 'nyckeln "fax" saknas i profilen'),
    (lambda d: _copy(d, fax=None, web=None), 'nycklarna "fax", "web" saknas i profilen'),
    (lambda d: _copy(d, telefon="1"), 'okänd nyckel "telefon" i profilen (giltiga: name, postal_address, '
                                      "visiting_address, phone, fax, web, email, org_nr, logo, logo_alt, "
                                      "plan_title, plan_date, plan_url, appendix)"),
    (lambda d: _copy(d, postal_address="Box 1"), 'nyckeln "postal_address" ska vara en lista med textrader, '
                                                 'till exempel ["rad 1", "rad 2"]'),
    (lambda d: _copy(d, phone=155), 'nyckeln "phone" ska vara en text inom citattecken'),
    (lambda d: _copy(d, logo="bilder/logo.png"), 'nyckeln "logo": bildfilen bilder/logo.png finns inte '
                                                 "(sökvägen räknas från profilfilens mapp, {folder})"),
    (_not_an_image, 'nyckeln "logo": bildfilen logo.png är ingen bild som Word kan visa '
                    "(PNG, JPEG, GIF, BMP eller TIFF)"),
])
@pytest.mark.parametrize("command", [["template", "-o", "mall.docx"], ["blank", "-o", "blank.docx"],
                                     ["publish", "-o", "webb"]])
def test_every_bad_profile_is_one_swedish_line_naming_the_file(make, message, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = make(tmp_path)
    result = CliRunner().invoke(main, [*command, "--profile", str(path)])
    assert result.exit_code == 1
    assert result.output == f"Fel: {path}: {message.format(folder=tmp_path.resolve())}\n"
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix not in (".json", ".png")) == []
