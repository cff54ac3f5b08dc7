"""Answering a query on a loaded build: the Searcher (plan → retrieve → rank → present), the pure
ranking rules (fusion, tiers, the match bar, interleaving), the passage store, results,
citations and the JSON shapes.

May import query, analysis, embed, the backends' interface (a backend is opened by name through
indexer.backends) and the build store; never search_app.
"""
