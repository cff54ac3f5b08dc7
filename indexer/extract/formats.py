"""Which format a file is, told by its bytes (never its name), and each format's size limit."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from indexer.errors import ExtractionError, ExtractionLimitError

PDF, DOCX, DOC, HTML, TEXT = "pdf", "docx", "doc", "html", "text"
FORMATS = (TEXT, PDF, DOCX, DOC, HTML)
# The suffix a document of each format gets in the corpus folder (a .wps keeps its own).
SUFFIX = {TEXT: ".txt", PDF: ".pdf", DOCX: ".docx", DOC: ".doc", HTML: ".html"}
CORPUS_SUFFIXES = (".txt", ".pdf", ".docx", ".doc", ".wps", ".html", ".htm")
# Default limits in MB: PDFs carry fonts and images, so they are allowed far more bytes per
# character of text than a text file; config's max_document_mb_by_format overrides them.
DEFAULT_LIMIT_MB = {TEXT: 5, PDF: 50, DOCX: 20, DOC: 20, HTML: 10}
# What one file's extraction may take, beyond its bytes (a bomb is small on disk): the limits are
# written here once. A 200-page plan extracts in ~40 s (pdfplumber, ~5 pages/s) and a few hundred
# MB; real .docx members unzip at most ~32× (stylesWithEffects.xml), zip bombs ~1000×.
EXTRACT_SECONDS = 300.0  # wall clock per file, in the child process (indexer.extract.sandbox)
EXTRACT_MEMORY_MB = 2048  # address space the child may add to what it inherits
MAX_PDF_PAGES = 3000
MAX_TREE_DEPTH = 64  # of a PDF's page tree: 3000 pages need 4 levels; PDF writers use 2 to 6
MAX_UNZIPPED_MB = 200  # all members of a .docx together, declared and as read
MAX_ZIP_RATIO = 100  # uncompressed : compressed, for a member of more than ZIP_RATIO_FROM bytes
ZIP_RATIO_FROM = 1_000_000

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
    seconds: float = EXTRACT_SECONDS
    memory_mb: int = EXTRACT_MEMORY_MB
    pdf_pages: int = MAX_PDF_PAGES
    unzipped: int = MAX_UNZIPPED_MB * 1_000_000
    zip_ratio: int = MAX_ZIP_RATIO

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


# Word's XML never declares a DTD; one that does is after external entities (XXE) or entity bombs.
_DTD = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le", "utf-16-be"))


def check_zip(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a .docx that is a zip bomb or declares a DTD, before any library unzips or parses it.

    The declared sizes are checked first (cheap), then every member is read in chunks and its
    actual size counted, since a zip's headers may lie; an XML member with <!DOCTYPE or <!ENTITY
    is refused outright (python-docx also parses with resolve_entities=False)."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise ExtractionError(f"{name}: a damaged zip file; not a Word document") from None
    mb = limits.unzipped / 1e6
    if sum(i.file_size for i in infos) > limits.unzipped:
        raise ExtractionLimitError(f"{name}: unzips to more than {mb:g} MB (a zip bomb?); refused")
    for i in infos:
        if i.file_size > ZIP_RATIO_FROM and i.file_size > limits.zip_ratio * max(i.compress_size, 1):
            raise ExtractionLimitError(f"{name}: {i.filename} unzips {i.file_size // max(i.compress_size, 1)}× "
                                       f"(over {limits.zip_ratio}×; a zip bomb?); refused")
    total = 0
    try:
        for i in infos:
            with z.open(i) as f:
                head = b""
                while chunk := f.read(1 << 16):
                    total += len(chunk)
                    if total > limits.unzipped:
                        raise ExtractionLimitError(f"{name}: unzips to more than {mb:g} MB (a zip bomb?); refused")
                    if i.filename.endswith((".xml", ".rels")) and any(m in head + chunk for m in _DTD):
                        raise ExtractionError(f"{name}: {i.filename} declares a DTD or entities, which Word "
                                              "never writes; refused")
                    head = chunk[-32:]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, NotImplementedError,
            RuntimeError) as exc:
        raise ExtractionError(f"{name}: a damaged zip file ({type(exc).__name__}); not a Word document") from None
