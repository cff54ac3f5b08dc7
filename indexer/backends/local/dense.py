"""The embedding index (normalised float32 vectors in .npy) and the embedding
cache keyed by (model id, text hash), so a rebuild embeds only what changed."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from indexer.backends.local.npyfiles import all_finite, open_npy
from indexer.embed.embedders import Embedder
from indexer.embed.pool import BatchMapper
from indexer.errors import EmbedderError, IndexCorruptError


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


CACHE_FILE = "cache.npz"
PROBE_TEXT = "plansearch 嵌入缓存探针：推进高质量发展"


def model_fingerprint(embedder: Embedder) -> str:
    """Who the vectors belong to: the model's name and its embedding of a fixed probe text,
    so a different model behind the same name or path never reuses another's vectors."""
    probe = np.round(np.asarray(embedder.embed_passages([PROBE_TEXT]), dtype=np.float64), 4)
    return hashlib.sha256(embedder.model_id.encode() + probe.tobytes()).hexdigest()[:16]


class EmbeddingCache:
    """Vectors of texts already embedded by one model, in ``DIR/<fingerprint>/cache.npz``.

    One file holds the keys and the vectors together and is replaced with one rename, so
    concurrent builds can only ever read one writer's complete pair. On load, keys, shape,
    dimension and finiteness are checked; a cache that fails any check is ignored (it only
    costs re-embedding), never used.
    """

    def __init__(self, root: Path, model_id: str, fingerprint: str, dim: int) -> None:
        self.dir = root / fingerprint
        self.model_id = model_id
        self.dim = dim
        self._vectors: dict[str, np.ndarray] = {}
        self.rejected: str | None = None
        path = self.dir / CACHE_FILE
        if path.is_file():
            try:
                with np.load(path, allow_pickle=False) as data:
                    keys, vecs = data["keys"], data["vectors"]
                    self._check(keys, vecs)
                    self._vectors = dict(zip(keys.tolist(), vecs, strict=True))
            except (OSError, ValueError, KeyError, EOFError) as exc:
                self.rejected = f"{path} ignored: {exc}"

    def _check(self, keys: np.ndarray, vecs: np.ndarray) -> None:
        if keys.ndim != 1 or vecs.ndim != 2 or len(keys) != len(vecs):
            raise ValueError(f"keys {keys.shape} and vectors {vecs.shape} do not pair up")
        if len(vecs) and vecs.shape[1] != self.dim:
            raise ValueError(f"vectors have {vecs.shape[1]} dimensions, the model {self.dim}")
        if not np.isfinite(vecs).all():
            raise ValueError("vectors hold NaN or infinity")

    def __len__(self) -> int:
        return len(self._vectors)

    def missing(self, texts: Sequence[str]) -> int:
        """How many distinct texts are not cached yet."""
        return len({k for k in map(text_key, texts) if k not in self._vectors})

    def embed(self, embed_batches: BatchMapper, texts: Sequence[str],
              batch_size: int, progress: Callable[[int], None] | None = None) -> tuple[np.ndarray, int]:
        """Vectors for ``texts`` in order, and how many had to be embedded now.
        ``embed_batches`` maps batches of texts to their vectors (indexer.embed.pool)."""
        keys = [text_key(t) for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self._vectors))
        by_key = {k: t for k, t in zip(keys, texts, strict=True)}
        batches = [todo[i : i + batch_size] for i in range(0, len(todo), batch_size)]
        results = embed_batches([by_key[k] for k in batch] for batch in batches)
        for batch, vecs in zip(batches, results, strict=True):
            vecs = np.asarray(vecs, dtype=np.float32)
            if vecs.shape != (len(batch), self.dim) or not np.isfinite(vecs).all():
                raise EmbedderError(f"{self.model_id} returned {vecs.shape} vectors with non-finite values "
                                    f"or the wrong shape for {len(batch)} texts of {self.dim} dimensions")
            self._vectors.update(zip(batch, vecs, strict=True))
            if progress:
                progress(len(batch))
        out = np.stack([self._vectors[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)
        return out.astype(np.float32), len(todo)

    def save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        keys = list(self._vectors)
        vecs = np.stack([self._vectors[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)
        tmp = self.dir / f".{CACHE_FILE}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            with tmp.open("wb") as f:
                np.savez(f, keys=np.array(keys, dtype="<U32"), vectors=vecs.astype(np.float32))
            os.replace(tmp, self.dir / CACHE_FILE)
        finally:
            tmp.unlink(missing_ok=True)


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
