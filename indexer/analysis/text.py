"""Text analysis shared by indexing and querying: normalisation, jieba word tokens,
character n-grams, and the plan lexicon (the whoosh tokenizers wrap these in
indexer.backends.local.tokenizers).

Normalisation maps one character to one character (full-width → half-width,
traditional → simplified, lower case), so token offsets stay offsets into the
original text and highlighting needs no map back.
"""

from __future__ import annotations

import functools
import importlib.resources
import itertools
import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from indexer.analysis.numerals import arabic_spans
from indexer.errors import IndexCorruptError

WORD_CHAR_RE = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff%.．]")
QUOTED_RE = re.compile(r"[“\"「『]([^“”\"」』\s，。、；：！？,.;:!?（）()]{2,14})[”\"」』]")
BOX_NAME_RE = re.compile(r"^(?:专栏\s*\d*|表\s*\d+(?:-\d+)?)[：:\s]*(.+)$")
CURATED_LEXICON = "lexicon.txt"


@functools.cache
def _trad_to_simp() -> dict[str, str]:
    data = importlib.resources.files("zhconv").joinpath("zhcdict.json").read_text(encoding="utf-8")
    table = json.loads(data)["zh2Hans"]
    return {k: v for k, v in table.items() if len(k) == 1 and len(v) == 1}


@functools.cache
def normalize_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1:
        folded = ch
    folded = _trad_to_simp().get(folded, folded)
    return folded.lower()


class _FoldTable(dict):
    """A str.translate table filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = normalize_char(chr(code))
        return folded


_FOLD = _FoldTable()
SQUASH_RE = re.compile(r"[\s，。、；：！？,.;:!?“”\"'‘’（）()《》【】\-—]+")


def normalize(text: str) -> str:
    """Same length as ``text``: position i of the result is character i normalised."""
    return text.translate(_FOLD)


def squash(text: str) -> str:
    """Normalised, without spaces and punctuation: the form in which a passage "contains"
    a query, so 高质量 发展 finds 高质量发展 and a line break splits no name."""
    return SQUASH_RE.sub("", normalize(text))


def match_text(text: str) -> str:
    """The squashed text, then the Arabic form of each number it writes in Chinese numerals, so
    that a query's 2000 is found in 二○○○年 (separated, so no phrase runs across them)."""
    norm = squash(text)
    return norm + "".join("\x1f" + form for _, _, form in arabic_spans(norm))


def is_word_char(ch: str) -> bool:
    return bool(WORD_CHAR_RE.match(ch))


class Lexicon:
    """Plan terms added to jieba so that names the documents coin stay one token."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted({w for w in (normalize(x.strip()) for x in words) if 2 <= len(w) <= 16})
        self._lock = threading.Lock()
        self._jieba = None

    @classmethod
    def from_corpus(cls, texts: Iterable[str], box_titles: Iterable[str] = (),
                    curated: Path | None = None) -> Lexicon:
        words: set[str] = set()
        for text in texts:
            words.update(m.group(1) for m in QUOTED_RE.finditer(text))
        for title in box_titles:
            m = BOX_NAME_RE.match(title.strip())
            name = (m.group(1) if m else title).strip()
            if 2 <= len(name) <= 16:
                words.add(name)
        if curated is None:
            curated = Path(__file__).with_name("data") / CURATED_LEXICON
        if curated.is_file():
            for line in curated.read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    words.add(line)
        return cls(w for w in words if not re.fullmatch(r"[\d.%]+", w))

    def __getstate__(self) -> dict:
        return {"words": self.words}

    def __setstate__(self, state: dict) -> None:
        self.words = state["words"]
        self._lock = threading.Lock()
        self._jieba = None

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        try:
            return cls(path.read_text(encoding="utf-8").splitlines())
        except (OSError, UnicodeDecodeError) as exc:
            raise IndexCorruptError(f"{path} cannot be read ({exc})") from exc

    def save(self, path: Path) -> None:
        path.write_text("\n".join(self.words) + "\n", encoding="utf-8")

    @property
    def jieba(self):
        """A private jieba tokenizer with this lexicon (the global one is left alone)."""
        with self._lock:
            if self._jieba is None:
                import jieba

                jieba.setLogLevel(60)
                tk = jieba.Tokenizer()
                tk.initialize()
                for w in self.words:
                    tk.add_word(w, freq=max(tk.suggest_freq(w, tune=False), 1000))
                self._jieba = tk
            return self._jieba


def word_tokens(text: str, lexicon: Lexicon, subwords: bool) -> Iterator[tuple[int, str, int, int]]:
    """(position, word, start, end) with sequential positions over jieba's cut.

    With ``subwords`` the dictionary words inside a long word (search mode) are
    emitted at the word's own position, so phrase queries still see the words
    one after another while a query for a part still matches. A number in Chinese
    numerals (二○○○年, 百分之四) also yields its Arabic form's words at the position
    where it starts (indexer.analysis.numerals), in passages and queries alike.
    """
    norm = normalize(text)
    arabic = arabic_spans(norm)
    pos = 0
    for word, start, end in lexicon.jieba.tokenize(norm):
        if not any(is_word_char(c) for c in word):
            continue
        yield pos, word, start, end
        while arabic and arabic[0][0] < end:
            a_start, a_end, form = arabic.pop(0)
            for w, _, _ in lexicon.jieba.tokenize(form):
                yield pos, w, a_start, a_end
        if subwords and len(word) > 2:
            seen = {word}
            for n in (2, 3):
                for i in range(len(word) - n + 1):
                    sub = word[i : i + n]
                    if sub not in seen and lexicon.jieba.FREQ.get(sub):
                        seen.add(sub)
                        yield pos, sub, start + i, start + i + n
        pos += 1


def gram_tokens(text: str, unigrams: bool = True) -> Iterator[tuple[int, str, int, int]]:
    """Character unigrams and bigrams over word characters; bigram i sits at
    position i, so a phrase of bigrams matches exactly a substring."""
    norm = normalize(text)
    kept = [(i, c) for i, c in enumerate(norm) if is_word_char(c)]
    for k, (i, c) in enumerate(kept):
        if unigrams:
            yield k, c, i, i + 1
        if k + 1 < len(kept):
            j, d = kept[k + 1]
            yield k, c + d, i, j + 1


def phrase_grams(phrase: str) -> list[str]:
    """The terms a phrase query on the grams field must find at consecutive positions."""
    chars = [c for c in normalize(phrase) if is_word_char(c)]
    if len(chars) == 1:
        return chars
    return [a + b for a, b in itertools.pairwise(chars)]
