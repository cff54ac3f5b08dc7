"""The one walk: classified lines in, a ParsedDocument (section tree and passages) out.

Every line is classified first (headings.py), the whole-text decisions are marked
(structure.py, boilerplate.py), then one pass keeps the stack of open headings and hands
paragraphs, boxes and tables to chunks.py and tables.py. A format's extractor hands its
text to ``parse`` as a Document; nothing here knows where the text came from.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from indexer.documents.corpus import Document
from indexer.parse import boilerplate
from indexer.parse.anchors import IdAllocator
from indexer.parse.chunks import breaks_mid_sentence, chunk_span, join_line_breaks
from indexer.parse.heading_rules import RANKS, RULES_BY_LEVEL
from indexer.parse.headings import LEAD_RE, classify, is_title_fragment, item_title, names_appendix, normalize_heading
from indexer.parse.lines import TERMINAL_RE, WS_RE, Line, Role, next_nonblank, offset_in_line, split_lines
from indexer.parse.model import Pages, ParsedDocument, Passage, PassageKind, Section
from indexer.parse.printed import join_wraps, page_furniture, split_runs
from indexer.parse.structure import (
    front_matter,
    mark_contents,
    mark_parts_above_chapters,
    mark_unlabelled_chapters,
    mark_unnumbered_parts,
)
from indexer.parse.tables import box

FOOTNOTE_RE = re.compile(r"［\d{1,3}］|\[\d{1,3}\]")


def page_span(start: int, end: int, page_starts: Sequence[int]) -> Pages | None:
    """First and last page (1-based) of ``text[start:end]``, given where each page starts;
    None when the source has no pages. Text before the first page start counts as page 1."""
    if not page_starts:
        return None
    first = max(1, bisect_right(page_starts, start))
    last = max(first, bisect_right(page_starts, max(start, end - 1)))
    return first, last


def parse(doc: Document) -> ParsedDocument:
    """Parse one document into its section tree and passages."""
    lines = split_runs(doc.text, split_lines(doc.text))
    pages = page_furniture(lines, doc.info.title)
    for i in boilerplate.furniture([ln.text for ln in lines]) | pages:
        lines[i].role = Role.FURNITURE
    lines = join_wraps(doc.text, lines, pages)
    for line in lines:
        if line.role != Role.FURNITURE:
            classify(line)
    mark_contents(lines)
    if any(ln.level == "zhang" for ln in lines):
        mark_unlabelled_chapters(lines)
    mark_unnumbered_parts(lines)
    mark_parts_above_chapters(lines)
    b = Builder(doc, [(ln.start, ln.end) for ln in lines if ln.role == Role.FURNITURE])
    i = front_matter(b, lines)
    n = len(lines)
    while i < n:
        line = lines[i]
        role = line.role
        if line.level == "toc":
            b.attach_root(b.new_section("toc", line.text, line.content_start, line.content_end))
            i += 1
        elif line.skipped:
            i += 1
        elif role == Role.HEADING:
            i = _heading(b, lines, i)
        elif role == Role.BOX_TITLE:
            i = box(b, lines, i)
        elif role == Role.CAPTION:
            b.close_leads()
            b.emit(PassageKind.CAPTION, line.content_start, line.content_end)
            i += 1
        else:
            i = _paragraph(b, lines, i)
    return ParsedDocument(doc.id, doc.text, b.roots, b.passages)


class Builder:
    """Walks classified lines once, keeping the stack of open headings."""

    def __init__(self, doc: Document, furniture: Sequence[tuple[int, int]] = ()) -> None:
        self.doc = doc
        self.furniture = sorted(furniture)
        self.text = doc.text
        self.roots: list[Section] = []
        self.stack: list[Section] = []
        self.passages: list[Passage] = []
        self.ordinals: dict[str, int] = {}
        self.ids = IdAllocator(self.doc.id)
        self.n_sections = 0

    # --- sections -------------------------------------------------------------------------
    def open(self, level: str, title: str, start: int, end: int) -> Section:
        rank = RANKS[level]
        while self.stack and RANKS[self.stack[-1].level] >= rank:
            self.stack.pop()
        sec = self.new_section(level, title, start, end)
        (self.stack[-1].children if self.stack else self.roots).append(sec)
        self.stack.append(sec)
        return sec

    def new_section(self, level: str, title: str, start: int, end: int) -> Section:
        self.n_sections += 1
        return Section(f"s{self.n_sections}", level, normalize_heading(title), start, end,
                       pages=page_span(start, end, self.doc.page_starts))

    def close_leads(self) -> None:
        while self.stack and self.stack[-1].level == "lead":
            self.stack.pop()

    def attach_root(self, sec: Section) -> None:
        """A section outside the heading tree (a table of contents)."""
        self.stack.clear()
        self.roots.append(sec)

    def attach(self, sec: Section) -> None:
        """A child that does not stay open (a box)."""
        (self.stack[-1].children if self.stack else self.roots).append(sec)

    # --- passages -------------------------------------------------------------------------
    def emit(self, kind: PassageKind, start: int, end: int, search_text: str | None = None,
             extra: Section | None = None, context: str = "", cells: tuple[str, ...] = ()) -> None:
        chain = list(self.stack) + ([extra] if extra else [])
        path = tuple(s.title for s in chain)
        ids = tuple(s.section_id for s in chain)
        key = ids[-1] if ids else ""
        ordinal = self.ordinals.get(key, 0) + 1
        self.ordinals[key] = ordinal
        seq = len(self.passages)
        source = self.text[start:end]
        for s in chain:
            if s.first_passage is None:
                s.first_passage = seq
            s.last_passage = seq
        self.passages.append(
            Passage(
                passage_id=self.ids.next_id(path, source),
                doc_id=self.doc.id,
                seq=seq,
                kind=kind,
                start=start,
                end=end,
                text=source,
                search_text=search_text if search_text is not None else self.search_text(start, end),
                section_path=path,
                section_ids=ids,
                ordinal=ordinal,
                context=context,
                cells=cells,
                pages=page_span(start, end, self.doc.page_starts),
            )
        )

    def search_text(self, start: int, end: int) -> str:
        """The passage as searched: no footnote marks, no whitespace, no page furniture
        printed inside it (a page number and running header where a page broke it)."""
        source = self.text[start:end]
        for fs, fe in self.furniture:
            if start <= fs and fe <= end:
                source = source[: fs - start] + " " * (fe - fs) + source[fe - start:]
        return WS_RE.sub("", FOOTNOTE_RE.sub("", source))

    def emit_chunks(self, kind: PassageKind, start: int, end: int) -> None:
        for s, e in chunk_span(self.text, start, end):
            self.emit(kind, s, e)


def _heading(b: Builder, lines: list[Line], i: int) -> int:
    line = lines[i]
    level = line.level
    parts = [line]
    rule = RULES_BY_LEVEL.get(level)
    if rule is not None and rule.joins_next and not TERMINAL_RE.search(line.text):
        j = next_nonblank(lines, i)
        if j is not None and (is_title_fragment(lines[j]) or names_appendix(line, lines[j])):
            parts.append(lines[j])
    title = (" " if level == "appendix" else "").join(p.text for p in parts).removesuffix("。")
    b.open(level, title, line.content_start, parts[-1].content_end)
    b.emit(PassageKind.HEADING, line.content_start, parts[-1].content_end)
    return parts[-1].index + 1


def _paragraph(b: Builder, lines: list[Line], i: int) -> int:
    line = lines[i]
    clean = line.clean.strip()
    b.close_leads()
    j = i
    while breaks_mid_sentence(lines[j]):
        k = next_nonblank(lines, j, max_blanks=0)
        if k is None or lines[k].role != Role.TEXT or lines[k].tabbed:
            break
        j = k
    if line.role == Role.ITEM:
        m = RULES_BY_LEVEL[line.level].marker.match(clean)
        assert m is not None
        if line.level == "num_item":
            _, cut = item_title(clean[m.end():])
            cut += m.end()
        else:
            cut = line.title_end
        head_end = line.content_start + offset_in_line(line, cut)
        b.open(line.level, clean[:cut], line.content_start, head_end)
        rest = clean[cut:].lstrip("。：:；; ")
        if not rest and j == i:
            b.emit(PassageKind.HEADING, line.content_start, line.content_end)
            return j + 1
    else:
        m = LEAD_RE.match(clean)
        if m and len(clean) > m.end() + 4:
            lead_end = line.content_start + offset_in_line(line, m.end() - 1)
            b.open("lead", m.group(1), line.content_start, lead_end)
    for s, e in join_line_breaks(b.text, [sp for ln in lines[i:j + 1] for sp in ln.spans], b.furniture):
        b.emit_chunks(PassageKind.PARAGRAPH, s, e)
    b.close_leads()
    return j + 1
