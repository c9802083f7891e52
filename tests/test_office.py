"""LibreOffice runner: found or named in Swedish, one start per chunk, a hung start killed and the rest converted."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from blankett import office
from blankett.build import blank_bytes
from blankett.cli import main
from blankett.errors import OfficeMissingError
from blankett.package import OLE_MAGIC
from blankett.profile import DEFAULT, load_profile
from blankett.readback import read_files

from .conftest import ROOT

# A stand-in for soffice: logs each start, writes <stem>.<ext> for every file; hangs on files named *haeng*
# (or always with FAKE_HANG), fails as LibreOffice does with FAKE_FAIL, writes nothing for files named *inget*.
FAKE = """#!{python}
import os, sys, time
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(f"{{os.getpid()}}\\n")
ext = args[args.index("--convert-to") + 1].split(":")[0]
outdir = args[args.index("--outdir") + 1]
files = args[args.index("--outdir") + 2:]
if os.environ.get("FAKE_HANG") or any("haeng" in f for f in files):
    time.sleep(60)
if os.environ.get("FAKE_FAIL"):
    sys.stderr.write("javaldx: Could not find a Java Runtime Environment!\\nError: source file could not be loaded\\n")
    sys.exit(1)
for f in files:
    stem = os.path.splitext(os.path.basename(f))[0]
    if "inget" not in stem:
        with open(os.path.join(outdir, stem + "." + ext), "w") as out:
            out.write("ok")
"""


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch) -> Path:
    """A fake soffice on a tmp path, chosen through BLANKETT_SOFFICE; its starts are logged."""
    script = tmp_path / "soffice"
    script.write_text(FAKE.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv(office.ENV_VAR, str(script))
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "starts.log"))
    monkeypatch.setattr(office, "START_SECONDS", 1.0)
    return script


def _starts(tmp_path: Path) -> list[int]:
    log = tmp_path / "starts.log"
    return [int(x) for x in log.read_text().split()] if log.exists() else []


def _inputs(tmp_path: Path, names: list[str]) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name in names:  # a real .odt or .doc, else they never reach LibreOffice (blankett.staging.prepare)
        suffix = Path(name).suffix
        (folder / name).write_bytes(_tiny_odt() if suffix == ".odt" else OLE_MAGIC + bytes(504) if suffix == ".doc"
                                    else b"x")
    return [folder / n for n in names]


def test_one_start_converts_a_whole_chunk(fake_soffice, tmp_path):
    files = _inputs(tmp_path, [f"f{n}.docx" for n in range(7)])
    done = office.convert_batch(files, "pdf", tmp_path / "out")
    assert [c.output.name for c in done] == [f"f{n}.pdf" for n in range(7)]
    assert len(_starts(tmp_path)) == 1


def test_chunks_split_a_batch(fake_soffice, tmp_path):
    files = _inputs(tmp_path, [f"f{n}.docx" for n in range(5)])
    done = office.convert_batch(files, "pdf", tmp_path / "out", chunk=2)
    assert all(c.output for c in done) and len(_starts(tmp_path)) == 3


def test_hung_conversion_is_killed_reported_and_the_rest_goes_on(fake_soffice, tmp_path):
    files = _inputs(tmp_path, ["a.docx", "haeng.docx", "b.docx"])
    began = time.monotonic()
    done = office.convert_batch(files, "pdf", tmp_path / "out", per_file=0.5)
    assert time.monotonic() - began < 20
    by_name = {c.source.name: c for c in done}
    assert by_name["a.docx"].output and by_name["b.docx"].output
    hung = by_name["haeng.docx"]
    assert hung.output is None
    assert hung.error.startswith("haeng.docx: LibreOffice svarade inte inom") and "avbröts" in hung.error
    for pid in _starts(tmp_path):  # every start, hung ones too, is gone
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_convert_raises_on_timeout(fake_soffice, tmp_path):
    files = _inputs(tmp_path, ["haeng.docx"])
    with pytest.raises(office.ConversionError, match="svarade inte inom 1 s och avbröts"):
        office.convert(files, "pdf", tmp_path / "out", timeout=1)


def test_named_soffice_that_is_missing_is_explained_in_swedish(monkeypatch):
    monkeypatch.setenv(office.ENV_VAR, "/finns/inte/soffice")
    with pytest.raises(OfficeMissingError) as exc:
        office.find_soffice()
    message = str(exc.value)
    assert "LibreOffice hittades inte på /finns/inte/soffice" in message
    assert "install-libreoffice.sh" in message and "--soffice" in message and "\n" not in message


def test_no_soffice_anywhere_is_explained_in_swedish(monkeypatch, tmp_path):
    monkeypatch.delenv(office.ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(office, "_KNOWN_PATHS", ())
    with pytest.raises(OfficeMissingError, match="LibreOffice behövs för detta men hittades inte"):
        office.convert_batch([tmp_path / "a.docx"], "pdf", tmp_path)


def test_cli_without_soffice_says_so_in_one_line(monkeypatch, tmp_path):
    # publish with the bundled profile needs no LibreOffice (its blank PDF ships); another profile's does, once
    monkeypatch.setenv(office.ENV_VAR, str(tmp_path / "saknas"))
    monkeypatch.setenv("BLANKETT_CACHE", str(tmp_path / "cache"))
    data = json.loads(DEFAULT.read_text(encoding="utf-8"))
    data.update(name="Exempelby kommun", logo=str(load_profile().logo))
    profile = tmp_path / "egen.json"
    profile.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["publish", "--profile", str(profile), "-o", str(tmp_path / "webb")])
    assert result.exit_code == 1
    assert result.output.startswith("Fel: den egna profilens (eller mallens) tomma PDF görs en gång av LibreOffice")
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output and not (tmp_path / "webb").exists()


def test_real_libreoffice_converts_a_batch_with_one_start(soffice, tmp_path):
    files = []
    for n in range(3):
        files.append(tmp_path / f"form{n}.docx")
        files[-1].write_bytes(blank_bytes())
    done = office.convert_batch(files, "odt", tmp_path / "out", soffice=soffice)
    assert [c.error for c in done] == ["", "", ""]
    assert all(c.output.stat().st_size > 1000 for c in done)


def test_fill_pdf_without_soffice_writes_nothing(monkeypatch, tmp_path):
    from tests.conftest import EXAMPLE

    monkeypatch.setenv(office.ENV_VAR, str(tmp_path / "saknas"))
    out = tmp_path / "ut"
    # a PDF fill needs no LibreOffice any more; the archive copy still does, and says so before writing anything
    result = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(out), "--format", "pdfa"])
    assert result.exit_code == 1 and result.output.startswith("Fel: LibreOffice hittades inte")
    assert not out.exists()


def test_libreoffice_exiting_with_an_error_is_one_swedish_line_per_file(fake_soffice, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_FAIL", "1")
    files = _inputs(tmp_path, ["a.docx", "b.docx"])
    with pytest.raises(office.ConversionError) as exc:
        office.convert(files, "pdf", tmp_path / "out")
    assert str(exc.value) == "LibreOffice misslyckades (kod 1): Error: source file could not be loaded"
    done = office.convert_batch(files, "pdf", tmp_path / "out")
    assert [c.error for c in done] == [f"{n}: LibreOffice misslyckades (kod 1): Error: source file could not be loaded"
                                       for n in ("a.docx", "b.docx")]
    assert len(_starts(tmp_path)) == 1 + 1 + 2  # convert; then the chunk, and each file alone to isolate the bad one


def test_a_file_libreoffice_gives_no_output_for_is_named_and_the_rest_converted(fake_soffice, tmp_path):
    files = _inputs(tmp_path, ["a.docx", "inget.docx", "b.docx"])
    done = office.convert_batch(files, "pdf", tmp_path / "out")
    assert [(c.source.name, c.output is not None, c.error) for c in done] == [
        ("a.docx", True, ""), ("inget.docx", False, "inget.docx: LibreOffice gav ingen fil"), ("b.docx", True, "")]


def _tiny_odt() -> bytes:
    """The smallest OpenDocument text: its mimetype (first, stored) and an empty content part."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
                                   'office:1.0"/>', zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_odt_files_read_when_libreoffice_fails_are_each_one_line_and_the_batch_goes_on(fake_soffice, tmp_path,
                                                                                       monkeypatch):
    from .forms import filled

    monkeypatch.setenv("FAKE_FAIL", "1")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.odt").write_bytes(_tiny_odt())  # a real one: a file that is none never reaches LibreOffice
    (folder / "b.docx").write_bytes(filled({"utsatt": "Bo"}))
    results = list(read_files([folder / "a.odt", folder / "b.docx"]))
    assert [r.status for r in results] == ["fel", "ok"]
    assert results[0].messages == ["LibreOffice kunde inte konvertera filen (LibreOffice misslyckades (kod 1): "
                                   "Error: source file could not be loaded); öppna filen i Word eller LibreOffice "
                                   "och spara den som Word-dokument (.docx)"]
    assert results[1].record["utsatt"] == "Bo"


def test_ctrl_c_during_a_conversion_stops_libreoffice_at_once(fake_soffice, tmp_path):
    """Ctrl-C while LibreOffice converts: exit 130 in a moment, no LibreOffice left running, no temporary files."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    forms = _inputs(tmp_path, ["svar1.odt", "svar2.odt", "svar3.doc"])
    env = dict(os.environ, FAKE_HANG="1", TMPDIR=str(temp), PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "extract", *map(str, forms)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_starts(tmp_path)) < 1:
            time.sleep(0.05)
        assert _starts(tmp_path), "LibreOffice was never started"
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)  # only to blankett: LibreOffice runs in its own process group
        _, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - started
        left = [pid for pid in _starts(tmp_path) if _running(pid)]
    finally:  # a failing run must not leave processes behind
        proc.kill()
        for pid in _starts(tmp_path):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert took < 5
    assert proc.returncode == 130, stderr
    assert stderr == "Avbrutet. Inga halvskrivna filer har lämnats kvar.\n"
    assert left == []
    assert list(temp.iterdir()) == []


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_without_process_groups_a_hung_start_is_killed_as_a_tree(fake_soffice, tmp_path, monkeypatch):
    """The Windows way: no new session; ``taskkill /F /T /PID`` (here a stand-in that logs), then ``kill``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    taskkill = bin_dir / "taskkill"
    taskkill.write_text(f"#!{sys.executable}\nimport sys\nopen({str(tmp_path / 'taskkill.log')!r}, 'a')"
                        ".write(' '.join(sys.argv[1:]) + '\\n')\n")
    taskkill.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(office, "_POSIX", False)
    with pytest.raises(office.ConversionError, match="svarade inte inom 1 s"):
        office.convert(_inputs(tmp_path, ["haeng.docx"]), "pdf", tmp_path / "out", timeout=1)
    (pid,) = _starts(tmp_path)
    assert (tmp_path / "taskkill.log").read_text() == f"/F /T /PID {pid}\n"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_soffice_is_found_where_installers_put_it(monkeypatch, tmp_path):
    monkeypatch.delenv(office.ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    installed = tmp_path / "LibreOffice" / "program" / "soffice.exe"
    installed.parent.mkdir(parents=True)
    installed.write_bytes(b"")
    monkeypatch.setattr(office, "_KNOWN_PATHS", (str(tmp_path / "saknas" / "soffice"), str(installed)))
    assert office.find_soffice() == str(installed)


@pytest.mark.parametrize("place", [r"C:\Program Files\LibreOffice\program\soffice.exe",
                                   "/Applications/LibreOffice.app/Contents/MacOS/soffice"])
def test_the_usual_windows_and_macos_places_are_searched(place):
    assert place in office._KNOWN_PATHS


def test_check_on_odt_when_libreoffice_fails_is_one_swedish_line(fake_soffice, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_FAIL", "1")
    (path,) = _inputs(tmp_path, ["mall.odt"])
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert result.output == ("Fel: mall.odt: LibreOffice kunde inte konvertera filen; öppna filen i Word eller "
                             "LibreOffice och spara den som Word-dokument (.docx)\n")


def test_one_odt_read_when_libreoffice_fails_is_one_line(fake_soffice, tmp_path, monkeypatch):
    from blankett.readback import read_file

    monkeypatch.setenv("FAKE_FAIL", "1")
    (path,) = _inputs(tmp_path, ["svar.odt"])
    result = read_file(path)
    assert (result.status, result.record) == ("fel", None)
    assert result.messages == ["LibreOffice kunde inte konvertera filen (LibreOffice misslyckades (kod 1): Error: source "
                               "file could not be loaded); öppna filen i Word eller LibreOffice och spara den som "
                               "Word-dokument (.docx)"]


def test_a_caller_that_stops_early_stops_the_running_starts_at_once(fake_soffice, tmp_path):
    files = _inputs(tmp_path, ["a.docx", "haeng.docx"])
    batch = office.iter_convert(files, "pdf", tmp_path / "out", chunk=1, workers=2)
    first = next(batch)
    assert (first.source.name, first.error) == ("a.docx", "")
    deadline = time.monotonic() + 10
    while len(_starts(tmp_path)) < 2 and time.monotonic() < deadline:  # the hung start is running
        time.sleep(0.02)
    began = time.monotonic()
    batch.close()
    assert time.monotonic() - began < 5
    assert [pid for pid in _starts(tmp_path) if _running(pid)] == []
    assert len(_starts(tmp_path)) == 2  # the hung file was not tried again on its own


def test_ctrl_c_while_waiting_for_one_start_kills_it(fake_soffice, tmp_path):
    import threading

    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            office.convert(_inputs(tmp_path, ["haeng.docx"]), "pdf", tmp_path / "out", timeout=30)
    finally:
        timer.cancel()
    assert [pid for pid in _starts(tmp_path) if _running(pid)] == []


def test_a_batch_needs_unique_file_stems(fake_soffice, tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(ValueError, match="unique file stems"):
        office.convert_batch([tmp_path / "a.docx", tmp_path / "x" / "a.odt"], "pdf", tmp_path / "out")


def test_stop_all_kills_every_start_and_none_begins_after_it(fake_soffice, tmp_path, monkeypatch):
    """blankett serve's stop: the threads converting for a PDF job start no further LibreOffice once it is called
    (before, the job's own thread learnt of the stop only between two steps, while its converting threads began
    the next start, and the ending interpreter waited for them)."""
    monkeypatch.setattr(office, "_ALL_STOPPED", threading.Event())  # the process goes on after this test
    monkeypatch.setenv("FAKE_HANG", "1")
    files = _inputs(tmp_path, [f"f{n}.docx" for n in range(6)])
    outcome: list[object] = []
    batch = threading.Thread(target=lambda: outcome.append(
        office.convert_batch(files, "pdf", tmp_path / "out", per_file=20, chunk=1, workers=2)))
    batch.start()
    deadline = time.monotonic() + 30
    while len(_starts(tmp_path)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_starts(tmp_path)) == 2
    office.stop_all()
    batch.join(30)  # every start hangs for 60 s and has a budget of 20 s per file: only the stop ends it sooner
    assert not batch.is_alive()
    assert len(_starts(tmp_path)) == 2  # the four files left were never handed to a new LibreOffice
    (converted,) = outcome
    assert [c.output for c in converted] == [None] * 6
    for pid in _starts(tmp_path):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_an_archive_copy_libreoffice_fails_or_spoils_is_one_swedish_line_per_form(fake_soffice, tmp_path,
                                                                                   monkeypatch):
    from tests.conftest import EXAMPLE

    out = tmp_path / "ut"
    spoilt = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(out), "--format", "pdfa"])
    assert spoilt.exit_code == 1 and "Traceback" not in spoilt.output
    lines = [line for line in spoilt.output.splitlines() if "arkivexemplaret kunde inte göras" in line]
    assert len(lines) == 2 and all(line.startswith("Bilaga5-KS-2026-") for line in lines), spoilt.output
    assert not list(out.glob("*.pdf"))  # LibreOffice's "ok" is no PDF: nothing half-made is kept
    monkeypatch.setenv("FAKE_FAIL", "1")
    failed = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(out), "--format", "pdfa", "--force"])
    assert failed.exit_code == 1 and "Traceback" not in failed.output
    lines = [line for line in failed.output.splitlines() if "LibreOffice misslyckades (kod 1)" in line]
    assert len(lines) == 2 and all(".docx: LibreOffice" in line for line in lines), failed.output
    assert not list(out.glob("*.pdf"))
    out.mkdir(exist_ok=True)
    earlier = out / "Bilaga5-KS-2026-0412.pdf"
    earlier.write_bytes(b"%PDF- ett tidigare arkivexemplar")
    kept = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(out), "--format", "pdfa"])
    assert "Klart: 0 skrivna, 1 hoppade över (finns redan), 1 fel." in kept.output  # never replaced without --force
    assert earlier.read_bytes() == b"%PDF- ett tidigare arkivexemplar"


# A stand-in for soffice that copies the profile it was started with (-env:UserInstallation=…) to PROFILE_COPY.
PROFILE_SPY = """#!{python}
import os, shutil, sys
from urllib.parse import unquote, urlparse
args = sys.argv[1:]
profile = unquote(urlparse(next(a for a in args if a.startswith("-env:UserInstallation="))[23:]).path)
shutil.copytree(profile, os.environ["PROFILE_COPY"])
ext = args[args.index("--convert-to") + 1].split(":")[0]
outdir = args[args.index("--outdir") + 1]
for f in args[args.index("--outdir") + 2:]:
    with open(os.path.join(outdir, os.path.splitext(os.path.basename(f))[0] + "." + ext), "w") as out:
        out.write("ok")
"""


def test_a_conversion_starts_from_the_test_runs_warmed_profile_with_blanketts_settings(soffice, tmp_path,
                                                                                          monkeypatch):
    """The run's seed (tests/conftest.py) is a profile LibreOffice has started with, still holding blankett's
    security settings; each conversion starts from a private owner-only copy of it (a second less per start).
    (``soffice``: LibreOffice made the seed, so without it this test fails with the line saying so.)"""
    seed = Path(os.environ[office.PROFILE_SEED_VAR])
    settings = (seed / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    for name in ("BlockUntrustedRefererLinks", "DisableActiveContent", "DisableMacrosExecution", "MacroSecurityLevel"):
        assert f'oor:name="{name}"' in settings, name
    assert (seed / "user" / "extensions").is_dir()  # LibreOffice's own first-start work, which the copy saves
    script = tmp_path / "soffice"
    script.write_text(PROFILE_SPY.format(python=sys.executable))
    script.chmod(0o755)
    monkeypatch.setenv(office.ENV_VAR, str(script))
    monkeypatch.setenv("PROFILE_COPY", str(tmp_path / "seen"))
    (tmp_path / "a.docx").write_bytes(b"x")
    assert office.convert([tmp_path / "a.docx"], "pdf", tmp_path / "out")[tmp_path / "a.docx"] is not None
    seen = tmp_path / "seen" / "user"
    copied = (seen / "registrymodifications.xcu").read_text(encoding="utf-8")
    assert copied.startswith(settings.removesuffix("</oor:items>\n"))  # the seed's, then blankett's again, last:
    # LibreOffice had dropped the update check's item from the seed; every setting holds whatever a seed holds
    items = [line for line in office.SETTINGS.splitlines() if line.startswith("<item ")]
    assert len(items) == 7 and copied.endswith("\n".join(items) + "\n</oor:items>\n")
    assert (seen / "extensions").is_dir()
    modes = {path: stat.S_IMODE(path.stat().st_mode) for path in [seen, *seen.rglob("*")]}
    assert {p: m for p, m in modes.items() if m != (0o700 if p.is_dir() else 0o600)} == {}  # owner-only, all of it
