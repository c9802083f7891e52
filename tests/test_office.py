"""LibreOffice runner: found or named in Swedish, one start per chunk, a hung start killed and the rest converted."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from blankett import office
from blankett.build import blank_bytes
from blankett.cli import main
from blankett.errors import OfficeMissingError

# A stand-in for soffice: logs each start, writes <stem>.<ext> for every file, hangs on files named *haeng*.
FAKE = """#!{python}
import os, sys, time
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(f"{{os.getpid()}}\\n")
ext = args[args.index("--convert-to") + 1].split(":")[0]
outdir = args[args.index("--outdir") + 1]
files = args[args.index("--outdir") + 2:]
if any("haeng" in f for f in files):
    time.sleep(60)
for f in files:
    stem = os.path.splitext(os.path.basename(f))[0]
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
    for name in names:
        (folder / name).write_bytes(b"x")
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
    monkeypatch.setenv(office.ENV_VAR, str(tmp_path / "saknas"))
    result = CliRunner().invoke(main, ["publish", "-o", str(tmp_path / "webb")])
    assert result.exit_code == 1
    assert result.output.startswith("Fel: LibreOffice hittades inte") and result.output.count("\n") == 1
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
    result = CliRunner().invoke(main, ["fill", str(EXAMPLE), "-o", str(out), "--pdf"])
    assert result.exit_code == 1 and result.output.startswith("Fel: LibreOffice hittades inte")
    assert not out.exists()
