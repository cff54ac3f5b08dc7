"""Request parameters from a query string, for the API and the pages: search parameters
become an indexer.request.SearchRequest; citation parameters a CiteParams."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from indexer.citation import FORMATS
from indexer.errors import QueryError
from indexer.request import FILTER_LABELS, SearchRequest

MAX_CITE_IDS = 200
SINGLE = ("q", "mode", "k", "offset", "group")


def parse_search_args(args: MultiDict, max_query_chars: int, require_q: bool = True) -> SearchRequest:
    """``require_q=False`` for the search page, where no query means the start page.
    Parameters the request does not know are ignored, as browsers and links add their own."""
    raw: dict = {name: args.get(name) for name in SINGLE if name in args}
    raw.update({name: args.getlist(name) for name in FILTER_LABELS if name in args})
    return SearchRequest.parse(raw, max_query_chars, require_q)


@dataclass(frozen=True)
class CiteParams:
    ids: tuple[str, ...]
    format: str
    download: bool


def parse_cite_args(args: MultiDict) -> CiteParams:
    ids = tuple(dict.fromkeys(i.strip() for i in args.get("ids", "").split(",") if i.strip()))
    if not ids:
        raise QueryError("请给出要引用的段落：ids=段落编号,段落编号", "missing_ids")
    if len(ids) > MAX_CITE_IDS:
        raise QueryError(f"一次最多引用 {MAX_CITE_IDS} 段，现有 {len(ids)} 段", "too_many_ids")
    fmt = args.get("format", "") or "text"
    if fmt not in FORMATS:
        raise QueryError(f"没有这种引用格式：{fmt[:20]}；可选：{'、'.join(FORMATS)}", "unknown_format")
    return CiteParams(ids, fmt, args.get("download", "") == "1")
