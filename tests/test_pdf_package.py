"""The pdf/ package's rooms: reading a PDF loads no writing code, and pypdf's private API is used in one module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import blankett

PACKAGE = Path(blankett.__file__).parent
#: pypdf attributes that are not its documented API although they have no leading underscore.
UNDOCUMENTED = {"autodetect_utf16", "autodetect_pdfdocencoding", "utf16_bom"}
ADAPTER = PACKAGE / "pdf" / "pypdf_private.py"


def _loaded_after(statement: str) -> set[str]:
    """The package's PDF modules a fresh interpreter has loaded after ``statement``."""
    code = f"import sys; {statement}; print(*sorted(m for m in sys.modules if m.startswith('blankett.pdf.')))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return set(run.stdout.split())


def test_reading_a_pdf_loads_none_of_the_pdf_writing_code():
    loaded = _loaded_after("import blankett.pdf.read")
    assert "blankett.pdf.read" in loaded
    assert loaded <= {"blankett.pdf.read", "blankett.pdf.common", "blankett.pdf.embedded",
                      "blankett.pdf.pypdf_private"}, sorted(loaded)


def test_the_writing_check_sees_a_writer_module():
    assert "blankett.pdf.mend" in _loaded_after("import blankett.pdf.write")


def _private_uses(path: Path) -> list[str]:
    """``obj._name`` on anything but ``self``/``cls``, ``import pypdf._x``, and pypdf's undocumented attributes, in a
    module that imports pypdf; as ``file:line name``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports_pypdf = any(
        (isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] == "pypdf")
        or (isinstance(n, ast.Import) and any(a.name.split(".")[0] == "pypdf" for a in n.names))
        for n in ast.walk(tree))
    if not imports_pypdf:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else ""
            private = node.attr.startswith("_") and not node.attr.startswith("__") and owner not in ("self", "cls")
            if private or node.attr in UNDOCUMENTED:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.attr}")
        elif isinstance(node, ast.ImportFrom) and any(p.startswith("_") for p in (node.module or "").split(".")[1:]):
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.module}")
    return found


def test_pypdf_beyond_its_documented_api_only_in_the_adapter():
    outside = [use for path in sorted(PACKAGE.rglob("*.py")) if path != ADAPTER for use in _private_uses(path)]
    assert outside == []
    assert len(_private_uses(ADAPTER)) >= 4  # the adapter itself is seen by the same check
