"""Citation formats: each parses back to the passage it cites; the API serves them all."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from indexer.documents.corpus import Document, DocumentInfo
from indexer.parse.parser import parse
from indexer.search.citation import (
    FORMATS,
    Cited,
    bibtex,
    csv_table,
    gbt7714,
    issuer,
    permalink,
    reference_line,
    ris,
)

DAY = date(2026, 11, 25)


def parse_ris(text: str) -> list[dict[str, str]]:
    records, current = [], {}
    for line in text.splitlines():
        m = re.match(r"^([A-Z][A-Z0-9])  - ?(.*)$", line)
        assert m, line
        tag, value = m.groups()
        if tag == "ER":
            records.append(current)
            current = {}
        else:
            current[tag] = value
    return records


def parse_bibtex(text: str) -> list[dict[str, str]]:
    entries = []
    for m in re.finditer(r"@misc\{([^,]+),\n(.*?)\n\}", text, re.S):
        fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", m.group(2), re.M))
        entries.append({"key": m.group(1), **fields})
    return entries


@pytest.fixture()
def cited(searcher):
    pick = [next(p for p in searcher.passages if p.kind == k) for k in ("heading", "paragraph", "table_row")]
    return [Cited(p, searcher.catalog.info(p.doc_id), "https://plans.example" + permalink(p)) for p in pick]


def test_reference_line_has_title_path_paragraph_and_absolute_link(cited):
    heading, para, row = (reference_line(c) for c in cited)
    assert heading.startswith(f"《{cited[0].info.title}》，") and "段" not in heading.split("。")[0]
    assert "，第" in para and para.endswith("https://plans.example" + permalink(cited[1].passage))
    assert re.search(r"第\d+行。", row)


def test_gbt7714_names_the_issuer_and_access_date(cited):
    line = gbt7714(cited[1], DAY)
    assert re.match(r"^\S+人民政府\. .+\[EB/OL\]\. \(\d{4}\)\[2026-11-25\]\. https://plans\.example/doc/", line)


def test_issuer_comes_from_the_title(catalog):
    assert {issuer(i) for i in catalog} >= {"常德市人民政府", "怀化市人民政府"}


def test_ris_and_bibtex_parse_back(cited):
    records = parse_ris(ris(cited, DAY))
    assert [r["UR"] for r in records] == [c.url for c in cited]
    for r, c in zip(records, cited, strict=True):
        assert r["TY"] == "GOVDOC" and r["TI"] == c.info.title and r["N1"] == c.place
    entries = parse_bibtex(bibtex(cited, DAY))
    assert [e["url"] for e in entries] == [c.url for c in cited]
    assert len({e["key"] for e in entries}) == len(cited)
    assert all(e["title"] == "{" + c.info.title + "}" for e, c in zip(entries, cited, strict=True))


def test_api_cites_in_every_format(client, cited):
    ids = ",".join(c.passage.passage_id for c in cited)
    for name, fmt in FORMATS.items():
        resp = client.get(f"/api/cite?ids={ids}&format={name}&download=1")
        assert resp.status_code == 200, name
        assert resp.mimetype == fmt.media_type
        assert resp.headers["Content-Disposition"].endswith(f'.{fmt.extension}"')
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/cite?ids={ids}&format=csv").get_data(as_text=True))))
    assert [r["passage_id"] for r in rows] == [c.passage.passage_id for c in cited]
    text = client.get(f"/api/cite?ids={ids}").get_data(as_text=True)
    assert text.count("《") == 3 and "http://localhost/doc/" in text


@pytest.mark.parametrize(("query", "status", "code"), [
    ("ids=nope-0001", 404, "not_found"),
    ("format=ris", 400, "missing_ids"),
    ("ids={pid}&format=word", 400, "unknown_format"),
    ("ids=" + ",".join(f"x{i}" for i in range(201)), 400, "too_many_ids"),
    ("ids=%1C,%20,", 400, "missing_ids"),
    ("ids={pid}&download=yes", 400, "bad_download"),
])
def test_api_cite_errors(client, cited, query, status, code):
    resp = client.get("/api/cite?" + query.format(pid=cited[0].passage.passage_id))
    assert resp.status_code == status
    assert resp.get_json()["error"]["code"] == code


PDF_INFO = DocumentInfo(id="moushi-plan", file="moushi-plan.pdf", title="某市国民经济和社会发展第十四个五年规划纲要",
                        short_title="某市十四五", city="某市", kind="规划纲要", period="十四五", year=2021)
PAGES = ("第一章 发展环境\n\n坚持稳中求进工作总基调，统筹发展和安全，推动经济实现质的有效提升和量的\n",
         "合理增长，确保各项任务落到实处，全面完成年度目标任务。\n\n",
         "第二章 主要目标\n\n到2025年，地区生产总值年均增长6%左右。\n")


def paged(words: str) -> Cited:
    """A passage of a three-page PDF rendering: the one holding ``words``."""
    starts = (0, len(PAGES[0]), len(PAGES[0]) + len(PAGES[1]))
    doc = parse(Document(PDF_INFO, "".join(PAGES), page_starts=starts))
    p = next(p for p in doc.passages if words in p.text)
    return Cited(p, PDF_INFO, "https://plans.example" + permalink(p))


def every_format(c: Cited) -> dict[str, str]:
    return {name: fmt.render([c], DAY) for name, fmt in FORMATS.items()}


def test_a_passage_over_a_page_break_names_both_pages_in_every_format():
    c = paged("统筹发展和安全")
    assert c.passage.pages == (1, 2)
    out = every_format(c)
    assert re.search(r"第\d+段，第1–2页。https://plans\.example/doc/moushi-plan#", out["text"])
    assert "[EB/OL]. (2021): 1-2[2026-11-25]. https://plans.example/doc/" in out["gbt7714"]
    record = parse_ris(out["ris"])[0]
    assert (record["SP"], record["EP"]) == ("1", "2") and record["N1"].endswith("第1–2页")
    assert parse_bibtex(out["bibtex"])[0]["pages"] == "1--2"
    row = next(csv.DictReader(io.StringIO(out["csv"])))
    assert row["pages"] == "1-2" and row["reference"].endswith(c.url) and "第1–2页" in row["reference"]


def test_a_passage_on_one_page_names_that_page():
    c = paged("地区生产总值")
    assert c.passage.pages == (3, 3)
    assert "第3页" in reference_line(c) and "第3–" not in reference_line(c)
    assert "(2021): 3[2026-11-25]" in gbt7714(c, DAY)
    assert (parse_ris(ris([c], DAY))[0]["SP"], parse_ris(ris([c], DAY))[0]["EP"]) == ("3", "3")
    assert parse_bibtex(bibtex([c], DAY))[0]["pages"] == "3"
    assert next(csv.DictReader(io.StringIO(csv_table([c], DAY))))["pages"] == "3"


def test_a_passage_of_a_plain_text_names_no_page_in_any_format(cited):
    c = cited[1]
    assert c.passage.pages is None
    out = every_format(c)
    assert "页" not in out["text"] and "页" not in out["gbt7714"].split("[EB/OL]")[1]
    assert re.search(r"\(\d{4}\)\[2026-11-25\]", out["gbt7714"])
    assert not {"SP", "EP"} & set(parse_ris(out["ris"])[0])
    assert "pages" not in parse_bibtex(out["bibtex"])[0]
    assert next(csv.DictReader(io.StringIO(out["csv"])))["pages"] == ""
