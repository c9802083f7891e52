"""The package's layout: imports between its modules run one way (no cycles), at module level."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import blankett

PACKAGE = Path(blankett.__file__).parent
#: Function-level imports of the package's own modules, each with its reason.
LAZY = {
    # start-up time of every command (measured; see the comment in cli.py)
    ("cli", "pdf"), ("cli", "publish"), ("cli", "export"), ("cli", "readback"), ("cli", "check"), ("cli", "web"),
    ("cli", "_api"),
    # Ctrl-C while the program is still loading must be one line, not a traceback (see __main__.py)
    ("__main__", "cli"), ("__main__", "interrupt"),
    # the PDF reader turns to OCR (and pdfminer) only for a PDF without fields
    ("pdf.read", "scan"),
    # a scan's answers are assembled in a reading worker that runs scanread by name; it needs the readers' result
    # type only then (scanread stays out of every ordinary read: 47 ms at each worker start otherwise)
    ("scanread", "readback"),
    # a reading worker loads the PDF reader (pypdf) when its first PDF comes: 60-70 ms of each worker's start
    ("readback", "pdf"),
    # the front door loads a job's stages when the job is first asked for: the server's fill workers and the
    # server itself start without the PDF, overview and spreadsheet machinery (a server start with its two fill
    # workers: 3.1 s of CPU before, 1.2 s after; docs/utveckling.md, "Testsvitens tid")
    ("_api", "batch"), ("_api", "check"), ("_api", "export"), ("_api", "load"), ("_api", "office"), ("_api", "overview"),
    ("_api", "pdf"), ("_api", "publish"), ("_api", "readback"), ("_api", "workbook"),
}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module of the package, whether the import is inside a function) for each import in ``path``."""
    name = _module(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
              for n in ast.walk(f) if n is not f}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".") if package else []
            base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
            target = ".".join([*base, *([node.module] if node.module else [])])
            targets = [target] if node.module else [".".join([*base, a.name]) for a in node.names]
            found += [(t.strip("."), id(node) in nested) for t in targets]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("blankett."):
            found.append((node.module.removeprefix("blankett."), id(node) in nested))
    return found


def _graph() -> dict[str, dict[str, bool]]:
    """Each module's imports of the package's modules (to the module, or the package ``__init__`` as "")."""
    files = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, dict[str, bool]] = {}
    for name, path in files.items():
        edges: dict[str, bool] = {}
        for target, lazy in _imports(path):
            while target and target not in files:  # `from .web.app import x` is the module web.app
                target = target.rpartition(".")[0]
            if target != name and target in files:
                edges[target] = edges.get(target, True) and lazy
        graph[name] = edges
    return graph


def _cycle(graph: dict[str, dict[str, bool]]) -> list[str] | None:
    """One import cycle in ``graph``, as the modules along it, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_imports_between_the_modules_run_one_way():
    graph = _graph()
    graph.pop("", None)  # the package's __init__ imports its front door lazily (PEP 562), and nobody imports it
    for edges in graph.values():
        edges.pop("", None)  # `from . import __version__`: the package itself, which imports no module eagerly
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_check_can_fail():
    assert _cycle({"a": {"b": False}, "b": {"c": False}, "c": {"a": True}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b": False}, "b": {}}) is None


def test_modules_import_each_other_at_module_level_except_where_start_up_time_is_measured():
    lazy = {(name, target) for name, edges in _graph().items() for target, is_lazy in edges.items() if is_lazy}
    lazy = {(a, b.split(".")[0]) for a, b in lazy if a and b}
    assert lazy <= LAZY, sorted(lazy - LAZY)


ROOT = PACKAGE.parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--config", str(config), "--no-cache"], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_the_import_contracts_hold():
    """pyproject.toml's [tool.importlinter]: shells over the front door, the declaration at the bottom, what
    each shell may use beside the front door, and the PDF reader apart from the PDF writers (import-linter, as the
    README's test command runs it)."""
    r = _lint_imports(ROOT / "pyproject.toml")
    assert r.returncode == 0 and "0 broken" in r.stdout, r.stdout + r.stderr
    assert "7 kept" in r.stdout, r.stdout


def test_an_import_against_a_contract_breaks_it(tmp_path):
    config = tmp_path / "pyproject.toml"  # the web server importing the PDF writer, which it may not
    config.write_text('''[tool.importlinter]
root_package = "blankett"

[[tool.importlinter.contracts]]
name = "web without guard"
type = "forbidden"
source_modules = ["blankett.web"]
forbidden_modules = ["blankett.guard"]
''')
    r = _lint_imports(config)
    assert r.returncode != 0 and "BROKEN" in r.stdout, r.stdout
    assert shutil.which("lint-imports", path=str(LINT_IMPORTS.parent))
