"""A missing program fails its tests with one line saying how to get it: no traceback, never a skip."""

from __future__ import annotations

import os
import subprocess
import sys

from .clients import PREFIX
from .conftest import ROOT


def test_a_missing_libreoffice_is_one_line_at_the_end_of_the_run_and_fails_it():
    env = dict(os.environ, BLANKETT_SOFFICE="/finns/inte")
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", "--no-cov", "-q",
                          "tests/test_roundtrip.py::test_odt_is_read_directly",
                          "tests/test_roundtrip.py::test_doc_is_read_by_the_question_text"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    out = run.stdout
    assert run.returncode == 1, out
    assert "Traceback" not in out and "During handling" not in out and "skipped" not in out, out
    tail = out.rstrip().splitlines()[-3:]
    assert "program som testerna behöver saknas" in tail[0], out
    assert tail[1] == (f"{PREFIX}LibreOffice 25.2 (Debian-paketet libreoffice-writer-nogui från bookworm-backports) "
                       "– installera med: sudo bash scripts/install-clients.sh "
                       "(BLANKETT_SOFFICE=/finns/inte är inte LibreOffice)"), out
    assert "2 errors" in tail[2], out
