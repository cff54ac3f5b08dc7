"""Which candidates really match a query: the bar behind honest totals and paging.

Fusion ranks whatever the candidate lists bring, down to passages that share one
common word with the query. A result list and its total count only passages that
match: the query (or each of its parts) in the text, every content word of it in
the text, or, for semantic search, a similarity well above what the query scores
against the corpus at large.
"""

from __future__ import annotations

import math

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


def match_kind(tier: int, words_found: int, words_wanted: int, similarity: float | None, bar: float,
               literal: bool, floor: float = float("-inf")) -> str | None:
    """How a candidate matches, or None. A query that occurs verbatim somewhere is being
    used as a name or a phrase: its semantic near-misses are not matches. Some of the
    query's words but not all is weak evidence (做法, 链条 occur in any plan): where a
    similarity is known it must also clear ``floor``, the best that unanswerable queries reach."""
    if tier > 0:
        return "exact"
    if enough_words(words_found, words_wanted, literal) and (
            words_found >= words_wanted or similarity is None or similarity >= floor):
        return "words"
    if similarity is not None and similarity >= bar and not literal:
        return "semantic"
    return None
