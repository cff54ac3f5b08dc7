"""The corpus: the catalog of plan documents and their source texts.

A document's text is decoded once and never modified; every offset the
engine hands out is a Python ``str`` index into exactly this text.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from indexer import extract
from indexer.documents import catalog_text
from indexer.errors import CatalogError, UnknownDocumentError
from indexer.extract.formats import CORPUS_SUFFIXES, DEFAULT_LIMITS, Limits

CATALOG_FILE = "catalog.yaml"
# A document id, and so its file's name in corpus/: lower-case ASCII letters, digits, '.', '-', '_',
# not starting with a dot. No path separator, '..' prefix, NUL, newline or bidi mark can get in,
# so every file the corpus writes or deletes lies directly in its folder. Match with fullmatch.
ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


@dataclass(frozen=True)
class Description:
    """What a document says it is: the catalog's descriptive fields, which detection
    proposes (indexer.documents.metadata) and the API shows (indexer.search.responses)."""

    title: str
    short_title: str
    city: str
    kind: str
    period: str
    year: int


@dataclass(frozen=True)
class DocumentInfo(Description):
    """Catalog metadata of one document: where its text is, and its description."""

    id: str
    file: str


DESCRIBED = tuple(f.name for f in fields(Description))
REQUIRED_FIELDS = ("id", "file", *DESCRIBED)


@dataclass(frozen=True)
class Document:
    """A catalog entry with its source's text (decoded, or extracted from a PDF, Word or HTML file).

    ``encoding`` says how the text was made: a text file's encoding, or the extractor and its
    version; ``page_starts`` the offset in ``text`` where each page starts (empty: no pages)."""

    info: DocumentInfo
    text: str
    encoding: str = "utf-8"
    page_starts: tuple[int, ...] = ()

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


class Catalog:
    """The documents listed in ``corpus/catalog.yaml``, validated against the folder."""

    def __init__(self, corpus_dir: Path, entries: list[DocumentInfo], limits: Limits = DEFAULT_LIMITS) -> None:
        self.corpus_dir = corpus_dir
        self.limits = limits
        self._entries = {e.id: e for e in entries}

    @classmethod
    def load(cls, corpus_dir: Path, limits: Limits = DEFAULT_LIMITS) -> Catalog:
        corpus_dir = Path(corpus_dir)
        path = corpus_dir / CATALOG_FILE
        if not path.is_file():
            raise CatalogError(f"no catalog at {path}")
        entries = read_entries(path)
        _check_files_match(corpus_dir, entries)
        return cls(corpus_dir, entries, limits)

    @property
    def ids(self) -> list[str]:
        return sorted(self._entries)

    def __iter__(self):
        return iter(self._entries[i] for i in self.ids)

    def __len__(self) -> int:
        return len(self._entries)

    def info(self, doc_id: str) -> DocumentInfo:
        try:
            return self._entries[doc_id]
        except KeyError:
            raise UnknownDocumentError(f"unknown document {doc_id!r}; known: {', '.join(self.ids)}",
                                       doc_id) from None

    def read(self, doc_id: str) -> Document:
        info = self.info(doc_id)
        _, got = extract.read(self.corpus_dir / info.file, self.limits)
        return Document(info, got.text, got.extractor, got.page_starts)

    def documents(self) -> list[Document]:
        return [self.read(i) for i in self.ids]

    def with_entries(self, added: list[DocumentInfo], removed: tuple[str, ...] = ()) -> Catalog:
        """A new catalog (not yet saved) with ``added`` in place of same-id entries and ``removed`` gone."""
        entries = {k: v for k, v in self._entries.items() if k not in removed}
        entries.update({e.id: e for e in added})
        return Catalog(self.corpus_dir, list(entries.values()), self.limits)

    def text(self) -> str:
        """catalog.yaml as ``save`` writes it: entries that did not change keep their lines as
        written (indexer.documents.catalog_text)."""
        path = self.corpus_dir / CATALOG_FILE
        entries = [{k: getattr(e, k) for k in REQUIRED_FIELDS} for e in self]
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        text = catalog_text.edit(old, entries) if old else None
        if text is None:
            text = CATALOG_HEADER + yaml.safe_dump({"documents": entries}, allow_unicode=True, sort_keys=False)
        return text

    def save(self) -> None:
        """Write catalog.yaml with one rename, so a reader sees the old catalog or the new one."""
        path = self.corpus_dir / CATALOG_FILE
        tmp = path.with_name(f".{CATALOG_FILE}.{os.getpid()}.tmp")
        tmp.write_text(self.text(), encoding="utf-8")
        os.replace(tmp, path)


CATALOG_HEADER = """\
# One entry per source text in this folder. `id` is the file stem; `title` is the
# full official title as printed in the document. Offsets in the index point into
# the files exactly as they are here: never edit a text to suit the parser.
# `plansearch add` and `plansearch remove` keep this file and the folder in step.
"""


def read_entries(path: Path) -> list[DocumentInfo]:
    """The validated entries of a catalog YAML (``documents:`` list of the REQUIRED_FIELDS)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path} is not valid YAML: {exc}") from exc
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read: {exc.strerror}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("documents"), list):
        raise CatalogError(f"{path} must hold a 'documents' list")
    entries = [_entry(path, i, item) for i, item in enumerate(raw["documents"])]
    ids = [e.id for e in entries]
    if len(set(ids)) != len(ids):
        raise CatalogError(f"{path} lists a document id twice")
    return entries


def _entry(path: Path, i: int, item: object) -> DocumentInfo:
    if not isinstance(item, dict):
        raise CatalogError(f"{path}: entry {i} is not a mapping")
    missing = [f for f in REQUIRED_FIELDS if f not in item]
    if missing:
        raise CatalogError(f"{path}: entry {i} lacks {', '.join(missing)}")
    if not ID_RE.fullmatch(str(item["id"])):
        raise CatalogError(f"{path}: entry {i}: id {str(item['id'])!r} must be lower-case letters, digits, "
                           "'.', '-' or '_'")
    if str(item["file"]) != str(item["id"]) + Path(str(item["file"])).suffix \
            or Path(str(item["file"])).suffix.lower() not in CORPUS_SUFFIXES:
        raise CatalogError(f"{path}: entry {item['id']!r}: file {str(item['file'])!r} must be a file in the corpus "
                           f"folder named by the id ({item['id']} + {', '.join(CORPUS_SUFFIXES)})")
    if Path(str(item["file"])).stem != str(item["id"]):
        raise CatalogError(f"{path}: entry {item['id']!r}: id must be the file stem of {item['file']!r}")
    try:
        year = int(item["year"])
    except (TypeError, ValueError):
        raise CatalogError(f"{path}: entry {item['id']!r}: year must be a number") from None
    return DocumentInfo(
        id=str(item["id"]),
        file=str(item["file"]),
        title=str(item["title"]),
        short_title=str(item["short_title"]),
        city=str(item["city"]),
        kind=str(item["kind"]),
        period=str(item["period"]),
        year=year,
    )


def _check_files_match(corpus_dir: Path, entries: list[DocumentInfo]) -> None:
    listed = {e.file for e in entries}
    present = {p.name for p in corpus_dir.iterdir() if p.suffix.lower() in CORPUS_SUFFIXES and p.is_file()
               and not p.name.startswith(".")}
    unlisted = sorted(present - listed)
    if unlisted:
        raise CatalogError(f"{', '.join(unlisted)}: in {corpus_dir} but not in {CATALOG_FILE}")
    missing = sorted(listed - present)
    if missing:
        raise CatalogError(f"{', '.join(missing)}: listed in {CATALOG_FILE} but not in {corpus_dir}")


def corpus_hash(documents: list[Document]) -> str:
    """One hash over every document's id and text: changes when any text changes."""
    h = hashlib.sha256()
    for doc in sorted(documents, key=lambda d: d.id):
        h.update(doc.id.encode())
        h.update(b"\0")
        h.update(doc.sha256.encode())
    return h.hexdigest()
