"""A build past the ANN crossover (lowered here to the small corpus): the graph is written beside
vectors.npy, counted in the manifest, answers dense search as the exact product does, and a
damaged or missing graph file stops the load with IndexCorruptError."""

from __future__ import annotations

import json

import pytest

from indexer.backends.local import ann
from indexer.build.pipeline import build_index
from indexer.build.store import current_build
from indexer.embed.embedders import FakeEmbedder
from indexer.errors import IndexCorruptError
from indexer.search.searcher import Searcher
from tests.conftest import make_config, quiet

QUERIES = ("产业园区", "城市建设和管理", "就业", "生态环境保护")


def searcher(cfg) -> Searcher:
    return Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))


def build(cfg) -> None:
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)


@pytest.fixture
def graphed(tmp_path, small_corpus, monkeypatch):
    monkeypatch.setattr(ann, "MIN_ROWS", 0)
    cfg = make_config(tmp_path / "graph", small_corpus)
    build(cfg)
    return cfg


def test_the_graph_is_part_of_the_build(graphed):
    manifest = json.loads((current_build(graphed) / "manifest.json").read_text(encoding="utf-8"))
    assert ann.FILE in manifest["files"]
    s = searcher(graphed)
    assert s.indexes.dense.graph is not None and len(s.indexes.dense.graph) == manifest["passages"]


def test_dense_search_through_the_graph_matches_the_exact_one(graphed, tmp_path, small_corpus, monkeypatch):
    monkeypatch.setattr(ann, "MIN_ROWS", 10**9)
    exact_cfg = make_config(tmp_path / "exact", small_corpus)
    build(exact_cfg)
    assert not (current_build(exact_cfg) / ann.FILE).exists()
    with_graph, exact = searcher(graphed), searcher(exact_cfg)
    for q in QUERIES:
        for mode in ("dense", "hybrid"):
            got = [(h.passage.passage_id, round(h.score, 6)) for h in with_graph.search(q, mode=mode, k=10).hits]
            want = [(h.passage.passage_id, round(h.score, 6)) for h in exact.search(q, mode=mode, k=10).hits]
            assert got == want, (q, mode)


@pytest.mark.parametrize("damage", ["truncated", "missing"])
def test_a_damaged_graph_stops_the_load(graphed, damage):
    path = current_build(graphed) / ann.FILE
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(IndexCorruptError):
        searcher(graphed)
