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

import datetime
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
#: and body as described; what the description allows is accepted; a request without the key is refused; and
#: what it does not allow is refused unless it is one of the spellings the description names (our own check below,
#: in place of schemathesis's "negative_data_rejection", which counts those spellings as errors).
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "accepted_unless_described_otherwise",
          "ignored_auth", "unsupported_method", "refused_unless_a_named_spelling"]

# The spellings the API takes beyond the schema, as its description and the README ("Regler för Excel och CSV")
# name them, written here from those texts (not from the parser), so that the server accepting anything else, or
# the texts naming less than the server takes, fails the test.
_JANEJ_WORDS = {"ja", "nej", "j", "n", "x", "true", "false", "1", "0", "sant", "falskt", "yes", "no",
                "☒", "☑", "✓", "✔", ""}
_MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december"]
_DATES = [(r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"), (r"(\d{4})(\d{2})(\d{2})", "ymd"),
          (r"(\d{1,2})/(\d{1,2}) +(\d{4})", "dmy"), (r"(\d{1,2})/(\d{1,2})\s*-\s*(\d{4})", "dmy"),
          (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", "dmy"), (r"(\d{4})[./](\d{1,2})[./](\d{1,2})", "ymd"),
          (r"(\d{4})-(\d{2})-(\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?", "ymd")]


def _real_date(y: str, m: str, d: str) -> bool:
    try:
        datetime.date(int(y), int(m), int(d))
    except ValueError:
        return False
    return True


def _named_date(value) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return False
    text = value.strip()
    if text == "":
        return True
    for pattern, order in _DATES:
        m = re.fullmatch(pattern, text)
        if m:
            y, mo, d = m.groups() if order == "ymd" else m.groups()[::-1]
            return _real_date(y, mo, d)
    m = re.fullmatch(r"(?:\w+dag\s+)?(?:den\s+)?(\d{1,2})(?::[ae])?\s+([a-zåäö]+)\.?\s+(\d{4})", text, re.I)
    months = [n for n, name in enumerate(_MONTHS, 1) if m and len(m[2]) >= 3 and name.startswith(m[2].lower())]
    return len(months) == 1 and _real_date(m[3], str(months[0]), m[1])


def _named_spelling(kind: str | None, value) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "janej":
        return isinstance(value, bool) or (number and value in (0, 1)) or (
            isinstance(value, str) and value.strip().lower() in _JANEJ_WORDS)
    if kind == "date":
        return _named_date(value)
    if kind == "list":  # null among the points (a text is refused: in JSON a list is a list)
        return isinstance(value, list) and None in value
    return number  # "tal i textfält"


_FORMATS = {"/api/fill": ("docx", "pdf", "pdfa"), "/api/extract": ("json", "xlsx", "ods", "csv")}


def _named_body(path: str, body) -> bool:
    """A body outside the description that it names: the spellings above, or other upload fields ("läses inte")."""
    if path == "/api/extract":
        return isinstance(body, dict) and isinstance(body.get("filer"), list) and len(body["filer"]) > 0
    sealed = isinstance(body, dict) and set(body) == {"post", "lösenord"}  # KrypteradPost: its record is checked
    if sealed and isinstance(body["lösenord"], str) and body["lösenord"]:
        body = body["post"]
    properties = _SPEC["components"]["schemas"]["Incident"]["properties"]
    if not isinstance(body, dict) or not set(body) <= set(properties):
        return False
    outside = {key: value for key, value in body.items() if not Draft202012Validator(properties[key]).is_valid(value)}
    return all(_named_spelling(properties[key].get("x-kind"), value) for key, value in outside.items())


@schemathesis.check
def refused_unless_a_named_spelling(ctx, response, case):
    """A request outside the description is refused (4xx), unless all that is outside it is named there.

    Named: the spellings above, and query parameters and upload fields other than the described ones, which
    "are not read" (servers ignore what they do not know, as browsers and proxies add their own).
    """
    if case.meta is None or case.meta.generation.mode != NEGATIVE or response.status_code >= 400:
        return None
    path = case.operation.path
    if (case.query or {}).get("format", _FORMATS[path][0]) in _FORMATS[path] and _named_body(path, case.body):
        return None
    raise AssertionError(f"{response.status_code} för något beskrivningen inte tillåter och inte nämner: "
                         f"{path} {case.query} {case.body!r}")


#: What schemathesis's "positive_data_acceptance" accepts as the answer to a request the description allows.
_ACCEPTED = (401, 403, 404, 409, 429)


@schemathesis.check
def accepted_unless_described_otherwise(ctx, response, case):
    """A request the description allows is accepted (schemathesis's positive_data_acceptance), except the one
    refusal that depends on a query parameter and the body together, which a schema cannot say but the
    description of KrypteradPost does: an archive copy (format=pdfa) is never encrypted, so a password is 422."""
    if case.meta is None or case.meta.generation.mode != POSITIVE or response.status_code < 400:
        return None
    if response.status_code >= 500 or response.status_code in _ACCEPTED:
        return None
    sealed_archive = (case.operation.path == "/api/fill" and (case.query or {}).get("format") == "pdfa"
                      and isinstance(case.body, dict) and "lösenord" in case.body and response.status_code == 422)
    if not sealed_archive:
        raise AssertionError(f"{response.status_code} för något beskrivningen tillåter: "
                             f"{case.operation.path} {case.query} {case.body!r}")


_SPEC = openapi()


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


def test_what_the_description_names_beyond_the_schema_is_taken_and_nothing_else(base):
    """Each spelling the description names is taken (200), and what it does not name is refused (422)."""
    spec = httpx.get(base + "/api/openapi.json", headers=AUTH).json()
    said = spec["paths"]["/api/fill"]["post"]["requestBody"]["description"]
    assert all(word in said for word in _JANEJ_WORDS - {"", "1", "0"}), said
    named = [("polisanmald", w) for w in sorted(_JANEJ_WORDS) + ["JA", " Nej ", "Sant", True, False, 0, 1, 1.0]]
    named += [("samtal1_datum", d) for d in ["20260312", 20260312, "12/3 2026", "12/3-2026", "12.3.2026",
                                            "2026.03.12", "2026/03/12", "12 mars 2026", "den 3 jan. 2026",
                                            "2026-03-12T10:00", "2026-03-12 10:00:00+01:00", " "]]
    named += [("handelse", 12), ("handelse", 1.5), ("sarbarheter_plan", ["a", None])]
    for key, value in named:
        assert _named_spelling(spec["components"]["schemas"]["Incident"]["properties"][key].get("x-kind"), value)
        r = httpx.post(base + "/api/fill", json={key: value}, headers=AUTH)
        assert r.status_code == 200, (key, value, r.text)
    unnamed = [("polisanmald", w) for w in ["kanske", "jo", "2", 2, -1, [], {}]]
    unnamed += [("samtal1_datum", d) for d in ["2026-02-30", "30/2-2026", "12 marz 2026", "igår", 2026, 1.5, True]]
    unnamed += [("handelse", v) for v in [True, [], {"a": 1}]] + [("sarbarheter_plan", v) for v in [True, {}, "a\nb", 3]]
    for key, value in unnamed:
        assert not _named_spelling(spec["components"]["schemas"]["Incident"]["properties"][key].get("x-kind"), value)
        r = httpx.post(base + "/api/fill", json={key: value}, headers=AUTH)
        assert r.status_code == 422, (key, value, r.text)
