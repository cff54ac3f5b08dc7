"""A question with Arabic numbers finds a 1990s plan that writes them in Chinese numerals, and
the other way round, on a real build (fake embedder, BM25 only so the words decide)."""

from __future__ import annotations

import yaml

from indexer.build.pipeline import build_index
from indexer.embed.embedders import FakeEmbedder
from indexer.search.searcher import Searcher
from tests.conftest import make_config, quiet

OLD_PLAN = """国民经济和社会发展十年规划和第八个五年计划纲要

一、主要任务和经济发展目标

到二○○○年，国民生产总值按一九九○年价格计算，要比一九八○年翻两番，达到两万八千亿元左右。

今后十年国民生产总值平均每年增长百分之六左右，第八个五年计划期间平均每年增长百分之五到百分之六。

二、农业和农村经济

粮食产量到二○○○年达到五千亿公斤左右，棉花产量达到五千二百五十万担。
"""


def test_arabic_questions_find_chinese_numerals(small_corpus, tmp_path):
    (small_corpus / "national-8th-plan.txt").write_text(OLD_PLAN, encoding="utf-8")
    catalog = small_corpus / "catalog.yaml"
    raw = yaml.safe_load(catalog.read_text(encoding="utf-8"))
    raw["documents"].append({"id": "national-8th-plan", "file": "national-8th-plan.txt",
                             "title": "国民经济和社会发展十年规划和第八个五年计划纲要",
                             "short_title": "“八五”计划纲要", "city": "全国", "kind": "规划纲要",
                             "period": "八五", "year": 1991})
    catalog.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    cfg = make_config(tmp_path, small_corpus)
    build_index(cfg, embedder=FakeEmbedder(cfg.embedding), progress=False, log=quiet)
    s = Searcher(cfg, embedder=FakeEmbedder(cfg.embedding))
    try:
        for query, printed in [("到2000年国民生产总值要达到多少", "两万八千亿元"),
                               ("国民生产总值年均增长6%", "百分之六左右"),
                               ("粮食产量5000亿公斤", "五千亿公斤")]:
            hits = s.search(query, mode="bm25", doc_ids=["national-8th-plan"]).hits
            assert hits and printed in hits[0].passage.text, (query, [h.passage.text for h in hits[:3]])
    finally:
        s.close()
