"""Rank fusion is pure maths: check it exactly."""

from __future__ import annotations

import pytest

from indexer.search.fusion import convex, rrf


def test_rrf_scores_are_reciprocal_ranks():
    fused = dict(rrf([["a", "b"], ["b", "c"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 62)


def test_rrf_orders_by_score_and_breaks_ties_deterministically():
    assert [d for d, _ in rrf([["a", "b"], ["b", "c"]])] == ["b", "a", "c"]
    # a and x tie exactly: the one met first (list order, then rank) wins, every time.
    assert [d for d, _ in rrf([["a"], ["x"]])] == ["a", "x"]
    assert [d for d, _ in rrf([["x"], ["a"]])] == ["x", "a"]


def test_rrf_weights_scale_each_list():
    fused = dict(rrf([["a"], ["b"]], k=60, weights=[0.5, 1.0]))
    assert fused["a"] == pytest.approx(0.5 / 61)
    assert [d for d, _ in rrf([["a"], ["b"]], weights=[0.5, 1.0])] == ["b", "a"]


def test_rrf_of_nothing_is_nothing():
    assert rrf([[], []]) == []


def test_convex_normalises_each_list():
    fused = dict(convex([[("a", 10.0), ("b", 5.0)], [("b", 0.9), ("c", 0.1)]], [0.5, 0.5]))
    assert fused["a"] == pytest.approx(0.5)
    assert fused["b"] == pytest.approx(0.5)
    assert fused["c"] == pytest.approx(0.0)
    assert [d for d, _ in convex([[("a", 1.0)], [("b", 1.0)]], [0.3, 0.7])] == ["b", "a"]


def test_interleaving_takes_each_document_in_turn():
    from indexer.search.ranking import interleave_documents

    ranked = [("a1", 0.9), ("a2", 0.8), ("b1", 0.7), ("a3", 0.6), ("c1", 0.5)]
    docs = ["A", "A", "B", "A", "C"]
    assert [pid for pid, _ in interleave_documents(ranked, docs)] == ["a1", "b1", "c1", "a2", "a3"]
    assert interleave_documents([], []) == []


def test_union_by_score_keeps_each_id_once_at_its_best_score_deterministically():
    from indexer.search.fusion import union_by_score

    merged = union_by_score([("a", 3.0), ("b", 1.0)], [("b", 2.5), ("c", 1.0), ("a", 0.5)])
    assert merged == [("a", 3.0), ("b", 2.5), ("c", 1.0)]
    assert union_by_score([("x", 1.0)], [("y", 1.0)]) == [("x", 1.0), ("y", 1.0)]
