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
from indexer.extract.formats import DOC, DOCX, HTML, PDF, TEXT, Limits, detect


@dataclass(frozen=True)
class Extracted:
    """The derived text; ``page_starts`` holds the offset where each page starts (empty when the
    source has no pages); ``extractor`` says how the text was made (for text files, the encoding)."""

    text: str
    page_starts: tuple[int, ...]
    format: str
    extractor: str


def extract(data: bytes, name: str, limits: Limits = Limits(), suffix: str = "") -> Extracted:
    """The text of file ``name`` whose bytes are ``data``, or CorpusError/ExtractionError in one line."""
    fmt = detect(data, name)
    limit = limits.of(fmt)
    if len(data) > limit:
        raise CorpusError(f"{name}: {len(data) / 1e6:.1f} MB is over the limit of {limit / 1e6:g} MB per "
                          f"{fmt} document (config: {'max_document_mb' if fmt == TEXT else 'max_document_mb_by_format.' + fmt})")
    if fmt == TEXT:
        decoded = textfile.decode(data, name)
        return Extracted(decoded.text, (), TEXT, decoded.encoding)
    if fmt == PDF:
        from indexer.extract import pdf

        text, starts = pdf.extract(io.BytesIO(data), name)
        return Extracted(text, starts, PDF, pdf.extractor())
    from indexer.extract import web, word

    if fmt == DOCX:
        text, starts = word.extract_docx(data, name)
        return Extracted(text, starts, DOCX, word.extractor())
    if fmt == HTML:
        text, starts = web.extract(data, name)
        return Extracted(text, starts, HTML, web.extractor())
    assert fmt == DOC
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"source{suffix if suffix in ('.doc', '.wps') else '.doc'}"
        path.write_bytes(data)
        text, starts = word.extract_doc(path, name)
    return Extracted(text, starts, DOC, word.extractor(DOC))


def read(path: Path, limits: Limits = Limits()) -> tuple[bytes, Extracted]:
    """A file's bytes (kept as they are in the corpus) and its extracted text."""
    data = textfile.read_bytes(path, limits.largest)
    return data, extract(data, path.name, limits, path.suffix.lower())
