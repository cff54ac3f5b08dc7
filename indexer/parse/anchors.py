"""Passage ids that survive re-parsing, and where an id that no longer exists lands now.

A passage id is ``{doc}-{section}-{text}``: a short hash of the section path and one of
the passage's own text, whitespace removed, with ``-2``, ``-3`` … only when the same text
recurs in one section. Re-parsing unchanged text keeps every id, whatever the ordinals
do, so links pasted into papers keep working. When a passage did change, its old id
still says which section it was in, and the build records where the previous build's
ids went (``aliases.json``), including the ordinal ids used before this scheme.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

SECTION_HASH_CHARS = 6
TEXT_HASH_CHARS = 8
_WS = re.compile(r"\s+")
ID_TAIL_RE = re.compile(rf"-(?P<section>[0-9a-f]{{{SECTION_HASH_CHARS}}})-(?P<text>[0-9a-f]{{{TEXT_HASH_CHARS}}})"
                        r"(?:-(?P<tie>\d+))?$")

# How an old id was resolved; what the reader is told.
MOVED, CHANGED, SECTION, DOCUMENT = "moved", "changed", "section", "document"
NOTICES = {
    MOVED: "这段文字在文件更新后换了位置，已为您跳到它现在的位置。",
    CHANGED: "这段文字在文件更新后有改动，已为您跳到原位置最接近的段落。",
    SECTION: "这段文字在文件更新后已不存在，已为您跳到它原来所在的章节。",
    DOCUMENT: "这段文字在文件更新后已不存在，已为您打开文件开头。",
}


class Anchored(Protocol):
    passage_id: str
    doc_id: str
    seq: int
    text: str
    section_path: tuple[str, ...]


def _digest(text: str, chars: int) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:chars]


def section_hash(path: Sequence[str]) -> str:
    return _digest("\x1f".join(_WS.sub("", t) for t in path), SECTION_HASH_CHARS)


def text_hash(text: str) -> str:
    return _digest(_WS.sub("", text), TEXT_HASH_CHARS)


class IdAllocator:
    """Hands out one document's passage ids in reading order, numbering repeated texts."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        self._seen: dict[str, int] = {}

    def next_id(self, path: Sequence[str], text: str) -> str:
        base = f"{self.doc_id}-{section_hash(path)}-{text_hash(text)}"
        n = self._seen.get(base, 0) + 1
        self._seen[base] = n
        return base if n == 1 else f"{base}-{n}"


@dataclass(frozen=True)
class Landing:
    """Where an old id lands: the passage to open and how it was found."""

    passage_id: str
    how: str

    @property
    def notice(self) -> str:
        return NOTICES[self.how]


class AnchorResolver:
    """Finds the nearest surviving passage for an id this build does not have."""

    def __init__(self, passages: Iterable[Anchored], aliases: dict[str, list[str]] | None = None) -> None:
        self._ids: set[str] = set()
        self._by_text: dict[tuple[str, str], list[str]] = {}
        self._by_section: dict[tuple[str, str], list[str]] = {}
        self._first: dict[str, str] = {}
        for p in passages:
            self._ids.add(p.passage_id)
            self._first.setdefault(p.doc_id, p.passage_id)
            self._by_text.setdefault((p.doc_id, text_hash(p.text)), []).append(p.passage_id)
            self._by_section.setdefault((p.doc_id, section_hash(p.section_path)), []).append(p.passage_id)
        self._aliases = {old: Landing(new, how) for old, (new, how) in (aliases or {}).items() if new in self._ids}

    def resolve(self, doc_id: str, old_id: str) -> Landing | None:
        """None when the id is current or names another document."""
        if old_id in self._ids or not old_id.startswith(doc_id + "-") or doc_id not in self._first:
            return None
        if old_id in self._aliases:
            return self._aliases[old_id]
        m = ID_TAIL_RE.search(old_id)
        if m and old_id[: m.start()] == doc_id:
            return self.nearest(doc_id, m["section"], m["text"])
        return Landing(self._first[doc_id], DOCUMENT)

    def nearest(self, doc_id: str, section: str, text: str) -> Landing:
        same_text = self._by_text.get((doc_id, text))
        if same_text:
            in_section = [i for i in same_text if f"-{section}-" in i]
            return Landing((in_section or same_text)[0], MOVED)
        in_section = self._by_section.get((doc_id, section))
        if in_section:
            return Landing(in_section[0], SECTION)
        return Landing(self._first[doc_id], DOCUMENT)


def carry_aliases(old: Sequence[Anchored], old_aliases: dict[str, list[str]],
                  new: Sequence[Anchored]) -> dict[str, list[str]]:
    """Where each id of the previous build (and each id it already redirected) lands in
    the new one. Ids the new build keeps need no alias; a removed document's ids have none."""
    resolver = AnchorResolver(new)
    new_ids = {p.passage_id for p in new}
    new_docs = {p.doc_id for p in new}
    out: dict[str, list[str]] = {}
    landed: dict[str, Landing] = {}
    by_section: dict[tuple[str, tuple[str, ...]], list[Anchored]] = {}
    for p in new:
        by_section.setdefault((p.doc_id, tuple(p.section_path)), []).append(p)
    for p in old:
        if p.passage_id in new_ids or p.doc_id not in new_docs:
            continue
        landing = resolver.nearest(p.doc_id, section_hash(p.section_path), text_hash(p.text))
        same_path = by_section.get((p.doc_id, tuple(p.section_path)))
        if landing.how != MOVED and same_path:
            landing = _closest_in_section(p, same_path)
        landed[p.passage_id] = landing
        out[p.passage_id] = [landing.passage_id, landing.how]
    for alias, (target, how) in old_aliases.items():
        if alias in new_ids:
            continue
        if target in new_ids:
            out[alias] = [target, how]
        elif target in landed:
            out[alias] = [landed[target].passage_id, landed[target].how]
    return out


def _closest_in_section(old: Anchored, same_path: Sequence[Anchored]) -> Landing:
    """A changed passage lands on the passage now at its place in its section (by
    position in the document), so a reader opens the paragraph that replaced it."""
    best = min(same_path, key=lambda p: (abs(p.seq - old.seq), p.seq))
    return Landing(best.passage_id, CHANGED)
