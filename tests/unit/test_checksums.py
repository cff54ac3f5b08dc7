"""The checksum shape and the pure comparison behind plansearch verify."""

from __future__ import annotations

import pytest

from indexer.build.checksums import CONTENT, EXTRA, MISSING, SIZE, FileSum, Problem, compare, read_sums
from indexer.errors import IndexCorruptError

EXPECTED = {"a.npy": FileSum("aa", 10), "b.txt": FileSum("bb", 3), "old": FileSum("cc", None)}
HASHES = {"a.npy": "aa", "b.txt": "xx", "old": "cc", "new": "dd"}


def test_compare_names_each_kind_of_difference_once_in_name_order():
    sizes = {"a.npy": 9, "b.txt": 3, "new": 1}
    assert compare(EXPECTED, sizes, HASHES.__getitem__) == [
        Problem("a.npy", SIZE, 10, 9), Problem("b.txt", CONTENT), Problem("new", EXTRA), Problem("old", MISSING)]
    # quick: no contents read; a size mismatch is still seen, a changed content is not
    assert compare(EXPECTED, sizes, None) == [
        Problem("a.npy", SIZE, 10, 9), Problem("new", EXTRA), Problem("old", MISSING)]
    assert compare(EXPECTED, sizes, None, extra_allowed=True) == [
        Problem("a.npy", SIZE, 10, 9), Problem("old", MISSING)]


def test_a_legacy_entry_without_size_is_checked_by_content_alone():
    assert compare({"old": FileSum("cc", None)}, {"old": 123}, None) == []
    assert compare({"old": FileSum("cc", None)}, {"old": 123}, lambda name: "zz") == [Problem("old", CONTENT)]


def test_the_shape_round_trips_and_legacy_strings_are_read():
    assert read_sums({"x": {"sha256": "ab", "size": 2}, "y": "cd"}, "m") == {
        "x": FileSum("ab", 2), "y": FileSum("cd", None)}
    assert FileSum.from_json(FileSum("ab", 2).to_json()) == FileSum("ab", 2)


@pytest.mark.parametrize("bad", [{"x": {"sha256": "ab"}}, {"x": {"sha256": "ab", "size": True}}, {"x": 3}, []])
def test_a_malformed_entry_is_damage(bad):
    with pytest.raises(IndexCorruptError):
        read_sums(bad, "manifest.json")


@pytest.mark.parametrize("name", ["../catalog.yaml", "/etc/passwd", "a/../../b", "nul\0.txt", ""])
def test_a_name_that_leaves_its_folder_is_damage(name):
    with pytest.raises(IndexCorruptError, match="not a file name inside its folder"):
        read_sums({name: {"sha256": "ab", "size": 2}}, "manifest.json")
