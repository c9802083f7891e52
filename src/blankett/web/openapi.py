"""The API described in OpenAPI 3.1 (served at /api/openapi.json; the page /api lists it in words).

The description is complete and self-contained: the record's schema is the library's own
(:func:`blankett.schema`, made from the form's declaration), embedded under
``components/schemas``, and every status the server answers with is listed with its body. The
contract test (``tests/test_openapi_contract.py``) generates requests from it and holds the
running server to it.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

import blankett

from .. import kinds
from .._api import DOCX_MEDIA, RESULT_MEDIA
from .uploads import MAX_FIELDS

DOCX, XLSX, ODS = DOCX_MEDIA, RESULT_MEDIA["xlsx"], RESULT_MEDIA["ods"]
#: Servers, proxies and browsers add parameters of their own; ours are read, others never.
_OTHER_PARAMETERS = "Andra frågeparametrar läses inte."
_FILE = {"schema": {"type": "string", "format": "binary"}}
_TEXT = {"text/plain": {"schema": {"type": "string"}}}  # the guard's answers (before any page or API call)
_FEL = {"type": "object", "required": ["fel"], "properties": {"fel": {"type": "string"}}}
_FEL_JSON = {"application/json": {"schema": {"$ref": "#/components/schemas/Fel"}}}


def _error(description: str, json_body: bool = True, text_body: bool = False) -> dict[str, Any]:
    content = {**(_FEL_JSON if json_body else {}), **(_TEXT if text_body else {})}
    return {"description": description, "content": content}


#: What every call may be answered with before it reaches the API: the guard's refusals (text/plain).
_GUARDED = {
    "400": _error("Okänd värd i Host-huvudet", json_body=False, text_body=True),
    "401": {"description": "Nyckeln saknas eller är fel (Authorization: Bearer <nyckel>)",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}, "content": _TEXT},
    "403": _error("Begäran kom från en annan webbplats (Origin, Sec-Fetch-Site)", json_body=False, text_body=True),
}
_PROBLEM_LIST = {"type": "array", "minItems": 1, "items": {
    "type": "object", "required": ["field", "message"],
    "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"}}}}
_RESULT = {"type": "object", "required": ["source", "status", "messages", "record"], "properties": {
    "source": {"type": "string"}, "status": {"enum": ["ok", "varning", "fel"]},
    "messages": {"type": "array", "items": {"type": "string"}},
    "record": {"anyOf": [{"$ref": "#/components/schemas/Incident"}, {"type": "null"}]}}}
_STATUS = {"type": "object", "required": ["id", "kind", "state", "done", "total", "finished", "message"],
           "properties": {"id": {"type": "string"}, "kind": {"enum": ["fill", "extract"]},
                          "state": {"enum": ["köad", "pågår", "klar", "fel"]},
                          "done": {"type": "integer", "minimum": 0}, "total": {"type": "integer", "minimum": 0},
                          "finished": {"type": "boolean"}, "message": {"type": "string"}}}


_PASSWORD_READ = {"type": "string", "description": (
    "Lösenordet till krypterade blanketter (Word med lösenord, .doc med lösenord, krypterad PDF). Varje fil som "
    "inte går att öppna får en rad i sitt resultat: inget lösenord angavs, fel lösenord, eller en kryptering som "
    "inte kan läsas; de andra filerna läses ändå. Okrypterade filer läses som vanligt.")}
_SEALED = {"type": "object", "required": ["post", "lösenord"], "additionalProperties": False,
           "description": "En post och lösenordet som blanketten krypteras med (Word: AES-256 som Word gör det; "
                          "PDF: AES-256, skärmläsare och ifyllning tillåtna). Arkivexemplar (pdfa) krypteras inte: 422.",
           "properties": {"post": {"$ref": "#/components/schemas/Incident"},
                          "lösenord": {"type": "string", "minLength": 1}}}
_FILL_REFUSED = {
    "description": "Posten är ogiltig (ett problem per fält, på svenska), eller lösenordet är tomt eller "
                   "arkivexemplar begärdes med lösenord ({\"fel\": …})",
    "content": {"application/json": {"schema": {"anyOf": [_PROBLEM_LIST,
                                                          {"$ref": "#/components/schemas/Fel"}]}}},
}


def _get(summary: str, ok: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"get": {"summary": summary, "responses": {"200": ok, **more, **_GUARDED}}}


def _spellings() -> str:
    """The Ja and Nej words fill takes, from the parser's own lists (so that the description never names less)."""
    return ", ".join(sorted(w for w in kinds.JA_WORDS | kinds.NEJ_WORDS if w not in ("1", "0")))


def _incident() -> dict[str, Any]:
    """The library's record schema as a component: its own ``$defs`` (if any) become components too."""
    schema = copy.deepcopy(blankett.schema())
    defs = schema.pop("$defs", {})
    text = json.dumps({"Incident": schema, **defs}).replace('"#/$defs/', '"#/components/schemas/')
    found: dict[str, Any] = json.loads(text)
    return found


def _overview() -> dict[str, Any]:
    """POST /api/lagesbild: the overview of uploaded forms or extract's output, as one document or a zip."""
    def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "schema": schema, "description": description}

    body = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["filer"],
        "properties": {"filer": {"type": "array", "minItems": 1, "items": _FILE["schema"],
                                 "description": "Ifyllda blanketter (.docx, .pdf …), zip-filer med sådana, eller "
                                                "det blankett extract gav (.xlsx, .csv, .json)"}},
        "additionalProperties": False}}},
        "description": f"Andra fält läses inte; högst {MAX_FIELDS} fält tas emot (fler ger 413)."}
    return {
        "summary": "Lägesbilden för en period: den interna (Word, PDF) eller den offentliga (webbsida, PDF)",
        "parameters": [
            query("from", {"type": "string", "format": "date"}, "Första dagen (ÅÅÅÅ-MM-DD); utan: 1 januari förra året."),
            query("to", {"type": "string", "format": "date"}, "Sista dagen (ÅÅÅÅ-MM-DD); utan: 31 december förra året. "
                  "Kommer till före från räknas perioden mellan dem."),
            query("version", {"enum": ["internal", "public"], "default": "internal"},
                  "internal: med diarienummer och noterade brister; public: bara antal och andelar, 1 och 2 som "
                  "”färre än 3”."),
            query("format", {"enum": ["zip", "docx", "pdf", "xlsx", "html"], "default": "zip"},
                  "zip: alla dokumenten i versionens format (internal: docx, pdf, xlsx; public: html, pdf, xlsx); "
                  "ett enskilt format görs för båda versionerna. " + _OTHER_PARAMETERS)],
        "requestBody": body,
        "responses": {"200": {"description": "Lägesbilden",
                              "content": {"application/zip": _FILE, DOCX: _FILE, "application/pdf": _FILE,
                                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _FILE,
                                          "text/html": _FILE}},
                      "400": _error("Inga filer, trasig formulärdata, ett datum som inte är ett datum, okänd "
                                    "version eller format", text_body=True),
                      "413": _error("För stor uppladdning, för många filer eller fält", text_body=True),
                      "422": _error("Filerna kunde inte räknas (en rad på svenska som säger varför)"),
                      "503": _error("PDF: LibreOffice saknas eller misslyckades; eller servern kan inte räkna "
                                    "lägesbilden"),
                      **{k: v for k, v in _GUARDED.items() if k != "400"}}}


@functools.cache
def openapi() -> dict[str, Any]:
    """The description of the API (made once: the record schema is fixed for a run)."""
    fill_body = {"required": True, "description": (
        "En post: fältens nycklar enligt schemat Incident. Servern tar också emot de skrivsätt som kommandot "
        f"blankett fill tar emot och gör om dem: Ja/Nej som {_spellings()} i valfri skrivning, true/false, 1/0 "
        "eller tom text; datum som ÅÅÅÅMMDD (också som tal), D/M ÅÅÅÅ, 12/3-2026, 12.3.2026, 2026.03.12, "
        "12 mars 2026 eller med klockslag (2026-03-12T10:00); ett tal i ett textfält; null bland en listas "
        "punkter (hoppas över). Allt annat som schemat inte tillåter ger 422. Krypterad blankett: skicka "
        "{\"post\": {…}, \"lösenord\": \"…\"} (KrypteradPost); lösenordet står bara i kroppen, aldrig i adressen, "
        "och finns inte kvar på servern efter svaret."),
        "content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/Incident"},
                                                              {"$ref": "#/components/schemas/KrypteradPost"}]}}}}
    extract_body = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["filer"],
        "properties": {"filer": {"type": "array", "minItems": 1, "items": _FILE["schema"],
                                 "description": "Ifyllda blanketter (.docx, .pdf …) eller zip-filer med sådana"},
                       "lösenord": _PASSWORD_READ},
        "additionalProperties": False}}},
        "description": f"Andra fält läses inte; högst {MAX_FIELDS} fält tas emot (fler ger 413)."}
    return {
        "openapi": "3.1.0",
        "info": {"title": "blankett – Bilaga 5", "version": blankett.__version__,
                 "description": "Fyll i och läs tillbaka blanketten Bilaga 5 (Incidentrapport och "
                                "händelsedokumentation). Varje anrop kräver Authorization: Bearer <nyckel>. "
                                "Fel har ett svenskt meddelande: {\"fel\": …} från API:t, vanlig text från "
                                "skyddet framför det (Host, nyckel, Origin, storlek)."},
        "components": {"securitySchemes": {"nyckel": {"type": "http", "scheme": "bearer"}},
                       "schemas": {**_incident(), "Fel": _FEL, "Resultat": _RESULT, "Status": _STATUS,
                                   "KrypteradPost": _SEALED}},
        "security": [{"nyckel": []}],
        "paths": {
            "/api/openapi.json": _get("Den här beskrivningen", {
                "description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}),
            "/api/schema": _get("JSON Schema för en incidentpost (som blankett schema)", {
                "description": "Schemat", "content": {"application/json": {"schema": {"type": "object"}}}}),
            "/api/blank.docx": _get("Den tomma blanketten (Word)", {"description": ".docx", "content": {DOCX: _FILE}}),
            "/api/blank.pdf": _get("Den tomma, ifyllbara PDF:en", {
                "description": "PDF", "content": {"application/pdf": _FILE}},
                **{"503": _error("LibreOffice saknas på servern, eller kunde inte göra PDF:en")}),
            "/api/arbetsbok.xlsx": _get("Excel-arbetsboken för inmatning", {
                "description": ".xlsx", "content": {XLSX: _FILE}}),
            "/api/fill": {"post": {
                "summary": "Fyll i en blankett från en post",
                "parameters": [{"name": "format", "in": "query",
                                "description": "docx: Word; pdf: ifyllbar PDF; pdfa: arkivexemplar (PDF/A-3a och "
                                               "PDF/UA-1, svaren som text, posten inbäddad som JSON). "
                                               + _OTHER_PARAMETERS,
                                "schema": {"enum": ["docx", "pdf", "pdfa"], "default": "docx"}}],
                "requestBody": fill_body,
                "responses": {"200": {"description": "Den ifyllda blanketten",
                                      "content": {DOCX: _FILE, "application/pdf": _FILE}},
                              "400": _error("Kroppen är ingen JSON, eller okänt format", text_body=True),
                              "413": _error("Kroppen är större än servern tar emot", json_body=False,
                                            text_body=True),
                              "422": _FILL_REFUSED,
                              "503": _error("PDF och PDF/A: LibreOffice saknas eller misslyckades; Word: processen som fyllde "
                                            "i avbröts, eller servern stängs"),
                              **{k: v for k, v in _GUARDED.items() if k != "400"}}}},
            "/api/extract": {"post": {
                "summary": "Läs tillbaka ifyllda blanketter (filer eller zip-filer)",
                "parameters": [{"name": "format", "in": "query",
                                "schema": {"enum": list(RESULT_MEDIA), "default": "json"},
                                "description": _OTHER_PARAMETERS}],
                "requestBody": extract_body,
                "responses": {"200": {"description": "Ett resultat per fil (en trasig fil är ett resultat med "
                                                     "status fel, inget fel i anropet)",
                                      "content": {"application/json": {"schema": {
                                          "type": "array", "items": {"$ref": "#/components/schemas/Resultat"}}},
                                          XLSX: _FILE, ODS: _FILE, "text/csv": _FILE}},
                              "400": _error("Inga filer i fältet filer, trasig formulärdata eller okänt format",
                                            text_body=True),
                              "413": _error("För stor uppladdning, för många filer eller fält", text_body=True),
                              **{k: v for k, v in _GUARDED.items() if k != "400"}}}},
            "/api/lagesbild": {"post": _overview()},
            "/api/jobb/{id}": {"get": {
                "summary": "Hur långt ett arbete som startats från sidorna har kommit",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Status",
                                      "content": {"application/json": {"schema": {
                                          "$ref": "#/components/schemas/Status"}}}},
                              "404": _error("Arbetet finns inte (längre)"), **_GUARDED}}},
        },
    }
