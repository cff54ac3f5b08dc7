"""plansearch's library: read plan documents, build their indexes, and search them with citations.

The public surface is four names, imported lazily so that ``import indexer`` loads no model,
no index and no engine: :class:`Searcher`, :func:`build_index`, :func:`add_documents` and
:func:`load_config`. Everything else lives in the sub-packages, in the order a document flows:
documents → parse → analysis → embed → backends → build; a query flows query → search.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "Searcher": "indexer.search.searcher",
    "build_index": "indexer.build.pipeline",
    "add_documents": "indexer.build.collection",
    "load_config": "indexer.config",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'indexer' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
