"""The embedding index (normalised float32 vectors in .npy) and the embedding
cache keyed by (model id, text hash), so a rebuild embeds only what changed."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from indexer.embed import Embedder
from indexer.errors import IndexCorruptError


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class EmbeddingCache:
    """Vectors of texts already embedded by one model, in ``DIR/<model>/``."""

    def __init__(self, root: Path, model_id: str) -> None:
        slug = hashlib.sha256(model_id.encode()).hexdigest()[:16]
        self.dir = root / slug
        self.model_id = model_id
        self._vectors: dict[str, np.ndarray] = {}
        keys_file, vec_file = self.dir / "keys.json", self.dir / "vectors.npy"
        if keys_file.is_file() and vec_file.is_file():
            try:
                keys = json.loads(keys_file.read_text(encoding="utf-8"))["keys"]
                vecs = np.load(vec_file, allow_pickle=False)
            except (OSError, ValueError, KeyError):
                keys, vecs = [], None  # a damaged cache only costs re-embedding
            if vecs is not None and len(keys) == len(vecs):
                self._vectors = dict(zip(keys, vecs, strict=True))

    def __len__(self) -> int:
        return len(self._vectors)

    def missing(self, texts: Sequence[str]) -> int:
        """How many distinct texts are not cached yet."""
        return len({k for k in map(text_key, texts) if k not in self._vectors})

    def embed(self, embedder: Embedder, texts: Sequence[str], batch_size: int,
              progress: Callable[[int], None] | None = None) -> tuple[np.ndarray, int]:
        """Vectors for ``texts`` in order, and how many had to be embedded now."""
        keys = [text_key(t) for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self._vectors))
        by_key = {k: t for k, t in zip(keys, texts, strict=True)}
        for i in range(0, len(todo), batch_size):
            batch = todo[i : i + batch_size]
            vecs = embedder.embed_passages([by_key[k] for k in batch])
            self._vectors.update(zip(batch, vecs, strict=True))
            if progress:
                progress(len(batch))
        dim = embedder.dim
        out = np.stack([self._vectors[k] for k in keys]) if keys else np.zeros((0, dim), np.float32)
        return out.astype(np.float32), len(todo)

    def save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        keys = list(self._vectors)
        vecs = np.stack([self._vectors[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)
        tmp_v, tmp_k = self.dir / "vectors.tmp.npy", self.dir / "keys.tmp.json"
        np.save(tmp_v, vecs.astype(np.float32), allow_pickle=False)
        tmp_k.write_text(json.dumps({"model_id": self.model_id, "keys": keys}), encoding="utf-8")
        os.replace(tmp_v, self.dir / "vectors.npy")
        os.replace(tmp_k, self.dir / "keys.json")


class DenseIndex:
    """Cosine top-k over a matrix of normalised passage vectors."""

    FILE = "vectors.npy"

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors

    @classmethod
    def load(cls, directory: Path, expected_rows: int, expected_dim: int) -> DenseIndex:
        path = directory / cls.FILE
        try:
            vectors = np.load(path, allow_pickle=False, mmap_mode=None)
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"{path} cannot be read: {exc}") from exc
        if vectors.shape != (expected_rows, expected_dim) or vectors.dtype != np.float32:
            raise IndexCorruptError(
                f"{path} holds {vectors.shape} {vectors.dtype}; the manifest says "
                f"({expected_rows}, {expected_dim}) float32"
            )
        return cls(vectors)

    @staticmethod
    def save(directory: Path, vectors: np.ndarray) -> None:
        np.save(directory / DenseIndex.FILE, vectors.astype(np.float32), allow_pickle=False)

    def search(self, query_vec: np.ndarray, limit: int,
               mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, cosine) best first; equal scores keep row order."""
        scores = self.vectors @ query_vec.astype(np.float32)
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
