#!/usr/bin/env bash
# Installs LibreOffice 25.2 (Writer, no GUI) from Debian bookworm-backports.
# Only the PDF features and the LibreOffice tests need it. Run as root (or with sudo).
set -euo pipefail
if command -v soffice >/dev/null 2>&1 && soffice --version 2>/dev/null | grep -q 'LibreOffice 25'; then
  echo "LibreOffice finns redan: $(soffice --version)"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports \
  libreoffice-writer-nogui fonts-dejavu-core fonts-liberation2 poppler-utils >/dev/null
soffice --version
