"""The API is what /api/openapi.json says: requests generated from the description (schemathesis) against a real server.

The server runs as its own process (``python -m blankett serve``) and every request carries the
Bearer token, as an integrator's program sends it. Schemathesis makes requests the description
allows (each must be accepted and answered as described: a documented status, content type and body,
never a server error) and, for the calls that take input, requests it does not (each must get a
described answer, never a 5xx; see CHECKS for why not always a 4xx).
LibreOffice is hidden from the server, so that a PDF request answers its documented 503 at once:
the test holds with or without LibreOffice (``-m "not office"``) and stays well under a minute.
A filled PDF is checked by the office tests (test_web.py).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import httpx2 as httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

import blankett
from blankett.model import NOT_A_LIST
from blankett.web.openapi import openapi

TOKEN = "kontraktsnyckel"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: What every generated request is checked for (schemathesis's names): no 5xx; a status, content type, headers
#: and body as described; what the description allows is accepted; a request without the key is refused.
#: Not "negative_data_rejection": like ``blankett fill``, the API also takes spellings the record schema does not
#: list (a number in a text field, "ja", 12/3-2026) and converts them; its description says so. A value it cannot
#: convert, and every list that is not a list, is refused (422); test_what_the_description_refuses_… below.
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "positive_data_acceptance",
          "ignored_auth", "unsupported_method"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "BLANKETT_TOKEN": TOKEN, "BLANKETT_FILL_WORKERS": "0",
           "BLANKETT_SOFFICE": "/finns/inte/soffice", "TMPDIR": str(tmp_path_factory.mktemp("contract-tmp"))}
    proc = subprocess.Popen([sys.executable, "-m", "blankett", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = re.match(r"Öppna (http://[^/]+)/", proc.stdout.readline()).group(1)
        for _ in range(100):
            try:
                httpx.get(url + "/api/schema", headers=AUTH)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        yield url
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert "Traceback" not in err and not re.search(r" 5(?!03)\d\d \d+ B ", err), err


@pytest.fixture(scope="module")
def api_schema(base):
    """The description as the running server serves it, loaded by schemathesis."""
    schema = schemathesis.openapi.from_url(base + "/api/openapi.json", headers=AUTH)
    schema.config.update(base_url=base, headers=AUTH)
    schema.config.checks.update(included_check_names=CHECKS)
    # 503 "LibreOffice saknas" is described (for the PDF calls only: status_code_conformance checks that); every
    # other 5xx is a server error
    schema.config.checks.not_a_server_error.expected_statuses = ["2xx", "3xx", "4xx", "503"]
    return schema


POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
# every operation with what the description allows; those that take input also with what it does not
# (an operation without parameters or body has nothing to get wrong)
OPERATIONS = [(method.upper(), path, mode) for path, methods in openapi()["paths"].items()
              for method, operation in methods.items()
              for mode in ([POSITIVE, NEGATIVE] if "requestBody" in operation else [POSITIVE])]


@pytest.mark.parametrize("method, path, mode", OPERATIONS,
                         ids=[f"{m} {p} {'beskrivna' if mode == POSITIVE else 'andra'}" for m, p, mode in OPERATIONS])
def test_the_server_answers_as_its_description_says(api_schema, method, path, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def answered_as_described(case):
        case.call_and_validate(headers=AUTH, timeout=30)

    answered_as_described()


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_the_description_is_self_contained_and_its_record_is_the_librarys(base):
    spec = httpx.get(base + "/api/openapi.json", headers=AUTH).json()
    refs = set(_refs(spec))
    assert refs and all(ref.startswith("#/components/schemas/") for ref in refs), refs
    assert all(ref.rsplit("/", 1)[1] in spec["components"]["schemas"] for ref in refs)
    incident = spec["components"]["schemas"]["Incident"]
    assert incident == {k: v for k, v in blankett.schema().items() if k != "$defs"}  # made from it, never copied
    Draft202012Validator.check_schema(incident)
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
            if method == "post":
                assert {"400", "413"} <= set(operation["responses"]), path
    body = spec["paths"]["/api/extract"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["required"] == ["filer"] and body["properties"]["filer"]["minItems"] == 1


def test_what_the_description_refuses_the_server_refuses_in_swedish(base):
    spec = httpx.get(base + "/api/openapi.json", headers=AUTH).json()
    record = {"sarbarheter_plan": "AAA"}
    assert not Draft202012Validator(spec["components"]["schemas"]["Incident"]).is_valid(record)
    r = httpx.post(base + "/api/fill", json=record, headers=AUTH)
    assert r.status_code == 422
    assert r.json() == [{"field": "sarbarheter_plan",
                         "message": f'fältet "sarbarheter_plan" (Sårbarheter i planen): {NOT_A_LIST}'}]
    # an upload without "filer" is not what the description allows: 400, as it says
    r = httpx.post(base + "/api/extract", headers=AUTH, data={"annat": "x"}, files={"annan": ("a.docx", b"PK")})
    assert r.status_code == 400 and r.json() == {"fel": 'inga filer i fältet "filer"'}
    assert "400" in spec["paths"]["/api/extract"]["post"]["responses"]
    r = httpx.post(base + "/api/fill", content=json.dumps(record).encode(), headers={"Authorization": "Bearer fel"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("text/plain")
