"""OpenAPI 3 description of the JSON API (a test keeps it true to the routes)."""

from __future__ import annotations

from indexer.citation import FORMATS
from indexer.config import SearchConfig
from indexer.corpus import Catalog
from indexer.matching import MATCH_LABELS
from indexer.request import GROUPS, MAX_K, MAX_OFFSET, MAX_VALUES, MODES
from search_app.params import MAX_CITE_IDS


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json(_ref("Error"), "invalid parameters"),
    "404": _json(_ref("Error"), "unknown id"),
}
STR = {"type": "string"}
INT = {"type": "integer"}
NULLABLE_INT = {"type": ["integer", "null"]}
STR_LIST = {"type": "array", "items": STR}


def _multi(name: str, description: str, values: list[str] | None) -> dict:
    item = {"type": "string", "enum": values} if values else {"type": "string", "maxLength": 200}
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "array", "items": item, "maxItems": MAX_VALUES}, "style": "form", "explode": True}


def openapi_spec(catalog: Catalog | None = None, max_query_chars: int = SearchConfig.max_query_chars) -> dict:
    """With a catalog, filter parameters list the values the index knows."""
    infos = list(catalog) if catalog else []

    def values(attr: str) -> list[str] | None:
        return sorted({getattr(i, attr) for i in infos}) or None

    passage_props = {
        "passage_id": STR, "doc_id": STR, "source": STR, "title": STR, "section_path": STR_LIST,
        "kind": STR, "start": INT, "end": INT, "text": STR, "cells": STR_LIST, "citation": STR, "url": STR,
    }
    hit = {
        "type": "object",
        "required": ["rank", "score", "bm25_rank", "dense_rank", "match", "passage_id", "doc_id", "source", "title",
                     "section_path", "kind", "start", "end", "text", "highlights", "citation", "url"],
        "properties": {
            **passage_props, "rank": INT, "score": {"type": "number"}, "bm25_rank": NULLABLE_INT,
            "dense_rank": NULLABLE_INT, "short_title": STR, "city": STR,
            "match": {"type": "string", "enum": list(MATCH_LABELS),
                      "description": "how the passage matches: the query in its text, enough of the "
                                     "query's words, or semantic similarity above the calibrated bar"},
            "highlights": {"type": "array", "items": STR},
        },
    }
    search_response = {
        "type": "object",
        "required": ["query", "mode", "k", "offset", "total", "took_ms", "results"],
        "properties": {
            "query": STR, "mode": {"type": "string", "enum": list(MODES)}, "k": INT, "offset": INT,
            "total": INT, "took_ms": {"type": "number"},
            "results": {"type": "array", "items": _ref("Hit")},
            "preferred": {"type": ["object", "null"]},
            "notes": STR_LIST,
            "groups": {"type": "array", "items": {
                "type": "object",
                "properties": {"doc_id": STR, "title": STR, "short_title": STR, "city": STR, "total": INT,
                               "results": {"type": "array", "items": _ref("Hit")}}}},
        },
    }
    document = {
        "type": "object",
        "required": ["doc_id", "source", "title", "city", "kind", "period", "sections", "passages"],
        "properties": {
            "doc_id": STR, "source": STR, "title": STR, "short_title": STR, "city": STR, "kind": STR,
            "period": STR, "year": INT, "passages": INT, "url": STR,
            "sections": {"type": "object", "additionalProperties": INT},
        },
    }
    outline_node = {
        "type": "object",
        "required": ["section_id", "title", "level", "start", "end", "passages", "children"],
        "properties": {
            "section_id": STR, "title": STR, "level": STR, "start": INT, "end": INT,
            "passages": {"type": ["array", "null"], "items": STR, "minItems": 2, "maxItems": 2},
            "children": {"type": "array", "items": _ref("OutlineNode")},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "plansearch API", "version": "1",
                 "description": "Hybrid search over Chinese government plan documents, with citations."},
        "paths": {
            "/api/search": {"get": {
                "summary": "Search passages (hybrid BM25 + embeddings by default)",
                "parameters": [
                    {"name": "q", "in": "query", "required": True,
                     "schema": {"type": "string", "minLength": 1, "maxLength": max_query_chars}},
                    {"name": "mode", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": list(MODES), "default": "hybrid"}},
                    {"name": "k", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": 10}},
                    {"name": "offset", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}},
                    _multi("doc", "document id (repeatable)", values("id")),
                    _multi("city", "city, e.g. 常德 (repeatable)", values("city")),
                    _multi("kind", "规划纲要 or 政府工作报告 (repeatable)", values("kind")),
                    _multi("period", "十三五 or 十四五 (repeatable)", values("period")),
                    {"name": "group", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": list(GROUPS)}},
                ],
                "responses": {"200": _json(_ref("SearchResponse"), "ranked hits"), "400": ERRORS["400"]},
            }},
            "/api/documents": {"get": {
                "summary": "The catalog with section and passage counts",
                "responses": {"200": _json({"type": "object", "required": ["documents"], "properties": {
                    "documents": {"type": "array", "items": _ref("Document")}}}, "documents")},
            }},
            "/api/documents/{doc_id}": {"get": {
                "summary": "A document's metadata and outline",
                "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": STR}],
                "responses": {
                    "200": _json({"allOf": [_ref("Document"), {"type": "object", "required": ["outline"],
                                  "properties": {"outline": {"type": "array", "items": _ref("OutlineNode")}}}]},
                                 "document"),
                    "404": ERRORS["404"],
                },
            }},
            "/api/passages/{passage_id}": {"get": {
                "summary": "A passage with its neighbours and citation",
                "parameters": [{"name": "passage_id", "in": "path", "required": True, "schema": STR}],
                "responses": {
                    "200": _json({"allOf": [_ref("Passage"), {"type": "object", "properties": {
                        "before": {"type": "array", "items": _ref("Passage")},
                        "after": {"type": "array", "items": _ref("Passage")}}}]}, "passage"),
                    "301": {"description": "an id from an earlier build: Location is the passage it became"},
                    "404": ERRORS["404"],
                },
            }},
            "/api/resolve/{passage_id}": {"get": {
                "summary": "Where a permalink's passage id lands in this build (for links made before re-indexing)",
                "parameters": [{"name": "passage_id", "in": "path", "required": True, "schema": STR}],
                "responses": {
                    "200": _json({"type": "object", "required": ["requested", "passage_id", "how", "url"],
                                  "properties": {"requested": STR, "passage_id": STR, "url": STR, "notice": STR,
                                                 "how": {"type": "string", "enum": [
                                                     "current", "moved", "changed", "section", "document"]}}},
                                 "landing"),
                    "404": ERRORS["404"],
                },
            }},
            "/api/cite": {"get": {
                "summary": "Citations of passages in one format (text, GB/T 7714, RIS, BibTeX, CSV)",
                "parameters": [
                    {"name": "ids", "in": "query", "required": True, "description": "passage ids, comma-separated",
                     "schema": {"type": "string", "minLength": 1}},
                    {"name": "format", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": list(FORMATS), "default": "text"}},
                    {"name": "download", "in": "query", "required": False,
                     "description": "1: sent as an attachment (plansearch-citations.<ext>)",
                     "schema": {"type": "string", "enum": ["0", "1"]}},
                ],
                "responses": {
                    "200": {"description": f"the citations, at most {MAX_CITE_IDS} passages",
                            "content": {f.media_type: {"schema": STR} for f in FORMATS.values()}},
                    "400": ERRORS["400"],
                    "404": ERRORS["404"],
                },
            }},
            "/api/health": {"get": {
                "summary": "Index build, model and counts",
                "responses": {"200": _json({"type": "object", "required": ["status", "build_id", "model"],
                                            "properties": {"status": STR, "build_id": STR, "model": STR,
                                                           "dim": INT, "documents": INT, "passages": INT,
                                                           "created": STR}}, "health")},
            }},
            "/api/admin/reload": {"post": {
                "summary": "Switch to the newest index build (Bearer $PLANSEARCH_ADMIN_TOKEN)",
                "responses": {"200": _json({"type": "object", "properties": {"status": STR, "build_id": STR}},
                                           "reloaded"),
                              "403": _json(_ref("Error"), "bad token"),
                              "404": _json(_ref("Error"), "admin endpoints disabled")},
            }},
            "/api/openapi.json": {"get": {
                "summary": "This description",
                "responses": {"200": _json({"type": "object"}, "OpenAPI document")},
            }},
        },
        "components": {"schemas": {
            "Hit": hit,
            "SearchResponse": search_response,
            "Document": document,
            "OutlineNode": outline_node,
            "Passage": {"type": "object", "required": list(passage_props), "properties": passage_props},
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"], "properties": {"code": STR, "message": STR}}}},
        }},
    }
