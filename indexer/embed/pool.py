"""Embedding spread over worker processes: each loads the model once, then maps batches of
texts to vectors. ``embed_batch`` is the unit of work, the function a Ray Data
``map_batches`` step would run over 10^7 passages; the cache keys stay the caller's."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import numpy as np

from indexer.config import EmbeddingConfig
from indexer.embed.embedders import Embedder

# Batches of texts → their vectors, in order.
BatchMapper = Callable[[Iterable[list[str]]], Iterator[np.ndarray]]

_worker_embedder: Embedder | None = None


def _start_worker(cfg: EmbeddingConfig, threads: int) -> None:
    global _worker_embedder
    from indexer.embed.embedders import make_embedder
    from indexer.embed.threads import set_threads

    set_threads(threads)
    _worker_embedder = make_embedder(cfg)


def embed_batch(texts: list[str]) -> np.ndarray:
    assert _worker_embedder is not None, "embed_batch runs in a worker started by worker_pool"
    return np.asarray(_worker_embedder.embed_passages(texts), dtype=np.float32)


def in_process(embedder: Embedder) -> BatchMapper:
    return lambda batches: (np.asarray(embedder.embed_passages(b), dtype=np.float32) for b in batches)


@contextmanager
def worker_pool(cfg: EmbeddingConfig, workers: int, cores: int) -> Iterator[BatchMapper]:
    """``workers`` processes sharing the cores (spawned: a forked OpenMP runtime can hang)."""
    threads = max(1, cores // workers)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start_worker, initargs=(cfg, threads)) as pool:
        yield lambda batches: pool.map(embed_batch, batches)
