"""Query understanding: what a query asks for besides its words.

Pure functions. A query may name documents (常德…, …工作报告), ask for a
section (…的章节, …部分), or be a natural-language question; the words that
only carry that intent are taken out of the BM25 query, where they would
match half the corpus.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from indexer.documents.corpus import DocumentInfo
from indexer.documents.places import name_forms

COMPARE_RE = re.compile(r"各地|各市|各城市|各个城市|各县|各省|各省份|各省市|哪些省|哪些城市|哪些地方"
                        r"|几个城市|几座城市|对比|比较|分别")
SECTION_RE = re.compile(r"(章节|部分|篇章|专章|一章|一节|哪一篇|哪章|哪节)")
QUESTION_RE = re.compile(
    r"[？?吗呢]|怎么|怎样|如何|什么|多少|哪些|哪里|哪儿|有没有|能不能|会不会|是不是|是否|为什么|为何|打算|咋"
)
# Scope words that ask for documents of one administrative level (indexer.documents.places.admin_level).
SCOPE_LEVELS = {"各省": "省", "各省份": "省", "各省区市": "省", "哪些省": "省", "全国各地": "省",
                "各市": "市", "各城市": "市", "各个城市": "市", "哪些城市": "市", "几个城市": "市", "几座城市": "市",
                "各县": "县", "各区县": "县"}
SCOPE_RE = re.compile("|".join(sorted(SCOPE_LEVELS, key=len, reverse=True)))
KIND_WORDS = {"政府工作报告": ("政府工作报告", "工作报告"), "规划纲要": ("规划纲要", "规划", "纲要")}
@functools.cache
def query_stopwords() -> frozenset[str]:
    """Words that carry no content in a query (used on the query side only)."""
    path = Path(__file__).with_name("data") / "query_stopwords.txt"
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        words.update(line.split("#", 1)[0].split())
    return frozenset(words)


@dataclass(frozen=True)
class Intent:
    preferred_docs: tuple[str, ...]
    named: tuple[str, ...]
    strength: int
    section: bool
    question: bool
    lexical_text: str
    compare: bool = False
    level: str = ""

    def explain(self) -> dict | None:
        if not self.preferred_docs:
            return None
        return {"documents": list(self.preferred_docs), "named": list(self.named), "strength": self.strength,
                "reason": "检索词提到了 " + "、".join(self.named)}


def named_places(text: str, forms: dict[str, tuple[str, ...]]) -> list[str]:
    """The places a text names, in order of mention. The longest name wins where names
    overlap, so 天津市 names 天津市 and not 津市."""
    found = sorted(((m.start(), -len(f), m.end(), place) for place, fs in forms.items() for f in fs
                    for m in re.finditer(re.escape(f), text)))
    named: list[str] = []
    covered = -1
    for start, _, end, place in found:
        if start >= covered:
            covered = end
            if place not in named:
                named.append(place)
    return named


def scope_level(text: str) -> str:
    """The administrative level a scope word asks for (各省 → 省, 各市 → 市), or ""; 各地 asks for none."""
    m = SCOPE_RE.search(text)
    return SCOPE_LEVELS[m.group(0)] if m else ""


def analyse(text: str, documents: Iterable[DocumentInfo], filtered: bool = False) -> Intent:
    """``filtered``: the user chose documents explicitly, so names in the query prefer nothing."""
    docs = list(documents)
    forms = {d.city: name_forms(d.city) for d in docs}
    cities = named_places(text, forms)
    kinds = sorted({k for k, words in KIND_WORDS.items() if any(w in text for w in words)})
    preferred: tuple[str, ...] = ()
    named: list[str] = []
    strength = 0
    lexical = text
    if cities and not filtered:
        chosen = [d for d in docs if d.city in cities]
        kind_chosen = [d for d in chosen if d.kind in kinds]
        preferred = tuple(d.id for d in (kind_chosen or chosen))
        named = cities + ([k for k in kinds if kind_chosen] if kind_chosen else [])
        strength = 2 if kind_chosen and len(kind_chosen) < len(chosen) else 1
        for city in cities:
            for form in sorted(forms[city], key=len, reverse=True):
                lexical = re.sub(f"{re.escape(form)}[省市]?", " ", lexical)
        for k in kinds:
            for w in sorted(KIND_WORDS[k], key=len, reverse=True):
                lexical = lexical.replace(w, " ")
    return Intent(preferred, tuple(named), strength, bool(SECTION_RE.search(text)),
                  bool(QUESTION_RE.search(text)) or len(text) >= 20, lexical,
                  compare=bool(COMPARE_RE.search(text)) and len(cities) != 1,
                  level="" if cities or filtered else scope_level(text))
