"""The JSON the API answers with, as pydantic models: the library builds its answers
through them, and the OpenAPI document is made from their schemas, so the two cannot
drift apart."""

from __future__ import annotations

from typing import Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

from indexer.documents.corpus import Description
from indexer.query.request import Mode
from indexer.search.matching import MATCH_LABELS

MatchKind = Literal[tuple(MATCH_LABELS)]  # type: ignore[valid-type]
LandingHow = Literal["current", "moved", "changed", "section", "document"]


class _Shape(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PassageJSON(_Shape):
    """A passage, where it comes from, and how to cite it."""

    passage_id: str
    doc_id: str
    source: str = Field(description="the document's file in the corpus")
    title: str
    section_path: list[str] = Field(description="headings from the chapter down")
    kind: str = Field(description="paragraph, heading, table_row, box_item …")
    start: int = Field(description="character offset of the passage in the source file")
    end: int
    text: str
    cells: list[str]
    citation: str = Field(description="the Chinese reference line with an absolute permalink")
    url: str = Field(description="permalink: the passage in its document")
    pages: list[int] | None = Field(None, description="first and last page (PDF, Word); absent for a plain text")


class PassageWithNeighboursJSON(PassageJSON):
    before: list[PassageJSON]
    after: list[PassageJSON]


class HitJSON(PassageJSON):
    rank: int
    score: float
    bm25_rank: int | None
    dense_rank: int | None
    match: MatchKind = Field(description="how the passage matches: the query in its text, enough of the query's "
                                         "words, or semantic similarity above the calibrated bar")
    short_title: str
    city: str
    highlights: list[str] = Field(description="HTML fragments; query terms in <mark>, all else escaped")


class SuggestionJSON(_Shape):
    """A nearest section offered when nothing matches: not a match, and not counted."""

    short_title: str
    section: str
    url: str


class GroupJSON(_Shape):
    doc_id: str
    title: str
    short_title: str
    city: str
    total: int
    results: list[HitJSON]


class QuantityJSON(_Shape):
    """A figure as printed, and the number read from it."""

    text: str = Field(description="as printed: 4300左右, 五年累计≥15000, [13.98], 持续改善")
    number: float | None = Field(description="the number read from it; null when it is not a number")
    high: float | None = Field(description="the upper end of a range (区间)")
    unit: str
    qualifiers: list[str] = Field(description="左右, 以上, 以内, 以下, ≥, ≤, >, <, 累计, 五年累计, 区间")
    aside: QuantityJSON | None = Field(description="a figure printed beside it, e.g. （五年累计6348）")


class IndicatorValueJSON(QuantityJSON):
    column: str = Field(description="the column's header label path, e.g. 规划目标 › 2025年")
    role: str = Field(description="baseline, target, growth or achieved")
    measure: str = Field(description="level or growth")


class IndicatorJSON(_Shape):
    """One indicator of one document, as printed, with the passage that shows it."""

    record_id: str
    doc_id: str
    city: str
    period: str
    source: str = Field(description="table (a 主要指标 table row) or text (a target stated in running text)")
    table: str
    category: str
    name: str = Field(description="the indicator's name as printed")
    key: str = Field(description="the name's key: synonyms (GDP, 地区生产总值) share one")
    unit: str
    attribute: str = Field(description="预期性, 约束性 or 引导性, where the table says")
    passage_id: str
    start: int
    end: int
    values: list[IndicatorValueJSON]
    url: str = Field(description="permalink: the passage that shows the indicator")
    short_title: str = Field(description="the document's short title, as a citation names it")


class SearchResponseJSON(_Shape):
    query: str
    mode: Mode
    k: int
    offset: int
    total: int = Field(description="passages that match (indexer.search.matching), not candidates")
    took_ms: float
    results: list[HitJSON]
    preferred: dict | None = Field(description="the documents the query names and why they are preferred")
    notes: list[str]
    groups: list[GroupJSON] | None = Field(None, description="with group=doc: one group per document")
    missing_words: list[str] = Field([], description="the query's content words that no matching passage holds "
                                                     "(a partly answered query); left out when every word was found")
    suggestions: list[SuggestionJSON] = Field([], description="with no match: the nearest sections, which are not "
                                                              "matches; left out otherwise")
    indicators: list[IndicatorJSON] | None = Field(
        None, description="a numeric question's answer (indexer.indicators.answer): the indicator records of the "
                          "indicator, place and year it names, each citing its row; left out when the query names "
                          "no indicator with records, and after the first page")


DocumentJSON = create_model(
    "DocumentJSON", __base__=_Shape, __doc__="A document of the catalog, with its counts and address.",
    doc_id=(str, ...), source=(str, ...),
    **{name: (kind, ...) for name, kind in get_type_hints(Description).items()},
    sections=(dict[str, int], Field(description="sections per heading level")),
    passages=(int, ...), url=(str, ...),
    original=(str, Field(description="the original file (PDF, Word, web page or text) as stored in the corpus; "
                                     "a PDF opens inline and takes #page=N, Word and HTML download as attachments")))


class OutlineNodeJSON(_Shape):
    section_id: str
    title: str
    level: str
    start: int
    end: int
    passages: list[str] | None = Field(description="first and last passage id of the section")
    children: list[OutlineNodeJSON]


class DocumentWithOutlineJSON(DocumentJSON):
    outline: list[OutlineNodeJSON]


class DocumentsJSON(_Shape):
    documents: list[DocumentJSON]


class LandingJSON(_Shape):
    requested: str
    passage_id: str
    how: LandingHow
    url: str
    notice: str | None = None


class MovedJSON(_Shape):
    passage_id: str
    how: LandingHow
    notice: str | None


class HealthJSON(_Shape):
    status: str
    build_id: str
    backend: str
    model: str
    dim: int
    documents: int
    passages: int
    created: str | None


class ReloadJSON(_Shape):
    status: Literal["reloaded", "unchanged"]
    build_id: str


class ErrorBody(_Shape):
    code: str
    message: str


class ErrorJSON(_Shape):
    error: ErrorBody


def dump(model: BaseModel) -> dict:
    """A model as the API sends it: fields left unset (no groups, no notice) are left out."""
    return model.model_dump(exclude_unset=True)


def error_json(code: str, message: str) -> dict:
    """Every API error: ``{"error": {"code", "message"}}``."""
    return dump(ErrorJSON(error=ErrorBody(code=code, message=message)))


class IndicatorsJSON(_Shape):
    key: str = Field(description="the key the name was matched by; empty when no name was given")
    k: int
    offset: int
    total: int = Field(description="records that match, on every page")
    records: list[IndicatorJSON] = Field(description="this page of them, in the order of the build")
