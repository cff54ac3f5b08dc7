"""The reader's layout: passages in blocks, a paged source's page marks, where ?page=N lands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from indexer.errors import UnknownPageError
from indexer.parse.model import Passage, PassageKind
from indexer.search.searcher import Searcher


@dataclass
class Block:
    kind: str
    passages: list[Passage] = field(default_factory=list)
    tag: str = "p"
    title: str = ""


def blocks_for(s: Searcher, doc_id: str) -> list[Block]:
    """Passages grouped for reading: headings, paragraphs, and each table as one table."""
    levels = s.section_levels(doc_id)
    blocks: list[Block] = []
    for p in s.doc_passages(doc_id):
        if p.kind in (PassageKind.TABLE_HEADER, PassageKind.TABLE_ROW):
            box = p.section_ids[-1]
            if not (blocks and blocks[-1].kind == "table" and blocks[-1].title == box):
                blocks.append(Block("table", title=box))
            blocks[-1].passages.append(p)
        elif p.kind == PassageKind.HEADING:
            level = levels.get(p.section_ids[-1], ("", ""))[0] if p.section_ids else ""
            blocks.append(Block("heading", [p], tag=heading_tag(level, len(p.section_ids) - 1)))
        else:
            blocks.append(Block(p.kind, [p]))
    return blocks


def heading_tag(level: str, depth: int) -> str:
    """By depth in the document's own tree, so a report's 一、 is as prominent as a plan's 篇."""
    return "h1" if level == "title" else f"h{min(2 + max(depth, 0), 5)}"


def cells(p: Passage) -> list[str]:
    """A table row's cells aligned with its header (merged cells filled in), as the parser found them."""
    return list(p.cells) or [c.strip() for c in p.text.split("\n") if c.strip()] or [p.text.strip()]


def page_marks(passages: Sequence[Passage]) -> dict[str, int]:
    """passage id → the page whose mark stands before it: the first passage that starts on a
    page carries that page's mark (``id="page-N"``). A page on which no passage starts (a
    paragraph runs over it) has no mark; a plain text has none at all."""
    marks: dict[str, int] = {}
    last = 0
    for p in passages:
        if p.pages is not None and p.pages[0] > last:
            marks[p.passage_id] = last = p.pages[0]
    return marks


def page_count(passages: Sequence[Passage]) -> int:
    """The last page that holds text (0 for a source without pages)."""
    return max((p.pages[1] for p in passages if p.pages is not None), default=0)


def page_anchor(passages: Sequence[Passage], page: int) -> str:
    """The fragment ``/doc/ID?page=N`` opens: page N's mark; for a page on which no passage
    starts, the passage that runs over it; for a page without text, the next page's mark.
    UnknownPageError outside 1…page_count."""
    count = page_count(passages)
    if not 1 <= page <= count:
        held = f"本文件共 {count} 页" if count else "这份文件没有页码"
        raise UnknownPageError(f"page {page} is not in the document ({held})", f"第{page}页（{held}）")
    marks = page_marks(passages)
    if page in marks.values():
        return f"page-{page}"
    p = next(p for p in passages if p.pages is not None and p.pages[1] >= page)
    mark = marks.get(p.passage_id)
    return f"page-{mark}" if p.pages[0] > page and mark is not None else p.passage_id
