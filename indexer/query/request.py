"""A search request, validated once, and its plan: what the engine will do with it,
worked out from the catalog alone, without an index.

SearchRequest is the one statement of the request's shape and limits: the library,
the CLI, the web parameters and the OpenAPI document all read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from indexer.analysis.text import is_word_char, normalize_char
from indexer.documents.corpus import Catalog, DocumentInfo
from indexer.documents.places import admin_level, full_name, name_forms
from indexer.errors import QueryError
from indexer.query.intent import Intent, analyse
from indexer.query.syntax import ParsedQuery, parse_query

Mode = Literal["hybrid", "bm25", "dense"]
Group = Literal["doc"]
MODES: tuple[str, ...] = get_args(Mode)
GROUPS: tuple[str, ...] = get_args(Group)
MAX_K = 100
MAX_OFFSET = 1000
MAX_VALUES = 10
FILTER_LABELS = {"doc": "文件", "city": "城市", "kind": "类别", "period": "时期"}


def _values(v: Any) -> Any:
    """Repeatable filters: one value or several, blanks dropped."""
    if v is None:
        return ()
    if isinstance(v, str):
        v = [v]
    if isinstance(v, list | tuple):
        return tuple(x.strip() for x in v if not isinstance(x, str) or x.strip())
    return v


def whole_number(v: Any) -> Any:
    """A count given as a boolean is refused (pydantic would read True as 1)."""
    if isinstance(v, bool):
        raise ValueError("a boolean is not a count")
    return v


def k_field() -> Any:
    """The page size: one statement of its bounds for every paged endpoint."""
    return Field(10, ge=1, le=MAX_K, description="每页条数")


def offset_field() -> Any:
    """Where a page starts: one statement of its bounds for every paged endpoint."""
    return Field(0, ge=0, le=MAX_OFFSET, description="从第几条开始（0 起）")


class SearchRequest(BaseModel):
    """What a client may ask for. Filter values are checked against the catalog when the
    request is planned; the query's length against the configuration."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    q: str = Field("", description="检索词：关键词、问题，或加引号的短语；-词 排除")
    mode: Mode = Field("hybrid", description="hybrid（综合）、bm25（关键词）或 dense（语义）")
    k: int = k_field()
    offset: int = offset_field()
    doc: tuple[str, ...] = Field((), max_length=MAX_VALUES, description="文件编号（可重复）")
    city: tuple[str, ...] = Field((), max_length=MAX_VALUES, description="城市，如 常德（可重复）")
    kind: tuple[str, ...] = Field((), max_length=MAX_VALUES, description="类别：规划纲要、政府工作报告…（可重复）")
    period: tuple[str, ...] = Field((), max_length=MAX_VALUES, description="时期：十三五、十四五…（可重复）")
    group: Group | None = Field(None, description="doc：按文件分组")

    _filters = field_validator("doc", "city", "kind", "period", mode="before")(_values)
    _counts = field_validator("k", "offset", mode="before")(whole_number)

    @field_validator("group", mode="before")
    @classmethod
    def _blank_group(cls, v: Any) -> Any:
        return None if v == "" else v

    @field_validator("mode", mode="before")
    @classmethod
    def _blank_mode(cls, v: Any) -> Any:
        return "hybrid" if v in ("", None) else v

    @classmethod
    def parse(cls, raw: Mapping[str, Any], max_query_chars: int, require_query: bool = True) -> SearchRequest:
        """Validated, or one QueryError naming the first bad parameter in Chinese."""
        try:
            req = cls.model_validate(dict(raw))
        except ValidationError as exc:
            raise _query_error(exc) from None
        if not req.q and require_query:
            raise QueryError("请输入检索词", "empty_query")
        if len(req.q) > max_query_chars:
            raise QueryError(f"检索词太长：最多 {max_query_chars} 个字，现有 {len(req.q)} 个字", "query_too_long")
        return req

    @property
    def filtered(self) -> bool:
        return bool(self.doc or self.city or self.kind or self.period)


def bounds(name: str) -> tuple[int, int]:
    """The (minimum, maximum) of an integer parameter, as the model states them."""
    lo = hi = None
    for m in SearchRequest.model_fields[name].metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    assert lo is not None and hi is not None, name
    return lo, hi


def paging_error(err: Any) -> QueryError:
    """The one error for a bad ``k`` or ``offset`` (a pydantic error of either), on every paged endpoint."""
    name = str(err["loc"][0])
    value = str(err.get("input", ""))[:20]
    lo, hi = bounds(name)
    label = {"k": "每页条数 k", "offset": "起始位置 offset"}[name]
    if err["type"] in ("int_parsing", "int_from_float", "int_type", "value_error"):
        return QueryError(f"{name} 须是整数，而不是“{value}”", f"bad_{name}")
    return QueryError(f"{label} 须在 {lo} 到 {hi} 之间", f"bad_{name}")


def _query_error(exc: ValidationError) -> QueryError:
    err = exc.errors()[0]
    name = str(err["loc"][0]) if err["loc"] else "q"
    if name in ("k", "offset"):
        return paging_error(err)
    if name == "mode":
        return QueryError(f"检索方式只能是综合、关键词或语义（{'、'.join(MODES)}）", "bad_mode")
    if name == "group":
        return QueryError(f"分组方式 group 只能是 {' 或 '.join(GROUPS)} 或不填", "bad_group")
    if name in FILTER_LABELS:
        if err["type"] == "too_long":
            return QueryError(f"{FILTER_LABELS[name]}最多选 {MAX_VALUES} 个", "too_many_values")
        return QueryError(f"{FILTER_LABELS[name]}须是文字", "bad_filter")
    if name == "q":
        return QueryError("检索词须是文字", "bad_query")
    return QueryError(f"没有这个参数：{name}", "unknown_parameter")


@dataclass(frozen=True)
class QueryPlan:
    """What the engine does for a request: the parsed query, what it is asking
    (indexer.query.intent), the documents that may answer, and the notes the reader sees."""

    request: SearchRequest
    parsed: ParsedQuery
    intent: Intent
    allowed: tuple[str, ...]
    restricted: bool
    embed_text: str
    notes: tuple[str, ...]
    searchable: bool = True

    @property
    def lexical(self) -> ParsedQuery:
        """The query as BM25 sees it: the words that name a document or ask a question dropped."""
        return replace(self.parsed, terms=self.intent.lexical_text)

    @property
    def doc_filter(self) -> tuple[str, ...] | None:
        """The documents every retriever keeps to, or None for all."""
        return self.allowed if self.restricted else None

    @property
    def runs(self) -> tuple[str, ...]:
        """The mode table: the ranked lists fused, in fusion order. Headings join the lexical
        side only for section queries."""
        lexical = ("bm25", "headings") if self.intent.section else ("bm25",)
        return {"bm25": lexical, "dense": ("dense",), "hybrid": ("bm25", "dense", *lexical[1:])}[self.request.mode]

    @property
    def lexical_mode(self) -> bool:
        """BM25 and the exact-match tiers take part (every mode but dense)."""
        return self.request.mode != "dense"

    @property
    def semantic_mode(self) -> bool:
        """Similarities take part (every mode but bm25)."""
        return self.request.mode != "bm25"

    @property
    def named_docs(self) -> list[str]:
        """The documents the query names that the filters allow: they supply candidates of their own."""
        return [d for d in self.intent.preferred_docs if d in self.allowed]

    @property
    def feedback(self) -> bool:
        """Whether a hybrid question gets a pseudo-relevance feedback run: the fused first ranking
        is precise enough to learn from; a dense first ranking is not (dense numeric MRR .69 → .59),
        and a comparison wants every place, not more of the first one's."""
        return self.request.mode == "hybrid" and self.intent.question and not self.intent.compare

    def run_weight(self, run: str, question_bm25_weight: float) -> float:
        """RRF weight of a run: a question's BM25 list may weigh less in hybrid fusion."""
        hybrid_question = self.request.mode == "hybrid" and self.intent.question
        return question_bm25_weight if run == "bm25" and hybrid_question else 1.0


def plan_query(req: SearchRequest, catalog: Catalog, max_embed_chars: int) -> QueryPlan:
    """Filters checked against the catalog; ``-怀化`` or ``-常德政府工作报告`` drops the documents
    it names; intent read from the words. Raises QueryError for an unknown filter value."""
    _check_filters(req, catalog)
    cleaned = "".join(ch if ch.isprintable() else " " for ch in req.q).strip()
    pq = parse_query(cleaned)
    notes = list(pq.notes)
    allowed = [i.id for i in catalog if _admits(req, i)]
    if pq.is_empty or not any(is_word_char(normalize_char(c)) for c in pq.positive_text):
        notes.append("没有可检索的内容：检索词里只有标点、空格或排除词")
        return QueryPlan(req, pq, analyse("", catalog), tuple(allowed), req.filtered, "", tuple(notes), False)
    if req.mode != "bm25" and len(pq.positive_text) > max_embed_chars:
        notes.append(f"检索词较长，语义匹配只用了前 {max_embed_chars} 个字")
    dropped = _excluded_documents(pq, allowed, catalog)
    if dropped:
        allowed = [d for d in allowed if d not in dropped]
        notes.append("已排除文件：" + "、".join(catalog.info(d).short_title for d in dropped))
    intent = analyse(pq.terms, catalog, req.filtered)
    scoped = [d for d in allowed if intent.level and document_level(catalog.info(d)) == intent.level]
    if scoped and len(scoped) < len(allowed):
        allowed = scoped
        notes.append(f"只看{intent.level}级文件（检索词问的是各{intent.level}）")
    return QueryPlan(req, pq, intent, tuple(allowed), req.filtered or bool(dropped) or bool(scoped),
                     pq.positive_text[:max_embed_chars], tuple(notes))


def document_level(info: DocumentInfo) -> str:
    """A document's administrative level, from its place and title."""
    return admin_level(info.city, info.title)


def names_place(value: str, info: DocumentInfo) -> bool:
    """Whether a filter value names the document's place, in its full or short form (岳阳市 or
    岳阳, 北京 or 北京市), whichever form the catalog stores; 岳阳县 is another place."""
    return value in name_forms(full_name(info.city, info.title))


def _check_filters(req: SearchRequest, catalog: Catalog) -> None:
    infos = list(catalog)
    for name, attr in (("doc", "id"), ("city", "city"), ("kind", "kind"), ("period", "period")):
        known = {getattr(i, attr) for i in infos}
        for v in getattr(req, name):
            if not (any(names_place(v, i) for i in infos) if name == "city" else v in known):
                raise QueryError(f"没有这个{FILTER_LABELS[name]}：{v}；可选：{'、'.join(sorted(known))}",
                                 "unknown_filter")


def _admits(req: SearchRequest, info) -> bool:
    return ((not req.doc or info.id in req.doc) and (not req.city or any(names_place(v, info) for v in req.city))
            and (not req.kind or info.kind in req.kind) and (not req.period or info.period in req.period))


def _excluded_documents(pq: ParsedQuery, allowed: list[str], catalog: Catalog) -> list[str]:
    """An excluded term that names a place or a document excludes those documents, not
    only the passages that happen to print the name."""
    out: list[str] = []
    for term in pq.excluded:
        named = analyse(term, catalog)
        if named.preferred_docs and not named.lexical_text.strip():
            out += [d for d in named.preferred_docs if d in allowed and d not in out]
    return out
