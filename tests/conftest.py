"""Shared fixtures: the repo's paths, the example data, LibreOffice (required, never skipped)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
import uvicorn.config  # noqa: F401 - loaded before python3-uno's import hook (see below)
from lxml import etree

from blankett import office as _office
from blankett.build import blank_bytes
from blankett.office import find_soffice

from .clients import LIBREOFFICE, PREFIX, missing
from .uno_office import office, office_holder  # noqa: F401 - fixtures for tests that drive LibreOffice through UNO

# uvicorn.config is imported above before tests/uno_office.py installs python3-uno's import hook: the hook raises
# ImportError where uvicorn's optional import of a2wsgi expects ModuleNotFoundError, which broke a server started
# inside a test process after a UNO test had run in the same worker.
ROOT = Path(__file__).resolve().parents[1]
#: The text extract of the original form (a copy of shared/seed/000_5b03c77610026aea.txt, kept in the repo
#: so that the tests run in any clone; test_build checks the copy against shared/ where that is present).
SEED = ROOT / "tests" / "data" / "seed-bilaga5.txt"
SHARED_SEED = ROOT.parent / "shared" / "seed" / "000_5b03c77610026aea.txt"
EXAMPLE = ROOT / "data" / "exempel.json"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
NS = {"w": W, "w14": W14}


def pytest_configure(config: pytest.Config) -> None:
    """One warmed LibreOffice profile for the whole run (made by the first process; pytest-xdist's workers inherit
    its folder through the environment): every conversion copies it instead of paying LibreOffice's first start
    in an empty profile again, about a second each (blankett.office.PROFILE_SEED_VAR)."""
    if os.environ.get(_office.PROFILE_SEED_VAR):
        return
    seed = _profile_seed()
    if seed is not None:
        os.environ[_office.PROFILE_SEED_VAR] = str(seed)
        config.add_cleanup(lambda: (os.environ.pop(_office.PROFILE_SEED_VAR, None), shutil.rmtree(seed, True)))


def _profile_seed() -> Path | None:
    """A profile made as blankett makes one (its security settings) that LibreOffice has started with once, by
    converting the blank form; None without LibreOffice (its tests then fail with one line each, see clients.py)."""
    try:
        soffice = find_soffice()
    except Exception:  # noqa: BLE001 - no LibreOffice: no seed, and its tests say so
        return None
    seed = Path(tempfile.mkdtemp(prefix="blankett-lo-seed-"))
    _office._profile(seed)
    (seed / "Bilaga5.docx").write_bytes(blank_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAL_")}
    try:
        subprocess.run([soffice, f"-env:UserInstallation={seed.as_uri()}", "--headless", "--invisible", "--nologo",
                        "--norestore", "--nodefault", "--nolockcheck", "--convert-to", "pdf", "--outdir",
                        str(seed / "pdf"), str(seed / "Bilaga5.docx")], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120, check=False, start_new_session=True)
    except subprocess.TimeoutExpired:
        pass
    if not (seed / "pdf" / "Bilaga5.pdf").is_file():
        shutil.rmtree(seed, True)
        return None
    # owner-only, as blankett's own profiles are (a copy keeps these modes; the server's folder has no other)
    for top, dirs, files in os.walk(seed):
        for name in dirs:
            os.chmod(os.path.join(top, name), 0o700)
        for name in files:
            os.chmod(os.path.join(top, name), 0o600)
    return seed


#: The test files that take longest, slowest first (seconds of one worker, measured 2026-12-05: see
#: docs/utveckling.md, "Testsvitens tid"). pytest-xdist runs a file whole on one worker (``--dist loadfile``) and
#: by default starts the files with the most tests first, so a slow file with few tests (OCR, LibreOffice round
#: trips) started last and the other worker waited for it; started first, the many short files fill in at the end.
SLOWEST_FIRST = (
    "test_scan.py", "test_openapi_contract.py", "test_overview.py", "test_pagetext.py", "test_serve_process.py",
    "test_web.py", "test_roundtrip.py", "test_hostile.py", "test_batch.py", "test_pictures.py", "test_hostile_serve.py",
    "test_neighbour.py", "test_coded.py", "test_wheel.py", "test_uno.py", "test_protect.py", "test_archive.py",
    "test_overview_formats.py", "test_front_door.py", "test_browser.py", "test_followup_web.py", "test_pdfdirect.py",
    "test_pdf.py", "test_readback.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs LibreOffice ``office``: those that use the ``soffice`` fixture, directly or
    through another fixture. Run with LibreOffice hidden (``BLANKETT_SOFFICE=/finns/inte``), every other test passes.

    The slowest files go first (:data:`SLOWEST_FIRST`; pyproject's ``--no-loadscope-reorder`` keeps this order),
    each file's tests in their own order; the other files follow in the order they were collected."""
    for item in items:
        if "soffice" in getattr(item, "fixturenames", ()) and item.get_closest_marker("office") is None:
            item.add_marker(pytest.mark.office)
    rank = {name: n for n, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's tests stay together


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtestloop(session: pytest.Session):
    """The reading workers kept idle for the next file end when the tests have run, before pytest-cov collects the
    coverage data (its own wrapper of this hook, outside this one): a worker's data is written as it exits, and one
    left for ``IDLE_SECONDS`` exited after it was collected, so what it read counted as never run."""
    try:
        return (yield)
    finally:
        from blankett.guard import stop_idle

        stop_idle()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter):
    """One line per missing program at the very end of the run (tests/clients.py), after pytest's own summary."""
    yield
    lines: dict[str, None] = {}
    for key in ("failed", "error"):
        for report in terminalreporter.stats.get(key, []):
            text = getattr(report, "longreprtext", "") or ""
            for line in text.splitlines():
                if line.startswith(PREFIX):
                    lines.setdefault(line.strip())
    if lines:
        terminalreporter.section("program som testerna behöver saknas", sep="=", red=True, bold=True)
        for line in lines:
            terminalreporter.line(line)


@pytest.fixture(scope="session")
def soffice() -> str:
    """The soffice program; a missing LibreOffice fails the test (it is required, see README)."""
    try:
        return find_soffice()
    except Exception:  # noqa: BLE001 - turned into a failure on purpose, below (outside the handler: no chained trace)
        pass
    missing(LIBREOFFICE)


@pytest.fixture(scope="session")
def example_records() -> list[dict]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def docx_xml(path_or_bytes, part: str = "word/document.xml") -> etree._Element:
    """One part of a .docx parsed with lxml, independently of blankett's reader."""
    source = path_or_bytes if isinstance(path_or_bytes, (str, Path)) else __import__("io").BytesIO(path_or_bytes)
    with zipfile.ZipFile(source) as zf:
        return etree.fromstring(zf.read(part))


def sdt_by_tag(root: etree._Element) -> dict[str, etree._Element]:
    """Content controls by tag, read with plain XPath."""
    return {sdt.find("w:sdtPr/w:tag", NS).get(f"{{{W}}}val"): sdt
            for sdt in root.iterfind(".//w:sdt", NS) if sdt.find("w:sdtPr/w:tag", NS) is not None}


def sdt_text(sdt: etree._Element) -> str:
    """A control's text with line breaks as newlines and tabs as tabs (plain XPath, no blankett code)."""
    out = []
    for el in sdt.find("w:sdtContent", NS).iter(f"{{{W}}}t", f"{{{W}}}br", f"{{{W}}}tab"):
        out.append(el.text or "" if el.tag.endswith("}t") else "\n" if el.tag.endswith("}br") else "\t")
    return "".join(out)


def sdt_checked(sdt: etree._Element) -> bool:
    return sdt.find("w:sdtPr/w14:checkbox/w14:checked", NS).get(f"{{{W14}}}val") == "1"


def shows_placeholder(sdt: etree._Element) -> bool:
    return sdt.find("w:sdtPr/w:showingPlcHdr", NS) is not None
