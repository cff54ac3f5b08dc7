"""/api/indicators: one indicator across places and periods, each figure as printed and as a
number, each record citing the passage that shows it."""

from __future__ import annotations

CHANGDE = "changde-14th-five-year-plan"


def test_gdp_and_its_synonyms_compare_every_plan_with_an_indicator_table(client):
    by_name = client.get("/api/indicators", query_string={"name": "地区生产总值"}).get_json()
    by_synonym = client.get("/api/indicators", query_string={"name": "GDP"}).get_json()
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
