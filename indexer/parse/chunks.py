"""Body text cut into sentence-bounded passages, and lines joined where a sentence runs on.

Passage length is a retrieval trade-off (long enough to answer, short enough to cite), so
the limits are written once here.
"""

from __future__ import annotations

from collections.abc import Sequence

from indexer.parse.heading_rules import SENTENCE_END_RE
from indexer.parse.lines import CLAUSE_END_RE, TERMINAL_RE, Line, Role

TARGET_CHARS = 300
MAX_CHARS = 600
# A line that stops on one of these cannot end a sentence: the next line continues it.
CONNECTIVE_END = "的和与及在是为对把将从向以、，“《（"
FRAGMENT = 4


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


def breaks_mid_sentence(line: Line) -> bool:
    """A body line that stops where no sentence can end continues on the next line:
    a long line without closing punctuation, a fragment of a few characters
    (``揭榜``, ``2.5``: a scrape broke the line at inline markup), or a line
    ending on a connective (``…发展的`` / ``主要目标`` / ``是：…``)."""
    clean = line.text
    if line.role not in (Role.TEXT, Role.ITEM) or TERMINAL_RE.search(clean):
        return False
    return len(clean) > 40 or len(clean) <= FRAGMENT or clean[-1] in CONNECTIVE_END


def join_line_breaks(text: str, spans: list[tuple[int, int]],
                     furniture: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Merge spans separated only by whitespace (a line break) or by page furniture (a page
    break); an artefact keeps them apart."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and _only_breaks(text, out[-1][1], s, furniture):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _only_breaks(text: str, start: int, end: int, furniture: Sequence[tuple[int, int]]) -> bool:
    gap = text[start:end]
    for fs, fe in furniture:
        if start <= fs and fe <= end:
            gap = gap[: fs - start] + " " * (fe - fs) + gap[fe - start:]
    return not gap.strip()
