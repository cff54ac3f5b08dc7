"""Hybrid search over a built index: BM25 and dense rankings fused, filters,
query-named cities preferred, and every hit carrying its citation."""

from __future__ import annotations

import html
import json
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from indexer.analysis import Lexicon, is_word_char, normalize, normalize_char, word_tokens
from indexer.anchors import AnchorResolver, Landing
from indexer.build import ALIASES_FILE, checksums, current_build
from indexer.citation import Cited, permalink, reference_line
from indexer.config import Config
from indexer.corpus import Catalog, Document, DocumentInfo, corpus_hash
from indexer.dense import DenseIndex, top_rows
from indexer.embed import Embedder, make_embedder
from indexer.errors import IndexCorruptError, IndexMismatchError, IndexMissingError, PlansearchError, QueryError
from indexer.fusion import convex, rrf, union_by_score
from indexer.intent import Intent, analyse, query_stopwords
from indexer.lexical import LexicalIndex, ParsedQuery, parse_query
from indexer.matching import match_kind, semantic_bar
from indexer.segment import Passage, row_text

MODES = ("hybrid", "bm25", "dense")
MAX_K = 100
MAX_OFFSET = 1000
GROUPS = ("doc",)
FILTER_LABELS = {"doc": "文件", "city": "城市", "kind": "类别", "period": "时期"}
EXACT_MAX_CHARS = 24
SENTENCE_RE = re.compile(r"[^。！？；!?;\n]*[。！？；!?;]?")
STRIP_RE = re.compile(r"[\s，。、；：！？,.;:!?“”\"'‘’（）()《》【】\-—]+")


@dataclass(frozen=True)
class Ranking:
    """The fused order of the passages that match, where each stood in the BM25 and
    dense lists, and how each matches (see indexer.matching)."""

    fused: list[tuple[str, float]]
    bm25_rank: dict[str, int]
    dense_rank: dict[str, int]
    matches: dict[str, str]


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

    def to_json(self, base_url: str = "") -> dict:
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "bm25_rank": self.bm25_rank,
            "dense_rank": self.dense_rank,
            "match": self.match,
            **passage_json(self.passage, self.info, base_url),
            "short_title": self.info.short_title,
            "city": self.info.city,
            "highlights": self.highlights,
        }


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

    def to_json(self, base_url: str = "") -> dict:
        out = {
            "query": self.query,
            "mode": self.mode,
            "k": self.k,
            "offset": self.offset,
            "total": self.total,
            "took_ms": round(self.took_ms, 1),
            "results": [h.to_json(base_url) for h in self.hits],
            "preferred": self.preferred,
            "notes": self.notes,
        }
        if self.groups is not None:
            out["groups"] = [{**g, "results": [h.to_json(base_url) for h in g["results"]]} for g in self.groups]
        return out


def passage_json(p: Passage, info: DocumentInfo, base_url: str = "") -> dict:
    """A passage as the API shows it, with where it comes from and how to cite it."""
    return {
        "passage_id": p.passage_id, "doc_id": p.doc_id, "source": info.file, "title": info.title,
        "section_path": list(p.section_path), "kind": p.kind, "start": p.start, "end": p.end,
        "text": p.text, "cells": list(p.cells), "citation": citation_for(p, info, base_url), "url": permalink(p),
    }


def citation_for(p: Passage, info: DocumentInfo, base_url: str = "") -> str:
    """The Chinese reference line, its permalink made absolute with ``base_url``."""
    return reference_line(Cited(p, info, base_url + permalink(p)))


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


def check_request(query: str, mode: str, k: int, offset: int, group: str | None, max_query_chars: int,
                  require_query: bool = True) -> None:
    """The limits of a search request, for the library, the CLI and the web alike."""
    if mode not in MODES:
        raise QueryError(f"检索方式只能是综合、关键词或语义（{'、'.join(MODES)}）", "bad_mode")
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise QueryError(f"每页条数 k 须在 1 到 {MAX_K} 之间", "bad_k")
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
        raise QueryError(f"起始位置 offset 须在 0 到 {MAX_OFFSET} 之间", "bad_offset")
    if group not in (None, "", *GROUPS):
        raise QueryError("分组方式 group 只能是 doc 或不填", "bad_group")
    if not query and require_query:
        raise QueryError("请输入检索词", "empty_query")
    if len(query) > max_query_chars:
        raise QueryError(f"检索词太长：最多 {max_query_chars} 个字，现有 {len(query)} 个字", "query_too_long")


class Searcher:
    """A loaded index build: passages, outlines, BM25, vectors and the embedder."""

    def __init__(self, cfg: Config, embedder: Embedder | None = None, build_path: Path | None = None,
                 documents: list[Document] | None = None) -> None:
        """``documents``: the corpus as it will be (a build made by ``add`` is verified before
        its files are in place); by default the catalog's documents on disk."""
        self.cfg = cfg
        self.path = build_path or current_build(cfg)
        try:
            self._load(embedder, documents)
        except PlansearchError:
            raise
        except Exception as exc:  # damage that the checks above let through still names the fix
            raise IndexCorruptError(f"index {self.path.name} cannot be loaded ({type(exc).__name__}: {exc}); "
                                    "rebuild with: plansearch index") from exc

    def _load(self, embedder: Embedder | None, documents: list[Document] | None) -> None:
        cfg = self.cfg
        self.manifest = _read_manifest(self.path)
        _verify_checksums(self.path, self.manifest["files"])
        if documents is None:
            self.catalog = Catalog.load(cfg.corpus_dir, cfg.max_document_bytes)
            documents = self.catalog.documents()
        else:
            self.catalog = Catalog(cfg.corpus_dir, [d.info for d in documents], cfg.max_document_bytes)
        self._check_compatible(documents)
        self.passages = _read_passages(self.path / "passages.jsonl", self.manifest["passages"])
        self.by_id = {p.passage_id: i for i, p in enumerate(self.passages)}
        self._seq_ids = {(p.doc_id, p.seq): p.passage_id for p in self.passages}
        self.anchors = AnchorResolver(self.passages, _read_aliases(self.path / ALIASES_FILE))
        self.table_labels = {p.section_ids[-1]: p.cells for p in self.passages if p.kind == "table_header"}
        self._normalized = [normalize(p.search_text) for p in self.passages]
        self._squashed = [STRIP_RE.sub("", t) for t in self._normalized]
        self.doc_rows = {d: np.array([p.doc_id == d for p in self.passages]) for d in self.catalog.ids}
        try:
            self.outlines = json.loads((self.path / "outline.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"outline.json in {self.path} cannot be read: {exc}") from exc
        if not isinstance(self.outlines, dict) or set(self.outlines) != set(self.catalog.ids):
            raise IndexCorruptError(f"outline.json in {self.path} does not hold one outline per document")
        self._anchors: dict[tuple[str, str], str] | None = None
        self.lexicon = Lexicon.load(self.path / "lexicon.txt")
        self.lexical = LexicalIndex(self.path / "bm25", self.lexicon, dict(cfg.search.boosts))
        if self.lexical.doc_count != len(self.passages):
            raise IndexCorruptError(f"BM25 index in {self.path} holds {self.lexical.doc_count} passages, "
                                    f"expected {len(self.passages)}")
        emb = self.manifest["embedding"]
        self.dense = DenseIndex.load(self.path, len(self.passages), int(emb["dim"]))
        self.embedder = embedder or make_embedder(cfg.embedding)
        if self.embedder.model_id != emb["model_id"] or self.embedder.dim != int(emb["dim"]):
            raise IndexMismatchError(
                f"index was built with {emb['model_id']} ({emb['dim']} dims) but the embedder is "
                f"{self.embedder.model_id} ({self.embedder.dim} dims); rebuild with: plansearch index")
        self.lexicon.jieba  # noqa: B018 -- load the dictionary now, not on the first query

    @property
    def build_id(self) -> str:
        return self.manifest["build_id"]

    def _excluded_documents(self, pq: ParsedQuery, allowed: list[str]) -> list[str]:
        """``-怀化`` or ``-常德政府工作报告``: an excluded term that names a place or a document
        excludes those documents, not only the passages that happen to print the name."""
        out: list[str] = []
        for term in pq.excluded:
            named = analyse(term, self.catalog)
            if named.preferred_docs and not named.lexical_text.strip():
                out += [d for d in named.preferred_docs if d in allowed and d not in out]
        return out

    def _highlights(self, p: Passage, terms: list[str]) -> list[str]:
        """A table row shows its values under their column labels, so a number reads as an answer."""
        labels = self.table_labels.get(p.section_ids[-1]) if p.kind == "table_row" and p.cells else None
        if labels:
            return highlight(row_text(labels, p.cells), terms, max_fragments=1, width=600)
        return highlight(p.text, terms)

    def _check_compatible(self, docs: list[Document]) -> None:
        built = self.manifest["embedding"]
        wanted = self.cfg.embedding.identity()
        diffs = [k for k, v in wanted.items() if built.get(k) != v]
        if diffs:
            raise IndexMismatchError(
                f"index {self.path.name} was built with a different embedding config "
                f"({', '.join(f'{k}={built.get(k)!r}' for k in diffs)}); rebuild with: plansearch index")
        if corpus_hash(docs) != self.manifest["corpus_hash"]:
            raise IndexMismatchError(
                f"the corpus changed since index {self.path.name} was built; rebuild with: plansearch index")

    def close(self) -> None:
        self.lexical.close()

    # --- filters ------------------------------------------------------------------------------
    def _validate_filters(self, doc_ids, city, kind, period) -> None:
        infos = list(self.catalog)
        for name, values, allowed in (
            ("doc", doc_ids, {i.id for i in infos}),
            ("city", city, {i.city for i in infos}),
            ("kind", kind, {i.kind for i in infos}),
            ("period", period, {i.period for i in infos}),
        ):
            for v in values or []:
                if v not in allowed:
                    raise QueryError(f"没有这个{FILTER_LABELS[name]}：{v}；可选：{'、'.join(sorted(allowed))}",
                                     "unknown_filter")

    def _allowed_docs(self, doc_ids, city, kind, period) -> list[str]:
        out = []
        for info in self.catalog:
            if doc_ids and info.id not in doc_ids:
                continue
            if city and info.city not in city:
                continue
            if kind and info.kind not in kind:
                continue
            if period and info.period not in period:
                continue
            out.append(info.id)
        return out

    # --- search -------------------------------------------------------------------------------
    def search(self, query: str, mode: str = "hybrid", k: int = 10, offset: int = 0,
               doc_ids: list[str] | None = None, city: list[str] | None = None,
               kind: list[str] | None = None, period: list[str] | None = None,
               group: str | None = None) -> SearchResponse:
        t0 = time.perf_counter()
        self._check(query, mode, k, offset, group, doc_ids, city, kind, period)
        cleaned = "".join(ch if ch.isprintable() else " " for ch in query).strip()
        pq = parse_query(cleaned)
        if pq.is_empty or not any(is_word_char(normalize_char(c)) for c in pq.positive_text):
            note = "没有可检索的内容：检索词里只有标点、空格或排除词"
            return SearchResponse(query, mode, k, offset, 0, (time.perf_counter() - t0) * 1000, [],
                                  None, [*pq.notes, note], [] if group == "doc" else None)
        notes = list(pq.notes)
        cap = self.cfg.search.max_embed_chars
        if mode != "bm25" and len(pq.positive_text) > cap:
            notes.append(f"检索词较长，语义匹配只用了前 {cap} 个字")
        filtered = bool(doc_ids or city or kind or period)
        allowed = self._allowed_docs(doc_ids, city, kind, period)
        dropped = self._excluded_documents(pq, allowed)
        if dropped:
            allowed = [d for d in allowed if d not in dropped]
            notes.append("已排除文件：" + "、".join(self.catalog.info(d).short_title for d in dropped))
        intent = analyse(pq.terms, self.catalog, filtered)
        ranking = self._rank(pq, intent, mode, allowed if filtered or dropped else None, allowed, group == "doc")
        terms = query_terms(pq, self.lexicon)

        def hit(rank: int, pid: str, score: float) -> Hit:
            p = self.passages[self.by_id[pid]]
            return Hit(rank, score, ranking.bm25_rank.get(pid), ranking.dense_rank.get(pid), p,
                       self.catalog.info(p.doc_id), self._highlights(p, terms), ranking.matches[pid])

        def page(ranked: list[tuple[str, float]]) -> list[Hit]:
            return [hit(r, pid, s) for r, (pid, s) in enumerate(ranked[offset:offset + k], start=offset + 1)]

        groups = None
        if group == "doc":
            by_doc: dict[str, list[tuple[str, float]]] = {}
            for pid, score in ranking.fused:
                by_doc.setdefault(self.passages[self.by_id[pid]].doc_id, []).append((pid, score))
            # Documents in the order of their best hit; each group pages on its own.
            groups = [{"doc_id": doc, "title": info.title, "short_title": info.short_title, "city": info.city,
                       "total": len(ranked), "results": page(ranked)}
                      for doc, ranked in by_doc.items() for info in [self.catalog.info(doc)]]
        return SearchResponse(query, mode, k, offset, len(ranking.fused), (time.perf_counter() - t0) * 1000,
                              page(ranking.fused), intent.explain(), notes, groups)

    def _check(self, query, mode, k, offset, group, doc_ids, city, kind, period) -> None:
        check_request(query, mode, k, offset, group, self.cfg.search.max_query_chars)
        self._validate_filters(doc_ids, city, kind, period)

    def _rank(self, pq: ParsedQuery, intent: Intent, mode: str, doc_filter: list[str] | None,
              allowed: list[str], grouped: bool) -> Ranking:
        """Candidates from each list the mode uses, fused, then exact-match tiers,
        named-document preference and, for comparisons, documents interleaved."""
        n = self.cfg.search.candidates
        lexical_pq = replace(pq, terms=intent.lexical_text)
        bm25: list[tuple[str, float]] = []
        dense: list[tuple[str, float]] = []
        sections: list[tuple[str, float]] = []
        sims: np.ndarray | None = None
        if mode in ("hybrid", "bm25") or pq.phrases or pq.excluded:
            limit = n if not (pq.phrases or pq.excluded) else len(self.passages)
            bm25 = self.lexical.search(lexical_pq, limit=limit, filter_query=self.lexical.filter_for(doc_filter))
        if mode in ("hybrid", "dense"):
            mask = np.zeros(len(self.passages), dtype=bool)
            for d in allowed:
                mask |= self.doc_rows[d]
            if pq.phrases:
                mask &= self._rows_of([pid for pid, _ in bm25])
            elif pq.excluded:
                mask &= ~self._rows_excluding(pq)
            qvec = self.embedder.embed_query(pq.positive_text[: self.cfg.search.max_embed_chars])
            sims = self.dense.scores(qvec)
            dense = [(self.passages[r].passage_id, s) for r, s in top_rows(sims, n, mask)]
        if intent.section and mode != "dense":
            sections = self._section_list(lexical_pq, doc_filter, n)
        # The documents a query names always supply candidates of their own: in a large
        # corpus their passages would otherwise be crowded out before the preference applies.
        named = [d for d in intent.preferred_docs if d in allowed]
        if named and bm25 and not (pq.phrases or pq.excluded):
            bm25 = union_by_score(bm25, self.lexical.search(lexical_pq, limit=n,
                                                            filter_query=self.lexical.filter_for(named)))
        if named and dense:
            own = np.zeros(len(self.passages), dtype=bool)
            for d in named:
                own |= self.doc_rows[d]
            dense = union_by_score(dense, [(self.passages[r].passage_id, s)
                                           for r, s in top_rows(sims, n, mask & own)])
        if named and sections:
            sections = union_by_score(sections, self._section_list(lexical_pq, named, n))
        # A quoted phrase asks for every place it occurs: all its matches take part.
        lexical = bm25 if pq.phrases else bm25[:n]
        bm25_weight = self.cfg.search.question_bm25_weight if intent.question else 1.0
        fused = self._fuse({
            "bm25": [("bm25", lexical, 1.0), ("headings", sections, 1.0)],
            "dense": [("dense", dense, 1.0)],
            "hybrid": [("bm25", lexical, bm25_weight), ("dense", dense, 1.0), ("headings", sections, 1.0)],
        }[mode])
        exact = self._exact_matches(pq, allowed)
        if mode != "dense":
            seen = {pid for pid, _ in fused}
            fused += [(pid, 0.0) for pid in exact if pid not in seen]
        parts = _query_parts(pq)
        tiers = {pid: _tier_of(self._squashed[self.by_id[pid]], "".join(parts), parts) for pid, _ in fused}
        fused = self._tier(fused, tiers, list(intent.preferred_docs),
                           self.cfg.search.prefer_boost ** intent.strength)
        matches = self._matches(fused, tiers, pq, intent, sims, literal=bool(exact) and mode != "dense")
        fused = [(pid, score) for pid, score in fused if pid in matches]
        if intent.compare and not grouped:
            fused = interleave_documents(fused, [self.passages[self.by_id[pid]].doc_id for pid, _ in fused])
        return Ranking(fused, {pid: r for r, (pid, _) in enumerate(lexical, start=1)},
                       {pid: r for r, (pid, _) in enumerate(dense, start=1)}, matches)

    def _matches(self, fused: list[tuple[str, float]], tiers: dict[str, int], pq: ParsedQuery, intent: Intent,
                 sims: np.ndarray | None, literal: bool) -> dict[str, str]:
        """How each candidate matches the query; the ones that do not are dropped. Holding
        every quoted phrase counts as an exact match."""
        words = self._content_words(intent.lexical_text)
        phrases = [STRIP_RE.sub("", normalize(x)) for x in pq.phrases]
        bar = semantic_bar(sims, self.cfg.search.semantic_bar_z) if sims is not None else float("inf")
        out: dict[str, str] = {}
        for pid, _ in fused:
            i = self.by_id[pid]
            body = self._squashed[i]
            tier = 2 if phrases and all(x in body for x in phrases) else tiers[pid]
            kind = match_kind(tier, sum(w in body for w in words), len(words),
                              float(sims[i]) if sims is not None else None, bar, literal)
            if kind:
                out[pid] = kind
        return out

    def _content_words(self, text: str) -> list[str]:
        """The query's words that carry content (no question or function words)."""
        stop = query_stopwords()
        words = [w for _, w, _, _ in word_tokens(text, self.lexicon, subwords=False)]
        return list(dict.fromkeys(w for w in words if w not in stop and (len(w) >= 2 or w.isdigit())))

    def _fuse(self, runs: list[tuple[str, list[tuple[str, float]], float]]) -> list[tuple[str, float]]:
        """Named runs fused; convex weights go by the run's name (lexical runs take
        convex_weight_bm25, the dense run the rest), never by its position in the list."""
        runs = [(name, lst, w) for name, lst, w in runs if lst]
        if not runs:
            return []
        if len(runs) == 1:
            return list(runs[0][1])
        if self.cfg.search.fusion == "convex":
            wb = self.cfg.search.convex_weight_bm25
            weights = [w * (1.0 - wb if name == "dense" else wb) for name, _, w in runs]
            return convex([lst for _, lst, _ in runs], weights)
        return rrf([[pid for pid, _ in lst] for _, lst, _ in runs], k=self.cfg.search.rrf_k,
                   weights=[w for _, _, w in runs])

    def _section_list(self, pq: ParsedQuery, doc_filter: list[str] | None,
                      n: int) -> list[tuple[str, float]]:
        """For "…的章节" queries: headings ranked by BM25, each followed by its section's lead paragraph."""
        only_headings = self.lexical.filter_for(doc_filter, ["heading"])
        heads = self.lexical.search(pq, limit=n, filter_query=only_headings)
        out: list[tuple[str, float]] = []
        for pid, score in heads:
            out.append((pid, score))
            i = self.by_id[pid]
            if i + 1 < len(self.passages):
                nxt = self.passages[i + 1]
                if nxt.kind == "paragraph" and nxt.section_ids[-1:] == self.passages[i].section_ids[-1:]:
                    out.append((nxt.passage_id, score))
        return out

    def _exact_matches(self, pq: ParsedQuery, allowed: list[str]) -> list[str]:
        """Every passage (in the allowed documents) holding the whole short query, so a
        keyword search finds each place a name occurs, not only the top candidates."""
        whole = _whole_query(pq)
        if not 2 <= len(whole) <= EXACT_MAX_CHARS:
            return []
        docs = set(allowed)
        excluded = self._rows_excluding(pq) if pq.excluded else None
        phrases = [STRIP_RE.sub("", normalize(x)) for x in pq.phrases]
        return [p.passage_id for i, p in enumerate(self.passages)
                if p.doc_id in docs and whole in self._squashed[i]
                and (excluded is None or not excluded[i]) and all(x in self._squashed[i] for x in phrases)]

    def _tier(self, fused: list[tuple[str, float]], tiers: dict[str, int],
              preferred: list[str], boost: float) -> list[tuple[str, float]]:
        """Exact matches first: a passage holding the whole query (or every
        space-separated part of it) outranks semantic near-misses. Documents
        the query names get their fused score raised (a preference, not a filter)."""
        pref = set(preferred)
        scored = [(pid, s * boost if self.passages[self.by_id[pid]].doc_id in pref else s)
                  for pid, s in fused]
        order = sorted(range(len(scored)), key=lambda i: (-tiers[scored[i][0]], -scored[i][1], i))
        return [scored[i] for i in order]

    def _rows_of(self, pids: list[str]) -> np.ndarray:
        mask = np.zeros(len(self.passages), dtype=bool)
        for pid in pids:
            mask[self.by_id[pid]] = True
        return mask

    def _rows_excluding(self, pq: ParsedQuery) -> np.ndarray:
        bad = [normalize(x) for x in pq.excluded]
        return np.array([any(b in text for b in bad) for text in self._normalized])

    # --- reading ------------------------------------------------------------------------------
    def passage(self, passage_id: str) -> Passage:
        try:
            return self.passages[self.by_id[passage_id]]
        except KeyError:
            raise KeyError(passage_id) from None

    def landing(self, passage_id: str) -> Landing | None:
        """Where a link to a passage this build no longer has should open: None when the
        build has it, or when no document of the catalog owns the id."""
        owners = [d for d in self.catalog.ids if passage_id.startswith(d + "-")]
        if passage_id in self.by_id or not owners:
            return None
        return self.anchors.resolve(max(owners, key=len), passage_id)

    def neighbours(self, passage_id: str, n: int = 2) -> tuple[list[Passage], list[Passage]]:
        i = self.by_id[passage_id]
        doc = self.passages[i].doc_id
        before = [p for p in self.passages[max(0, i - n):i] if p.doc_id == doc]
        after = [p for p in self.passages[i + 1:i + 1 + n] if p.doc_id == doc]
        return before, after

    def doc_passages(self, doc_id: str) -> list[Passage]:
        self.catalog.info(doc_id)
        return [p for p in self.passages if p.doc_id == doc_id]

    def outline(self, doc_id: str) -> list[dict]:
        """The heading tree; each node's passage range as passage ids (first, last)."""
        self.catalog.info(doc_id)

        def convert(node: dict) -> dict:
            rng = node.get("passages")
            return {
                "section_id": node["section_id"], "title": node["title"], "level": node["level"],
                "start": node["start"], "end": node["end"],
                "passages": [self._seq_ids[(doc_id, rng[0])], self._seq_ids[(doc_id, rng[1])]] if rng else None,
                "children": [convert(c) for c in node["children"]],
            }

        return [convert(n) for n in self.outlines.get(doc_id, [])]

    def section_anchor(self, doc_id: str, section_id: str) -> str | None:
        """The permalink of a section's first passage (its heading), for breadcrumb links."""
        if self._anchors is None:
            anchors: dict[tuple[str, str], str] = {}
            for doc in self.outlines:
                for node in _walk_outline(self.outlines[doc]):
                    if node.get("passages"):
                        anchors[(doc, node["section_id"])] = permalink(self.passages[self.by_id[
                            self._seq_ids[(doc, node["passages"][0])]]])
            self._anchors = anchors
        return self._anchors.get((doc_id, section_id))

    def section_levels(self, doc_id: str) -> dict[str, tuple[str, str]]:
        """section id → (level, title), for rendering headings."""
        return {n["section_id"]: (n["level"], n["title"]) for n in _walk_outline(self.outlines.get(doc_id, []))}

    def level_counts(self, doc_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for level, _ in self.section_levels(doc_id).values():
            counts[level] = counts.get(level, 0) + 1
        return counts


def interleave_documents(ranked: list[tuple[str, float]], docs: list[str]) -> list[tuple[str, float]]:
    """Round-robin over documents in the order of their best hit, each keeping its own order:
    a "各地…" question wants every city's answer near the top, not ten from one plan."""
    queues: dict[str, list[tuple[str, float]]] = {}
    for item, doc in zip(ranked, docs, strict=True):
        queues.setdefault(doc, []).append(item)
    out: list[tuple[str, float]] = []
    depth = 0
    while len(out) < len(ranked):
        for queue in queues.values():
            if depth < len(queue):
                out.append(queue[depth])
        depth += 1
    return out


def _walk_outline(nodes: list[dict]):
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node["children"])


def _tier_of(body: str, whole: str, parts: list[str]) -> int:
    """2: the whole (short) query is in the text; 1: every space-separated part is; else 0."""
    if whole and len(whole) <= EXACT_MAX_CHARS and whole in body:
        return 2
    if len(parts) > 1 and all(x in body for x in parts):
        return 1
    return 0


def _query_parts(pq: ParsedQuery) -> list[str]:
    """The space-separated parts of the free text, normalised and stripped of punctuation."""
    parts = [STRIP_RE.sub("", normalize(x)) for x in pq.terms.split()]
    return [x for x in parts if len(x) >= 2]


def _whole_query(pq: ParsedQuery) -> str:
    return "".join(_query_parts(pq))


MANIFEST_FIELDS = {"build_id": str, "embedding": dict, "passages": int, "corpus_hash": str, "files": dict}


def _read_manifest(path: Path) -> dict:
    mf = path / "manifest.json"
    if not mf.is_file():
        raise IndexMissingError(f"{path} has no manifest.json (an unfinished build?); run: plansearch index")
    try:
        manifest = json.loads(mf.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"{mf} is unreadable ({exc}); run: plansearch index") from exc
    if not isinstance(manifest, dict):
        raise IndexCorruptError(f"{mf} is not a JSON object; run: plansearch index")
    for key, kind in MANIFEST_FIELDS.items():
        if not isinstance(manifest.get(key), kind) or isinstance(manifest.get(key), bool):
            raise IndexCorruptError(f"{mf}: '{key}' is missing or not {kind.__name__} "
                                    "(a build from before checksums, or damaged); run: plansearch index")
    emb = manifest["embedding"]
    if not isinstance(emb.get("model_id"), str) or not isinstance(emb.get("dim"), int):
        raise IndexCorruptError(f"{mf}: 'embedding' lacks model_id or dim; run: plansearch index")
    return manifest


def _verify_checksums(path: Path, files: dict) -> None:
    """Every file the manifest lists is there with its checksum, and nothing else is."""
    actual = checksums(path)
    damaged = sorted(name for name in set(files) | set(actual) if files.get(name) != actual.get(name))
    if damaged:
        raise IndexCorruptError(f"index {path.name} is damaged: {', '.join(damaged[:3])}"
                                f"{' …' if len(damaged) > 3 else ''} differ from the manifest's checksums")


def _read_aliases(path: Path) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    try:
        aliases = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"{path} cannot be read ({exc}); run: plansearch index") from exc
    if not isinstance(aliases, dict) or not all(isinstance(v, list) and len(v) == 2 for v in aliases.values()):
        raise IndexCorruptError(f"{path} is not a map of old ids to [id, how]; run: plansearch index")
    return aliases


def _read_passages(path: Path, expected: int) -> list[Passage]:
    try:
        with path.open(encoding="utf-8") as f:
            out = [Passage.from_json(json.loads(line)) for line in f]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexCorruptError(f"{path} cannot be read ({exc}); run: plansearch index") from exc
    if len(out) != expected:
        raise IndexCorruptError(f"{path} holds {len(out)} passages, the manifest says {expected}; "
                                "run: plansearch index")
    return out
