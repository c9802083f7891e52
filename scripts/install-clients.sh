#!/usr/bin/env bash
# Installs the real programs the tests check our files with (Debian packages; run as root or with sudo):
#   LibreOffice 25.2 (Writer and Calc, no GUI) and its Python UNO bridge, from bookworm-backports;
#   qpdf, poppler (pdftoppm, pdftotext) and MuPDF (mutool) for PDFs;
#   Chromium for the web pages (driven by Playwright with executable_path=/usr/bin/chromium);
#   Tesseract with its Swedish data for scanned forms (blankett extract runs it locally for scans, never a cloud service).
# Only the PDF features need LibreOffice at run time; everything here is needed by the tests,
# which fail (never skip) when a program is missing.
# Prints one line naming what it installs (nothing is installed when all is there) and one line of versions.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-clients.sh: kör som root eller installera sudo; inget installerades." >&2
    exit 1
  fi
  SUDO="sudo"
fi
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
fi
export DEBIAN_FRONTEND=noninteractive
need=()
command -v soffice >/dev/null 2>&1 && soffice --version 2>/dev/null | grep -q 'LibreOffice 25' || need+=(libreoffice-writer-nogui)
/usr/bin/python3 -c 'import uno' >/dev/null 2>&1 || need+=(python3-uno)
# Calc computes and saves a workbook as a person's Calc would (tests/test_inputs.py reads what it wrote)
[ -f /usr/lib/libreoffice/program/libsclo.so ] || need+=(libreoffice-calc-nogui)
# Writer's UI files: without them headless Writer aborts when a cursor enters a titled content control (tests/uno_office.py)
[ -f /usr/lib/libreoffice/share/config/soffice.cfg/modules/swriter/ui/contentcontrolaliasbutton.ui ] || need+=(libreoffice-uiconfig-writer)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
command -v mutool >/dev/null 2>&1 || need+=(mupdf-tools)
# pdftk fills the shipped blank PDF as another form tool would (tests/test_pdfdirect.py)
command -v pdftk >/dev/null 2>&1 || need+=(pdftk-java)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# jq reads extract's JSON as an integration would, and takes only UTF-8 (tests/test_readback_failures.py)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
[ -n "$(find /usr/share/tesseract-ocr -name swe.traineddata 2>/dev/null)" ] || need+=(tesseract-ocr-swe)
fc-list 2>/dev/null | grep -q DejaVuSans || need+=(fonts-dejavu-core)
fc-list 2>/dev/null | grep -q Liberation || need+=(fonts-liberation2)
# systemd-analyze checks the unit file the README gives for running the server as a service
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installerar programmen som testerna behöver (Debian, LibreOffice från bookworm-backports): ${need[*]}"
  $SUDO apt-get update -qq
  # LibreOffice and its UNO bridge must come from backports together (25.2); the rest from bookworm.
  $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports "${need[@]}" >/dev/null
fi
# one line of versions, so that a log says which programs the tests ran with
uno=$(/usr/bin/python3 -c 'import uno' >/dev/null 2>&1 && echo "python3-uno" || echo "python3-uno SAKNAS")
echo "Program för testerna: $(soffice --version | sed -n 1p | cut -d' ' -f1-2), $uno, $(qpdf --version | sed -n 1p)," \
     "$(mutool -v 2>&1 | sed -n 1p), $(pdftoppm -v 2>&1 | sed -n 1p), $(chromium --version 2>/dev/null | sed -n 1p | cut -d' ' -f1-2)," \
     "$(tesseract --version 2>&1 | sed -n 1p) ($(tesseract --list-langs 2>/dev/null | grep -qx swe && echo swe || echo "swe SAKNAS"))"
