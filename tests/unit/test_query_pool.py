"""The query embedder pool: calls run on separate instances at once, and give the same vectors."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from indexer.config import EmbeddingConfig
from indexer.embed.embedders import FakeEmbedder
from indexer.embed.query_pool import EmbedderPool


class MeetingEmbedder(FakeEmbedder):
    """Waits until ``parties`` calls are inside embed_query at once: a pool that serialises
    its calls breaks the barrier."""

    def __init__(self, barrier: threading.Barrier) -> None:
        super().__init__(EmbeddingConfig(backend="fake"))
        self.barrier = barrier

    def embed_query(self, text: str) -> np.ndarray:
        self.barrier.wait(timeout=5)
        return super().embed_query(text)


def test_two_queries_embed_at_the_same_time_on_two_instances():
    barrier = threading.Barrier(2)
    pool = EmbedderPool(lambda: MeetingEmbedder(barrier), size=2)
    with ThreadPoolExecutor(2) as ex:
        vectors = list(ex.map(pool.embed_query, ["养老服务", "数字经济"]))
    plain = FakeEmbedder(EmbeddingConfig(backend="fake"))
    assert np.allclose(vectors[0], plain.embed_query("养老服务"))
    assert np.allclose(vectors[1], plain.embed_query("数字经济"))


def test_one_instance_serialises_so_the_barrier_breaks():
    barrier = threading.Barrier(2)
    pool = EmbedderPool(lambda: MeetingEmbedder(barrier), size=1)
    with ThreadPoolExecutor(2) as ex, pytest.raises(threading.BrokenBarrierError):
        list(ex.map(pool.embed_query, ["养老服务", "数字经济"]))


def test_the_pool_reuses_the_loaded_embedder_and_names_its_model():
    first = FakeEmbedder(EmbeddingConfig(backend="fake"))
    made = []
    pool = EmbedderPool(lambda: made.append(1) or FakeEmbedder(EmbeddingConfig(backend="fake")), size=3, first=first)
    assert len(made) == 2 and pool.model_id == first.model_id and pool.dim == first.dim
    with pytest.raises(ValueError):
        EmbedderPool(lambda: first, size=0)
