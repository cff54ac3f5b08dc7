"""The Milvus backend (milvus-lite or a cluster): the client and its filters, the collection,
writing builds by document version, and the retrievers answered by the engine.

May import pymilvus (the only package that does, and only when a Milvus backend is used), the
backend-neutral modules of indexer.backends, analysis, query, embed and search.passages; never
local/ (the field table it shares with it lives in indexer.analysis.fields).
"""
