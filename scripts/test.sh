#!/usr/bin/env bash
# The README's test command: everything the tests need on a fresh Debian machine, then every test.
#   1. the programs the tests check our files with (LibreOffice and its UNO bridge, Calc, qpdf, poppler, MuPDF,
#      Chromium): scripts/install-clients.sh installs what is missing, as root or through sudo, in one line;
#   2. the project with its test extra in .venv (made when missing);
#   3. pytest (in parallel, see pyproject.toml); arguments are passed on: bash scripts/test.sh tests/test_web.py
# A program that still is missing fails its tests (never skips them), and the run ends with one line per program.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-clients.sh || echo "Alla program kunde inte installeras; testerna som behöver dem misslyckas." >&2
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]' 2> >(grep -v "^WARNING: Location" >&2)
exec .venv/bin/python -m pytest "$@"
