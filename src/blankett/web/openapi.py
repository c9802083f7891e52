"""The API described in OpenAPI 3.1 (served at /api/openapi.json; the page /api lists it in words)."""

from __future__ import annotations

from typing import Any

_FILE = {"schema": {"type": "string", "format": "binary"}}
_ERROR = {"description": "Fel, med ett svenskt meddelande",
          "content": {"application/json": {"schema": {"type": "object", "properties": {"fel": {"type": "string"}}}}}}
_PROBLEMS = {
    "description": "Posten är ogiltig: ett problem per fält",
    "content": {"application/json": {"schema": {"type": "array", "items": {
        "type": "object", "required": ["field", "message"],
        "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"}}}}}},
}
_RESULT = {"type": "object", "required": ["source", "status", "messages", "record"], "properties": {
    "source": {"type": "string"}, "status": {"enum": ["ok", "varning", "fel"]},
    "messages": {"type": "array", "items": {"type": "string"}},
    "record": {"anyOf": [{"$ref": "/api/schema"}, {"type": "null"}]}}}
_COMMON = {"401": {"description": "Nyckeln saknas eller är fel"},
           "413": _ERROR}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "blankett – Bilaga 5", "version": "0.1.0",
             "description": "Fyll i och läs tillbaka blanketten Bilaga 5 (Incidentrapport och "
                            "händelsedokumentation). Varje anrop kräver Authorization: Bearer <nyckel>."},
    "components": {"securitySchemes": {"nyckel": {"type": "http", "scheme": "bearer"}}},
    "security": [{"nyckel": []}],
    "paths": {
        "/api/schema": {"get": {"summary": "JSON Schema för en incidentpost",
                                "responses": {"200": {"description": "Schemat",
                                                      "content": {"application/json": {}}}}}},
        "/api/blank.docx": {"get": {"summary": "Den tomma blanketten (Word)", "responses": {
            "200": {"description": ".docx", "content": {"application/vnd.openxmlformats-officedocument."
                                                        "wordprocessingml.document": _FILE}}}}},
        "/api/blank.pdf": {"get": {"summary": "Den tomma, ifyllbara PDF:en", "responses": {
            "200": {"description": "PDF", "content": {"application/pdf": _FILE}},
            "503": _ERROR}}},
        "/api/arbetsbok.xlsx": {"get": {"summary": "Excel-arbetsboken för inmatning", "responses": {
            "200": {"description": ".xlsx", "content": {"application/vnd.openxmlformats-officedocument."
                                                        "spreadsheetml.sheet": _FILE}}}}},
        "/api/fill": {"post": {
            "summary": "Fyll i en blankett från en post",
            "parameters": [{"name": "format", "in": "query", "schema": {"enum": ["docx", "pdf"], "default": "docx"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "/api/schema"}}}},
            "responses": {"200": {"description": "Den ifyllda blanketten",
                                  "content": {"application/vnd.openxmlformats-officedocument."
                                              "wordprocessingml.document": _FILE, "application/pdf": _FILE}},
                          "400": _ERROR, "422": _PROBLEMS, "503": _ERROR, **_COMMON}}},
        "/api/extract": {"post": {
            "summary": "Läs tillbaka ifyllda blanketter (filer eller en zip-fil)",
            "parameters": [{"name": "format", "in": "query",
                            "schema": {"enum": ["json", "xlsx", "csv"], "default": "json"}}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": {"filer": {"type": "array", "items": _FILE["schema"]}}}}}},
            "responses": {"200": {"description": "Ett resultat per fil",
                                  "content": {"application/json": {"schema": {"type": "array", "items": _RESULT}},
                                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                                                  _FILE, "text/csv": _FILE}},
                          "400": _ERROR, **_COMMON}}},
        "/api/jobb/{id}": {"get": {
            "summary": "Hur långt ett arbete som startats från sidorna har kommit",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "Status", "content": {"application/json": {}}},
                          "404": _ERROR}}},
    },
}
