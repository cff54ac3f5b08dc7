"""Search answers numbers: a numeric question's answer card on the search page and in
/api/search, each figure linked to the row it is printed in; the passages follow."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.app.test_api import validate

STATIC = Path(__file__).resolve().parents[2] / "search_app" / "static"
CHANGDE = "changde-14th-five-year-plan"


class Card(HTMLParser):
    """The answer card's records: each a list of (figure text, its link, role), and the page's hits."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[dict] = []
        self.hits = 0
        self.in_card = False
        self.card_before_hits = None
        self._field: str | None = None
        self._href = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "section" and "answer" in cls:
            self.in_card = True
            self.card_before_hits = self.hits == 0
        if tag == "article" and "hit" in cls:
            self.hits += 1
            self.in_card = False
        if not self.in_card:
            return
        if tag == "li" and "answer-record" in cls:
            self.records.append({"values": [], "head": "", "source": ""})
        elif tag == "a" and "fig" in cls:
            self._field, self._href = "fig", a["href"]
        elif tag == "span" and "role" in cls:
            self._field = "role"
        elif tag == "p" and "answer-head" in cls:
            self._field = "head"
        elif tag == "p" and "answer-source" in cls:
            self._field = "source"

    def handle_endtag(self, tag):
        if (tag in ("a", "span") and self._field in ("fig", "role")) or tag == "p":
            self._field = None
        if tag == "section":
            self.in_card = False

    def handle_data(self, data):
        if not (self.in_card and self._field and self.records):
            return
        rec = self.records[-1]
        if self._field == "fig":
            rec["values"].append({"text": data.strip(), "href": self._href, "role": ""})
        elif self._field == "role":
            rec["values"][-1]["role"] += data.strip()
        else:
            rec[self._field] += data


def card(client, q: str) -> Card:
    r = client.get("/", query_string={"q": q})
    assert r.status_code == 200
    parser = Card()
    parser.feed(r.get_data(as_text=True))
    return parser


def test_changde_2025_gdp_target_comes_first_and_cites_its_row(client, searcher):
    c = card(client, "常德2025年地区生产总值目标是多少")
    assert c.card_before_hits and c.hits > 0
    assert len(c.records) == 1
    rec = c.records[0]
    assert "常德 · 十四五" in rec["head"] and "地区生产总值" in rec["head"]
    assert searcher.catalog.info(CHANGDE).short_title in rec["source"]
    target = next(v for v in rec["values"] if v["role"] == "目标")
    assert target["text"] == "5300"
    m = re.fullmatch(rf"/doc/{CHANGDE}\?q=[^#]+#(.+)", target["href"])
    assert m, target["href"]
    row = searcher.passage(m.group(1))
    assert "地区生产总值" in row.text and "5300" in row.text


def test_energy_intensity_never_shows_gdp(client):
    c = card(client, "各地单位GDP能耗下降目标")
    assert len(c.records) >= 4
    assert all("能耗" in r["head"] or "能源消耗" in r["head"] for r in c.records)
    assert not any(re.search(r"(?<!单位)地区生产总值（亿元）", r["head"]) for r in c.records)


@pytest.mark.parametrize("q", ["老人以后谁来照顾？", "城陵矶新港区"])
def test_a_question_without_an_indicator_shows_no_card(client, q):
    c = card(client, q)
    assert c.records == [] and c.card_before_hits is None and c.hits > 0


def test_the_api_answers_with_the_same_records(client, searcher):
    body = client.get("/api/search", query_string={"q": "岳阳地区生产总值"}).get_json()
    validate(body, "SearchResponseJSON")
    assert body["indicators"] and {r["city"] for r in body["indicators"]} == {"岳阳"}
    for r in body["indicators"]:
        assert r["url"].endswith(f"#{r['passage_id']}") and r["short_title"]
        text = searcher.passage(r["passage_id"]).text
        assert all(v["text"] in text for v in r["values"])
    none = client.get("/api/search", query_string={"q": "老人以后谁来照顾？"}).get_json()
    assert "indicators" not in none
    later = client.get("/api/search", query_string={"q": "岳阳地区生产总值", "offset": 10}).get_json()
    assert "indicators" not in later


def test_filters_bound_the_card(client):
    body = client.get("/api/search", query_string={"q": "地区生产总值", "city": "怀化"}).get_json()
    assert body["indicators"] and {r["city"] for r in body["indicators"]} == {"怀化"}


def test_the_card_fits_a_phone():
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    media = re.finditer(r"@media \(max-width: (\d+)px\)\s*\{(.*?)\n\}", css, re.S)
    phone = [m for m in media if ".answer" in m.group(2)]
    assert phone and int(phone[0].group(1)) >= 390
    rules = phone[0].group(2)
    assert re.search(r"\.answer-records\s*\{[^}]*grid-template-columns: 1fr", rules)
    assert re.search(r"\.answer\s*\{[^}]*overflow-x: hidden", rules)
    assert re.search(r"\.answer-records\s*\{[^}]*minmax\(min\(100%", css)
