"""HTML pages and files: the search page, the document reader, the original-file download."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from werkzeug.exceptions import HTTPException

from indexer.documents.ordering import ordered
from indexer.documents.original import original
from indexer.errors import NotFoundError, OriginalUnavailableError, QueryError
from indexer.extract.formats import DOC, DOCX, HTML, PDF, TEXT
from indexer.indicators.sheet import value_label
from indexer.query.request import MODES
from indexer.search.citation import Cited, gbt7714, permalink
from indexer.search.matching import MATCH_LABELS
from indexer.search.passages import citation_for
from indexer.search.results import Answered, Hit
from indexer.search.searcher import Searcher
from search_app import current_searcher
from search_app.limits import search_slot
from search_app.params import parse_search_args
from search_app.reader import blocks_for, cells, page_anchor, page_marks

bp = Blueprint("views", __name__)
MODE_LABELS = {"hybrid": "综合", "bm25": "关键词", "dense": "语义"}
EXAMPLES = ["城陵矶新港区", "“五溪人才行动计划”", "老人以后谁来照顾？", "各地冷链物流建设", "常德 地区生产总值 2025年"]
# Hits per document in the side-by-side comparison; each column links to the rest.
COMPARE_K = 4
FORMAT_LABELS = {PDF: "PDF", DOCX: "Word", DOC: "Word", HTML: "网页", TEXT: "文本"}
ORIGINAL_CSP = "sandbox; default-src 'none'"
ORIGINAL_CSP_PDF = "frame-ancestors 'none'"
MAX_PAGE_DIGITS = 6  # no plan has a million pages (and int() refuses a string of thousands of digits)


def searcher() -> Searcher:
    return current_searcher()


@bp.get("/")
def index():
    s = searcher()
    error = None
    resp = None
    status = 200
    try:
        params = parse_search_args(request.args, s.cfg.search.max_query_chars, require_q=False)
        if params.q.strip():
            if params.group and "k" not in request.args:
                params = params.model_copy(update={"k": COMPARE_K})
            with search_slot():
                resp = s.run(params)
    except QueryError as exc:
        error, status = str(exc), 400
        params = None
    args = request.args

    def page_url(offset: int) -> str:
        items = [(k, v) for k, v in args.items(multi=True) if k != "offset"] + [("offset", str(offset))]
        return url_for("views.index") + "?" + urlencode(items)

    def column_url(doc_id: str) -> str:
        """A comparison column's 更多: the same search within that document."""
        items = [(k, v) for k, v in args.items(multi=True) if k not in ("offset", "group", "doc", "k")]
        return url_for("views.index") + "?" + urlencode([*items, ("doc", doc_id)])

    search_qs = urlencode([(k, v) for k, v in args.items(multi=True) if k != "offset"])
    base = request.host_url.rstrip("/")
    today = date.today()

    def reader_url(h: Hit | Answered) -> str:
        return f"{url_for('views.document', doc_id=h.passage.doc_id)}?{search_qs}#{h.passage.passage_id}"

    def cite(h: Hit) -> dict[str, str]:
        c = Cited(h.passage, h.info, base + permalink(h.passage))
        return {"text": h.citation(base), "gbt7714": gbt7714(c, today)}

    return render_template(
        "search.html", resp=resp, error=error, params=params, q=args.get("q", ""),
        mode=args.get("mode", "hybrid"), modes=MODES, mode_labels=MODE_LABELS,
        docs=list(s.catalog), chosen_docs=set(args.getlist("doc")), chosen_city=set(args.getlist("city")),
        chosen_kind=set(args.getlist("kind")), group=args.get("group") == "doc",
        chosen_period=set(args.getlist("period")), periods=ordered("period", (d.period for d in s.catalog)),
        cities=ordered("city", (d.city for d in s.catalog)), kinds=ordered("kind", (d.kind for d in s.catalog)),
        max_chars=s.cfg.search.max_query_chars,
        examples=EXAMPLES, page_url=page_url, column_url=column_url, reader_url=reader_url, cite=cite,
        value_label=value_label,
        match_labels=MATCH_LABELS, anchor=s.section_anchor, zip=zip,
    ), status


@bp.get("/doc/<doc_id>")
def document(doc_id: str):
    """The reader; ``?page=N`` redirects to page N's anchor (the other parameters kept)."""
    s = searcher()
    info = s.catalog.info(doc_id)
    passages = s.doc_passages(doc_id)
    if "page" in request.args:
        return redirect(page_url(doc_id, passages, request.args.get("page", "")))
    base = request.host_url.rstrip("/")
    query = urlencode(list(request.args.items(multi=True)))
    back = url_for("views.index") + "?" + query if request.args.get("q") else None
    try:
        src = original(s.catalog, doc_id)
    except OriginalUnavailableError:
        src = None  # the text is still read; there is just nothing to download
    download = url_for("views.original_file", doc_id=doc_id)

    def at_page(page: int) -> str | None:
        """A passage's link into the original: a PDF opened at ``page`` (``#page=N``), else none."""
        return f"{download}#page={page}" if src is not None and src.format == PDF else None

    return render_template(
        "doc.html", info=info, outline=s.outline(doc_id), blocks=blocks_for(s, doc_id), cells=cells,
        citation=lambda p: citation_for(p, info, base), back=back, query=request.args.get("q", ""),
        marks=page_marks(passages), download=download, src=src, at_page=at_page,
        format_label=FORMAT_LABELS.get(src.format, "") if src else "",
    )


def page_url(doc_id: str, passages, raw: str) -> str:
    """Where ``?page=raw`` lands: 400 for a page that is not a whole number ≥ 1, the one 404
    (UnknownPageError, naming how many pages there are) for a page the document lacks."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_PAGE_DIGITS and int(raw) >= 1):
        abort(400, description=f"页码应为正整数（最多 {MAX_PAGE_DIGITS} 位）：{raw[:20]}")
    anchor = page_anchor(passages, int(raw))
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    return url_for("views.document", doc_id=doc_id, _anchor=anchor) if not rest else (
        url_for("views.document", doc_id=doc_id) + "?" + urlencode(rest) + "#" + anchor)


@bp.get("/doc/<doc_id>/original")
def original_file(doc_id: str):
    """The document's original file, by id only; Word and HTML as attachments, never rendered."""
    src = original(searcher().catalog, doc_id)
    resp = send_file(src.path, mimetype=src.media_type, conditional=True, etag=True)
    resp.headers["Content-Type"] = src.media_type  # as is: Werkzeug would add a charset of its own
    resp.headers["Content-Disposition"] = src.disposition
    resp.headers["X-Content-Type-Options"] = "nosniff"
    # A PDF viewer is a plugin the page's CSP would block; anything else is never run.
    resp.headers["Content-Security-Policy"] = ORIGINAL_CSP_PDF if src.format == PDF else ORIGINAL_CSP
    return resp


@bp.get("/help")
def help_page():
    return render_template("help.html", match_labels=MATCH_LABELS)


def schema_text(schema: dict) -> str:
    """A parameter's schema in a line a person reads: type, allowed values, bounds, default."""
    options = schema.get("anyOf") or [schema]
    parts = []
    for o in options:
        if "enum" in o or ("items" in o and "enum" in o["items"]):
            parts.append(" | ".join(map(str, o.get("enum") or o["items"]["enum"])))
        elif o.get("type") and o["type"] != "null":
            bounds = [f"{k} {o[k]}" for k in ("minimum", "maximum", "maxLength", "maxItems") if k in o]
            parts.append(o["type"] + (f" ({', '.join(bounds)})" if bounds else ""))
    default = f"；默认 {schema['default']}" if schema.get("default") not in (None, "", []) else ""
    return (" 或 ".join(parts) or "—") + default


def response_model(response: dict) -> str:
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1]


@bp.get("/help/api")
def api_page():
    """The OpenAPI document rendered for people (offline: no Swagger UI to fetch)."""
    from search_app.openapi import openapi_spec

    s = searcher()
    return render_template("api.html", spec=openapi_spec(s.catalog, s.cfg.search.max_query_chars),
                           schema_text=schema_text, response_model=response_model)


@bp.errorhandler(NotFoundError)
def not_found(exc: NotFoundError):
    return render_template("error.html", code=404, message=exc.notice), 404


@bp.app_errorhandler(HTTPException)
def html_error(exc: HTTPException):
    if request.path.startswith("/api/"):
        from search_app.api import http_error

        return http_error(exc)
    return render_template("error.html", code=exc.code, message=exc.description), exc.code
