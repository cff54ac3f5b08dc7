"""The approximate dense index: a usearch HNSW graph of the passage vectors beside vectors.npy,
answering top-k where the full product over every vector is the slower way (bench/ann.py).

usearch's Python search takes no filter. A mask that allows less than half the rows (a document,
a city, a period) is answered exactly over those rows, sliced run by run: exact, and fast while
they are few. A wider mask is honoured in the graph's search by asking it for more neighbours
until enough are allowed. Taking the allowed rows from a larger plain search lost recall on
clustered vectors when the filter was narrow (0.88 at a third of the rows, bench/ann.py), as the
nearest allowed rows sit in clusters the walk does not reach. Candidates are re-scored from the
float32 vectors, so a hit's score is its exact cosine whatever the graph stores.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from usearch.index import Index

from indexer.errors import IndexCorruptError

FILE = "vectors.usearch"
# Passages from which the graph answers instead of the exact product: the crossover measured by
# bench/ann.py (docs/NOTES.md, issue 24). Below it, and for masks allowing fewer rows, exact.
MIN_ROWS = 20_000
# A mask allowing less than this share of the rows is answered exactly over them.
FILTER_SHARE = 0.5
# How the graph stores vectors: f16 halves f32's file and builds twice as fast at the same recall;
# i8 lost recall (bench/ann.py).
DTYPE = "f16"
# usearch's defaults at build (an expansion of 64 lost recall: .959 at 10^5); 256 searched,
# as 128 kept recall@10 at .995 at 10^5 but .957 at 10^6, 256 .996 there (bench/ann.py).
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 256
# A filtered search first asks for this many times the share of rows the mask rules out …
OVERSAMPLE = 2.0
# … then for GROW times more, up to this many, before answering exactly over the mask.
GROW = 4
MAX_CANDIDATES = 8192
# A mask of more contiguous runs than this is gathered row by row instead of sliced.
MAX_RUNS = 256

Ranked = list[tuple[int, float]]


def build(vectors: np.ndarray, threads: int = 0, dtype: str = DTYPE,
          expansion_add: int = EXPANSION_ADD) -> Index:
    """The graph of ``vectors`` (unit rows), keyed by row number."""
    index = Index(ndim=vectors.shape[1], metric="ip", dtype=dtype, connectivity=CONNECTIVITY,
                  expansion_add=expansion_add, expansion_search=EXPANSION_SEARCH)
    if len(vectors):
        index.add(np.arange(len(vectors), dtype=np.uint64), np.ascontiguousarray(vectors, dtype=np.float32),
                  threads=threads)
    return index


def save(directory: Path, vectors: np.ndarray) -> None:
    build(vectors).save(str(directory / FILE))


def load(directory: Path, rows: int, dim: int) -> Index:
    """The graph viewed from disk (memory-mapped, not read into the heap), checked against the
    manifest's passage count and dimension."""
    path = directory / FILE
    if not path.is_file():
        raise IndexCorruptError(f"{path} is missing")
    try:
        meta = Index.metadata(str(path))
        if meta is None or meta["dimensions"] != dim or meta["count_present"] != rows:
            raise IndexCorruptError(f"{path} holds {meta and meta['count_present']} vectors of "
                                    f"{meta and meta['dimensions']} dims; the manifest says {rows} of {dim}")
        index = Index.restore(str(path), view=True)
    except (ValueError, RuntimeError, OSError) as exc:
        raise IndexCorruptError(f"{path} cannot be read: {exc}") from exc
    if index is None or len(index) != rows or index.ndim != dim or index.serialized_length != path.stat().st_size:
        raise IndexCorruptError(f"{path} does not hold the {rows} vectors the manifest says")
    index.expansion_search = EXPANSION_SEARCH
    return index


def rescored(vectors: np.ndarray, query: np.ndarray, rows: np.ndarray, limit: int) -> Ranked:
    """The ``limit`` best of ``rows`` by exact cosine; ties keep row order."""
    rows = np.sort(rows)
    scores = vectors[rows] @ query
    order = np.lexsort((rows, -scores))[:limit]
    return [(int(rows[i]), float(scores[i])) for i in order]


def exact_within(vectors: np.ndarray, query: np.ndarray, mask: np.ndarray, limit: int) -> Ranked:
    """Exact top-k over the rows ``mask`` allows, sliced run by run where the rows are contiguous
    (a document's passages are), so no copy of their vectors is made."""
    rows = np.flatnonzero(mask)
    if not len(rows) or limit <= 0:
        return []
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    if len(breaks) < MAX_RUNS:
        starts, ends = rows[np.r_[0, breaks]], rows[np.r_[breaks - 1, len(rows) - 1]] + 1
        scores = np.concatenate([vectors[s:e] @ query for s, e in zip(starts, ends, strict=True)])
    else:
        scores = vectors[rows] @ query
    if limit < len(rows):
        keep = np.argpartition(-scores, limit - 1)[:limit]
        rows, scores = rows[keep], scores[keep]
    order = np.lexsort((rows, -scores))
    return [(int(rows[i]), float(scores[i])) for i in order]


def search(index: Index, vectors: np.ndarray, query: np.ndarray, limit: int,
           mask: np.ndarray | None = None) -> Ranked:
    """(row, cosine) best first among the rows ``mask`` allows (None: all)."""
    query = np.ascontiguousarray(query, dtype=np.float32)
    n = len(vectors)
    allowed = n if mask is None else int(np.count_nonzero(mask))
    limit = min(limit, allowed)
    if limit <= 0:
        return []
    if mask is not None and allowed < min(n, max(MIN_ROWS, FILTER_SHARE * n)):
        return exact_within(vectors, query, mask, limit)
    count = min(n, max(limit, int(np.ceil(limit * OVERSAMPLE * n / allowed))))
    while True:
        keys = index.search(query, count, threads=1).keys.astype(np.int64)
        if mask is not None:
            keys = keys[mask[keys]]
        if len(keys) >= limit or count >= n:
            return rescored(vectors, query, keys, limit)
        if count >= MAX_CANDIDATES:
            return exact_within(vectors, query, np.ones(n, dtype=bool) if mask is None else mask, limit)
        count = min(n, MAX_CANDIDATES, count * GROW)
