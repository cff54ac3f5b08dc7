"""Server-rendered pages: search without JavaScript, escaping, CSP, the reader."""

from __future__ import annotations

import re


def test_search_page_works_without_javascript(client):
    r = client.get("/?q=城陵矶新港区")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert html.count('class="hit"') == 10
    assert "<mark>城陵矶新港区</mark>" in html
    assert 'class="crumbs"' in html and 'data-citation="《' in html
    assert re.search(r'href="/doc/[\w-]+#[\w-]+"', html)


def test_empty_state_offers_examples(client):
    html = client.get("/").get_data(as_text=True)
    assert 'class="examples"' in html and "老人以后谁来照顾" in html


def test_no_results_state(client):
    html = client.get("/?q=“量子引力弦论”").get_data(as_text=True)
    assert "没有找到" in html


def test_everything_reflected_is_escaped(client):
    attack = '<script>alert("x")</script>'
    r = client.get("/", query_string={"q": attack})
    html = r.get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    r = client.get("/", query_string={"q": "x", "k": "<img src=x onerror=alert(1)>"})
    assert r.status_code == 400 and "<img src=x" not in r.get_data(as_text=True)


def test_security_headers(client):
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in r.get_data(as_text=True).replace('<script src=', "")


def test_pagination_links(client):
    html = client.get("/?q=生态环境").get_data(as_text=True)
    assert 'rel="next"' in html and "offset=10" in html
    html2 = client.get("/?q=生态环境&offset=10").get_data(as_text=True)
    assert 'rel="prev"' in html2


def test_group_by_document_toggle(client):
    html = client.get("/?q=夜间经济&group=doc").get_data(as_text=True)
    assert html.count('class="group"') >= 3


def test_document_page_addresses_every_passage(client, searcher):
    doc = "huaihua-14th-five-year-plan"
    html = client.get(f"/doc/{doc}").get_data(as_text=True)
    for p in searcher.doc_passages(doc):
        assert f'id="{p.passage_id}"' in html
    assert '<table class="box">' in html and "<th>" in html
    assert "第一篇 全面建成小康社会" in html and 'class="outline"' in html


def test_unknown_document_page_is_a_friendly_404(client):
    r = client.get("/doc/nope")
    assert r.status_code == 404 and "没有这份文件" in r.get_data(as_text=True)


def test_pages_are_readable_on_a_phone(client):
    html = client.get("/").get_data(as_text=True)
    assert 'name="viewport"' in html
    with client.get("/static/style.css") as r:
        assert "@media (max-width" in r.get_data(as_text=True)


def test_path_traversal_through_ids_finds_nothing(client):
    for url in ["/doc/..%2Fconfig.yaml", "/doc/../config.yaml", "/doc/%2e%2e%2fcorpus%2fcatalog.yaml",
                "/static/../config.yaml", "/static/..%2Fconfig.yaml"]:
        r = client.get(url)
        assert r.status_code == 404, url
        assert "corpus_dir" not in r.get_data(as_text=True)
        r.close()


def test_oversized_requests_are_rejected(client):
    assert client.post("/api/admin/reload", data=b"x").status_code == 404  # admin disabled, body fine
    r = client.post("/api/admin/reload", data=b"x" * (200 * 1024))
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_large"
    r = client.get("/?q=" + "长" * 5000)
    assert r.status_code == 400 and "检索词太长：最多 500 个字" in r.get_data(as_text=True)
    r = client.get("/api/search", query_string={"q": "x", "doc": ["a"] * 11})
    assert r.status_code == 400


def test_breadcrumbs_link_to_their_sections(client, searcher):
    html = client.get("/?q=湘西北LNG储备基地").get_data(as_text=True)
    m = re.search(r'<ol class="crumbs"><li><a href="(/doc/changde-14th-five-year-plan#([\w-]+))">第四篇', html)
    assert m, html[:2000]
    target = searcher.passage(m.group(2))
    assert target.kind == "heading" and target.text.startswith("第四篇")


def test_the_search_page_filters_by_period(client):
    page = client.get("/", query_string={"q": "产业园区", "period": "十三五"}).get_data(as_text=True)
    assert '<select name="period">' in page and "<option selected>十三五</option>" in page
    assert "津市" in page and "怀化“十四五”规划纲要" not in page.split('class="summary"')[1]


def test_each_hit_explains_its_ranks_in_a_disclosure(client):
    page = client.get("/", query_string={"q": "老人以后谁来照顾？"}).get_data(as_text=True)
    why = re.findall(r'<details class="why"><summary>为什么</summary>(.*?)</details>', page, re.S)
    assert why and all(re.search(r"(原文出现|包含关键词|语义相近)</span> · 关键词排名 .+ · 语义排名 ", w) for w in why)
    assert any("语义排名 第" in w for w in why)


def test_filter_lists_come_in_the_order_people_think_in(client):
    page = client.get("/").get_data(as_text=True)

    def options(name: str) -> list[str]:
        select = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S).group(1)
        return [o for o in re.findall(r"<option[^>]*>([^<]*)</option>", select) if o != "全部"]

    assert options("city") == ["常德", "怀化", "津市", "岳阳"]  # by pinyin: chang, huai, jin, yue
    assert options("period") == ["十三五", "十四五"]


def test_the_query_box_says_when_it_cuts_a_query(client, fake_cfg):
    page = client.get("/").get_data(as_text=True)
    limit = fake_cfg.search.max_query_chars
    assert f'maxlength="{limit}"' in page and 'aria-describedby="q-cut"' in page
    assert re.search(rf'<p class="notice" id="q-cut" role="status" hidden>检索词最多 {limit} 字', page)


def test_the_header_api_link_opens_a_readable_reference_made_from_the_openapi_document(client):
    page = client.get("/").get_data(as_text=True)
    assert '<a href="/help/api">API</a>' in page
    ref = client.get("/help/api")
    assert ref.status_code == 200 and ref.mimetype == "text/html"
    html = ref.get_data(as_text=True)
    spec = client.get("/api/openapi.json").get_json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert f'id="{method}-{path}"' in html and op["summary"].replace("'", "&#39;") in html
    assert "<td><code>q</code></td>" in html and "hybrid | bm25 | dense" in html
    assert '<script src="http' not in html and "cdn" not in html.lower()
