"""Indicator records: figures read as printed, roles from label paths, and the records of the
real plans' 主要指标 tables and of the work reports' stated targets."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.documents.corpus import Catalog
from indexer.indicators.names import indicator_key
from indexer.indicators.records import document_records
from indexer.indicators.roles import column_role, plan_years
from indexer.indicators.store import IndicatorQuery, select
from indexer.indicators.values import Quantity, parse_value
from indexer.parse.parser import parse

PROVINCES = Path(__file__).resolve().parents[2] / "collections" / "provinces"
PLANS = ("changde-14th-five-year-plan", "huaihua-14th-five-year-plan", "jinshi-13th-five-year-plan",
         "yueyang-14th-five-year-plan")


@pytest.mark.parametrize(("text", "number", "unit", "qualifiers"), [
    ("4300左右", 4300, "", ("左右",)),
    ("五年累计≥15000", 15000, "", ("五年累计", "≥")),
    ("[13.98]", 13.98, "", ("累计",)),
    ("［-25%］", -25, "%", ("累计",)),
    ("＞50", 50, "", (">",)),
    ("＜5.6", 5.6, "", ("<",)),
    ("≤0.6", 0.6, "", ("≤",)),
    ("8%以上", 8, "%", ("以上",)),
    ("5.5以内", 5.5, "", ("以内",)),
    ("≥10000美元", 10000, "美元", ("≥",)),
    ("2个百分点左右", 2, "个百分点", ("左右",)),
    ("30万元/人左右", 30, "万元/人", ("左右",)),
    ("4.5%—5%", 4.5, "%", ("区间",)),
])
def test_a_figure_is_a_number_with_its_unit_and_qualifiers(text, number, unit, qualifiers):
    q = parse_value(text)
    assert (q.number, q.unit, q.qualifiers, q.text) == (number, unit, qualifiers, text)


def test_a_range_keeps_both_ends_and_an_aside_is_its_own_figure():
    assert parse_value("4.5%—5%").high == 5
    q = parse_value("1857.9（五年累计6348）")
    assert q.number == 1857.9 and q.aside == Quantity("五年累计6348", 6348, None, "", ("五年累计",))


@pytest.mark.parametrize("text", ["—", "——", "持续改善", "完成省下达任务", "城镇24513农村11744", "固宽70移宽85",
                                  "以省反馈为准", "", "不低于全省平均水平"])
def test_what_is_not_one_number_stays_text(text):
    q = parse_value(text)
    assert q.number is None and q.text == text and not q.qualifiers


@given(st.text(max_size=60))
def test_any_string_is_a_figure_or_text_never_an_error(text):
    q = parse_value(text)
    assert q.text == text
    assert q.number is None or isinstance(q.number, float)
    assert Quantity.from_json(q.to_json()) == q


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False),
       st.sampled_from(["", "左右", "以上", "以内"]), st.sampled_from(["", "%", "亿元", "万人"]))
def test_a_printed_decimal_reads_back(number, after, unit):
    q = parse_value(f"{number}{unit}{after}")
    assert q.number == float(number) and q.unit == unit and q.qualifiers == ((after,) if after else ())


def test_roles_come_from_the_year_against_the_plan_and_the_words():
    thirteenth, fourteenth = plan_years("十三五"), plan_years("十四五")
    assert thirteenth == (2016, 2020) and fourteenth == (2021, 2025) and plan_years("十五五") == (2026, 2030)
    assert column_role("2015年", thirteenth) == ("baseline", "level")
    assert column_role("规划目标 › 2020年", thirteenth) == ("target", "level")
    assert column_role("规划目标 › 年均增速", thirteenth) == ("growth", "growth")
    assert column_role("完成情况 › 2020年", thirteenth) == ("achieved", "level")
    assert column_role("实际完成 › 年均增长(%)", thirteenth) == ("achieved", "growth")
    assert column_role("2020年完成情况", fourteenth) == ("baseline", "level")
    assert column_role("“十四五”目标 › 到2025年", fourteenth) == ("target", "level")
    assert column_role("指标属性", fourteenth) is None


def test_one_key_per_indicator_never_a_part_of_another():
    assert indicator_key("地区生产总值（亿元）") == indicator_key("GDP") == indicator_key("生产总值") \
        == indicator_key("地区生产总值增长（%）")
    assert indicator_key("单位GDP能耗（吨标准煤/万元）") == indicator_key("单位地区生产总值能耗")
    assert indicator_key("每千人口拥有三岁以下婴幼儿托位数（个）") == indicator_key("每千人口托位数")
    assert indicator_key("单位GDP能耗") != indicator_key("GDP") != indicator_key("人均地区生产总值（元）")


@pytest.fixture(scope="module")
def records(catalog, parsed):
    return {d: document_records(parsed[d], catalog.info(d)) for d in catalog.ids}


def test_every_plan_with_indicator_tables_has_its_gdp(records):
    gdp = select([r for rs in records.values() for r in rs], IndicatorQuery(name="GDP", source="table"))
    assert {r.doc_id for r in gdp} == set(PLANS)


def test_changde_fixed_investment_keeps_its_own_figures(records, parsed):
    row = next(r for r in records["changde-14th-five-year-plan"]
               if r.table.startswith("专栏1") and r.name.startswith("固定资产投资"))
    by_role = {(v.role, v.measure): v.quantity for v in row.values}
    assert by_role["baseline", "level"].number == 1857.9 and by_role["baseline", "level"].aside.number == 6348
    assert by_role["achieved", "level"].number == 10201.5 and "五年累计" in by_role["achieved", "level"].qualifiers
    assert by_role["target", "level"].qualifiers == ("五年累计", "≥") and row.unit == "亿元"
    revenue = next(r for r in records["changde-14th-five-year-plan"] if r.name.startswith("一般公共预算收入"))
    assert all(v.quantity.number not in (1857.9, 6348, 10201.5) for v in revenue.values)


def test_every_record_cites_a_passage_holding_its_name_and_figures(records, parsed):
    for doc, rs in records.items():
        text = parsed[doc].text
        for r in rs:
            cited = "".join(text[r.start:r.end].split())
            assert "".join(r.name.split())[:6] in cited, r.name
            assert all("".join(v.quantity.text.split()) in cited for v in r.values), r.name


def test_attributes_and_the_fourteenth_plan_roles(records):
    row = next(r for r in records["huaihua-14th-five-year-plan"] if r.name.startswith("城镇调查失业率"))
    assert row.attribute == "预期性" and row.period == "十四五"
    assert [(v.role, v.quantity.qualifiers, v.quantity.number) for v in row.values] == [
        ("baseline", (), 5.7), ("target", ("<",), 5.6)]
    energy = next(r for r in records["jinshi-13th-five-year-plan"] if r.name.startswith("单位GDP能耗"))
    assert energy.attribute == "约束性" and energy.key == "单位地区生产总值能耗"


def test_no_record_from_a_table_that_lists_no_figures(records):
    tables = {r.table for r in records["huaihua-14th-five-year-plan"]}
    assert not any("产业发展指导目录" in t or "发展重点" in t for t in tables)


def test_work_reports_stated_targets_are_records_from_text():
    cat = Catalog.load(PROVINCES)
    doc = "liaoning-2026-government-work-report"
    rs = document_records(parse(cat.read(doc)), cat.info(doc))
    got = {r.key: r.values[0].quantity for r in rs}
    assert all(r.source == "text" and r.values[0].role == "target" for r in rs)
    assert got["地区生产总值"].number == 4.5 and got["地区生产总值"].qualifiers == ("左右",)
    assert got["城镇新增就业"].number == 45 and got["城镇新增就业"].unit == "万人"
