"""专栏/表 boxes: a table's rows, header labels and cells, or a box's list of items.

Scraped tables arrive one cell per line (a tab before each), rows between blank lines and
merged cells left out; the rules here put the cells back under their column labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.parse.chunks import chunk_span
from indexer.parse.heading_rules import STRUCTURAL_LEVELS
from indexer.parse.lines import WS_RE, Line, Role
from indexer.parse.model import PassageKind, Section

if TYPE_CHECKING:
    from indexer.parse.parser import Builder

CELL_CONTINUATION = 14
# A merged header cell over the cells below it: the column's label is the path from the top.
LABEL_PATH = " › "
# Where a table's notes begin: 注：, 说明：, 资料来源：, a starred line, or (untabbed and long) 1. 2. …
NOTE_RE = re.compile(r"^(?:注|说明|备注|资料来源|数据来源)\s*\d*\s*[：:]|^[*＊※]")
NUMBERED_NOTE_RE = re.compile(r"^\d{1,2}\s*[.．、]\s*\S")
SERIAL_RE = re.compile(r"^\d{1,3}$")
ATTRIBUTE_RE = re.compile(r"^(?:预期性|约束性|引导性|指导性)$")
UNIT_RE = re.compile(r"^(?:[%‰％]|[万亿千百十]*(?:美元|元|人|户|套|亩|吨|件|个|张|年|岁|公顷|平方米|立方米|公里|千米"
                     r"|千瓦时|千瓦|吨标准煤|标准煤|辆|所|座|床)(?:[/／]\S{1,6})?)$")
Cell = list[Line]


def box(b: Builder, lines: list[Line], i: int) -> int:
    """A 专栏/表 box: a table (one cell per line, rows between blank lines) or a
    list of items. It ends at a double blank line, a new box, or a 篇/章/节."""
    title_line = lines[i]
    b.close_leads()
    title = title_line.clean.strip()
    box = b.new_section("box", title, title_line.content_start, title_line.content_end)
    b.attach(box)
    body: list[Line] = []
    j = i + 1
    n = len(lines)
    while j < n:
        ln = lines[j]
        if ln.role == Role.BOX_TITLE or (ln.role == Role.HEADING and ln.level in STRUCTURAL_LEVELS):
            break
        if _empty(ln) and j + 1 < n and _empty(lines[j + 1]):
            k = j
            while k < n and lines[k].blank:
                k += 1
            if k >= n or not lines[k].tabbed:
                break
            body.append(ln)
            j = k
            continue
        body.append(ln)
        j += 1
    b.emit(PassageKind.BOX_TITLE, title_line.content_start, title_line.content_end, extra=box)
    at = _notes_start(body)
    rows = _rows(body[:at])
    if len(rows) < 2:  # notes are notes of a table: a box of numbered items is a list
        at, rows = len(body), _rows(body)
    cells = [ln for row in rows for ln in row]
    tabular = bool(cells) and sum(len(_cell_text(c)) <= 20 for c in cells) >= 0.7 * len(cells)
    if tabular:
        _table(b, box, rows)
        for ln in body[at:]:
            for s, e in ln.spans:
                for cs, ce in chunk_span(b.text, s, e):
                    b.emit(PassageKind.TABLE_NOTE, cs, ce, search_text=f"{title} | " + WS_RE.sub("", b.text[cs:ce]),
                           extra=box, context=title)
    else:
        for ln in body:
            if ln.blank:
                continue
            for s, e in ln.spans:
                for cs, ce in chunk_span(b.text, s, e):
                    b.emit(PassageKind.BOX_ITEM, cs, ce, search_text=f"{title} | " + WS_RE.sub("", b.text[cs:ce]),
                           extra=box, context=title)
    return j


def _notes_start(body: list[Line]) -> int:
    """Index of the first line of the notes under a table (``注：1.…`` and what follows), or the end."""
    for i, ln in enumerate(body):
        t = ln.text
        if NOTE_RE.match(t) or (not ln.tabbed and len(t) > CELL_CONTINUATION and NUMBERED_NOTE_RE.match(t)):
            return i
    return len(body)


def _empty(line: Line) -> bool:
    """Truly empty, not a table's empty cell (a lone tab)."""
    return line.blank and "\t" not in line.raw


def _rows(body: list[Line]) -> list[list[Cell]]:
    """Rows of cells. A tabbed line starts a cell (an empty one is an empty cell); an
    untabbed line right after it continues it (``指标`` / ``类别``); rows end at blank
    lines, except that a short untabbed line after one continues the cell before it, and
    the row goes on (``1857.9`` / ``（五年累计6348）``: the scrape broke a cell, not a row)."""
    rows: list[list[Cell]] = [[]]
    after_break = False
    for ln in body:
        if _empty(ln):
            if rows[-1]:
                rows.append([])
            after_break = True
            continue
        if ln.tabbed:
            rows[-1].append([ln] if ln.spans else [])
        elif rows[-1] and not after_break:
            rows[-1][-1].append(ln)
        elif not rows[-1] and len(rows) > 1 and len(ln.text) <= CELL_CONTINUATION:
            rows.pop()
            rows[-1][-1].append(ln)
        else:
            rows[-1].append([ln])
        after_break = False
    return [r for r in rows if any(r)]


def _cell_text(cell: Cell) -> str:
    return "".join(WS_RE.sub("", ln.clean) for ln in cell)


def _is_header_row(texts: list[str]) -> bool:
    """A header line: short labels (2020年, 年均增速, [累计], 属性) or empty spans, no values."""
    return any(texts) and all(len(c) <= 12 and not re.fullmatch(r"[\d.%≥≤<>—\-]+", c) for c in texts)


def column_labels(header_rows: list[list[str]], width: int) -> list[str]:
    """One label per column from stacked header rows. A lower row's empty cells sit under
    labels that span both rows; its labels split the remaining upper labels evenly
    (``“十四五”目标`` over ``到2025年`` and ``年均增速``). Without empty cells, it sits
    under the rightmost upper labels."""
    labels = list(header_rows[0])
    for lower in header_rows[1:]:
        if not any(lower):
            continue
        if "" not in lower:
            lower = [""] * max(0, width - len(lower)) + lower
        empties = lower.count("")
        spanned = len(labels) - empties
        filled = len(lower) - empties
        if spanned <= 0 or filled % spanned:
            labels = [_path(u, v) for u, v in zip(labels + [""] * len(lower), lower, strict=False)]
            continue
        span = filled // spanned
        merged, upper, run = [], 0, 0
        for cell in lower:
            if not cell:
                merged.append(labels[upper] if upper < len(labels) else "")
                upper += 1
                run = 0
            else:
                merged.append(_path(labels[upper] if upper < len(labels) else "", cell))
                run += 1
                if run == span:
                    upper += 1
                    run = 0
        labels = merged
    return labels


def _path(upper: str, lower: str) -> str:
    return LABEL_PATH.join(x for x in (upper, lower) if x)


def _column(labels: list[str], pattern: str) -> int | None:
    return next((i for i, lb in enumerate(labels) if re.search(pattern, lb)), None)


def _table(b: Builder, box: Section, rows: list[list[Cell]]) -> None:
    widths = [len(r) for r in rows[1:]]
    width = max(set(widths), key=lambda w: (widths.count(w), w)) if widths else len(rows[0])
    rows = _merge_orphans(rows, width)
    texts = [[_cell_text(c) for c in row] for row in rows]
    header = [texts[0]]
    n_header = 1
    while n_header < len(rows) and _is_header_row(texts[n_header]):
        lower = texts[n_header]
        if len(header) > 1 and "" in header[-1] and "" not in lower and len(header[-1]) < width:
            header[-1] = header[-1] + lower
        else:
            header.append(lower)
        n_header += 1
    body = texts[n_header:]
    labels = column_labels(header, width)
    if len(labels) != width:
        labels = (labels + [""] * width)[:width]
    start = next(ln for c in rows[0] for ln in c).content_start
    end = [ln for c in rows[n_header - 1] for ln in c][-1].content_end
    head_text = " ".join(lb for lb in labels if lb)
    b.emit(PassageKind.TABLE_HEADER, start, end, search_text=f"{box.title} | {head_text}", extra=box, context=box.title,
           cells=tuple(labels))
    context = f"{box.title} {head_text}"
    columns = Columns(
        name=_column(labels, r"名称|^指标$") or min(1, width - 1),
        serial=_column(labels, r"序号"),
        unit=_column(labels, r"^单位$"),
        attribute=_column(labels, r"属性$"),
    )
    previous: list[str] = []
    repeating = False
    for row, cells in zip(rows[n_header:], body, strict=True):
        lines = [ln for c in row for ln in c]
        if not lines:
            continue
        # A header printed again (the table ran over a page) is a header, and the rows after it
        # inherit nothing from the rows before it.
        if cells == header[0] or (repeating and _is_header_row(cells)):
            repeating = True
            previous = []
            b.emit(PassageKind.TABLE_HEADER, lines[0].content_start, lines[-1].content_end,
                   search_text=f"{box.title} | {head_text}", extra=box, context=box.title, cells=tuple(labels))
            continue
        repeating = False
        aligned = _align(cells, previous, width, columns)
        previous = aligned
        pairs = row_text(labels, aligned)
        b.emit(PassageKind.TABLE_ROW, lines[0].content_start, lines[-1].content_end,
               search_text=f"{context} | {pairs}", extra=box, context=context, cells=tuple(aligned))


def _merge_orphans(rows: list[list[Cell]], width: int) -> list[list[Cell]]:
    """A category cell set apart by blank lines (``经济`` / ``发展``, or one character a
    line) is a row of one cell before a row one cell short: it is that row's first cell."""
    out: list[list[Cell]] = []
    for row in rows:
        if out and len(out[-1]) == 1 and len(row) == width - 1 and len(out) > 1:
            out[-1] = out[-1] + row
        else:
            out.append(row)
    return out


@dataclass(frozen=True)
class Columns:
    """Where a table's named columns are: the row's name, its serial number, unit and attribute."""

    name: int
    serial: int | None = None
    unit: int | None = None
    attribute: int | None = None


def _align(cells: list[str], previous: list[str], width: int, at: Columns) -> list[str]:
    """One value per column. A sub-indicator's two name cells (城镇化率 / 常住人口城镇化率,
    or a name where the unit should be) are one. A row short of cells lacks its merged
    leading cells (category, serial number), as many as put its serial number under 序号,
    or merged value cells: the attribute (约束性) stays in its own column. Missing leading
    cells are inherited from the row above, but never its name; an empty leading cell is
    merged from above (a category, or a 园区 over several rows)."""
    cells = list(cells)
    name = at.name
    while name + 1 < len(cells) and (len(cells) > width or _misplaced_name(cells, at.unit)):
        cells[name:name + 2] = [f"{cells[name]} {cells[name + 1]}".strip()]
    if len(cells) < width:
        missing = width - len(cells)
        lead = missing
        if at.serial is not None:
            serial = next((i for i, c in enumerate(cells) if SERIAL_RE.match(c)), None)
            lead = min(missing, max(0, at.serial - serial)) if serial is not None else 0
        elif not cells or not cells[0]:
            lead = 0
        cells = [""] * lead + cells
        rest = width - len(cells)
        if rest and at.attribute == width - 1 and ATTRIBUTE_RE.match(cells[-1]):
            cells = cells[:-1] + [""] * rest + cells[-1:]
        else:
            cells += [""] * rest
    else:
        lead = 0
    for i in range(min(lead, name, len(previous))):
        cells[i] = previous[i]
    for i in range(lead, min(width - 1, len(previous))):
        if cells[i]:
            break
        cells[i] = previous[i]
    return cells


def _misplaced_name(cells: list[str], unit: int | None) -> bool:
    """Under 单位, a word that is no unit while a unit follows: the name ran into two cells."""
    if unit is None or unit + 1 >= len(cells) or not cells[unit] or UNIT_RE.match(cells[unit]):
        return False
    return any(UNIT_RE.match(c) for c in cells[unit + 1:unit + 2]) or not cells[unit + 1]


def row_text(labels: tuple[str, ...] | list[str], values: tuple[str, ...] | list[str]) -> str:
    """A table row as a reader quotes it: each value after its column label, except the
    columns that name the row (`地区生产总值（亿元） ｜ 2020年完成情况 3749.1 ｜ …`)."""
    return " ｜ ".join(f"{lb} {v}" if lb and not _is_label_column(lb) else v
                       for lb, v in zip(labels, values, strict=False) if v)


def _is_label_column(label: str) -> bool:
    """Columns whose value is self-explaining in search text (the row's name, number, category)."""
    return bool(re.search(r"名称|序号|类别|分类|^指标$|^项目$|^类型$", label))
