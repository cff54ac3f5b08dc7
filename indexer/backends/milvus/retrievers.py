"""The retriever set on Milvus: the same four retrievers as the local backend (bm25, dense,
headings, exact), answered by the engine, returning rows of this build's passages.

The engine returns row keys (passage id @ document version); keys of versions this build
does not serve (a document being added or replaced) are dropped. Quoted phrases and
exclusions become LIKE filters in the engine and are checked exactly on what comes back.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cached_property

import numpy as np

from indexer.analysis.text import Lexicon, squash
from indexer.backends.base import Ranked, Retriever, feedback_vector, whole_query, with_leads
from indexer.backends.milvus.engine import (
    MAX_LIMIT,
    MilvusIndex,
    all_of,
    contains_filter,
    docs_filter,
    literal,
    row_key,
    text_filter,
)
from indexer.backends.terms import TOGETHER_BOOST, LexicalQuery, lexical_query, searchable_grams
from indexer.embed.embedders import Embedder
from indexer.parse.model import PassageKind
from indexer.query.request import QueryPlan
from indexer.search.matching import semantic_bar
from indexer.search.passages import PassageStore


class MilvusQuery:
    """One query's facts on Milvus: its vector, its text constraints, and the similarities
    the engine has reported, so each is asked for once."""

    def __init__(self, plan: QueryPlan, indexes: MilvusIndexes, vector: np.ndarray | None = None) -> None:
        self.plan = plan
        self.store = indexes.store
        self.ix = indexes
        self._similar: dict[int, float] = {}
        for phrase in plan.parsed.phrases:
            searchable_grams(phrase)
        self.phrases = [squash(p) for p in plan.parsed.phrases]
        self.excluded = [x for x in (squash(t) for t in plan.parsed.excluded) if x]
        if vector is not None:
            self.vector = vector

    @cached_property
    def vector(self) -> np.ndarray:
        return np.asarray(self.ix.embedder.embed_query(self.plan.embed_text), dtype=np.float32)

    @cached_property
    def lexical(self) -> LexicalQuery:
        return lexical_query(self.plan.lexical, self.ix.lexicon, self.ix.boosts)

    def bm25(self, docs: Collection[str] | None, n: int, *more: str) -> Ranked:
        """The local backend's BM25F: a weighted request per (field, weight) of the query's
        terms; rows holding every word (as text) get the together bonus from a second call."""
        lq, ix = self.lexical, self.ix
        where = self.where(docs, *more)
        scores = dict(ix.engine.bm25(ix.collection, term_requests(lq, where), n))
        if len(lq.together) > 1 and scores:
            held = all_of(where, *(contains_filter(squash(w)) for w in lq.together))
            for key, bonus in ix.engine.bm25(ix.collection, [("words", " ".join(lq.together), TOGETHER_BOOST, held)],
                                             n):
                if key in scores:
                    scores[key] += bonus
        return sorted(self.rows(list(scores.items())), key=lambda rs: (-rs[1], rs[0]))

    def where(self, docs: Collection[str] | None, *more: str) -> str:
        """The engine filter: the documents (none when all are allowed), phrases, exclusions."""
        every = docs is None or (len(docs) >= len(self.ix.doc_ids) and self.ix.doc_ids <= set(docs))
        return all_of("" if every else docs_filter(docs), text_filter(self.phrases, self.excluded), *more)

    def rows(self, keyed: list[tuple[str, float]]) -> Ranked:
        """Engine hits as (row, score): this build's versions only, text constraints held."""
        out: Ranked = []
        for key, score in keyed:
            row = self.ix.rows.get(key)
            if row is not None and self.holds(row):
                out.append((row, score))
        return out

    def holds(self, row: int) -> bool:
        text = self.store.squashed(row)
        return all(p in text for p in self.phrases) and not any(x in text for x in self.excluded)

    def note(self, ranked: Ranked) -> Ranked:
        self._similar.update(ranked)
        return ranked

    def whole(self) -> str:
        return whole_query(self.plan)

    def similarities_of(self, rows: list[int]) -> dict[int, float]:
        """From the dense search where it saw the row, else one search over the rest by key."""
        missing = [r for r in rows if r not in self._similar]
        if missing:
            keys = [self.ix.keys[r] for r in missing]
            where = f"key in [{', '.join(literal(k) for k in keys)}]"
            self.note(self.rows(self.ix.engine.dense(self.ix.collection, self.vector, where, len(keys))))
        return {r: self._similar.get(r, float("-inf")) for r in rows}

    def with_feedback(self, rows: list[int], weight: float) -> MilvusQuery:
        """The same query, its vector moved toward these rows' (base.feedback_vector)."""
        found = self.ix.engine.vectors(self.ix.collection, [self.ix.keys[r] for r in rows])
        return MilvusQuery(self.plan, self.ix, feedback_vector(self.vector, found, weight) if len(found) else None)

    def semantic_bar(self, z: float) -> float:
        """Over the build's sample of vectors (all of them in a corpus of up to 4,096 passages)."""
        return semantic_bar(self.ix.sample @ self.vector, z)


def term_requests(lq: LexicalQuery, where: str) -> list[tuple[str, str, float, str]]:
    """A query's weighted terms grouped into one request per (field, weight)."""
    groups: dict[tuple[str, float], list[str]] = {}
    for field, term, weight in lq.terms:
        groups.setdefault((field, weight), []).append(term)
    return [(field, " ".join(terms), weight, where) for (field, weight), terms in groups.items()]


class MilvusLexical:
    name = "bm25"

    def retrieve(self, query: MilvusQuery, docs: Collection[str] | None, n: int) -> Ranked:
        return query.bm25(docs, MAX_LIMIT if query.phrases else n)


class MilvusHeadings:
    name = "headings"

    def retrieve(self, query: MilvusQuery, docs: Collection[str] | None, n: int) -> Ranked:
        return with_leads(query.store, query.bm25(docs, n, f'part == "{PassageKind.HEADING}"'))


class MilvusDense:
    name = "dense"

    def retrieve(self, query: MilvusQuery, docs: Collection[str] | None, n: int) -> Ranked:
        ix = query.ix
        return query.note(query.rows(ix.engine.dense(ix.collection, query.vector, query.where(docs), n)))


class MilvusExact:
    """Every passage holding the whole short query, by a LIKE filter in the engine, in passage order."""

    name = "exact"

    def retrieve(self, query: MilvusQuery, docs: Collection[str] | None, n: int) -> Ranked:
        whole = query.whole()
        if not whole:
            return []
        ix = query.ix
        keys = ix.engine.matching(ix.collection, query.where(docs, contains_filter(whole)), MAX_LIMIT)
        rows = sorted(row for row, _ in query.rows([(k, 0.0) for k in keys]) if whole in query.store.squashed(row))
        return [(row, 0.0) for row in rows]


class MilvusIndexes:
    """This build's collection on Milvus, its row keys, and the sample for the semantic bar."""

    def __init__(self, engine: MilvusIndex, collection: str, store: PassageStore, versions: dict[str, str],
                 sample: np.ndarray, embedder: Embedder, lexicon: Lexicon, boosts: dict[str, float]) -> None:
        self.engine, self.collection, self.store, self.sample, self.embedder = (
            engine, collection, store, sample, embedder)
        self.lexicon, self.boosts = lexicon, boosts
        self.doc_ids = frozenset(store.ranges)
        self.keys = [row_key(p.passage_id, versions[p.doc_id]) for p in store]
        self.rows = {k: i for i, k in enumerate(self.keys)}
        self.retrievers: dict[str, Retriever] = {r.name: r for r in (
            MilvusLexical(), MilvusDense(), MilvusHeadings(), MilvusExact())}

    def query(self, plan: QueryPlan) -> MilvusQuery:
        return MilvusQuery(plan, self)

    def close(self) -> None:
        self.engine.close()
