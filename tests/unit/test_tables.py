"""Indicator tables: header cells broken over lines are one cell, merged header cells are label
paths, merged category cells are inherited, a cell broken over lines is one cell, a row's name is
its own, and the notes under a table are notes, not rows. Each shape is pinned on a small text,
and on the real files."""

from __future__ import annotations

import re

import pytest

from indexer.documents.corpus import Document, DocumentInfo
from indexer.parse.model import PassageKind
from indexer.parse.parser import parse
from indexer.parse.tables import column_labels

INDICATOR = ("指标", "主要目标")


def tables(parsed):
    for doc_id, pd in parsed.items():
        for head in (p for p in pd.passages if p.kind == PassageKind.TABLE_HEADER):
            rows = [p for p in pd.passages
                    if p.kind == PassageKind.TABLE_ROW and p.section_ids[-1] == head.section_ids[-1]]
            yield doc_id, head, rows


def test_the_corpus_has_its_indicator_tables(parsed):
    titles = [head.section_path[-1] for _, head, _ in tables(parsed)
              if any(w in head.section_path[-1] for w in INDICATOR)]
    assert len(titles) >= 8, titles


def test_every_row_of_every_table_has_as_many_cells_as_its_header(parsed):
    for doc_id, head, rows in tables(parsed):
        assert rows, (doc_id, head.section_path[-1])
        for row in rows:
            assert len(row.cells) == len(head.cells), (doc_id, head.section_path[-1], head.cells, row.cells)


def test_changde_gdp_row_has_its_values_under_the_right_columns(parsed):
    pd = parsed["changde-14th-five-year-plan"]
    head = next(p for p in pd.passages if p.kind == PassageKind.TABLE_HEADER and p.section_path[-1].startswith("专栏2"))
    assert head.cells == ("指标类别", "序号", "指标名称", "2020年完成情况", "“十四五”目标 › 到2025年",
                          "“十四五”目标 › 年均增速", "指标属性")
    row = next(p for p in pd.passages if p.kind == PassageKind.TABLE_ROW and "地区生产总值（亿元）" in p.cells
               and p.section_ids[-1] == head.section_ids[-1])
    assert row.cells == ("经济发展", "1", "地区生产总值（亿元）", "3749.1", "5300", "7.5%", "预期性")
    assert "2025年 5300" in row.search_text and "2020年完成情况 3749.1" in row.search_text


def test_merged_category_cells_are_inherited_by_the_rows_below(parsed):
    pd = parsed["changde-14th-five-year-plan"]
    rows = [p for p in pd.passages if p.kind == PassageKind.TABLE_ROW and p.section_path[-1].startswith("专栏2")]
    assert [r.cells[0] for r in rows[:8]] == ["经济发展"] * 8
    assert rows[8].cells[0] == "创新驱动"


def test_a_category_split_by_blank_lines_is_one_cell(parsed):
    rows = [p for p in parsed["yueyang-14th-five-year-plan"].passages
            if p.kind == PassageKind.TABLE_ROW and p.section_path[-1].startswith("专栏2")]
    assert rows[0].cells[:3] == ("经济发展", "1", "地区生产总值增长（%）")


def test_a_sub_header_row_broken_by_a_blank_line_is_one_row(parsed):
    head = next(p for p in parsed["huaihua-14th-five-year-plan"].passages
                if p.kind == PassageKind.TABLE_HEADER and p.section_path[-1].startswith("专栏1"))
    assert head.cells[-4:] == ("规划目标 › 2020年", "规划目标 › 年均增速[累计]",
                               "实现情况 › 2020年", "实现情况 › 年均增速[累计]")


@pytest.mark.parametrize(("rows", "width", "labels"), [
    ([["a", "b", "c"]], 3, ["a", "b", "c"]),
    ([["指标", "目标", "属性"], ["", "2025年", "年均", ""]], 4, ["指标", "目标 › 2025年", "目标 › 年均", "属性"]),
    ([["序号", "计划", "实际"], ["2020年", "增速", "2020年", "增速"]], 5,
     ["序号", "计划 › 2020年", "计划 › 增速", "实际 › 2020年", "实际 › 增速"]),
])
def test_column_labels_from_stacked_header_rows(rows, width, labels):
    assert column_labels(rows, width) == labels


# --- each shape of the genre on a small text -------------------------------------------------

INFO = DocumentInfo(id="t", file="t.txt", title="某市规划纲要", short_title="某市", city="某市",
                    kind="规划纲要", period="十四五", year=2021)


def cells(*values: str) -> str:
    """A row as the scrapes print it: one tabbed line per cell, a blank line after the row."""
    return "".join(f"\t{v}\n" for v in values) + "\n"


def table(body: str) -> tuple[tuple[str, ...], list[tuple[str, ...]], list[str]]:
    """(header labels, rows' cells, notes) of the one table in a small document."""
    text = ("第一章 发展基础\n\n坚持稳中求进工作总基调，统筹发展和安全。\n\n\t专栏1：某市“十三五”主要指标完成情况\n\n"
            + body + "\n\n第二章 主要目标\n\n到2025年，经济总量再上新台阶。\n")
    pd = parse(Document(INFO, text))
    heads = [p for p in pd.passages if p.kind == PassageKind.TABLE_HEADER]
    rows = [p.cells for p in pd.passages if p.kind == PassageKind.TABLE_ROW]
    notes = [p.text for p in pd.passages if p.kind == PassageKind.TABLE_NOTE]
    return heads[0].cells, rows, notes


HEADER = (cells("类别", "序号", "指标名称", "2015年", "规划目标", "完成情况")
          + cells("", "", "", "", "2020年", "年均增速", "2020年", "年均增速"))
GDP = cells("经济发展", "1", "地区生产总值（亿元）", "2709", "4300左右", "9%左右", "3749.1", "7.2%")
REVENUE = cells("", "2", "一般公共预算收入（亿元）", "210.8", "330左右", "10%左右", "281.6", "5.99%")
# 1857.9 / （五年累计6348）: one cell over two lines, a blank line between, the second untabbed.
INVESTMENT = ("\t\n\t3\n\t固定资产投资（亿元）\n\t1857.9\n\n（五年累计6348）\n"
              + cells("五年累计≥15000", "17%左右", "五年累计10201.5", "11.7%"))


def test_merged_header_cells_become_label_paths():
    labels, _, _ = table(HEADER + GDP)
    assert labels == ("类别", "序号", "指标名称", "2015年", "规划目标 › 2020年", "规划目标 › 年均增速",
                      "完成情况 › 2020年", "完成情况 › 年均增速")


def test_a_cell_over_two_lines_is_one_cell_and_its_row_keeps_its_own_name():
    _, rows, _ = table(HEADER + GDP + REVENUE + INVESTMENT)
    assert rows == [
        ("经济发展", "1", "地区生产总值（亿元）", "2709", "4300左右", "9%左右", "3749.1", "7.2%"),
        ("经济发展", "2", "一般公共预算收入（亿元）", "210.8", "330左右", "10%左右", "281.6", "5.99%"),
        ("经济发展", "3", "固定资产投资（亿元）", "1857.9（五年累计6348）", "五年累计≥15000", "17%左右",
         "五年累计10201.5", "11.7%"),
    ]


def test_footnotes_under_a_table_are_its_notes_not_rows():
    notes = ("\t注：1. 因政策变动，2017年“互联网普及率”指标被“互联网普及率指数”取代；\n\n"
             "2. 城镇棚户区改造计划任务26.6万户，实际批复我市16.37万户；\n\n"
             "    3. 到2020年完成农村贫困人口脱贫44.3万人系建档立卡以来累计数。\n")
    _, rows, got = table(HEADER + GDP + REVENUE + notes)
    assert len(rows) == 2 and not any("注" in c or "批复" in c for r in rows for c in r)
    assert [n[:4] for n in got] == ["注：1.", "2. 城", "3. 到"]


def test_a_box_of_numbered_items_is_a_list_not_a_table_with_notes():
    text = ("第一章 发展基础\n\n\t专栏4：四大产业集群发展目标\n\n\t一、四大千亿产业集群\n\n"
            "1.工程机械：总产值达到1000亿元，打造世界工程机械配套基地。\n\n"
            "2.烟草：总产值达到1000亿元，打造全国烟草产业产城融合示范基地。\n\n\n第二章 主要目标\n")
    kinds = {p.kind for p in parse(Document(INFO, text)).passages}
    assert PassageKind.BOX_ITEM in kinds and not kinds & {PassageKind.TABLE_ROW, PassageKind.TABLE_NOTE}


def test_a_header_printed_again_inherits_nothing_and_short_rows_keep_their_attribute():
    header = cells("类别", "序号", "指标名称", "2020年", "2025年", "年均增速", "属性")
    first = cells("民生福祉", "18", "人均预期寿命（岁）", "77", "78", "—", "预期性")
    # After a page break the header comes again; 完成省下达任务 spans 2025年 and 年均增速.
    again = cells("绿色生态", "19", "单位GDP能源消耗降低（%）", "—", "完成省下达任务", "约束性")
    short = cells("2", "单位GDP二氧化碳排放降低（%）", "—", "完成省下达任务", "约束性")
    _, rows, _ = table(header + first + header + again + short)
    assert rows == [
        ("民生福祉", "18", "人均预期寿命（岁）", "77", "78", "—", "预期性"),
        ("绿色生态", "19", "单位GDP能源消耗降低（%）", "—", "完成省下达任务", "", "约束性"),
        ("绿色生态", "2", "单位GDP二氧化碳排放降低（%）", "—", "完成省下达任务", "", "约束性"),
    ]


def test_a_name_run_into_the_unit_column_is_one_name():
    header = cells("序号", "指标名称", "单位", "2020年", "2025年")
    row = cells("17", "地表水质量", "好于Ⅲ类水体比例", "%", "98.3", "96.8")
    rest = cells("18", "耕地保有量", "万亩", "479", "500") + cells("19", "森林覆盖率", "%", "45.3", "45.31")
    _, rows, _ = table(header + row + rest)
    assert rows[0] == ("17", "地表水质量 好于Ⅲ类水体比例", "%", "98.3", "96.8")


# --- the same rules on the real files ---------------------------------------------------------

def in_box(p, box: str) -> bool:
    return bool(re.match(rf"{box}(?!\d)", p.section_path[-1]))


def indicator_rows(parsed, doc_id: str, box: str):
    return [p for p in parsed[doc_id].passages if p.kind == PassageKind.TABLE_ROW and in_box(p, box)]


def test_changde_fixed_asset_investment_is_one_row_under_its_own_name(parsed):
    rows = indicator_rows(parsed, "changde-14th-five-year-plan", "专栏1")
    investment = [r for r in rows if r.cells[1] == "4"]
    assert [r.cells for r in investment] == [("经济发展", "4", "固定资产投资（亿元）", "1857.9（五年累计6348）",
                                              "五年累计≥15000", "17%左右", "五年累计10201.5", "11.7%")]
    assert [r.cells[1] for r in rows if r.cells[2] == "一般公共预算收入（亿元）"] == ["3"]
    assert "1857.9" in investment[0].text and "（五年累计6348）" in investment[0].text


@pytest.mark.parametrize(("doc_id", "box"), [
    ("changde-14th-five-year-plan", "专栏1"), ("changde-14th-five-year-plan", "专栏2"),
    ("huaihua-14th-five-year-plan", "专栏1"), ("huaihua-14th-five-year-plan", "专栏2"),
    ("yueyang-14th-five-year-plan", "专栏1"), ("yueyang-14th-five-year-plan", "专栏2"),
    ("jinshi-13th-five-year-plan", "表2-1"),
])
def test_indicator_rows_have_their_own_names_and_no_notes(parsed, doc_id, box):
    rows = indicator_rows(parsed, doc_id, box)
    head = next(p for p in parsed[doc_id].passages
                if p.kind == PassageKind.TABLE_HEADER and in_box(p, box))
    name = next(i for i, lb in enumerate(head.cells) if "名称" in lb or lb == "指标")
    names = [r.cells[name] for r in rows]
    assert all(names) and len(set(names)) == len(names), names
    assert not any(re.match(r"注|\d[.．]\D", c) for r in rows for c in r.cells)
    serials = [r.cells[head.cells.index("序号")] for r in rows] if "序号" in head.cells else []
    assert all(s.isdigit() for s in serials) and serials == sorted(serials, key=int)


@pytest.mark.parametrize(("doc_id", "box", "first"), [
    ("changde-14th-five-year-plan", "专栏1", "注：1."),
    ("huaihua-14th-five-year-plan", "专栏1", "注：1."),
    ("yueyang-14th-five-year-plan", "专栏1", "注：地区生产总值"),
    ("yueyang-14th-five-year-plan", "专栏2", "注：1."),
])
def test_the_footnotes_of_the_real_tables_are_notes(parsed, doc_id, box, first):
    notes = [p.text for p in parsed[doc_id].passages
             if p.kind == PassageKind.TABLE_NOTE and in_box(p, box)]
    assert notes and notes[0].replace(" ", "").startswith(first)
