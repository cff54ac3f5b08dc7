"""OpenAPI 3.1 description of the JSON API, made from the request and response models
(indexer.query.request, indexer.search.responses); a test keeps it true to the routes."""

from __future__ import annotations

from pydantic import BaseModel

from indexer.config import SearchConfig
from indexer.documents.corpus import Catalog
from indexer.documents.ordering import ordered
from indexer.query.request import FILTER_LABELS, SearchRequest
from indexer.search.citation import FORMATS
from indexer.search.responses import (
    DocumentsJSON,
    DocumentWithOutlineJSON,
    ErrorJSON,
    HealthJSON,
    IndicatorsJSON,
    LandingJSON,
    PassageWithNeighboursJSON,
    ReloadJSON,
    SearchResponseJSON,
)
from search_app.params import MAX_CITE_IDS, CiteRequest, IndicatorRequest

REF = "#/components/schemas/{model}"
CATALOG_FIELDS = {"doc": "id", "city": "city", "kind": "kind", "period": "period"}
STR = {"type": "string"}


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": REF.format(model=model.__name__)}


def _json(model: type[BaseModel], description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


ERRORS = {
    "400": _json(ErrorJSON, "invalid parameters"),
    "404": _json(ErrorJSON, "unknown id"),
}


def _components(*models: type[BaseModel]) -> dict:
    out: dict[str, dict] = {}
    for model in models:
        schema = model.model_json_schema(ref_template=REF)
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return out


def query_parameters(model: type[BaseModel]) -> list[dict]:
    """One query parameter per field of a request model; required where the model has no default."""
    props = model.model_json_schema()["properties"]
    return [{"name": name, "in": "query", "required": field.is_required(),
             "description": props[name].get("description", ""),
             "schema": {k: v for k, v in props[name].items() if k not in ("title", "description")}}
            for name, field in model.model_fields.items()]


def search_parameters(catalog: Catalog | None, max_query_chars: int) -> list[dict]:
    """The query parameters of /api/search, from SearchRequest; with a catalog, filters list
    the values the index knows."""
    infos = list(catalog) if catalog else []
    params = query_parameters(SearchRequest)
    for param in params:
        name, schema = param["name"], param["schema"]
        if "anyOf" in schema:  # optional: the parameter is left out, never null
            param["schema"] = schema = {**next(s for s in schema.pop("anyOf") if s.get("type") != "null"), **schema}
            schema.pop("default", None)
        if name == "q":
            param["required"] = True
            schema.update(minLength=1, maxLength=max_query_chars)
            schema.pop("default", None)
        if name in FILTER_LABELS:
            known = ordered(CATALOG_FIELDS[name], (getattr(i, CATALOG_FIELDS[name]) for i in infos))
            schema["items"] = {"type": "string", "enum": known} if known else {"type": "string", "maxLength": 200}
            schema.pop("default", None)
            param.update(style="form", explode=True)
    return params


def openapi_spec(catalog: Catalog | None = None, max_query_chars: int = SearchConfig.max_query_chars) -> dict:
    def by(name: str) -> list[dict]:
        return [{"name": name, "in": "path", "required": True, "schema": STR}]

    return {
        "openapi": "3.1.0",
        "info": {"title": "plansearch API", "version": "1",
                 "description": "Hybrid search over Chinese government plan documents, with citations."},
        "paths": {
            "/api/search": {"get": {
                "summary": "Search passages (hybrid BM25 + embeddings by default)",
                "parameters": search_parameters(catalog, max_query_chars),
                "responses": {"200": _json(SearchResponseJSON, "ranked hits"), "400": ERRORS["400"]},
            }},
            "/api/documents": {"get": {
                "summary": "The catalog with section and passage counts",
                "responses": {"200": _json(DocumentsJSON, "documents")},
            }},
            "/api/documents/{doc_id}": {"get": {
                "summary": "A document's metadata and outline",
                "parameters": by("doc_id"),
                "responses": {"200": _json(DocumentWithOutlineJSON, "document"), "404": ERRORS["404"]},
            }},
            "/api/passages/{passage_id}": {"get": {
                "summary": "A passage with its neighbours and citation",
                "parameters": by("passage_id"),
                "responses": {
                    "200": _json(PassageWithNeighboursJSON, "passage"),
                    "301": {"description": "an id from an earlier build: Location is the passage it became"},
                    "404": ERRORS["404"],
                },
            }},
            "/api/resolve/{passage_id}": {"get": {
                "summary": "Where a permalink's passage id lands in this build (for links made before re-indexing)",
                "parameters": by("passage_id"),
                "responses": {"200": _json(LandingJSON, "landing"), "404": ERRORS["404"]},
            }},
            "/api/cite": {"get": {
                "summary": "Citations of passages in one format (text, GB/T 7714, RIS, BibTeX, CSV)",
                "parameters": query_parameters(CiteRequest),
                "responses": {
                    "200": {"description": f"the citations, at most {MAX_CITE_IDS} passages",
                            "content": {f.media_type: {"schema": STR} for f in FORMATS.values()}},
                    "400": ERRORS["400"],
                    "404": ERRORS["404"],
                },
            }},
            "/api/indicators": {"get": {
                "summary": "Indicator records (主要指标 tables, stated targets) side by side across documents",
                "parameters": query_parameters(IndicatorRequest),
                "responses": {"200": _json(IndicatorsJSON, "records"), "400": ERRORS["400"]},
            }},
            "/api/health": {"get": {
                "summary": "Index build, model and counts",
                "responses": {"200": _json(HealthJSON, "health")},
            }},
            "/api/admin/reload": {"post": {
                "summary": "Switch to the newest index build (Bearer $PLANSEARCH_ADMIN_TOKEN)",
                "responses": {"200": _json(ReloadJSON, "reloaded"),
                              "403": _json(ErrorJSON, "bad token"),
                              "404": _json(ErrorJSON, "admin endpoints disabled")},
            }},
            "/api/openapi.json": {"get": {
                "summary": "This description",
                "responses": {"200": {"description": "OpenAPI document",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
        "components": {"schemas": _components(
            SearchResponseJSON, DocumentsJSON, DocumentWithOutlineJSON, PassageWithNeighboursJSON, LandingJSON,
            HealthJSON, ReloadJSON, ErrorJSON, IndicatorsJSON)},
    }
