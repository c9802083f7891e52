"""The front door (``import blankett``) as an integrator meets it: its names, their types, what a type checker says."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import blankett
from blankett import _api

from .records import full_record

FULL = full_record()

INIT = Path(blankett.__file__)


def _type_checking_names() -> set[str]:
    """The names ``__init__`` imports for type checkers (under ``if TYPE_CHECKING:``)."""
    names = set()
    for node in ast.walk(ast.parse(INIT.read_text())):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test) and not isinstance(
                node.test, ast.UnaryOp):
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom):
                    names |= {alias.asname or alias.name for alias in stmt.names}
    return names


def test_all_the_lazy_table_and_the_type_checkers_imports_name_the_same_things():
    assert set(blankett.__all__) == set(blankett._WHERE) == _type_checking_names()
    assert len(blankett.__all__) == len(set(blankett.__all__))


def test_every_public_class_has_its_public_name():
    for name in blankett.__all__:
        value = getattr(blankett, name)
        if isinstance(value, type):
            assert value.__name__ == name, (name, value.__name__)  # what an IDE and a traceback show


def test_a_type_checker_knows_the_front_door_and_refuses_a_misspelt_name(tmp_path):
    assert (INIT.parent / "py.typed").is_file()
    good = tmp_path / "good.py"
    good.write_text("import blankett\n\n"
                    "docx: bytes = blankett.fill_docx({'polisanmald': 'Ja'}, template=None)\n"
                    "result: blankett.ExtractResult = blankett.extract(docx, 'svar.docx')\n"
                    "summary: blankett.FillSummary = blankett.fill_files(['in.csv'])\n"
                    "status: blankett.ExtractStatus = result.status\n")
    bad = tmp_path / "bad.py"
    bad.write_text("import blankett\n\nblankett.fil_docx({})\nx: int = blankett.extract(b'', 'a.docx')\n")
    # one mypy run for both files (each line of its report names its file): checking blankett and its
    # dependencies from nothing is what takes the time, twice before
    run = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache")]
    checked = subprocess.run([*run, "good.py", "bad.py"], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    lines = checked.stdout.splitlines()
    assert not [line for line in lines if line.startswith("good.py")], checked.stdout
    refused = "\n".join(line for line in lines if line.startswith("bad.py"))
    assert 'Module has no attribute "fil_docx"' in refused, checked.stdout
    assert 'Incompatible types in assignment (expression has type "ExtractResult"' in refused, checked.stdout
    assert "Found 2 errors in 1 file (checked 2 source files)" in checked.stdout, checked.stdout


def test_fill_docx_takes_a_template_as_a_path_or_as_a_loaded_template(tmp_path):
    template_file = tmp_path / "mall.docx"
    template_file.write_bytes(blankett.blank_docx())
    from_path = blankett.fill_docx(FULL, template=template_file)
    from_text = blankett.fill_docx(FULL, template=str(template_file))
    loaded = blankett.fill_docx(FULL, template=blankett.Template(template_file))
    for docx in (from_path, from_text, loaded):
        assert blankett.extract(docx, "svar.docx").record == blankett.extract(loaded, "svar.docx").record
    assert blankett.extract(from_path, "svar.docx").record["rapporterad_av"] == FULL["rapporterad_av"]
    assert _api.fill_docx is blankett.fill_docx


def test_the_library_leaves_its_hosts_click_as_it_was_and_speaks_swedish_only_while_it_runs():
    code = """
import io, contextlib, click.core as core, click.exceptions as exceptions
before = (core._, exceptions.ngettext)
import blankett.cli
assert (core._, exceptions.ngettext) == before, "importing changed click"
out = io.StringIO()
with contextlib.redirect_stdout(out):
    blankett.cli.main(["--help"], standalone_mode=False)
assert "Användning:" in out.getvalue(), out.getvalue()
assert (core._, exceptions.ngettext) == before, "running left click changed"
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stdout.strip() == "ok", r.stderr


def test_relative_paths_are_read_from_the_callers_folder_of_the_moment(tmp_path, monkeypatch):
    # The reading worker is kept between calls (it started in the first folder); an integrator's program, or a
    # test run, may change folders between two calls. Before: "filen finns inte" for the second file.
    for name, who in (("a", "Anna Lind"), ("b", "Bo Ek")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "svar.docx").write_bytes(blankett.fill_docx({"utsatt": who}))
    monkeypatch.chdir(tmp_path / "a")
    first = list(blankett.extract_files(["svar.docx"]))
    monkeypatch.chdir(tmp_path / "b")
    second = list(blankett.extract_files(["svar.docx"]))
    assert [(r.source, r.status, r.record["utsatt"]) for r in first + second] == [
        ("svar.docx", blankett.ExtractStatus.OK, "Anna Lind"), ("svar.docx", blankett.ExtractStatus.OK, "Bo Ek")]
