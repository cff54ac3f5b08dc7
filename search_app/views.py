"""HTML pages: the search page and a document reader with addressable passages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from indexer.documents.ordering import ordered
from indexer.errors import NotFoundError, QueryError
from indexer.parse.model import Passage, PassageKind
from indexer.query.request import MODES
from indexer.search.citation import Cited, gbt7714, permalink
from indexer.search.matching import MATCH_LABELS
from indexer.search.passages import citation_for
from indexer.search.results import Hit
from indexer.search.searcher import Searcher
from search_app import current_searcher
from search_app.limits import search_slot
from search_app.params import parse_search_args

bp = Blueprint("views", __name__)
MODE_LABELS = {"hybrid": "综合", "bm25": "关键词", "dense": "语义"}
EXAMPLES = ["城陵矶新港区", "“五溪人才行动计划”", "老人以后谁来照顾？", "各地冷链物流建设", "常德 地区生产总值 2025年"]
# Hits per document in the side-by-side comparison; each column links to the rest.
COMPARE_K = 4


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

    def reader_url(h: Hit) -> str:
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
        match_labels=MATCH_LABELS, anchor=s.section_anchor, zip=zip,
    ), status


@dataclass
class Block:
    kind: str
    passages: list[Passage] = field(default_factory=list)
    tag: str = "p"
    title: str = ""


def blocks_for(s: Searcher, doc_id: str) -> list[Block]:
    """Passages grouped for reading: headings, paragraphs, and each table as one table."""
    levels = s.section_levels(doc_id)
    blocks: list[Block] = []
    for p in s.doc_passages(doc_id):
        if p.kind in (PassageKind.TABLE_HEADER, PassageKind.TABLE_ROW):
            box = p.section_ids[-1]
            if not (blocks and blocks[-1].kind == "table" and blocks[-1].title == box):
                blocks.append(Block("table", title=box))
            blocks[-1].passages.append(p)
        elif p.kind == PassageKind.HEADING:
            level = levels.get(p.section_ids[-1], ("", ""))[0] if p.section_ids else ""
            blocks.append(Block("heading", [p], tag=heading_tag(level, len(p.section_ids) - 1)))
        else:
            blocks.append(Block(p.kind, [p]))
    return blocks


def heading_tag(level: str, depth: int) -> str:
    """By depth in the document's own tree, so a report's 一、 is as prominent as a plan's 篇."""
    return "h1" if level == "title" else f"h{min(2 + max(depth, 0), 5)}"


def cells(p: Passage) -> list[str]:
    """A table row's cells aligned with its header (merged cells filled in), as the parser found them."""
    return list(p.cells) or [c.strip() for c in p.text.split("\n") if c.strip()] or [p.text.strip()]


@bp.get("/doc/<doc_id>")
def document(doc_id: str):
    s = searcher()
    info = s.catalog.info(doc_id)
    base = request.host_url.rstrip("/")
    query = urlencode(list(request.args.items(multi=True)))
    back = url_for("views.index") + "?" + query if request.args.get("q") else None
    return render_template(
        "doc.html", info=info, outline=s.outline(doc_id), blocks=blocks_for(s, doc_id), cells=cells,
        citation=lambda p: citation_for(p, info, base), back=back, query=request.args.get("q", ""),
    )


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
