"""Which candidates really match a query: the bar behind honest totals and paging.

Fusion ranks whatever the candidate lists bring, down to passages that share one
common word with the query. A result list and its total count only passages that
match: the query (or each of its parts) in the text, every content word of it in
the text, or, for semantic search, a similarity well above what the query scores
against the corpus at large.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

# Match kinds, strongest first; the label is what the reader sees.
MATCH_LABELS = {"exact": "原文出现", "words": "包含关键词", "semantic": "语义相近"}


def semantic_bar(scores: np.ndarray, z: float) -> float:
    """The similarity a passage needs to count as a semantic match: ``z`` standard
    deviations above the query's mean similarity over the corpus. Raw cosines of one
    model sit in a narrow band that moves with the query (e5: 0.85–0.93 for the top 30
    of any query), so an absolute cut cannot tell a good hit from a near-miss."""
    if scores.size < 2:
        return float("-inf")
    return float(scores.mean() + z * scores.std())


# Share of a query's content words a passage must hold to match on words, rounded to the
# nearest whole word: two words need one, three need two, five need three. A query that occurs
# verbatim needs all of them (冷链物流 is not matched by every passage with 物流).
MIN_WORD_SHARE = 0.6


def enough_words(found: int, wanted: int, literal: bool = False) -> bool:
    needed = wanted if literal else max(1, math.floor(MIN_WORD_SHARE * wanted + 0.5))
    return wanted > 0 and found >= needed


# Share of the query's word weight (rarity in the corpus) that a passage and its headings must
# hold for some-but-not-all of its words to match on their own: the rare words are the topic
# (棚户区, 安慈), the common ones (规划, 生活) occur in any plan.
MIN_WORD_COVERAGE = 0.7


def word_weights(words: list[str], frequency: Callable[[str], int], rows: int) -> dict[str, float]:
    """Each word's inverse passage frequency: a word no passage holds weighs most."""
    return {w: math.log((rows + 1) / (frequency(w) + 0.5)) for w in words}


def coverage(weights: dict[str, float], text: str) -> float:
    """The share of the query's word weight found in ``text``; 0 for a query without words."""
    total = sum(weights.values())
    return sum(v for w, v in weights.items() if w in text) / total if total > 0 else 0.0


def match_kind(tier: int, words_found: int, words_wanted: int, similarity: float | None, bar: float,
               literal: bool, floor: float = float("-inf"), covered: float = 0.0) -> str | None:
    """How a candidate matches, or None. A query that occurs verbatim somewhere is being
    used as a name or a phrase: its semantic near-misses are not matches. Some of the
    query's words but not all is weak evidence (做法, 链条 occur in any plan): unless the
    words found carry most of the query's weight (``covered``, by the passage and its
    headings), a known similarity must also clear ``floor``, the best that unanswerable
    queries reach."""
    if tier > 0:
        return "exact"
    if enough_words(words_found, words_wanted, literal) and (
            words_found >= words_wanted or similarity is None or similarity >= floor
            or covered >= MIN_WORD_COVERAGE):
        return "words"
    if similarity is not None and similarity >= bar and not literal:
        return "semantic"
    return None
