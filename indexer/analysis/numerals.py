"""Numbers as plans of every decade write them: 百分之四, 八万五千亿元 and 二○一○年 in the 1990s,
4%, 8.5万亿元 and 2010年 now. ``arabic_spans`` finds the first kind and renders each in the second,
so that the analyser indexes both forms and a question in either finds the other. Pure rules."""

from __future__ import annotations

import re
from decimal import Decimal

DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
# The magnitudes a rendering keeps, largest first, as modern plans write them (8.5万亿, 4300亿, 120万).
MAGNITUDES = (("万亿", 10**12), ("亿", 10**8), ("万", 10**4))

_D = "零〇○一二两三四五六七八九"
_YEAR_RE = re.compile(rf"(?<![{_D}十百千万亿点])([〇○零一二三四五六七八九]{{4}})(?=年)")
_PERCENT_RE = re.compile(rf"百分之([{_D}十百千点]+)")
# Ordinals (第十二章), and runs glued to more numerals, are not quantities.
_QUANTITY_RE = re.compile(rf"(?<![第{_D}十百千万亿点])([{_D}十百千万亿点]+)")


def _section(text: str) -> int | None:
    """Value of a run below 万 (三千二百零五, 十五); None when it is not a well-formed number."""
    total, digit, last_unit = 0, None, 10**4
    for ch in text:
        if ch in DIGITS:
            if digit is not None and digit != 0 and DIGITS[ch] != 0:
                return None
            digit = DIGITS[ch]
        else:
            unit = UNITS[ch]
            if unit >= last_unit:
                return None
            if digit is None:
                if ch != "十" or total:
                    return None
                digit = 1
            total += digit * unit
            digit, last_unit = None, unit
    return total + (digit or 0)


def integer(text: str) -> int | None:
    """Value of a Chinese integer (八万五千亿 = 8.5×10^12); None when it is not one."""
    for name, size in (("亿", 10**8), ("万", 10**4)):
        if name in text:
            high, _, low = text.rpartition(name)
            head = integer(high) if high else None
            tail = integer(low) if low else 0
            if not head or tail is None or tail >= size:
                return None
            return head * size + tail
    if not text or any(ch not in DIGITS and ch not in UNITS for ch in text):
        return None
    return _section(text)


def number(text: str) -> Decimal | None:
    """Value of a Chinese number, with a decimal part (四点五, 八点五万亿) or none."""
    whole, dot, rest = text.partition("点")
    if not dot:
        value = integer(text)
        return None if value is None else Decimal(value)
    magnitude = next(((m, s) for m, s in MAGNITUDES if rest.endswith(m)), ("", 1))
    digits = rest[: len(rest) - len(magnitude[0])]
    head = integer(whole)
    if head is None or not digits or any(ch not in DIGITS for ch in digits):
        return None
    return Decimal(f"{head}.{''.join(str(DIGITS[ch]) for ch in digits)}") * magnitude[1]


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def render(value: Decimal, with_magnitude: bool) -> str:
    """The modern way to write ``value``: with the largest magnitude it reaches when the source
    used one (4300亿, 8.5万亿, 120万), plain otherwise (360, 4.5)."""
    if with_magnitude:
        for name, size in MAGNITUDES:
            if value >= size:
                return _plain(value / size) + name
    return _plain(value)


def arabic_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, Arabic form) of each number written in Chinese numerals: years digit by digit
    (二○一○ before 年), percentages (百分之四点五), and quantities with a unit or a decimal
    point (八万五千亿, 三十, 四点五). Runs that are not well-formed numbers (十四五, 一二三) and
    ordinals (第十二) are left alone, and so are bare digits (一是, 五年), which are words."""
    spans: list[tuple[int, int, str]] = []
    taken = [False] * len(text)

    def add(start: int, end: int, form: str) -> None:
        spans.append((start, end, form))
        taken[start:end] = [True] * (end - start)

    for m in _YEAR_RE.finditer(text):
        add(m.start(1), m.end(1), "".join(str(DIGITS[ch]) for ch in m.group(1)))
    for m in _PERCENT_RE.finditer(text):
        value = number(m.group(1))
        if value is not None and not any(taken[m.start():m.end()]):
            add(m.start(), m.end(), render(value, False) + "%")
    for m in _QUANTITY_RE.finditer(text):
        run = m.group(1)
        if any(taken[m.start():m.end()]) or not any(ch in "十百千万亿点" for ch in run):
            continue
        if not any(ch in DIGITS and DIGITS[ch] for ch in run):
            continue
        value = number(run)
        if value is not None:
            add(m.start(), m.end(), render(value, any(ch in "万亿" for ch in run)))
    return sorted(spans)
