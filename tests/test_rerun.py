"""A re-run of fill --pdf: each output of a form (the .docx, its PDF) is judged on its own."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from blankett.cli import main
from blankett.readback import read_file

from .conftest import EXAMPLE

pytestmark = pytest.mark.office

A, B = "Bilaga5-KS-2026-0412", "Bilaga5-KS-2026-0587"


def test_fill_pdf_makes_the_missing_pdfs_beside_docx_files_already_there(soffice, tmp_path):
    out = tmp_path / "ut"
    # as after a Ctrl-C once the .docx files were written: the .docx files, no PDF
    first = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(out)])
    assert first.exit_code == 0, first.output
    args = ["fill", str(EXAMPLE), "-o", str(out), "--pdf", "--soffice", soffice]
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-2:] == ["Klart: 0 skrivna, 2 hoppade över (finns redan), 0 fel.",
                                              "PDF: 2 skrivna, 0 hoppade över (finns redan), 0 fel."]
    assert sorted(p.name for p in out.iterdir()) == [f"{A}.docx", f"{A}.pdf", f"{B}.docx", f"{B}.pdf"]
    assert read_file(out / f"{A}.pdf").record == read_file(out / f"{A}.docx").record

    (out / f"{B}.pdf").unlink()  # one PDF lost: only it is made again
    before = (out / f"{A}.pdf").stat().st_mtime_ns
    third = CliRunner().invoke(main, args)
    assert third.exit_code == 0, third.output
    assert third.output.splitlines()[-2:] == ["Klart: 0 skrivna, 2 hoppade över (finns redan), 0 fel.",
                                              "PDF: 1 skrivna, 1 hoppade över (finns redan), 0 fel."]
    assert (out / f"{B}.pdf").exists() and (out / f"{A}.pdf").stat().st_mtime_ns == before

    (out / f"{A}.docx").unlink()  # and a lost .docx is made again beside its PDF, which stays
    fourth = CliRunner().invoke(main, args)
    assert fourth.output.splitlines()[-2:] == ["Klart: 1 skrivna, 1 hoppade över (finns redan), 0 fel.",
                                               "PDF: 0 skrivna, 2 hoppade över (finns redan), 0 fel."]
    assert (out / f"{A}.docx").exists() and (out / f"{A}.pdf").stat().st_mtime_ns == before


def test_format_pdf_makes_only_the_missing_pdfs(soffice, tmp_path):
    out = tmp_path / "ut"
    args = ["fill", str(EXAMPLE), "-o", str(out), "--format", "pdf", "--soffice", soffice]
    assert CliRunner().invoke(main, args).exit_code == 0
    (out / f"{A}.pdf").unlink()
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-1] == "Klart: 1 skrivna, 1 hoppade över (finns redan), 0 fel."
    assert sorted(p.name for p in out.iterdir()) == [f"{A}.pdf", f"{B}.pdf"]
