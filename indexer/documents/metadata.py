"""Catalog metadata read off a parsed document: title, kind, period, year and place.

``plansearch add`` fills every field the user does not give from here, and
``plansearch parse`` shows it, so a person can review it before adding.
Pure functions over the parsed title and front matter.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from indexer.documents.corpus import Description
from indexer.documents.places import NATIONAL, name_forms, split_units
from indexer.parse.lines import WS_RE
from indexer.parse.model import ParsedDocument, PassageKind
from indexer.parse.structure import TITLE_LINE_RE

KINDS = (
    ("政府工作报告", re.compile(r"政府工作报告|工作报告")),
    ("规划纲要", re.compile(r"五年(?:规划|计划).*纲要|规划纲要|计划纲要|规划和.*纲要|规划.*远景目标")),
    ("专项规划", re.compile(r"规划")),
    ("计划", re.compile(r"计划")),
    ("实施方案", re.compile(r"方案")),
)
OTHER_KIND = "其他"
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_PERIOD_RE = re.compile(r"第(十[一二三四五六七八九]?)个五年|“(十[一二三四五六七八九]?)五”"
                        r"|(十[一二三四五六七八九]?)五(?:规划|时期|期间)")
_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
_SESSION_PLACE_RE = re.compile(r"在((?:[\u4e00-\u9fff]{1,10}?(?:自治区|省|市|县|区|州|盟|旗)){1,3})第")
# A text that names itself in its first sentence: ``常德市…纲要，根据……编制``.
_SELF_NAMING_RE = re.compile(r"^([^，。,]{4,60}(?:纲要|报告|规划))[，,]")
# The 14th five-year plan began in 2021; each plan is five years.
_ANCHOR_PLAN, _ANCHOR_YEAR = 14, 2021


@dataclass(frozen=True)
class Detected(Description):
    """A description read off the text, for the catalog entry of an added document."""

    def to_json(self) -> dict:
        return asdict(self)


def plan_number(period: str) -> int | None:
    """十四五 → 14, 十五 → 10 (the tenth plan, 2001–2005)."""
    body = period.removesuffix("五") if period != "十五" else "十"
    if not body.startswith("十"):
        return None
    return 10 + _CN_DIGITS.get(body[1:], 0) if len(body) <= 2 else None


def period_name(n: int) -> str:
    return "十五" if n == 10 else "十" + {v: k for k, v in _CN_DIGITS.items()}.get(n - 10, "") + "五"


def period_of_year(year: int) -> str:
    return period_name(_ANCHOR_PLAN + (year - _ANCHOR_YEAR) // 5)


def detect(title: str, front: str, fallback_title: str) -> Detected:
    """Metadata from the printed title and the front matter (subtitle, date line).

    ``fallback_title`` names the document when no title was found (the file stem)."""
    base = title or fallback_title
    kind = next((name for name, rx in KINDS if rx.search(base)), OTHER_KIND)
    m = _PERIOD_RE.search(base)
    n = plan_number((m.group(1) or m.group(2) or m.group(3)) + "五") if m else None
    period = period_name(n) if n else ""
    year_m = _YEAR_RE.search(re.sub(r"\s", "", base)) or _YEAR_RE.search(re.sub(r"\s", "", front))
    year = int(year_m.group(1)) if year_m else 0
    if period and (kind != "政府工作报告" or not year):
        year = _ANCHOR_YEAR + 5 * ((plan_number(period) or _ANCHOR_PLAN) - _ANCHOR_PLAN)
    if not period and year:
        period = period_of_year(year)
    city = _place(re.sub(r"^\d{4}年", "", base), front)
    full = base
    if title and city and city not in title and city != NATIONAL:
        full = f"{year}年{city}{title}" if year and str(year) not in title else f"{city}{title}"
    return Detected(full, _short_title(city, kind, period, year, full), city, kind, period, year)


def _place(title: str, front: str) -> str:
    if title.startswith(("中华人民共和国", "国家", "全国", "国务院")):
        return NATIONAL
    units = split_units(title)
    if units:
        return units[-1]
    m = _SESSION_PLACE_RE.search(front)
    return split_units(m.group(1))[-1] if m else ""


def _short_title(city: str, kind: str, period: str, year: int, title: str) -> str:
    short = name_forms(city)[-1] if city else ""
    if kind == "政府工作报告" and year:
        return f"{short}{year}年政府工作报告"
    if kind in ("规划纲要", "专项规划") and period:
        return f"{short}“{period}”{kind}" if kind == "规划纲要" else title[:24]
    return title[:24]


def detect_document(parsed: ParsedDocument, fallback_title: str) -> Detected:
    """``detect`` on a parsed document: its title section, or failing that the first
    title-like line near the top (a plan whose 前言 comes before its title)."""
    title = next((s.title for s in parsed.sections if s.level == "title"), "")
    if not title:
        head = [WS_RE.sub("", ln) for ln in parsed.text.splitlines()[:40]]
        title = next((ln for ln in head if TITLE_LINE_RE.match(ln)), "")
        title = title or next((m.group(1) for ln in head if (m := _SELF_NAMING_RE.match(ln))), "")
    front = "".join(p.text for p in parsed.passages if p.kind == PassageKind.FRONT_MATTER) or parsed.text[:500]
    return detect(title, front, fallback_title)
