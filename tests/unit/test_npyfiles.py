"""Arrays of a build are checked by file reads, chunk by chunk, and damage is IndexCorruptError."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.backends import npyfiles
from indexer.backends.npyfiles import all_finite, open_npy, value_range
from indexer.errors import IndexCorruptError


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(npyfiles, "CHUNK", 7)


def saved(tmp_path, array: np.ndarray):
    path = tmp_path / "a.npy"
    np.save(path, array, allow_pickle=False)
    return path, open_npy(path)


def test_a_nan_in_the_last_chunk_is_found(tmp_path, small_chunks):
    values = np.ones((10, 4), dtype=np.float32)
    assert all_finite(*saved(tmp_path, values))
    values[9, 3] = np.nan
    assert not all_finite(*saved(tmp_path, values))


def test_the_range_spans_every_chunk(tmp_path, small_chunks):
    rows = np.array([5, 3, 9, 0, 7, 2, 8, 1, 4, 6, 11, 10], dtype=np.int32)
    assert value_range(*saved(tmp_path, rows)) == (0, 11)
    assert value_range(*saved(tmp_path, np.zeros(0, np.int32))) is None


def test_a_cut_short_file_is_damage_not_a_crash(tmp_path):
    path, _ = saved(tmp_path, np.arange(1000, dtype=np.int64))
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(IndexCorruptError):
        open_npy(path)
    path.write_bytes(b"not an array")
    with pytest.raises(IndexCorruptError):
        open_npy(path)
