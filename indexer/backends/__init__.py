"""Where a build's search indexes live and how they answer: one Backend interface (base), the
backend-neutral query terms (terms), the one place a backend is picked by name (factory), and
one folder per backend (local/, milvus/).

May import analysis, query, embed, parse (the passage model), search.passages and
search.matching, config and errors; never build, search_app or the cli. Only local/ imports
whoosh and only milvus/ imports pymilvus.
"""
