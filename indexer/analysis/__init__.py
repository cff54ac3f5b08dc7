"""Text as both the indexes and the query see it: normalisation, jieba words, character
n-grams, the plan lexicon and the field table (which text each BM25 field holds, cut how,
weighed how).

May import the standard library, jieba, zhconv, errors and (for type hints) parse; never
whoosh, an index, a backend or a model.
"""
