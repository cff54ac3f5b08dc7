"""Results: hits with highlights and citations, pages, and groups by document: what a
ranking becomes for the reader and the API."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from indexer.analysis.text import Lexicon, normalize, word_tokens
from indexer.documents.corpus import DocumentInfo
from indexer.indicators.records import Record
from indexer.parse.model import Passage, PassageKind
from indexer.parse.tables import row_text
from indexer.query.syntax import ParsedQuery
from indexer.search.citation import permalink
from indexer.search.passages import citation_for, passage_fields
from indexer.search.responses import GroupJSON, HitJSON, IndicatorJSON, SearchResponseJSON, SuggestionJSON, dump

SENTENCE_RE = re.compile(r"[^。！？；!?;\n]*[。！？；!?;]?")


@dataclass
class Hit:
    rank: int
    score: float
    bm25_rank: int | None
    dense_rank: int | None
    passage: Passage
    info: DocumentInfo
    highlights: list[str]
    match: str = "exact"

    def citation(self, base_url: str = "") -> str:
        return citation_for(self.passage, self.info, base_url)

    @property
    def url(self) -> str:
        return permalink(self.passage)

    def model(self, base_url: str = "") -> HitJSON:
        return HitJSON(rank=self.rank, score=round(self.score, 6), bm25_rank=self.bm25_rank,
                       dense_rank=self.dense_rank, match=self.match,
                       **passage_fields(self.passage, self.info, base_url),
                       short_title=self.info.short_title, city=self.info.city, highlights=self.highlights)

    def to_json(self, base_url: str = "") -> dict:
        return dump(self.model(base_url))


def indicator_model(r: Record, p: Passage, info: DocumentInfo, base_url: str = "") -> IndicatorJSON:
    """A record as the API sends it, wherever it is sent (/api/indicators, a search's answer)."""
    return IndicatorJSON(**r.to_json(), url=base_url + permalink(p), short_title=info.short_title)


@dataclass(frozen=True)
class Answered:
    """A record of a numeric question's answer card, with the row passage it cites and its document."""

    record: Record
    passage: Passage
    info: DocumentInfo

    @property
    def url(self) -> str:
        return permalink(self.passage)

    def model(self, base_url: str = "") -> IndicatorJSON:
        return indicator_model(self.record, self.passage, self.info, base_url)


@dataclass
class SearchResponse:
    query: str
    mode: str
    k: int
    offset: int
    total: int
    took_ms: float
    hits: list[Hit]
    preferred: dict | None = None
    notes: list[str] = field(default_factory=list)
    groups: list[dict] | None = None
    missing_words: list[str] = field(default_factory=list)
    suggestions: list[SuggestionJSON] = field(default_factory=list)
    indicators: list[Answered] = field(default_factory=list)

    def to_json(self, base_url: str = "") -> dict:
        grouped = {} if self.groups is None else {"groups": [
            GroupJSON(**{**g, "results": [h.model(base_url) for h in g["results"]]}) for g in self.groups]}
        if self.missing_words:
            grouped["missing_words"] = self.missing_words
        if self.suggestions:
            grouped["suggestions"] = self.suggestions
        if self.indicators:
            grouped["indicators"] = [a.model(base_url) for a in self.indicators]
        return dump(SearchResponseJSON(query=self.query, mode=self.mode, k=self.k, offset=self.offset, total=self.total,
                               took_ms=round(self.took_ms, 1), results=[h.model(base_url) for h in self.hits],
                               preferred=self.preferred, notes=self.notes, **grouped))


def suggestion(p: Passage, info: DocumentInfo) -> SuggestionJSON:
    """A passage offered as the nearest section: its document and heading path, and its address."""
    return SuggestionJSON(short_title=info.short_title, section=" > ".join(p.section_path) or info.title,
                          url=permalink(p))


def query_terms(pq: ParsedQuery, lexicon: Lexicon) -> list[str]:
    """Normalised strings to mark in a passage: the phrases, then the words."""
    words = [w for _, w, _, _ in word_tokens(pq.terms, lexicon, subwords=True)]
    terms = [normalize(p) for p in pq.phrases] + [w for w in words if len(w) >= 2]
    if not terms:
        terms = [w for w in words if w.strip()]
    return list(dict.fromkeys(t for t in terms if t.strip()))


def highlight(text: str, terms: list[str], max_fragments: int = 2, width: int = 160) -> list[str]:
    """Sentence-bounded fragments with the query terms in <mark>; everything else escaped.

    Matching runs on the normalised text (same length as the original), so
    traditional or full-width query terms mark the simplified text.
    """
    norm = normalize(text)
    spans: list[tuple[int, int]] = []
    for t in sorted(terms, key=len, reverse=True):
        for m in re.finditer(re.escape(t), norm):
            if not any(s < m.end() and m.start() < e for s, e in spans):
                spans.append((m.start(), m.end()))
    spans = _merge_adjacent(sorted(spans))
    sentences = [(m.start(), m.end()) for m in SENTENCE_RE.finditer(text) if m.group().strip()]
    if not sentences:
        return []
    scored = [(sum(1 for s, e in spans if s < se and e > ss), i) for i, (ss, se) in enumerate(sentences)]
    chosen = sorted(i for n, i in sorted(scored, key=lambda x: (-x[0], x[1]))[:max_fragments] if n > 0)
    if not chosen:
        chosen = [0]
    out = []
    for i in chosen:
        ss, se = sentences[i]
        if se - ss > width:
            first = next((s for s, e in spans if ss <= s < se), ss)
            ss = max(ss, min(first - width // 3, se - width))
            se = min(se, ss + width)
        out.append(_mark(text, ss, se, spans))
    return out


def _merge_adjacent(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def _mark(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    parts = []
    cursor = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        parts.append(html.escape(text[cursor:s]))
        parts.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    parts.append(html.escape(text[cursor:end]))
    return "".join(parts).strip()


def table_highlights(p: Passage, labels: tuple[str, ...] | list[str] | None, terms: list[str]) -> list[str]:
    """A table row shows its values under their column labels, so a number reads as an answer."""
    if p.kind == PassageKind.TABLE_ROW and p.cells and labels:
        return highlight(row_text(labels, p.cells), terms, max_fragments=1, width=600)
    return highlight(p.text, terms)
