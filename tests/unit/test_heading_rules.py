"""Each heading shape of the genre, one small text per shape, and heading soups that must never raise."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.documents.corpus import Document, DocumentInfo
from indexer.parse.heading_rules import HEADING_RULES, LEVEL_NAMES, RANKS
from indexer.parse.parser import parse

BODY = "坚持稳中求进工作总基调，统筹发展和安全，推动经济实现质的有效提升和量的合理增长，确保各项任务落到实处。"


def doc(text: str):
    info = DocumentInfo(id="t", file="t.txt", title="t", short_title="t", city="某市", kind="政府工作报告",
                        period="十五五", year=2026)
    return parse(Document(info, text))


def outline(text: str) -> list[tuple[str, str]]:
    return [(s.level, s.title) for s in doc(text).walk() if s.level != "lead"]


def test_every_level_has_a_name_and_a_rank():
    for rule in HEADING_RULES:
        assert LEVEL_NAMES[rule.level] and rule.level in RANKS


def test_chapter_with_no_space_after_its_marker():
    assert outline(f"第一章发展环境\n{BODY}\n第二章总体要求\n{BODY}\n") == [
        ("zhang", "第一章发展环境"), ("zhang", "第二章总体要求")]


def test_chapter_heading_sharing_its_line_with_the_first_sentence():
    pd = doc(f"第一章 发展环境 {BODY}\n第二章 总体要求\n{BODY}\n")
    assert [(s.level, s.title) for s in pd.walk()][:2] == [("zhang", "第一章 发展环境"), ("zhang", "第二章 总体要求")]
    assert BODY in pd.passages[0].text


def test_paren_items_on_their_own_line_ending_with_a_full_stop():
    assert outline(f"一、工作回顾\n（一）坚持创新驱动，加快产业升级。\n{BODY}\n（二）扩大内需。\n{BODY}\n") == [
        ("cn_item", "一、工作回顾"), ("paren_item", "（一）坚持创新驱动，加快产业升级"),
        ("paren_item", "（二）扩大内需")]


def test_run_in_paren_item_keeps_the_body_in_its_passage():
    pd = doc(f"一、工作安排\n（二）坚持创新驱动，加快产业升级。全面实施{BODY}\n")
    item = next(s for s in pd.walk() if s.level == "paren_item")
    assert item.title == "（二）坚持创新驱动，加快产业升级"
    assert pd.passages[item.first_passage].text.startswith("（二）坚持创新驱动，加快产业升级。全面实施")


def test_heading_split_after_its_opening_bracket():
    assert ("paren_item", "（二）加快产业升级") in outline(f"（一）扩大内需\n{BODY}\n（\n二）加快产业升级\n{BODY}\n")


def test_ascii_parentheses():
    assert outline(f"(四)推进乡村振兴\n{BODY}\n") == [("paren_item", "(四)推进乡村振兴")]


def test_unnumbered_parts_above_paren_items():
    text = (f"各位代表：\n{BODY}\n过去一年工作回顾\n（一）稳住经济大盘\n{BODY}\n（二）扩大内需\n{BODY}\n"
            f"今年工作安排\n（一）抓好项目\n{BODY}\n")
    got = outline(text)
    assert [t for lv, t in got if lv == "part"] == ["过去一年工作回顾", "今年工作安排"]
    pd = doc(text)
    second = [s for s in pd.walk() if s.level == "part"][1]
    assert [c.title for c in second.children] == ["（一）抓好项目"]


def test_title_is_not_taken_from_web_furniture_or_a_newspaper_index_line():
    text = (f"下载\n打印\n全屏\n收藏\n人民日报 2021年03月13日 第1版\n某市2026年政府工作报告\n"
            f"——2026年1月5日在某市第一届人民代表大会上\n来源：某日报\n各位代表：\n{BODY}\n相关报道：\n某新闻标题\n")
    pd = doc(text)
    assert [s.title for s in pd.walk() if s.level == "title"] == ["某市2026年政府工作报告"]
    joined = "".join(p.text for p in pd.passages)
    assert "下载" not in joined and "人民日报" not in joined and "某新闻标题" not in joined and "来源" not in joined


def test_a_table_of_contents_is_neither_headings_nor_body():
    text = (f"某市规划纲要\n目  录\n第一章 发展基础……1\n第二章 总体要求……5\n第三章 主要任务……9\n"
            f"第一章 发展基础\n{BODY}\n第二章 总体要求\n{BODY}\n第三章 主要任务\n{BODY}\n")
    pd = doc(text)
    chapters = [s.title for s in pd.walk() if s.level == "zhang"]
    assert chapters == ["第一章 发展基础", "第二章 总体要求", "第三章 主要任务"]
    assert [s.level for s in pd.sections][:2] == ["title", "toc"]
    assert not any("……" in p.text for p in pd.passages)


def test_numbered_glossary_and_appendix_are_not_items_of_the_text_around_them():
    text = (f"一、工作安排\n（一）抓好项目\n{BODY}\n附件\n民生实事\n1.新建学校10所。\n2.改造老旧小区100个。\n"
            f"名词解释\n1.“两新”：设备更新和以旧换新。\n2.“两重”：重大战略和重点领域。\n")
    pd = doc(text)
    roots = [(s.level, s.title) for s in pd.sections]
    assert roots == [("cn_item", "一、工作安排"), ("appendix", "附件 民生实事"), ("appendix", "名词解释")]
    assert len(pd.sections[1].children) == 2 and len(pd.sections[2].children) == 2


def test_footnote_markers_stay_in_the_text_but_not_in_search_text():
    pd = doc(f"一、工作回顾\n推进“两新”［1］工作，{BODY}\n注释\n［1］“两新”：设备更新和以旧换新。\n")
    first = next(p for p in pd.passages if "两新" in p.text)
    assert "［1］" in first.text and "［1］" not in first.search_text and "“两新”工作" in first.search_text
    assert ("appendix", "注释") in [(s.level, s.title) for s in pd.sections]


def test_ocr_spacing_in_numbers():
    pd = doc(f"第一章 2 0 0 1年以来的发展\n{BODY}\n")
    assert pd.sections[0].title == "第一章 2001年以来的发展"
    assert "2001年" in pd.passages[0].search_text


def test_a_document_with_no_headings_still_gets_passages():
    pd = doc((BODY * 3 + "\n") * 5)
    assert pd.sections == [] and len(pd.passages) >= 5
    assert all(pd.text[p.start:p.end] == p.text for p in pd.passages)


SHAPES = ["第一章", "第二节", "第三篇", "一、", "（二）", "(三)", "三是", "4.", "前言", "目录", "附件", "名词解释",
          "注释", "专栏1", "表2", "图3", "（", "二）", "下载", "来源：", "相关报道：", "［1］", "——", "\t", "\t\t", " "]
WORDS = ["加快发展", "。", "，", "坚持创新驱动", BODY, "2 0 0 1年", "", "：", "“十四五”", "5300", "7.5%"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SHAPES), st.lists(st.sampled_from(WORDS), max_size=4),
                          st.sampled_from(["\n", "\r\n", "\n\n", " "])), max_size=40))
def test_heading_soups_never_raise_and_offsets_hold(lines):
    text = "".join(shape + "".join(words) + end for shape, words, end in lines)
    pd = doc(text or " ")
    for p in pd.passages:
        assert pd.text[p.start:p.end] == p.text
    for s in pd.walk():
        assert 0 <= s.start <= s.end <= len(pd.text)


def test_run_in_cn_items_but_not_a_list_of_numerals():
    got = outline(f"一、坚持稳中求进，经济运行持续向好。{BODY}\n一、二、三产业比例调整为10:40:50。{BODY}\n")
    assert got == [("cn_item", "一、坚持稳中求进，经济运行持续向好")]


def test_numbered_parts():
    got = outline(f"第一部分 总体要求\n{BODY}\n一、指导思想\n{BODY}\n第二部分　主要任务\n（一）扩大内需\n{BODY}\n")
    assert got == [("bufen", "第一部分 总体要求"), ("cn_item", "一、指导思想"), ("bufen", "第二部分 主要任务"),
                   ("paren_item", "（一）扩大内需")]
