"""The local backend: a build's search indexes are files in its own folder, so writing
them is all there is; switching, pruning and discarding are the build store's folder moves."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from indexer.analysis.text import Lexicon, squash
from indexer.backends.base import BuildContents
from indexer.backends.local.dense import DenseIndex
from indexer.backends.local.indexes import LocalIndexes
from indexer.backends.local.lexical import LexicalIndex
from indexer.backends.local.substrings import DIR as SUBSTRINGS_DIR
from indexer.backends.local.substrings import SubstringIndex, build_postings, save_postings
from indexer.config import Config
from indexer.embed.embedders import Embedder
from indexer.search.passages import PassageStore

LEXICAL_DIR = "bm25"


class LocalBackend:
    name = "local"

    def __init__(self, cfg: Config) -> None:
        self.boosts = dict(cfg.search.boosts)

    def check(self) -> None:
        return None

    def write(self, folder: Path, build: BuildContents, serving: dict | None,
              log: Callable[[str], None]) -> dict | None:
        log("building BM25 index (whoosh + jieba, then its impact matrix)…")
        LexicalIndex.build(folder / LEXICAL_DIR, build.passages, build.lexicon, build.document_words)
        save_postings(folder / SUBSTRINGS_DIR, build_postings([squash(p.search_text) for p in build.passages]))
        DenseIndex.save(folder, build.vectors)
        return None

    def open(self, folder: Path, manifest: dict, store: PassageStore, embedder: Embedder,
             lexicon: Lexicon) -> LocalIndexes:
        rows = len(store)
        lexical = LexicalIndex(folder / LEXICAL_DIR, lexicon, self.boosts, rows)
        try:
            substrings = SubstringIndex(folder / SUBSTRINGS_DIR, rows, store.squashed)
            dense = DenseIndex.load(folder, rows, int(manifest["embedding"]["dim"]),
                                    graph=DenseIndex.has_graph(manifest["files"]))
        except BaseException:
            lexical.close()
            raise
        return LocalIndexes(store, lexical, substrings, dense, embedder)

    def settle(self, section: dict, kept: list[dict], dropped: list[dict]) -> None:
        return None

    def discard(self, section: dict, serving: dict | None) -> None:
        return None
