"""Mutation testing of the core modules (controls, kinds, load, model) with mutmut 3; not run by CI.

    .venv/bin/pip install 'mutmut>=3.8,<4'
    .venv/bin/python -m benchmarks.mutation                 # all four modules, one at a time
    .venv/bin/python -m benchmarks.mutation load --survivors  # one module, and the diff of each survivor

Each module is mutated in its own throwaway copy of the work tree (mutmut writes ``mutants/`` and reads its
configuration from the folder it runs in, so the repository's pyproject.toml is left alone), against only the
tests that exercise it, in one process (``-n 0 --no-cov``): mutmut forks per mutant and runs only the tests
that reached the mutated function. The printed figure counts a surviving mutant as killed only when
docs/mutation.md lists it as equivalent (a line starting with its name in backquotes) and says why.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = Path(sys.executable).with_name("mutmut")
DOC = ROOT / "docs" / "mutation.md"

#: The tests that exercise each module and run without LibreOffice or a browser (a forked run per mutant must be
#: quick); the tests that start LibreOffice are left out by marker. The read-back's tests (test_readback.py) are
#: left out too: they read in guarded worker processes, which import the installed blankett, not the mutant.
TESTS = {
    "controls": ["tests/test_controls.py", "tests/test_build.py", "tests/test_check.py"],
    "kinds": ["tests/test_kinds.py", "tests/test_model.py", "tests/test_controls.py", "tests/test_load_spreadsheets.py",
              "tests/test_load_edges.py", "tests/test_export.py"],
    "load": ["tests/test_load_spreadsheets.py", "tests/test_load_json.py", "tests/test_load_edges.py",
             "tests/test_load_ods.py"],
    "model": ["tests/test_model.py", "tests/test_model_build.py", "tests/test_schema.py", "tests/test_load_json.py", "tests/test_load_edges.py"],
}
MARKERS = "not office and not browser"
#: What is copied into each throwaway tree: what the selected tests read.
COPIED = ("src", "tests", "templates", "data", "pyproject.toml")
#: mutmut's exit codes (mutmut/__main__.py ``status_by_exit_code``) as the four outcomes counted here.
KILLED, SURVIVED, NO_TESTS, TIMEOUT = "killed", "survived", "no tests", "timeout"
OUTCOME = {1: KILLED, 3: KILLED, 0: SURVIVED, 5: NO_TESTS, 33: NO_TESTS, -24: TIMEOUT, 24: TIMEOUT, 36: TIMEOUT,
           152: TIMEOUT, 255: TIMEOUT, -9: KILLED, -11: KILLED}


def _setup_cfg(module: str) -> str:
    """mutmut's configuration for one module (setup.cfg: one list item per line)."""
    # forkserver: the tests start guarded worker processes (guard.py); forked from mutmut's own process they would be
    # its children, and mutmut's wait for its workers takes them for one of its own and stops
    lines = ["[mutmut]", "source_paths = src/blankett", f"only_mutate = src/blankett/{module}.py",
             "process_isolation = forkserver",
             "also_copy =", *(f"    {p}" for p in ("tests", "templates", "data")),
             "pytest_add_cli_args =", *(f"    {a}" for a in ("-n", "0", "--no-cov", "-p", "no:cacheprovider",
                                                             "-m", MARKERS)),
             "pytest_add_cli_args_test_selection =", *(f"    {t}" for t in TESTS[module] if (ROOT / t).exists())]
    return "\n".join(lines) + "\n"


def run_module(module: str, work: Path) -> dict[str, int | None]:
    """Mutate one module in a copy of the tree under ``work``; mutmut's exit code by mutant name."""
    tree = work / module
    tree.mkdir()
    for name in COPIED:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tree / name)
    (tree / "setup.cfg").write_text(_setup_cfg(module), encoding="utf-8")
    subprocess.run([str(MUTMUT), "run"], cwd=tree, check=False, stdout=subprocess.DEVNULL)
    meta = json.loads((tree / "mutants" / "src" / "blankett" / f"{module}.py.meta").read_text(encoding="utf-8"))
    codes: dict[str, int | None] = meta["exit_code_by_key"]
    return codes


def equivalent_names() -> set[str]:
    """The mutants named in docs/mutation.md's "Equivalent mutants" section, each with its reason."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    section = text.partition("## Equivalent mutants")[2].partition("\n## ")[0]
    return set(re.findall(r"`(blankett\.[\w.]+__mutmut_\d+)`", section))


def show(tree: Path, name: str) -> str:
    """The diff of one mutant, as mutmut shows it."""
    return subprocess.run([str(MUTMUT), "show", name], cwd=tree, capture_output=True, text=True, check=False).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"one or more of {', '.join(TESTS)} (all)")
    parser.add_argument("--survivors", action="store_true", help="print the diff of every surviving mutant")
    args = parser.parse_args()
    unknown = set(args.modules) - set(TESTS)
    if unknown:
        parser.error(f"unknown module: {', '.join(sorted(unknown))}")
    equivalent = equivalent_names()
    total: Counter[str] = Counter()
    print(f"{'module':<10}{'mutants':>8}{'killed':>8}{'equiv.':>8}{'survived':>9}{'no tests':>9}{'timeout':>8}"
          f"{'score':>8}")
    with tempfile.TemporaryDirectory(prefix="blankett-mutation-") as tmp:
        for module in args.modules or list(TESTS):
            codes = run_module(module, Path(tmp))
            count: Counter[str] = Counter()
            survivors = []
            for name, code in sorted(codes.items()):
                outcome = OUTCOME.get(code, "not run") if code is not None else "not run"
                if outcome in (SURVIVED, NO_TESTS) and name in equivalent:
                    outcome = "equivalent"
                elif outcome in (SURVIVED, NO_TESTS):
                    survivors.append(name)
                count[outcome] += 1
            count["mutants"] = len(codes)
            total.update(count)
            _print_row(module, count)
            for name in survivors if args.survivors else ():
                print(show(Path(tmp) / module, name))
    _print_row("overall", total)


def _print_row(label: str, c: Counter[str]) -> None:
    caught = c[KILLED] + c[TIMEOUT] + c["equivalent"]
    score = f"{100 * caught / c['mutants']:.1f} %" if c["mutants"] else "-"
    print(f"{label:<10}{c['mutants']:>8}{c[KILLED] + c[TIMEOUT]:>8}{c['equivalent']:>8}{c[SURVIVED]:>9}"
          f"{c[NO_TESTS]:>9}{c[TIMEOUT]:>8}{score:>8}", flush=True)


if __name__ == "__main__":
    main()
