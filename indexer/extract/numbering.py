"""Word's automatic numbering rendered into the text: 第一章 and （一） that the file does not type.

Counters follow the numbering definitions (numbering.xml): one set per abstract list, a level's
counter restarts when a level above it advances unless its lvlRestart says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CN_DIGITS = "〇一二三四五六七八九"
TIANGAN = "甲乙丙丁戊己庚辛壬癸"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def chinese(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (Word's chineseCounting)."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 100:
        tens, units = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[units] if units else "")
    hundreds, rest = divmod(n, 100)
    if not rest:
        return CN_DIGITS[hundreds] + "百"
    tail = "零" + chinese(rest) if rest < 10 else chinese(rest) if rest >= 20 else "一" + chinese(rest)
    return CN_DIGITS[hundreds] + "百" + tail


def roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "japaneseCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand", "ideographDigital"):
        return chinese(n)
    if fmt in ("ideographTraditional",):
        return TIANGAN[(n - 1) % 10]
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return CIRCLED[n - 1] if n <= len(CIRCLED) else str(n)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "upperRoman":
        return roman(n)
    if fmt == "lowerRoman":
        return roman(n).lower()
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


@dataclass(frozen=True)
class Level:
    start: int
    fmt: str
    text: str
    restart: int | None  # restart after this level (0-based) advances; None: after any above
    suffix: str


@dataclass
class Numbering:
    """The numbering definitions of one .docx and the counters as the body is read in order."""

    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId → (abstract, overrides)
    levels: dict[str, dict[int, Level]] = field(default_factory=dict)
    counters: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def read(cls, element) -> Numbering:
        out = cls()
        if element is None:
            return out
        for a in element.iter(f"{W}abstractNum"):
            levels = {}
            for lvl in a.iter(f"{W}lvl"):
                def val(tag, default="", lvl=lvl):
                    e = lvl.find(f"{W}{tag}")
                    return e.get(f"{W}val", default) if e is not None else default
                restart = val("lvlRestart", None)
                levels[int(lvl.get(f"{W}ilvl"))] = Level(
                    int(val("start", "1") or 1), val("numFmt", "decimal"), val("lvlText"),
                    None if restart is None else int(restart) - 1,
                    {"tab": "\t", "space": " ", "nothing": ""}.get(val("suff", "tab"), "\t"))
            out.levels[a.get(f"{W}abstractNumId")] = levels
        for n in element.iter(f"{W}num"):
            abstract = n.find(f"{W}abstractNumId")
            overrides = {}
            for o in n.iter(f"{W}lvlOverride"):
                s = o.find(f"{W}startOverride")
                if s is not None:
                    overrides[int(o.get(f"{W}ilvl"))] = int(s.get(f"{W}val"))
            if abstract is not None:
                out.nums[n.get(f"{W}numId")] = (abstract.get(f"{W}val"), overrides)
        return out

    def label(self, num_id: str, ilvl: int) -> str:
        """The next label of list ``num_id`` at level ``ilvl`` (its counter advanced), e.g. 第三章."""
        if num_id not in self.nums:
            return ""
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract, [0] * 9)
        lvl = levels[ilvl]
        start = overrides.get(ilvl, lvl.start)
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        for deeper, d in levels.items():
            if deeper > ilvl and (d.restart is None or ilvl <= d.restart):
                counters[deeper] = 0
        text = lvl.text
        for i in range(9):
            if f"%{i + 1}" in text:
                n = counters[i] or levels.get(i, lvl).start
                text = text.replace(f"%{i + 1}", number(n, levels.get(i, lvl).fmt))
        if lvl.fmt == "bullet":
            return ""
        # After 、 or ） the punctuation is the separator: 一、标题, not 一、 标题.
        return text + ("" if text[-1] in "、）)．." else lvl.suffix) if text else ""
