"""The Searcher: a loaded build, wired into one pipeline. A request is validated
(indexer.query.request), planned, answered by the retrievers (indexer.backends.base), ranked
(indexer.search.ranking) and presented (indexer.search.results)."""

from __future__ import annotations

import functools
import time
from collections.abc import Collection
from pathlib import Path

from indexer.analysis.text import Lexicon, squash, word_tokens
from indexer.backends.base import QueryFacts, SearchIndexes, query_parts
from indexer.backends.factory import make_backend
from indexer.build.store import LEXICON_FILE, StoredBuild, current_build
from indexer.config import Config
from indexer.documents.corpus import Catalog, Document, corpus_hash
from indexer.embed.embedders import Embedder, make_embedder
from indexer.errors import IndexCorruptError, IndexMismatchError, PlansearchError
from indexer.indicators.answer import answer
from indexer.indicators.records import Record
from indexer.indicators.store import read_records
from indexer.query.intent import query_stopwords
from indexer.query.request import MODES, QueryPlan, SearchRequest, plan_query
from indexer.search.fusion import union_by_score
from indexer.search.matching import word_weights
from indexer.search.passages import PassageStore
from indexer.search.ranking import Evidence, Ranking, rank
from indexer.search.results import Answered, Hit, SearchResponse, query_terms, suggestion, table_highlights

WARM_QUERY = "如何推进养老服务体系建设"


class Searcher:
    """A loaded index build: passages, lexical and dense indexes, and the embedder."""

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
        except Exception as exc:  # damage that the checks let through still names the fix
            raise IndexCorruptError(f"index {self.path.name} cannot be loaded ({type(exc).__name__}: {exc})") from exc

    def _load(self, embedder: Embedder | None, documents: list[Document] | None) -> None:
        cfg = self.cfg
        if documents is None:
            self.catalog = Catalog.load(cfg.corpus_dir, cfg.limits)
            documents = self.catalog.documents()
        else:
            self.catalog = Catalog(cfg.corpus_dir, [d.info for d in documents], cfg.limits)
        build = StoredBuild.open(self.path, self.catalog.ids)
        self.manifest = build.manifest
        self._check_compatible(documents)
        self.store = PassageStore(build.passages, build.outlines, build.aliases, self.catalog)
        self.lexicon = Lexicon.load(self.path / LEXICON_FILE)
        emb = self.manifest["embedding"]
        self.embedder = embedder or make_embedder(cfg.embedding)
        if self.embedder.model_id != emb["model_id"] or self.embedder.dim != int(emb["dim"]):
            raise IndexMismatchError(
                f"index was built with {emb['model_id']} ({emb['dim']} dims) but the embedder is "
                f"{self.embedder.model_id} ({self.embedder.dim} dims)")
        self.indexes = self._open_indexes()
        self.lexicon.jieba  # noqa: B018 -- load the dictionary now, not on the first query

    def _open_indexes(self) -> SearchIndexes:
        if self.backend != self.cfg.backend:
            raise IndexMismatchError(f"index {self.path.name} was built for the {self.backend} backend and the "
                                     f"config says {self.cfg.backend}")
        return make_backend(self.cfg).open(self.path, self.manifest, self.store, self.embedder, self.lexicon)

    def _check_compatible(self, docs: list[Document]) -> None:
        built = self.manifest["embedding"]
        wanted = self.cfg.embedding.identity()
        diffs = [k for k, v in wanted.items() if built.get(k) != v]
        if diffs:
            raise IndexMismatchError(
                f"index {self.path.name} was built with a different embedding config "
                f"({', '.join(f'{k}={built.get(k)!r}' for k in diffs)})")
        if corpus_hash(docs) != self.manifest["corpus_hash"]:
            raise IndexMismatchError(
                f"the corpus changed since index {self.path.name} was built")

    @property
    def build_id(self) -> str:
        return self.manifest["build_id"]

    @property
    def backend(self) -> str:
        """The backend the build was made for (builds before backends were named are local)."""
        return self.manifest.get("backend", "local")

    @property
    def passages(self):
        return self.store.passages

    @functools.cached_property
    def indicators(self) -> list[Record]:
        """The build's indicator records, read on first use: most requests never ask."""
        return read_records(self.path)

    def close(self) -> None:
        self.indexes.close()

    def warm_up(self) -> None:
        """Answer one query in every mode before users do, so the first one does not pay for the
        model's first call and the indexes' cold pages (48 ms against 17 measured for BM25)."""
        for embedder in getattr(self.embedder, "members", (self.embedder,)):
            embedder.embed_query(WARM_QUERY)
        for mode in MODES:
            self.search(WARM_QUERY, mode=mode)

    # --- search -------------------------------------------------------------------------------
    def search(self, query: str, mode: str = "hybrid", k: int = 10, offset: int = 0,
               doc_ids: list[str] | None = None, city: list[str] | None = None,
               kind: list[str] | None = None, period: list[str] | None = None,
               group: str | None = None) -> SearchResponse:
        req = SearchRequest.parse({"q": query, "mode": mode, "k": k, "offset": offset, "doc": doc_ids,
                                   "city": city, "kind": kind, "period": period, "group": group},
                                  self.cfg.search.max_query_chars)
        return self.run(req)

    def run(self, req: SearchRequest) -> SearchResponse:
        t0 = time.perf_counter()
        plan = plan_query(req, self.catalog, self.cfg.search.max_embed_chars)
        grouped = req.group == "doc"
        if not plan.searchable:
            return SearchResponse(req.q, req.mode, req.k, req.offset, 0, (time.perf_counter() - t0) * 1000, [],
                                  None, list(plan.notes), [] if grouped else None)
        query = self.indexes.query(plan)
        ranking = self._rank(query, grouped)
        terms = query_terms(plan.parsed, self.lexicon)

        def page(ranked: list[tuple[int, float]]) -> list[Hit]:
            return [self._hit(r, row, s, ranking, terms)
                    for r, (row, s) in enumerate(ranked[req.offset:req.offset + req.k], start=req.offset + 1)]

        groups = None
        if grouped:
            by_doc: dict[str, list[tuple[int, float]]] = {}
            for row, score in ranking.fused:
                by_doc.setdefault(self.store.at(row).doc_id, []).append((row, score))
            # Documents in the order of their best hit; each group pages on its own.
            groups = [{"doc_id": doc, "title": info.title, "short_title": info.short_title, "city": info.city,
                       "total": len(ranked), "results": page(ranked)}
                      for doc, ranked in by_doc.items() for info in [self.catalog.info(doc)]]
        notes = list(plan.notes)
        if ranking.missing:
            notes.append("部分检索词没有找到：" + "、".join(ranking.missing))
        return SearchResponse(req.q, req.mode, req.k, req.offset, ranking.total, (time.perf_counter() - t0) * 1000,
                              page(ranking.fused), plan.intent.explain(), notes, groups, list(ranking.missing),
                              self._suggestions(ranking), self._answer(plan) if req.offset == 0 else [])

    def _answer(self, plan: QueryPlan) -> list[Answered]:
        """A numeric question's answer card (indexer.indicators.answer), within the search's filters.
        A build made before records existed answers with passages only."""
        try:
            records = self.indicators
        except PlansearchError:
            return []
        found = answer(plan.parsed.positive_text, records, self.catalog, plan.allowed)
        return [Answered(r, self.passage(r.passage_id), self.catalog.info(r.doc_id)) for r in found]

    def _suggestions(self, ranking: Ranking, n: int = 3) -> list:
        """With no match, the sections of the nearest passages (one per section), offered apart from the results."""
        if ranking.total:
            return []
        out: dict[tuple[str, str], object] = {}
        for row in ranking.nearest:
            p = self.store.at(row)
            out.setdefault((p.doc_id, " > ".join(p.section_path)), suggestion(p, self.catalog.info(p.doc_id)))
        return list(out.values())[:n]

    def _hit(self, rank: int, row: int, score: float, ranking: Ranking, terms: list[str]) -> Hit:
        p = self.store.at(row)
        labels = self.store.table_labels.get(p.section_ids[-1]) if p.section_ids else None
        return Hit(rank, score, ranking.bm25_rank.get(row), ranking.dense_rank.get(row), p,
                   self.catalog.info(p.doc_id), table_highlights(p, labels, terms), ranking.matches[row])

    def _retrieve(self, name: str, query: QueryFacts, docs: Collection[str] | None, named: list[str],
                  n: int) -> list[tuple[int, float]]:
        """A retriever's candidates; the documents a query names supply candidates of their
        own, since in a large corpus theirs would be crowded out before the preference applies."""
        retriever = self.indexes.retrievers[name]
        ranked = retriever.retrieve(query, docs, n)
        if named and ranked and not (name == "bm25" and (query.plan.parsed.phrases or query.plan.parsed.excluded)):
            ranked = union_by_score(ranked, retriever.retrieve(query, named, n))
        return ranked

    def _rank(self, query: QueryFacts, grouped: bool) -> Ranking:
        """Each retriever the plan's mode uses asked once; the rule itself is indexer.search.ranking.rank."""
        plan, cfg = query.plan, self.cfg.search
        n, docs, named = cfg.candidates, plan.doc_filter, plan.named_docs
        lists = {name: self._retrieve(name, query, docs, named, n) for name in plan.runs}
        exact = self.indexes.retrievers["exact"].retrieve(query, plan.allowed, n) if plan.lexical_mode else []
        semantic = plan.semantic_mode
        words = self._content_words(plan)
        ev = Evidence(self.store.squashed, lambda row: self.store.at(row).doc_id,
                      query.similarities_of if semantic else None,
                      max(query.semantic_bar(cfg.semantic_bar_z), cfg.semantic_floor) if semantic else float("inf"),
                      cfg.semantic_floor if semantic else float("-inf"),
                      words, [squash(x) for x in plan.parsed.phrases],
                      query.whole(), query_parts(plan.parsed.terms), self.store.headings,
                      word_weights(words, self.store.frequency, len(self.store)))
        ranking = rank(plan, lists, exact, ev, cfg, grouped)
        top = [row for row, _ in ranking.fused[:cfg.feedback_passages]]
        if top and plan.feedback:
            lists["feedback"] = self._retrieve("dense", query.with_feedback(top, cfg.feedback_weight), docs, named, n)
            ranking = rank(plan, lists, exact, ev, cfg, grouped)
        return ranking

    def _content_words(self, plan: QueryPlan) -> list[str]:
        """The query's words that carry content (no question or function words)."""
        stop = query_stopwords()
        words = [w for _, w, _, _ in word_tokens(plan.intent.lexical_text, self.lexicon, subwords=False)]
        return list(dict.fromkeys(w for w in words if w not in stop and (len(w) >= 2 or w.isdigit())))

    # --- reading ------------------------------------------------------------------------------
    def passage(self, passage_id: str):
        return self.store.passage(passage_id)

    def landing(self, passage_id: str):
        return self.store.landing(passage_id)

    def neighbours(self, passage_id: str, n: int = 2):
        return self.store.neighbours(passage_id, n)

    def doc_passages(self, doc_id: str):
        return self.store.doc_passages(doc_id)

    def outline(self, doc_id: str) -> list[dict]:
        return self.store.outline(doc_id)

    def section_anchor(self, doc_id: str, section_id: str) -> str | None:
        return self.store.section_anchor(doc_id, section_id)

    def section_levels(self, doc_id: str) -> dict[str, tuple[str, str]]:
        return self.store.section_levels(doc_id)

    def level_counts(self, doc_id: str) -> dict[str, int]:
        return self.store.level_counts(doc_id)
