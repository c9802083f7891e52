"""Where one in-process read of an ordinary .docx spends its time beyond the floor: ``python -m benchmarks.extract_stages``.

Each stage of ``readback._task`` is timed in the order the read runs it, on a
freshly opened file each round, beside the floor (``bench._extract_floor``) in
the same round: a stage measured alone on a warm tree looks cheaper than it is
in a read (the parse before it has pushed the tree's neighbours out of the cache).
Not a test: figures depend on the machine. docs/hastighet.md quotes a run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench import _extract_floor
from blankett.fill import fill_record
from blankett.form import REGISTRATION_BY_KEY
from blankett.model import registration_values, to_record, validate
from blankett.package import open_package
from blankett.readback import Result, read_root
from blankett.staging import size_check
from tests.records import full_record

STAGES = ("floor", "size_check", "open (zip directory, checks)", "main_part (rels, content types)",
          "parse document.xml", "custom properties", "read_root (controls, fields)", "validate (pydantic)",
          "record and result", "total (without floor)")


def _one_round(path: Path) -> list[float]:
    """Seconds of each stage of one read, after one floor."""
    clock = time.perf_counter
    t = [clock()]
    _extract_floor(path)
    t.append(clock())
    size_check(path)
    t.append(clock())
    pkg = open_package(path, path.name)
    t.append(clock())
    main = pkg.main_part()
    t.append(clock())
    root = pkg.xml(main)
    t.append(clock())
    registered = registration_values(pkg.custom_property)
    pkg.close()
    t.append(clock())
    values, notes = read_root(root)
    values.update(registered)
    t.append(clock())
    incident, more = validate(values)
    t.append(clock())
    record = to_record(incident)
    any(v not in (None, []) for k, v in record.items() if k not in REGISTRATION_BY_KEY)
    Result(**Result(str(path), "ok", notes + more, record).as_dict())
    t.append(clock())
    steps = [b - a for a, b in zip(t, t[1:], strict=False)]
    return [*steps, t[-1] - t[1]]


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "svar.docx"
        one.write_bytes(fill_record(full_record()))
        for _ in range(50):
            _one_round(one)
        columns = list(zip(*(_one_round(one) for _ in range(rounds)), strict=True))
    medians = [statistics.median(c) * 1000 for c in columns]
    print(f"extract, one .docx in this process: median of {rounds} rounds (ms, and × the floor)")
    for name, ms in zip(STAGES, medians, strict=True):
        print(f"  {name:34s} {ms:7.3f} ms  {ms / medians[0]:5.2f} ×")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3000)
    main(parser.parse_args().rounds)
