"""Places learned from the catalog: every form a reader uses, longest name wins."""

from __future__ import annotations

import pytest

from indexer.documents.metadata import detect, period_of_year, plan_number
from indexer.documents.places import admin_level, full_name, name_forms, split_units
from indexer.query.intent import analyse, named_places
from tests.conftest import ROOT


@pytest.mark.parametrize(("place", "forms"), [
    ("北京市", ("北京市", "北京")),
    ("广西壮族自治区", ("广西壮族自治区", "广西")),
    ("内蒙古自治区", ("内蒙古自治区", "内蒙古")),
    ("新疆维吾尔自治区", ("新疆维吾尔自治区", "新疆")),
    ("宁夏回族自治区", ("宁夏回族自治区", "宁夏")),
    ("湘西土家族苗族自治州", ("湘西土家族苗族自治州", "湘西")),
    ("常德", ("常德",)),
    ("津市", ("津市",)),
])
def test_name_forms(place, forms):
    assert name_forms(place) == forms


def test_the_longest_name_wins_where_names_overlap():
    forms = {c: name_forms(c) for c in ("津市", "天津市", "常德", "山西省", "陕西省")}
    assert named_places("天津市和常德的养老", forms) == ["天津市", "常德"]
    assert named_places("津市的规划", forms) == ["津市"]
    assert named_places("陕西和山西", forms) == ["陕西省", "山西省"]


def test_a_query_naming_a_province_prefers_its_report_and_leaves_the_name_out_of_bm25():
    from indexer.documents.corpus import Catalog

    infos = list(Catalog.load(ROOT / "corpus")) + list(Catalog.load(ROOT / "collections" / "provinces"))
    intent = analyse("辽宁2026年经济增长预期目标", infos)
    assert intent.preferred_docs == ("liaoning-2026-government-work-report",)
    assert "辽宁" not in intent.lexical_text
    assert analyse("各省城镇调查失业率", infos).compare


def test_split_units_and_periods():
    assert split_units("湖南省长沙市岳麓区国民经济和社会发展第十四个五年规划") == ["湖南省", "长沙市", "岳麓区"]
    assert (plan_number("十四五"), plan_number("十五"), plan_number("十五五")) == (14, 10, 15)
    assert (period_of_year(2026), period_of_year(2021), period_of_year(2005)) == ("十五五", "十四五", "十五")


@pytest.mark.parametrize(("title", "front", "expected"), [
    ("中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要", "",
     ("全国", "规划纲要", "十四五", 2021)),
    ("政府工作报告", "——2026年1月26日在广东省第十四届人民代表大会第五次会议上",
     ("广东省", "政府工作报告", "十五五", 2026)),
    ("长沙市岳麓区2023年政府工作报告", "", ("岳麓区", "政府工作报告", "十四五", 2023)),
    ("湖南省“十四五”交通运输发展规划", "", ("湖南省", "专项规划", "十四五", 2021)),
    ("成都市国民经济和社会发展第十个五年计划纲要", "", ("成都市", "规划纲要", "十五", 2001)),
])
def test_metadata_detection(title, front, expected):
    d = detect(title, front, "x")
    assert (d.city, d.kind, d.period, d.year) == expected


def test_detected_metadata_covers_every_descriptive_catalog_field():
    from dataclasses import fields

    from indexer.documents.corpus import DocumentInfo
    from indexer.documents.metadata import Detected

    assert [f.name for f in fields(Detected)] == [f.name for f in fields(DocumentInfo) if f.name not in ("id", "file")]


def test_the_administrative_level_comes_from_the_name_or_the_title():
    assert [admin_level(p) for p in ("湖南省", "广西壮族自治区", "北京市", "重庆", "香港特别行政区")] == ["省"] * 5
    assert [admin_level(p) for p in ("岳阳市", "湘西土家族苗族自治州", "大兴安岭地区")] == ["市"] * 3
    assert admin_level("澧县") == "县" and admin_level("岳麓区") == "区"
    assert full_name("津市", "津市市国民经济和社会发展第十三个五年规划纲要") == "津市市"
    assert admin_level("津市", "津市市国民经济和社会发展第十三个五年规划纲要") == "市"
    assert full_name("北京市", "2026年北京市政府工作报告") == "北京市"
