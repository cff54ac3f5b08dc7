"""Writing a build into Milvus and settling it afterwards: a fresh collection for ``index``,
the serving collection with new document versions for ``add`` and ``remove``; after the
switch the alias moves and versions no build uses are deleted; a build that is discarded
takes back exactly what it wrote.

The manifest's ``milvus`` section is the record each step reads: the collection, the
version of every document the build serves, the versions it wrote, and whether it created
the collection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np

from indexer.analysis.fields import field_terms, field_values
from indexer.analysis.text import Lexicon, squash
from indexer.backends.milvus.engine import TOKENIZERS, MilvusIndex, collection_name, document_version, row_key
from indexer.config import Config
from indexer.documents.corpus import Document
from indexer.errors import IndexMissingError, SearchEngineError
from indexer.parse.model import Passage

# Bumped when a row's fields change: an add then writes a fresh collection, not into an old one.
ROW_FORMAT = 1
# Rows per insert call: large enough to amortise a call, small enough for a gRPC message.
INSERT_BATCH = 512
def milvus_rows(passages: list[Passage], vectors: np.ndarray, docs: dict[str, Document],
                versions: dict[str, str], document_words: dict[str, str], lexicon: Lexicon,
                wanted: set[str]) -> Iterator[dict]:
    """The rows of the documents in ``wanted``: what the engine filters on, and each BM25
    field as the terms the local index holds for it (indexer.analysis.fields), space-separated."""
    for p, vector in zip(passages, vectors, strict=True):
        if p.doc_id not in wanted:
            continue
        info = docs[p.doc_id].info
        yield {
            "key": row_key(p.passage_id, versions[p.doc_id]), "pid": p.passage_id, "doc": p.doc_id,
            "version": versions[p.doc_id], "city": info.city, "kind": info.kind, "period": info.period,
            "part": p.kind, "year": int(info.year or 0), "squashed": squash(p.search_text),
            **field_text(p, document_words[p.doc_id], lexicon),
            "vector": vector.astype(np.float32).tolist(),
        }


def field_text(p: Passage, document_words: str, lexicon: Lexicon) -> dict[str, str]:
    """Each BM25 field of a passage as its analysed terms, space-separated, for the engine's
    whitespace tokenizer."""
    return {f: " ".join(field_terms(f, v, lexicon)) for f, v in field_values(p, document_words).items()}


def batched(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def check_reachable(cfg: Config) -> None:
    """Fail before parsing and embedding when the engine cannot be opened (a milvus-lite file
    held by a running serve, a cluster down)."""
    MilvusIndex(cfg.milvus).close()


def write_build(cfg: Config, build_id: str, docs: list[Document], passages: list[Passage], vectors: np.ndarray,
                document_words: dict[str, str], lexicon: Lexicon, serving: dict | None,
                log: Callable[[str], None]) -> dict:
    """Write what the build needs and return its manifest section. ``serving``: the serving
    build's section, whose collection is reused (``add``/``remove``); None makes a new one.
    On failure whatever was written is taken back before the error goes on."""
    embedding = {**cfg.embedding.identity(), "dim": int(vectors.shape[1]) if vectors.size else 0}
    versions = {d.id: document_version(d, embedding) for d in docs}
    reuse = serving is not None and serving.get("dim") == embedding["dim"] and serving.get("format") == ROW_FORMAT
    name = serving["collection"] if reuse else collection_name(cfg.milvus.alias, build_id)
    section = {"collection": name, "created": not reuse, "dim": embedding["dim"], "format": ROW_FORMAT,
               "tokenizer": serving.get("tokenizer") if reuse else None, "versions": versions, "written": {}}
    engine = MilvusIndex(cfg.milvus)
    try:
        if reuse:
            if not engine.exists(name):
                raise IndexMissingError(f"the serving build's Milvus collection {name} is gone")
            engine.load(name)
            have = serving.get("versions", {})
            wanted = {d for d, v in versions.items() if have.get(d) != v and not engine.has_version(name, d, v)}
        else:
            section["tokenizer"] = engine.create(name, embedding["dim"])
            if section["tokenizer"] != TOKENIZERS[0]:
                log(f"Milvus refused the {TOKENIZERS[0]} tokenizer; using {section['tokenizer']}, which in "
                    "milvus-lite splits our terms the same way (a Milvus cluster older than 2.6 would "
                    "split Chinese per character: upgrade it)")
            wanted = set(versions)
        section["written"] = {d: versions[d] for d in sorted(wanted)}
        log(f"writing {len(wanted)} of {len(docs)} documents to Milvus collection {name} at {cfg.milvus.uri}")
        by_id = {d.id: d for d in docs}
        rows = milvus_rows(passages, vectors, by_id, versions, document_words, lexicon, wanted)
        for batch in batched(rows, INSERT_BATCH):
            engine.insert(name, batch)
        engine.flush(name)
    except BaseException:
        try:
            take_back(engine, section, serving)
        except SearchEngineError as exc:  # the build's own error is the one to report
            log(f"could not take back what this build wrote to {name} ({exc}); those rows are "
                "invisible to every build and go when the collection is next rebuilt")
        engine.close()
        raise
    engine.close()
    return section


def take_back(engine: MilvusIndex, section: dict, serving: dict | None) -> None:
    """Undo a build's writes: drop a collection it created, or delete the versions it wrote
    that the serving build does not use."""
    if section["created"]:
        if engine.exists(section["collection"]):
            engine.drop(section["collection"])
        return
    kept = (serving or {}).get("versions", {})
    if section["written"]:
        engine.load(section["collection"])
    for doc, version in section["written"].items():
        if kept.get(doc) != version:
            engine.delete_version(section["collection"], doc, version)


def discard_build(cfg: Config, section: dict, serving: dict | None) -> None:
    """A build that was never switched in takes back its writes."""
    engine = MilvusIndex(cfg.milvus)
    try:
        take_back(engine, section, serving)
    finally:
        engine.close()


def settle(cfg: Config, section: dict, kept: list[dict], dropped: list[dict]) -> None:
    """After the switch: the alias names the new build's collection; of the builds dropped
    from disk, the collections no kept build uses go, and so do the versions no kept build
    uses in the collections that stay. Collections of this alias that no kept build names
    (left by a killed build) go too: the caller holds the build lock."""
    engine = MilvusIndex(cfg.milvus)
    try:
        engine.switch_alias(section["collection"])
        live = [section, *kept]
        live_names = {s["collection"] for s in live}
        in_use = {(s["collection"], d, v) for s in live for d, v in s["versions"].items()}
        for old in dropped:
            name = old["collection"]
            if name not in live_names:
                if engine.exists(name):
                    engine.drop(name)
                continue
            engine.load(name)
            for doc, version in old["versions"].items():
                if (name, doc, version) not in in_use:
                    engine.delete_version(name, doc, version)
        for name in engine.collections(prefix=collection_name(cfg.milvus.alias, "")):
            if name not in live_names:
                engine.drop(name)
    finally:
        engine.close()
