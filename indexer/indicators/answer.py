"""Search answers numbers: the indicator records a numeric question asks for, shown above the
passages as an answer card.

A query is a numeric question when it names an indicator that has records: the query, read
through the same synonym table as the records' names (indexer.indicators.names), contains an
indicator key, whole. Then the places it names keep their records, a 十三五/十四五 keeps its
period, a year (2025年) keeps the values of that year, and 目标/完成/基期 keep the values of that
role. Nothing left, no card. Pure functions: the searcher passes the build's records and the
catalog.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from indexer.documents.corpus import DocumentInfo
from indexer.documents.places import name_forms
from indexer.indicators.names import SYNONYMS
from indexer.indicators.records import Record, Value
from indexer.indicators.roles import PERIOD_RE, Role, plan_years
from indexer.query.intent import named_places

# Records a card shows at most (a comparison of every place fits; the page /indicators has the rest).
MAX_ANSWER_RECORDS = 12
# A key's direction word: 单位GDP能耗 and 单位GDP能耗下降 ask for the same figures.
DIRECTION_RE = re.compile(r"(?:下降|降低|降幅|提高|增长)$")
# What turns an indicator's name into another indicator's (人均GDP, 单位GDP能耗, GDP占…比重), where
# no record has the longer name: the part must then not be read as the whole.
MODIFIER_BEFORE_RE = re.compile(r"(?:人均|单位|每|占)$")
MODIFIER_AFTER_RE = re.compile(r"^(?:能耗|能源|比重|强度|密度|占)")
YEAR_RE = re.compile(r"(20\d\d|19\d\d)年?")
YEAR_IN_COLUMN_RE = re.compile(r"(\d{4})年")
# The role a question asks for. A plan's 年均增速 is a target too: 目标 keeps it.
ROLE_WORDS: tuple[tuple[re.Pattern, frozenset[Role]], ...] = (
    (re.compile(r"完成|实现|实际|达到了"), frozenset({"achieved"})),
    (re.compile(r"目标|预期|要求"), frozenset({"target", "growth"})),
    (re.compile(r"基期|基数"), frozenset({"baseline"})),
)


@dataclass(frozen=True)
class Asked:
    """What a numeric question names: indicator keys, places, periods, a year, roles."""

    keys: tuple[str, ...]
    cities: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()
    year: int | None = None
    roles: frozenset[Role] = frozenset()


def rewrite(text: str) -> str:
    """Running text read as the records' names are: one width, no spaces, the synonyms applied
    (GDP → 地区生产总值), so a key found in it is the key of the name the text prints."""
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("(", "（").replace(")", "）")
    for pattern, repl in SYNONYMS:
        flat = re.sub(pattern, repl, flat)
    return flat


def _stem(key: str) -> str:
    return DIRECTION_RE.sub("", key) or key


def named_keys(text: str, keys: Iterable[str]) -> tuple[str, ...]:
    """The indicator keys a query names. A key (without its direction word) counts where the query
    holds it whole, the longest where two overlap (单位地区生产总值能耗 is not 地区生产总值), and not
    where a modifier makes it part of another indicator's name (人均GDP). A stem's keys come together."""
    flat = rewrite(text)
    stems: dict[str, list[str]] = {}
    for key in keys:
        if len(_stem(key)) >= 2:
            stems.setdefault(_stem(key), []).append(key)
    found = sorted((m.start(), -len(stem), m.end(), stem) for stem in stems
                   for m in re.finditer(re.escape(stem), flat))
    out: list[str] = []
    covered = -1
    for start, _, end, stem in found:
        if start < covered:
            continue
        if MODIFIER_BEFORE_RE.search(flat[:start]) or MODIFIER_AFTER_RE.search(flat[end:]):
            continue
        covered = end
        out += [k for k in sorted(stems[stem], key=len) if k not in out]
    return tuple(out)


def asked(text: str, keys: Iterable[str], documents: Iterable[DocumentInfo]) -> Asked | None:
    """What the query asks for, or None when it names no indicator (not a numeric question)."""
    named = named_keys(text, keys)
    if not named:
        return None
    forms = {d.city: name_forms(d.city) for d in documents}
    year = YEAR_RE.search(text)
    roles = next((r for pattern, r in ROLE_WORDS if pattern.search(text)), frozenset())
    periods = tuple(dict.fromkeys(m.group() for m in PERIOD_RE.finditer(text)))
    return Asked(named, tuple(named_places(text, forms)), periods, int(year.group(1)) if year else None, roles)


def _year_of(r: Record, v: Value) -> int | None:
    """The year a value stands for: its column's (到2025年, 2020年完成情况), else a plan's target or
    growth stands for the plan's last year, a report's for the report's year."""
    years = YEAR_IN_COLUMN_RE.findall(v.column)
    if years:
        return int(years[-1])
    span = plan_years(r.period)
    if span:
        return span[1] if v.role in ("target", "growth") else None
    own = YEAR_IN_COLUMN_RE.search(r.period)
    return int(own.group(1)) if own else None


def _keeps(a: Asked, r: Record, v: Value) -> bool:
    if a.roles and v.role not in a.roles:
        return False
    return a.year is None or _year_of(r, v) == a.year


def answer(text: str, records: Iterable[Record], documents: Iterable[DocumentInfo],
           allowed: Collection[str] | None = None) -> list[Record]:
    """The records a numeric question's card shows, each with only the values asked for, in the
    build's order; empty when the query is no numeric question or nothing matches it. ``allowed``:
    the documents the search's filters admit (None for all)."""
    rows = [r for r in records if allowed is None or r.doc_id in allowed]
    a = asked(text, {r.key for r in rows}, documents)
    if a is None:
        return []
    out: list[Record] = []
    for r in rows:
        if r.key not in a.keys or (a.cities and r.city not in a.cities) or (a.periods and r.period not in a.periods):
            continue
        values = tuple(v for v in r.values if _keeps(a, r, v))
        if values:
            out.append(replace(r, values=values))
    return out[:MAX_ANSWER_RECORDS]
