"""The divisions no marker announces: the title block, a 目录, unlabelled chapters and parts.

These are decided over the whole list of classified lines, before the walk, because each
depends on what comes before or after a line (a contents block ends where its first entry
recurs; an unlabelled chapter is known by the 节 that follows it).
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from indexer.parse.heading_rules import RANKS, SENTENCE_END_RE
from indexer.parse.headings import is_title_fragment
from indexer.parse.lines import TERMINAL_RE, WS_RE, Line, Role
from indexer.parse.model import PassageKind

if TYPE_CHECKING:
    from indexer.parse.parser import Builder

TOC_RE = re.compile(r"^目\s*录$")
TOC_ENTRY_TAIL_RE = re.compile(r"[\s.．·…—-]*\d{0,4}$")
TITLE_LINE_RE = re.compile(r"^[^。！？；，,]{4,60}(?:纲要|报告|规划|计划|方案)$")


def mark_contents(lines: list[Line]) -> None:
    """A 目录 block near the start: its entries are neither headings nor body text.

    It ends where the body begins, i.e. where its first entry appears again,
    or at the first long sentence."""
    head = next((ln for ln in lines[: max(40, len(lines) // 4)] if TOC_RE.match(ln.text)), None)
    if head is None:
        return
    entries: list[str] = []
    j = head.index + 1
    while j < len(lines):
        ln = lines[j]
        if not ln.blank:
            key = WS_RE.sub("", TOC_ENTRY_TAIL_RE.sub("", ln.text))
            if (len(entries) >= 2 and key == entries[0]) or (len(ln.text) > 60 and SENTENCE_END_RE.search(ln.text)):
                break
            entries.append(key)
        j += 1
    if len(entries) < 2:
        return
    head.role, head.level = Role.TOC, "toc"
    for ln in lines[head.index + 1 : j]:
        ln.role, ln.level = Role.TOC, ""


def mark_unlabelled_chapters(lines: list[Line]) -> None:
    """A 节 with no 章 above it in a document that has chapters: the short
    title lines just before it are the chapter's unlabelled heading (岳阳's
    first chapter)."""
    seen_zhang = False
    for line in lines:
        if line.level in ("pian", "preface"):
            seen_zhang = False
        elif line.level == "zhang":
            seen_zhang = True
        elif line.level == "jie" and not seen_zhang:
            frags = []
            k = line.index - 1
            while k >= 0 and len(frags) < 3 and (lines[k].blank or is_title_fragment(lines[k])):
                if not lines[k].blank:
                    frags.append(lines[k])
                k -= 1
            if frags:
                frags[-1].role, frags[-1].level = Role.HEADING, "zhang"
                seen_zhang = True


def mark_unnumbered_parts(lines: list[Line]) -> None:
    """In a text that numbers nothing above （一）, a short unpunctuated line that
    stands right before a （一） item, after a finished paragraph, opens a part."""
    numbered_above = {lv for lv, rank in RANKS.items() if rank < RANKS["paren_item"]}
    above_items = numbered_above - {"title", "toc", "preface", "appendix"}
    if any(ln.level in above_items for ln in lines):
        return
    body = [ln for ln in lines if not ln.skipped]
    for prev, ln, nxt in zip(body, body[1:], body[2:], strict=False):
        t = ln.text
        if (ln.role == Role.TEXT and not ln.tabbed and 2 <= len(t) <= 24
                and not re.search(r"[，,。；;：:！？!?、]", t)
                and re.search(r"[。！？：；]$", prev.text)
                and nxt.level == "paren_item" and re.match(r"^[（(]\s*一\s*[）)]", nxt.text)):
            ln.role, ln.level = Role.HEADING, "part"


def mark_parts_above_chapters(lines: list[Line]) -> None:
    """In an older plan the parts are 一、二、 and the chapters run straight through them
    (``一、主要任务　　第一章　…``): a 一、 heading that a 章 follows at once is a part."""
    body = [ln for ln in lines if not ln.skipped]
    for ln, nxt in itertools.pairwise(body):
        if ln.role == Role.HEADING and ln.level == "cn_item" and nxt.level == "zhang":
            ln.level = "bufen"


def front_matter(b: Builder, lines: list[Line]) -> int:
    """Title block before the body: title lines (joined), then notes such as
    the approval line or the speaker, kept as one front-matter passage."""
    first = next((ln for ln in lines if not ln.skipped), None)
    if first is None or first.role != Role.TEXT or not (is_title_fragment(first) or TITLE_LINE_RE.search(first.text)):
        return 0
    block: list[Line] = []
    i = first.index
    while i < len(lines):
        ln = lines[i]
        if ln.skipped:
            i += 1
            continue
        if not _is_front_line(ln, block[-1] if block else None):
            break
        block.append(ln)
        i += 1
    if not block:
        return 0
    title_lines: list[Line] = []
    for ln in block:
        title_lines.append(ln)
        if re.search(r"(纲要|报告|规划)$", "".join(t.clean.strip() for t in title_lines)):
            break
    title = "".join(t.clean.strip() for t in title_lines)
    sec = b.new_section("title", title, title_lines[0].content_start, title_lines[-1].content_end)
    b.roots.append(sec)
    first = len(b.passages)
    for ln in block:
        for s, e in ln.spans:
            b.emit(PassageKind.FRONT_MATTER, s, e)
    sec.first_passage, sec.last_passage = first, len(b.passages) - 1
    return block[-1].index + 1


def _is_front_line(line: Line, previous: Line | None) -> bool:
    """A short title or subtitle line, or part of a parenthesised note (which may wrap)."""
    if line.role not in (Role.TEXT, Role.ITEM):
        return False
    clean = line.clean.strip()
    opens_note = ("（", "(")
    if clean.startswith(opens_note) or (previous is not None and previous.clean.strip().startswith(opens_note)):
        return True
    return len(clean) <= 40 and not TERMINAL_RE.search(clean)
