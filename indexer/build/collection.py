"""Adding and removing documents: the corpus folder, the catalog and the index
change together, or not at all.

A new build is made first, from the documents as they will be (only passages
not yet in the embedding cache are embedded). Only when it is complete are the
original bytes written into the corpus folder and the catalog replaced, both
by rename; ``current`` moves last. Any failure on the way puts the folder and
the catalog back byte for byte and discards the build.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from indexer import extract
from indexer.build.lock import BuildLock
from indexer.build.pipeline import BuildReport, build, discard, switch_to
from indexer.config import Config
from indexer.documents.corpus import CATALOG_FILE, DESCRIBED, ID_RE, Catalog, Document, DocumentInfo
from indexer.documents.metadata import Detected, detect_document
from indexer.embed.embedders import Embedder
from indexer.errors import CatalogError, CorpusError, DuplicateDocumentError
from indexer.extract.formats import SUFFIX, Limits
from indexer.parse.model import ParsedDocument
from indexer.parse.parser import parse


@dataclass(frozen=True)
class NewDocument:
    """A file to add, with the catalog fields the user gave (the rest are detected)."""

    source: Path
    given: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Prepared:
    document: Document
    data: bytes
    parsed: ParsedDocument
    detected: Detected
    source: Path
    given: frozenset[str] = frozenset()
    format: str = "text"

    @property
    def info(self) -> DocumentInfo:
        return self.document.info


@dataclass(frozen=True)
class Change:
    """What an add or a remove did."""

    added: list[Prepared]
    removed: list[str]
    report: BuildReport


def parse_file(path: Path, limits: Limits, doc_id: str | None = None) -> Prepared:
    """Read (decode or extract) and parse a file that is not in the catalog, and detect its metadata.
    The corpus keeps the original bytes, under the suffix of the format its content shows."""
    data, got = extract.read(path, limits)
    doc_id = doc_id or default_id(path, data)
    stem = printable(path.stem)
    suffix = path.suffix.lower() if got.format == "doc" and path.suffix.lower() == ".wps" else SUFFIX[got.format]
    info = DocumentInfo(id=doc_id, file=f"{doc_id}{suffix}", title=stem, short_title=stem,
                        city="", kind="", period="", year=0)
    document = Document(info, got.text, got.extractor, got.page_starts)
    parsed = parse(document)
    detected = detect_document(parsed, fallback_title=stem)
    return Prepared(document, data, parsed, detected, path, format=got.format)


def printable(name: str) -> str:
    """A file name as a title: without control and format characters (a U+202E right-to-left
    override makes "evil<U+202E>txt.exe" show as "evilexe.txt"; a NUL or newline breaks lines)."""
    return "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf")).strip() or "untitled"


def default_id(path: Path, data: bytes) -> str:
    """The file stem when it is a usable id (lower-case ASCII), else one made from the content."""
    stem = path.stem.lower()
    return stem if ID_RE.fullmatch(stem) else "doc-" + hashlib.sha256(data).hexdigest()[:10]


def prepare(new: NewDocument, limits: Limits) -> Prepared:
    given = {k: v for k, v in new.given.items() if v not in (None, "")}
    doc_id = str(given.pop("id", "") or "") or None
    if doc_id is not None and not ID_RE.fullmatch(doc_id):
        raise CatalogError(f"{new.source.name}: id {doc_id!r} must be lower-case letters, digits, '.', '-' or '_'")
    unknown = set(given) - set(DESCRIBED) - {"file"}
    if unknown:
        raise CatalogError(f"{new.source.name}: unknown field(s) {', '.join(sorted(unknown))}")
    p = parse_file(new.source, limits, doc_id)
    if not p.parsed.passages:
        raise CorpusError(f"{new.source.name}: no text left once page furniture is set aside; nothing to index")
    values = {**p.detected.to_json(), **{k: v for k, v in given.items() if k in DESCRIBED}}
    try:
        values["year"] = int(values["year"])
    except (TypeError, ValueError):
        raise CatalogError(f"{new.source.name}: year must be a number, not {values['year']!r}") from None
    info = DocumentInfo(id=p.info.id, file=p.info.file, **{k: values[k] for k in DESCRIBED})
    return Prepared(Document(info, p.document.text, p.document.encoding, p.document.page_starts), p.data,
                    p.parsed, p.detected, p.source, frozenset(k for k in given if k in DESCRIBED), p.format)


def read_batch(path: Path) -> list[NewDocument]:
    """The entries of a catalog YAML to add: each needs ``file`` (relative to the YAML);
    any catalog field it gives overrides detection."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{path}: file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path} is not valid YAML: {exc}") from exc
    items = raw.get("documents") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise CatalogError(f"{path} must hold a non-empty 'documents' list")
    batch = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("file"):
            raise CatalogError(f"{path}: entry {i} has no 'file'")
        source = _inside(path, i, item["file"])
        if not source.is_file():
            raise CorpusError(f"{path.name}: entry {i}: {item['file']} not found next to the catalog")
        batch.append(NewDocument(source, {k: v for k, v in item.items() if k != "file"}))
    return batch


def _inside(catalog: Path, i: int, file: object) -> Path:
    """Entry ``i``'s file, which must lie in the catalog's folder or below it: an absolute path,
    a '..' or a link that leads out is refused (a catalog must not read the rest of the disk)."""
    name = str(file)
    if "\0" in name or Path(name).is_absolute() or ".." in Path(name).parts:
        raise CatalogError(f"{catalog.name}: entry {i}: file {name!r} must be a path relative to the "
                           "catalog's folder, inside it")
    source = catalog.parent / name
    try:
        inside = source.resolve().is_relative_to(catalog.parent.resolve())
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        raise CatalogError(f"{catalog.name}: entry {i}: file {name!r} leads outside the catalog's folder")
    return source


def add_documents(cfg: Config, batch: list[NewDocument], replace: bool = False,
                  embedder: Embedder | None = None, log: Callable[[str], None] | None = None,
                  progress: bool = True) -> Change:
    prepared = [prepare(n, cfg.limits) for n in batch]
    with BuildLock(cfg.index_dir, cfg.cache_dir):
        catalog = Catalog.load(cfg.corpus_dir, cfg.limits)
        _check_new(catalog, prepared, replace)
        new_ids = {p.info.id for p in prepared}
        kept = [catalog.read(i) for i in catalog.ids if i not in new_ids]
        after = catalog.with_entries([p.info for p in prepared])
        written = {p.info.file: p.data for p in prepared}
        report = _build(cfg, kept + [p.document for p in prepared], embedder, log, progress,
                        {**written, CATALOG_FILE: after.text().encode("utf-8")})
        # A replaced document whose new source is of another format leaves its old file.
        stale = [catalog.info(p.info.id).file for p in prepared
                 if p.info.id in catalog.ids and catalog.info(p.info.id).file != p.info.file]
        _commit(cfg, after, report, write=written, delete=stale)
    return Change(prepared, [], report)


def remove_document(cfg: Config, doc_id: str, embedder: Embedder | None = None,
                    log: Callable[[str], None] | None = None, progress: bool = True) -> Change:
    with BuildLock(cfg.index_dir, cfg.cache_dir):
        catalog = Catalog.load(cfg.corpus_dir, cfg.limits)
        info = catalog.info(doc_id)
        if len(catalog) == 1:
            raise CatalogError(f"{doc_id} is the only document; an index needs at least one")
        after = catalog.with_entries([], removed=(doc_id,))
        report = _build(cfg, [catalog.read(i) for i in after.ids], embedder, log, progress,
                        {CATALOG_FILE: after.text().encode("utf-8")})
        _commit(cfg, after, report, write={}, delete=[info.file])
    return Change([], [doc_id], report)


def _check_new(catalog: Catalog, prepared: list[Prepared], replace: bool) -> None:
    seen: dict[str, str] = {}
    texts = {hashlib.sha256(catalog.read(i).text.encode()).hexdigest(): i for i in catalog.ids}
    for p in prepared:
        doc_id, name = p.info.id, p.source.name
        if doc_id in seen:
            raise DuplicateDocumentError(f"{name}: id {doc_id} is given twice (also by {seen[doc_id]})")
        seen[doc_id] = name
        if doc_id in catalog.ids and not replace:
            raise DuplicateDocumentError(f"{name}: document {doc_id} already exists; add --replace to replace it")
        digest = hashlib.sha256(p.document.text.encode()).hexdigest()
        same = texts.get(digest)
        if same is not None and same != doc_id:
            raise DuplicateDocumentError(f"{name}: the same text is already in the corpus as {same}")
        texts[digest] = doc_id


def _build(cfg: Config, docs: list[Document], embedder: Embedder | None,
           log: Callable[[str], None] | None, progress: bool, written: dict[str, bytes]) -> BuildReport:
    kwargs = {"log": log} if log is not None else {}
    return build(cfg, docs, embedder, progress=progress, incremental=True, written=written, **kwargs)


def _commit(cfg: Config, after: Catalog, report: BuildReport, write: dict[str, bytes], delete: list[str]) -> None:
    """Files, then the catalog, then ``current``; on any failure, everything as it was."""
    corpus = cfg.corpus_dir
    catalog_path = corpus / CATALOG_FILE
    old_catalog = catalog_path.read_bytes()
    backups: dict[Path, Path | None] = {}
    try:
        for name in [*write, *delete]:
            final = corpus / name
            backup = corpus / f".{name}.old"
            if final.exists():
                os.replace(final, backup)
                backups[final] = backup
            else:
                backups[final] = None
        for name, data in write.items():
            tmp = corpus / f".{name}.new"
            tmp.write_bytes(data)
            os.replace(tmp, corpus / name)
        after.save()
        switch_to(cfg, report.path)
    except BaseException:
        for final, backup in backups.items():
            if backup is not None:
                os.replace(backup, final)
            else:
                final.unlink(missing_ok=True)
        tmp_catalog = corpus / f".{CATALOG_FILE}.restore"
        tmp_catalog.write_bytes(old_catalog)
        os.replace(tmp_catalog, catalog_path)
        discard(cfg, report.path)
        raise
    for backup in backups.values():
        if backup is not None:
            backup.unlink(missing_ok=True)
