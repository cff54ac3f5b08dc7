"""From printed lines to the one text: page furniture out, wrapped lines and pages joined back
into paragraphs, headings and table rows on lines of their own.

Pure rules over positioned lines, so that any PDF library's output can go through them.
A paragraph is a run of lines each of which fills the measure; a line that stops short, an
indented line, a heading (bold, larger or centred) or a table row ends it. A page break
ends nothing by itself, so a sentence cut by a page break stays one paragraph.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from indexer.extract.blocks import join_blocks

PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—–－_~·•\s]*\d{1,4}[-—–－_~·•\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$"
)
DIGITS_RE = re.compile(r"\d+")
BAND = 2            # lines at the top and bottom of a page where furniture may sit
REPEAT_SHARE = 0.5  # a line in that band on at least this share of pages is a running header/footer
FULL = 3.5          # type sizes short of the right edge: a line that ends nearer is full (ragged right)
HEADING_MAX = 40    # characters; a longer line is body text whatever its font


@dataclass(frozen=True)
class PrintedLine:
    """One printed line: its text, where it stands (points), its type; or a table row."""

    text: str
    x0: float
    x1: float
    top: float
    size: float
    bold: bool = False
    row: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Measure:
    """The text block's left and right edges, and the body's type size."""

    left: float
    right: float
    size: float


def furniture(pages: list[list[PrintedLine]]) -> list[list[PrintedLine]]:
    """Each page without its running headers and footers and its page number."""
    def key(line: PrintedLine) -> str:
        return DIGITS_RE.sub("#", re.sub(r"\s+", "", line.text))

    body = measure(pages).size
    bands = [_band(page) for page in pages]
    counts = Counter(k for band in bands for k in {key(line) for line in band})
    repeated = {k for k, n in counts.items() if len(pages) > 1 and n >= max(2, REPEAT_SHARE * len(pages))}
    kept = []
    for page, band in zip(pages, bands, strict=True):
        # Furniture is set smaller than the body: the title on page one repeats the running header.
        drop = {id(line) for line in band
                if (key(line) in repeated and line.size <= body) or PAGE_NUMBER_RE.match(line.text.strip())}
        kept.append([line for line in page if id(line) not in drop])
    return kept


def _band(page: list[PrintedLine]) -> list[PrintedLine]:
    lines = [line for line in page if line.row is None]
    return lines[:BAND] + lines[-BAND:] if len(lines) > 2 * BAND else lines


def measure(pages: list[list[PrintedLine]]) -> Measure:
    lines = [line for page in pages for line in page if line.row is None and line.text.strip()]
    if not lines:
        return Measure(0.0, 0.0, 10.0)
    size = Counter(round(line.size, 1) for line in lines).most_common(1)[0][0]
    left = Counter(round(line.x0) for line in lines).most_common(1)[0][0]
    rights = sorted(line.x1 for line in lines)
    return Measure(float(left), rights[int(len(rights) * 0.9)], size)


def is_heading(line: PrintedLine, m: Measure) -> bool:
    text = line.text.strip()
    if line.row is not None or not text or len(text) > HEADING_MAX or text[-1] in "。；！？，、":
        return False
    indent, gap = line.x0 - m.left, m.right - line.x1
    centred = min(indent, gap) > 2.5 * m.size and abs(indent - gap) < 1.5 * m.size
    return line.bold or line.size > m.size * 1.15 or centred


def continues_row(before: tuple[str, ...], row: tuple[str, ...]) -> bool:
    """A table's first row on a page that only finishes cells of the last row before the break:
    the same columns, and at most half as many cells filled, each one filled before too."""
    filled = [i for i, c in enumerate(row) if c]
    return (len(before) == len(row) and 0 < len(filled) <= sum(1 for c in before if c) / 2
            and all(before[i] for i in filled))


def paragraphs(pages: list[list[PrintedLine]]) -> tuple[list[str], list[tuple[int, int]]]:
    """The blocks of text (paragraphs, headings, table rows) and, for each page, the block it
    starts in and the character within that block."""
    m = measure(pages)
    blocks: list[str] = []
    starts: list[tuple[int, int]] = []
    prev: PrintedLine | None = None
    open_para = prev_heading = False
    for page in pages:
        first = True
        for line in page:
            text = line.text.strip()
            if line.row is not None:
                if first and prev is not None and prev.row is not None and continues_row(prev.row, line.row):
                    # A row that a page break split: its cells go on from the previous page.
                    line = PrintedLine(line.text, line.x0, line.x1, line.top, line.size,
                                       row=tuple(a + b for a, b in zip(prev.row, line.row, strict=True)))
                    blocks[-1] = "\t" + "\t".join(line.row)
                    starts.append((len(blocks) - 1, len(blocks[-1])))
                    first = False
                else:
                    blocks.append("\t" + "\t".join(line.row))
                open_para = False
                prev = line
            elif text:
                heading = is_heading(line, m)
                full = prev is not None and prev.row is None and prev.x1 >= m.right - FULL * m.size
                # A heading too long for one line goes on in the same type.
                wrapped = (heading and full and prev_heading and prev.bold == line.bold
                           and abs(prev.size - line.size) < 0.5)
                joins = wrapped or (open_para and full and not heading and line.x0 <= m.left + 0.6 * m.size)
                if joins:
                    if first:
                        starts.append((len(blocks) - 1, len(blocks[-1])))
                        first = False
                    glue = " " if blocks[-1][-1:].isascii() and blocks[-1][-1:].isalnum() and text[0].isascii() else ""
                    blocks[-1] += glue + text
                else:
                    blocks.append(text)
                open_para = not heading
                prev_heading = heading
                prev = line
            else:
                continue
            if first:
                starts.append((len(blocks) - 1, 0))
                first = False
        if first:
            starts.append((len(blocks), 0))
    return blocks, starts


def assemble(pages: list[list[PrintedLine]]) -> tuple[str, tuple[int, ...]]:
    """The text (blocks separated by a blank line, table rows by a line break) and the offset
    where each page's text starts."""
    blocks, starts = paragraphs(furniture(pages))
    text, offsets = join_blocks(blocks)
    # A page with no text of its own starts where the next text does.
    page_starts = tuple(offsets[b] + c if b < len(offsets) else len(text) - 1 for b, c in starts)
    return text, page_starts
