"""The passages of a build, addressed by id: lookup, neighbours, the rows of each
document, outlines and section anchors, old ids' landings, and the JSON and citation
every passage is shown with. The one owner of ids, permalinks and citations."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np

from indexer.analysis.text import match_text, squash
from indexer.documents.corpus import Catalog, DocumentInfo
from indexer.errors import IndexCorruptError, UnknownPassageError
from indexer.parse.anchors import AnchorResolver, Landing
from indexer.parse.model import Passage, PassageKind
from indexer.search.citation import Cited, permalink, reference_line
from indexer.search.responses import PassageJSON

SQUASHED_CACHE = 1 << 16


def citation_for(p: Passage, info: DocumentInfo, base_url: str = "") -> str:
    """The Chinese reference line, its permalink made absolute with ``base_url``."""
    return reference_line(Cited(p, info, base_url + permalink(p)))


def passage_fields(p: Passage, info: DocumentInfo, base_url: str = "") -> dict:
    """The fields of indexer.search.responses.PassageJSON, for a passage and anything built on it."""
    fields = {
        "passage_id": p.passage_id, "doc_id": p.doc_id, "source": info.file, "title": info.title,
        "section_path": list(p.section_path), "kind": p.kind, "start": p.start, "end": p.end,
        "text": p.text, "cells": list(p.cells), "citation": citation_for(p, info, base_url), "url": permalink(p),
    }
    if p.pages is not None:  # a plain text's passages keep the shape they always had
        fields["pages"] = list(p.pages)
    return fields


def passage_model(p: Passage, info: DocumentInfo, base_url: str = "") -> PassageJSON:
    return PassageJSON(**passage_fields(p, info, base_url))


class PassageStore:
    """Passages in build order; each document's passages are one run of rows."""

    def __init__(self, passages: list[Passage], outlines: dict[str, list[dict]], aliases: dict[str, list[str]],
                 catalog: Catalog) -> None:
        self.passages = passages
        self.catalog = catalog
        self.outlines = outlines
        self.by_id = {p.passage_id: i for i, p in enumerate(passages)}
        self._seq_ids = {(p.doc_id, p.seq): p.passage_id for p in passages}
        self.anchors = AnchorResolver(passages, aliases)
        self.table_labels = {p.section_ids[-1]: p.cells for p in passages if p.kind == PassageKind.TABLE_HEADER}
        self.ranges = _document_ranges(passages)
        self.kinds = np.array([p.kind for p in passages])
        self._section_anchors: dict[tuple[str, str], str] | None = None
        self.squashed = functools.lru_cache(maxsize=SQUASHED_CACHE)(self._squash)
        self.frequency = functools.lru_cache(maxsize=SQUASHED_CACHE)(self._frequency)
        self.headings = functools.lru_cache(maxsize=SQUASHED_CACHE)(self._headings)

    def __len__(self) -> int:
        return len(self.passages)

    def __iter__(self) -> Iterator[Passage]:
        return iter(self.passages)

    def _squash(self, row: int) -> str:
        """A passage's text as substring matching sees it (indexer.analysis.text.match_text)."""
        return match_text(self.passages[row].search_text)

    def _headings(self, row: int) -> str:
        """The squashed heading path above a passage: words a passage leaves to its headings."""
        return squash("".join(self.passages[row].section_path))

    def _frequency(self, word: str) -> int:
        """How many passages hold ``word`` (squashed), for weighing a query's words by rarity."""
        return sum(word in self.squashed(row) for row in range(len(self.passages)))

    def row(self, passage_id: str) -> int:
        return self.by_id[passage_id]

    def at(self, row: int) -> Passage:
        return self.passages[row]

    def info(self, p: Passage) -> DocumentInfo:
        return self.catalog.info(p.doc_id)

    def rows_of(self, doc_ids: list[str] | tuple[str, ...] | set[str] | None) -> np.ndarray:
        """A boolean mask of the rows of these documents (every row for None), from
        each document's run of rows, not from a pass over the passages."""
        if doc_ids is None:
            return np.ones(len(self.passages), dtype=bool)
        mask = np.zeros(len(self.passages), dtype=bool)
        for d in doc_ids:
            start, end = self.ranges.get(d, (0, 0))
            mask[start:end] = True
        return mask

    # --- reading ------------------------------------------------------------------------------
    def passage(self, passage_id: str) -> Passage:
        try:
            return self.passages[self.by_id[passage_id]]
        except KeyError:
            raise UnknownPassageError(f"unknown passage {passage_id!r}", passage_id) from None

    def landing(self, passage_id: str) -> Landing | None:
        """Where a link to a passage this build no longer has should open: None when the
        build has it, or when no document of the catalog owns the id."""
        owners = [d for d in self.catalog.ids if passage_id.startswith(d + "-")]
        if passage_id in self.by_id or not owners:
            return None
        return self.anchors.resolve(max(owners, key=len), passage_id)

    def neighbours(self, passage_id: str, n: int = 2) -> tuple[list[Passage], list[Passage]]:
        i = self.by_id[passage_id]
        doc = self.passages[i].doc_id
        before = [p for p in self.passages[max(0, i - n):i] if p.doc_id == doc]
        after = [p for p in self.passages[i + 1:i + 1 + n] if p.doc_id == doc]
        return before, after

    def doc_passages(self, doc_id: str) -> list[Passage]:
        self.catalog.info(doc_id)
        start, end = self.ranges.get(doc_id, (0, 0))
        return self.passages[start:end]

    def outline(self, doc_id: str) -> list[dict]:
        """The heading tree; each node's passage range as passage ids (first, last)."""
        self.catalog.info(doc_id)

        def convert(node: dict) -> dict:
            rng = node.get("passages")
            return {
                "section_id": node["section_id"], "title": node["title"], "level": node["level"],
                "start": node["start"], "end": node["end"],
                "passages": [self._seq_ids[(doc_id, rng[0])], self._seq_ids[(doc_id, rng[1])]] if rng else None,
                "children": [convert(c) for c in node["children"]],
            }

        return [convert(n) for n in self.outlines.get(doc_id, [])]

    def section_anchor(self, doc_id: str, section_id: str) -> str | None:
        """The permalink of a section's first passage (its heading), for breadcrumb links."""
        if self._section_anchors is None:
            anchors: dict[tuple[str, str], str] = {}
            for doc in self.outlines:
                for node in walk_outline(self.outlines[doc]):
                    if node.get("passages"):
                        anchors[(doc, node["section_id"])] = permalink(self.passages[self.by_id[
                            self._seq_ids[(doc, node["passages"][0])]]])
            self._section_anchors = anchors
        return self._section_anchors.get((doc_id, section_id))

    def section_levels(self, doc_id: str) -> dict[str, tuple[str, str]]:
        """section id → (level, title), for rendering headings."""
        return {n["section_id"]: (n["level"], n["title"]) for n in walk_outline(self.outlines.get(doc_id, []))}

    def level_counts(self, doc_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for level, _ in self.section_levels(doc_id).values():
            counts[level] = counts.get(level, 0) + 1
        return counts


def walk_outline(nodes: list[dict]):
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node["children"])


def _document_ranges(passages: list[Passage]) -> dict[str, tuple[int, int]]:
    ranges: dict[str, tuple[int, int]] = {}
    for i, p in enumerate(passages):
        start, _ = ranges.get(p.doc_id, (i, i))
        if start != i and ranges[p.doc_id][1] != i:
            raise IndexCorruptError(f"the passages of {p.doc_id} are not one run in the build")
        ranges[p.doc_id] = (start, i + 1)
    return ranges
