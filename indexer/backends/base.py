"""What every backend offers, and the query objects that do not depend on one.

A ``Backend`` writes a build's search indexes and opens them for search as ``SearchIndexes``:
a query's facts and the retrievers (bm25, dense, headings, exact), each giving ranked
(row, score) for a query within a set of documents. The implementations live in
indexer.backends.local and indexer.backends.milvus; indexer.backends.factory picks one by name.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from indexer.analysis.text import Lexicon, squash
from indexer.parse.model import PassageKind
from indexer.query.request import QueryPlan

if TYPE_CHECKING:
    from indexer.documents.corpus import Document
    from indexer.embed.embedders import Embedder
    from indexer.parse.model import Passage
    from indexer.search.passages import PassageStore

Ranked = list[tuple[int, float]]
# Vectors that estimate a query's similarity spread over a corpus (the semantic bar) where
# scoring every passage is what a search avoids: Milvus, and the local graph (ann).
SAMPLE_ROWS = 4096
# A whole query longer than this is a question or a sentence, not a name to find everywhere.
EXACT_MAX_CHARS = 24


def whole_query(plan: QueryPlan) -> str:
    """The free text squashed: what the exact tier looks for (empty for long queries)."""
    whole = "".join(query_parts(plan.parsed.terms))
    return whole if 2 <= len(whole) <= EXACT_MAX_CHARS else ""


def sample_rows(n: int, k: int = SAMPLE_ROWS) -> np.ndarray:
    """Evenly spaced rows: every row of a small corpus, a fixed spread of a large one."""
    return np.arange(n) if n <= k else np.linspace(0, n - 1, k).round().astype(np.int64)


def query_parts(terms: str) -> list[str]:
    """The space-separated parts of the free text, squashed; one-character parts dropped."""
    return [x for x in (squash(t) for t in terms.split()) if len(x) >= 2]


class Retriever(Protocol):
    name: str

    def retrieve(self, query: QueryFacts, docs: Collection[str] | None, n: int) -> Ranked:
        """The best ``n`` (row, score) within ``docs`` (None: every document), best first."""
        ...


class QueryFacts(Protocol):
    """What the ranking asks of a query on any backend."""

    plan: QueryPlan
    store: PassageStore

    def whole(self) -> str: ...

    def similarities_of(self, rows: list[int]) -> dict[int, float]:
        """Cosine of the query with these rows' vectors."""
        ...

    def semantic_bar(self, z: float) -> float:
        """indexer.search.matching.semantic_bar over the corpus (or a sample of it)."""
        ...

    def with_feedback(self, rows: list[int], weight: float) -> QueryFacts:
        """The same query, its vector moved toward these rows' (feedback_vector)."""
        ...


class SearchIndexes(Protocol):
    """A backend's indexes of one build: a query's facts and the retrievers that answer it."""

    retrievers: dict[str, Retriever]

    def query(self, plan: QueryPlan) -> QueryFacts: ...

    def close(self) -> None: ...


def feedback_vector(query: np.ndarray, passages: np.ndarray, weight: float) -> np.ndarray:
    """Rocchio: the unit vector of the query plus ``weight`` times the mean of the passages' vectors."""
    moved = np.asarray(query, dtype=np.float32) + weight * passages.mean(axis=0)
    return (moved / np.linalg.norm(moved)).astype(np.float32)


def with_leads(store: PassageStore, heads: Ranked) -> Ranked:
    """Each heading followed by its section's lead paragraph, at the heading's score."""
    out: Ranked = []
    for row, score in heads:
        out.append((row, score))
        if row + 1 < len(store):
            here, nxt = store.at(row), store.at(row + 1)
            if nxt.kind == PassageKind.PARAGRAPH and nxt.section_ids[-1:] == here.section_ids[-1:]:
                out.append((row + 1, score))
    return out


@dataclass(frozen=True)
class BuildContents:
    """What a backend indexes for a build: its passages, their vectors (row order) and the
    words that name each document; the rest of the build is the pipeline's."""

    build_id: str
    docs: list[Document]
    passages: list[Passage]
    vectors: np.ndarray
    document_words: dict[str, str]
    lexicon: Lexicon


class Backend(Protocol):
    """Where a build's search indexes live. ``section``: what a backend records in a build's
    manifest under its name (None when it records nothing), the only state the steps share."""

    name: str

    def check(self) -> None:
        """Fail before parsing and embedding when the engine cannot be reached."""
        ...

    def write(self, folder: Path, build: BuildContents, serving: dict | None,
              log: Callable[[str], None]) -> dict | None:
        """Write the search indexes (into ``folder``, the unfinished build, or an engine) and
        return the manifest section. ``serving``: the serving build's section, for a build
        that adds to it (``add``/``remove``); None for a build on its own."""
        ...

    def open(self, folder: Path, manifest: dict, store: PassageStore, embedder: Embedder,
             lexicon: Lexicon) -> SearchIndexes:
        """A checked build, ready to answer queries."""
        ...

    def settle(self, section: dict, kept: list[dict], dropped: list[dict]) -> None:
        """After the switch to the build of ``section``: take what only the ``dropped``
        builds used, keeping what the ``kept`` ones use."""
        ...

    def discard(self, section: dict, serving: dict | None) -> None:
        """Take back what a build that is never switched in wrote outside its folder."""
        ...
