"""Search parameters from a query string, validated once for the API and the pages."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from indexer.errors import QueryError
from indexer.search import MAX_K, MODES

MAX_VALUES = 10


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


def _int(args: MultiDict, name: str, default: int, lo: int, hi: int) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"{name} must be a whole number, not {raw[:20]!r}") from None
    if not lo <= value <= hi:
        raise QueryError(f"{name} must be between {lo} and {hi}")
    return value


def _multi(args: MultiDict, name: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in args.getlist(name) if v.strip())
    if len(values) > MAX_VALUES:
        raise QueryError(f"at most {MAX_VALUES} values for {name}")
    return values


def parse_search_args(args: MultiDict, max_query_chars: int, require_q: bool = True) -> SearchParams:
    q = args.get("q", "")
    if require_q and not q:
        raise QueryError("missing query: pass q=…")
    if len(q) > max_query_chars:
        raise QueryError(f"query is longer than {max_query_chars} characters")
    mode = args.get("mode", "") or "hybrid"
    if mode not in MODES:
        raise QueryError(f"mode must be one of {', '.join(MODES)}")
    group = args.get("group", "") or None
    if group not in (None, "doc"):
        raise QueryError("group must be 'doc'")
    return SearchParams(
        q=q, mode=mode, k=_int(args, "k", 10, 1, MAX_K), offset=_int(args, "offset", 0, 0, 1000),
        docs=_multi(args, "doc"), city=_multi(args, "city"), kind=_multi(args, "kind"),
        period=_multi(args, "period"), group=group,
    )
