"""The search request and its plan: validated once, planned from the catalog alone (no index)."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.documents.corpus import Catalog
from indexer.errors import QueryError
from indexer.query.request import MAX_K, MAX_OFFSET, MAX_VALUES, SearchRequest, bounds, document_level, plan_query


def parse(**raw):
    return SearchRequest.parse(raw, max_query_chars=50)


@pytest.mark.parametrize(("raw", "code"), [
    ({"q": "产业", "k": 0}, "bad_k"),
    ({"q": "产业", "k": MAX_K + 1}, "bad_k"),
    ({"q": "产业", "k": "ten"}, "bad_k"),
    ({"q": "产业", "k": True}, "bad_k"),
    ({"q": "产业", "offset": -1}, "bad_offset"),
    ({"q": "产业", "offset": MAX_OFFSET + 1}, "bad_offset"),
    ({"q": "产业", "mode": "fuzzy"}, "bad_mode"),
    ({"q": "产业", "group": "city"}, "bad_group"),
    ({"q": "产业", "city": ["常德"] * (MAX_VALUES + 1)}, "too_many_values"),
    ({"q": ""}, "empty_query"),
    ({"q": "字" * 51}, "query_too_long"),
    ({"q": "产业", "colour": "red"}, "unknown_parameter"),
])
def test_each_bad_parameter_is_one_query_error_with_its_code(raw, code):
    with pytest.raises(QueryError) as err:
        parse(**raw)
    assert err.value.code == code and str(err.value)


def test_web_strings_and_blanks_become_a_typed_request():
    req = parse(q="产业", k="20", offset="40", mode="", group="", city=["常德", " ", "岳阳 "])
    assert (req.k, req.offset, req.mode, req.group, req.city) == (20, 40, "hybrid", None, ("常德", "岳阳"))


def test_the_cli_and_openapi_read_their_limits_from_the_model():
    from search_app.openapi import search_parameters

    assert bounds("k") == (1, MAX_K) and bounds("offset") == (0, MAX_OFFSET)
    k = next(p for p in search_parameters(None, 50) if p["name"] == "k")
    assert (k["schema"]["minimum"], k["schema"]["maximum"]) == bounds("k")


def test_a_plan_needs_only_the_catalog(catalog):
    plan = plan_query(parse(q="常德 冷链物流 -怀化"), catalog, max_embed_chars=64)
    assert plan.searchable and "huaihua-14th-five-year-plan" not in plan.allowed
    assert plan.doc_filter == plan.allowed and any(n.startswith("已排除文件") for n in plan.notes)
    assert "changde" in " ".join(plan.intent.preferred_docs)


def test_a_plan_checks_filter_values_against_the_catalog(catalog):
    with pytest.raises(QueryError) as err:
        plan_query(parse(q="产业", city=["火星"]), catalog, 64)
    assert err.value.code == "unknown_filter" and "常德" in str(err.value)


def test_a_query_of_punctuation_plans_no_search(catalog):
    plan = plan_query(parse(q="，。！"), catalog, 64)
    assert not plan.searchable and plan.notes


@pytest.fixture(scope="module")
def cities_and_provinces(catalog):
    """The five city documents and the thirteen provincial reports in one catalog."""
    provinces = Catalog.load(Path(__file__).parents[2] / "collections" / "provinces")
    return Catalog(catalog.corpus_dir, [*catalog, *provinces], catalog.limits)


def test_a_place_filter_takes_the_full_and_the_short_form(cities_and_provinces):
    for city, doc in (("岳阳市", "yueyang-14th-five-year-plan"), ("岳阳", "yueyang-14th-five-year-plan"),
                      ("北京", "beijing-2026-government-work-report"),
                      ("北京市", "beijing-2026-government-work-report")):
        plan = plan_query(parse(q="数字经济", city=[city]), cities_and_provinces, 64)
        assert plan.allowed == (doc,), city
    plan = plan_query(parse(q="数字经济", city=["津市"]), cities_and_provinces, 64)
    assert plan.allowed == ("jinshi-13th-five-year-plan",)  # not 天津市
    with pytest.raises(QueryError):
        plan_query(parse(q="数字经济", city=["岳阳县"]), cities_and_provinces, 64)


def test_each_province_asks_for_provincial_documents_and_each_place_for_all(cities_and_provinces):
    levels = {i.id: document_level(i) for i in cities_and_provinces}
    assert levels["beijing-2026-government-work-report"] == "省" and levels["changde-14th-five-year-plan"] == "市"
    provinces = plan_query(parse(q="各省数字经济发展目标"), cities_and_provinces, 64)
    assert provinces.intent.compare and set(provinces.allowed) == {d for d, lv in levels.items() if lv == "省"}
    assert provinces.doc_filter == provinces.allowed and any("省级" in n for n in provinces.notes)
    everywhere = plan_query(parse(q="各地数字经济发展目标"), cities_and_provinces, 64)
    assert everywhere.intent.compare and len(everywhere.allowed) == 18 and everywhere.doc_filter is None
    cities = plan_query(parse(q="各市数字经济发展目标"), cities_and_provinces, 64)
    assert set(cities.allowed) == {d for d, lv in levels.items() if lv == "市"}
