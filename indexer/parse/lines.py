"""A text cut into lines, each with the spans a reader sees (paste artefacts cut out).

Offsets stay the text's own: a line knows where it starts, and its spans skip the
whitespace and the scraper's markers between the words, so every later stage can cite
exactly what was printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a line is to the parser, decided before the walk (headings.py, structure.py)."""

    BLANK = "blank"
    FURNITURE = "furniture"
    TOC = "toc"
    TEXT = "text"
    HEADING = "heading"
    ITEM = "item"
    BOX_TITLE = "box_title"
    CAPTION = "caption"
    CELL = "cell"

ARTEFACT_RE = re.compile(
    r"##paid(?:begin|end)##"
    r"|【[^】\n]{0,12}公\s*文\s*素\s*材[^】\n]{0,30}】"
    r"|\[image:\s*[^\]\n]{0,40}\]"
)
WS_RE = re.compile(r"\s+")
TERMINAL_RE = re.compile(r"[。；！？：:”）)】…]$")
CLAUSE_END_RE = re.compile(r"[，,、：:]")
SKIPPED = (Role.BLANK, Role.FURNITURE, Role.TOC)


@dataclass
class Line:
    index: int
    start: int
    end: int
    raw: str
    spans: list[tuple[int, int]]
    role: Role = Role.TEXT
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
        return self.role in SKIPPED

    @property
    def content_start(self) -> int:
        return self.spans[0][0]

    @property
    def content_end(self) -> int:
        return self.spans[-1][1]


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


def next_nonblank(lines: list[Line], i: int, max_blanks: int = 1) -> int | None:
    j = i + 1
    blanks = 0
    while j < len(lines) and lines[j].blank:
        blanks += 1
        j += 1
    if j >= len(lines) or blanks > max_blanks:
        return None
    return j


def offset_in_line(line: Line, n: int) -> int:
    """Offset (from content_start) of the n-th character of ``line.clean.strip()``."""
    count = 0
    for s, e in line.spans:
        width = e - s
        if count + width >= n:
            return s - line.content_start + (n - count)
        count += width
    return line.content_end - line.content_start
