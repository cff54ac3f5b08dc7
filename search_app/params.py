"""Request parameters from a query string, for the API and the pages: search parameters
become an indexer.query.request.SearchRequest; citation parameters a CiteRequest."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from werkzeug.datastructures import MultiDict

from indexer.errors import QueryError
from indexer.query.request import FILTER_LABELS, SearchRequest, k_field, offset_field, paging_error, whole_number
from indexer.search.citation import FORMATS

MAX_CITE_IDS = 200
INDICATOR_ROLES = ("baseline", "target", "growth", "achieved", "level")
SINGLE = ("q", "mode", "k", "offset", "group")


def parse_search_args(args: MultiDict, max_query_chars: int, require_q: bool = True) -> SearchRequest:
    """``require_q=False`` for the search page, where no query means the start page.
    Parameters the request does not know are ignored, as browsers and links add their own."""
    raw: dict = {name: args.get(name) for name in SINGLE if name in args}
    raw.update({name: args.getlist(name) for name in FILTER_LABELS if name in args})
    return SearchRequest.parse(raw, max_query_chars, require_q)


class CiteRequest(BaseModel):
    """The parameters of /api/cite: validation and the OpenAPI parameters both come from here."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    # Every passage id holds an ASCII letter or digit: a pattern that Python, pydantic and
    # JSON Schema tools read alike (they disagree on which characters \s covers).
    ids: str = Field(description=f"段落编号，以逗号分隔，最多 {MAX_CITE_IDS} 个", pattern=r"[A-Za-z0-9]")
    format: Literal[tuple(FORMATS)] = Field("text", description="引用格式")  # type: ignore[valid-type]
    download: Literal["0", "1"] = Field("0", description="1：作为附件下载（plansearch-citations.<扩展名>）")

    @cached_property
    def passage_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i.strip() for i in self.ids.split(",") if i.strip()))


def parse_cite_args(args: MultiDict) -> CiteRequest:
    raw = {name: args.get(name) for name in CiteRequest.model_fields if args.get(name)}
    try:
        req = CiteRequest.model_validate(raw)
    except ValidationError as exc:
        name = str(exc.errors()[0]["loc"][0])
        if name == "format":
            fmt = str(raw.get("format", ""))[:20]
            raise QueryError(f"没有这种引用格式：{fmt}；可选：{'、'.join(FORMATS)}", "unknown_format") from None
        if name == "download":
            raise QueryError("download 只能是 0 或 1", "bad_download") from None
        raise QueryError("请给出要引用的段落：ids=段落编号,段落编号", "missing_ids") from None
    count = len(req.passage_ids)
    if count > MAX_CITE_IDS:
        raise QueryError(f"一次最多引用 {MAX_CITE_IDS} 段，现有 {count} 段", "too_many_ids")
    return req


class IndicatorRequest(BaseModel):
    """The parameters of /api/indicators; several documents, cities or periods are comma-separated.
    ``k`` and ``offset`` page the records as they page /api/search's hits (the same bounds, the
    same errors); the /indicators page and its CSV show every record and ignore them."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = Field("", max_length=100, description="指标名，同义词归一（GDP = 地区生产总值）")
    q: str = Field("", max_length=100, description="指标名中的一段文字")
    doc: str = Field("", max_length=2000, description="文件编号，以逗号分隔")
    city: str = Field("", max_length=500, description="地区，以逗号分隔")
    period: str = Field("", max_length=100, description="规划期，以逗号分隔（十三五,十四五）")
    role: Literal[("", *INDICATOR_ROLES)] = Field(  # type: ignore[valid-type]
        "", description="只要这类数值：baseline 基期、target 目标、growth 增速、achieved 完成、level 水平")
    k: int = k_field()
    offset: int = offset_field()

    _counts = field_validator("k", "offset", mode="before")(whole_number)

    def values(self, name: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in getattr(self, name).split(",") if v.strip())


def parse_indicator_args(args: MultiDict) -> IndicatorRequest:
    raw = {name: args.get(name) for name in IndicatorRequest.model_fields if args.get(name)}
    try:
        return IndicatorRequest.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0])
        if name in ("k", "offset"):
            raise paging_error(err) from None
        if name == "role":
            raise QueryError(f"没有这种数值角色；可选：{'、'.join(INDICATOR_ROLES)}", "bad_role") from None
        raise QueryError(f"参数 {name} 太长", "bad_parameter") from None
