"""Is this still a complete Bilaga 5? A template edited in Word (.docx, .doc, .odt) control by control, and our
PDF field by field, by name. Nothing is written."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from . import controls, ooxml
from .errors import InputError
from .form import FIELDS
from .package import open_package
from .pdf.common import field_type, quiet_pypdf
from .pdf.embedded import embedded_record
from .pdf.read import NO_FIELDS, open_pdf
from .staging import CONVERT_HINT, CONVERTED, converted, size_check

#: What check says of an archive copy: it is no form to fill in, yet extract reads it.
ARCHIVE_COPY = ("PDF-filen är ett arkivexemplar (PDF/A) utan ifyllbara fält; den går inte att fylla i, "
                "men blankett extract läser svaren ur posten som finns inbäddad i den")


def check_file(path: str | Path) -> list[str]:
    """The problems that keep a file from being a complete Bilaga 5 (empty when it is one)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return check_pdf(path)
    if suffix in CONVERTED:
        with converted([path]) as done:
            out = done.get(path)
            if out is not None and out.refused:
                raise InputError(f"{path.name}: {out.error}")
            if out is None or out.output is None:
                raise InputError(f"{path.name}: LibreOffice kunde inte konvertera filen; {CONVERT_HINT}")
            return check_file(out.output)
    try:
        size_check(path)
    except InputError as exc:  # its line names no file (extract puts the file before it): this one is ours to name
        raise InputError(f"{path.name}: {exc}") from None
    with open_package(path, path.name) as pkg:
        root = pkg.xml(pkg.main_part())
    return _control_problems(root)


def _control_problems(root: etree._Element) -> list[str]:
    """Each control of the form that is missing, of the wrong kind, or doubled, in form order."""
    found = ooxml.controls(root)
    first = {tag: sdts[0] for tag, sdts in found.items()}
    unusable = set(controls.unusable_tags(first))
    problems = []
    for f in FIELDS:
        for tag in f.tags():
            what = f'"{f.column}" (tagg {tag})'
            if tag not in first:
                problems.append(f"{what}: innehållskontrollen saknas")
            elif tag in unusable:  # present, so of the wrong kind
                problems.append(f"{what}: fel sorts innehållskontroll (väntade {controls.EXPECTED_KIND[f.kind]})")
            elif len(found[tag]) > 1:
                problems.append(f"{what}: finns {len(found[tag])} gånger; bara den första läses")
    return problems


def check_pdf(path: str | Path) -> list[str]:
    """The fields our PDF of the form should have (by name: check box or text field) that are missing or wrong."""
    path = Path(path)
    with quiet_pypdf():
        reader = open_pdf(path, path.name)
        try:
            found = reader.get_fields() or {}
        except Exception:  # noqa: BLE001 - a broken AcroForm is a broken file
            raise InputError(f"{path.name}: PDF-filens formulärfält är trasiga och kan inte läsas") from None
    if not found:
        if embedded_record(reader, path.name) is not None:
            raise InputError(f"{path.name}: {ARCHIVE_COPY}")
        raise InputError(f"{path.name}: {NO_FIELDS}")
    problems = []
    for f in FIELDS:
        want = field_type(f)
        for tag in f.tags():
            what = f'"{f.column}" (fält {tag})'
            if tag not in found:
                problems.append(f"{what}: fältet saknas")
            elif found[tag].get("/FT") != want:
                kind = "kryssruta" if want == "/Btn" else "textfält"
                problems.append(f"{what}: fel sorts fält (väntade {kind})")
    return problems
