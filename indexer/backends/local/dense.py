"""The local embedding index: normalised float32 passage vectors in one .npy, and cosine top-k."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from indexer.backends.npyfiles import all_finite, open_npy
from indexer.errors import IndexCorruptError


class DenseIndex:
    """Cosine top-k over a matrix of normalised passage vectors."""

    FILE = "vectors.npy"

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors

    @classmethod
    def load(cls, directory: Path, expected_rows: int, expected_dim: int) -> DenseIndex:
        path = directory / cls.FILE
        vectors = open_npy(path)
        if vectors.shape != (expected_rows, expected_dim) or vectors.dtype != np.float32:
            raise IndexCorruptError(
                f"{path} holds {vectors.shape} {vectors.dtype}; the manifest says "
                f"({expected_rows}, {expected_dim}) float32"
            )
        if not all_finite(path, vectors):
            raise IndexCorruptError(f"{path} holds NaN or infinite values")
        return cls(vectors)

    @staticmethod
    def save(directory: Path, vectors: np.ndarray) -> None:
        np.save(directory / DenseIndex.FILE, vectors.astype(np.float32), allow_pickle=False)

    def scores(self, query_vec: np.ndarray) -> np.ndarray:
        """Cosine of every passage with the query (rows are unit vectors)."""
        return self.vectors @ query_vec.astype(np.float32)

    def search(self, query_vec: np.ndarray, limit: int,
               mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, cosine) best first; equal scores keep row order."""
        return top_rows(self.scores(query_vec), limit, mask)


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
