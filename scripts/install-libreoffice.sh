#!/usr/bin/env bash
# Kept for older instructions: installs LibreOffice and every other program the tests use.
exec bash "$(dirname "$0")/install-clients.sh" "$@"
