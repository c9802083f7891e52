"""Fill: validated incidents written into the form's content controls, one .docx each."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree
from pydantic import BaseModel

from . import controls, ooxml, protect
from .build import blank_bytes
from .errors import BlankettError, InputError, OutputExistsError, RecordError, cannot_write, os_problem
from .form import FIELDS, REGISTRATION, TAGS
from .model import CASE_KEY, Values, registration_properties, validate
from .model import values as model_values
from .package import MAIN_PART, deflate, parse_xml, read_all, zip_deflated
from .status import FillStatus
from .write import write_bytes

if TYPE_CHECKING:  # a type only: a fill worker never loads the spreadsheet readers (openpyxl)
    from .load import Row


class Template:
    """The blank form's package held in memory, ready to be filled many times (``blankett.Template``).

    Not to be confused with the template file it is loaded from (``templates/Bilaga5.docx``, made by
    :mod:`build` or ``blankett template``).
    """

    def __init__(self, source: str | Path | bytes | None = None):
        if source is None:
            source = blank_bytes()
        name = Path(source).name if isinstance(source, (str, Path)) else "mallen"
        if isinstance(source, (str, Path)) and Path(source).suffix.lower() != ".docx":
            raise InputError(f"{name}: mallen ska vara en Word-fil (.docx) med blanketten, som blankett blank "
                             "eller blankett template skriver")
        try:
            self.parts = read_all(source)
        except OSError as exc:
            raise InputError(f"{name}: mallen kan inte läsas: {os_problem(exc)}") from None
        except Exception:  # noqa: BLE001 - zipfile's many errors: one Swedish line
            raise InputError(f"{name}: mallen är ingen Word-fil som går att öppna (ingen hel zip-fil)") from None
        names = [n for n, _ in self.parts]
        if MAIN_PART not in names:
            raise InputError(f"{name}: mallen är inget Word-dokument")
        if "_rels/.rels" not in names or "[Content_Types].xml" not in names:
            raise InputError(f"{name}: mallen är inget Word-dokument (paketets relationer saknas)")
        self._main = names.index(MAIN_PART)
        self.root = parse_xml(self.parts[self._main][1], name)
        _check_template(name, self.root)
        self._case_parts(names)
        # the other parts never change: compress them once, copy them raw into every form
        self._deflated = [None if n == MAIN_PART else deflate(n, d) for n, d in self.parts]
        self._with_case = {i: deflate(self.parts[i][0], d) for i, d in self._declared.items()}

    def _case_parts(self, names: list[str]) -> None:
        """Where the registration fields go: the custom properties part, declared in the package when it is not yet.

        A template that carries them (a filled form used as template) has them removed.
        """
        rels, types = names.index("_rels/.rels"), names.index("[Content_Types].xml")
        targets = [r.get("Target", "").lstrip("/") for r in parse_xml(self.parts[rels][1], "_rels/.rels")
                   if r.get("Type") == ooxml.CUSTOM_REL and r.get("TargetMode") != "External"]
        custom = targets[0] if targets else ooxml.CUSTOM_PART
        self._custom_base = dict(self.parts).get(custom)
        if self._custom_base is not None:
            parse_xml(self._custom_base, f"mallen ({custom})")  # a broken or hostile part is refused here
            self._custom = names.index(custom)
            self._custom_base = ooxml.with_custom_properties(self._custom_base, [(r.prop, None) for r in REGISTRATION])
            self.parts[self._custom] = (custom, self._custom_base)
        else:
            self._custom = len(self.parts)  # appended after the other parts
        rel_xml, type_xml = ooxml.with_custom_part(self.parts[rels][1], self.parts[types][1], custom)
        self._declared = {i: new for i, new in ((rels, rel_xml), (types, type_xml)) if new != self.parts[i][1]}
        self._custom_name = custom

    def render(self, incident: BaseModel | Values) -> bytes:
        """The filled form as .docx bytes."""
        root = copy.deepcopy(self.root)
        values = incident if isinstance(incident, dict) else model_values(incident)  # batch sends workers a dict
        controls.write_fields(ooxml.first_controls(root), values)
        xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        main = deflate(MAIN_PART, xml)
        members = [main if m is None else m for m in self._deflated]  # None only at the main part
        registered = registration_properties(values)
        if registered:  # stored as custom document properties: invisible, and kept by Word and LibreOffice
            for i, member in self._with_case.items():
                members[i] = member
            custom = ooxml.with_custom_properties(self._custom_base, registered)
            members[self._custom:self._custom + 1] = [deflate(self._custom_name, custom)]
        return zip_deflated(members)


#: The module's own older name for :class:`Template`, kept for its callers inside the package.
Filler = Template


def _check_template(name: str, root: etree._Element) -> None:
    """Refuse a template that is not the blank form of this version: fields missing or of the wrong kind, or
    answered."""
    found = ooxml.first_controls(root)
    unusable = controls.unusable_tags(found)
    if unusable:
        known = {tag for tags in TAGS.values() for tag in tags}
        if len(unusable) == len(known):
            raise InputError(f"{name}: mallen är inte blanketten Bilaga 5 (inga av blankettens fält hittades)")
        other = " – en mall från en annan version av blankett?" if set(found) - known - {CASE_KEY} else ""
        raise InputError(f"{name}: mallen saknar {len(unusable)} av blankettens {len(known)} fält eller har dem "
                         f"som fel sorts innehållskontroll{other} ({', '.join(unusable[:5])}"
                         f"{' …' if len(unusable) > 5 else ''}); se blankett check {name}")
    values, _ = controls.read_fields(ooxml.read_controls(root))
    answered = [f.column for f in FIELDS if values.get(f.key) not in (None, [], "")]
    if answered:
        raise InputError(f"{name}: mallen är en ifylld blankett (svar finns i {len(answered)} fält, t.ex. "
                         f'"{answered[0]}"); använd den tomma blanketten från blankett blank eller blankett template')


def fill_record(record: dict[str, Any], template: Filler | None = None) -> bytes:
    """One record (as JSON would give it) validated and filled into the form; raises :class:`RecordError`."""
    incident, _ = validate(record)
    return (template or Filler()).render(incident)


_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


#: The start of every filled form's file name.
FORM_STEM = "Bilaga5"


def case_name(case: object) -> str | None:
    """``Bilaga5-<case number>``, the case number made safe for a file name; None when none is given or left.

    The one naming rule of ``fill`` and of the web server's downloads.
    """
    safe = _UNSAFE.sub("-", str(case or "").strip()).strip("-.")[:80]
    return f"{FORM_STEM}-{safe}" if safe else None


def output_name(row: Row, incident: BaseModel) -> str:
    """The file name of a filled form: the case number when given, else the row or record number.

    Never a name from the form's contents: those are personal data.
    """
    return case_name(getattr(incident, CASE_KEY, None)) or f"{FORM_STEM}-{row.unit}-{row.number:04d}"


@dataclass
class Outcome:
    """What became of one record."""

    where: str
    status: FillStatus
    path: Path | None = None
    messages: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.status = FillStatus(self.status)

    @property
    def failed(self) -> bool:
        return self.status is FillStatus.FAILED


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate)
    return candidate


def plan(rows: Iterable[Row]) -> Iterator[tuple[Row, BaseModel | None, str, list[str]]]:
    """Validate each row and give it its output name: (row, incident or None, name, messages)."""
    taken: set[str] = set()
    for row in rows:
        if row.error:
            yield row, None, "", row.notes + [row.error]
            continue
        try:
            incident, warnings = validate(row.data)
        except RecordError as exc:  # with the cells that could not be used: every problem of the row at once
            yield row, None, "", row.notes + row.problems + [row.describe(m) for m in exc.messages]
            continue
        if row.problems:
            yield row, None, "", row.notes + row.problems
            continue
        notes = row.notes + [row.describe(m) for m in warnings]
        yield row, incident, _unique(output_name(row, incident), taken), notes


def fill_one(template: Filler, row: Row, incident: BaseModel | Values, name: str, out_dir: Path,
             force: bool = False, check: bool = False, notes: list[str] | None = None,
             password: str | None = None) -> Outcome:
    """Render and write one validated record; failures become an :class:`Outcome`, never an exception."""
    notes = list(notes or [])
    target = out_dir / f"{name}.docx"
    if check:
        return Outcome(row.where, FillStatus.CHECKED, target, notes)
    try:
        write_bytes(target, protect.sealed(template.render(incident), password, ".docx"), force)
    except OutputExistsError:  # named once in the summary, not once per file
        return Outcome(row.where, FillStatus.EXISTS, target, notes)
    except BlankettError as exc:
        return Outcome(row.where, FillStatus.FAILED, None, notes + [str(exc)])
    except OSError as exc:  # e.g. no permission or a full disk: this row fails, the batch goes on
        return Outcome(row.where, FillStatus.FAILED, None, notes + [cannot_write(target, exc)])
    return Outcome(row.where, FillStatus.WRITTEN, target, notes)

