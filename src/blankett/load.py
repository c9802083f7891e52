"""Load: incident records from input files, one :class:`Row` at a time.

The format is chosen by the file's ending; after loading, every format is a
stream of rows with raw values by field key, validated by one code path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from .errors import InputError


@dataclass
class Row:
    """One record as loaded: where it came from and its raw values (not yet validated)."""

    source: str
    number: int
    unit: str = "post"  # "post" (JSON record) or "rad" (spreadsheet row)
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field key -> column header as shown

    @property
    def where(self) -> str:
        """Where a person finds this record: ``exempel.json post 2``, ``incidenter.xlsx rad 7``."""
        return f"{self.source} {self.unit} {self.number}"

    def describe(self, message: str) -> str:
        """A message about this record, prefixed by where it is."""
        for key, header in self.columns.items():
            field_ref = f'fältet "{key}"'
            if message.startswith(field_ref):
                end = message.find(":")
                return f'{self.where}, kolumn "{header}"{message[end:]}'
        return f"{self.where}, {message}"


def _json_rows(path: Path) -> Iterator[Row]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: filen är inte UTF-8-kodad") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path.name}: ogiltig JSON på rad {exc.lineno}, kolumn {exc.colno} ({exc.msg})") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError(f"{path.name}: JSON-filen ska innehålla en post eller en lista med poster")
    for n, item in enumerate(data, start=1):
        yield Row(path.name, n, data=item) if isinstance(item, dict) else Row(
            path.name, n, error=f"{path.name} post {n}: posten är inget objekt med fält")


def _jsonl_rows(path: Path) -> Iterator[Row]:
    try:
        fh = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path.name}: filen kan inte öppnas ({exc.strerror})") from None
    with fh:
        try:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield Row(path.name, n, "rad", error=f"{path.name} rad {n}: ogiltig JSON ({exc.msg})")
                    continue
                if not isinstance(item, dict):
                    yield Row(path.name, n, "rad", error=f"{path.name} rad {n}: raden är inget objekt med fält")
                    continue
                yield Row(path.name, n, "rad", data=item)
        except UnicodeDecodeError:
            raise InputError(f"{path.name}: filen är inte UTF-8-kodad") from None


LOADERS: dict[str, Callable[[Path], Iterator[Row]]] = {
    ".json": _json_rows,
    ".jsonl": _jsonl_rows,
}


def load_rows(path: str | Path) -> Iterator[Row]:
    """The rows of an input file; :class:`InputError` for a file that cannot be read at all."""
    path = Path(path)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        known = ", ".join(sorted(LOADERS))
        raise InputError(f"{path.name}: okänt filformat; använd {known}")
    if not path.is_file():
        raise InputError(f"{path}: filen finns inte")
    return loader(path)
