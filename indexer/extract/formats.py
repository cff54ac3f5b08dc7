"""Which format a file is, told by its bytes (never its name), and each format's size limit."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from indexer.errors import ExtractionError

PDF, DOCX, DOC, HTML, TEXT = "pdf", "docx", "doc", "html", "text"
FORMATS = (TEXT, PDF, DOCX, DOC, HTML)
# The suffix a document of each format gets in the corpus folder (a .wps keeps its own).
SUFFIX = {TEXT: ".txt", PDF: ".pdf", DOCX: ".docx", DOC: ".doc", HTML: ".html"}
CORPUS_SUFFIXES = (".txt", ".pdf", ".docx", ".doc", ".wps", ".html", ".htm")
# Default limits in MB: PDFs carry fonts and images, so they are allowed far more bytes per
# character of text than a text file; config's max_document_mb_by_format overrides them.
DEFAULT_LIMIT_MB = {TEXT: 5, PDF: 50, DOCX: 20, DOC: 20, HTML: 10}

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_RE = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)


@dataclass(frozen=True)
class Limits:
    """Bytes accepted per document, by format."""

    text: int = DEFAULT_LIMIT_MB[TEXT] * 1_000_000
    pdf: int = DEFAULT_LIMIT_MB[PDF] * 1_000_000
    docx: int = DEFAULT_LIMIT_MB[DOCX] * 1_000_000
    doc: int = DEFAULT_LIMIT_MB[DOC] * 1_000_000
    html: int = DEFAULT_LIMIT_MB[HTML] * 1_000_000

    def of(self, fmt: str) -> int:
        return getattr(self, fmt)

    @property
    def largest(self) -> int:
        return max(self.of(f) for f in FORMATS)


HEAD_BYTES = 1024


DEFAULT_LIMITS = Limits()


def detect_head(head: bytes) -> str:
    """The format the first bytes announce, before the whole file is read (for its size limit)."""
    if b"%PDF-" in head[:HEAD_BYTES]:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return DOCX
    if head.startswith(_OLE):
        return DOC
    return HTML if _HTML_RE.match(head.lstrip(b"\xef\xbb\xbf")) else TEXT


def detect(data: bytes, name: str) -> str:
    """The format of ``data``: PDF, Word (.docx or .doc/.wps), HTML, else text.

    A zip that is not a Word document and an OLE file are told apart from the formats they
    look like, so that each gets its own clear refusal."""
    head = data[:HEAD_BYTES]
    if b"%PDF-" in head:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            raise ExtractionError(f"{name}: a damaged zip file; not a Word document") from None
        if "word/document.xml" in names:
            return DOCX
        kind = "an OpenDocument file (save it as .docx)" if "content.xml" in names else "a zip archive"
        raise ExtractionError(f"{name}: {kind}, not a Word document (no word/document.xml)")
    if head.startswith(_OLE):
        return DOC
    sniff = head.lstrip(b"\xef\xbb\xbf")
    if _HTML_RE.match(sniff):
        return HTML
    return TEXT
