"""Character-gram postings answer "which passages contain this" exactly as a scan would."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.analysis.text import squash
from indexer.backends.local.substrings import SubstringIndex, build_postings, save_postings


@pytest.fixture(scope="module")
def texts(searcher) -> list[str]:
    return [squash(p.search_text) for p in searcher.passages]


@pytest.mark.parametrize("needle", ["城陵矶新港区", "五溪人才行动计划", "冷链", "养", "5g", "高质量发展", "不存在的词"])
def test_postings_find_what_a_scan_finds(searcher, texts, needle):
    found = searcher.indexes.substrings.containing(squash(needle)).tolist()
    assert found == [i for i, t in enumerate(texts) if squash(needle) in t]


def test_within_limits_the_rows(searcher, texts):
    mask = searcher.store.rows_of(["changde-14th-five-year-plan"])
    found = searcher.indexes.substrings.containing("产业", within=mask)
    assert len(found) and mask[found].all()
    assert len(found) == sum(1 for i, t in enumerate(texts) if mask[i] and "产业" in t)


def test_candidates_need_every_bigram_and_verification_drops_the_rest(tmp_path):
    texts = ["甲乙丙丁", "乙丙甲乙", "丙丁"]
    save_postings(tmp_path, build_postings(texts))
    index = SubstringIndex(tmp_path, len(texts), lambda row: texts[row])
    assert index.candidates("甲乙丙").tolist() == [0, 1]  # row 1 holds 甲乙 and 乙丙, not 甲乙丙
    assert index.containing("甲乙丙").tolist() == [0]
    assert index.containing("丙丁").tolist() == [0, 2]
    assert index.containing("").tolist() == []
    assert np.asarray(index.containing("戊")).size == 0
