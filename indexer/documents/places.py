"""Place names: the forms in which a query or a title names a 省/市/县/区.

Catalogs write places in full (北京市, 广西壮族自治区) or short (常德); people
write either. Pure functions, so the intent step and the metadata detector
learn places from the catalog instead of from a list of known cities.
"""

from __future__ import annotations

import functools
import re

# Longest first: 广西壮族自治区 must lose 壮族自治区, not only 区.
SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县",
            "地区", "新区", "省", "市", "县", "区", "盟", "旗", "州")
_ETHNIC_RE = re.compile(r"^(.{2,}?)(?:[\u4e00-\u9fff]{1,4}族)+(?:自治州|自治县|自治旗)$")
PLACE_UNIT = r"[\u4e00-\u9fff]{1,10}?(?:特别行政区|自治区|自治州|自治县|地区|省|市|县|区|盟|旗)"
_LEADING_PLACES_RE = re.compile(rf"^((?:{PLACE_UNIT}){{1,3}})")
NATIONAL = "全国"


@functools.lru_cache(maxsize=4096)
def name_forms(place: str) -> tuple[str, ...]:
    """Every form a reader may use: ``广西壮族自治区`` → (广西壮族自治区, 广西); ``北京市`` → (北京市, 北京)."""
    place = place.strip()
    if not place:
        return ()
    forms = [place]
    m = _ETHNIC_RE.match(place)
    if m:
        return (place, m.group(1))
    for suffix in SUFFIXES:
        if place.endswith(suffix) and len(place) - len(suffix) >= 2:
            forms.append(place[: -len(suffix)])
            break
    return tuple(dict.fromkeys(forms))


def split_units(text: str) -> list[str]:
    """The place units a title begins with: ``湖南省长沙市岳麓区…`` → [湖南省, 长沙市, 岳麓区]."""
    m = _LEADING_PLACES_RE.match(text)
    if not m:
        return []
    return re.findall(PLACE_UNIT, m.group(1))


# The 直辖市 are cities by name and provinces by level.
MUNICIPALITIES = ("北京", "天津", "上海", "重庆")
LEVELS = ("省", "市", "县", "区")


def full_name(place: str, title: str = "") -> str:
    """A place in full: a short name takes its suffix from the document's title where the title
    prints one after it (常德 → 常德市, 津市 → 津市市); otherwise the name stays as it is."""
    place = place.strip()
    m = re.search(re.escape(place) + f"({'|'.join(SUFFIXES)})", title) if place else None
    return place + m.group(1) if m else place


def admin_level(place: str, title: str = "") -> str:
    """The administrative level of a place, from its name (in full, see full_name): 省 (省,
    自治区, 特别行政区 and the 直辖市), 县 (县, 自治县, 旗), 区 (a city's 区), else 市 (市, 州,
    地区, 盟)."""
    place = full_name(place, title)
    short = name_forms(place)[-1]
    if place.endswith(("省", "自治区", "特别行政区")) or short in MUNICIPALITIES:
        return "省"
    if place.endswith(("县", "旗")):
        return "县"
    if place.endswith("区") and not place.endswith("地区"):
        return "区"
    return "市"
