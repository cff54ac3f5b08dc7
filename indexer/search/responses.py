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


DocumentJSON = create_model(
    "DocumentJSON", __base__=_Shape, __doc__="A document of the catalog, with its counts and address.",
    doc_id=(str, ...), source=(str, ...),
    **{name: (kind, ...) for name, kind in get_type_hints(Description).items()},
    sections=(dict[str, int], Field(description="sections per heading level")),
    passages=(int, ...), url=(str, ...))


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
