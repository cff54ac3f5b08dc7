"""BM25F from a precomputed impact matrix (the bm25s method): the score of every
(field, term, passage) is computed once, at build time, from whoosh's own postings,
field lengths and formula, so a query is a sum of a few posting slices in numpy and
ranks as whoosh would, at a fraction of its cost.

Files (no pickles, memory-mapped when loaded): ``impacts/{data,rows,indptr}.npy`` and
``impacts/terms.json``, the vocabulary per field and the parameters it was built with.
"""

from __future__ import annotations

import json
import math
from array import array
from pathlib import Path

import numpy as np

from indexer.analysis.fields import TEXT_FIELDS as FIELDS
from indexer.backends.npyfiles import all_finite, open_npy, value_range
from indexer.backends.terms import K1, TOGETHER_BOOST, B, LexicalQuery
from indexer.errors import IndexCorruptError

DIR = "impacts"
FORMAT = 1


def bm25_impact(idf: float, tf: np.ndarray, length: np.ndarray, avg_length: float) -> np.ndarray:
    """whoosh.scoring.bm25, vectorised."""
    return idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length / avg_length))


def _posting_arrays(matcher) -> tuple[np.ndarray, np.ndarray]:
    """A term's doc numbers and term frequencies. Whoosh's leaf matcher is read a block
    at a time (one unpickle per block, not a method call per posting): this is most of
    the impact build at scale. Other matchers are walked posting by posting."""
    docs, tfs = array("i"), array("f")
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_read_weights"):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            docs.extend(matcher._ids[matcher._i:])
            tfs.extend(matcher._weights[matcher._i:])
            matcher._next_block()
    else:
        while matcher.is_active():
            docs.append(matcher.id())
            tfs.append(matcher.weight())
            matcher.next()
    return np.frombuffer(docs, dtype=np.int32), np.frombuffer(tfs, dtype=np.float32)


def build_impacts(whoosh_dir: Path, out_dir: Path, passage_ids: list[str]) -> None:
    """Read every posting of the whoosh index once and store its BM25 score."""
    from whoosh import index as whoosh_index

    row_of = {pid: i for i, pid in enumerate(passage_ids)}
    ix = whoosh_index.open_dir(str(whoosh_dir))
    try:
        with ix.reader() as reader:
            n = reader.doc_count_all()
            rows_of_doc = np.array([row_of[fields["pid"]] for fields in reader.all_stored_fields()],
                                   dtype=np.int32)
            leaves = reader.leaf_readers()
            vocab: dict[str, list[str]] = {f: [] for f in FIELDS}
            data, rows, indptr = [], [], [0]
            for field in FIELDS:
                avg = (reader.field_length(field) / (n or 1)) or 1.0
                lengths = np.array([reader.doc_field_length(d, field) for d in range(n)], dtype=np.float64)
                for term in reader.lexicon(field):
                    held = [(leaf, offset) for leaf, offset in leaves if (field, term) in leaf]
                    parts = [_posting_arrays(leaf.postings(field, term)) for leaf, _ in held]
                    d = np.concatenate([ids + offset for (ids, _), (_, offset) in zip(parts, held, strict=True)])
                    tf = np.concatenate([p[1] for p in parts])
                    idf = math.log(n / (reader.doc_frequency(field, term) + 1)) + 1
                    data.append(bm25_impact(idf, tf, lengths[d], avg).astype(np.float32))
                    rows.append(rows_of_doc[d])
                    indptr.append(indptr[-1] + len(d))
                    vocab[field].append(term.decode("utf-8"))
    finally:
        ix.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    np.save(out_dir / "data.npy", np.concatenate(data) if data else np.zeros(0, np.float32), allow_pickle=False)
    np.save(out_dir / "rows.npy", np.concatenate(rows) if rows else np.zeros(0, np.int32), allow_pickle=False)
    np.save(out_dir / "indptr.npy", np.array(indptr, dtype=np.int64), allow_pickle=False)
    meta = {"format": FORMAT, "k1": K1, "b": B, "rows": len(passage_ids), "fields": vocab}
    (out_dir / "terms.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


class ImpactIndex:
    """Scores every passage for a LexicalQuery; 0 where nothing matches."""

    def __init__(self, directory: Path, rows: int) -> None:
        try:
            meta = json.loads((directory / "terms.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"BM25 impacts in {directory} cannot be read: {exc}") from exc
        self._data, self._rows, self._indptr = (open_npy(directory / f"{name}.npy")
                                                for name in ("data", "rows", "indptr"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("rows") != rows:
            raise IndexCorruptError(f"BM25 impacts in {directory} are not format {FORMAT} for {rows} passages")
        self._index: dict[str, dict[str, int]] = {}
        i = 0
        for field in FIELDS:
            terms = meta["fields"].get(field, [])
            self._index[field] = {t: i + j for j, t in enumerate(terms)}
            i += len(terms)
        if len(self._indptr) != i + 1 or not int(self._indptr[-1]) == len(self._data) == len(self._rows):
            raise IndexCorruptError(f"BM25 impacts in {directory} do not add up: {i} terms, "
                                    f"{len(self._data)} scores, {len(self._rows)} rows")
        span = value_range(directory / "rows.npy", self._rows)
        if span and (span[1] >= rows or span[0] < 0):
            raise IndexCorruptError(f"BM25 impacts in {directory} point past the {rows} passages")
        if not all_finite(directory / "data.npy", self._data):
            raise IndexCorruptError(f"BM25 impacts in {directory} hold NaN or infinity")
        self.size = rows

    def _slice(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        i = self._index[field].get(term)
        if i is None:
            return None
        a, b = int(self._indptr[i]), int(self._indptr[i + 1])
        return np.asarray(self._rows[a:b]), np.asarray(self._data[a:b])

    def document_frequency(self, field: str, term: str) -> int:
        i = self._index[field].get(term)
        return 0 if i is None else int(self._indptr[i + 1] - self._indptr[i])

    def scores(self, query: LexicalQuery) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float32)
        for field, term, weight in query.terms:
            hit = self._slice(field, term)
            if hit is not None:
                out[hit[0]] += weight * hit[1]
        if len(query.together) > 1:
            held = np.zeros(self.size, dtype=np.int16)
            summed = np.zeros(self.size, dtype=np.float32)
            for word in query.together:
                hit = self._slice("words", word)
                if hit is None:
                    return out
                held[hit[0]] += 1
                summed[hit[0]] += hit[1]
            full = held == len(query.together)
            out[full] += TOGETHER_BOOST * summed[full]
        return out
