"""The ranking rules as pure functions: the mode table, fusion by name, exact tiers, the
named-document preference, the match bar, interleaving and the heading leads, without an index."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from indexer.backends.base import feedback_vector, with_leads
from indexer.config import SearchConfig
from indexer.documents.corpus import Catalog
from indexer.query.request import SearchRequest, plan_query
from indexer.search.matching import MIN_WORD_COVERAGE, coverage, enough_words, match_kind, semantic_bar, word_weights
from indexer.search.ranking import LEADERS, Evidence, Run, fuse, interleave_documents, order_by_tier, rank, tier_of

CFG = SearchConfig()


@pytest.fixture(scope="module")
def plan_of(catalog: Catalog):
    def plan(q: str, mode: str = "hybrid", **filters):
        return plan_query(SearchRequest.parse({"q": q, "mode": mode, **filters}, 500), catalog, 64)
    return plan


def test_the_mode_table_names_the_runs_each_mode_fuses(plan_of):
    assert plan_of("城市大脑").runs == ("bm25", "dense")
    assert plan_of("城市大脑", "bm25").runs == ("bm25",)
    assert plan_of("城市大脑", "dense").runs == ("dense",)
    assert plan_of("数字经济的章节").runs == ("bm25", "dense", "headings")
    assert plan_of("数字经济的章节", "bm25").runs == ("bm25", "headings")
    assert not plan_of("城市大脑", "dense").lexical_mode and not plan_of("城市大脑", "bm25").semantic_mode


def test_only_a_hybrid_question_reweighs_bm25(plan_of):
    assert plan_of("怎么发展数字经济").run_weight("bm25", 0.5) == 0.5
    assert plan_of("怎么发展数字经济").run_weight("dense", 0.5) == 1.0
    assert plan_of("怎么发展数字经济", "bm25").run_weight("bm25", 0.5) == 1.0
    assert plan_of("城市大脑").run_weight("bm25", 0.5) == 1.0


def test_fusion_weighs_runs_by_name_not_position():
    a, b = Run("bm25", [(1, 9.0), (2, 1.0)]), Run("dense", [(2, 0.9), (1, 0.1)])
    assert [r for r, _ in fuse([a, b], "convex", 60, 0.8)] == [1, 2]
    assert [r for r, _ in fuse([b, a], "convex", 60, 0.8)] == [1, 2]
    assert [r for r, _ in fuse([b, a], "convex", 60, 0.2)] == [2, 1]
    assert fuse([Run("bm25", []), b], "rrf", 60, 0.5) == b.items


def test_tiers_whole_query_then_every_part():
    assert tier_of("建设城市大脑中枢", "城市大脑", ["城市大脑"]) == 2
    assert tier_of("城市的大脑", "城市大脑", ["城市", "大脑"]) == 1
    assert tier_of("城市的大脑", "城市大脑", ["城市大脑"]) == 0
    assert tier_of("城市", "城市大脑", ["城市", "大脑"]) == 0


def test_exact_tiers_outrank_scores_and_the_preference_raises_scores():
    fused = [(1, 0.9), (2, 0.5), (3, 0.45)]
    ordered = order_by_tier(fused, {1: 0, 2: 2, 3: 0}, lambda r: r == 3, 2.5)
    assert [r for r, _ in ordered] == [2, 3, 1]
    assert dict(ordered)[3] == pytest.approx(1.125)


def test_match_bar():
    assert match_kind(1, 0, 3, None, 1.0, False) == "exact"
    assert match_kind(0, 2, 3, None, 1.0, False) == "words"
    assert match_kind(0, 1, 3, None, 1.0, False) is None
    assert match_kind(0, 1, 3, 0.9, 0.8, False) == "semantic"
    assert match_kind(0, 1, 3, 0.9, 0.8, True) is None  # a literal query's near-misses are not matches
    assert match_kind(0, 2, 3, None, 1.0, True) is None
    assert [enough_words(f, 5) for f in (2, 3)] == [False, True]
    assert not enough_words(0, 0)
    scores = np.array([0.0, 1.0, 0.0, 1.0])
    assert semantic_bar(scores, 2.0) == pytest.approx(1.5)
    assert semantic_bar(np.array([0.3]), 2.0) == float("-inf")


def test_interleaving_round_robins_documents_in_order_of_their_best_hit():
    ranked = [(1, 0.9), (2, 0.8), (3, 0.7), (4, 0.6), (5, 0.5)]
    out = interleave_documents(ranked, ["a", "a", "b", "a", "c"])
    assert [r for r, _ in out] == [1, 3, 5, 2, 4]
    # c has no real match (a one-line lead that only sounds alike): it is not forced up as filler.
    out = interleave_documents(ranked, ["a", "a", "b", "a", "c"], lambda row: row != 5)
    assert [r for r, _ in out] == [1, 3, 2, 4, 5]
    out = interleave_documents([(5, 0.9), (1, 0.8)], ["c", "a"], lambda row: row != 5)
    assert [r for r, _ in out] == [1, 5]


def test_a_comparison_interleaves_only_documents_with_a_real_match(plan_of):
    plan = plan_of("各地数字经济发展目标", "bm25")
    texts = {1: "数字经济发展目标", 2: "数字经济发展", 3: "明确发展目标", 4: "数字经济核心产业"}
    docs = {1: "a", 2: "a", 3: "b", 4: "a"}
    weights = {"数字经济": 4.0, "发展": 0.5, "目标": 1.0}
    ev = Evidence(texts.__getitem__, docs.__getitem__, None, float("inf"), 0.0, list(weights), [], "", [],
                  lambda row: "", weights)
    lexical = [(r, 1.0) for r in range(1, 4)] + [(r, 0.1) for r in range(10, 10 + LEADERS)] + [(4, 0.0)]
    texts.update({r: "无关" for r in range(10, 10 + LEADERS)})
    docs.update(dict.fromkeys(range(10, 10 + LEADERS), "z"))
    fused = [r for r, _ in rank(plan, {"bm25": lexical}, [], ev, CFG, False).fused]
    assert fused == [1, 3, 2]  # 3 is a leader of the BM25 list: b takes part
    lexical = [(1, 1.0), (2, 0.9)] + [(r, 0.1) for r in range(10, 10 + LEADERS)] + [(3, 0.0), (4, 0.0)]
    fused = [r for r, _ in rank(plan, {"bm25": lexical}, [], ev, CFG, False).fused]
    assert fused == [1, 2, 3]  # 3 (发展目标 without 数字经济) is weak and not a leader: b is not forced in


@dataclass
class _P:
    kind: str
    section_ids: tuple[str, ...]


class _Store:
    def __init__(self, passages: list[_P]) -> None:
        self.passages = passages

    def __len__(self) -> int:
        return len(self.passages)

    def at(self, row: int) -> _P:
        return self.passages[row]


def test_a_heading_brings_its_own_sections_lead_paragraph_only():
    store = _Store([_P("heading", ("s1",)), _P("paragraph", ("s1",)), _P("heading", ("s2",)),
                    _P("heading", ("s2", "s3")), _P("paragraph", ("s2", "s3")), _P("heading", ("s4",))])
    assert with_leads(store, [(0, 3.0), (2, 2.0), (5, 1.0)]) == [(0, 3.0), (1, 3.0), (2, 2.0), (5, 1.0)]
    assert with_leads(store, [(3, 1.0)]) == [(3, 1.0), (4, 1.0)]


def _evidence(texts: dict[int, str], docs: dict[int, str], sims: dict[int, float] | None, bar: float,
              words: list[str], whole: str) -> Evidence:
    return Evidence(texts.__getitem__, docs.__getitem__,
                    None if sims is None else (lambda rows: {r: sims[r] for r in rows}), bar, 0.0, words, [], whole,
                    [whole] if whole else [])


def test_rank_appends_exact_matches_puts_them_first_and_drops_non_matches(plan_of):
    plan = plan_of("城市大脑", "bm25")
    texts = {1: "城市管理", 2: "城市大脑建设", 3: "大脑", 4: "城市大脑中枢"}
    docs = dict.fromkeys(texts, "d")
    ev = _evidence(texts, docs, None, float("inf"), ["城市", "大脑"], "城市大脑")
    ranking = rank(plan, {"bm25": [(1, 5.0), (2, 4.0), (3, 3.0)]}, [(2, 0.0), (4, 0.0)], ev, CFG, False)
    assert [r for r, _ in ranking.fused] == [2, 4]  # 1 and 3 hold one word of two, not enough once it occurs
    assert ranking.matches == {2: "exact", 4: "exact"}
    assert ranking.bm25_rank == {1: 1, 2: 2, 3: 3} and ranking.total == 2


def test_rank_keeps_semantic_hits_only_above_the_bar(plan_of):
    plan = plan_of("怎样让老人过得更好", "dense")
    texts = {1: "养老服务", 2: "交通", 3: "康养"}
    ev = _evidence(texts, dict.fromkeys(texts, "d"), {1: 0.9, 2: 0.5, 3: 0.85}, 0.8, ["老人"], "")
    ranking = rank(plan, {"dense": [(1, 0.9), (2, 0.5), (3, 0.85)]}, [], ev, CFG, False)
    assert [r for r, _ in ranking.fused] == [1, 3]
    assert ranking.dense_rank == {1: 1, 2: 2, 3: 3} and set(ranking.matches.values()) == {"semantic"}


def test_rank_interleaves_documents_for_comparisons_unless_grouped(plan_of):
    plan = plan_of("各地数字经济", "bm25")
    assert plan.intent.compare
    texts = {r: "数字经济" for r in range(1, 5)}
    docs = {1: "a", 2: "a", 3: "a", 4: "b"}
    ev = _evidence(texts, docs, None, float("inf"), ["数字经济"], "数字经济")
    lists = {"bm25": [(1, 4.0), (2, 3.0), (3, 2.0), (4, 1.0)]}
    assert [r for r, _ in rank(plan, lists, [], ev, CFG, False).fused] == [1, 4, 2, 3]
    assert [r for r, _ in rank(plan, lists, [], ev, CFG, True).fused] == [1, 2, 3, 4]


def test_partial_words_need_a_similarity_above_the_floor_and_unfound_words_are_named(plan_of):
    plan = plan_of("红烧肉的做法")
    texts = {1: "改革的做法", 2: "红烧肉做法"}
    ev = Evidence(texts.__getitem__, lambda r: "d", lambda rows: {1: 0.80, 2: 0.80}, 0.9, 0.86,
                  ["红烧肉", "做法"], [], "", [])
    ranking = rank(plan, {"bm25": [(1, 2.0)], "dense": [(1, 0.8)]}, [], ev, CFG, False)
    assert ranking.fused == [] and ranking.missing == ()
    ranking = rank(plan, {"bm25": [(1, 2.0), (2, 1.0)], "dense": [(1, 0.8)]}, [], ev, CFG, False)
    assert [r for r, _ in ranking.fused] == [2]
    ev = Evidence(texts.__getitem__, lambda r: "d", lambda rows: {1: 0.87}, 0.9, 0.86, ["红烧肉", "做法"], [], "", [])
    ranking = rank(plan, {"bm25": [(1, 2.0)], "dense": [(1, 0.87)]}, [], ev, CFG, False)
    assert ranking.matches == {1: "words"} and ranking.missing == ("红烧肉",)
    assert match_kind(0, 1, 2, None, 1.0, False, floor=0.86) == "words"  # bm25 mode: no similarity to ask


def test_rare_words_found_carry_a_partial_match_without_the_floor(plan_of):
    """棚户区 and 改造 are rare, 规划 is in every plan: a passage (or its headings) holding the
    rare ones matches on words; one holding only the common word needs the floor."""
    plan = plan_of("棚户区改造规划")
    weights = word_weights(["棚户区", "改造", "规划"], {"棚户区": 2, "改造": 40, "规划": 900}.__getitem__, 1000)
    assert weights["棚户区"] > weights["改造"] > weights["规划"] > 0
    texts = {1: "推进改造，完善规划", 2: "完善规划实施机制", 3: "推进老旧小区改造，完善规划"}
    heads = {1: "棚户区", 2: "", 3: ""}
    ev = Evidence(texts.__getitem__, lambda r: "d", lambda rows: dict.fromkeys(rows, 0.80), 0.9, 0.86,
                  list(weights), [], "", [], heads.__getitem__, weights)
    ranking = rank(plan, {"bm25": [(1, 3.0), (2, 2.0), (3, 1.0)], "dense": [(1, 0.8)]}, [], ev, CFG, False)
    assert ranking.matches == {1: "words"}  # 3 holds two words of three, but not the rare one
    assert coverage(weights, texts[1] + heads[1]) >= MIN_WORD_COVERAGE > coverage(weights, texts[3])
    assert coverage({}, "任何文字") == 0.0
    assert match_kind(0, 2, 3, 0.5, 0.9, False, floor=0.86, covered=MIN_WORD_COVERAGE) == "words"
    assert match_kind(0, 2, 3, 0.5, 0.9, False, floor=0.86, covered=0.5) is None


def test_a_feedback_run_is_fused_as_a_third_list(plan_of):
    plan = plan_of("怎样让老人过得更好", "dense")
    texts = {1: "养老服务", 2: "交通", 3: "康养", 4: "居家养老"}
    ev = _evidence(texts, dict.fromkeys(texts, "d"), {1: 0.9, 2: 0.5, 3: 0.85, 4: 0.86}, 0.8, ["老人"], "")
    dense = [(1, 0.9), (3, 0.85), (4, 0.84)]
    alone = rank(plan, {"dense": dense}, [], ev, CFG, False)
    fed = rank(plan, {"dense": dense, "feedback": [(4, 0.95), (1, 0.9)]}, [], ev, CFG, False)
    assert [r for r, _ in alone.fused] == [1, 3, 4]
    assert [r for r, _ in fed.fused] == [1, 4, 3]  # 4 is second in two lists, 3 third in one
    assert fed.dense_rank == alone.dense_rank  # the hit's dense rank stays the query's own


def test_feedback_moves_the_query_toward_the_top_passages_and_stays_a_unit_vector():
    q = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    top = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)
    moved = feedback_vector(q, top, 1.0)
    assert np.isclose(np.linalg.norm(moved), 1.0) and moved.dtype == np.float32
    assert moved[0] > moved[1] == moved[2] > 0
    assert np.allclose(feedback_vector(q, top, 0.0), q)


@pytest.mark.parametrize("bad", [{"feedback_passages": -1}, {"feedback_passages": 2.5},
                                 {"feedback_passages": 50}, {"feedback_weight": -0.1}, {"feedback_run_weight": 9}])
def test_feedback_settings_are_checked(tmp_path, bad):
    from indexer.config import ConfigError, config_from_dict

    with pytest.raises(ConfigError, match=r"search\.feedback"):
        config_from_dict({"search": bad}, base=tmp_path)


def test_the_shipped_config_gives_hybrid_questions_feedback(plan_of):
    from indexer.config import load_config

    assert load_config().search.feedback_passages > 0
    assert plan_of("老人以后谁来照顾？", "hybrid").feedback
    assert not plan_of("老人以后谁来照顾？", "dense").feedback
    assert not plan_of("城陵矶新港区", "hybrid").feedback
    assert not plan_of("各地数字经济发展目标是什么", "hybrid").feedback
