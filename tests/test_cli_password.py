"""cli: every way a password source cannot give a password is one Swedish line and exit 1, before any file is
read or written (the password's own value is never in it)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from blankett.cli import main


@pytest.fixture()
def form(tmp_path):
    path = tmp_path / "svar.docx"
    path.write_bytes(b"PK\x03\x04 aldrig last")  # never read: the password is refused first
    return path


def _refused(args: list[str], **invoke) -> str:
    run = CliRunner().invoke(main, args, **invoke)
    assert run.exit_code == 1 and run.stdout == "", run.output
    (line,) = run.stderr.splitlines()[-1:]
    assert "Traceback" not in run.output
    return line


def test_both_a_password_file_and_a_variable_is_refused(form, tmp_path, monkeypatch):
    secret = tmp_path / "lösen.txt"
    secret.write_text("Hemligt 1\n", encoding="utf-8")
    monkeypatch.setenv("BLANKETT_LOSEN", "Hemligt 2")
    line = _refused(["extract", str(form), "--password-file", str(secret), "--password-env", "BLANKETT_LOSEN"])
    assert line == "Fel: Ange lösenordet på ett sätt: --password-file eller --password-env, inte båda."


def test_a_password_file_that_is_missing_or_not_text_is_named(form, tmp_path):
    missing = tmp_path / "saknas.txt"
    assert _refused(["extract", str(form), "--password-file", str(missing)]).startswith(f"Fel: {missing}: ")
    binary = tmp_path / "lösen.bin"
    binary.write_bytes(b"\xff\xfe\x00hemligt")
    line = _refused(["extract", str(form), "--password-file", str(binary)])
    assert line == f"Fel: {binary}: lösenordsfilen är inte text (UTF-8)"
    assert "hemligt" not in line


def test_an_empty_line_at_the_password_prompt_is_asked_again(form):
    """No empty password gets through: the prompt asks again (click's prompt without a default; the command
    relies on it and has no check of its own), and the password typed then is used."""
    run = CliRunner().invoke(main, ["extract", str(form), "--password"], input="\nHemligt 3\n")
    assert run.stderr.count("Lösenord: ") == 2 and "Hemligt 3" not in run.output
    assert run.exit_code == 1 and "svar.docx" in run.stderr  # the form itself was read, and named as broken
