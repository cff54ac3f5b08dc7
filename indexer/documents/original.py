"""A document's original file as the reader serves it, found by document id, never by a path.

The rules, written once: the file is the catalog's ``file`` for that id, a plain file directly
inside the corpus folder (no link, nothing outside); its media type is told by its bytes, as the
corpus told its format; a PDF may be shown inline (a viewer opens ``#page=N``), a text is shown
as text in the charset it is stored in, and Word and HTML files are downloaded, never rendered.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from indexer.documents import textfile
from indexer.documents.corpus import Catalog
from indexer.errors import CorpusError, OriginalUnavailableError
from indexer.extract.formats import DOC, DOCX, HEAD_BYTES, HTML, PDF, TEXT, detect_head

MEDIA_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DOC: "application/msword",
    HTML: "text/html",
    TEXT: "text/plain",
}
# Shown by the browser itself; everything else is an attachment.
INLINE = frozenset({PDF, TEXT})
# The charset a text file is stored in, as an HTTP charset (a BOM stays in the bytes).
CHARSETS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "utf-16": "utf-16", "gb18030": "gb18030"}
UNKNOWN_TYPE = "application/octet-stream"
_ASCII_NAME_RE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Original:
    """What to send: the file and its format; its Content-Type and disposition follow from them."""

    path: Path
    format: str

    @property
    def filename(self) -> str:
        return self.path.name

    @functools.cached_property
    def media_type(self) -> str:
        return media_type(self.format, self.path)

    @property
    def inline(self) -> bool:
        return self.format in INLINE and self.media_type != UNKNOWN_TYPE

    @property
    def disposition(self) -> str:
        return content_disposition("inline" if self.inline else "attachment", self.filename)


def content_disposition(kind: str, filename: str) -> str:
    """``kind; filename="…"; filename*=UTF-8''…`` (RFC 6266 / RFC 5987): an ASCII fallback for
    old clients and the exact name, percent-encoded, for the rest."""
    fallback = _ASCII_NAME_RE.sub("_", filename)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def original(catalog: Catalog, doc_id: str) -> Original:
    """The original of ``doc_id``: UnknownDocumentError for an id the catalog does not list,
    OriginalUnavailableError when its file is not a plain file of the corpus folder."""
    info = catalog.info(doc_id)
    folder = catalog.corpus_dir.resolve()
    path = catalog.corpus_dir / info.file
    try:
        inside = (not path.is_symlink() and path.resolve().parent == folder and path.is_file()
                  and Path(info.file).name == info.file)
        if not inside:
            raise OriginalUnavailableError(f"{doc_id}: the original file is not in the corpus folder", doc_id)
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError:
        raise OriginalUnavailableError(f"{doc_id}: the original file cannot be read", doc_id) from None
    return Original(path, detect_head(head))


def media_type(fmt: str, path: Path) -> str:
    """The Content-Type of a file of format ``fmt``; a text's names the charset it decodes in
    (one that no longer decodes is sent as bytes, untyped)."""
    if fmt != TEXT:
        return MEDIA_TYPES[fmt]
    try:
        encoding = textfile.read(path, path.stat().st_size).encoding
    except (CorpusError, OSError):
        return UNKNOWN_TYPE
    return f"{MEDIA_TYPES[TEXT]}; charset={CHARSETS.get(encoding, encoding)}"
