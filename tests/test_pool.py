"""web.pool: the server's fill workers give a bad record's problems back as the library's own RecordError, a pool
shut down under a request is replaced, and a stopped pool says so in Swedish; real spawned workers."""

from __future__ import annotations

import pytest

import blankett
from blankett.web import pool

from .records import full_record

BAD = dict(full_record(1), samtal1_datum="tredje mars")


def test_a_bad_record_is_the_same_record_error_the_library_raises():
    with pytest.raises(blankett.RecordError) as library:
        blankett.fill_docx(BAD)
    fills = pool.FillPool(1)
    try:
        with pytest.raises(blankett.RecordError) as served:
            fills.fill(BAD, "docx")
    finally:
        fills.shutdown()
    assert served.value.messages == library.value.messages
    assert [(p.field, p.message) for p in served.value.problems] == [(p.field, p.message)
                                                                      for p in library.value.problems]
    assert [p.field for p in served.value.problems] == ["samtal1_datum"]  # named by key, as the web page shows it


def test_a_pool_shut_down_under_a_request_is_replaced_once_and_the_form_filled():
    """Another request replaced the pool just as this one submitted: a new pool fills it (a .docx and a PDF); the
    old one, asked to be replaced again by a late request, does not replace the new one."""
    fills = pool.FillPool(1)
    try:
        old = fills._executor()
        old.shutdown()
        data = fills.fill(full_record(2), "docx")
        assert blankett.extract(data, "ifylld.docx").record["diarienummer"] == "KS 2026/00002"
        pdf = fills.fill(full_record(3), "pdf")  # the shipped blank PDF, filled in the same new pool
        assert blankett.extract(pdf, "ifylld.pdf").record["diarienummer"] == "KS 2026/00003"
        new = fills._pool
        assert new is not None and new is not old
        fills._replace(old)
        assert fills._pool is new
    finally:
        fills.shutdown()


def test_a_stopped_pool_refuses_in_swedish_and_starts_no_worker():
    fills = pool.FillPool(2)
    fills.shutdown()  # never started: nothing to stop
    with pytest.raises(pool.WorkerLost) as refused:
        fills.fill(full_record(1), "docx")
    assert str(refused.value) == ("Blanketten kunde inte fyllas i: servern stängs just nu. Försök igen när den har "
                                  "startats på nytt.")
    assert fills._pool is None


#: What a fill worker has no use for: the web server, the PDF writers and readers, the spreadsheet readers.
NOT_IN_A_FILL_WORKER = ("starlette", "uvicorn", "markdown_it", "pypdf", "pikepdf", "fontTools", "openpyxl")


def test_a_fill_worker_loads_the_form_filler_only_not_the_web_server_or_the_pdf_machinery():
    """A fill worker runs this (the pool's initializer, then a fill) in a new Python process; it imported the
    whole web server and every stage of the library, 1 s of CPU per worker at each server start, two per start."""
    from .fresh import in_new_python

    script = ("import json, os, sys\n"
              "from blankett.web import pool\n"
              "pool._start(os.getppid())\n"
              f"data = pool._fill({full_record(4)!r}, 'docx')\n"
              "assert isinstance(data, bytes) and data.startswith(b'PK'), data\n"
              f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({NOT_IN_A_FILL_WORKER!r}))))\n")
    assert in_new_python(script) == []
