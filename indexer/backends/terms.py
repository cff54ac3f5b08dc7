"""A query's weighted BM25F terms and the parameters of the score, the same on every backend:
the local impact matrix sums them in numpy, Milvus sends them as weighted BM25 requests."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.analysis.fields import FIELDS, field_weight
from indexer.analysis.text import Lexicon, gram_tokens, phrase_grams, word_tokens
from indexer.errors import QueryError
from indexer.query.intent import query_stopwords
from indexer.query.syntax import ParsedQuery

K1 = 1.2
B = 0.75
# Whoosh's And(words, boost=2): passages holding every query word score their word-field
# scores once more, twice.
TOGETHER_BOOST = 2.0
MAX_TERMS = 64
UNIGRAM_WEIGHT = 0.3


@dataclass(frozen=True)
class LexicalQuery:
    """What the scorer sums: weighted (field, term) pairs, and the words that earn
    TOGETHER_BOOST when a passage holds them all."""

    terms: tuple[tuple[str, str, float], ...]
    together: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.terms


def lexical_query(pq: ParsedQuery, lexicon: Lexicon, boosts: dict[str, float]) -> LexicalQuery:
    """The weighted terms of a query: its words in the body, headings and document names;
    their character bigrams (unigrams in the body only, weighted down); the bigrams of
    quoted phrases. Each (field, term, weight) once, as whoosh's Or keeps it."""
    weight = {f.name: field_weight(f.name, boosts) for f in FIELDS}
    words = [w for _, w, _, _ in word_tokens(pq.terms, lexicon, subwords=False)
             if w not in query_stopwords()][:MAX_TERMS]
    grams = [g for w in words for _, g, _, _ in gram_tokens(w, unigrams=True)][: MAX_TERMS * 2]
    terms: list[tuple[str, str, float]] = []
    for w in dict.fromkeys(words):
        terms += [("words", w, weight["words"]), ("head_words", w, weight["head_words"]),
                  ("doc_words", w, weight["doc_words"])]
    for g in dict.fromkeys(grams):
        if len(g) == 2:
            terms += [("grams", g, weight["grams"]), ("head_grams", g, weight["head_grams"])]
        else:
            # Single characters only in the body: in the heading field, repeated on every
            # passage of a section, their long posting lists cost most and say least.
            terms.append(("grams", g, weight["grams"] * UNIGRAM_WEIGHT))
    for phrase in pq.phrases:
        terms += [("grams", g, weight["grams"]) for g in phrase_grams(phrase)]
    together = tuple(dict.fromkeys(words))
    return LexicalQuery(tuple(dict.fromkeys(terms)), together if len(together) > 1 else ())


def searchable_grams(phrase: str) -> list[str]:
    """A quoted phrase's grams; a phrase with none (only punctuation) is a QueryError."""
    grams = phrase_grams(phrase)
    if not grams:
        raise QueryError(f"引号中的“{phrase}”没有可检索的文字", "empty_phrase")
    return grams
