"""Structure parser: turns a plan text into a section tree and citable passages.

The text is never rewritten. Lines are classified (heading, box title,
caption, table cell, paragraph), headings are arranged into a tree by rank,
and the body between them is cut into passages whose ``[start, end)`` are
code-point offsets into the original text.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

from indexer.documents.corpus import Document
from indexer.parse import boilerplate
from indexer.parse.anchors import IdAllocator
from indexer.parse.heading_rules import (
    LEVEL_NAMES,
    RANKS,
    RULES_BY_LEVEL,
    SENTENCE_END_RE,
    STRUCTURAL_LEVELS,
    match_heading,
    run_in_title_end,
    stands_alone,
    structural_title_end,
)

__all__ = ["LEVEL_NAMES", "ParsedDocument", "Passage", "Section", "parse"]

ARTEFACT_RE = re.compile(
    r"##paid(?:begin|end)##"
    r"|【[^】\n]{0,12}公\s*文\s*素\s*材[^】\n]{0,30}】"
    r"|\[image:\s*[^\]\n]{0,40}\]"
)
BOX_RE = re.compile(r"^(?:专栏\s*\d*|表\s*\d+(?:[-－‐]\d+)?)(?:[：:\s]|$)")
CAPTION_RE = re.compile(r"^图\s*\d+(?:[-－]\d+)?(?:[：:\s]|$)")
CLAUSE_END_RE = re.compile(r"[，,、：:]")
TERMINAL_RE = re.compile(r"[。；！？：:”）)】…]$")
LEAD_RE = re.compile(r"^(?:——)?([^，,；;：:。！？\s]{2,22})。")
WS_RE = re.compile(r"\s+")
OCR_DIGITS_RE = re.compile(r"(?<!\d)\d(?: \d){2,}(?!\d)")
FOOTNOTE_RE = re.compile(r"［\d{1,3}］|\[\d{1,3}\]")
TOC_RE = re.compile(r"^目\s*录$")
TOC_ENTRY_TAIL_RE = re.compile(r"[\s.．·…—-]*\d{0,4}$")
# A line that stops on one of these cannot end a sentence: the next line continues it.
CONNECTIVE_END = "的和与及在是为对把将从向以、，“《（"
FRAGMENT = 4
TITLE_LINE_RE = re.compile(r"^[^。！？；，,]{4,60}(?:纲要|报告|规划|计划|方案)$")

SKIPPED = ("blank", "furniture", "toc")
TARGET_CHARS = 300
MAX_CHARS = 600
SHORT_LINE = 22
CELL_CONTINUATION = 14


@dataclass
class Section:
    """A heading and what it encloses; ``start``/``end`` span the heading as printed."""

    section_id: str
    level: str
    title: str
    start: int
    end: int
    children: list[Section] = field(default_factory=list)
    first_passage: int | None = None
    last_passage: int | None = None

    def to_json(self) -> dict:
        return {
            "section_id": self.section_id,
            "title": self.title,
            "level": self.level,
            "start": self.start,
            "end": self.end,
            "passages": (
                [self.first_passage, self.last_passage] if self.first_passage is not None else None
            ),
            "children": [c.to_json() for c in self.children],
        }


@dataclass(frozen=True)
class Passage:
    """The unit of retrieval and citation."""

    passage_id: str
    doc_id: str
    seq: int
    kind: str
    start: int
    end: int
    text: str
    search_text: str
    section_path: tuple[str, ...]
    section_ids: tuple[str, ...]
    ordinal: int
    context: str = ""
    cells: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, d: dict) -> Passage:
        # Names repeated on every passage of a document or section are stored once.
        return cls(**{**d, "doc_id": sys.intern(d["doc_id"]), "kind": sys.intern(d["kind"]),
                      "context": sys.intern(d.get("context", "")),
                      "section_path": tuple(map(sys.intern, d["section_path"])),
                      "section_ids": tuple(map(sys.intern, d["section_ids"])),
                      "cells": tuple(d.get("cells", ()))})

    @property
    def body_text(self) -> str:
        """What BM25 indexes as the body: the search text without its box title and column
        headers; for a table row, its cell values alone (the labels, repeated on every row,
        would match every question that says 目标 or 2020年)."""
        if self.cells and self.kind == "table_row":
            return " ".join(c for c in self.cells if c)
        return self.search_text[len(self.context):].lstrip(" |") if self.context else self.search_text

    def to_json(self) -> dict:
        return {
            "passage_id": self.passage_id,
            "doc_id": self.doc_id,
            "seq": self.seq,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "search_text": self.search_text,
            "section_path": list(self.section_path),
            "section_ids": list(self.section_ids),
            "ordinal": self.ordinal,
            "context": self.context,
            "cells": list(self.cells),
        }


@dataclass
class ParsedDocument:
    doc_id: str
    text: str
    sections: list[Section]
    passages: list[Passage]

    def walk(self):
        """Every section, depth first, in document order."""
        stack = list(reversed(self.sections))
        while stack:
            s = stack.pop()
            yield s
            stack.extend(reversed(s.children))

    def count_levels(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.walk():
            counts[s.level] = counts.get(s.level, 0) + 1
        return counts


@dataclass
class Line:
    index: int
    start: int
    end: int
    raw: str
    spans: list[tuple[int, int]]
    kind: str = "text"
    level: str = ""
    title_end: int = 0

    @property
    def clean(self) -> str:
        return "".join(self.raw[s - self.start : e - self.start] for s, e in self.spans)

    @property
    def text(self) -> str:
        """The line as a reader sees it: whitespace between the content spans folded away."""
        return self.clean.strip()

    @property
    def tabbed(self) -> bool:
        return self.raw.startswith("\t")

    @property
    def blank(self) -> bool:
        return not self.spans

    @property
    def skipped(self) -> bool:
        """No passage comes from it: blank, page furniture or a table of contents."""
        return self.kind in SKIPPED

    @property
    def content_start(self) -> int:
        return self.spans[0][0]

    @property
    def content_end(self) -> int:
        return self.spans[-1][1]


def normalize_heading(text: str) -> str:
    """Whitespace normalised as a reader would cite it: runs become one space,
    and a heading that is only spaced-out characters (前    言) is joined."""
    text = WS_RE.sub(" ", text.strip())
    text = OCR_DIGITS_RE.sub(lambda m: m.group().replace(" ", ""), text)
    if len(text.replace(" ", "")) <= 4:
        return text.replace(" ", "")
    return text


def split_lines(text: str) -> list[Line]:
    lines = []
    pos = 0
    for i, raw in enumerate(text.split("\n")):
        start, end = pos, pos + len(raw)
        pos = end + 1
        if raw.endswith("\r"):
            raw = raw[:-1]
            end -= 1
        lines.append(Line(i, start, end, raw, _content_spans(raw, start)))
    return _join_lone_brackets(text, lines)


def _join_lone_brackets(text: str, lines: list[Line]) -> list[Line]:
    """A heading broken after its opening bracket (``（`` / ``二）…``) is one line."""
    out: list[Line] = []
    for line in lines:
        prev = out[-1] if out else None
        if prev is not None and prev.clean.strip() in ("（", "(") and line.spans:
            out[-1] = Line(prev.index, prev.start, line.end, text[prev.start:line.end], prev.spans + line.spans)
        else:
            out.append(line)
    for i, line in enumerate(out):
        line.index = i
    return out


def _content_spans(raw: str, offset: int) -> list[tuple[int, int]]:
    """Non-whitespace stretches of a line with paste artefacts cut out."""
    spans = []
    cursor = 0
    for m in [*ARTEFACT_RE.finditer(raw), None]:
        piece_end = m.start() if m else len(raw)
        piece = raw[cursor:piece_end]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            s = offset + cursor + lead
            spans.append((s, s + len(stripped)))
        if m:
            cursor = m.end()
    return spans


def classify(line: Line) -> None:
    """Give a line its kind (heading, item, box title, caption, cell, text) by the heading rules."""
    if line.blank:
        line.kind = "blank"
        return
    clean = line.clean.strip()
    found = match_heading(clean)
    rule, marker_end = found if found else (None, 0)
    structural = rule is not None and rule.structural
    run_in_end = structural_title_end(clean, marker_end) if structural and rule.run_in else None
    if structural and stands_alone(rule, clean) and not (run_in_end and _has_gap(clean, marker_end, run_in_end)):
        line.kind, line.level = "heading", rule.level
    elif structural and run_in_end:
        line.kind, line.level, line.title_end = "item", rule.level, run_in_end
    elif BOX_RE.match(clean) and len(clean) <= 80:
        line.kind = "box_title"
    elif CAPTION_RE.match(clean) and len(clean) <= 50 and not line.tabbed:
        line.kind = "caption"
    elif line.tabbed:
        line.kind = "cell"
    elif rule is None or structural:
        line.kind = "text"
    elif rule.level == "num_item":
        line.kind, line.level = "item", "num_item"
    elif stands_alone(rule, clean):
        line.kind, line.level = "heading", rule.level
    elif rule.run_in and (end := run_in_title_end(clean, marker_end)):
        line.kind, line.level, line.title_end = "item", rule.level, end
    else:
        line.kind = "text"


def _has_gap(clean: str, marker_end: int, title_end: int) -> bool:
    """``第一章 发展环境 当前……。``: a space after the title words and a sentence after it."""
    return title_end < len(clean) and clean[title_end].isspace() and bool(SENTENCE_END_RE.search(clean, title_end))


def is_title_fragment(line: Line) -> bool:
    """A short line that reads as part of a heading rather than a sentence."""
    clean = line.clean.strip()
    return (
        line.kind == "text"
        and not line.tabbed
        and 1 <= len(clean) <= SHORT_LINE
        and not SENTENCE_END_RE.search(clean)
        and not clean.startswith(("——", "（", "("))
    )


def item_title(clean: str) -> tuple[str, int]:
    """Title of a numbered item and its length within ``clean``."""
    m = SENTENCE_END_RE.search(clean)
    if m and m.start() <= 50:
        return clean[: m.start()], m.start()
    if len(clean) <= 50:
        return clean, len(clean)
    m = CLAUSE_END_RE.search(clean)
    cut = m.start() if m and m.start() <= 50 else 30
    return clean[:cut], cut


class _Builder:
    """Walks classified lines once, keeping the stack of open headings."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
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
        return Section(f"s{self.n_sections}", level, normalize_heading(title), start, end)

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
    def emit(self, kind: str, start: int, end: int, search_text: str | None = None,
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
                search_text=search_text if search_text is not None else WS_RE.sub("", FOOTNOTE_RE.sub("", source)),
                section_path=path,
                section_ids=ids,
                ordinal=ordinal,
                context=context,
                cells=cells,
            )
        )

    def emit_chunks(self, kind: str, start: int, end: int) -> None:
        for s, e in chunk_span(self.text, start, end):
            self.emit(kind, s, e)


def chunk_span(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into sentence-bounded pieces of about TARGET_CHARS.

    Pieces never exceed MAX_CHARS; a single sentence longer than that is cut at
    a clause boundary, or hard as a last resort.
    """
    sentences: list[tuple[int, int]] = []
    s = start
    for m in SENTENCE_END_RE.finditer(text, start, end):
        e = m.end()
        while e < end and text[e] in "”’）)】":
            e += 1
        if e > s:
            sentences.append((s, e))
        s = e
    if s < end:
        sentences.append((s, end))
    pieces: list[tuple[int, int]] = []
    for s, e in sentences:
        for ps, pe in _cap(text, s, e):
            if pieces and pe - pieces[-1][0] <= TARGET_CHARS:
                pieces[-1] = (pieces[-1][0], pe)
            else:
                pieces.append((ps, pe))
    return [_trim(text, ps, pe) for ps, pe in pieces if text[ps:pe].strip()]


def _cap(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    while end - start > MAX_CHARS:
        window = text[start : start + MAX_CHARS]
        cut = max((m.end() for m in CLAUSE_END_RE.finditer(window)), default=0)
        if cut < MAX_CHARS // 3:
            cut = MAX_CHARS
        out.append((start, start + cut))
        start += cut
    out.append((start, end))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def parse(doc: Document) -> ParsedDocument:
    """Parse one document into its section tree and passages."""
    lines = split_lines(doc.text)
    for line in lines:
        classify(line)
    for i in boilerplate.furniture([ln.text for ln in lines]):
        lines[i].kind = "furniture"
    mark_contents(lines)
    if any(ln.level == "zhang" for ln in lines):
        mark_unlabelled_chapters(lines)
    mark_unnumbered_parts(lines)
    b = _Builder(doc)
    i = _front_matter(b, lines)
    n = len(lines)
    while i < n:
        line = lines[i]
        kind = line.kind
        if line.level == "toc":
            b.attach_root(b.new_section("toc", line.text, line.content_start, line.content_end))
            i += 1
        elif line.skipped:
            i += 1
        elif kind == "heading":
            i = _heading(b, lines, i)
        elif kind == "box_title":
            i = _box(b, lines, i)
        elif kind == "caption":
            b.close_leads()
            b.emit("caption", line.content_start, line.content_end)
            i += 1
        else:
            i = _paragraph(b, lines, i)
    return ParsedDocument(doc.id, doc.text, b.roots, b.passages)


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
    head.kind, head.level = "toc", "toc"
    for ln in lines[head.index + 1 : j]:
        ln.kind, ln.level = "toc", ""


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
        if (ln.kind == "text" and not ln.tabbed and 2 <= len(t) <= 24
                and not re.search(r"[，,。；;：:！？!?、]", t)
                and re.search(r"[。！？：；]$", prev.text)
                and nxt.level == "paren_item" and re.match(r"^[（(]\s*一\s*[）)]", nxt.text)):
            ln.kind, ln.level = "heading", "part"


def _front_matter(b: _Builder, lines: list[Line]) -> int:
    """Title block before the body: title lines (joined), then notes such as
    the approval line or the speaker, kept as one front-matter passage."""
    first = next((ln for ln in lines if not ln.skipped), None)
    if first is None or first.kind != "text" or not (is_title_fragment(first) or TITLE_LINE_RE.search(first.text)):
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
            b.emit("front_matter", s, e)
    sec.first_passage, sec.last_passage = first, len(b.passages) - 1
    return block[-1].index + 1


def _is_front_line(line: Line, previous: Line | None) -> bool:
    """A short title or subtitle line, or part of a parenthesised note (which may wrap)."""
    if line.kind not in ("text", "item"):
        return False
    clean = line.clean.strip()
    opens_note = ("（", "(")
    if clean.startswith(opens_note) or (previous is not None and previous.clean.strip().startswith(opens_note)):
        return True
    return len(clean) <= 40 and not TERMINAL_RE.search(clean)


def _next_nonblank(lines: list[Line], i: int, max_blanks: int = 1) -> int | None:
    j = i + 1
    blanks = 0
    while j < len(lines) and lines[j].blank:
        blanks += 1
        j += 1
    if j >= len(lines) or blanks > max_blanks:
        return None
    return j


def _heading(b: _Builder, lines: list[Line], i: int) -> int:
    line = lines[i]
    level = line.level
    parts = [line]
    rule = RULES_BY_LEVEL.get(level)
    if rule is not None and rule.joins_next and not TERMINAL_RE.search(line.text):
        j = _next_nonblank(lines, i)
        if j is not None and (is_title_fragment(lines[j]) or _names_appendix(line, lines[j])):
            parts.append(lines[j])
    title = (" " if level == "appendix" else "").join(p.text for p in parts).removesuffix("。")
    b.open(level, title, line.content_start, parts[-1].content_end)
    b.emit("heading", line.content_start, parts[-1].content_end)
    return parts[-1].index + 1


def _names_appendix(line: Line, nxt: Line) -> bool:
    """``附件2`` followed by ``名词解释``: one appendix heading."""
    return line.level == "appendix" and nxt.level == "appendix" and not nxt.text.startswith("附")


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
                frags[-1].kind, frags[-1].level = "heading", "zhang"
                seen_zhang = True


def _paragraph(b: _Builder, lines: list[Line], i: int) -> int:
    line = lines[i]
    clean = line.clean.strip()
    b.close_leads()
    j = i
    while _breaks_mid_sentence(lines[j]):
        k = _next_nonblank(lines, j, max_blanks=0)
        if k is None or lines[k].kind != "text" or lines[k].tabbed:
            break
        j = k
    if line.kind == "item":
        m = RULES_BY_LEVEL[line.level].marker.match(clean)
        assert m is not None
        if line.level == "num_item":
            _, cut = item_title(clean[m.end():])
            cut += m.end()
        else:
            cut = line.title_end
        head_end = line.content_start + _offset_in_line(line, cut)
        b.open(line.level, clean[:cut], line.content_start, head_end)
        rest = clean[cut:].lstrip("。：:；; ")
        if not rest and j == i:
            b.emit("heading", line.content_start, line.content_end)
            return j + 1
    else:
        m = LEAD_RE.match(clean)
        if m and len(clean) > m.end() + 4:
            lead_end = line.content_start + _offset_in_line(line, m.end() - 1)
            b.open("lead", m.group(1), line.content_start, lead_end)
    for s, e in _join_line_breaks(b.text, [sp for ln in lines[i:j + 1] for sp in ln.spans]):
        b.emit_chunks("paragraph", s, e)
    b.close_leads()
    return j + 1


def _breaks_mid_sentence(line: Line) -> bool:
    """A body line that stops where no sentence can end continues on the next line:
    a long line without closing punctuation, a fragment of a few characters
    (``揭榜``, ``2.5``: a scrape broke the line at inline markup), or a line
    ending on a connective (``…发展的`` / ``主要目标`` / ``是：…``)."""
    clean = line.text
    if line.kind not in ("text", "item") or TERMINAL_RE.search(clean):
        return False
    return len(clean) > 40 or len(clean) <= FRAGMENT or clean[-1] in CONNECTIVE_END


def _join_line_breaks(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge spans separated only by whitespace (a line break); an artefact keeps them apart."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and not text[out[-1][1]:s].strip():
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _offset_in_line(line: Line, n: int) -> int:
    """Offset (from content_start) of the n-th character of ``line.clean.strip()``."""
    count = 0
    for s, e in line.spans:
        width = e - s
        if count + width >= n:
            return s - line.content_start + (n - count)
        count += width
    return line.content_end - line.content_start


def _box(b: _Builder, lines: list[Line], i: int) -> int:
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
        if ln.kind == "box_title" or (ln.kind == "heading" and ln.level in STRUCTURAL_LEVELS):
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
    b.emit("box_title", title_line.content_start, title_line.content_end, extra=box)
    rows = _rows(body)
    cells = [ln for row in rows for ln in row]
    tabular = bool(cells) and sum(len(_cell_text(c)) <= 20 for c in cells) >= 0.7 * len(cells)
    if tabular:
        _table(b, box, rows)
    else:
        for ln in body:
            if ln.blank:
                continue
            for s, e in ln.spans:
                for cs, ce in chunk_span(b.text, s, e):
                    b.emit("box_item", cs, ce, search_text=f"{title} | " + WS_RE.sub("", b.text[cs:ce]),
                           extra=box, context=title)
    return j


def _empty(line: Line) -> bool:
    """Truly empty, not a table's empty cell (a lone tab)."""
    return line.blank and "\t" not in line.raw


Cell = list[Line]


def _rows(body: list[Line]) -> list[list[Cell]]:
    """Rows of cells. A tabbed line starts a cell (an empty one is an empty cell); an
    untabbed line right after it continues it (``指标`` / ``类别``); rows end at blank
    lines, and a lone short untabbed line after a break continues the row before it."""
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
            rows[-2][-1].append(ln)
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
            labels = [f"{u} {v}".strip() for u, v in zip(labels + [""] * len(lower), lower, strict=False)]
            continue
        span = filled // spanned
        merged, upper, run = [], 0, 0
        for cell in lower:
            if not cell:
                merged.append(labels[upper] if upper < len(labels) else "")
                upper += 1
                run = 0
            else:
                merged.append(f"{labels[upper] if upper < len(labels) else ''} {cell}".strip())
                run += 1
                if run == span:
                    upper += 1
                    run = 0
        labels = merged
    return labels


def _table(b: _Builder, box: Section, rows: list[list[Cell]]) -> None:
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
    b.emit("table_header", start, end, search_text=f"{box.title} | {head_text}", extra=box, context=box.title,
           cells=tuple(labels))
    context = f"{box.title} {head_text}"
    name_at = next((i for i, lb in enumerate(labels) if re.search(r"名称|^指标$", lb)), min(1, width - 1))
    previous: list[str] = []
    for row, cells in zip(rows[n_header:], body, strict=True):
        aligned = _align(cells, previous, width, name_at)
        previous = aligned
        lines = [ln for c in row for ln in c]
        if not lines:
            continue
        pairs = row_text(labels, aligned)
        b.emit("table_row", lines[0].content_start, lines[-1].content_end,
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


def _align(cells: list[str], previous: list[str], width: int, name_at: int) -> list[str]:
    """A row short of cells lacks its merged leading (category) cells; an empty leading
    cell is merged from the row above. Either way it inherits them. A row with a cell too
    many names a sub-indicator (城镇化率 / 常住人口城镇化率): its two name cells are one."""
    if len(cells) < width:
        missing = width - len(cells)
        cells = (previous[:missing] if len(previous) >= missing else [""] * missing) + cells
    cells = list(cells)
    while len(cells) > width and name_at + 1 < len(cells):
        cells[name_at:name_at + 2] = [f"{cells[name_at]} {cells[name_at + 1]}".strip()]
    for i, value in enumerate(cells):
        if value or i >= len(previous) or i >= width - 1:
            break
        cells[i] = previous[i]
    return cells


def row_text(labels: tuple[str, ...] | list[str], values: tuple[str, ...] | list[str]) -> str:
    """A table row as a reader quotes it: each value after its column label, except the
    columns that name the row (`地区生产总值（亿元） ｜ 2020年完成情况 3749.1 ｜ …`)."""
    return " ｜ ".join(f"{lb} {v}" if lb and not _is_label_column(lb) else v
                       for lb, v in zip(labels, values, strict=False) if v)


def _is_label_column(label: str) -> bool:
    """Columns whose value is self-explaining in search text (the row's name, number, category)."""
    return bool(re.search(r"名称|序号|类别|分类|^指标$|^项目$|^类型$", label))
