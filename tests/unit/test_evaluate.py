"""The scores every number in the notes rests on: MRR, Hit and answer recall of one query."""

from __future__ import annotations

import pytest

from indexer.evaluate import MAX_RELEVANT_SPAN, Answer, Qrel, Retrieved, evaluate, satisfies, score_query

Q = Qrel("q1", "城市大脑", "keyword", (Answer("a.txt", ("城市大脑中枢",)), Answer("b.txt", ("智慧", "城市"))))


def test_mrr_counts_the_first_relevant_rank_and_recall_the_answers_found():
    ranked = [Retrieved("a.txt", "无关"), Retrieved("b.txt", "智慧 交通 城市"), Retrieved("a.txt", "其他")]
    assert score_query(Q, ranked) == {"mrr": 0.5, "hit": 1.0, "recall": 0.5}
    ranked.append(Retrieved("a.txt", "城市 大脑 中枢"))
    assert score_query(Q, ranked) == {"mrr": 0.5, "hit": 1.0, "recall": 1.0}
    assert score_query(Q, ranked, depth=1) == {"mrr": 0.0, "hit": 0.0, "recall": 0.0}


def test_relevance_needs_the_document_every_string_and_a_short_passage():
    a = Answer("a.txt", ("城市大脑",))
    assert satisfies(Retrieved("a.txt", "城市\n大脑"), a)
    assert not satisfies(Retrieved("b.txt", "城市大脑"), a)
    assert not satisfies(Retrieved("a.txt", "城市大脑" + "。" * MAX_RELEVANT_SPAN), a)


def test_evaluate_averages_per_kind_and_overall():
    other = Qrel("q2", "x", "semantic", (Answer("a.txt", ("无",)),))
    res = evaluate([Q, other], lambda q: [Retrieved("b.txt", "智慧城市")] if q == "城市大脑" else [])
    assert res["table"]["keyword"]["mrr"] == 1.0 and res["table"]["semantic"]["mrr"] == 0.0
    assert res["table"]["all"]["mrr"] == pytest.approx(0.5) and res["table"]["all"]["n"] == 2
