"""LibreOffice, headless: finding it and converting files with it.

Each run gets a private, temporary LibreOffice profile, so parallel runs and a
person's own LibreOffice never clash; a hung conversion is killed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .errors import BlankettError, OfficeMissingError

ENV_VAR = "BLANKETT_SOFFICE"
INSTALL_HINT = (
    "LibreOffice behövs för detta men hittades inte. Installera det med "
    "'sudo bash scripts/install-libreoffice.sh' (Debian/Ubuntu: paketet libreoffice-writer-nogui) "
    f"eller ange sökvägen till soffice med --soffice eller miljövariabeln {ENV_VAR}."
)
_CANDIDATES = ("soffice", "libreoffice")
_KNOWN_PATHS = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)


def find_soffice(explicit: str | Path | None = None) -> str:
    """The soffice program to run: ``explicit``, ``$BLANKETT_SOFFICE``, PATH, or a usual install place."""
    for candidate in (explicit, os.environ.get(ENV_VAR)):
        if candidate:
            found = shutil.which(str(candidate))
            if found:
                return found
            raise OfficeMissingError(f"LibreOffice hittades inte på {candidate}. {INSTALL_HINT}")
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    for path in _KNOWN_PATHS:
        if Path(path).is_file():
            return path
    raise OfficeMissingError(INSTALL_HINT)


class ConversionError(BlankettError):
    """LibreOffice failed or hung."""


def convert(files: list[Path], target: str, outdir: Path, timeout: float = 300.0,
            soffice: str | Path | None = None) -> dict[Path, Path | None]:
    """Convert ``files`` with one LibreOffice start; each input maps to its output, or None if none came out.

    ``target`` is what ``--convert-to`` takes (``pdf``, ``docx``, ``odt``,
    ``pdf:writer_pdf_Export:{...}``). On a timeout the whole LibreOffice process
    group is killed and :class:`ConversionError` is raised.
    """
    program = find_soffice(soffice)
    outdir.mkdir(parents=True, exist_ok=True)
    ext = target.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix="blankett-lo-") as profile:
        cmd = [
            program, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--invisible",
            "--nologo", "--norestore", "--nodefault", "--nolockcheck",
            "--convert-to", target, "--outdir", str(outdir), *[str(f) for f in files],
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAL_")}
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                                start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise ConversionError(f"LibreOffice svarade inte inom {timeout:.0f} s och avbröts") from None
        except BaseException:
            _kill(proc)
            raise
    results: dict[Path, Path | None] = {}
    for f in files:
        out = outdir / f"{Path(f).stem}.{ext}"
        results[Path(f)] = out if out.is_file() and out.stat().st_size > 0 else None
    if proc.returncode != 0 and not any(results.values()):
        detail = (err or b"").decode("utf-8", "replace").strip().splitlines()
        raise ConversionError(f"LibreOffice misslyckades (kod {proc.returncode}){': ' + detail[-1] if detail else ''}")
    return results


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
