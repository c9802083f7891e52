"""The command line as a user meets it: Swedish usage errors, output endings, file modes, re-runs."""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from blankett.build import SHIPPED_FORM
from blankett.cli import main

from .conftest import EXAMPLE, ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    """The real ``blankett`` command (python -m blankett), as a shell runs it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run([sys.executable, "-m", "blankett", *args], capture_output=True, text=True, env=env,
                          timeout=120)


# --- click's own messages are Swedish -------------------------------------------------------


@pytest.mark.parametrize("args, stderr", [
    (["fill"], "Användning: blankett fill [ALTERNATIV] FIL...\nSe 'blankett fill --help' för hjälp.\n\n"
               "Fel: Argument saknas: 'FIL...'.\n"),
    (["fill", "x.json", "-j", "99"], "Användning: blankett fill [ALTERNATIV] FIL...\n"
     "Se 'blankett fill --help' för hjälp.\n\nFel: Ogiltigt värde för '-j' / '--jobs': 99 ligger utanför intervallet "
     "1<=x<=64.\n"),
    (["extract", "x.docx", "-o", "."], "Användning: blankett extract [ALTERNATIV] FIL_ELLER_MAPP...\n"
     "Se 'blankett extract --help' för hjälp.\n\nFel: Ogiltigt värde för '-o' / '--output': Fil '.' är en mapp, "
     "inte en fil.\n"),
    (["nope"], "Användning: blankett [ALTERNATIV] KOMMANDO [ARGUMENT]...\nSe 'blankett --help' för hjälp.\n\n"
               "Fel: Kommandot 'nope' finns inte.\n"),
    (["fill", "x.json", "--xyzzy"], "Användning: blankett fill [ALTERNATIV] FIL...\n"
     "Se 'blankett fill --help' för hjälp.\n\nFel: Alternativet '--xyzzy' finns inte.\n"),
    (["fill", "x.json", "--format", "odt"], "Användning: blankett fill [ALTERNATIV] FIL...\n"
     "Se 'blankett fill --help' för hjälp.\n\nFel: Ogiltigt värde för '--format': 'odt' är inte något av "
     "'docx', 'pdf', 'pdfa'.\n"),
    (["check", "finns-inte.docx"], "Användning: blankett check [ALTERNATIV] FIL\n"
     "Se 'blankett check --help' för hjälp.\n\nFel: Ogiltigt värde för 'FIL': Fil 'finns-inte.docx' finns inte.\n"),
    (["fill", "x.json", "-o"], "Fel: Alternativet '-o' behöver ett värde.\n"),
])
def test_usage_errors_are_swedish(args, stderr, tmp_path):
    result = subprocess.run([sys.executable, "-m", "blankett", *args], capture_output=True, text=True,
                            cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT / "src")), timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    if stderr.startswith("Fel: "):
        assert result.stderr.splitlines()[-1] == stderr.rstrip("\n")
    else:
        assert result.stderr == stderr


def test_help_is_swedish():
    out = CliRunner().invoke(main, ["fill", "-h"]).output
    assert out.startswith("Användning: blankett fill [ALTERNATIV] FIL...")
    assert "Alternativ:" in out and "Visa den här hjälpen och avsluta." in out and "[standard: out]" in out
    assert "Options" not in out and "Usage" not in out and "default" not in out
    top = CliRunner().invoke(main, ["-h"]).output
    assert "Kommandon:" in top and "Visa versionen och avsluta." in top


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_commands_help_names_its_values_in_swedish(command):
    """click names a value by its type (TEXT, INTEGER RANGE, PATH …) unless the option says otherwise."""
    out = CliRunner().invoke(main, [command, "-h"]).output
    assert out.startswith(f"Användning: blankett {command}")
    english = re.findall(r"\b(?:TEXT|INTEGER|RANGE|FLOAT|BOOLEAN|PATH|FILENAME|FILE|DIRECTORY|CHOICE|UUID)\b", out)
    assert english == [], out


# --- the output's ending is its format -----------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["workbook", "-o", "wb.csv"], "Fel: wb.csv: fel filändelse; kommandot skriver .xlsx-filer "
                                   "(till exempel -o Bilaga5-inmatning.xlsx)"),
    (["blank", "-o", "blank.pdf"], "Fel: blank.pdf: fel filändelse; kommandot skriver .docx-filer "
                                   "(till exempel -o Bilaga5.docx)"),
    (["template", "-o", "mall.dotx"], "Fel: mall.dotx: fel filändelse; kommandot skriver .docx-filer "
                                      "(till exempel -o Bilaga5.docx)"),
    (["schema", "-o", "schema.txt"], "Fel: schema.txt: fel filändelse; kommandot skriver .json-filer "
                                     "(till exempel -o bilaga5.schema.json)"),
    # bevaka has no -o: its example named one
    (["bevaka", str(EXAMPLE), "--ics", "kalender.txt"], "Fel: kalender.txt: fel filändelse; kommandot skriver "
                                                        ".ics-filer (till exempel --ics bevakning.ics)"),
    (["extract", str(EXAMPLE), "-o", "svar.numbers"], "Fel: svar.numbers: okänt utdataformat; använd .json, "
                                                      ".jsonl, .csv, .xlsx, .ods"),
])
def test_an_output_whose_ending_is_not_its_format_is_refused(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.output == message + "\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, output", [
    (["extract", str(SHIPPED_FORM), "-o"], "svar.json"),
    (["extract", str(SHIPPED_FORM), "-o"], "svar.xlsx"),
    (["overview", str(EXAMPLE), "--format", "xlsx", "-o"], "lagesbild"),
    (["bevaka", str(EXAMPLE), "--ics"], "bevakning.ics"),
    (["schema", "-o"], "schema.json"),
    (["blank", "-o"], "Bilaga5.docx"),
    (["workbook", "-o"], "in.xlsx"),
])
def test_an_output_under_a_file_is_one_swedish_line_and_the_file_is_left_alone(args, output, tmp_path):
    # a folder of the output's path that is a file was Python's NotADirectoryError, a traceback
    blocker = tmp_path / "ut"
    blocker.write_text("en fil, ingen mapp", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "blankett", *args, str(blocker / output)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 1
    last = run.stderr.splitlines()[-1]
    assert last.startswith(f"Fel: {blocker / output}") and last.endswith(
        ": kan inte skriva filen (en del av sökvägen är en fil, inte en mapp)"), run.stderr
    assert "Traceback" not in run.stderr
    assert blocker.read_text(encoding="utf-8") == "en fil, ingen mapp"


def test_workbook_suggests_the_path_that_works(tmp_path):
    folder = tmp_path / "min mapp"
    result = run("workbook", "-o", str(folder / "in.xlsx"))
    assert result.returncode == 0, result.stderr
    suggested = result.stdout.strip().split("kör: ", 1)[1]
    assert suggested == f"blankett fill {shlex.quote(str(folder / 'in.xlsx'))}"
    book = openpyxl.load_workbook(folder / "in.xlsx")  # one incident typed in, as the person then does
    book.active.append(["KS 2026/0412", None, None, None, "Åsa Öberg"])  # after the case number and coded fields
    book.save(folder / "in.xlsx")
    check = run(*shlex.split(suggested)[1:], "--check")  # the suggestion, as a shell runs it, works
    assert check.returncode == 0, check.stderr
    assert check.stdout == "Klart: 1 godkända, 0 hoppade över (finns redan), 0 fel.\n"

    default = subprocess.run([sys.executable, "-m", "blankett", "workbook"], capture_output=True, text=True,
                             cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT / "src")), timeout=60)
    assert default.stdout.endswith("kör: blankett fill out/Bilaga5-inmatning.xlsx\n")


# --- files without answers are public, files with answers are not -------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_files_without_answers_are_readable_by_all_and_answers_stay_owner_only(tmp_path, monkeypatch, umask):
    """Whatever the umask: a folder of public files can be entered by all, a folder of answers by its owner."""
    monkeypatch.chdir(tmp_path)
    old = os.umask(umask)
    try:
        runner = CliRunner()
        for args in (["blank", "-o", "pub/blank.docx"], ["workbook", "-o", "pub/in.xlsx"],
                     ["schema", "-o", "pub/schema.json"], ["template", "-o", "pub/mall.docx"]):
            assert runner.invoke(main, args).exit_code == 0, args
        for name in ("blank.docx", "in.xlsx", "schema.json", "mall.docx"):
            assert _mode(tmp_path / "pub" / name) == 0o644, name
        assert _mode(tmp_path / "pub") == 0o755

        assert runner.invoke(main, ["fill", str(EXAMPLE), "-o", "svar/2026/dec"]).exit_code == 0
        assert runner.invoke(main, ["extract", "svar", "-o", "svar.xlsx"]).exit_code == 0
        assert {_mode(p) for p in (tmp_path / "svar/2026/dec").iterdir()} == {0o600}
        assert [_mode(tmp_path / d) for d in ("svar", "svar/2026", "svar/2026/dec")] == [0o700] * 3
        assert _mode(tmp_path / "svar.xlsx") == 0o600

        (tmp_path / "finns").mkdir(mode=0o750)  # a folder that exists is left as it is
        os.chmod(tmp_path / "finns", 0o750)
        assert runner.invoke(main, ["blank", "-o", "finns/blank.docx"]).exit_code == 0
        assert _mode(tmp_path / "finns") == 0o750
    finally:
        os.umask(old)


# --- blankett template ---------------------------------------------------------------------------


def test_template_writes_where_asked_and_never_overwrites_without_force(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(main, ["template"])
    assert first.exit_code == 0, first.output
    written = tmp_path / "templates" / "Bilaga5.docx"  # in the current folder, never into the installation
    assert written.read_bytes() == SHIPPED_FORM.read_bytes()
    assert first.output.endswith("Använd den med: blankett fill --template templates/Bilaga5.docx …\n")
    written.write_bytes(b"en mall som administratoren har andrat")
    again = CliRunner().invoke(main, ["template"])
    assert again.exit_code == 1
    assert again.output == "Fel: templates/Bilaga5.docx finns redan; ange --force för att skriva över\n"
    assert written.read_bytes() == b"en mall som administratoren har andrat"
    assert CliRunner().invoke(main, ["template", "--force"]).exit_code == 0
    assert written.read_bytes() == SHIPPED_FORM.read_bytes()


# --- a re-run into a full folder says "finns redan" once ---------------------------------------


def _records(n: int) -> list[dict]:
    base = json.loads(EXAMPLE.read_text(encoding="utf-8"))[0]
    return [dict(base, diarienummer=f"KS-{i:03d}") for i in range(n)]


def test_a_rerun_names_existing_files_once_in_the_summary(tmp_path):
    data = tmp_path / "in.json"
    data.write_text(json.dumps(_records(12), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["fill", str(data), "-o", str(out)]).exit_code == 0
    (out / "Bilaga5-KS-005.docx").unlink()
    again = run("fill", str(data), "-o", str(out))
    assert again.returncode == 0
    assert again.stdout == "Klart: 1 skrivna, 11 hoppade över (finns redan), 0 fel.\n"
    assert again.stderr == (f"11 filer fanns redan och hoppades över (ange --force för att skriva över): "
                            f"{out / 'Bilaga5-KS-000.docx'}, {out / 'Bilaga5-KS-001.docx'}, "
                            f"{out / 'Bilaga5-KS-002.docx'} och 8 till (--verbose visar alla)\n")
    verbose = run("fill", str(data), "-o", str(out), "--verbose")
    names = ", ".join(str(out / f"Bilaga5-KS-{i:03d}.docx") for i in range(12))
    assert verbose.stderr == f"12 filer fanns redan och hoppades över (ange --force för att skriva över): {names}\n"
    assert verbose.stdout == "Klart: 0 skrivna, 12 hoppade över (finns redan), 0 fel.\n"


# --- check reads our PDF too --------------------------------------------------------------------


@pytest.mark.office
def test_check_reads_our_pdf_by_field_names(soffice, tmp_path):
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    out = tmp_path / "webb"
    assert CliRunner().invoke(main, ["publish", "-o", str(out), "--soffice", soffice]).exit_code == 0
    ok = CliRunner().invoke(main, ["check", str(out / "Bilaga5.pdf")])
    assert ok.exit_code == 0, ok.output
    assert ok.output == "Bilaga5.pdf: en komplett Bilaga 5, alla fält finns.\n"
    import blankett

    assert blankett.check_form(out / "Bilaga5.pdf") == []  # the library's front door checks PDFs too

    writer = PdfWriter(clone_from=PdfReader(out / "Bilaga5.pdf"))
    for page in writer.pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if annot.get("/T") == "utsatt":
                annot[NameObject("/T")] = TextStringObject("bortdöpt")
            if annot.get("/T") == "polisanmald=Ja":
                annot[NameObject("/FT")] = NameObject("/Tx")
    broken = tmp_path / "ändrad.pdf"
    with open(broken, "wb") as fh:
        writer.write(fh)
    bad = CliRunner().invoke(main, ["check", str(broken)])
    assert bad.exit_code == 1
    assert bad.output.splitlines() == [
        'ändrad.pdf: "Utsatt person" (fält utsatt): fältet saknas',
        'ändrad.pdf: "Polisanmäld" (fält polisanmald=Ja): fel sorts fält (väntade kryssruta)',
        "ändrad.pdf: inte en komplett Bilaga 5 (2 problem).",
    ]


def _in_terminal(*args: str, cwd: Path) -> tuple[int, str]:
    """``blankett`` with its stderr on a terminal (a pseudo-terminal), as a person runs it: exit code and screen."""
    import pty

    master, slave = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "blankett", *args], stdout=subprocess.DEVNULL, stderr=slave,
                              cwd=cwd, env=dict(os.environ, PYTHONPATH=str(ROOT / "src")), timeout=120, check=False)
        os.close(slave)
        screen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the terminal has no writer left
                break
            if not chunk:
                break
            screen += chunk
    finally:
        os.close(master)
    return proc.returncode, screen.decode("utf-8")


def test_in_a_terminal_fill_and_extract_show_their_progress(tmp_path):
    code, screen = _in_terminal("fill", str(EXAMPLE), "-o", "ut", cwd=tmp_path)
    assert code == 0, screen
    assert re.search(r"Fyller i blanketter  \[#+\]  2\b", screen), screen  # the bar, full, at 2 forms
    assert sorted(p.name for p in (tmp_path / "ut").iterdir()) == ["Bilaga5-KS-2026-0412.docx",
                                                                   "Bilaga5-KS-2026-0587.docx"]
    code, screen = _in_terminal("extract", "ut", "-o", "svar.json", cwd=tmp_path)
    assert code == 0, screen
    assert re.search(r"Läser blanketter  \[#+\]  100%", screen), screen
    assert screen.rstrip().endswith("Klart: 2 lästa (varav 0 med varningar), 0 fel. Skrev svar.json.")
    assert [row["status"] for row in json.loads((tmp_path / "svar.json").read_text())] == ["ok", "ok"]


def test_called_from_python_the_command_raises_and_returns_instead_of_exiting(capsys):
    import click

    with pytest.raises(click.NoSuchOption):
        main.main(["fill", "x.json", "--xyzzy"], standalone_mode=False)
    assert main.main(["schema"], standalone_mode=False) is None
    assert json.loads(capsys.readouterr().out)["title"].startswith("Bilaga 5")



@pytest.mark.parametrize("exc, words", [
    (IsADirectoryError(21, "Is a directory"), "det är en mapp, inte en fil"),
    (FileNotFoundError(2, "No such file or directory"), "mappen finns inte och kan inte skapas där"),
    (PermissionError(13, "Permission denied"), "behörighet saknas"),  # the tests run as root: made, not met
    (OSError(28, "No space left on device"), "disken är full"),
    (OSError(30, "Read-only file system"), "filsystemet är skrivskyddat"),
    (OSError(5, "Input/output error"), "systemets svar: Input/output error"),
])
def test_why_an_output_cannot_be_written_is_said_in_swedish(exc, words):
    from blankett.errors import write_problem

    assert write_problem(exc) == words


def test_extract_of_a_folder_without_forms_says_so_and_writes_nothing(tmp_path):
    """Before: "Klart: 0 lästa … 0 fel", exit 0 and an empty svar.json, for a mistyped or wrong folder."""
    import blankett
    from blankett.readback import NO_FORMS_IN_FOLDER

    empty = tmp_path / "tom"
    (empty / "under").mkdir(parents=True)
    (empty / "under" / "anteckning.txt").write_text("inte en blankett", encoding="utf-8")
    out = tmp_path / "svar.json"
    result = CliRunner().invoke(main, ["extract", str(empty), "-o", str(out)])
    assert result.exit_code == 1 and result.stderr == f"Fel: {empty}: {NO_FORMS_IN_FOLDER}\n"
    assert not out.exists()
    form = tmp_path / "svar.docx"
    form.write_bytes(blankett.fill_docx({"utsatt": "Ann Ek"}))
    result = CliRunner().invoke(main, ["extract", str(empty), str(form), "-o", str(out)])  # the other paths are read
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"{empty}: {NO_FORMS_IN_FOLDER}"
    assert [r["record"]["utsatt"] for r in json.loads(out.read_text("utf-8"))] == ["Ann Ek"]
