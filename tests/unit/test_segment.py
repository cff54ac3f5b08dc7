"""The structure parser on the real corpus: outline truth, quirks, offsets, nothing lost."""

from __future__ import annotations

import re
import statistics

import pytest

from indexer.parse.chunks import MAX_CHARS, chunk_span
from indexer.parse.headings import normalize_heading
from indexer.parse.lines import ARTEFACT_RE

PLAN = "changde-14th-five-year-plan"
REPORT = "changde-2021-government-work-report"
HUAIHUA = "huaihua-14th-five-year-plan"
JINSHI = "jinshi-13th-five-year-plan"
YUEYANG = "yueyang-14th-five-year-plan"
LABEL = {"pian": "篇", "zhang": "章", "jie": "节"}


def titles(pd, level):
    return [s.title for s in pd.walk() if s.level == level]


def labelled_lines(text: str, level: str) -> list[str]:
    """The document's own labelled headings of a level, read with a plain regex."""
    pat = re.compile(rf"^\s*(第[一二三四五六七八九十百]+{LABEL[level]})\s+(\S.*?)\s*$")
    return [f"{m.group(1)} {m.group(2)}" for line in text.split("\n") if (m := pat.match(line))]


@pytest.mark.parametrize(
    ("doc", "counts"),
    [
        (PLAN, {"pian": 4, "zhang": 17, "jie": 48}),
        (HUAIHUA, {"pian": 12, "zhang": 38, "jie": 105}),
        (YUEYANG, {"pian": 0, "zhang": 12, "jie": 44}),
        (JINSHI, {"pian": 0, "zhang": 11, "jie": 0}),
    ],
)
def test_outline_counts(parsed, doc, counts):
    got = parsed[doc].count_levels()
    assert {k: got.get(k, 0) for k in counts} == counts


@pytest.mark.parametrize("doc", [PLAN, HUAIHUA, YUEYANG, JINSHI])
@pytest.mark.parametrize("level", ["pian", "zhang", "jie"])
def test_headings_match_the_documents_own_level_by_level(parsed, catalog, doc, level):
    """Every labelled heading line is a heading of that level, in order; a
    heading split over two lines starts with its first line."""
    expected = [normalize_heading(t) for t in labelled_lines(catalog.read(doc).text, level)]
    got = [t for t in titles(parsed[doc], level) if t.startswith("第")]
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.startswith(e)


def test_split_headings_are_joined(parsed):
    assert titles(parsed[HUAIHUA], "pian")[0] == "第一篇 全面建成小康社会，开启全面建设社会主义现代化新征程"
    assert titles(parsed[HUAIHUA], "title") == ["怀化市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"]
    assert titles(parsed[YUEYANG], "title") == ["岳阳市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"]


def test_yueyang_first_chapter_has_no_label_but_holds_three_sections(parsed):
    first = next(s for s in parsed[YUEYANG].walk() if s.level == "zhang")
    assert first.title == "乘势而上 开启现代化省域副中心城市建设新征程"
    assert [c.title for c in first.children if c.level == "jie"] == [
        "第一节 现实基础", "第二节 形势背景", "第三节 总体要求"]
    assert titles(parsed[YUEYANG], "zhang")[1].startswith("第二章")


def test_huaihua_chapters_are_numbered_afresh_in_every_part(parsed):
    parts = [s for s in parsed[HUAIHUA].sections if s.level == "pian"]
    assert len(parts) == 12
    for part in parts:
        chapters = [c.title for c in part.children if c.level == "zhang"]
        assert chapters, part.title
        assert chapters[0].startswith("第一章")


def test_jinshi_chapters_have_cn_numbered_sections(parsed):
    chapters = [s for s in parsed[JINSHI].walk() if s.level == "zhang"]
    assert len(chapters) == 11
    for ch in chapters:
        subs = [c.title for c in ch.children if c.level == "cn_item"]
        assert subs and subs[0].startswith("一、"), ch.title
    assert all(s.level != "preface" or not s.children for s in parsed[JINSHI].sections)


def test_work_report_parts_items_and_lead_sentences(parsed):
    roots = parsed[REPORT].sections
    parts = [s for s in roots if s.level == "cn_item"]
    assert [p.title[:2] for p in parts] == ["一、", "二、", "三、"]
    items = [c for c in parts[2].children if c.level == "num_item"]
    assert [i.title.split(".")[0] for i in items] == [str(n) for n in range(1, 10)]
    leads = [c.title for c in items[0].children if c.level == "lead"]
    assert leads == ["培强产业优势", "狠抓产业项目", "壮大产业园区", "促进产业融合"]
    # The item heading's artefact is not part of its title.
    assert items[5].title == "6.坚持推动绿色发展，促进生态环境持续改善"


def test_boxes_and_captions_are_not_headings_of_the_text_around_them(parsed):
    pd = parsed[PLAN]
    boxes = [s.title for s in pd.walk() if s.level == "box"]
    assert len(boxes) == 13 and boxes[0].startswith("专栏1")
    assert not any(s.title.startswith(("专栏", "图")) for s in pd.walk() if s.level != "box")
    captions = [p for p in pd.passages if p.kind == "caption"]
    assert captions[0].text.startswith("图1")


def test_full_width_spaces_are_normalised_in_headings(parsed):
    assert "第二章 能级跃升 建设特色鲜明的现代产业体系" in titles(parsed[YUEYANG], "zhang")
    assert all("\u3000" not in s.title and "  " not in s.title for pd in parsed.values() for s in pd.walk())


def test_paste_artefacts_are_in_no_passage(parsed):
    for pd in parsed.values():
        for p in pd.passages:
            assert not ARTEFACT_RE.search(p.text), p.passage_id
    report = parsed[REPORT].passages
    assert any("第七届人民代表大会第六次会议上" in p.text for p in report)


def test_table_rows_are_one_row_each_with_box_title_and_headers(parsed):
    rows = [p for p in parsed[PLAN].passages if p.kind == "table_row" and "地区生产总值（亿元）" in p.text]
    fourteenth = next(p for p in rows if "5300" in p.text)
    assert re.sub(r"\s", "", fourteenth.text) == "经济发展1地区生产总值（亿元）3749.153007.5%预期性"
    assert fourteenth.search_text.startswith("专栏2：常德市“十四五”经济社会发展主要指标")
    assert "2020年" in fourteenth.search_text and "预期性" in fourteenth.search_text
    assert fourteenth.section_path[-1].startswith("专栏2")
    air = [p for p in parsed[PLAN].passages if "城市空气质量优良天数比例（%）" in p.text]
    assert any("84.790" in re.sub(r"\s", "", p.text) for p in air)


def test_offsets_round_trip_for_every_passage(parsed, catalog):
    for doc_id, pd in parsed.items():
        text = catalog.read(doc_id).text
        for p in pd.passages:
            assert text[p.start:p.end] == p.text
            assert p.text.strip() == p.text and p.text


def test_nothing_is_lost(parsed, catalog):
    """Passages cover every non-whitespace character outside artefacts."""
    for doc_id, pd in parsed.items():
        text = catalog.read(doc_id).text
        covered = bytearray(len(text))
        for p in pd.passages:
            covered[p.start:p.end] = b"\1" * (p.end - p.start)
        for m in ARTEFACT_RE.finditer(text):
            covered[m.start():m.end()] = b"\1" * (m.end() - m.start())
        lost = [i for i, ch in enumerate(text) if not covered[i] and not ch.isspace()]
        assert not lost, (doc_id, text[lost[0]:lost[0] + 30])


def test_passages_are_short_enough_to_cite(parsed):
    lengths = [p.end - p.start for pd in parsed.values() for p in pd.passages if p.kind != "table_row"]
    assert max(lengths) <= MAX_CHARS
    assert statistics.median(lengths) < 300


def test_a_passage_never_crosses_a_section_boundary(parsed):
    for pd in parsed.values():
        starts = sorted(s.start for s in pd.walk() if s.level not in ("lead", "title"))
        for p in pd.passages:
            inside = [s for s in starts if p.start < s < p.end]
            assert not inside, p.passage_id


def test_passage_ids_are_unique_and_ordinals_count_within_a_section(parsed):
    ids = [p.passage_id for pd in parsed.values() for p in pd.passages]
    assert len(ids) == len(set(ids))
    seen: dict[tuple, int] = {}
    for p in parsed[PLAN].passages:
        key = p.section_ids
        seen[key] = seen.get(key, 0) + 1
        assert p.ordinal == seen[key]


def test_chunking_respects_sentences_and_the_hard_cap():
    text = "甲" * 250 + "。" + "乙" * 250 + "。" + "丙" * 1300
    pieces = chunk_span(text, 0, len(text))
    assert all(e - s <= MAX_CHARS for s, e in pieces)
    assert text[pieces[0][0]:pieces[0][1]].endswith("。")
    assert "".join(text[s:e] for s, e in pieces) == text
