"""Tokenizers, normalisation and the plan lexicon, on real corpus text."""

from __future__ import annotations

import pytest
from whoosh import query as Q
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from indexer.analysis.text import Lexicon, gram_tokens, normalize, phrase_grams, word_tokens
from indexer.backends.local.tokenizers import GramTokenizer, JiebaTokenizer

SENTENCE = "打造“五溪人才行动计划”升级版，加快建设城陵矶新港区。"


@pytest.fixture(scope="module")
def lexicon(catalog, parsed):
    texts = [d.text for d in catalog.documents()]
    boxes = [s.title for pd in parsed.values() for s in pd.walk() if s.level == "box"]
    return Lexicon.from_corpus(texts, boxes)


def test_lexicon_holds_names_the_corpus_marks(lexicon):
    assert "五溪人才行动计划" in lexicon.words  # quoted in the Huaihua plan
    assert "城陵矶新港区" in lexicon.words      # curated place name
    assert "城市大脑" in lexicon.words          # quoted in the Changde plan
    assert not any(w.isdigit() for w in lexicon.words)


def test_lexicon_terms_are_single_tokens(lexicon):
    words = [w for _, w, _, _ in word_tokens(SENTENCE, lexicon, subwords=False)]
    assert "五溪人才行动计划" in words and "城陵矶新港区" in words


def test_word_positions_are_sequential_and_offsets_point_into_the_text(lexicon):
    toks = list(word_tokens(SENTENCE, lexicon, subwords=False))
    assert [t[0] for t in toks] == list(range(len(toks)))
    for _, word, start, end in toks:
        assert normalize(SENTENCE[start:end]) == word
    assert not any(w in "“”，。" for _, w, _, _ in toks)


def test_subwords_share_their_word_position(lexicon):
    toks = list(word_tokens("城陵矶新港区", lexicon, subwords=True))
    positions = {w: p for p, w, _, _ in toks}
    assert {"城陵矶新港区", "城陵矶", "新港", "港区"} <= set(positions)
    assert positions["城陵矶"] == positions["新港"] == positions["港区"] == positions["城陵矶新港区"]


def test_normalisation_keeps_length_and_folds_forms():
    raw = "養老服務ＡＢＣ１２３　"
    assert len(normalize(raw)) == len(raw)
    assert normalize("養老服務") == "养老服务"
    assert normalize("ＧＤＰ１２") == "gdp12"


def test_grams_are_unigrams_and_bigrams_at_character_positions():
    toks = list(gram_tokens("津澧，融合"))
    assert ("津" in [t[1] for t in toks]) and ("澧融" in [t[1] for t in toks])
    assert phrase_grams("津澧融合") == ["津澧", "澧融", "融合"]
    assert phrase_grams("津") == ["津"]


def test_phrase_queries_work_on_both_fields(lexicon, parsed):
    """Whoosh phrase search over real paragraphs: sequential positions make it exact."""
    schema = Schema(pid=ID(stored=True), words=TEXT(analyzer=JiebaTokenizer(lexicon), phrase=True),
                    grams=TEXT(analyzer=GramTokenizer(), phrase=True))
    ix = RamStorage().create_index(schema)
    w = ix.writer()
    passages = [p for p in parsed["huaihua-14th-five-year-plan"].passages if p.kind == "paragraph"][:400]
    for p in passages:
        w.add_document(pid=p.passage_id, words=p.search_text, grams=p.search_text)
    w.commit()
    with ix.searcher() as s:
        hits = [h["pid"] for h in s.search(Q.Phrase("grams", phrase_grams("五溪人才行动计划")), limit=None)]
        expected = [p.passage_id for p in passages if "五溪人才行动计划" in p.search_text]
        assert hits and sorted(hits) == sorted(expected)
        words = [wd for _, wd, _, _ in word_tokens("加快建设先进制造业基地", lexicon, subwords=False)]
        word_hits = {h["pid"] for h in s.search(Q.Phrase("words", words), limit=None)}
        assert word_hits == {p.passage_id for p in passages if "加快建设先进制造业基地" in p.search_text}
        assert word_hits
