"""A request before any index: the validated request model, the query syntax (quotes, minus),
what the query names (places, documents, question type) and the query plan.

May import analysis, documents (the catalog's names) and errors; never an index, a model or a
backend.
"""
