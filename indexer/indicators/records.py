"""Indicator records: one per indicator row of a table, and one per target a work report
states in its 主要预期目标 sentence, each citing the passage it comes from."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from indexer.documents.corpus import DocumentInfo
from indexer.indicators.names import indicator_key, is_growth_name, strip_unit
from indexer.indicators.roles import Measure, Role, column_role, plan_years
from indexer.indicators.values import UNIT, Quantity, parse_value
from indexer.parse.model import ParsedDocument, Passage, PassageKind

Source = Literal["table", "text"]
NAME_COLUMN_RE = re.compile(r"指标名称|^指标$|考核指标|^指标项$")
CATEGORY_COLUMN_RE = re.compile(r"类别|分类|^项目$|^领域$")
SERIAL_COLUMN_RE = re.compile(r"序号")
UNIT_COLUMN_RE = re.compile(r"^单位$|计量单位")
ATTRIBUTE_COLUMN_RE = re.compile(r"属性$")
ATTRIBUTE_RE = re.compile(r"预期性|约束性|引导性|指导性")
PERCENT_LABEL_RE = re.compile(r"[（(]\s*[%％]\s*[）)]")
# A work report's targets: the clauses after 主要预期目标 (是：…), up to the sentence's end.
TARGETS_INTRO_RE = re.compile(r"(?:主要预期目标|主要目标)(?:是|为)?[：:]")
CLAUSE_SPLIT_RE = re.compile(r"[，；;。]")
TEXT_TARGET_RE = re.compile(
    r"^(?:全年|今年|全市|全省|全区)?(?P<name>[\u4e00-\u9fffA-Za-z（）]{2,24}?)"
    r"(?P<verb>年均增长|增长|达到|达|控制在|下降|降低|提高到|提高|保持在|涨幅)?"
    rf"(?P<value>(?:[<>≥≤]|不低于|不超过)?\d+(?:\.\d+)?(?:{UNIT})?(?:[-—～至](?:\d+(?:\.\d+)?)(?:{UNIT})?)?"
    r"(?:以上|以内|以下|左右)?)$")


@dataclass(frozen=True)
class Value:
    """One figure of a record: where it stands (its column path) and what it is there."""

    column: str
    role: Role
    measure: Measure
    quantity: Quantity

    def to_json(self) -> dict:
        return {"column": self.column, "role": self.role, "measure": self.measure, **self.quantity.to_json()}

    @classmethod
    def from_json(cls, d: dict) -> Value:
        return cls(d["column"], d["role"], d["measure"], Quantity.from_json(d))


@dataclass(frozen=True)
class Record:
    """An indicator of one document, as printed, with the passage that shows it."""

    record_id: str
    doc_id: str
    city: str
    period: str
    source: Source
    table: str
    category: str
    name: str
    key: str
    unit: str
    attribute: str
    passage_id: str
    start: int
    end: int
    values: tuple[Value, ...] = field(default=())

    def to_json(self) -> dict:
        return {**{k: getattr(self, k) for k in RECORD_FIELDS}, "values": [v.to_json() for v in self.values]}

    @classmethod
    def from_json(cls, d: dict) -> Record:
        return cls(**{k: d[k] for k in RECORD_FIELDS}, values=tuple(Value.from_json(v) for v in d["values"]))


RECORD_FIELDS = ("record_id", "doc_id", "city", "period", "source", "table", "category", "name", "key", "unit",
                 "attribute", "passage_id", "start", "end")


@dataclass(frozen=True)
class TableShape:
    """Which columns of a table name the row, and what the value columns hold."""

    title: str
    period: str
    name: int
    category: int | None
    unit: int | None
    attribute: int | None
    values: tuple[tuple[int, str, Role, Measure], ...]


def table_shape(title: str, labels: tuple[str, ...], doc_period: str) -> TableShape | None:
    """An indicator table's columns, or None when the table lists no indicator figures
    (园区 catalogues, 重点项目 lists)."""
    name = _find(labels, NAME_COLUMN_RE)
    if name is None:
        return None
    m = re.search(r"(十?[一二三四五六七八九]|十)五", title)
    period = f"{m.group()}" if m else doc_period
    years = plan_years(period)
    named = {name, _find(labels, CATEGORY_COLUMN_RE), _find(labels, SERIAL_COLUMN_RE),
             _find(labels, UNIT_COLUMN_RE), _find(labels, ATTRIBUTE_COLUMN_RE)}
    values = []
    for i, label in enumerate(labels):
        if i in named or i < name:
            continue
        role = column_role(label, years)
        if role:
            values.append((i, label, *role))
    if not values:
        return None
    return TableShape(title, period, name, _find(labels, CATEGORY_COLUMN_RE), _find(labels, UNIT_COLUMN_RE),
                      _find(labels, ATTRIBUTE_COLUMN_RE), tuple(values))


def _find(labels: tuple[str, ...], pattern: re.Pattern) -> int | None:
    return next((i for i, lb in enumerate(labels) if pattern.search(lb)), None)


def row_record(shape: TableShape, p: Passage, info: DocumentInfo) -> Record | None:
    """A row's record, or None for a row with no name or no figure."""
    cells = p.cells

    def cell(i: int | None) -> str:
        return cells[i] if i is not None and i < len(cells) else ""

    printed = cell(shape.name)
    if not printed:
        return None
    bracket_unit = strip_unit(printed)[1]
    unit = cell(shape.unit) or bracket_unit
    growth_row = is_growth_name(printed)
    values = []
    for i, label, role, measure in shape.values:
        q = parse_value(cell(i))
        if not q.text or q.empty:
            continue
        if growth_row:
            measure = "growth"
        if not q.unit:
            q = _with_unit(q, label, measure, unit)
        values.append(Value(label, role, measure, q))
    if not values:
        return None
    attribute = cell(shape.attribute)
    return Record(p.passage_id, info.id, info.city, shape.period, "table", shape.title, cell(shape.category),
                  printed, indicator_key(printed), unit,
                  attribute if ATTRIBUTE_RE.fullmatch(attribute) else "", p.passage_id, p.start, p.end, tuple(values))


def _with_unit(q: Quantity, label: str, measure: Measure, row_unit: str) -> Quantity:
    """A figure printed bare takes its column's unit (年均增速（%）), else a growth rate is a
    percentage unless it is a bracketed cumulative, which is in the row's unit."""
    if q.number is None:
        return q
    percent = PERCENT_LABEL_RE.search(label) or (measure == "growth" and "累计" not in q.qualifiers)
    unit = "%" if percent else row_unit
    return Quantity(q.text, q.number, q.high, unit, q.qualifiers, q.aside)


def text_records(p: Passage, info: DocumentInfo) -> list[Record]:
    """Targets stated in running text: only the clauses after 主要预期目标是：, and only a clause
    that is wholly <indicator><增长/达到/控制在…><figure> (precision over recall)."""
    m = TARGETS_INTRO_RE.search(p.text)
    if not m:
        return []
    out: list[Record] = []
    pos = m.end()
    for clause in CLAUSE_SPLIT_RE.split(p.text[m.end():]):
        at = p.text.find(clause, pos)
        pos = at + len(clause)
        c = re.sub(r"\s+", "", unicodedata.normalize("NFKC", clause))
        t = TEXT_TARGET_RE.match(c)
        if not t or re.search(r"[和与及、]", t["name"]):
            continue
        name = t["name"]
        verb = t["verb"] or ""
        measure: Measure = "growth" if verb in ("增长", "年均增长", "涨幅") or verb.startswith("下降") else "level"
        q = parse_value(t["value"])
        if q.number is None or t["name"].startswith("到"):
            continue
        if measure == "growth" and not q.unit:
            q = Quantity(q.text, q.number, q.high, "%", q.qualifiers)
        start = p.start + at if at >= 0 else p.start
        end = start + len(clause) if at >= 0 else p.end
        out.append(Record(f"{p.passage_id}#{len(out) + 1}", info.id, info.city, f"{info.year}年", "text",
                          "", "", name + verb, indicator_key(name), q.unit, "", p.passage_id, start, end,
                          (Value("预期目标", "target", measure, q),)))
    return out


def document_records(pd: ParsedDocument, info: DocumentInfo) -> list[Record]:
    """Every record of a document, in its order."""
    out: list[Record] = []
    shape: TableShape | None = None
    for p in pd.passages:
        if p.kind == PassageKind.TABLE_HEADER:
            shape = table_shape(p.context, p.cells, info.period)
        elif p.kind == PassageKind.TABLE_ROW:
            if shape is not None and (r := row_record(shape, p, info)):
                out.append(r)
        elif p.kind == PassageKind.PARAGRAPH:
            shape = None
            out.extend(text_records(p, info))
    return out
