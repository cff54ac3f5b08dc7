"""The impact matrix scores as whoosh's BM25F does, on the same analysed query."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import query as Q
from whoosh.scoring import BM25F

from indexer.backends.terms import K1, TOGETHER_BOOST, B, LexicalQuery
from indexer.query.syntax import parse_query


def whoosh_scores(searcher, lq: LexicalQuery) -> dict[str, float]:
    should = [Q.Term(f, t, boost=w) for f, t, w in lq.terms]
    if lq.together:
        should.append(Q.And([Q.Term("words", w) for w in lq.together], boost=TOGETHER_BOOST))
    with searcher.indexes.lexical._ix.searcher(weighting=BM25F(B=B, K1=K1)) as s:
        return {r["pid"]: r.score for r in s.search(Q.Or(should), limit=None)}


@pytest.mark.parametrize("text", ["城陵矶新港区", "老人以后谁来照顾", "冷链物流 产业园", "十四五 地区生产总值 增长"])
def test_every_passage_scores_as_whoosh_scores_it(searcher, text):
    lq = searcher.indexes.lexical.query(parse_query(text))
    theirs = whoosh_scores(searcher, lq)
    ours = searcher.indexes.lexical.impacts.scores(lq)
    ids = [p.passage_id for p in searcher.passages]
    assert {ids[i] for i in np.flatnonzero(ours > 0)} == set(theirs)
    for pid, score in theirs.items():
        assert ours[searcher.store.row(pid)] == pytest.approx(score, rel=1e-4)


def test_an_unknown_term_scores_nothing(searcher):
    lq = LexicalQuery((("words", "没有这个词的词语", 1.0),))
    assert not searcher.indexes.lexical.impacts.scores(lq).any()


def test_a_build_written_by_several_processes_scores_as_whoosh_scores_it(tmp_path, small_corpus, monkeypatch):
    """Large builds write one whoosh segment per process; the impacts must join them."""
    from indexer.backends.local import lexical
    from indexer.build.pipeline import build_index
    from indexer.embed.embedders import FakeEmbedder
    from indexer.search.searcher import Searcher
    from tests.conftest import make_config, quiet

    monkeypatch.setattr(lexical, "PARALLEL_MIN_PASSAGES", 0)
    monkeypatch.setattr(lexical, "cores", lambda: 2)
    cfg = make_config(tmp_path, small_corpus)
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    s = Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))
    try:
        with s.indexes.lexical._ix.reader() as reader:
            assert len(reader.leaf_readers()) >= 2
        for text in ("产业园区", "十四五 地区生产总值 增长"):
            lq = s.indexes.lexical.query(parse_query(text))
            theirs = whoosh_scores(s, lq)
            ours = s.indexes.lexical.impacts.scores(lq)
            assert theirs and len(theirs) == np.count_nonzero(ours)
            for pid, score in theirs.items():
                assert ours[s.store.row(pid)] == pytest.approx(score, rel=1e-4)
    finally:
        s.close()
