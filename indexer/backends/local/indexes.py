"""The local retriever set: whoosh + impact matrix, character-gram postings, vectors in .npy,
behind the retrievers of indexer.backends.base.

``Query`` holds what the indexes say about one query, each worked out once and shared:
the BM25 scores, the similarities, and the rows that quoted phrases and exclusions allow.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cached_property

import numpy as np

from indexer.analysis.text import squash
from indexer.backends.base import Ranked, Retriever, feedback_vector, whole_query, with_leads
from indexer.backends.local.dense import DenseIndex, top_rows
from indexer.backends.local.lexical import LexicalIndex
from indexer.backends.local.substrings import SubstringIndex
from indexer.embed.embedders import Embedder
from indexer.parse.model import PassageKind
from indexer.query.request import QueryPlan
from indexer.search.matching import semantic_bar
from indexer.search.passages import PassageStore


class Query:
    """A plan and the per-query facts the retrievers and the ranking share."""

    def __init__(self, plan: QueryPlan, store: PassageStore, lexical: LexicalIndex, substrings: SubstringIndex,
                 dense: DenseIndex, embedder: Embedder, vector: np.ndarray | None = None) -> None:
        self.plan = plan
        self.store = store
        self._lexical = lexical
        self._substrings = substrings
        self._dense = dense
        self._embedder = embedder
        if vector is not None:
            self.vector = vector

    @cached_property
    def vector(self) -> np.ndarray:
        return self._embedder.embed_query(self.plan.embed_text)

    def with_feedback(self, rows: list[int], weight: float) -> Query:
        """The same query with its vector moved toward the passages a first ranking put on top
        (Rocchio's pseudo-relevance feedback): the plan's words find what the question meant."""
        return Query(self.plan, self.store, self._lexical, self._substrings, self._dense, self._embedder,
                     feedback_vector(self.vector, self._dense.vectors[rows], weight))

    @cached_property
    def bm25(self) -> np.ndarray:
        return self._lexical.scores(self.plan.lexical)

    @cached_property
    def similarities(self) -> np.ndarray:
        return self._dense.scores(self.vector)

    @cached_property
    def text_rows(self) -> np.ndarray | None:
        """Rows holding every quoted phrase and no excluded term; None when the query has neither."""
        pq = self.plan.parsed
        if not (pq.phrases or pq.excluded):
            return None
        rows = self._lexical.phrase_rows(pq.phrases) if pq.phrases else np.ones(len(self.store), dtype=bool)
        for term in pq.excluded:
            needle = squash(term)
            if needle:
                rows[self._substrings.containing(needle, within=rows)] = False
        return rows

    def within(self, docs: Collection[str] | None) -> np.ndarray:
        """The rows a retriever may return: the documents', minus what the text constraints rule out."""
        rows = self.store.rows_of(docs)
        return rows if self.text_rows is None else rows & self.text_rows

    def whole(self) -> str:
        return whole_query(self.plan)

    def similarities_of(self, rows: list[int]) -> dict[int, float]:
        if self._dense.graph is not None:
            return dict(zip(rows, self._dense.scores_of(self.vector, rows).tolist(), strict=True))
        return {row: float(self.similarities[row]) for row in rows}

    def semantic_bar(self, z: float) -> float:
        """Over every passage; with a graph, over the dense index's even sample of them."""
        sample = self._dense.sample
        return semantic_bar(self.similarities if sample is None else sample @ self.vector, z)

    def dense_top(self, n: int, rows: np.ndarray) -> Ranked:
        """The ``n`` passages among ``rows`` (a mask) nearest the query: from the full product
        where it is worked out anyway, else from the dense index (its graph)."""
        if self._dense.graph is None:
            return top_rows(self.similarities, n, rows)
        return self._dense.search(self.vector, n, rows)


class LocalIndexes:
    """The local backend: whoosh + impact matrix, character-gram postings, vectors in .npy."""

    def __init__(self, store: PassageStore, lexical: LexicalIndex, substrings: SubstringIndex, dense: DenseIndex,
                 embedder: Embedder) -> None:
        self.store, self.lexical, self.substrings, self.dense, self.embedder = (
            store, lexical, substrings, dense, embedder)
        self.retrievers: dict[str, Retriever] = {r.name: r for r in (
            LexicalRetriever(), DenseRetriever(), HeadingRetriever(), ExactRetriever(substrings))}

    def query(self, plan: QueryPlan) -> Query:
        return Query(plan, self.store, self.lexical, self.substrings, self.dense, self.embedder)

    def close(self) -> None:
        self.lexical.close()


def top_scored(scores: np.ndarray, n: int, rows: np.ndarray) -> Ranked:
    """The ``n`` best positive scores among ``rows`` (a mask); ties keep row order."""
    matched = np.flatnonzero(rows & (scores > 0))
    if len(matched) > n:
        matched = matched[np.argpartition(-scores[matched], n - 1)[:n]]
    order = np.lexsort((matched, -scores[matched]))
    return [(int(matched[i]), float(scores[matched[i]])) for i in order]


class LexicalRetriever:
    """BM25F over body, headings and document names. A quoted phrase asks for every place
    it occurs, so with one all its matches are returned."""

    name = "bm25"

    def retrieve(self, query: Query, docs: Collection[str] | None, n: int) -> Ranked:
        limit = len(query.store) if query.plan.parsed.phrases else n
        return top_scored(query.bm25, max(limit, 1), query.within(docs))


class HeadingRetriever:
    """For "…的章节" queries: headings ranked by BM25, each followed by its section's lead paragraph."""

    name = "headings"

    def retrieve(self, query: Query, docs: Collection[str] | None, n: int) -> Ranked:
        headings = query.store.kinds == PassageKind.HEADING
        return with_leads(query.store, top_scored(query.bm25, n, query.within(docs) & headings))


class DenseRetriever:
    """Cosine similarity of the query's embedding with the passages': every one, or the graph's
    candidates in a large corpus (indexer.backends.local.ann)."""

    name = "dense"

    def retrieve(self, query: Query, docs: Collection[str] | None, n: int) -> Ranked:
        return query.dense_top(n, query.within(docs))


class ExactRetriever:
    """Every passage holding the whole short query, in passage order, from character-gram
    postings: a keyword search finds each place a name occurs, not only the top candidates."""

    name = "exact"

    def __init__(self, substrings: SubstringIndex) -> None:
        self._substrings = substrings

    def retrieve(self, query: Query, docs: Collection[str] | None, n: int) -> Ranked:
        whole = query.whole()
        if not whole:
            return []
        rows = self._substrings.containing(whole, within=query.within(docs))
        phrases = [squash(x) for x in query.plan.parsed.phrases]
        if phrases:
            rows = [r for r in rows.tolist() if all(x in query.store.squashed(r) for x in phrases)]
        return [(int(r), 0.0) for r in rows]
