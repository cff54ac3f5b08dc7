"""Hybrid search over the real corpus (fake embedder): keywords, phrases,
filters, preferences, citations, highlights."""

from __future__ import annotations

import dataclasses
import re

import pytest

from indexer.errors import QueryError
from indexer.query.intent import analyse
from indexer.query.syntax import parse_query
from indexer.search.results import highlight, table_highlights

WS = re.compile(r"\s")


def squash(text: str) -> str:
    return WS.sub("", text)


def test_keyword_search_puts_every_exact_occurrence_first(searcher):
    resp = searcher.search("城陵矶新港区", k=50)
    occurrences = [p for p in searcher.passages if "城陵矶新港区" in squash(p.text)]
    assert len(occurrences) >= 5
    top = resp.hits[: len(occurrences)]
    assert all("城陵矶新港区" in squash(h.passage.text) for h in top)
    assert {h.passage.passage_id for h in top} == {p.passage_id for p in occurrences}


def test_quoted_phrase_is_exact_and_required(searcher):
    resp = searcher.search("“五溪人才行动计划”", k=20)
    assert resp.hits
    assert all("五溪人才行动计划" in squash(h.passage.search_text) for h in resp.hits)
    assert resp.total == len([p for p in searcher.passages if "五溪人才行动计划" in squash(p.search_text)])


def test_exclusions_remove_passages(searcher):
    with_all = searcher.search("冷链物流", mode="bm25", k=100)
    without = searcher.search("冷链物流 -怀化", mode="bm25", k=100)
    assert any("怀化" in h.passage.search_text for h in with_all.hits)
    assert not any("怀化" in squash(h.passage.search_text) for h in without.hits)
    assert without.hits


def test_traditional_and_full_width_queries_match_simplified_text(searcher):
    simp = searcher.search("养老服务", mode="bm25", k=5)
    trad = searcher.search("養老服務", mode="bm25", k=5)
    assert [h.passage.passage_id for h in trad.hits] == [h.passage.passage_id for h in simp.hits]
    assert any("<mark>养老服务</mark>" in f for h in trad.hits for f in h.highlights)
    wide = searcher.search("ＧＤＰ", mode="bm25", k=3)
    assert wide.hits and "GDP" in wide.hits[0].passage.text


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_every_mode_returns_ranked_hits_with_ranks_explained(searcher, mode):
    resp = searcher.search("冷链物流基地", mode=mode, k=10)
    assert [h.rank for h in resp.hits] == list(range(1, 11))
    scores = [h.score for h in resp.hits]
    if mode == "hybrid":
        assert all(h.bm25_rank or h.dense_rank for h in resp.hits)
    if mode == "bm25":
        assert all(h.bm25_rank for h in resp.hits) and scores == sorted(scores, reverse=True)
    if mode == "dense":
        assert all(h.dense_rank for h in resp.hits) and all(h.bm25_rank is None for h in resp.hits)


def test_results_are_deterministic(searcher):
    a = [h.passage.passage_id for h in searcher.search("乡村振兴 产业", k=20).hits]
    b = [h.passage.passage_id for h in searcher.search("乡村振兴 产业", k=20).hits]
    assert a == b


def test_filters_restrict_documents(searcher):
    for kwargs, allowed in [
        ({"doc_ids": ["jinshi-13th-five-year-plan"]}, {"jinshi-13th-five-year-plan"}),
        ({"city": ["常德"]}, {"changde-14th-five-year-plan", "changde-2021-government-work-report"}),
        ({"kind": ["政府工作报告"]}, {"changde-2021-government-work-report"}),
        ({"period": ["十三五"]}, {"jinshi-13th-five-year-plan"}),
    ]:
        for mode in ("hybrid", "bm25", "dense"):
            resp = searcher.search("产业发展", mode=mode, k=30, **kwargs)
            assert resp.hits and {h.passage.doc_id for h in resp.hits} <= allowed


@pytest.mark.parametrize("kwargs", [{"doc_ids": ["nope"]}, {"city": ["北京"]}, {"kind": ["x"]},
                                    {"period": ["十二五"]}, {"mode": "fuzzy"}, {"k": 0}, {"k": 101},
                                    {"offset": -1}, {"group": "city"}])
def test_bad_parameters_are_query_errors(searcher, kwargs):
    with pytest.raises(QueryError):
        searcher.search("产业", **kwargs)


def test_a_named_city_is_preferred_and_reported(searcher):
    resp = searcher.search("岳阳 夜间经济", k=5)
    assert resp.preferred and resp.preferred["documents"] == ["yueyang-14th-five-year-plan"]
    assert resp.hits[0].passage.doc_id == "yueyang-14th-five-year-plan"
    plain = searcher.search("夜间经济", k=5)
    assert plain.preferred is None


def test_intent_names_documents_and_sections(catalog):
    intent = analyse("常德政府工作报告中关于安全生产的部分", catalog)
    assert intent.preferred_docs == ("changde-2021-government-work-report",)
    assert intent.section and "常德" not in intent.lexical_text
    question = analyse("老人以后谁来照顾？", catalog)
    assert question.question and not question.preferred_docs
    assert analyse("岳阳 夜间经济", catalog, filtered=True).preferred_docs == ()


def test_grouping_by_document(searcher):
    resp = searcher.search("冷链物流", k=3, group="doc")
    assert resp.groups and len(resp.groups) >= 4
    for g in resp.groups:
        assert 1 <= len(g["results"]) <= 3
        assert {h.passage.doc_id for h in g["results"]} == {g["doc_id"]}


def test_pagination_walks_the_same_ranking(searcher):
    first = searcher.search("生态环境", k=10).hits
    second = searcher.search("生态环境", k=10, offset=10).hits
    both = searcher.search("生态环境", k=20).hits
    assert [h.passage.passage_id for h in first + second] == [h.passage.passage_id for h in both]
    assert second[0].rank == 11


def test_hits_carry_exact_citations(searcher, catalog):
    hits = searcher.search("城陵矶新港区", k=10).hits
    heading = next(h for h in hits if h.passage.kind == "heading")
    assert heading.citation().endswith(" > ".join(heading.passage.section_path) + "。" + heading.url)
    hit = next(h for h in hits if h.passage.kind == "paragraph")
    data = hit.to_json("https://plans.example")
    text = catalog.read(data["doc_id"]).text
    assert text[data["start"]:data["end"]] == data["text"]
    assert data["source"] == f"{data['doc_id']}.txt"
    assert data["citation"].startswith(f"《{data['title']}》")
    assert " > ".join(data["section_path"]) in data["citation"]
    assert re.search(r"，第\d+段。https://plans\.example/doc/", data["citation"])
    assert data["url"] == f"/doc/{data['doc_id']}#{data['passage_id']}"


def test_section_path_of_a_hit_is_the_heading_chain(searcher):
    hit = searcher.search("湘西北LNG储备基地", k=1).hits[0]
    assert hit.passage.section_path[:3] == ("第四篇 规划实施保障", "第十六章 提升资源动员和配置能力",
                                            "第三节 提升能源保障水平")


def test_highlights_mark_terms_and_escape_everything_else():
    frags = highlight("<b>发展</b>夜间经济。其他句子。", ["夜间经济"])
    assert frags == ["&lt;b&gt;发展&lt;/b&gt;<mark>夜间经济</mark>。"]
    assert highlight("没有匹配的句子。第二句。", ["无"]) == ["没有匹配的句子。"]


def test_parse_query_syntax():
    pq = parse_query('冷链 "物流基地" -怀化 -"国家骨干"')
    assert pq.terms == "冷链" and pq.phrases == ("物流基地",) and pq.excluded == ("怀化", "国家骨干")
    assert parse_query("“城市大脑”").phrases == ("城市大脑",)
    unbalanced = parse_query('"城市大脑')
    assert unbalanced.terms == "城市大脑" and unbalanced.notes
    assert parse_query("A AND B OR (C").terms == "A AND B OR (C"


def test_a_common_keyword_reaches_every_passage_holding_it(searcher):
    """More occurrences than BM25 candidates: all are still found, exact ones first."""
    holding = {p.passage_id for p in searcher.passages if "生态" in squash(p.search_text)}
    assert len(holding) > searcher.cfg.search.candidates
    resp = searcher.search("生态", mode="bm25", k=100, offset=0)
    assert resp.total >= len(holding)
    ranked = [h.passage.passage_id for h in resp.hits]
    assert set(ranked) <= holding
    last = searcher.search("生态", mode="bm25", k=100, offset=len(holding) - 100).hits
    assert {h.passage.passage_id for h in last} <= holding


def test_a_comparison_question_spreads_the_top_over_the_cities(searcher, catalog):
    assert analyse("各城市发展夜间经济有什么计划？", catalog).compare
    assert not analyse("岳阳各县夜间经济", catalog).compare  # one city named: no comparison
    resp = searcher.search("各城市发展夜间经济有什么计划？", k=5)
    assert len({h.passage.doc_id for h in resp.hits}) >= 4


def test_a_table_row_hit_shows_its_values_under_their_column_labels(searcher, client):
    row = next(p for p in searcher.passages if p.kind == "table_row" and "5300" in p.cells
               and "地区生产总值（亿元）" in p.cells)
    shown = table_highlights(row, searcher.store.table_labels[row.section_ids[-1]], ["5300", "地区生产总值"])[0]
    assert "“十四五”目标 › 到2025年 <mark>5300</mark>" in shown and "2020年完成情况 3749.1" in shown
    hits = client.get("/api/search", query_string={"q": "常德 地区生产总值 5300", "mode": "bm25"}).get_json()["results"]
    assert any("<mark>5300</mark>" in h["highlights"][0] and h["kind"] == "table_row" for h in hits)


@pytest.mark.parametrize(("query", "gone"), [
    ("冷链物流 -怀化", {"huaihua-14th-five-year-plan"}),
    ("冷链物流 -常德政府工作报告", {"changde-2021-government-work-report"}),
])
def test_excluding_a_place_or_document_excludes_its_documents(searcher, query, gone):
    r = searcher.search(query, k=50)
    assert r.hits and not gone & {h.passage.doc_id for h in r.hits}
    assert any(n.startswith("已排除文件：") for n in r.notes)


def test_excluding_an_ordinary_word_excludes_no_document(searcher):
    r = searcher.search("冷链物流 -物流园", k=10)
    assert not any(n.startswith("已排除文件") for n in r.notes)


def test_convex_weights_follow_the_run_not_its_position(fake_cfg, searcher, monkeypatch):
    """In bm25 mode the headings run is lexical: it takes convex_weight_bm25, not the dense share
    (the old code weighted the second list as if it were the dense one)."""
    from dataclasses import replace

    import indexer.search.ranking as ranking_module
    from indexer.search.searcher import Searcher

    cfg = replace(fake_cfg, search=replace(fake_cfg.search, fusion="convex", convex_weight_bm25=0.8))
    s = Searcher(cfg, embedder=searcher.embedder)
    seen: list[list[float]] = []
    real = ranking_module.convex
    def spy(lists, weights):
        seen.append(list(weights))
        return real(lists, weights)

    monkeypatch.setattr(ranking_module, "convex", spy)
    s.search("产业发展的章节", mode="bm25")
    s.search("产业发展的章节", mode="hybrid")
    assert seen[0] == pytest.approx([0.8, 0.8])
    assert seen[1] == pytest.approx([0.8, 0.2, 0.8])


def _floor(searcher, monkeypatch, floor: float) -> None:
    monkeypatch.setattr(searcher, "cfg", dataclasses.replace(
        searcher.cfg, search=dataclasses.replace(searcher.cfg.search, semantic_floor=floor)))


def test_a_query_no_plan_answers_shows_the_empty_state_with_suggestions_apart(searcher, client, monkeypatch):
    _floor(searcher, monkeypatch, 1.01)  # above any cosine: only the words can match
    body = client.get("/api/search", query_string={"q": "如何烤一个巧克力蛋糕"}).get_json()
    assert body["total"] == 0 and body["results"] == []
    assert body["suggestions"] and all(s["url"].startswith("/doc/") for s in body["suggestions"])
    page = client.get("/", query_string={"q": "如何烤一个巧克力蛋糕"}).get_data(as_text=True)
    assert "没有找到" in page and "不算匹配" in page and body["suggestions"][0]["url"] in page
    assert "共 0 条匹配" in page


def test_a_partly_answered_query_names_the_words_not_found(searcher, client, monkeypatch):
    _floor(searcher, monkeypatch, -1.0)
    body = client.get("/api/search", query_string={"q": "数字经济 区块链 咖啡"}).get_json()
    assert body["total"] > 0 and body["missing_words"] == ["咖啡"] and "suggestions" not in body
    assert any("咖啡" in n for n in body["notes"])
    page = client.get("/", query_string={"q": "数字经济 区块链 咖啡"}).get_data(as_text=True)
    assert "部分检索词没有找到：咖啡" in page
    assert "missing_words" not in client.get("/api/search", query_string={"q": "城市大脑"}).get_json()


def test_warm_up_answers_every_mode_and_wakes_every_pooled_embedder(fake_cfg, monkeypatch):
    from indexer.embed.embedders import FakeEmbedder
    from indexer.embed.query_pool import EmbedderPool
    from indexer.query.request import MODES
    from indexer.search.searcher import Searcher

    woken: list[int] = []

    class Counting(FakeEmbedder):
        def embed_query(self, text):
            woken.append(id(self))
            return super().embed_query(text)

    pool = EmbedderPool(lambda: Counting(fake_cfg.embedding), size=2)
    s = Searcher(fake_cfg, embedder=pool)
    modes: list[str] = []
    run = s.run
    monkeypatch.setattr(s, "run", lambda req: modes.append(req.mode) or run(req))
    try:
        s.warm_up()
    finally:
        s.close()
    assert set(woken) == {id(m) for m in pool.members}
    assert sorted(modes) == sorted(MODES)


def test_questions_get_a_feedback_run_and_other_queries_rank_as_before(fake_cfg, searcher, monkeypatch):
    from indexer.backends.local.indexes import Query
    from indexer.embed.embedders import FakeEmbedder
    from indexer.search.searcher import Searcher

    cfg = dataclasses.replace(fake_cfg, search=dataclasses.replace(fake_cfg.search, feedback_passages=3))
    fed = Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))
    asked: list[str] = []
    original = Query.with_feedback

    def recording(self, rows, weight):
        asked.append(self.plan.request.q)
        assert len(rows) == 3 and weight == cfg.search.feedback_weight
        return original(self, rows, weight)

    monkeypatch.setattr(Query, "with_feedback", recording)
    try:
        question = "老人以后谁来照顾？"
        assert fed.search(question).hits
        for query in ["城陵矶新港区", "各地数字经济发展目标"]:
            ids = [h.passage.passage_id for h in fed.search(query).hits]
            assert ids == [h.passage.passage_id for h in searcher.search(query).hits]
        assert fed.search(question, mode="bm25").hits and fed.search(question, mode="dense").hits
        assert asked == [question]
    finally:
        fed.close()
