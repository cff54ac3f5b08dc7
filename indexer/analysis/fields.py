"""The field table: each BM25 field of a passage, with the text it is made of, the analyser
that cuts it and the config boosts that weigh it. The whoosh schema, the impact matrix, the
Milvus rows and the query's weighted terms all derive from it."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from indexer.analysis.text import Lexicon, gram_tokens, word_tokens

if TYPE_CHECKING:
    from indexer.parse.model import Passage

# search.boosts in config.yaml, by default.
BOOSTS = {"words": 1.0, "grams": 1.0, "headings": 1.5, "document": 0.5}


@dataclass(frozen=True)
class Field:
    name: str
    # body: the passage's text; heading: its heading path and context; document: the words
    # that name its document (place, title, period, year).
    source: Literal["body", "heading", "document"]
    analyser: Literal["words", "grams"]
    # The boosts (keys of BOOSTS) whose product weighs a match in this field.
    boosts: tuple[str, ...]
    # Positions kept, for quoted phrases.
    phrase: bool = False
    # Values recur on many passages (a section's headings, a document's names): analysed once each.
    repeated: bool = False


FIELDS = (
    Field("words", "body", "words", ("words",), phrase=True),
    Field("grams", "body", "grams", ("grams",), phrase=True),
    Field("head_words", "heading", "words", ("headings", "words"), repeated=True),
    Field("head_grams", "heading", "grams", ("grams", "headings"), repeated=True),
    Field("doc_words", "document", "words", ("document",), repeated=True),
)
TEXT_FIELDS = tuple(f.name for f in FIELDS)
BY_NAME = {f.name: f for f in FIELDS}


def field_values(p: Passage, document_words: str) -> dict[str, str]:
    """What each field holds for a passage, on either backend."""
    sources = {"body": p.body_text, "heading": " ".join([*p.section_path, p.context]), "document": document_words}
    return {f.name: sources[f.source] for f in FIELDS}


def field_weight(name: str, boosts: Mapping[str, float]) -> float:
    """A field's weight under the config's boosts (a boost the config leaves out takes its default)."""
    return math.prod(boosts.get(b, BOOSTS[b]) for b in BY_NAME[name].boosts)


def analyse(field: Field, value: str, lexicon: Lexicon, query: bool = False) -> Iterator[tuple[int, str, int, int]]:
    """(position, term, start, end) as the field's analyser cuts ``value``; a query's words
    leave out the dictionary words inside longer ones (indexer.analysis.text.word_tokens)."""
    if field.analyser == "words":
        return word_tokens(value, lexicon, subwords=not query)
    return gram_tokens(value)


def field_terms(name: str, value: str, lexicon: Lexicon) -> list[str]:
    """The terms a field indexes for a value."""
    return [term for _, term, _, _ in analyse(BY_NAME[name], value, lexicon)]
