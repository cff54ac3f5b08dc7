"""/api/indicators: one indicator across places and periods, each figure as printed and as a
number, each record citing the passage that shows it."""

from __future__ import annotations

import pytest

from indexer.query.request import MAX_K, MAX_OFFSET
from tests.app.test_api import response_schema, validate

CHANGDE = "changde-14th-five-year-plan"


def test_gdp_and_its_synonyms_compare_every_plan_with_an_indicator_table(client):
    by_name = client.get("/api/indicators", query_string={"name": "地区生产总值", "k": MAX_K}).get_json()
    by_synonym = client.get("/api/indicators", query_string={"name": "GDP", "k": MAX_K}).get_json()
    assert by_name == by_synonym and by_name["key"] == "地区生产总值"
    docs = {r["doc_id"] for r in by_name["records"]}
    assert {CHANGDE, "huaihua-14th-five-year-plan", "jinshi-13th-five-year-plan",
            "yueyang-14th-five-year-plan"} <= docs
    assert by_name["total"] == len(by_name["records"])


def test_a_figure_over_two_lines_stays_under_its_own_indicator(client, searcher):
    j = client.get("/api/indicators", query_string={"name": "固定资产投资", "doc": CHANGDE}).get_json()
    rec = next(r for r in j["records"] if "完成情况" in r["table"])
    baseline = next(v for v in rec["values"] if v["role"] == "baseline")
    assert (baseline["number"], baseline["aside"]["text"]) == (1857.9, "五年累计6348")
    target = next(v for v in rec["values"] if v["role"] == "target")
    assert target["number"] == 15000 and set(target["qualifiers"]) == {"五年累计", "≥"}
    cited = searcher.passage(rec["passage_id"])
    assert "固定资产投资" in cited.text and "1857.9" in cited.text and "一般公共预算收入" not in cited.text
    assert rec["url"].endswith(f"/doc/{CHANGDE}#{rec['passage_id']}")


def test_role_filters_the_values_and_a_bad_role_is_one_400(client):
    j = client.get("/api/indicators", query_string={"name": "GDP", "role": "target"}).get_json()
    assert j["records"] and all(v["role"] == "target" for r in j["records"] for v in r["values"])
    r = client.get("/api/indicators", query_string={"role": "nope"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_role"


def test_pages_walk_the_same_order_and_the_total_stays(client):
    """k and offset page the records as /api/search pages its hits: default 10, the pages in a
    row are the whole list in order, the total the same on each."""
    whole = client.get("/api/indicators", query_string={"q": "率", "k": MAX_K}).get_json()
    assert whole["total"] > 25 and len(whole["records"]) == min(whole["total"], MAX_K)
    first = client.get("/api/indicators", query_string={"q": "率"}).get_json()
    assert (first["k"], first["offset"], len(first["records"])) == (10, 0, 10)
    walked, totals = [], set()
    for offset in range(0, 30, 7):
        page = client.get("/api/indicators", query_string={"q": "率", "k": 7, "offset": offset}).get_json()
        validate(page, schema=response_schema("/api/indicators"))
        assert (page["k"], page["offset"]) == (7, offset)
        totals.add(page["total"])
        walked += [r["record_id"] for r in page["records"]]
    assert totals == {whole["total"]}
    assert walked == [r["record_id"] for r in whole["records"]][:len(walked)] and len(walked) == 35
    beyond = client.get("/api/indicators", query_string={"q": "率", "offset": whole["total"]}).get_json()
    assert beyond["records"] == [] and beyond["total"] == whole["total"]


def test_every_record_names_its_document_and_cites_its_row(client, searcher):
    j = client.get("/api/indicators", query_string={"name": "城镇调查失业率"}).get_json()
    validate(j, "IndicatorsJSON")
    for r in j["records"]:
        assert r["short_title"] == searcher.catalog.info(r["doc_id"]).short_title
        text = searcher.passage(r["passage_id"]).text
        assert "城镇调查失业率" in text and all(v["text"] in text for v in r["values"])


@pytest.mark.parametrize(("qs", "code"), [
    ("k=0", "bad_k"), (f"k={MAX_K + 1}", "bad_k"), ("k=ten", "bad_k"), ("k=1.5", "bad_k"),
    ("offset=-1", "bad_offset"), (f"offset={MAX_OFFSET + 1}", "bad_offset"), ("offset=x", "bad_offset"),
])
def test_a_bad_page_is_one_400_as_on_search(client, qs, code):
    r = client.get(f"/api/indicators?name=GDP&{qs}")
    assert r.status_code == 400
    body = r.get_json()
    validate(body, "ErrorJSON")
    assert body["error"]["code"] == code
    same = client.get(f"/api/search?q=GDP&{qs}").get_json()
    assert same["error"] == body["error"]


def test_the_openapi_document_pages_indicators_with_searchs_bounds(client):
    spec = client.get("/api/openapi.json").get_json()
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/indicators"]["get"]["parameters"]}
    search = {p["name"]: p["schema"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert params["k"] == search["k"] and params["offset"] == search["offset"]
    assert (params["k"]["maximum"], params["offset"]["maximum"]) == (MAX_K, MAX_OFFSET)
    assert {"k", "offset", "total", "records"} <= set(spec["components"]["schemas"]["IndicatorsJSON"]["required"])
