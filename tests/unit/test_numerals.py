"""Numbers in Chinese numerals find their Arabic forms and back, as plans of the 1990s and of
today write them; words that only look like numbers are left alone."""

from __future__ import annotations

import pytest

from indexer.analysis.numerals import arabic_spans
from indexer.analysis.text import Lexicon, match_text, word_tokens


@pytest.mark.parametrize(("text", "forms"), [
    ("到二○○○年国民生产总值要达到八万五千亿元", ["2000", "8.5万亿"]),
    ("一九九五年到二〇〇〇年", ["1995", "2000"]),
    ("年均增长百分之四点五", ["4.5%"]),
    ("百分之十", ["10%"]),
    ("粮食产量达到四千三百亿斤", ["4300亿"]),
    ("新增一百二十万吨", ["120万"]),
    ("三千二百零五个", ["3205"]),
    ("一千零一", ["1001"]),
    ("两千人", ["2000"]),
    ("八点五万亿元", ["8.5万亿"]),
    ("三十多个", ["30"]),
])
def test_numbers_in_chinese_numerals_get_their_arabic_form(text, forms):
    assert [f for _, _, f in arabic_spans(text)] == forms


@pytest.mark.parametrize("text", ["十四五时期", "十一五", "第十二章", "一是加快", "五年", "十分重要",
                                  "千万不要", "万一", "一二三", "九五计划", "统一大市场"])
def test_words_that_look_like_numbers_are_left_alone(text):
    assert arabic_spans(text) == []


def test_spans_cover_the_numerals_they_render():
    text = "到二○○○年达到八万五千亿元"
    assert [text[s:e] for s, e, _ in arabic_spans(text)] == ["二○○○", "八万五千亿"]


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon.from_corpus([], [])


def _words(text, lexicon, subwords=True):
    return {w for _, w, _, _ in word_tokens(text, lexicon, subwords=subwords)}


def test_a_question_in_arabic_shares_words_with_a_1990s_sentence_and_back(lexicon):
    old = _words("到二○○○年，国民生产总值达到八万五千亿元，年均增长百分之六", lexicon)
    new = _words("到2025年地区生产总值达到8.5万亿元，年均增长6%", lexicon)
    question = _words("到2000年国民生产总值要达到多少", lexicon, subwords=False)
    assert {"2000", "8.5", "6%"} <= old
    assert "2000" in question & old
    assert {"8.5", "6%"} <= _words("八点五万亿元 百分之六", lexicon, subwords=False) & new


def test_the_arabic_words_sit_at_the_numerals_position(lexicon):
    tokens = list(word_tokens("增长百分之四点五以上", lexicon, subwords=False))
    arabic = [t for t in tokens if t[1] == "4.5%"]
    assert arabic and arabic[0][2:] == (2, 8)
    assert [t[0] for t in tokens] == sorted(t[0] for t in tokens)


def test_substring_matching_finds_the_arabic_form_but_no_phrase_across_it():
    text = match_text("二○○○年国民生产总值达到八万五千亿元")
    assert "2000" in text and "8.5万亿" in text
    assert "亿元2000" not in text
