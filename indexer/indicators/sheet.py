"""Records laid out as a sheet: one row per record, one column per role (基期, 目标, 年均增速,
完成…), and the plan set against its outcome. The /indicators page, its CSV export and
`plansearch indicators --csv` all read these columns, so they cannot disagree."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from indexer.indicators.records import Record, Value
from indexer.indicators.roles import Measure, Role, plan_years

YEAR_RE = re.compile(r"(\d{4})年")
# Excel reads a CSV file as UTF-8 only when it starts with a byte order mark.
CSV_BOM = "\ufeff"
TEXT_TABLE = "正文预期目标"


@dataclass(frozen=True)
class RoleColumn:
    """A column of the sheet: the values of one role and measure."""

    role: Role
    measure: Measure
    label: str


ROLE_COLUMNS: tuple[RoleColumn, ...] = (
    RoleColumn("baseline", "level", "基期"),
    RoleColumn("baseline", "growth", "基期增速"),
    RoleColumn("target", "level", "目标"),
    RoleColumn("target", "growth", "目标增速"),
    RoleColumn("growth", "growth", "年均增速"),
    RoleColumn("achieved", "level", "完成"),
    RoleColumn("achieved", "growth", "完成增速"),
)
# What is set against what: a plan's figure and the figure that reports its outcome.
OUTCOME_PAIRS: tuple[tuple[RoleColumn, RoleColumn], ...] = (
    (ROLE_COLUMNS[2], ROLE_COLUMNS[5]),
    (ROLE_COLUMNS[4], ROLE_COLUMNS[6]),
)
# The record's own fields, in the order the sheet shows them.
RECORD_COLUMNS: tuple[tuple[str, Callable[[Record], str]], ...] = (
    ("地区", lambda r: r.city),
    ("规划期", lambda r: r.period),
    ("文件", lambda r: r.doc_id),
    ("表", lambda r: r.table or TEXT_TABLE),
    ("类别", lambda r: r.category),
    ("指标", lambda r: r.name),
    ("指标键", lambda r: r.key),
    ("单位", lambda r: r.unit),
    ("属性", lambda r: r.attribute),
)
FULFILMENT = "完成/目标（%）"


def value_label(v: Value) -> str:
    """A value's role in words, as the sheet's column that holds it is headed (目标, 年均增速, 完成增速)."""
    return next((c.label for c in ROLE_COLUMNS if (c.role, c.measure) == (v.role, v.measure)), v.role)


def cell(r: Record, column: RoleColumn) -> tuple[Value, ...]:
    """The record's values in a column (in the corpus at most one; a table of another shape
    may print two)."""
    return tuple(v for v in r.values if (v.role, v.measure) == (column.role, column.measure))


def cell_text(values: Iterable[Value]) -> str:
    return "；".join(v.quantity.text for v in values)


def columns_in(records: Iterable[Record]) -> tuple[RoleColumn, ...]:
    """The role columns that hold a value in any of the records, in sheet order."""
    held = {(v.role, v.measure) for r in records for v in r.values}
    return tuple(c for c in ROLE_COLUMNS if (c.role, c.measure) in held)


def ratio(target: Value, done: Value) -> float | None:
    """The outcome as a percentage of a level target, when both are single numbers."""
    t, a = target.quantity, done.quantity
    if target.measure != "level" or t.number in (None, 0) or a.number is None or t.high is not None \
            or a.high is not None:
        return None
    return 100 * a.number / t.number


def fulfilment(r: Record) -> float | None:
    """完成 as a percentage of 目标 when the record prints each once, else None."""
    target, achieved = cell(r, ROLE_COLUMNS[2]), cell(r, ROLE_COLUMNS[5])
    return ratio(target[0], achieved[0]) if len(target) == 1 and len(achieved) == 1 else None


@dataclass(frozen=True)
class Outcome:
    """A plan's figure beside the figure that reports it: the same table's 完成情况, or a later
    plan's base year (the 十四五 table's 2020年 is the 十三五 plan's outcome)."""

    plan: Record
    target: Value
    record: Record
    outcome: Value
    how: str  # "完成情况" (the same table) or "后续规划" (a later plan's base year)

    @property
    def ratio(self) -> float | None:
        return ratio(self.target, self.outcome)


def _target_year(r: Record, v: Value) -> int | None:
    years = [int(y) for y in YEAR_RE.findall(v.column)]
    if years:
        return years[-1]
    span = plan_years(r.period)
    return span[1] if span else None


def _first_year(period: str) -> int | None:
    """A period's first year: 十四五 → 2021, a report's 2021年 → 2021."""
    span = plan_years(period)
    if span:
        return span[0]
    m = YEAR_RE.search(period)
    return int(m.group(1)) if m else None


def _later(o: Record, r: Record) -> bool:
    a, b = _first_year(o.period), _first_year(r.period)
    return a is not None and b is not None and a > b


def outcomes(records: list[Record]) -> list[Outcome]:
    """Each target (level or growth) beside its outcome. The same table's 完成 column first;
    for a target without one, a baseline of the same year in a later plan of the same place
    and indicator."""
    out: list[Outcome] = []
    for r in records:
        for plan_col, done_col in OUTCOME_PAIRS:
            for t in cell(r, plan_col):
                done = cell(r, done_col)
                if done:
                    out.extend(Outcome(r, t, r, d, "完成情况") for d in done)
                    continue
                year = _target_year(r, t)
                later = next(((o, b) for o in records if o is not r and o.city == r.city and o.key == r.key
                              and _later(o, r) for b in o.values
                              if b.role == "baseline" and b.measure == t.measure
                              and year is not None and f"{year}年" in b.column), None)
                if later:
                    out.append(Outcome(r, t, later[0], later[1], "后续规划"))
    return out


def csv_header() -> list[str]:
    head = [name for name, _ in RECORD_COLUMNS]
    for c in ROLE_COLUMNS:
        head += [c.label, f"{c.label}·数值", f"{c.label}·列"]
    return [*head, FULFILMENT, "段落", "链接"]


def csv_row(r: Record, url: str) -> list[str]:
    row = [get(r) for _, get in RECORD_COLUMNS]
    for c in ROLE_COLUMNS:
        values = cell(r, c)
        row += [cell_text(values), "；".join(_number(v) for v in values), "；".join(v.column for v in values)]
    f = fulfilment(r)
    return [*row, f"{f:.1f}" if f is not None else "", r.passage_id, url]


def _number(v: Value) -> str:
    q = v.quantity
    if q.number is None:
        return ""
    return f"{q.number:g}" + (f"-{q.high:g}" if q.high is not None else "")


def csv_text(records: Iterable[Record], url_of: Callable[[Record], str]) -> str:
    """The records as CSV, one row a record (the page's rows), header first; no BOM."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(csv_header())
    for r in records:
        w.writerow(csv_row(r, url_of(r)))
    return buf.getvalue()
