"""The HNSW graph of the local dense index (indexer.backends.local.ann): recall@10 against the
exact product, filtered and not, on clustered vectors of a fixed seed; and its file checked at load."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.backends.local import ann
from indexer.backends.local.dense import DenseIndex, top_rows
from indexer.errors import IndexCorruptError

N, DIM, DOCS, K = 12_000, 384, 18, 10


def unit(a: np.ndarray) -> np.ndarray:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def corpus() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectors clustered like text embeddings (a mixture around one direction), laid out as 18
    documents of contiguous rows each drawing from its own clusters; queries from the mixture."""
    rng = np.random.default_rng(24)
    clusters = 4 * DOCS
    base = rng.standard_normal(DIM)
    centres = base / np.linalg.norm(base) * 2.0 + rng.standard_normal((clusters, DIM)) / np.sqrt(DIM) * 1.5
    doc = np.minimum(np.arange(N) * DOCS // N, DOCS - 1)
    vectors = unit(centres[doc + DOCS * rng.integers(0, 4, N)] + rng.standard_normal((N, DIM)) / np.sqrt(DIM) * 1.2)
    queries = unit(centres[rng.integers(0, clusters, 100)] + rng.standard_normal((100, DIM)) / np.sqrt(DIM) * 1.2)
    return vectors, queries, doc


@pytest.fixture(scope="module")
def graph(corpus, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ann")
    ann.build(corpus[0], threads=1).save(str(folder / ann.FILE))  # one thread: the same graph every run
    return ann.load(folder, N, DIM)


def recall(vectors, queries, search, mask=None) -> float:
    got = [{r for r, _ in search(q)} for q in queries]
    want = [{r for r, _ in top_rows(vectors @ q, K, mask)} for q in queries]
    return float(np.mean([len(g & w) / len(w) for g, w in zip(got, want, strict=True)]))


def test_unfiltered_recall_at_10_against_exact(corpus, graph):
    vectors, queries, _ = corpus
    assert recall(vectors, queries, lambda q: ann.search(graph, vectors, q, K)) >= 0.98


def test_filtered_recall_on_the_graph(corpus, graph, monkeypatch):
    """Two thirds of the documents (a period's), searched through the graph: the allowed rows
    among enough neighbours, every hit inside the filter."""
    vectors, queries, doc = corpus
    mask = doc < 12
    monkeypatch.setattr(ann, "MIN_ROWS", 0)
    hits = [ann.search(graph, vectors, q, K, mask) for q in queries]
    assert all(len(h) == K and all(mask[r] for r, _ in h) for h in hits)
    assert recall(vectors, queries, lambda q: ann.search(graph, vectors, q, K, mask), mask) >= 0.98


@pytest.mark.parametrize("docs", [[7], range(6)])
def test_selective_filter_is_answered_exactly(corpus, graph, monkeypatch, docs):
    """One document of 18, or a third of them, allow less than half the rows: exact over
    those rows, the very ranking (and scores) of the full product."""
    vectors, queries, doc = corpus
    monkeypatch.setattr(ann, "MIN_ROWS", 0)
    mask = np.isin(doc, list(docs))
    for q in queries[:20]:
        got = ann.search(graph, vectors, q, K, mask)
        want = top_rows(vectors @ q, K, mask)
        assert [r for r, _ in got] == [r for r, _ in want]
        assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-5)


def test_scores_are_the_exact_cosines(corpus, graph):
    vectors, queries, _ = corpus
    for row, score in ann.search(graph, vectors, queries[0], K):
        assert score == pytest.approx(float(vectors[row] @ queries[0]), abs=1e-5)


def test_empty_filter_finds_nothing(corpus, graph):
    vectors, queries, _ = corpus
    assert ann.search(graph, vectors, queries[0], K, np.zeros(N, dtype=bool)) == []


def test_dense_index_writes_and_uses_the_graph_past_the_crossover(tmp_path, corpus, monkeypatch):
    vectors = corpus[0][:500]
    DenseIndex.save(tmp_path, vectors)
    assert not (tmp_path / ann.FILE).exists()  # below the crossover: exact, no graph
    monkeypatch.setattr(ann, "MIN_ROWS", 100)
    DenseIndex.save(tmp_path, vectors)
    dense = DenseIndex.load(tmp_path, 500, DIM, graph=True)
    assert dense.graph is not None and len(dense.sample) == 500
    hits = dense.search(vectors[42], 5)
    assert hits[0] == (42, pytest.approx(1.0, abs=1e-5))
    assert [s for _, s in hits] == pytest.approx(dense.scores_of(vectors[42], [r for r, _ in hits]).tolist())


@pytest.mark.parametrize("damage", ["missing", "truncated", "junk", "other rows"])
def test_a_damaged_graph_is_an_index_corrupt_error(tmp_path, corpus, damage):
    vectors = corpus[0][:300]
    ann.save(tmp_path, vectors)
    path = tmp_path / ann.FILE
    rows = 300
    if damage == "missing":
        path.unlink()
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "junk":
        path.write_bytes(b"not a graph" * 100)
    else:
        rows = 299
    with pytest.raises(IndexCorruptError, match=ann.FILE):
        ann.load(tmp_path, rows, DIM)
