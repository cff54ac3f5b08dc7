"""The /indicators page: one indicator side by side across places and periods (a table and a
chart, every figure linked to the row it is printed in), plan against outcome, and its CSV."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, url_for

from indexer.documents.ordering import ordered
from indexer.errors import NotFoundError, PlansearchError, QueryError
from indexer.indicators.names import indicator_key
from indexer.indicators.records import Record
from indexer.indicators.sheet import (
    CSV_BOM,
    TEXT_TABLE,
    Outcome,
    RoleColumn,
    cell,
    columns_in,
    csv_text,
    outcomes,
)
from indexer.indicators.store import IndicatorQuery, select
from indexer.search.citation import permalink
from indexer.search.searcher import Searcher
from search_app import current_searcher
from search_app.indicator_chart import bar_chart, bars_by_unit
from search_app.params import INDICATOR_ROLES, IndicatorRequest, parse_indicator_args

bp = Blueprint("indicators", __name__)
# Indicators one page shows when a part of a name matches several; the rest are listed by name.
MAX_INDICATORS = 8
# Indicators the start page offers: those most documents print.
START_INDICATORS = 16
ROLE_LABELS = {"baseline": "基期", "target": "目标", "growth": "年均增速", "achieved": "完成", "level": "水平值"}
CSV_NAME = "plansearch-indicators.csv"


@dataclass(frozen=True)
class Indicator:
    """One indicator's part of the page: its records, the columns they fill, plan against outcome."""

    key: str
    records: list[Record]
    columns: tuple[RoleColumn, ...]
    outcomes: list[Outcome]


def searcher() -> Searcher:
    return current_searcher()


@bp.errorhandler(NotFoundError)
def not_found(exc: NotFoundError):
    return render_template("error.html", code=404, message=exc.notice), 404


@bp.errorhandler(PlansearchError)
def unavailable(exc: PlansearchError):
    """A build without records (made before they existed) or one that cannot be read: one line."""
    return render_template("error.html", code=503, message=str(exc)), 503


def matching(s: Searcher, req: IndicatorRequest, every_name: bool = False) -> list[Record]:
    """The records the form asks for. ``q`` is an indicator's name when some record has its key
    (GDP = 地区生产总值, never 人均地区生产总值); otherwise a part of printed names. No name asks
    for nothing (the page's start), or with ``every_name`` for every record (the CSV, as the CLI)."""
    name, q = req.name, req.q
    if q and not name and any(r.key == indicator_key(q) for r in s.indicators):
        name, q = q, ""
    if not (name or q or every_name):
        return []
    return select(s.indicators, IndicatorQuery(name=name, q=q, doc=req.values("doc"), city=req.values("city"),
                                               period=req.values("period"), role=req.role))


def by_indicator(records: list[Record]) -> list[Indicator]:
    """The records grouped by indicator key, the key most documents print first."""
    keys: dict[str, list[Record]] = {}
    for r in records:
        keys.setdefault(r.key, []).append(r)
    groups = sorted(keys.items(), key=lambda kv: (-len({r.doc_id for r in kv[1]}), kv[0]))
    return [Indicator(k, rs, columns_in(rs), outcomes(rs)) for k, rs in groups]


def start_keys(records: list[Record]) -> list[str]:
    docs: dict[str, set[str]] = {}
    for r in records:
        docs.setdefault(r.key, set()).add(r.doc_id)
    return sorted((k for k, d in docs.items() if len(d) > 1), key=lambda k: (-len(docs[k]), k))[:START_INDICATORS]


def form_choices(s: Searcher) -> dict:
    records = s.indicators
    return {"cities": ordered("city", (r.city for r in records)),
            "periods": ordered("period", (r.period for r in records)),
            "roles": INDICATOR_ROLES, "role_labels": ROLE_LABELS}


def link(s: Searcher, r: Record) -> str:
    """The reader at the row the record cites (its permalink)."""
    return permalink(s.passage(r.passage_id))


@bp.get("/indicators")
def page():
    s = searcher()
    args = request.args
    form = {"q": args.get("q", "") or args.get("name", ""), "city": args.get("city", ""),
            "period": args.get("period", ""), "role": args.get("role", "")}
    try:
        req = parse_indicator_args(args)
    except QueryError as exc:
        return render_template("indicators.html", error=str(exc), form=form, groups=[], start=[],
                               **form_choices(s)), 400
    found = matching(s, req)
    groups = by_indicator(found)
    short = {d.id: d.short_title for d in s.catalog}
    csv_url = url_for("indicators.export") + "?" + urlencode(list(args.items(multi=True)))
    return render_template(
        "indicators.html", error=None, form=form, groups=groups[:MAX_INDICATORS], more=groups[MAX_INDICATORS:],
        asked=bool(req.q or req.name), total=len(found), start=start_keys(s.indicators), csv_url=csv_url,
        link=lambda r: link(s, r), cell=cell, short=short, text_table=TEXT_TABLE,
        charts=lambda g: [(unit, bar_chart(bars, unit)) for unit, bars in bars_by_unit(g.records,
                                                                                       lambda r: link(s, r))[:2]],
        **form_choices(s))


@bp.get("/indicators.csv")
def export():
    """The page's rows as CSV, for a spreadsheet: UTF-8 with a BOM (Excel needs it), an attachment."""
    s = searcher()
    try:
        req = parse_indicator_args(request.args)
    except QueryError as exc:
        return render_template("error.html", code=400, message=str(exc)), 400
    base = request.host_url.rstrip("/")
    body = CSV_BOM + csv_text(matching(s, req, every_name=True), lambda r: base + link(s, r))
    resp = Response(body, mimetype="text/csv")
    resp.charset = "utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="{CSV_NAME}"'
    return resp
