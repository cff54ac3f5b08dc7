"""Citation formats: each parses back to the passage it cites; the API serves them all."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from indexer.search.citation import FORMATS, Cited, bibtex, gbt7714, issuer, permalink, reference_line, ris

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
