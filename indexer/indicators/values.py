"""A figure as printed in a plan (4300左右, 五年累计≥15000, [13.98], ＞50, 8%以上) read as a
number, its unit and its qualifiers; whatever is not one number stays text.

Pure and total: any string gives a Quantity, never an exception, so a table of the
genre that this has never seen still comes out, its odd cells as text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Qualifiers as the API spells them: comparison signs in ASCII, words as printed.
SIGNS = {"≥": "≥", "≧": "≥", ">=": "≥", "≤": "≤", "≦": "≤", "<=": "≤", ">": ">", "<": "<",
         "不低于": "≥", "不少于": "≥", "不高于": "≤", "不超过": "≤", "低于": "<", "高于": ">", "超过": ">"}
AFTER = ("以上", "以内", "以下", "左右", "上下")
# Bracketed figures are cumulative over the plan's five years (注：［］表示累计数), the genre's convention.
CUMULATIVE = "累计"
RANGE = "区间"
NUMBER = r"[-+−]?\d+(?:\.\d+)?"
UNIT = r"(?:%|‰|个百分点|百分点|[万亿千百]*(?:美元|元|人次|人|户|套|亩|吨标准煤|吨标煤|吨|件|个|张|年|岁" \
       r"|公顷|平方米|立方米|公里|千米|千瓦时|千瓦|辆|所|座|床|斤))(?:[/／][^\d\s左以上下内%]{1,6})?"
_SIGN_RE = "|".join(sorted(map(re.escape, SIGNS), key=len, reverse=True))
VALUE_RE = re.compile(
    rf"^(?P<lead>(?:(?:五年|年均|\d{{4}}年?)?累计|{_SIGN_RE})*)"
    rf"(?P<num>{NUMBER})(?P<unit1>{UNIT})?"
    rf"(?:\s*(?:[-—–～~至到]+)\s*(?P<high>{NUMBER})(?P<unit2>{UNIT})?)?"
    rf"(?P<after>(?:{'|'.join(AFTER)})?)$")
ASIDE_RE = re.compile(r"^(?P<main>.+?)[（(](?P<aside>[^（）()]+)[）)]$")
EMPTY = {"", "—", "——", "-", "--", "/", "－", "…"}


@dataclass(frozen=True)
class Quantity:
    """A printed figure: ``number`` (and ``high`` for a range) is None when the text is no
    single number (持续改善, —, 城镇24513农村11744); ``aside`` is a figure printed after it
    in brackets (``1857.9（五年累计6348）``)."""

    text: str
    number: float | None = None
    high: float | None = None
    unit: str = ""
    qualifiers: tuple[str, ...] = ()
    aside: Quantity | None = field(default=None)

    @property
    def empty(self) -> bool:
        return self.text.strip() in EMPTY

    def to_json(self) -> dict:
        return {"text": self.text, "number": self.number, "high": self.high, "unit": self.unit,
                "qualifiers": list(self.qualifiers), "aside": self.aside.to_json() if self.aside else None}

    @classmethod
    def from_json(cls, d: dict) -> Quantity:
        aside = d.get("aside")
        return cls(d["text"], d.get("number"), d.get("high"), d.get("unit", ""), tuple(d.get("qualifiers", ())),
                   cls.from_json(aside) if aside else None)


def parse_value(text: str) -> Quantity:
    """The figure in ``text``; see Quantity."""
    if not isinstance(text, str):
        return Quantity(str(text))
    flat = unicodedata.normalize("NFKC", text)
    flat = re.sub(r"\s+", "", flat).replace("−", "-")
    if flat in EMPTY or len(flat) > 40:
        return Quantity(text)
    aside = None
    m = ASIDE_RE.match(flat)
    if m and re.search(r"\d", m["aside"]):
        main = _read(m["main"], text)
        if main.number is not None:
            aside = parse_value(m["aside"])
            return Quantity(text, main.number, main.high, main.unit, main.qualifiers, aside)
    return _read(flat, text)


def _read(flat: str, text: str) -> Quantity:
    qualifiers: list[str] = []
    if len(flat) > 2 and flat[0] in "[［【" and flat[-1] in "]］】":
        flat = flat[1:-1]
        qualifiers.append(CUMULATIVE)
    m = VALUE_RE.match(flat)
    if not m:
        return Quantity(text)
    lead = m["lead"]
    while lead:
        if cum := re.match(r"(?:五年|年均|\d{4}年?)?累计", lead):
            word = cum.group()
            qualifiers.append(word if word.startswith("五年") else CUMULATIVE)
            lead = lead[len(word):]
            continue
        sign = next(s for s in sorted(SIGNS, key=len, reverse=True) if lead.startswith(s))
        qualifiers.append(SIGNS[sign])
        lead = lead[len(sign):]
    try:
        number = float(m["num"])
        high = float(m["high"]) if m["high"] is not None else None
    except ValueError:  # pragma: no cover - the pattern admits only decimals
        return Quantity(text)
    if high is not None:
        qualifiers.append(RANGE)
    if m["after"]:
        qualifiers.append(m["after"])
    unit = m["unit1"] or m["unit2"] or ""
    return Quantity(text, number, high, unit, tuple(dict.fromkeys(qualifiers)))
