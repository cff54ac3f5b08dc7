"""The embedding cache, keyed by (model, text hash), so a rebuild embeds only what changed;
shared by every backend, since both store the same vectors."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.embed.embedders import Embedder
from indexer.embed.pool import BatchMapper
from indexer.errors import EmbedderError


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


CACHE_FILE = "cache.npz"
PROBE_TEXT = "plansearch 嵌入缓存探针：推进高质量发展"


PROBE_MATCH = 0.999
"""The cosine at which two embeddings of the probe text come from one model. The same weights
on another CPU differ in the last bits (SIMD paths): .9999 and more, measured; another model,
or the same name over other weights, falls far below."""


@dataclass(frozen=True, eq=False)
class ModelIdentity:
    """Who vectors belong to: ``key`` names the model's files (a hash of its name, the same on
    every machine), ``probe`` is its embedding of a fixed text, stored with the vectors and
    compared on load, so a different model behind the same name never reuses another's vectors."""

    key: str
    probe: np.ndarray

    def accepts(self, probe: np.ndarray) -> bool:
        probe = np.asarray(probe, dtype=np.float64).ravel()
        if probe.shape != self.probe.shape or not np.isfinite(probe).all():
            return False
        norms = float(np.linalg.norm(probe) * np.linalg.norm(self.probe))
        return norms > 0 and float(probe @ self.probe) / norms >= PROBE_MATCH

    def check(self, probe: np.ndarray) -> None:
        """Raise ValueError (the loaders' 'ignored' reason) unless ``probe`` is this model's."""
        if not self.accepts(probe):
            raise ValueError(f"made by another model than {self.key} (its probe vector differs)")


def model_identity(embedder: Embedder) -> ModelIdentity:
    probe = np.asarray(embedder.embed_passages([PROBE_TEXT]), dtype=np.float64).ravel()
    return ModelIdentity(hashlib.sha256(embedder.model_id.encode()).hexdigest()[:16], probe)


class EmbeddingCache:
    """Vectors of texts already embedded by one model, in ``DIR/<model key>/cache.npz``.

    One file holds the keys and the vectors together and is replaced with one rename, so
    concurrent builds can only ever read one writer's complete pair. On load, keys, shape,
    dimension and finiteness are checked; a cache that fails any check is ignored (it only
    costs re-embedding), never used.
    """

    def __init__(self, root: Path, model_id: str, identity: ModelIdentity, dim: int) -> None:
        self.dir = root / identity.key
        self.model_id = model_id
        self.identity = identity
        self.dim = dim
        self._vectors: dict[str, np.ndarray] = {}
        self.rejected: str | None = None
        path = self.dir / CACHE_FILE
        if path.is_file():
            try:
                with np.load(path, allow_pickle=False) as data:
                    keys, vecs = data["keys"], data["vectors"]
                    identity.check(data["probe"])
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
                np.savez(f, keys=np.array(keys, dtype="<U32"), vectors=vecs.astype(np.float32),
                         probe=self.identity.probe)
            os.replace(tmp, self.dir / CACHE_FILE)
        finally:
            tmp.unlink(missing_ok=True)
