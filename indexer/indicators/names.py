"""One name for one indicator across documents: the printed name without its unit in
brackets, with the curated synonyms below applied. Names are equal or they are not:
a name is never matched by a part of it (单位GDP能耗 is not GDP)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

# (pattern, replacement), applied in order; the one place the synonyms live.
SYNONYMS: tuple[tuple[str, str], ...] = (
    (r"GDP|国内生产总值|(?:^|(?<=[^地人]))(?:全市|全省|全区)?生产总值", "地区生产总值"),
    (r"地区地区生产总值", "地区生产总值"),
    (r"单位地区生产总值能源消耗|单位地区生产总值能耗", "单位地区生产总值能耗"),
    (r"三岁以下|3岁以下", "3岁以下"),
    (r"每千人口拥有3岁以下婴幼儿托位数|每千人口3岁以下婴幼儿托位数", "每千人口托位数"),
    (r"研究与试验发展(?:（R&D）|\(R&D\))?经费|R&D经费|研发经费", "研发经费"),
    (r"公共财政预算收入", "一般公共预算收入"),
    (r"每万人(?!口)", "每万人口"),
    (r"(?:降幅|降低|下降)$", "下降"),
)
UNIT_TAIL_RE = re.compile(r"[（(][^（）()]{0,12}[）)]$")
GROWTH_TAIL_RE = re.compile(r"(?:年均)?(?:增长率|增长|增速)$")


def strip_unit(name: str) -> tuple[str, str]:
    """The printed name and the unit in its trailing brackets: 地区生产总值（亿元） → (地区生产总值, 亿元)."""
    flat = re.sub(r"\s+", "", name)
    m = UNIT_TAIL_RE.search(flat)
    if m and not re.search(r"R&D|PM", m.group()):
        return flat[:m.start()], m.group()[1:-1]
    return flat, ""


def is_growth_name(name: str) -> bool:
    """A row named …增长（%）: its figures are growth rates."""
    return bool(GROWTH_TAIL_RE.search(strip_unit(name)[0]))


def _printed_base(name: str) -> str:
    """The name without its unit, in one width of brackets, as the synonyms read it."""
    base = strip_unit(unicodedata.normalize("NFKC", name).replace("(", "（").replace(")", "）"))[0]
    return base.split("》")[-1]


def in_synonym_table(name: str) -> bool:
    """Whether a synonym of the table rewrites this name (the table knows it)."""
    base = _printed_base(name)
    return any(re.search(pattern, base) for pattern, _ in SYNONYMS)


def unmatched_names(named: Iterable[tuple[str, str, str]]) -> list[tuple[str, int]]:
    """Of (name as printed, its key, document id) triples, the names that matched nothing: no
    synonym rewrites them and no other document has a record with their key. With how many
    records print each, most first: the candidates for the next synonyms."""
    triples = list(named)
    docs: dict[str, set[str]] = {}
    for _, key, doc in triples:
        docs.setdefault(key, set()).add(doc)
    counts = Counter(name for name, key, _ in triples if len(docs[key]) == 1 and not in_synonym_table(name))
    return sorted(counts.items(), key=lambda nc: (-nc[1], nc[0]))


def indicator_key(name: str) -> str:
    """The key that names the same indicator in every document."""
    base = _printed_base(name)
    for pattern, repl in SYNONYMS:
        base = re.sub(pattern, repl, base)
    return GROWTH_TAIL_RE.sub("", base) or base
