"""JSON API: search, documents, passages, health, and its OpenAPI description.

Every error is ``{"error": {"code", "message"}}`` with a 4xx status; nothing
a client sends produces a 500 or a traceback.
"""

from __future__ import annotations

import hmac
import logging
import os
from datetime import date

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from indexer.errors import NotFoundError, PlansearchError, QueryError, UnknownPassageError
from indexer.indicators.names import indicator_key
from indexer.indicators.store import IndicatorQuery, select
from indexer.search.citation import FORMATS, Cited, permalink
from indexer.search.passages import passage_model
from indexer.search.responses import (
    DocumentJSON,
    DocumentsJSON,
    DocumentWithOutlineJSON,
    HealthJSON,
    IndicatorsJSON,
    LandingJSON,
    MovedJSON,
    PassageJSON,
    PassageWithNeighboursJSON,
    ReloadJSON,
    dump,
    error_json,
)
from indexer.search.results import indicator_model
from indexer.search.searcher import Searcher
from search_app import current_searcher
from search_app.limits import Overloaded, overloaded_response, search_slot
from search_app.openapi import openapi_spec
from search_app.params import parse_cite_args, parse_indicator_args, parse_search_args

bp = Blueprint("api", __name__, url_prefix="/api")
log = logging.getLogger("plansearch.api")
ADMIN_TOKEN_ENV = "PLANSEARCH_ADMIN_TOKEN"


def searcher() -> Searcher:
    return current_searcher()


def error(status: int, code: str, message: str):
    resp = jsonify(error_json(code, message))
    resp.status_code = status
    return resp


@bp.errorhandler(QueryError)
def bad_query(exc: QueryError):
    return error(400, exc.code, str(exc))


@bp.errorhandler(NotFoundError)
def not_found(exc: NotFoundError):
    return error(404, "not_found", exc.notice)


@bp.errorhandler(PlansearchError)
def engine_error(exc: PlansearchError):
    log.error("engine error: %s", exc)
    return error(503, "unavailable", str(exc))


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
            413: "too_large"}.get(exc.code or 500, "error")
    return error(exc.code or 500, code, exc.description or code)


bp.register_error_handler(Overloaded, overloaded_response)


@bp.errorhandler(Exception)
def unexpected(exc: Exception):
    log.exception("unexpected error")
    return error(500, "internal", "internal error; the server log has the details")


def base_url() -> str:
    """This site as the request reached it (the Host header is checked before routing)."""
    return request.host_url.rstrip("/")


def passage_of(p, s: Searcher) -> PassageJSON:
    return passage_model(p, s.catalog.info(p.doc_id), base_url())


def doc_fields(s: Searcher, doc_id: str) -> dict:
    info = s.catalog.info(doc_id)
    return {
        "doc_id": info.id, "source": info.file, "title": info.title, "short_title": info.short_title,
        "city": info.city, "kind": info.kind, "period": info.period, "year": info.year,
        "sections": s.level_counts(doc_id), "passages": len(s.doc_passages(doc_id)),
        "url": url_for("views.document", doc_id=info.id),
        "original": url_for("views.original_file", doc_id=info.id),
    }


@bp.get("/search")
def search():
    s = searcher()
    params = parse_search_args(request.args, s.cfg.search.max_query_chars)
    with search_slot():
        resp = s.run(params)
    return jsonify(resp.to_json(base_url()))


@bp.get("/documents")
def documents():
    s = searcher()
    return jsonify(dump(DocumentsJSON(documents=[DocumentJSON(**doc_fields(s, d)) for d in s.catalog.ids])))


@bp.get("/documents/<doc_id>")
def document(doc_id: str):
    s = searcher()
    return jsonify(dump(DocumentWithOutlineJSON(**doc_fields(s, doc_id), outline=s.outline(doc_id))))


@bp.get("/passages/<passage_id>")
def passage(passage_id: str):
    s = searcher()
    try:
        p = s.passage(passage_id)
    except UnknownPassageError:
        landing = s.landing(passage_id)
        if landing is None:
            raise
        moved = jsonify(dump(MovedJSON(passage_id=landing.passage_id, how=landing.how, notice=landing.notice)))
        moved.status_code = 301
        moved.headers["Location"] = url_for("api.passage", passage_id=landing.passage_id)
        return moved
    before, after = s.neighbours(passage_id)
    return jsonify(dump(PassageWithNeighboursJSON(**dump(passage_of(p, s)),
                                                  before=[passage_of(x, s) for x in before],
                                                  after=[passage_of(x, s) for x in after])))


@bp.get("/resolve/<passage_id>")
def resolve(passage_id: str):
    """Where an old permalink lands, with the notice the reader shows."""
    s = searcher()
    if passage_id in s.store.by_id:
        return jsonify(dump(LandingJSON(requested=passage_id, passage_id=passage_id, how="current",
                                        url=permalink(s.passage(passage_id)))))
    landing = s.landing(passage_id)
    if landing is None:
        raise UnknownPassageError(f"unknown passage {passage_id!r}", passage_id)
    return jsonify(dump(LandingJSON(requested=passage_id, passage_id=landing.passage_id, how=landing.how,
                                    notice=landing.notice, url=permalink(s.passage(landing.passage_id)))))


@bp.get("/cite")
def cite():
    s = searcher()
    params = parse_cite_args(request.args)
    items = []
    for pid in params.passage_ids:
        landing = s.landing(pid)
        p = s.passage(landing.passage_id if landing else pid)
        items.append(Cited(p, s.catalog.info(p.doc_id), base_url() + permalink(p)))
    fmt = FORMATS[params.format]
    resp = Response(fmt.render(items, date.today()), mimetype=fmt.media_type)
    resp.charset = "utf-8"
    if params.download == "1":
        resp.headers["Content-Disposition"] = f'attachment; filename="plansearch-citations.{fmt.extension}"'
    return resp


@bp.get("/indicators")
def indicators():
    """Indicator records side by side: one indicator across places and periods, paged as /api/search is."""
    s = searcher()
    req = parse_indicator_args(request.args)
    found = select(s.indicators, IndicatorQuery(name=req.name, q=req.q, doc=req.values("doc"),
                                                city=req.values("city"), period=req.values("period"),
                                                role=req.role))
    records = [indicator_model(r, s.passage(r.passage_id), s.catalog.info(r.doc_id), base_url())
               for r in found[req.offset:req.offset + req.k]]
    return jsonify(dump(IndicatorsJSON(key=indicator_key(req.name) if req.name else "", k=req.k, offset=req.offset,
                                       total=len(found), records=records)))


@bp.get("/health")
def health():
    s = searcher()
    return jsonify(dump(HealthJSON(
        status="ok", build_id=s.build_id, backend=s.backend,
        model=s.manifest["embedding"]["model_id"],
        dim=s.manifest["embedding"]["dim"], documents=len(s.catalog), passages=len(s.passages),
        created=s.manifest.get("created"))))


@bp.post("/admin/reload")
def reload_index():
    """Switch to the newest build without a restart; needs $PLANSEARCH_ADMIN_TOKEN."""
    token = os.environ.get(ADMIN_TOKEN_ENV, "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token:
        return error(404, "not_found", "admin endpoints are disabled (set PLANSEARCH_ADMIN_TOKEN)")
    if not hmac.compare_digest(token.encode(), given.encode()):
        return error(403, "forbidden", "bad or missing admin token")
    fresh, changed = current_app.config["HOLDER"].reload()
    return jsonify(dump(ReloadJSON(status="reloaded" if changed else "unchanged", build_id=fresh.build_id)))


@bp.get("/openapi.json")
def openapi():
    s = searcher()
    return jsonify(openapi_spec(s.catalog, s.cfg.search.max_query_chars))
