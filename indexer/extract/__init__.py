"""A plan file of any supported format → the one text the engine indexes, and where its pages start.

The format is told by content (indexer.extract.formats); each format's extractor is
deterministic, and ``extractor`` names it with its library's version, so that the build's
manifest records how each document's text was made.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from indexer.documents import textfile
from indexer.errors import CorpusError
from indexer.extract.formats import (
    DEFAULT_LIMITS,
    DOC,
    DOCX,
    HEAD_BYTES,
    HTML,
    PDF,
    TEXT,
    Limits,
    check_zip,
    detect,
    detect_head,
)


@dataclass(frozen=True)
class Extracted:
    """The derived text; ``page_starts`` holds the offset where each page starts (empty when the
    source has no pages); ``extractor`` says how the text was made (for text files, the encoding)."""

    text: str
    page_starts: tuple[int, ...]
    format: str
    extractor: str


def check_size(size: int, fmt: str, name: str, limits: Limits) -> None:
    limit = limits.of(fmt)
    if size > limit:
        key = "max_document_mb" if fmt == TEXT else f"max_document_mb_by_format.{fmt}"
        raise CorpusError(f"{name}: {size / 1e6:.1f} MB is over the limit of {limit / 1e6:g} MB per "
                          f"{fmt} document (config: {key})")


def extract(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS, suffix: str = "") -> Extracted:
    """The text of file ``name`` whose bytes are ``data``, or CorpusError/ExtractionError in one line.

    A PDF, Word or HTML file is extracted in a child process under the limits (indexer.extract.sandbox)."""
    fmt = detect(data, name)
    check_size(len(data), fmt, name, limits)
    if fmt == TEXT:
        decoded = textfile.decode(data, name)
        return Extracted(decoded.text, (), TEXT, decoded.encoding)
    from indexer.extract import pdf, sandbox, web, word

    text, starts = sandbox.run(_extract_in_child, (data, name, fmt, limits, suffix), name, limits)
    made_by = {PDF: pdf.extractor, DOCX: word.extractor, HTML: web.extractor}.get(fmt)
    return Extracted(text, starts, fmt, made_by() if made_by else word.extractor(DOC))


def _extract_in_child(data: bytes, name: str, fmt: str, limits: Limits, suffix: str) -> tuple[str, tuple[int, ...]]:
    from indexer.extract import pdf, web, word

    if fmt == PDF:
        return pdf.extract(io.BytesIO(data), name, limits.pdf_pages)
    if fmt == DOCX:
        check_zip(data, name, limits)
        return word.extract_docx(data, name)
    if fmt == HTML:
        return web.extract(data, name)
    assert fmt == DOC
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"source{suffix if suffix in ('.doc', '.wps') else '.doc'}"
        path.write_bytes(data)
        return word.extract_doc(path, name)


def read(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[bytes, Extracted]:
    """A file's bytes (kept as they are in the corpus) and its extracted text."""
    try:
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
        check_size(path.stat().st_size, detect_head(head), path.name, limits)
    except (OSError, ValueError):
        pass  # read_bytes names the problem
    data = textfile.read_bytes(path, limits.largest)
    return data, extract(data, path.name, limits, path.suffix.lower())
