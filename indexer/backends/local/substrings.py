"""Which passages contain a string: postings of character unigrams and bigrams over the
squashed passage texts, intersected, then verified on the few passages left.

The exact-match tier, exclusions and "every place a name occurs" all ask this question;
answered from postings, its cost grows with the matches, not with the corpus.
Arrays are saved as .npy (no pickles) and memory-mapped when loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from indexer.backends.npyfiles import open_npy, value_range
from indexer.errors import IndexCorruptError

DIR = "substrings"
FILES = ("keys", "indptr", "rows")
CODE_BITS = 21  # every Unicode code point fits in 21 bits
SEPARATOR = 0


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def build_postings(texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Postings for squashed texts (row i is texts[i]): sorted keys, CSR offsets and rows."""
    if not texts:
        empty = np.zeros(0, np.int64)
        return {"keys": empty, "indptr": np.zeros(1, np.int64), "rows": np.zeros(0, np.int32)}
    clean = [t.replace("\x00", " ") for t in texts]
    lengths = np.fromiter((len(t) + 1 for t in clean), dtype=np.int64, count=len(clean))
    codes = _codes("\x00".join(clean) + "\x00")
    owner = np.repeat(np.arange(len(clean), dtype=np.int64), lengths)
    is_char = codes != SEPARATOR
    pair = is_char[:-1] & is_char[1:]
    keys = np.concatenate([codes[is_char], ((codes[:-1] << CODE_BITS) | codes[1:])[pair]])
    rows = np.concatenate([owner[is_char], owner[:-1][pair]])
    order = np.lexsort((rows, keys))
    keys, rows = keys[order], rows[order]
    fresh = np.ones(len(keys), dtype=bool)
    fresh[1:] = (keys[1:] != keys[:-1]) | (rows[1:] != rows[:-1])
    keys, rows = keys[fresh], rows[fresh]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return {"keys": keys[starts], "indptr": np.r_[starts, len(keys)].astype(np.int64),
            "rows": rows.astype(np.int32)}


def save_postings(directory: Path, arrays: dict[str, np.ndarray]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        np.save(directory / f"{name}.npy", arrays[name], allow_pickle=False)


class SubstringIndex:
    """Rows whose squashed text contains a squashed string.

    ``text_of(row)`` gives a row's squashed text, for verifying the candidates that hold
    every bigram of a string of three or more characters (a unigram or bigram needs no check).
    """

    def __init__(self, directory: Path, rows: int, text_of: Callable[[int], str]) -> None:
        self._keys, self._indptr, self._rows = (open_npy(directory / f"{name}.npy") for name in FILES)
        span = value_range(directory / "rows.npy", self._rows)
        if (self._keys.ndim != 1 or len(self._indptr) != len(self._keys) + 1
                or int(self._indptr[-1]) != len(self._rows) or (span and (span[1] >= rows or span[0] < 0))):
            raise IndexCorruptError(f"substring postings in {directory} do not fit the {rows} passages")
        self._text_of = text_of

    def _postings(self, key: int) -> np.ndarray:
        i = int(np.searchsorted(self._keys, key))
        if i == len(self._keys) or int(self._keys[i]) != key:
            return np.zeros(0, np.int32)
        return np.asarray(self._rows[self._indptr[i]:self._indptr[i + 1]])

    def candidates(self, needle: str) -> np.ndarray:
        """Rows holding every unigram and bigram of ``needle``: a superset of the matches."""
        if not needle:
            return np.zeros(0, np.int32)
        codes = _codes(needle)
        keys = np.unique((codes[:-1] << CODE_BITS) | codes[1:]) if len(codes) > 1 else codes
        lists = sorted((self._postings(int(k)) for k in keys), key=len)
        out = lists[0]
        for more in lists[1:]:
            if not len(out):
                break
            out = np.intersect1d(out, more, assume_unique=True)
        return out

    def containing(self, needle: str, within: np.ndarray | None = None) -> np.ndarray:
        """Rows whose text contains ``needle`` (squashed), in row order; ``within``: a
        boolean mask of the rows that may be returned."""
        rows = self.candidates(needle)
        if within is not None and len(rows):
            rows = rows[within[rows]]
        if len(needle) <= 2:
            return rows
        return np.array([r for r in rows.tolist() if needle in self._text_of(r)], dtype=np.int32)
