"""The local backend: whoosh and its BM25 impact matrix, character-gram postings and vectors
in .npy, all in the build's own folder.

May import whoosh (the only package that does), the backend-neutral modules of
indexer.backends, analysis, query, embed, parse and search.passages; never milvus/.
"""
