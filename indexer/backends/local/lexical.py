"""The lexical index: whoosh, the index of record (a word field by jieba, a character
n-gram field, headings and the document's names), BM25 scored from its impact matrix
(indexer.backends.local.bm25), phrases answered by whoosh; plus the query language users type."""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.fields import ID, NUMERIC, TEXT, Schema

from indexer.analysis.text import GramTokenizer, JiebaTokenizer, Lexicon, gram_tokens, phrase_grams, word_tokens
from indexer.backends.local.bm25 import DIR as IMPACTS_DIR
from indexer.backends.local.bm25 import ImpactIndex, LexicalQuery, build_impacts
from indexer.embed.threads import cores
from indexer.errors import IndexCorruptError, QueryError
from indexer.parse.model import Passage
from indexer.query.intent import query_stopwords

WHOOSH_DIR = "whoosh"
ROWS_FILE = "whoosh-rows.npy"
MAX_TERMS = 64
UNIGRAM_WEIGHT = 0.3
# Below this many passages, starting writer processes costs more than it saves.
PARALLEL_MIN_PASSAGES = 20_000
QUOTE_CHARS = "\"“”「」『』"


def make_schema(lexicon: Lexicon) -> Schema:
    words, grams = JiebaTokenizer(lexicon), GramTokenizer()
    head_words, head_grams = JiebaTokenizer(lexicon, repeated=True), GramTokenizer(repeated=True)
    return Schema(
        pid=ID(stored=True, unique=True),
        seq=NUMERIC(stored=True),
        doc_id=ID(stored=True),
        words=TEXT(analyzer=words, phrase=True),
        grams=TEXT(analyzer=grams, phrase=True),
        head_words=TEXT(analyzer=head_words, phrase=False),
        head_grams=TEXT(analyzer=head_grams, phrase=False),
        doc_words=TEXT(analyzer=head_words, phrase=False),
        ptype=ID(stored=True),
    )


# The fields BM25 scores, each with its own analyser in make_schema.
TEXT_FIELDS = ("words", "grams", "head_words", "head_grams", "doc_words")


def field_values(p: Passage, document_words: str) -> dict[str, str]:
    """What each of TEXT_FIELDS holds for a passage, on either backend."""
    heading = " ".join([*p.section_path, p.context])
    return {"words": p.body_text, "grams": p.body_text, "head_words": heading, "head_grams": heading,
            "doc_words": document_words}


def analysed(schema: Schema, name: str, value: str) -> list[str]:
    """The terms a field's analyser indexes for a value."""
    return [t.text for t in schema[name].analyzer(value, mode="index")]


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


def lexical_query(pq: ParsedQuery, lexicon: Lexicon, boosts: dict[str, float]) -> LexicalQuery:
    """The weighted terms of a query: its words in the body, headings and document names;
    their character bigrams (unigrams in the body only, weighted down); the bigrams of
    quoted phrases. Each (field, term, weight) once, as whoosh's Or keeps it."""
    bw, bg = boosts.get("words", 1.0), boosts.get("grams", 1.0)
    bh, bd = boosts.get("headings", 1.5), boosts.get("document", 0.5)
    words = [w for _, w, _, _ in word_tokens(pq.terms, lexicon, subwords=False)
             if w not in query_stopwords()][:MAX_TERMS]
    grams = [g for w in words for _, g, _, _ in gram_tokens(w, unigrams=True)][: MAX_TERMS * 2]
    terms: list[tuple[str, str, float]] = []
    for w in dict.fromkeys(words):
        terms += [("words", w, bw), ("head_words", w, bh * bw), ("doc_words", w, bd)]
    for g in dict.fromkeys(grams):
        if len(g) == 2:
            terms += [("grams", g, bg), ("head_grams", g, bg * bh)]
        else:
            # Single characters only in the body: in the heading field, repeated on every
            # passage of a section, their long posting lists cost most and say least.
            terms.append(("grams", g, bg * UNIGRAM_WEIGHT))
    for phrase in pq.phrases:
        terms += [("grams", g, bg) for g in phrase_grams(phrase)]
    together = tuple(dict.fromkeys(words))
    return LexicalQuery(tuple(dict.fromkeys(terms)), together if len(together) > 1 else ())


class LexicalIndex:
    """Ranks passages by BM25F from the impact matrix; finds phrases with whoosh.

    One whoosh searcher, opened at load (so a build folder pruned later cannot break it)
    and used under a lock: it only answers quoted phrases, which are rare and quick.
    """

    def __init__(self, path: Path, lexicon: Lexicon, boosts: dict[str, float], rows: int) -> None:
        self.path = path
        self.lexicon = lexicon
        self.boosts = boosts
        try:
            self._ix = whoosh_index.open_dir(str(path / WHOOSH_DIR))
            self._searcher = self._ix.searcher()
        except Exception as exc:  # whoosh raises many types on a damaged index
            raise IndexCorruptError(f"BM25 index at {path} cannot be opened: {exc}") from exc
        # The segment files stay open (a pruned build keeps answering); they are closed by
        # close(), or when the index is dropped without it.
        self._close = weakref.finalize(self, _close_whoosh, self._searcher, self._ix)
        if self._searcher.doc_count_all() != rows:
            raise IndexCorruptError(f"BM25 index in {path} holds {self._searcher.doc_count_all()} passages, "
                                    f"expected {rows}")
        self._lock = threading.Lock()
        self.impacts = ImpactIndex(path / IMPACTS_DIR, rows)
        try:
            self._row_of_doc = np.load(path / ROWS_FILE, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            raise IndexCorruptError(f"{path / ROWS_FILE} cannot be read: {exc}") from exc
        if self._row_of_doc.shape != (rows,):
            raise IndexCorruptError(f"{path / ROWS_FILE} does not map {rows} passages")

    @staticmethod
    def build(path: Path, passages: list[Passage], lexicon: Lexicon, documents: dict[str, str]) -> None:
        """``documents``: doc id → the words that name it (place, title, period, year), searchable
        on every passage, since a passage of a provincial report rarely names its province."""
        whoosh_dir = path / WHOOSH_DIR
        whoosh_dir.mkdir(parents=True, exist_ok=True)
        ix = whoosh_index.create_in(str(whoosh_dir), make_schema(lexicon))
        procs = cores() if len(passages) >= PARALLEL_MIN_PASSAGES else 1
        # Plain files, not whoosh's compound segment, which a reader copies into memory whole;
        # multisegment: each process's segment is kept, not merged again in one process.
        options = {"limitmb": 256, "compound": False}
        writer = (ix.writer(procs=procs, multisegment=True, subargs=options, **options) if procs > 1
                  else ix.writer(**options))
        for p in passages:
            writer.add_document(pid=p.passage_id, seq=p.seq, doc_id=p.doc_id, ptype=p.kind,
                                **field_values(p, documents.get(p.doc_id, "")))
        writer.commit()
        ix.close()
        ids = [p.passage_id for p in passages]
        build_impacts(whoosh_dir, path / IMPACTS_DIR, ids)
        row_of = {pid: i for i, pid in enumerate(ids)}
        ix = whoosh_index.open_dir(str(whoosh_dir))
        with ix.reader() as reader:
            rows = np.array([row_of[f["pid"]] for f in reader.all_stored_fields()], dtype=np.int32)
        ix.close()
        np.save(path / ROWS_FILE, rows, allow_pickle=False)

    def close(self) -> None:
        self._close()

    def query(self, pq: ParsedQuery) -> LexicalQuery:
        return lexical_query(pq, self.lexicon, self.boosts)

    def scores(self, pq: ParsedQuery) -> np.ndarray:
        """BM25F of every passage (row order); 0 where the query matches nothing."""
        return self.impacts.scores(self.query(pq))

    def phrase_rows(self, phrases: tuple[str, ...]) -> np.ndarray:
        """A boolean mask of the passages whose text holds every phrase (whoosh phrase queries)."""
        query = Q.And([_phrase("grams", p) for p in phrases])
        with self._lock:
            docnums = list(self._searcher.docs_for_query(query))
        mask = np.zeros(len(self._row_of_doc), dtype=bool)
        mask[self._row_of_doc[np.array(docnums, dtype=np.int64)]] = True
        return mask


def _close_whoosh(searcher, ix) -> None:
    searcher.close()
    ix.close()


def searchable_grams(phrase: str) -> list[str]:
    """A quoted phrase's grams; a phrase with none (only punctuation) is a QueryError."""
    grams = phrase_grams(phrase)
    if not grams:
        raise QueryError(f"引号中的“{phrase}”没有可检索的文字", "empty_phrase")
    return grams


def _phrase(fieldname: str, phrase: str) -> Q.Query:
    grams = searchable_grams(phrase)
    if len(grams) == 1:
        return Q.Term(fieldname, grams[0])
    return Q.Phrase(fieldname, grams)
