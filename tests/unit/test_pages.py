"""Pages of a paged source (the hand-off from the PDF/Word extractors): every passage and
heading knows its first and last page, and a text without pages writes no "pages" at all."""

from __future__ import annotations

import json

import pytest

from indexer.documents.corpus import Document, DocumentInfo
from indexer.parse.model import Passage
from indexer.parse.parser import page_span, parse

INFO = DocumentInfo(id="p", file="p.pdf", title="某市规划纲要", short_title="某市", city="某市",
                    kind="规划纲要", period="十四五", year=2021)
PAGE_1 = "第一章 发展环境\n\n坚持稳中求进工作总基调，统筹发展和安全，推动经济实现质的有效提升和量的\n"
PAGE_2 = "合理增长，确保各项任务落到实处，全面完成年度目标任务。\n\n"
PAGE_3 = "第二章 主要目标\n\n到2025年，地区生产总值年均增长6%左右。\n"


@pytest.mark.parametrize(("start", "end", "starts", "pages"), [
    (0, 5, (), None),
    (0, 5, (0, 10), (1, 1)),
    (8, 12, (0, 10), (1, 2)),
    (10, 11, (0, 10), (2, 2)),
    (9, 10, (0, 10), (1, 1)),  # end is exclusive: a span ending where page 2 starts is on page 1
    (0, 3, (5, 10), (1, 1)),   # text before the first page start is page 1
    (4, 4, (0, 4), (2, 2)),    # an empty span is on the page of its start
])
def test_page_span(start, end, starts, pages):
    assert page_span(start, end, starts) == pages


def test_a_paged_document_gives_every_passage_and_heading_its_pages():
    text = PAGE_1 + PAGE_2 + PAGE_3
    starts = (0, len(PAGE_1), len(PAGE_1) + len(PAGE_2))
    parsed = parse(Document(INFO, text, page_starts=starts))
    by_text = {p.text: p.pages for p in parsed.passages}
    assert by_text["第一章 发展环境"] == (1, 1)
    assert by_text["第二章 主要目标"] == (3, 3)
    body = next(p for p in parsed.passages if "坚持稳中求进" in p.text)
    assert body.pages == (1, 2)  # a sentence running over a page break is on both
    assert {s.title: s.pages for s in parsed.walk()} == {"第一章 发展环境": (1, 1), "第二章 主要目标": (3, 3)}
    for p in parsed.passages:
        assert p.pages is not None and Passage.from_json(json.loads(json.dumps(p.to_json()))) == p
        assert p.to_json()["pages"] == list(p.pages)


def test_a_text_without_pages_writes_no_pages(parsed):
    for pd in parsed.values():
        assert all(p.pages is None and "pages" not in p.to_json() for p in pd.passages)
        assert all(s.pages is None and "pages" not in s.to_json() for s in pd.walk())


def _cited(pages_of_text: str):
    from indexer.search.citation import Cited

    text = PAGE_1 + PAGE_2 + PAGE_3
    starts = (0, len(PAGE_1), len(PAGE_1) + len(PAGE_2))
    parsed = parse(Document(INFO, text, page_starts=starts))
    p = next(p for p in parsed.passages if pages_of_text in p.text)
    return Cited(p, INFO, "http://h/doc/p#x")


def test_a_passage_over_a_page_break_is_cited_with_both_pages_in_every_format():
    from datetime import date

    from indexer.search.citation import bibtex, gbt7714, reference_line, ris

    c = _cited("统筹发展和安全")
    assert c.passage.pages == (1, 2)
    assert "第1–2页" in reference_line(c)
    assert "(2021): 1-2[2026-12-03]" in gbt7714(c, date(2026, 12, 3))
    assert "SP  - 1\r\nEP  - 2\r\n" in ris([c], date(2026, 12, 3))
    assert "pages = {1--2}" in bibtex([c], date(2026, 12, 3))


def test_a_one_page_passage_names_its_page_and_the_api_shape_carries_it():
    from indexer.search.passages import passage_fields

    c = _cited("地区生产总值")
    assert c.passage.pages == (3, 3) and "第3页" in c.place
    assert passage_fields(c.passage, INFO)["pages"] == [3, 3]
