"""The local embedding index: normalised float32 passage vectors in one .npy, and cosine top-k,
exact or, in a corpus past indexer.backends.local.ann.MIN_ROWS, from the HNSW graph beside it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from usearch.index import Index

from indexer.backends.base import sample_rows
from indexer.backends.local import ann
from indexer.backends.npyfiles import all_finite, open_npy
from indexer.errors import IndexCorruptError


class DenseIndex:
    """Cosine top-k over a matrix of normalised passage vectors; with a graph, a search reads
    only the vectors it visits, and the semantic bar is taken over an even sample of them."""

    FILE = "vectors.npy"

    def __init__(self, vectors: np.ndarray, graph: Index | None = None) -> None:
        self.vectors = vectors
        self.graph = graph
        self.sample = None if graph is None else np.asarray(vectors[sample_rows(len(vectors))])

    @classmethod
    def load(cls, directory: Path, expected_rows: int, expected_dim: int, graph: bool = False) -> DenseIndex:
        """The vectors, and the graph where the build wrote one (``graph``: the manifest lists it)."""
        path = directory / cls.FILE
        vectors = open_npy(path)
        if vectors.shape != (expected_rows, expected_dim) or vectors.dtype != np.float32:
            raise IndexCorruptError(
                f"{path} holds {vectors.shape} {vectors.dtype}; the manifest says "
                f"({expected_rows}, {expected_dim}) float32"
            )
        if not all_finite(path, vectors):
            raise IndexCorruptError(f"{path} holds NaN or infinite values")
        return cls(vectors, ann.load(directory, expected_rows, expected_dim) if graph else None)

    @staticmethod
    def save(directory: Path, vectors: np.ndarray) -> None:
        """vectors.npy, and the graph when the corpus is large enough to search through one."""
        np.save(directory / DenseIndex.FILE, vectors.astype(np.float32), allow_pickle=False)
        if len(vectors) >= ann.MIN_ROWS:
            ann.save(directory, vectors)

    @staticmethod
    def has_graph(files: dict) -> bool:
        """Whether a build's manifest (its ``files``) lists a graph."""
        return ann.FILE in files

    def scores(self, query_vec: np.ndarray) -> np.ndarray:
        """Cosine of every passage with the query (rows are unit vectors)."""
        return self.vectors @ query_vec.astype(np.float32)

    def scores_of(self, query_vec: np.ndarray, rows: list[int]) -> np.ndarray:
        """Cosine of these passages with the query, reading only their vectors."""
        return self.vectors[np.asarray(rows, dtype=np.int64)] @ query_vec.astype(np.float32)

    def search(self, query_vec: np.ndarray, limit: int,
               mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, cosine) best first; exact results keep row order on equal scores."""
        if self.graph is None:
            return top_rows(self.scores(query_vec), limit, mask)
        return ann.search(self.graph, self.vectors, query_vec, limit, mask)


def top_rows(scores: np.ndarray, limit: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
    """The ``limit`` best (row, score) among the rows ``mask`` allows; ties keep row order."""
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    n = int(np.count_nonzero(np.isfinite(scores)))
    limit = min(limit, n)
    if limit <= 0:
        return []
    idx = np.argpartition(-scores, limit - 1)[:limit] if limit < len(scores) else np.arange(len(scores))
    idx = idx[np.isfinite(scores[idx])]
    order = np.lexsort((idx, -scores[idx]))
    return [(int(idx[i]), float(scores[idx[i]])) for i in order]
