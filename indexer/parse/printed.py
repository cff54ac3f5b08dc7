"""A text as a PDF extraction gives it, put back into the lines the author wrote.

Printing leaves three marks on the text: lines wrapped at the page width (a sentence runs on
over a line end, or over a page end with the page number and running header in between),
page furniture between paragraphs, and headings laid out on one line with each other or with
their body. The text is never rewritten: a joined line is one Line whose spans skip the line
breaks and the furniture, so offsets still cite the page as printed.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

from indexer.parse.heading_rules import RANKS, SENTENCE_END_RE, match_heading
from indexer.parse.lines import TERMINAL_RE, Line, Role

PAGE_NUMBER_RE = re.compile(
    r"^(?:[—–\-－~～]\s*\d{1,4}\s*[—–\-－~～]|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|\d{1,4})$"
)
BOX_OR_CAPTION_RE = re.compile(r"^(?:专栏|表\s*\d|图\s*\d)")
# A heading may open after a gap in a printed line only from 节 up to （一）: lower markers
# (一是, 1.) after a space are more often the body's own enumeration.
SPLIT_RANK = RANKS["paren_item"]
GAP_RE = re.compile(r"[ \t\u3000]+")
# Marks no sentence and no heading ends on.
OPEN_END = "，,、“‘《（("
HEADER_MAX = 40
# Lines within this many lines of a page number are where a running header is printed.
BREAK_REACH = 2
# A page's lines are wrapped at one width: most long lines end within SLACK of it.
SLACK = 2.0
WRAPPED_SHARE = 0.3
MIN_WRAPPED = 3


def width(s: str) -> float:
    """Printed width in ideographs: Latin letters and digits take half an ideograph."""
    return sum(0.5 if ord(c) < 0x2000 else 1.0 for c in s)


def split_runs(text: str, lines: list[Line]) -> list[Line]:
    """A line holding several headings (``一、…　　第一章　…　　（一）…``) becomes one line each,
    cut at the gap before each heading marker."""
    out: list[Line] = []
    for line in lines:
        if line.blank or line.tabbed:
            out.append(line)
            continue
        cuts: list[int] = []
        for m in GAP_RE.finditer(text, line.content_start, line.content_end):
            before = text[cuts[-1] if cuts else line.content_start:m.start()]
            if _opens_heading(text, m.end(), _is_division(before)):
                cuts.append(m.end())
        bounds = [line.content_start, *cuts, line.end]
        for a, b in itertools.pairwise(bounds):
            spans = [(max(s, a), min(e, b)) for s, e in line.spans if s < b and e > a]
            spans = [(s, e) for s, e in spans if text[s:e].strip()]
            spans = [(s, s + len(text[s:e].rstrip())) for s, e in spans]
            start = line.start if a == line.content_start else a
            out.append(Line(0, start, b, text[start:b], spans))
    for i, line in enumerate(out):
        line.index = i
    return out


def _opens_heading(text: str, pos: int, after_division: bool) -> bool:
    """A heading marker at ``pos``; after a whole 篇/章/节 heading any marker opens one."""
    found = match_heading(text[pos:pos + 80].split("\n", 1)[0])
    return found is not None and (found[0].rank <= SPLIT_RANK or after_division)


def _is_division(piece: str) -> bool:
    found = match_heading(piece.strip())
    return (found is not None and found[0].structural and width(piece) <= HEADER_MAX
            and not re.search(r"[，,。；;：:！？]", piece))


def page_furniture(lines: list[Line], title: str = "") -> set[int]:
    """Page numbers (``— 12 —``, ``- 12 -``, ``第12页``, ``12``) and the running headers printed
    beside them: a short line repeated at page breaks (the title, a chapter title), or the
    document's own ``title`` at a break. Of a running header's copies the one away from any
    break is the heading itself; if none is, the first."""
    numbers = {ln.index for ln in lines if not ln.blank and not ln.tabbed and _is_page_number(lines, ln)}
    if not numbers:
        return set()
    near = {j for i in numbers for j in _reach(lines, i)}
    copies: dict[str, list[int]] = {}
    for ln in lines:
        t = ln.text
        short = width(t) <= HEADER_MAX and not SENTENCE_END_RE.search(t)
        if ln.spans and not ln.tabbed and ln.index not in numbers and short:
            copies.setdefault(re.sub(r"\s+", "", t), []).append(ln.index)
    found = set(numbers)
    if title:
        found |= {i for i in near if re.sub(r"\s+", "", lines[i].text) == re.sub(r"\s+", "", title)}
    for idx in copies.values():
        at_break = [i for i in idx if i in near]
        if len(idx) < 2 or not at_break:
            continue
        keep = idx[0] if len(at_break) == len(idx) else None
        found |= {i for i in at_break if i != keep}
    return found


def _is_page_number(lines: list[Line], ln: Line) -> bool:
    if not PAGE_NUMBER_RE.match(ln.text):
        return False
    if not ln.text.isdigit():
        return True
    around = [lines[j] for j in (ln.index - 1, ln.index + 1) if 0 <= j < len(lines)]
    return not any(a.tabbed or (PAGE_NUMBER_RE.match(a.text) and a.text.isdigit()) for a in around)


def _reach(lines: list[Line], i: int) -> list[int]:
    out = []
    for step in (-1, 1):
        j, seen = i + step, 0
        while 0 <= j < len(lines) and seen < BREAK_REACH:
            if not lines[j].blank:
                out.append(j)
                seen += 1
            j += step
    return out


def wrap_width(text: str, lines: list[Line]) -> float | None:
    """The width the text was wrapped at, when it was: most long lines end near one width."""
    widths = [round(width(_physical(text, ln))) for ln in lines if ln.spans and not ln.tabbed]
    widths = [w for w in widths if w >= 10]
    if len(widths) < MIN_WRAPPED:
        return None
    common = max(Counter(widths).items(), key=lambda kv: (kv[1], kv[0]))[0]
    near = sum(1 for w in widths if common - SLACK <= w <= common + SLACK)
    return float(common) if near >= MIN_WRAPPED and near >= WRAPPED_SHARE * len(widths) else None


def _physical(text: str, line: Line) -> str:
    start = text.rfind("\n", 0, line.content_start) + 1
    end = text.find("\n", line.content_start)
    return text[start: end if end >= 0 else len(text)].strip()


def join_wraps(text: str, lines: list[Line], page_lines: set[int]) -> list[Line]:
    """Lines that a wrap or a page break cut apart become one: a line that ends its printed
    line without closing punctuation, at the page width or just before a page break, runs on
    into the next body line unless that one opens a heading, an item, a box or a figure.
    Furniture lines (already marked) stay in the list, after the line that ran over them;
    ``page_lines`` are those of them that mark a page break."""
    wide = wrap_width(text, lines)
    out: list[Line] = []
    pending: list[Line] = []
    cur: Line | None = None
    at = 0
    for line in lines:
        if cur is not None and (line.blank or line.role == Role.FURNITURE):
            pending.append(line)
            continue
        if cur is not None and _runs_on(text, cur, line, pending, wide, page_lines):
            cur = Line(cur.index, cur.start, line.end, text[cur.start:line.end], cur.spans + line.spans)
            out[at] = cur
            out.extend(p for p in pending if p.role == Role.FURNITURE)
            pending = []
            continue
        out.extend(pending)
        pending = []
        out.append(line)
        at = len(out) - 1
        cur = line if not (line.blank or line.role == Role.FURNITURE) else None
    out.extend(pending)
    for i, line in enumerate(out):
        line.index = i
    return out


def _runs_on(text: str, cur: Line, nxt: Line, between: list[Line], wide: float | None,
             page_lines: set[int]) -> bool:
    if cur.tabbed or nxt.tabbed or TERMINAL_RE.search(cur.text):
        return False
    if text[cur.content_end:cur.content_end + 1] not in ("\n", "\r", ""):
        return False
    if match_heading(nxt.text) or BOX_OR_CAPTION_RE.match(nxt.text):
        return False
    page_break = any(p.index in page_lines for p in between)
    if between and not page_break:
        return False
    full = wide is not None and width(_physical(text, cur)) >= wide - SLACK
    return full or cur.text[-1] in OPEN_END or (page_break and not _heading_alone(cur))


def _heading_alone(line: Line) -> bool:
    return match_heading(line.text) is not None and width(line.text) <= HEADER_MAX - 10
