"""Search parameters from a query string, validated once for the API and the pages."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from indexer.citation import FORMATS
from indexer.errors import QueryError
from indexer.search import FILTER_LABELS, check_request

MAX_VALUES = 10
MAX_CITE_IDS = 200


@dataclass(frozen=True)
class SearchParams:
    q: str
    mode: str = "hybrid"
    k: int = 10
    offset: int = 0
    docs: tuple[str, ...] = ()
    city: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    period: tuple[str, ...] = ()
    group: str | None = None

    def search_kwargs(self) -> dict:
        return {
            "mode": self.mode, "k": self.k, "offset": self.offset,
            "doc_ids": list(self.docs) or None, "city": list(self.city) or None,
            "kind": list(self.kind) or None, "period": list(self.period) or None, "group": self.group,
        }


def _int(args: MultiDict, name: str, default: int) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise QueryError(f"{name} 须是整数，而不是“{raw[:20]}”", f"bad_{name}") from None


def _multi(args: MultiDict, name: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in args.getlist(name) if v.strip())
    if len(values) > MAX_VALUES:
        raise QueryError(f"{FILTER_LABELS[name]}最多选 {MAX_VALUES} 个", "too_many_values")
    return values


def parse_search_args(args: MultiDict, max_query_chars: int, require_q: bool = True) -> SearchParams:
    """``require_q=False`` for the search page, where no query means the start page."""
    params = SearchParams(
        q=args.get("q", ""), mode=args.get("mode", "") or "hybrid", k=_int(args, "k", 10),
        offset=_int(args, "offset", 0), docs=_multi(args, "doc"), city=_multi(args, "city"),
        kind=_multi(args, "kind"), period=_multi(args, "period"), group=args.get("group", "") or None,
    )
    check_request(params.q, params.mode, params.k, params.offset, params.group, max_query_chars, require_q)
    return params


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
