"""The command line's own behaviour: the blank form command, Ctrl-C in one Swedish line, the version."""

from __future__ import annotations

import stat

import pytest
from click.testing import CliRunner

import blankett
from blankett import cli
from blankett.build import SHIPPED_FORM
from blankett.cli import main

from .conftest import EXAMPLE, docx_xml, sdt_by_tag, shows_placeholder


def test_blank_writes_the_empty_form_readable_by_all_and_never_overwrites(tmp_path):
    out = tmp_path / "webb" / "Bilaga5.docx"
    result = CliRunner().invoke(main, ["blank", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Skrev {out} ({len(SHIPPED_FORM.read_bytes()) // 1024} kB).\n"
    assert out.read_bytes() == SHIPPED_FORM.read_bytes()
    assert all(shows_placeholder(s) for s in sdt_by_tag(docx_xml(out)).values() if s.find(".//{*}checkbox") is None)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # no answers: made to be published
    again = CliRunner().invoke(main, ["blank", "-o", str(out)])
    assert again.exit_code == 1
    assert again.output == f"Fel: {out} finns redan; ange --force för att skriva över\n"
    assert CliRunner().invoke(main, ["blank", "-o", str(out), "--force"]).exit_code == 0


def test_ctrl_c_is_one_swedish_line_and_exit_code_130(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "fill_files", interrupted)
    result = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 130
    assert result.output == "Avbrutet. Inga halvskrivna filer har lämnats kvar.\n"


def test_an_error_while_a_library_cleans_up_after_ctrl_c_is_the_same_line_and_130(tmp_path, monkeypatch):
    def cleaning_up(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise OSError("stängd fil") from None  # the Ctrl-C is still its context

    monkeypatch.setattr(cli, "fill_files", cleaning_up)
    result = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(tmp_path / "ut")])
    assert (result.exit_code, result.output) == (130, "Avbrutet. Inga halvskrivna filer har lämnats kvar.\n")

    def failing(*args, **kwargs):  # no Ctrl-C: a bug, not hidden behind the interrupt line
        raise OSError("stängd fil")

    monkeypatch.setattr(cli, "fill_files", failing)
    result = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 1 and isinstance(result.exception, OSError) and "Avbrutet" not in result.output


def test_version_and_swedish_help():
    assert CliRunner().invoke(main, ["--version"]).output == "blankett 0.1.0\n"
    help_text = CliRunner().invoke(main, ["-h"]).output
    assert "Fyller i blanketten från data" in help_text
    for command in ("blank", "check", "extract", "fill", "publish", "schema", "template", "workbook"):
        assert f"  {command} " in help_text


def test_template_writes_what_the_declaration_and_profile_give(tmp_path):
    from blankett.build import build_bytes

    out = tmp_path / "Bilaga5.docx"
    result = CliRunner().invoke(main, ["template", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Skrev {out} ({len(out.read_bytes()) // 1024} kB). Använd den med: ")
    assert out.read_bytes() == build_bytes() == SHIPPED_FORM.read_bytes()


def test_an_output_that_appears_while_it_is_written_is_kept_and_told(tmp_path):
    from blankett.write import atomic_path

    target = tmp_path / "svar.docx"
    with pytest.raises(blankett.OutputExistsError), atomic_path(target) as tmp:
        tmp.write_bytes(b"ny")
        target.write_bytes(b"en annan process")  # e.g. a second batch writing the same name
    assert target.read_bytes() == b"en annan process"
    assert list(tmp_path.iterdir()) == [target]  # the temporary file is gone
