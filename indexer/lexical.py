"""The BM25 index: a whoosh schema over passages with a word field (jieba) and
a character n-gram field, plus the query language users type."""

from __future__ import annotations

import queue
import re
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.scoring import BM25F

from indexer.analysis import GramTokenizer, JiebaTokenizer, Lexicon, gram_tokens, phrase_grams, word_tokens
from indexer.errors import IndexCorruptError, QueryError
from indexer.intent import query_stopwords
from indexer.segment import Passage

MAX_TERMS = 64
UNIGRAM_WEIGHT = 0.3
QUOTE_CHARS = "\"“”「」『』"


def make_schema(lexicon: Lexicon) -> Schema:
    words = JiebaTokenizer(lexicon)
    grams = GramTokenizer()
    return Schema(
        pid=ID(stored=True, unique=True),
        seq=NUMERIC(stored=True),
        doc_id=ID(stored=True),
        words=TEXT(analyzer=words, phrase=True),
        grams=TEXT(analyzer=grams, phrase=True),
        head_words=TEXT(analyzer=words, phrase=False),
        head_grams=TEXT(analyzer=grams, phrase=False),
        doc_words=TEXT(analyzer=words, phrase=False),
        ptype=ID(stored=True),
    )


@dataclass(frozen=True)
class ParsedQuery:
    """What a user typed, split into the parts the engine acts on."""

    text: str
    terms: str
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not (self.terms.strip() or self.phrases)

    @property
    def positive_text(self) -> str:
        """Everything a passage should match, for the dense model and highlighting."""
        return " ".join([self.terms.strip(), *self.phrases]).strip()


def parse_query(text: str) -> ParsedQuery:
    """Quotes make phrases, a leading '-' excludes; everything else is plain
    words. Unbalanced quotes and operators never fail: they fall back to words."""
    notes: list[str] = []
    normalized = re.sub(f"[{QUOTE_CHARS}]", '"', text)
    if normalized.count('"') % 2:
        notes.append("引号不成对，已忽略多出的引号")
        idx = normalized.rfind('"')
        normalized = normalized[:idx] + " " + normalized[idx + 1 :]
    phrases: list[str] = []
    excluded: list[str] = []
    rest: list[str] = []
    for m in re.finditer(r'(-?)"([^"]*)"|(\S+)', normalized):
        neg, quoted, bare = m.group(1), m.group(2), m.group(3)
        if quoted is not None:
            if not quoted.strip():
                continue
            (excluded if neg else phrases).append(quoted.strip())
        elif bare.startswith("-") and len(bare) > 1 and not bare[1:].startswith("-"):
            excluded.append(bare[1:])
        elif bare.upper() in ("AND", "OR", "NOT"):
            notes.append(f"{bare} 不是运算符，已按普通词检索")
            rest.append(bare)
        else:
            rest.append(bare)
    return ParsedQuery(text, " ".join(rest), tuple(phrases), tuple(excluded), tuple(notes))


class LexicalIndex:
    """A whoosh index over passages, searched through a pool of searchers.

    A whoosh searcher reads through its own file handles and is not safe to
    share between threads. The pool opens them all at load, so a build folder
    pruned later cannot break a searcher opened afterwards.
    """

    def __init__(self, path: Path, lexicon: Lexicon, boosts: dict[str, float], pool_size: int = 8) -> None:
        self.path = path
        self.lexicon = lexicon
        self.boosts = boosts
        try:
            self._ix = whoosh_index.open_dir(str(path))
        except Exception as exc:  # whoosh raises many types on a damaged index
            raise IndexCorruptError(f"BM25 index at {path} cannot be opened: {exc}") from exc
        try:
            self._searchers = [self._ix.searcher(weighting=BM25F(B=0.75, K1=1.2)) for _ in range(pool_size)]
        except Exception as exc:  # a truncated segment fails here, at load, not on a query
            raise IndexCorruptError(f"BM25 index at {path} cannot be read: {exc}") from exc
        self._pool: queue.LifoQueue = queue.LifoQueue()  # the warmest searcher first
        for searcher in self._searchers:
            self._pool.put(searcher)

    @staticmethod
    def build(path: Path, passages: list[Passage], lexicon: Lexicon, documents: dict[str, str]) -> None:
        """``documents``: doc id → the words that name it (place, title, period, year), searchable
        on every passage, since a passage of a provincial report rarely names its province."""
        path.mkdir(parents=True, exist_ok=True)
        ix = whoosh_index.create_in(str(path), make_schema(lexicon))
        writer = ix.writer(limitmb=256)
        for p in passages:
            heading = " ".join([*p.section_path, p.context])
            writer.add_document(
                pid=p.passage_id,
                seq=p.seq,
                doc_id=p.doc_id,
                words=p.body_text,
                grams=p.body_text,
                head_words=heading,
                head_grams=heading,
                doc_words=documents.get(p.doc_id, ""),
                ptype=p.kind,
            )
        writer.commit()

    @property
    def doc_count(self) -> int:
        return self._ix.doc_count()

    def close(self) -> None:
        for searcher in self._searchers:
            searcher.close()
        self._ix.close()

    def build_query(self, pq: ParsedQuery) -> Q.Query | None:
        b = self.boosts
        should: list[Q.Query] = []
        words = [w for _, w, _, _ in word_tokens(pq.terms, self.lexicon, subwords=False)
                 if w not in query_stopwords()][:MAX_TERMS]
        grams = [g for w in words for _, g, _, _ in gram_tokens(w, unigrams=True)][: MAX_TERMS * 2]
        for w in dict.fromkeys(words):
            should.append(Q.Term("words", w, boost=b.get("words", 1.0)))
            should.append(Q.Term("head_words", w, boost=b.get("headings", 1.5) * b.get("words", 1.0)))
            should.append(Q.Term("doc_words", w, boost=b.get("document", 0.5)))
        for g in dict.fromkeys(grams):
            if len(g) == 2:
                should.append(Q.Term("grams", g, boost=b.get("grams", 1.0)))
                should.append(Q.Term("head_grams", g, boost=b.get("grams", 1.0) * b.get("headings", 1.5)))
            else:
                # Single characters only in the body: in the heading field, repeated on every
                # passage of a section, their long posting lists cost most and say least.
                should.append(Q.Term("grams", g, boost=b.get("grams", 1.0) * UNIGRAM_WEIGHT))
        must: list[Q.Query] = []
        for phrase in pq.phrases:
            must.append(_phrase("grams", phrase))
        for phrase in pq.phrases:
            for g in dict.fromkeys(phrase_grams(phrase)):
                should.append(Q.Term("grams", g, boost=b.get("grams", 1.0)))
        if len(set(words)) > 1:
            should.append(Q.And([Q.Term("words", w) for w in dict.fromkeys(words)], boost=2.0))
        if not should and not must:
            return None
        query: Q.Query
        if must and should:
            query = Q.AndMaybe(Q.And(must), Q.Or(should))
        elif must:
            query = Q.And(must)
        else:
            query = Q.Or(should)
        excluded = [_phrase("grams", x) for x in pq.excluded if phrase_grams(x)]
        if excluded:
            query = Q.AndNot(query, Q.Or(excluded))
        return query

    def search(self, pq: ParsedQuery, limit: int,
               filter_query: Q.Query | None = None) -> list[tuple[str, float]]:
        """Ranked (passage id, BM25 score); ties broken by passage order for determinism."""
        query = self.build_query(pq)
        if query is None:
            return []
        searcher = self._pool.get()  # waits while every searcher is busy
        try:
            results = searcher.search(query, limit=limit, filter=filter_query)
            hits = [(r["pid"], r["seq"], float(r.score)) for r in results]
        finally:
            self._pool.put(searcher)
        hits.sort(key=lambda h: (-h[2], h[1]))
        return [(pid, score) for pid, _, score in hits]

    @staticmethod
    def filter_for(doc_ids: list[str] | None = None, ptypes: list[str] | None = None) -> Q.Query | None:
        clauses = []
        for fieldname, values in (("doc_id", doc_ids), ("ptype", ptypes)):
            if values is not None:
                clauses.append(Q.Or([Q.Term(fieldname, v) for v in values]) if values else Q.NullQuery)
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else Q.And(clauses)


def _phrase(fieldname: str, phrase: str) -> Q.Query:
    grams = phrase_grams(phrase)
    if not grams:
        raise QueryError(f"引号中的“{phrase}”没有可检索的文字", "empty_phrase")
    if len(grams) == 1:
        return Q.Term(fieldname, grams[0])
    return Q.Phrase(fieldname, grams)
