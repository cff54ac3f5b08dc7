"""The analysers of indexer.analysis.fields as whoosh tokenizers, so the whoosh index holds
exactly the terms every backend indexes (the classes are pickled into the whoosh schema)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from whoosh.analysis import Token, Tokenizer

from indexer.analysis.fields import Field
from indexer.analysis.text import Lexicon, gram_tokens, word_tokens


def tokenizer(field: Field, lexicon: Lexicon) -> Tokenizer:
    """The whoosh tokenizer for a row of the field table."""
    if field.analyser == "words":
        return JiebaTokenizer(lexicon, repeated=field.repeated)
    return GramTokenizer(repeated=field.repeated)


class _WhooshTokenizer(Tokenizer):
    """``repeated``: for fields whose values recur on many passages (a section's headings,
    a document's names), tokens are worked out once per distinct value."""

    MEMO_SIZE = 4096

    def __init__(self, repeated: bool = False) -> None:
        self._memo: dict[tuple[str, str], tuple] | None = {} if repeated else None

    def __getstate__(self) -> dict:
        # The schema is pickled into the index and to writer processes: without the memo.
        return {**self.__dict__, "_memo": None if self._memo is None else {}}

    def _tokens(self, value: str, mode: str) -> Iterator[tuple[int, str, int, int]]:
        raise NotImplementedError

    def _spans(self, value: str, mode: str) -> Iterable[tuple[int, str, int, int]]:
        if self._memo is None:
            return self._tokens(value, mode)
        spans = self._memo.get((value, mode))
        if spans is None:
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.clear()
            spans = self._memo[(value, mode)] = tuple(self._tokens(value, mode))
        return spans

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, text, start, end in self._spans(value, mode):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


class JiebaTokenizer(_WhooshTokenizer):
    """Word tokens with sequential positions (jieba's own analyzer puts character
    offsets in ``pos``, which breaks phrase queries)."""

    def __init__(self, lexicon: Lexicon, repeated: bool = False) -> None:
        super().__init__(repeated)
        self.lexicon = lexicon

    def _tokens(self, value, mode):
        return word_tokens(value, self.lexicon, subwords=(mode != "query"))


class GramTokenizer(_WhooshTokenizer):
    def _tokens(self, value, mode):
        return gram_tokens(value)
