"""Build the bundled profile's blank PDF (src/blankett/templates/Bilaga5.pdf) from the current code through LibreOffice.

Run after changing the form, the profile, the template or the PDF mending:
    .venv/bin/python scripts/make-blank-pdf.py
tests/test_pdfdirect.py checks that the shipped file is what the current code makes (fields, names, tooltips,
rectangles, page text and structure; LibreOffice's bytes are not stable from run to run).
"""

from __future__ import annotations

import sys

from blankett.build import blank_bytes
from blankett.pdf.blank import SHIPPED, make_blank_pdf, title_for
from blankett.write import write_bytes


def main() -> int:
    data = make_blank_pdf(blank_bytes(), title_for(None))
    write_bytes(SHIPPED, data, force=True, public=True)  # package data: readable by all, like the .docx template
    print(f"Skrev {SHIPPED} ({len(data) // 1024} kB).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
