"""Search answers numbers (indexer.indicators.answer): which queries are numeric questions, and
which records and values of the real plans' tables their answer card shows."""

from __future__ import annotations

import pytest

from indexer.indicators.answer import MAX_ANSWER_RECORDS, answer, named_keys, rewrite
from indexer.indicators.records import document_records

CHANGDE = "changde-14th-five-year-plan"
PLANS = {CHANGDE, "huaihua-14th-five-year-plan", "jinshi-13th-five-year-plan", "yueyang-14th-five-year-plan"}


@pytest.fixture(scope="module")
def records(catalog, parsed):
    return [r for d in catalog.ids for r in document_records(parsed[d], catalog.info(d))]


@pytest.fixture(scope="module")
def keys(records):
    return {r.key for r in records}


def ask(q, records, catalog, allowed=None):
    return answer(q, records, list(catalog), allowed)


def test_changde_2025_gdp_target_is_the_14th_plans_5300(records, catalog, parsed):
    found = ask("常德2025年地区生产总值目标是多少", records, catalog)
    assert [(r.doc_id, r.period, r.key) for r in found] == [(CHANGDE, "十四五", "地区生产总值")]
    figures = {(v.role, v.quantity.text) for v in found[0].values}
    # The 2025 target and the plan's yearly growth to 2025; not 2020's baseline, not 十三五's 4300左右.
    assert figures == {("target", "5300"), ("growth", "7.5%")}
    row = next(p for p in parsed[CHANGDE].passages if p.passage_id == found[0].passage_id)
    assert "地区生产总值" in row.text and "5300" in row.text


def test_a_year_without_a_role_keeps_that_years_figures(records, catalog):
    found = ask("常德2020年地区生产总值", records, catalog)
    assert {(r.period, v.role, v.quantity.text) for r in found for v in r.values} == {
        ("十三五", "target", "4300左右"), ("十三五", "growth", "9%左右"), ("十三五", "achieved", "3749.1"),
        ("十四五", "baseline", "3749.1")}


def test_a_place_and_no_year_keep_all_of_its_records(records, catalog):
    found = ask("岳阳地区生产总值", records, catalog)
    assert found and {r.city for r in found} == {"岳阳"} and {r.period for r in found} == {"十三五", "十四五"}
    assert any(v.quantity.text == "4820" for r in found for v in r.values)


def test_each_place_of_a_comparison_and_never_gdp_under_energy(records, catalog):
    found = ask("各地单位GDP能耗下降目标", records, catalog)
    assert {r.doc_id for r in found} == PLANS
    assert {r.key for r in found} == {"单位地区生产总值能耗", "单位地区生产总值能耗下降"}
    assert all(v.role in ("target", "growth") for r in found for v in r.values)
    for q in ("单位GDP能耗", "单位地区生产总值能源消耗降低", "各地单位GDP能耗"):
        energy = ask(q, records, catalog)
        assert energy and all("能耗" in r.key for r in energy), q


@pytest.mark.parametrize("q", ["人均GDP", "人均地区生产总值是多少"])
def test_a_longer_name_is_not_its_part(q, records, catalog):
    found = ask(q, records, catalog)
    assert found and {r.key for r in found} == {"人均地区生产总值"}


def test_a_part_under_a_modifier_no_record_has_names_nothing(keys):
    """No record is named 地区生产总值占全省比重 or 每万元GDP…: the part is not read as the whole."""
    assert named_keys("地区生产总值占全省比重", keys) == ()
    assert named_keys("每地区生产总值", keys) == ()
    assert named_keys("GDP", keys) == ("地区生产总值",)


@pytest.mark.parametrize("q", ["老人以后谁来照顾？", "养老服务体系", "城陵矶新港区", "人口", "2025年目标是多少"])
def test_a_query_that_names_no_indicator_gets_no_card(q, records, catalog):
    assert ask(q, records, catalog) == []


def test_synonyms_and_widths_read_as_the_records_names():
    assert rewrite("常德 GDP") == "常德地区生产总值"
    assert rewrite("全市生产总值") == "地区生产总值"
    assert "单位地区生产总值能耗" in rewrite("单位ＧＤＰ能耗")


def test_periods_filters_and_the_card_size(records, catalog):
    found = ask("十三五 地区生产总值 完成情况", records, catalog)
    assert found and {r.period for r in found} == {"十三五"}
    assert all(v.role == "achieved" for r in found for v in r.values)
    assert ask("常德 地区生产总值", records, catalog, allowed=("huaihua-14th-five-year-plan",)) == []
    assert len(ask("率", records, catalog)) <= MAX_ANSWER_RECORDS
    assert len(ask("GDP", records, catalog)) <= MAX_ANSWER_RECORDS


def test_a_work_reports_stated_target_answers_its_year(records, catalog):
    found = ask("常德2021年地区生产总值增长目标", records, catalog)
    assert [(r.source, r.doc_id) for r in found] == [("text", "changde-2021-government-work-report")]
    assert found[0].values[0].quantity.text == "8以上"
