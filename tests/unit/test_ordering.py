"""Filter lists in the order people think in, on the catalogs' own values."""

from __future__ import annotations

import yaml

from indexer.documents.ordering import ordered, period_number, place_level
from tests.conftest import CORPUS, ROOT


def _values(field: str) -> list:
    docs = []
    for path in (CORPUS / "catalog.yaml", ROOT / "collections" / "provinces" / "catalog.yaml"):
        docs += yaml.safe_load(path.read_text(encoding="utf-8"))["documents"]
    return [d[field] for d in docs]


def test_places_go_province_level_first_then_cities_each_by_pinyin():
    places = ordered("city", _values("city"))
    assert places == ["北京市", "广东省", "河北省", "吉林省", "江苏省", "辽宁省", "山西省", "陕西省", "上海市",
                      "四川省", "天津市", "浙江省", "重庆市", "常德", "怀化", "津市", "岳阳"]
    assert [place_level(p) for p in ("湖南省", "广西壮族自治区", "北京市", "长沙市", "常德", "岳麓区", "桃源县")] \
        == [0, 0, 0, 1, 1, 2, 2]


def test_periods_go_in_time_order():
    assert ordered("period", _values("period")) == ["十三五", "十四五", "十五五"]
    # 十五 is the tenth plan (2001–2005), 十五五 the fifteenth.
    periods = ["十五五", "七五", "十一五", "九五", "十五"]
    assert ordered("period", periods) == ["七五", "九五", "十五", "十一五", "十五五"]
    assert [period_number(p) for p in ("七五", "十五", "十五五", "二十五", "规划")] == [7, 10, 15, 20, None]


def test_years_newest_first():
    assert ordered("year", [2021, 2026, 2016, 2021]) == [2026, 2021, 2016]
