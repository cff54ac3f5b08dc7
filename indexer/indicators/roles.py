"""What a table column holds, read from its header label path by the genre's rules: a
year against the plan's period, and the words 完成/实际, 目标, 年均增长.

Rules, not a list of documents: 2015年 in a 十三五 table is the baseline, 2020年 its target
unless the path says 完成; 2020年 in a 十四五 table is the baseline.
"""

from __future__ import annotations

import re
from typing import Literal

Role = Literal["baseline", "target", "growth", "achieved"]
Measure = Literal["level", "growth"]
ROLES: tuple[Role, ...] = ("baseline", "target", "growth", "achieved")
NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
PERIOD_RE = re.compile(r"(十?[一二三四五六七八九]|十)五")
ACHIEVED_RE = re.compile(r"完成|实际|实现|执行")
GROWTH_RE = re.compile(r"增速|增长|增幅|年均")
TARGET_RE = re.compile(r"目标|规划|预期|到\d{4}")
YEAR_RE = re.compile(r"(\d{4})年")


def plan_years(period: str) -> tuple[int, int] | None:
    """First and last year of a five-year plan named like 十四五 (2021–2025)."""
    m = PERIOD_RE.search(period or "")
    if not m:
        return None
    word = m.group(1)
    n = 10 + NUMERALS.get(word[1:], 0) if word.startswith("十") else NUMERALS[word]
    if n < 3:
        return (1953 + 5 * (n - 1), 1957 + 5 * (n - 1))
    start = 1966 + 5 * (n - 3)
    return (start, start + 4)


def column_role(label: str, years: tuple[int, int] | None) -> tuple[Role, Measure] | None:
    """The role of a value column, or None for a column that holds no figure of the plan."""
    if not label:
        return None
    growth = bool(GROWTH_RE.search(label))
    measure: Measure = "growth" if growth else "level"
    found = [int(y) for y in YEAR_RE.findall(label)]
    year = found[-1] if found else None
    if year is not None and years is not None and year < years[0]:
        return "baseline", measure
    if ACHIEVED_RE.search(label):
        return "achieved", measure
    if growth:
        return "growth", "growth"
    if year is not None or TARGET_RE.search(label):
        return "target", "level"
    return None
