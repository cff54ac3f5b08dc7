"""Plan text to structure: a Document's text becomes a section tree and citable passages.

May import only indexer.errors, indexer.documents.corpus (the Document type) and itself:
no index, no model, no backend, no analysis, no search_app. Reading order: lines.py,
heading_rules.py and headings.py, structure.py, chunks.py, tables.py, then parser.py,
which walks them; model.py is what comes out.
"""
