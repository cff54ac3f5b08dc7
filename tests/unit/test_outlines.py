"""Outline truth on real files: the five Hunan documents stay exactly as they were, and the
13 provincial reports (scraped pages, boilerplate and all) come out as read by a person."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from indexer.documents.corpus import Catalog, Document
from indexer.parse.parser import parse
from tests.conftest import ROOT

DATA = Path(__file__).parent / "data"
PROVINCES = ROOT / "collections" / "provinces"
TRUTH = yaml.safe_load((DATA / "provinces-outlines.yaml").read_text(encoding="utf-8"))
FURNITURE = re.compile(r"^(?:下载|打印|全屏|收藏|加大|还原|减小|相关报道：|分享[:：]|首页|>"
                       r"|来源[:：].*|时间[:：].*|责任编辑：|扫一扫在手机打开当前页|打印本页|关闭窗口)$")


@pytest.fixture(scope="module")
def provinces() -> Catalog:
    return Catalog.load(PROVINCES)


@pytest.fixture(scope="module")
def parsed_provinces(provinces):
    return {d.id: parse(d) for d in provinces.documents()}


def _tree(sections: list[dict]) -> list[dict]:
    return [{"title": s["title"], "level": s["level"], "start": s["start"], "end": s["end"],
             "children": _tree(s["children"])} for s in sections]


def test_the_five_hunan_outlines_are_unchanged(parsed):
    """Every heading, level, offset and nesting as before the rule table; the one deliberate
    change: 常德's 名词解释 is its own appendix section instead of items of the last chapter."""
    expected = json.loads((DATA / "hunan-outlines.json").read_text(encoding="utf-8"))
    for doc_id, pd in parsed.items():
        assert _tree([s.to_json() for s in pd.sections]) == expected[doc_id], doc_id


def test_changde_glossary_is_an_appendix_not_items_of_the_last_chapter(parsed):
    roots = parsed["changde-14th-five-year-plan"].sections
    glossary = roots[-1]
    assert (glossary.level, glossary.title) == ("appendix", "名词解释")
    assert len([c for c in glossary.children if c.level == "num_item"]) == 19


def test_all_thirteen_reports_have_a_truth(provinces):
    assert sorted(TRUTH) == provinces.ids and len(TRUTH) == 13


@pytest.mark.parametrize("doc_id", sorted(TRUTH))
def test_provincial_outline_counts_and_headings_as_printed(parsed_provinces, doc_id):
    pd = parsed_provinces[doc_id]
    truth = TRUTH[doc_id]
    counts = pd.count_levels()
    assert {k: counts.get(k, 0) for k in truth["counts"]} == truth["counts"]
    for level, titles in truth["headings"].items():
        assert [s.title for s in pd.walk() if s.level == level] == titles, level


@pytest.mark.parametrize("doc_id", sorted(TRUTH))
def test_page_furniture_is_in_no_passage_and_not_the_title(parsed_provinces, doc_id):
    pd = parsed_provinces[doc_id]
    title = next(s.title for s in pd.walk() if s.level == "title")
    assert "政府工作报告" in title and not re.search(r"下载|打印|全屏|收藏|分享|首页", title)
    for p in pd.passages:
        for line in p.text.splitlines():
            assert not FURNITURE.match(line.strip()), (p.passage_id, line)
        assert "本报记者" not in p.text and "扫一扫" not in p.text


def test_sichuan_tail_and_repeated_teaser_are_furniture(parsed_provinces):
    passages = parsed_provinces["sichuan-2026-government-work-report"].passages
    assert passages[-1].text.startswith("20.“一件事”全链条专项整治")
    assert sum(p.text.startswith("各位代表：") for p in passages) == 1


def test_shaanxi_breadcrumbs_and_repeated_title_are_furniture(parsed_provinces):
    pd = parsed_provinces["shaanxi-2026-government-work-report"]
    fronts = [p.text for p in pd.passages if p.kind == "front_matter"]
    assert fronts[0] == "陕西省2026年政府工作报告"
    assert not any(t in ("政府信息公开", "省政府工作报告", "陕西省人民政府") for t in fronts)
    assert sum(p.text == "陕西省2026年政府工作报告" for p in pd.passages) == 1


def test_run_in_heading_keeps_its_body_in_the_passage(parsed_provinces):
    pd = parsed_provinces["chongqing-2026-government-work-report"]
    first = next(s for s in pd.walk() if s.level == "paren_item")
    assert first.title == "（一）着力推动“四稳”政策落地"
    body = pd.passages[first.first_passage]
    assert body.text.startswith("（一）着力推动“四稳”政策落地。面对供强需弱")
    assert body.section_path[-1] == first.title


def test_broken_lines_join_into_one_passage(parsed_provinces):
    """A scrape that broke lines at inline markup (PM / 2.5 / 年平均浓度, 揭榜 / 挂帅) reads as one paragraph."""
    gd = parsed_provinces["guangdong-2026-government-work-report"].passages
    assert any("2.5" in p.text and "年平均浓度" in p.text for p in gd)
    assert any(p.text.startswith("“十五五”时期经济社会发展的") and "主要目标" in p.text
               and "地区生产总值年均增长" in p.text for p in gd)
    sc = parsed_provinces["sichuan-2026-government-work-report"].passages
    assert not any(p.text.strip() in ("揭榜", "。") for p in sc)


@pytest.mark.parametrize("doc_id", ["guangdong-2026-government-work-report", "zhejiang-2026-government-work-report"])
@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-16"])
def test_outline_is_the_same_in_every_encoding_and_with_crlf(provinces, parsed_provinces, doc_id, encoding, tmp_path):
    """Offsets index the decoded text; CRLF keeps its \\r, so offsets shift by one per line above."""
    text = provinces.read(doc_id).text
    path = tmp_path / "x.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    from indexer.documents import textfile

    decoded = textfile.read(path)
    doc = Document(provinces.info(doc_id), decoded.text, decoded.encoding)
    got, want = parse(doc), parsed_provinces[doc_id]
    flat = [(s.level, s.title) for s in got.walk()]
    assert flat == [(s.level, s.title) for s in want.walk()]
    for p in got.passages:
        assert decoded.text[p.start:p.end] == p.text
    line_of = {s.title: want.text.count("\n", 0, s.start) for s in want.walk()}
    for s in got.walk():
        assert s.start == next(w.start for w in want.walk() if w.title == s.title) + line_of[s.title]


def test_provincial_offsets_round_trip(parsed_provinces):
    for pd in parsed_provinces.values():
        for p in pd.passages:
            assert pd.text[p.start:p.end] == p.text
