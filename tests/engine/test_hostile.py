"""Whatever a user types gives results or a clear QueryError, never an exception."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.analysis.text import gram_tokens, word_tokens
from indexer.errors import QueryError
from indexer.query.syntax import QUOTE_CHARS, parse_query

HOSTILE = [
    '"', '""', '"""', '“', "“城市", "-", "--", "-\"\"", "AND", "OR OR", "NOT", "(", ")", "((((",
    "*", "?", "a:b", "doc:x", "\\", "\x00", "\u200b", "\ufeff", "🙂", "<script>alert(1)</script>",
    "'; DROP TABLE x;--", "%s%s%n", "，。！？", "   ", "-城市 -大脑", "../../etc/passwd", "养" * 500,
    "城市大脑" * 100 + "x", "\t\n\r", "\U0010ffff",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_hostile_queries_give_results_or_a_clear_error(searcher, text, mode):
    try:
        resp = searcher.search(text, mode=mode, k=5)
    except QueryError as exc:
        assert str(exc) and "Traceback" not in str(exc)
    else:
        assert len(resp.hits) <= 5 and resp.total >= len(resp.hits)
        assert (resp.total == 0) == (not resp.hits)  # a count with no page, or a page with no count, is a lie
        for h in resp.hits:
            assert searcher.passage(h.passage.passage_id) == h.passage
            assert all("<script" not in f and "<img" not in f for f in h.highlights)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_any_unicode_query_is_safe(searcher, text):
    with contextlib.suppress(QueryError):
        searcher.search(text, mode="bm25", k=3)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_query_parser_never_raises_and_takes_its_parts_from_the_text(text):
    pq = parse_query(text)
    quoted = re.sub(f"[{QUOTE_CHARS}]", '"', text)
    assert all(x and x == x.strip() for x in pq.phrases + pq.excluded)
    assert all(p in quoted for p in pq.phrases)
    assert all(w in quoted for w in pq.terms.split())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=120))
def test_tokenizers_keep_offsets_inside_the_text(searcher, text):
    for pos, tok, start, end in word_tokens(text, searcher.lexicon, subwords=True):
        assert 0 <= start < end <= len(text) and tok and pos >= 0
    for _, tok, start, end in gram_tokens(text):
        assert 0 <= start < end <= len(text) and tok
