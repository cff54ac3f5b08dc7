"""The lexical index: whoosh, the index of record (the fields of indexer.analysis.fields),
BM25 scored from its impact matrix (indexer.backends.local.bm25), phrases answered by whoosh."""

from __future__ import annotations

import threading
import weakref
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.fields import ID, NUMERIC, TEXT, Schema

from indexer.analysis.fields import FIELDS, field_values
from indexer.analysis.text import Lexicon
from indexer.backends.local.bm25 import DIR as IMPACTS_DIR
from indexer.backends.local.bm25 import ImpactIndex, build_impacts
from indexer.backends.local.tokenizers import tokenizer
from indexer.backends.terms import LexicalQuery, lexical_query, searchable_grams
from indexer.embed.threads import cores
from indexer.errors import IndexCorruptError
from indexer.parse.model import Passage
from indexer.query.syntax import ParsedQuery

WHOOSH_DIR = "whoosh"
ROWS_FILE = "whoosh-rows.npy"
# Below this many passages, starting writer processes costs more than it saves.
PARALLEL_MIN_PASSAGES = 20_000


def make_schema(lexicon: Lexicon) -> Schema:
    """The whoosh schema: the stored ids, then one TEXT field per row of the field table."""
    text = {f.name: TEXT(analyzer=tokenizer(f, lexicon), phrase=f.phrase) for f in FIELDS}
    return Schema(pid=ID(stored=True, unique=True), seq=NUMERIC(stored=True), doc_id=ID(stored=True),
                  ptype=ID(stored=True), **text)


class LexicalIndex:
    """Ranks passages by BM25F from the impact matrix; finds phrases with whoosh.

    One whoosh searcher, opened at load (so a build folder pruned later cannot break it)
    and used under a lock: it only answers quoted phrases, which are rare and quick.
    """

    def __init__(self, path: Path, lexicon: Lexicon, boosts: dict[str, float], rows: int) -> None:
        self.path = path
        self.lexicon = lexicon
        self.boosts = boosts
        try:
            self._ix = whoosh_index.open_dir(str(path / WHOOSH_DIR))
            self._searcher = self._ix.searcher()
        except Exception as exc:  # whoosh raises many types on a damaged index
            raise IndexCorruptError(f"BM25 index at {path} cannot be opened: {exc}") from exc
        # The segment files stay open (a pruned build keeps answering); they are closed by
        # close(), or when the index is dropped without it.
        self._close = weakref.finalize(self, _close_whoosh, self._searcher, self._ix)
        if self._searcher.doc_count_all() != rows:
            raise IndexCorruptError(f"BM25 index in {path} holds {self._searcher.doc_count_all()} passages, "
                                    f"expected {rows}")
        self._lock = threading.Lock()
        self.impacts = ImpactIndex(path / IMPACTS_DIR, rows)
        try:
            self._row_of_doc = np.load(path / ROWS_FILE, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            raise IndexCorruptError(f"{path / ROWS_FILE} cannot be read: {exc}") from exc
        if self._row_of_doc.shape != (rows,):
            raise IndexCorruptError(f"{path / ROWS_FILE} does not map {rows} passages")

    @staticmethod
    def build(path: Path, passages: list[Passage], lexicon: Lexicon, documents: dict[str, str]) -> None:
        """``documents``: doc id → the words that name it (place, title, period, year), searchable
        on every passage, since a passage of a provincial report rarely names its province."""
        whoosh_dir = path / WHOOSH_DIR
        whoosh_dir.mkdir(parents=True, exist_ok=True)
        ix = whoosh_index.create_in(str(whoosh_dir), make_schema(lexicon))
        procs = cores() if len(passages) >= PARALLEL_MIN_PASSAGES else 1
        # Plain files, not whoosh's compound segment, which a reader copies into memory whole;
        # multisegment: each process's segment is kept, not merged again in one process.
        options = {"limitmb": 256, "compound": False}
        writer = (ix.writer(procs=procs, multisegment=True, subargs=options, **options) if procs > 1
                  else ix.writer(**options))
        for p in passages:
            writer.add_document(pid=p.passage_id, seq=p.seq, doc_id=p.doc_id, ptype=p.kind,
                                **field_values(p, documents.get(p.doc_id, "")))
        writer.commit()
        ix.close()
        ids = [p.passage_id for p in passages]
        build_impacts(whoosh_dir, path / IMPACTS_DIR, ids)
        row_of = {pid: i for i, pid in enumerate(ids)}
        ix = whoosh_index.open_dir(str(whoosh_dir))
        with ix.reader() as reader:
            rows = np.array([row_of[f["pid"]] for f in reader.all_stored_fields()], dtype=np.int32)
        ix.close()
        np.save(path / ROWS_FILE, rows, allow_pickle=False)

    def close(self) -> None:
        self._close()

    def query(self, pq: ParsedQuery) -> LexicalQuery:
        return lexical_query(pq, self.lexicon, self.boosts)

    def scores(self, pq: ParsedQuery) -> np.ndarray:
        """BM25F of every passage (row order); 0 where the query matches nothing."""
        return self.impacts.scores(self.query(pq))

    def phrase_rows(self, phrases: tuple[str, ...]) -> np.ndarray:
        """A boolean mask of the passages whose text holds every phrase (whoosh phrase queries)."""
        query = Q.And([_phrase("grams", p) for p in phrases])
        with self._lock:
            docnums = list(self._searcher.docs_for_query(query))
        mask = np.zeros(len(self._row_of_doc), dtype=bool)
        mask[self._row_of_doc[np.array(docnums, dtype=np.int64)]] = True
        return mask


def _close_whoosh(searcher, ix) -> None:
    searcher.close()
    ix.close()


def _phrase(fieldname: str, phrase: str) -> Q.Query:
    grams = searchable_grams(phrase)
    if len(grams) == 1:
        return Q.Term(fieldname, grams[0])
    return Q.Phrase(fieldname, grams)
