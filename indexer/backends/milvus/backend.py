"""The Milvus backend: a build's rows in a collection (indexer.backends.milvus.writer), a
sample of its vectors in the build folder for the semantic bar, and the retrievers of
indexer.backends.milvus.retrievers over the collection."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from indexer.analysis.text import Lexicon
from indexer.backends.base import BuildContents, sample_rows
from indexer.backends.milvus.engine import MilvusIndex
from indexer.backends.milvus.retrievers import MilvusIndexes
from indexer.backends.milvus.writer import check_reachable, discard_build, settle, write_build
from indexer.backends.npyfiles import all_finite, open_npy
from indexer.config import Config
from indexer.embed.embedders import Embedder
from indexer.errors import IndexCorruptError, IndexMissingError
from indexer.search.passages import PassageStore

# A Milvus build's sample of its vectors (indexer.backends.base.sample_rows).
SAMPLE_FILE = "vectors-sample.npy"


class MilvusBackend:
    name = "milvus"

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg

    def check(self) -> None:
        check_reachable(self.cfg)

    def write(self, folder: Path, build: BuildContents, serving: dict | None,
              log: Callable[[str], None]) -> dict | None:
        vectors = build.vectors
        np.save(folder / SAMPLE_FILE, vectors[sample_rows(len(vectors))].astype(np.float32), allow_pickle=False)
        return write_build(self.cfg, build.build_id, build.docs, build.passages, vectors, build.document_words,
                           build.lexicon, serving, log)

    def open(self, folder: Path, manifest: dict, store: PassageStore, embedder: Embedder,
             lexicon: Lexicon) -> MilvusIndexes:
        """The build's collection, checked to hold as many rows as the build serves or more."""
        cfg = self.cfg
        section = manifest.get(self.name)
        if not isinstance(section, dict) or not isinstance(section.get("versions"), dict):
            raise IndexCorruptError(f"index {folder.name} lacks its Milvus section")
        sample = open_npy(folder / SAMPLE_FILE)
        if sample.ndim != 2 or sample.shape[1] != embedder.dim or not all_finite(folder / SAMPLE_FILE, sample):
            raise IndexCorruptError(f"{folder / SAMPLE_FILE} holds {sample.shape} vectors; "
                                    f"expected width {embedder.dim}")
        engine = MilvusIndex(cfg.milvus)
        try:
            if not engine.exists(section["collection"]):
                raise IndexMissingError(f"Milvus at {cfg.milvus.uri} has no collection {section['collection']} "
                                        f"for index {folder.name}")
            engine.load(section["collection"])
            if engine.count(section["collection"]) < len(store):
                raise IndexCorruptError(f"Milvus collection {section['collection']} holds fewer rows than the "
                                        f"{len(store)} passages of index {folder.name}")
        except BaseException:
            engine.close()
            raise
        return MilvusIndexes(engine, section["collection"], store, section["versions"], np.asarray(sample),
                             embedder, lexicon, dict(cfg.search.boosts))

    def settle(self, section: dict, kept: list[dict], dropped: list[dict]) -> None:
        settle(self.cfg, section, kept, dropped)

    def discard(self, section: dict, serving: dict | None) -> None:
        discard_build(self.cfg, section, serving)
