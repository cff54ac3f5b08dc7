"""Indicator tables on the real files: header cells broken over lines are one cell, merged
category cells are inherited, and every row lines up with its column headers."""

from __future__ import annotations

import pytest

from indexer.parse.tables import column_labels

INDICATOR = ("指标", "主要目标")


def tables(parsed):
    for doc_id, pd in parsed.items():
        for head in (p for p in pd.passages if p.kind == "table_header"):
            rows = [p for p in pd.passages if p.kind == "table_row" and p.section_ids[-1] == head.section_ids[-1]]
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
    head = next(p for p in pd.passages if p.kind == "table_header" and p.section_path[-1].startswith("专栏2"))
    assert head.cells == ("指标类别", "序号", "指标名称", "2020年完成情况", "“十四五”目标 到2025年",
                          "“十四五”目标 年均增速", "指标属性")
    row = next(p for p in pd.passages if p.kind == "table_row" and "地区生产总值（亿元）" in p.cells
               and p.section_ids[-1] == head.section_ids[-1])
    assert row.cells == ("经济发展", "1", "地区生产总值（亿元）", "3749.1", "5300", "7.5%", "预期性")
    assert "2025年 5300" in row.search_text and "2020年完成情况 3749.1" in row.search_text


def test_merged_category_cells_are_inherited_by_the_rows_below(parsed):
    pd = parsed["changde-14th-five-year-plan"]
    rows = [p for p in pd.passages if p.kind == "table_row" and p.section_path[-1].startswith("专栏2")]
    assert [r.cells[0] for r in rows[:8]] == ["经济发展"] * 8
    assert rows[8].cells[0] == "创新驱动"


def test_a_category_split_by_blank_lines_is_one_cell(parsed):
    rows = [p for p in parsed["yueyang-14th-five-year-plan"].passages
            if p.kind == "table_row" and p.section_path[-1].startswith("专栏2")]
    assert rows[0].cells[:3] == ("经济发展", "1", "地区生产总值增长（%）")


def test_a_sub_header_row_broken_by_a_blank_line_is_one_row(parsed):
    head = next(p for p in parsed["huaihua-14th-five-year-plan"].passages
                if p.kind == "table_header" and p.section_path[-1].startswith("专栏1"))
    assert head.cells[-4:] == ("规划目标 2020年", "规划目标 年均增速[累计]",
                               "实现情况 2020年", "实现情况 年均增速[累计]")


@pytest.mark.parametrize(("rows", "width", "labels"), [
    ([["a", "b", "c"]], 3, ["a", "b", "c"]),
    ([["指标", "目标", "属性"], ["", "2025年", "年均", ""]], 4, ["指标", "目标 2025年", "目标 年均", "属性"]),
    ([["序号", "计划", "实际"], ["2020年", "增速", "2020年", "增速"]], 5,
     ["序号", "计划 2020年", "计划 增速", "实际 2020年", "实际 增速"]),
])
def test_column_labels_from_stacked_header_rows(rows, width, labels):
    assert column_labels(rows, width) == labels
