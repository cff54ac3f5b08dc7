"""/indicators: one indicator side by side across places and periods, every figure linked to
the row printed in its plan, plan against outcome, a chart, and the same rows as CSV."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from indexer.indicators.sheet import CSV_BOM, csv_header

STATIC = Path(__file__).resolve().parents[2] / "search_app" / "static"
PLANS = {"changde-14th-five-year-plan", "huaihua-14th-five-year-plan", "jinshi-13th-five-year-plan",
         "yueyang-14th-five-year-plan"}


class Sheet(HTMLParser):
    """The rows of the page's indicator tables: each row's cells, text and links."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.row: list[dict] | None = None
        self.cell: dict | None = None
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "ind" in (a.get("class") or "").split():
            self.tables.append({"class": a["class"], "head": [], "rows": []})
        elif not self.tables:
            return
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = {"text": "", "links": []}
        elif tag == "a" and self.cell is not None:
            self.cell["links"].append(a["href"])

    def handle_endtag(self, tag):
        if tag == "thead":
            self.in_head = False
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None and self.tables:
            if self.in_head:
                self.tables[-1]["head"] = [c["text"].strip() for c in self.row]
            else:
                self.tables[-1]["rows"].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


def sheet(html: str) -> list[dict]:
    p = Sheet()
    p.feed(html)
    return p.tables


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def gdp(app):
    r = app.test_client().get("/indicators", query_string={"q": "地区生产总值"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    return r.get_data(as_text=True)


def rows_by_place(table: dict) -> dict[str, dict[str, dict]]:
    """'常德 · 十三五' → {column head → cell}."""
    out = {}
    for row in table["rows"]:
        place = " ".join(row[0]["text"].split()[:3])
        out[place] = dict(zip(table["head"], row, strict=True))
    return out


def test_gdp_side_by_side_across_the_four_plans_with_the_printed_figures(gdp):
    table = sheet(gdp)[0]
    assert table["head"][:3] == ["地区 · 规划期", "指标（原文）", "单位"] and "目标" in table["head"]
    rows = rows_by_place(table)
    changde, yueyang = rows["常德 · 十三五"], rows["岳阳 · 十三五"]
    assert (flat(changde["基期"]["text"]), flat(changde["目标"]["text"]), flat(changde["完成"]["text"])) == \
        ("2709", "4300左右", "3749.1")
    assert (flat(yueyang["目标"]["text"]), flat(yueyang["完成"]["text"])) == ("4820", "4001.55")
    assert flat(rows["常德 · 十四五"]["目标"]["text"]) == "5300"
    assert {"怀化 · 十三五", "津市 · 十三五", "岳阳 · 十四五"} <= set(rows)
    assert "人均" not in gdp.split('id="k-2"')[0] and "单位地区生产总值能耗" not in gdp.split('id="k-2"')[0]


def test_every_figure_links_to_a_passage_holding_its_indicator_and_its_value(gdp, client, searcher):
    table = sheet(gdp)[0]
    checked = 0
    for row in table["rows"]:
        name = flat(row[1]["text"])[:6]
        for head, c in zip(table["head"], row, strict=True):
            for href in c["links"]:
                m = re.fullmatch(r"/doc/([^#]+)#(.+)", href)
                assert m, href
                doc_id, pid = m.groups()
                p = searcher.passage(pid)
                assert p.doc_id == doc_id and doc_id in PLANS | {"changde-2021-government-work-report"}
                value = flat(c["text"]).split("（")[0].split("；")[0]
                assert name in flat(p.text) and value in flat(p.text), (head, value, p.text)
                assert client.get(f"/doc/{doc_id}").status_code == 200
                checked += 1
    assert checked >= 20


def test_plan_against_outcome_sets_each_thirteenth_target_beside_what_was_achieved(gdp):
    outcome = next(t for t in sheet(gdp) if "outcome" in t["class"])
    rows = [[flat(c["text"]) for c in row] for row in outcome["rows"]]
    assert any(r[0] == "常德·十三五" and r[1].startswith("4300左右") and r[2].startswith("3749.1")
               and r[3] == "87.2%" for r in rows), rows
    assert any(r[0] == "岳阳·十三五" and r[1].startswith("4820") and r[2].startswith("4001.55") for r in rows)


def test_a_chart_drawn_on_the_server_links_its_bars_to_the_rows(gdp):
    charts = re.findall(r"<svg class=\"chart\".*?</svg>", gdp, re.S)
    assert charts and "<script" not in gdp.split('<section class="indicators">')[1]
    billions = next(c for c in charts if "（亿元）" in c)
    assert "4300左右" in billions and "%" not in billions
    assert re.search(r'<a href="/doc/changde-14th-five-year-plan#[^"]+">', billions)


def test_the_csv_has_the_pages_rows_and_opens_in_excel(gdp, client):
    r = client.get("/indicators.csv", query_string={"q": "地区生产总值"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    body = r.get_data(as_text=True)
    assert body.startswith(CSV_BOM)
    rows = list(csv.DictReader(io.StringIO(body.removeprefix(CSV_BOM))))
    assert list(rows[0]) == csv_header()
    page_rows = sheet(gdp)[0]["rows"]
    assert [(x["地区"], x["规划期"], x["指标"]) for x in rows] == \
        [(*row[0]["text"].split()[0:3:2], flat(row[1]["text"])) for row in page_rows]
    changde = next(x for x in rows if (x["地区"], x["规划期"]) == ("常德", "十三五"))
    assert (changde["目标"], changde["目标·数值"], changde["完成"], changde["完成/目标（%）"]) == \
        ("4300左右", "4300", "3749.1", "87.2")
    assert changde["链接"].startswith("http://localhost/doc/changde-14th-five-year-plan#")
    assert 'href="/indicators.csv?q=' in gdp


def test_the_csv_without_a_name_is_every_record_of_the_filter(client, searcher):
    body = client.get("/indicators.csv", query_string={"city": "岳阳"}).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.removeprefix(CSV_BOM))))
    assert len(rows) == sum(r.city == "岳阳" for r in searcher.indicators) > 50
    assert {x["地区"] for x in rows} == {"岳阳"}


def test_a_synonym_finds_the_same_indicator_and_a_different_one_never_merges(client, gdp):
    same = client.get("/indicators", query_string={"q": "GDP"}).get_data(as_text=True)
    assert [len(t["rows"]) for t in sheet(same)] == [len(t["rows"]) for t in sheet(gdp)]
    energy = client.get("/indicators", query_string={"q": "单位GDP能耗"}).get_data(as_text=True)
    assert "<h2>单位地区生产总值能耗</h2>" in energy
    assert all(not flat(row[1]["text"]).startswith("地区生产总值") for t in sheet(energy) for row in t["rows"])


def test_filters_narrow_the_rows(client):
    html = client.get("/indicators", query_string={"q": "地区生产总值", "city": "常德", "role": "target"}
                      ).get_data(as_text=True)
    rows = sheet(html)[0]["rows"]
    assert rows and all(row[0]["text"].split()[0] == "常德" for row in rows)
    assert "完成" not in sheet(html)[0]["head"]


def test_the_page_fits_a_phone_the_table_scrolls_in_its_box(gdp):
    css = (STATIC / "indicators.css").read_text(encoding="utf-8")
    assert 'href="/static/indicators.css"' in gdp and '<div class="table-wrap ind-wrap">' in gdp
    wrap = re.search(r"\.ind-wrap\s*\{([^}]*)\}", css)
    assert wrap and "overflow-x: auto" in wrap.group(1) and "max-width: 100%" in wrap.group(1)
    phone = re.search(r"@media \(max-width: (\d+)px\)\s*\{(.*?)\n\}", css, re.S)
    assert phone and int(phone.group(1)) >= 390 and "overflow-x: hidden" in phone.group(2)
    assert re.search(r"svg\.chart\s*\{[^}]*width: 100%", css)


def test_the_start_page_offers_indicators_and_the_header_links_here(client):
    html = client.get("/indicators").get_data(as_text=True)
    assert 'href="/indicators?q=%E5%9C%B0%E5%8C%BA%E7%94%9F%E4%BA%A7%E6%80%BB%E5%80%BC"' in html
    assert '<a href="/indicators">指标</a>' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/indicators", "/indicators.csv"])
@pytest.mark.parametrize("args", [{"role": "nope"}, {"q": "指" * 101}, {"city": "常" * 501}])
def test_bad_parameters_are_a_400_page_not_a_500(client, path, args):
    r = client.get(path, query_string=args)
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "Traceback" not in r.get_data(as_text=True)


def test_nothing_found_is_said_in_words(client):
    r = client.get("/indicators", query_string={"q": "月球基地数量"})
    assert r.status_code == 200 and "没有找到指标“月球基地数量”" in r.get_data(as_text=True)


def test_a_build_without_records_is_one_503_line(client, monkeypatch):
    from indexer.errors import IndexMissingError
    from search_app import indicators

    def missing(*_, **__):
        raise IndexMissingError("build x has no indicator records; rebuild with: plansearch index")

    monkeypatch.setattr(indicators, "matching", missing)
    for path in ("/indicators", "/indicators.csv"):
        r = client.get(path, query_string={"q": "GDP"})
        assert r.status_code == 503 and "plansearch index" in r.get_data(as_text=True)
