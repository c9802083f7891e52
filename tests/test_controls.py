"""controls: a field's controls read as its value, field by field, in a real filled form edited as Word edits it."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from blankett import controls, ooxml
from blankett.form import FIELDS, TAGS
from blankett.model import CASE_KEY, validate, values

from .forms import MAIN, edit, filled, sdt, unwrap
from .records import full_record


def _read(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = etree.fromstring(zf.read(MAIN))
    found, _ = controls.read_fields(ooxml.read_controls(root))
    return found


@pytest.mark.parametrize("gone", [FIELDS[0], FIELDS[len(FIELDS) // 2]], ids=lambda f: f.key)
def test_a_field_whose_controls_were_removed_is_skipped_and_every_other_field_read(gone):
    """Word's "Remove content control" on one field: that field is left to the page-text reader, the rest is read."""
    record = full_record()
    data = edit(filled(record), lambda root: [unwrap(sdt(root, tag)) for tag in TAGS[gone.key]])
    want = {k: v for k, v in values(validate(record)[0]).items() if k not in (CASE_KEY, gone.key)}
    assert _read(data) == want
