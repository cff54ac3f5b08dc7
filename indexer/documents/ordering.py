"""The order in which filter lists show catalog values: the order people think in, not code points.

Places by administrative level (省 and the 直辖市, then 市/州, then 县/区) and within a level by
pinyin; periods in time order (七五 … 十五五); years newest first; other fields as given.
"""

from __future__ import annotations

from collections.abc import Iterable

from indexer.documents.places import name_forms

# Province-level: the suffixes, and the four 直辖市, which end in 市 like a prefecture city.
PROVINCE_SUFFIXES = ("省", "自治区", "特别行政区")
MUNICIPALITIES = ("北京", "上海", "天津", "重庆")
COUNTY_SUFFIXES = ("县", "区", "旗")
DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def place_level(place: str) -> int:
    """0 province level, 1 city level (a short name like 常德 is a city), 2 county level."""
    if place.endswith(PROVINCE_SUFFIXES) or any(f in MUNICIPALITIES for f in name_forms(place)):
        return 0
    return 2 if place.endswith(COUNTY_SUFFIXES) else 1


def pinyin_key(text: str) -> bytes:
    """GB2312 orders its 3,755 common hanzi by pinyin, so their GB18030 bytes sort by pinyin."""
    return text.encode("gb18030", errors="replace")


def period_number(period: str) -> int | None:
    """十三五 → 13, 七五 → 7: the plan's ordinal, from its Chinese numeral before the final 五."""
    digits = period.removesuffix("五")
    if not digits or not period.endswith("五") or any(c not in DIGITS and c != "十" for c in digits):
        return None
    tens, _, ones = digits.rpartition("十")
    if "十" not in digits:
        return DIGITS[digits] if len(digits) == 1 else None
    return (DIGITS.get(tens, 0) if tens else 1) * 10 + (DIGITS[ones] if ones else 0)


def ordered(field: str, values: Iterable) -> list:
    """The distinct ``values`` of a catalog field (city, period, year, …) in display order."""
    distinct = set(values)
    if field == "city":
        return sorted(distinct, key=lambda p: (place_level(p), pinyin_key(p)))
    if field == "period":
        return sorted(distinct, key=lambda p: (period_number(p) is None, period_number(p) or 0, p))
    if field == "year":
        return sorted(distinct, reverse=True)
    return sorted(distinct, key=pinyin_key)
