"""Reading PDFs without fields from their page text: fields and boxes right, per kind of file.

``python -m benchmarks.pagetext`` builds the corpus of ``tests/pagetext_corpus.py`` (three records, made by
``fill --flatten``, qpdf, MuPDF, pdftocairo and Writer's tagged and untagged export of the form typed in through
UNO), reads every file with ``extract``'s reader and prints, per kind, the text answers right (exact after
whitespace normalisation), the Ja/Nej boxes right (a Ja/Nej answer is two boxes) and the reading time per file.
Needs LibreOffice, qpdf, poppler and the test extra (PyMuPDF, for MuPDF's flattening only).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from blankett.form import FIELDS, Kind
from blankett.readback import read_file
from tests.pagetext_corpus import (
    PROGRAM_KINDS,
    RECORDS,
    WRITER_KINDS,
    made_by_programs,
    normalised,
    record_for,
    want,
    writer_pdfs,
)

TEXTS = [f.key for f in FIELDS if f.kind is not Kind.JANEJ]
JANEJ = [f.key for f in FIELDS if f.kind is Kind.JANEJ]


def _boxes(value: Any) -> tuple[bool, bool]:
    return value == "Ja", value == "Nej"


def score(path: Path, record: dict[str, Any]) -> tuple[int, int, float]:
    """(text answers right, boxes right, seconds to read) of one file."""
    started = time.perf_counter()
    result = read_file(path)
    seconds = time.perf_counter() - started
    got, expected = normalised(result.record) or {}, want(record) or {}
    texts = sum(got.get(k) == expected.get(k) for k in TEXTS)
    boxes = sum(a == b for k in JANEJ for a, b in zip(_boxes(got.get(k)), _boxes(expected.get(k)), strict=True))
    return texts, boxes, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-writer", action="store_true", help="skip the Writer kinds (no UNO session)")
    args = parser.parse_args(argv)
    kinds = PROGRAM_KINDS + (() if args.no_writer else WRITER_KINDS)
    with tempfile.TemporaryDirectory(prefix="blankett-bench-pagetext-") as tmp:
        folder = Path(tmp)
        files: dict[str, list[tuple[Path, dict[str, Any]]]] = {kind: [] for kind in kinds}
        for name, record in RECORDS.items():
            for kind, path in made_by_programs(folder, name, record).items():
                files[kind].append((path, record_for(kind, record)))
        if not args.no_writer:
            from tests.uno_office import Office

            office = Office()
            try:
                for name, record in RECORDS.items():
                    for kind, path in writer_pdfs(office, folder, name, record).items():
                        files[kind].append((path, record_for(kind, record)))
            finally:
                office.close()
        print(f"{'kind':<18} {'files':>5} {'text answers right':>19} {'boxes right':>12} {'ms/file (median)':>17}")
        for kind in kinds:
            scores = [score(path, record) for path, record in files[kind]]
            texts = sum(s[0] for s in scores)
            boxes = sum(s[1] for s in scores)
            ms = statistics.median(s[2] for s in scores) * 1000
            print(f"{kind:<18} {len(scores):>5} {f'{texts}/{len(scores) * len(TEXTS)}':>19} "
                  f"{f'{boxes}/{len(scores) * 2 * len(JANEJ)}':>12} {ms:>17.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
