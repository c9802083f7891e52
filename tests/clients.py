"""The real programs the tests check our files with: found, or the test fails with one line saying how to get it.

Every such failure starts with :data:`PREFIX`; ``conftest.pytest_terminal_summary`` gathers them into one
line per missing program at the end of the run (also from pytest-xdist's workers), instead of a traceback
per test.
"""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

INSTALL = "sudo bash scripts/install-clients.sh"
PREFIX = "Saknas: "
LIBREOFFICE = "LibreOffice 25.2 (Debian-paketet libreoffice-writer-nogui från bookworm-backports)"


def missing(program: str, detail: str = "") -> NoReturn:
    """Fail the test (never skip) with one line: what is missing and the command that installs it."""
    if program == LIBREOFFICE and os.environ.get("BLANKETT_SOFFICE"):
        detail = detail or f"BLANKETT_SOFFICE={os.environ['BLANKETT_SOFFICE']} är inte LibreOffice"
    pytest.fail(f"{PREFIX}{program} – installera med: {INSTALL}" + (f" ({detail})" if detail else ""),
                pytrace=False)


def program(name: str, package: str) -> str:
    """The path of the command ``name`` (from Debian's ``package``), or the test fails saying how to get it."""
    path = shutil.which(name)
    if path is None:
        missing(f"{name} (Debian-paketet {package})")
    return path
