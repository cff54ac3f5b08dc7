"""What a document is: the catalog, a file's bytes read into the one text, and the metadata and
place names detected from it.

May import: indexer.errors, indexer.config and the standard library; never the parser's tree,
an index, a model or a backend.
"""
