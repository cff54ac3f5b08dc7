"""The indicator sheet (columns of the page, its CSV and the CLI), plan against outcome, the names
the synonym table misses, and that no key ever joins two different indicators."""

from __future__ import annotations

import csv
import io

import pytest

from indexer.indicators.names import in_synonym_table, indicator_key, unmatched_names
from indexer.indicators.records import Record, Value, document_records
from indexer.indicators.sheet import (
    RECORD_COLUMNS,
    ROLE_COLUMNS,
    columns_in,
    csv_header,
    csv_text,
    fulfilment,
    outcomes,
)
from indexer.indicators.values import parse_value


@pytest.fixture(scope="module")
def records(catalog, parsed):
    return [r for d in catalog.ids for r in document_records(parsed[d], catalog.info(d))]


def record(doc: str, period: str, name: str, *values: tuple[str, str, str, str], city: str = "津市") -> Record:
    return Record(f"{doc}-p", doc, city, period, "table", "主要指标", "", name, indicator_key(name), "亿元", "",
                  f"{doc}-p", 0, 1, tuple(Value(col, role, measure, parse_value(text))  # type: ignore[arg-type]
                                          for col, role, measure, text in values))


def test_no_key_joins_two_rows_of_one_table(records):
    """Two rows of one table are two indicators by construction; a key shared by them would merge
    different indicators (单位GDP能耗 under GDP)."""
    seen: dict[tuple[str, str, str], str] = {}
    for r in records:
        if r.source == "table":
            where = (r.doc_id, r.table, r.key)
            assert where not in seen, f"{seen[where]} and {r.name} share the key {r.key}"
            seen[where] = r.name
    gdp = {r.name for r in records if r.key == "地区生产总值"}
    assert gdp and not any(w in n for n in gdp for w in ("人均", "单位", "占", "比重", "万元", "亿元地区"))


def test_the_names_that_matched_nothing_are_listed_with_counts(records):
    names = unmatched_names((r.name, r.key, r.doc_id) for r in records)
    listed = dict(names)
    assert "5岁以下儿童死亡率（‰）" in listed and listed["县级及以上城市空气质量优良天数比例（%）"] == 2
    assert [c for _, c in names] == sorted((c for _, c in names), reverse=True)
    assert not any(indicator_key(n) == "地区生产总值" or in_synonym_table(n) for n in listed)
    shared = {r.key for r in records if len({x.doc_id for x in records if x.key == r.key}) > 1}
    assert not any(r.key in shared for r in records if r.name in listed)
    assert 40 < len(names) < len({r.name for r in records})


def test_the_csv_has_one_row_a_record_with_each_role_as_printed_and_as_a_number(records):
    gdp = [r for r in records if r.key == "地区生产总值"]
    rows = list(csv.DictReader(io.StringIO(csv_text(gdp, lambda r: f"http://x/doc/{r.doc_id}#{r.passage_id}"))))
    assert len(rows) == len(gdp) and list(rows[0]) == csv_header()
    assert csv_header()[:len(RECORD_COLUMNS)] == [n for n, _ in RECORD_COLUMNS]
    changde = next(x for x in rows if (x["地区"], x["规划期"]) == ("常德", "十三五"))
    assert (changde["目标"], changde["目标·数值"], changde["目标·列"]) == ("4300左右", "4300", "规划目标 › 2020年")
    assert changde["完成/目标（%）"] == "87.2" and changde["表"].startswith("专栏1")
    assert {c.label for c in columns_in(gdp)} >= {"基期", "目标", "年均增速", "完成", "完成增速"}


def test_plan_against_outcome_in_one_table_and_across_plans():
    thirteenth = record("jinshi-13", "十三五", "地区生产总值（亿元）", ("2015年", "baseline", "level", "115.3"),
                        ("2020年", "target", "level", "200"))
    later = record("jinshi-14", "十四五", "地区生产总值（亿元）", ("2020年完成情况", "baseline", "level", "180"),
                   ("到2025年", "target", "level", "260"))
    elsewhere = record("changde-14", "十四五", "地区生产总值（亿元）", ("2020年", "baseline", "level", "3749.1"),
                       city="常德")
    earlier = record("jinshi-12", "十二五", "地区生产总值（亿元）", ("2020年", "baseline", "level", "1"))
    [o] = outcomes([earlier, thirteenth, later, elsewhere])
    assert (o.how, o.record, o.outcome.quantity.number, round(o.ratio or 0, 1)) == ("后续规划", later, 180, 90.0)
    done = record("c", "十三五", "地区生产总值（亿元）", ("规划目标 › 2020年", "target", "level", "4300左右"),
                  ("完成情况 › 2020年", "achieved", "level", "3749.1"),
                  ("规划目标 › 年均增速", "growth", "growth", "9%左右"),
                  ("完成情况 › 年均增速", "achieved", "growth", "7.2%"))
    level, growth = outcomes([done])
    assert level.how == "完成情况" and round(fulfilment(done) or 0, 1) == round(level.ratio or 0, 1) == 87.2
    assert growth.outcome.quantity.number == 7.2 and growth.ratio is None
    assert [c.label for c in columns_in([done])] == ["目标", "年均增速", "完成", "完成增速"]
    assert len(ROLE_COLUMNS) == len({(c.role, c.measure) for c in ROLE_COLUMNS})
