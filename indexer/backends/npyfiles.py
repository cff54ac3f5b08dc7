"""The .npy arrays of a build: memory-mapped for answering queries, and checked at load by
ordinary file reads, so a check over a whole array leaves its pages in the page cache, not in
the server's resident memory (at 274k passages, 1.2 GB that no query would have touched)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from indexer.errors import IndexCorruptError

CHUNK = 1 << 22


def open_npy(path: Path) -> np.memmap:
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise IndexCorruptError(f"{path} cannot be read: {exc}") from exc


def chunks(path: Path, array: np.memmap) -> Iterator[np.ndarray]:
    """The values of ``array`` (opened from ``path`` by open_npy), in order, a chunk at a time."""
    left = array.size
    with path.open("rb") as f:
        f.seek(array.offset)
        while left:
            part = np.fromfile(f, dtype=array.dtype, count=min(CHUNK, left))
            if not len(part):
                raise IndexCorruptError(f"{path} ends before its {array.size} values")
            left -= len(part)
            yield part


def all_finite(path: Path, array: np.memmap) -> bool:
    return all(np.isfinite(c).all() for c in chunks(path, array))


def value_range(path: Path, array: np.memmap) -> tuple[int, int] | None:
    """(min, max) of an integer array; None when it is empty."""
    lo = hi = None
    for c in chunks(path, array):
        lo = int(c.min()) if lo is None else min(lo, int(c.min()))
        hi = int(c.max()) if hi is None else max(hi, int(c.max()))
    return None if lo is None else (lo, hi)
