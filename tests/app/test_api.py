"""The JSON API: every endpoint, its errors, and the OpenAPI description matching the routes."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

from search_app.openapi import openapi_spec


def validate(body: dict, schema_name: str | None = None, schema: dict | None = None) -> None:
    spec = openapi_spec()
    root = {"components": spec["components"], **(schema or {"$ref": f"#/components/schemas/{schema_name}"})}
    Draft202012Validator(root).validate(body)


def response_schema(path: str, method: str = "get", status: str = "200") -> dict:
    return openapi_spec()["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]


def test_search_returns_the_contract(client):
    r = client.get("/api/search", query_string={"q": "城陵矶新港区", "k": 5})
    assert r.status_code == 200
    body = r.get_json()
    validate(body, "SearchResponseJSON")
    assert body["query"] == "城陵矶新港区" and body["mode"] == "hybrid" and body["k"] == 5
    assert len(body["results"]) == 5 and body["total"] >= 5
    hit = body["results"][0]
    assert "<mark>城陵矶新港区</mark>" in "".join(hit["highlights"])
    assert hit["url"] == f"/doc/{hit['doc_id']}#{hit['passage_id']}"


def test_search_filters_group_and_repeatable_doc(client):
    r = client.get("/api/search?q=冷链物流&doc=jinshi-13th-five-year-plan&doc=yueyang-14th-five-year-plan&k=20")
    docs = {h["doc_id"] for h in r.get_json()["results"]}
    assert docs <= {"jinshi-13th-five-year-plan", "yueyang-14th-five-year-plan"} and docs
    g = client.get("/api/search?q=冷链物流&group=doc&k=2").get_json()
    assert len(g["groups"]) >= 4 and all(len(x["results"]) <= 2 for x in g["groups"])
    validate(g, "SearchResponseJSON")


@pytest.mark.parametrize(("qs", "code"), [
    ("", "empty_query"), ("q=", "empty_query"), ("q=x&k=abc", "bad_k"), ("q=x&k=0", "bad_k"),
    ("q=x&k=1000", "bad_k"), ("q=x&offset=-3", "bad_offset"), ("q=x&offset=1001", "bad_offset"),
    ("q=x&mode=magic", "bad_mode"), ("q=x&doc=nope", "unknown_filter"), ("q=x&city=北京", "unknown_filter"),
    ("q=x&kind=小说", "unknown_filter"), ("q=x&period=十二五", "unknown_filter"), ("q=x&group=city", "bad_group"),
    ("q=" + "长" * 501, "query_too_long"), ("q=x" + "&city=常德" * 11, "too_many_values"),
])
def test_bad_search_requests_are_400_with_a_json_error(client, qs, code):
    r = client.get("/api/search?" + qs)
    assert r.status_code == 400
    body = r.get_json()
    validate(body, "ErrorJSON")
    assert body["error"]["code"] == code
    assert re.search(r"[\u4e00-\u9fff]", body["error"]["message"]), body


@pytest.mark.parametrize("q", ["  ", "，。！", "-城市", "\x02"])
def test_queries_without_words_get_no_results_and_a_note(client, q):
    body = client.get("/api/search", query_string={"q": q}).get_json()
    assert body["total"] == 0 and body["results"] == [] and "没有可检索的内容" in body["notes"][-1]


def test_documents_list_counts_sections_and_passages(client):
    body = client.get("/api/documents").get_json()
    validate(body, schema=response_schema("/api/documents"))
    by_id = {d["doc_id"]: d for d in body["documents"]}
    assert len(by_id) == 5
    assert by_id["changde-14th-five-year-plan"]["sections"]["pian"] == 4
    assert by_id["huaihua-14th-five-year-plan"]["sections"]["jie"] == 105
    assert all(d["passages"] > 50 for d in by_id.values())


def test_document_has_outline_with_passage_ranges(client):
    body = client.get("/api/documents/yueyang-14th-five-year-plan").get_json()
    validate(body, schema=response_schema("/api/documents/{doc_id}"))
    chapters = [n for n in body["outline"] if n["level"] == "zhang"]
    assert len(chapters) == 12
    first, last = chapters[0]["passages"]
    heading = client.get(f"/api/passages/{first}").get_json()
    assert heading["kind"] == "heading" and heading["section_path"][-1] == chapters[0]["title"]
    assert client.get(f"/api/passages/{last}").get_json()["section_path"][:1] == heading["section_path"]


def test_passage_with_neighbours_and_citation(client, searcher):
    doc = [p for p in searcher.passages if p.doc_id == "changde-14th-five-year-plan"]
    pid = doc[10].passage_id
    body = client.get(f"/api/passages/{pid}").get_json()
    validate(body, schema=response_schema("/api/passages/{passage_id}"))
    assert body["passage_id"] == pid and body["citation"].startswith("《常德市")
    assert body["citation"].endswith(f"http://localhost/doc/changde-14th-five-year-plan#{pid}")
    assert [p["passage_id"] for p in body["before"]][-1] == doc[9].passage_id
    assert body["after"][0]["passage_id"] == doc[11].passage_id


def test_an_old_passage_id_redirects_to_where_it_went(client, searcher):
    p = next(x for x in searcher.passages if x.kind == "paragraph" and len(x.section_path) > 1)
    old = p.passage_id.rsplit("-", 1)[0] + "-00000000"
    r = client.get(f"/api/passages/{old}")
    assert r.status_code == 301 and r.get_json()["how"] == "section"
    landed = client.get(r.headers["Location"]).get_json()
    assert landed["section_path"] == list(p.section_path[: len(landed["section_path"])])
    body = client.get(f"/api/resolve/{old}").get_json()
    validate(body, schema=response_schema("/api/resolve/{passage_id}"))
    assert body["passage_id"] == landed["passage_id"] and "章节" in body["notice"]
    assert client.get(f"/api/resolve/{p.passage_id}").get_json()["how"] == "current"
    assert client.get("/api/resolve/nope-0001").status_code == 404


@pytest.mark.parametrize("url", ["/api/documents/nope", "/api/passages/nope", "/api/passages/..%2F..%2Fetc",
                                 "/api/documents/..%2Fconfig.yaml", "/api/nothing"])
def test_unknown_ids_are_404(client, url):
    r = client.get(url)
    assert r.status_code == 404
    validate(r.get_json(), "ErrorJSON")


def test_wrong_method_is_405_json(client):
    r = client.post("/api/search?q=x")
    assert r.status_code == 405 and r.get_json()["error"]["code"] == "method_not_allowed"


def test_health(client, searcher):
    body = client.get("/api/health").get_json()
    validate(body, schema=response_schema("/api/health"))
    assert body["build_id"] == searcher.build_id and body["passages"] == len(searcher.passages)


def test_reload_is_disabled_without_a_token_and_guarded_with_one(fake_cfg, monkeypatch):
    from indexer.embed.embedders import FakeEmbedder
    from indexer.search.searcher import Searcher
    from search_app import create_app

    # Its own app: a reload retires the searcher it replaces, which must not be the shared one.
    searcher = Searcher(fake_cfg, embedder=FakeEmbedder(fake_cfg.embedding))
    client = create_app(fake_cfg, searcher=searcher).test_client()
    assert client.post("/api/admin/reload").status_code == 404
    monkeypatch.setenv("PLANSEARCH_ADMIN_TOKEN", "s3cret")
    assert client.post("/api/admin/reload", headers={"Authorization": "Bearer wrong"}).status_code == 403
    r = client.post("/api/admin/reload", headers={"Authorization": "Bearer s3cret"})
    assert r.status_code == 200 and r.get_json()["build_id"] == searcher.build_id


def test_openapi_describes_exactly_the_api_routes(app, client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routed |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routed
    Draft202012Validator.check_schema({"components": spec["components"]})
