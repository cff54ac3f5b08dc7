"""The parse's result: the section tree, the citable passages, and their JSON both ways.

A passage's ``[start, end)`` are code-point offsets into the document's text, which is
never rewritten; the JSON written here is the build's and the API's, so its keys are fixed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import StrEnum


class PassageKind(StrEnum):
    """What a passage is; the values are the build's and the API's ``kind``."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    FRONT_MATTER = "front_matter"
    CAPTION = "caption"
    BOX_TITLE = "box_title"
    BOX_ITEM = "box_item"
    TABLE_HEADER = "table_header"
    TABLE_ROW = "table_row"
    TABLE_NOTE = "table_note"

# First and last page (1-based) of a paged source; None for a text without pages.
Pages = tuple[int, int]


def with_pages(d: dict, pages: Pages | None) -> dict:
    """``pages`` is written only for a paged source, so a plain text's JSON is as it always was."""
    if pages is not None:
        d["pages"] = list(pages)
    return d


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
    pages: Pages | None = None

    def to_json(self) -> dict:
        return with_pages({
            "section_id": self.section_id,
            "title": self.title,
            "level": self.level,
            "start": self.start,
            "end": self.end,
            "passages": (
                [self.first_passage, self.last_passage] if self.first_passage is not None else None
            ),
            "children": [c.to_json() for c in self.children],
        }, self.pages)


@dataclass(frozen=True)
class Passage:
    """The unit of retrieval and citation."""

    passage_id: str
    doc_id: str
    seq: int
    kind: PassageKind
    start: int
    end: int
    text: str
    search_text: str
    section_path: tuple[str, ...]
    section_ids: tuple[str, ...]
    ordinal: int
    context: str = ""
    cells: tuple[str, ...] = ()
    pages: Pages | None = None

    @classmethod
    def from_json(cls, d: dict) -> Passage:
        # Names repeated on every passage of a document or section are stored once.
        return cls(**{**d, "doc_id": sys.intern(d["doc_id"]), "kind": PassageKind(d["kind"]),
                      "context": sys.intern(d.get("context", "")),
                      "section_path": tuple(map(sys.intern, d["section_path"])),
                      "section_ids": tuple(map(sys.intern, d["section_ids"])),
                      "cells": tuple(d.get("cells", ())),
                      "pages": tuple(d["pages"]) if d.get("pages") else None})

    @property
    def body_text(self) -> str:
        """What BM25 indexes as the body: the search text without its box title and column
        headers; for a table row, its cell values alone (the labels, repeated on every row,
        would match every question that says 目标 or 2020年)."""
        if self.cells and self.kind == PassageKind.TABLE_ROW:
            return " ".join(c for c in self.cells if c)
        return self.search_text[len(self.context):].lstrip(" |") if self.context else self.search_text

    def to_json(self) -> dict:
        return with_pages({
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
        }, self.pages)


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
